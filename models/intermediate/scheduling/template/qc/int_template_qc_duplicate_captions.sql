-- QC rule duplicate_caption (docs/template_qc.md): a send repeats an earlier send of the page's week
-- - the same caption_id, the same text hash, or a near-duplicate pair of caption_near_duplicates (in
-- either order). The later send is flagged (ties in time broken by plan_date, then slot_number);
-- observed = the number of earlier matches, limit 0.
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        caption_hash,
        send_epoch
    from {{ ref('int_template_qc_sends') }}
),

near_duplicates as (
    select
        caption_id,
        duplicate_caption_id
    from {{ ref('caption_near_duplicates') }}
),

near_duplicate_pairs as (
    select
        caption_id as caption_a,
        duplicate_caption_id as caption_b
    from near_duplicates
    union all
    select
        duplicate_caption_id as caption_a,
        caption_id as caption_b
    from near_duplicates
),

earlier_pairs as (
    -- every later send of the page's week paired with every earlier one
    select
        later.page_key,
        later.plan_date,
        later.slot_number,
        later.caption_id,
        earlier.caption_id as earlier_caption_id,
        later.caption_id = earlier.caption_id as is_same_id,
        later.caption_hash = earlier.caption_hash as is_same_text
    from sends as later
    inner join sends as earlier
        on
            later.page_key = earlier.page_key
            and (
                later.send_epoch > earlier.send_epoch
                or (later.send_epoch = earlier.send_epoch and later.plan_date > earlier.plan_date)
                or (
                    later.send_epoch = earlier.send_epoch
                    and later.plan_date = earlier.plan_date
                    and later.slot_number > earlier.slot_number
                )
            )
),

duplicate_matches as (
    select earlier_pairs.*
    from earlier_pairs
    left join near_duplicate_pairs
        on
            earlier_pairs.earlier_caption_id = near_duplicate_pairs.caption_a
            and earlier_pairs.caption_id = near_duplicate_pairs.caption_b
    where
        earlier_pairs.is_same_id
        or earlier_pairs.is_same_text
        or near_duplicate_pairs.caption_a is not null
),

duplicate_counts as (
    select
        page_key,
        plan_date,
        slot_number,
        count(*) as matches,
        max(caption_id) as caption_id,
        min(earlier_caption_id) as first_match
    from duplicate_matches
    group by 1, 2, 3
),

final as (
    select
        'duplicate_caption' as rule_id,
        page_key,
        plan_date,
        slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(matches as {{ dbt.type_float() }}) as observed,
        cast(0 as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat([
            "'caption '", 'caption_id', "' repeats '",
            'cast(matches as ' ~ dbt.type_string() ~ ')',
            "' earlier send(s) of the page week (same caption, same text or a near-duplicate), first '",
            'first_match'
        ]) }} as detail
    from duplicate_counts
)

select * from final
