-- The page's own volume-response (saturation, docs/performance.md): does an extra send on a day still earn what
-- the page's sends earn on average? From the page-days with sends of the last
-- saturation_window_days, daily revenue is regressed on daily sends within ISO weeks (each
-- page-week demeaned: week fixed effects absorb audience growth, trends and seasonality, so the
-- slope compares busier and quieter days of the same week):
--   marginal_revenue_per_send = sum(dn x dr) / sum(dn^2)   (dn, dr = deviations from the page-week means)
--   avg_revenue_per_send      = mean daily revenue / mean daily sends
--   volume_elasticity         = marginal / average = d ln(revenue) / d ln(sends) at the page's mean
-- The status compares the page with itself: an elasticity of 1 means the extra send earns as much as
-- an average one (room to send more), 0 that it earns nothing (saturated). UNDERSATURATED at or
-- above saturation_under_at, OVERSATURATED below saturation_over_at, else OPTIMAL; null (with the
-- reason) under saturation_min_days page-days or without variation in daily sends.
with sends as (
    select
        page_key,
        local_date,
        local_dow,
        earnings
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_page_known
        and sent_at > {{ sendwise.window_start('saturation_window_days') }}
),

parameters as (
    select
        {{ sendwise.setting('saturation_min_days') }} as min_days,
        {{ sendwise.setting('saturation_under_at') }} as under_at,
        {{ sendwise.setting('saturation_over_at') }} as over_at
),

page_days as (
    select
        sends.page_key,
        sends.local_date,
        cast({{ dbt.dateadd('day', '1 - sends.local_dow', 'sends.local_date') }} as date) as iso_week_start,
        cast(count(*) as {{ dbt.type_float() }}) as daily_sends,
        sum(sends.earnings) as daily_revenue
    from sends
    group by 1, 2, 3
),

demeaned as (
    select
        page_key,
        daily_sends,
        daily_revenue,
        daily_sends - avg(daily_sends) over (partition by page_key, iso_week_start) as sends_deviation,
        daily_revenue - avg(daily_revenue) over (partition by page_key, iso_week_start) as revenue_deviation
    from page_days
),

fitted as (
    select
        page_key,
        cast(count(*) as {{ dbt.type_bigint() }}) as page_days_with_sends,
        avg(daily_sends) as avg_daily_sends,
        avg(daily_revenue) as avg_daily_revenue,
        {{ sendwise.safe_divide('sum(sends_deviation * revenue_deviation)', 'sum(sends_deviation * sends_deviation)') }}
            as marginal_revenue_per_send
    from demeaned
    group by 1
),

measured as (
    select
        fitted.*,
        {{ sendwise.safe_divide('fitted.avg_daily_revenue', 'fitted.avg_daily_sends') }} as avg_revenue_per_send,
        {{ sendwise.safe_divide(
            'fitted.marginal_revenue_per_send * fitted.avg_daily_sends', 'fitted.avg_daily_revenue'
        ) }} as volume_elasticity,
        parameters.min_days,
        parameters.under_at,
        parameters.over_at
    from fitted
    cross join parameters
),

final as (
    select
        page_key,
        page_days_with_sends,
        avg_daily_sends,
        avg_daily_revenue,
        avg_revenue_per_send,
        marginal_revenue_per_send,
        volume_elasticity,
        case
            when page_days_with_sends < min_days or volume_elasticity is null then null
            when volume_elasticity >= under_at then 'UNDERSATURATED'
            when volume_elasticity < over_at then 'OVERSATURATED'
            else 'OPTIMAL'
        end as saturation_status,
        case
            when page_days_with_sends < min_days then 'fewer page-days with sends than saturation_min_days'
            when marginal_revenue_per_send is null then 'daily sends never vary within a week'
            when volume_elasticity is null then 'no revenue in the window'
        end as saturation_unjudged_reason
    from measured
)

select * from final
