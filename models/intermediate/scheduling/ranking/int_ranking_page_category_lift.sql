-- How each page's audience takes each content category, beyond the captions' own quality: PPV
-- sends of the category on the page over caption_stats_window_days (60 d, caption decay weight),
-- against what a page-average caption would have made in the same context, times the caption's
-- agency-wide lift (int_ranking_caption_lift):
--
--   observed = sum w * purchases;  expected = sum w * expected_purchases * caption_lift
--   category_lift = (observed + category_lift_prior_purchases) / (expected + category_lift_prior_purchases)
--
-- A (page, category) without sends has no row (lift 1).
with sends as (
    select
        page_key,
        caption_hash,
        caption_decay_weight,
        purchased_count,
        expected_purchases
    from {{ ref('int_ranking_sends_in_context') }}
    where
        is_ppv
        and sent_at >= {{ sendwise.window_start('caption_stats_window_days') }}
),

captions as (
    select
        caption_hash,
        min(content_category) as content_category
    from {{ ref('stg_agency__caption_bank') }}
    group by 1
),

caption_lift as (
    select
        caption_hash,
        caption_lift
    from {{ ref('int_ranking_caption_lift') }}
),

totals as (
    select
        sends.page_key,
        captions.content_category,
        count(*) as ppv_sends,
        sum(sends.caption_decay_weight * sends.purchased_count) as observed_purchases,
        sum(
            sends.caption_decay_weight * sends.expected_purchases * coalesce(caption_lift.caption_lift, 1)
        ) as expected_purchases
    from sends
    inner join captions on sends.caption_hash = captions.caption_hash
    left join caption_lift on sends.caption_hash = caption_lift.caption_hash
    group by 1, 2
),

final as (
    select
        *,
        (observed_purchases + {{ sendwise.setting('category_lift_prior_purchases') }})
        / (expected_purchases + {{ sendwise.setting('category_lift_prior_purchases') }}) as category_lift
    from totals
)

select * from final
