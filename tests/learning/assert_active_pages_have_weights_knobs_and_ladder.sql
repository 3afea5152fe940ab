-- Every active page has personalization weights, a learned-knob row, a three-rung price ladder and a
-- daily quota for each template day. Returns the pages that lack one, with what is missing.
with active_pages as (
    select page_key
    from {{ ref('stg_agency__pages') }}
    where is_active
),

weights as (
    select page_key
    from {{ ref('page_personalization_weights') }}
),

knobs as (
    select page_key
    from {{ ref('page_knobs') }}
),

ladder as (
    select
        page_key,
        count(*) as rungs
    from {{ ref('int_page_price_ladder') }}
    group by 1
),

quota_days as (
    select
        page_key,
        count(*) as planned_days
    from {{ ref('int_template_daily_quota') }}
    group by 1
),

final as (
    select
        active_pages.page_key,
        weights.page_key is null as is_missing_weights,
        knobs.page_key is null as is_missing_knobs,
        coalesce(ladder.rungs, 0) as ladder_rungs,
        coalesce(quota_days.planned_days, 0) as planned_days
    from active_pages
    left join weights on active_pages.page_key = weights.page_key
    left join knobs on active_pages.page_key = knobs.page_key
    left join ladder on active_pages.page_key = ladder.page_key
    left join quota_days on active_pages.page_key = quota_days.page_key
)

select * from final
where
    is_missing_weights
    or is_missing_knobs
    or ladder_rungs <> 3
    or planned_days <> {{ sendwise.setting('template_days') }}
