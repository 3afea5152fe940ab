-- Demo data only: precision and recall of caption_near_duplicates against the near-duplicates the
-- generator planted (schema ground_truth, never read by models). Pairs whose captions were
-- quarantined by staging cannot be found and are left out of the truth.
with clean_captions as (
    select caption_id from {{ ref('stg_agency__caption_bank') }}
),

planted as (
    select
        case
            when truth.caption_id < truth.original_caption_id then truth.caption_id
            else truth.original_caption_id
        end as caption_id,
        case
            when truth.caption_id < truth.original_caption_id then truth.original_caption_id
            else truth.caption_id
        end as duplicate_caption_id
    from ground_truth.caption_near_duplicates as truth
    where
        truth.caption_id in (select clean_captions.caption_id from clean_captions)
        and truth.original_caption_id in (select clean_captions.caption_id from clean_captions)
),

found as (
    select
        caption_id,
        duplicate_caption_id
    from {{ ref('caption_near_duplicates') }}
),

matched as (
    select count(*) as true_positives
    from found
    inner join planted
        on
            found.caption_id = planted.caption_id
            and found.duplicate_caption_id = planted.duplicate_caption_id
),

final as (
    select
        (select count(*) from planted) as planted_pairs,
        (select count(*) from found) as found_pairs,
        matched.true_positives,
        matched.true_positives / nullif((select count(*) from found), 0) as pair_precision,
        matched.true_positives / nullif((select count(*) from planted), 0) as pair_recall
    from matched
)

select * from final
