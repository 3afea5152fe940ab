-- The caption library the ranking may use (the hard filters on the caption: available, validated
-- medium or high, already created), each caption ranked once within its content category by the
-- pre-filter key, the same order on every page (docs/ranking.md "Pre-filter before scoring"):
--
--   prefilter_key = caption_lift x (1 + w_style_lift x style_lift)
--
-- A caption never sent on a page (no int_ranking_caption_page_stats row: w_sent = w_purchases = 0,
-- no cooldown) has p_buy_eb = mu_caption = mu_buy x caption_lift x category_lift, so within one
-- content category of a page such captions rank by caption_lift, and by the style term the scores
-- add (int_ranking_slot_caption_scores), as prefilter_key does on every page. prefilter_rank:
-- row_number by prefilter_key descending, ties by caption_id. caption_lift is 1 and style_lift 0
-- without evidence, as in the posteriors. int_ranking_caption_eligibility keeps per page the
-- captions the page has sent and its ranking_prefilter_per_page best never-sent ones by
-- prefilter_key x the page's category lift, looked for per category down to prefilter_rank <=
-- ranking_prefilter_per_page + the captions of that category it has sent, so no step expands
-- every (page, caption) pair. category_captions: the library size of the caption's category, the
-- unit of the pool counts (int_ranking_caption_eligibility's fresh count, int_ranking_page_pools).
with captions as (
    select
        caption_id,
        caption_hash,
        content_category
    from {{ ref('stg_agency__caption_bank') }}
    where
        is_available
        and is_validated
        and (created_at is null or created_at <= {{ sendwise.as_of() }})
),

caption_lift as (
    select
        caption_hash,
        caption_lift
    from {{ ref('int_ranking_caption_lift') }}
),

style_features as (
    select
        caption_hash,
        style_key
    from {{ ref('int_caption_style_features') }}
),

style_lift as (
    select
        style_key,
        style_lift
    from {{ ref('int_ranking_style_lift') }}
),

keyed as (
    select
        captions.caption_id,
        captions.caption_hash,
        captions.content_category,
        coalesce(caption_lift.caption_lift, 1)
        * (1 + {{ sendwise.setting('w_style_lift') }} * coalesce(style_lift.style_lift, 0)) as prefilter_key
    from captions
    left join caption_lift on captions.caption_hash = caption_lift.caption_hash
    left join style_features on captions.caption_hash = style_features.caption_hash
    left join style_lift on style_features.style_key = style_lift.style_key
),

final as (
    select
        caption_id,
        caption_hash,
        content_category,
        prefilter_key,
        row_number() over (
            partition by content_category
            order by prefilter_key desc, caption_id asc
        ) as prefilter_rank,
        count(*) over (partition by content_category) as category_captions
    from keyed
)

select * from final
