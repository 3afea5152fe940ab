{{ config(materialized='table') }}
-- Creator tier and health of every page (docs/performance.md), computed once and shared: the price ladder
-- (page state), the personalization weights (tier peers), the daily quota (tier policy) and the
-- creator-performance mart read this model instead of recomputing it.
--
-- Decay: each send weighs 0.5 ^ (age / performance_half_life_days). A decayed *average daily*
-- revenue divides the decayed revenue by the decayed length of the window the page has existed
-- in, integral_0^span 0.5^(t / h) dt = h / ln 2 * (1 - 0.5^(span / h)), so a page with constant
-- revenue R per day scores R whatever its age (a spine of empty days is not needed).
-- Health compares the last health_window_days with the previous as many, each window decayed
-- from its own end (decaying the previous window from as_of would make every page look GROWING)
-- and normalised by the decayed length the page covered in it (a page younger than two windows
-- is compared fairly; younger than one window it has no baseline and stays STABLE).
{%- set tier_window_start = sendwise.window_start('tier_window_days') %}
{%- set health_window_start = sendwise.window_start('health_window_days') %}
{%- set previous_health_window_start = sendwise.window_start('health_window_days', 2) %}
{%- set revenue_in_cents = sendwise.round_float('rates.decayed_avg_daily_revenue', 2) %}
{%- set change_in_basis_points = sendwise.round_float('health_change_pct', 4) %}

with pages as (
    select
        page_key,
        is_active
    from {{ ref('stg_agency__pages') }}
),

sends as (
    -- all history: the page's first send dates its tenure (first_send_age_days); the windows
    -- below compare sent_at with as_of minus their days
    select
        page_key,
        earnings,
        age_days,
        sent_at > {{ tier_window_start }} as is_in_tier_window,
        sent_at > {{ health_window_start }} as is_in_health_window,
        (
            sent_at <= {{ health_window_start }}
            and sent_at > {{ previous_health_window_start }}
        ) as is_in_previous_health_window
    from {{ ref('int_mass_messages_enriched') }}
),

parameters as (
    select
        {{ sendwise.setting('performance_half_life_days') }} as half_life_days,
        {{ sendwise.setting('tier_window_days') }} as tier_window_days,
        {{ sendwise.setting('health_window_days') }} as health_window_days,
        {{ sendwise.setting('tier_ultra_min_daily') }} as tier_ultra_min_daily,
        {{ sendwise.setting('tier_large_min_daily') }} as tier_large_min_daily,
        {{ sendwise.setting('tier_mid_min_daily') }} as tier_mid_min_daily,
        {{ sendwise.setting('health_growing_at') }} as health_growing_at,
        {{ sendwise.setting('health_declining_at') }} as health_declining_at
),

revenue_by_page as (
    select
        sends.page_key,
        max(sends.age_days) as first_send_age_days,
        cast(sum(case when sends.is_in_tier_window then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tier_window_sends,
        sum(
            case
                when sends.is_in_tier_window
                    then sends.earnings * {{ sendwise.decay_weight('sends.age_days', 'parameters.half_life_days') }}
                else 0
            end
        ) as tier_decayed_revenue,
        sum(
            case
                when sends.is_in_health_window
                    then sends.earnings * {{ sendwise.decay_weight('sends.age_days', 'parameters.half_life_days') }}
                else 0
            end
        ) as health_recent_decayed_revenue,
        sum(
            case
                when sends.is_in_previous_health_window
                    then sends.earnings * {{ sendwise.decay_weight(
                        'sends.age_days - parameters.health_window_days', 'parameters.half_life_days'
                    ) }}
                else 0
            end
        ) as health_previous_decayed_revenue
    from sends
    cross join parameters
    group by 1
),

spans as (
    -- days of each window the page existed in (its first send bounds them)
    select
        pages.page_key,
        pages.is_active,
        revenue_by_page.first_send_age_days,
        coalesce(revenue_by_page.tier_window_sends, 0) as tier_window_sends,
        coalesce(revenue_by_page.tier_decayed_revenue, 0) as tier_decayed_revenue,
        coalesce(revenue_by_page.health_recent_decayed_revenue, 0) as health_recent_decayed_revenue,
        coalesce(revenue_by_page.health_previous_decayed_revenue, 0) as health_previous_decayed_revenue,
        {{ sendwise.clamp('coalesce(revenue_by_page.first_send_age_days, 0)', '0', 'parameters.tier_window_days') }}
            as tier_span_days,
        {{ sendwise.clamp('coalesce(revenue_by_page.first_send_age_days, 0)', '0', 'parameters.health_window_days') }}
            as health_recent_span_days,
        {{ sendwise.clamp(
            'coalesce(revenue_by_page.first_send_age_days, 0) - parameters.health_window_days',
            '0', 'parameters.health_window_days'
        ) }} as health_previous_span_days,
        parameters.half_life_days
    from pages
    cross join parameters
    left join revenue_by_page on pages.page_key = revenue_by_page.page_key
),

rates as (
    -- decayed revenue / decayed window length = decayed average daily revenue
    select
        *,
        coalesce({{ sendwise.safe_divide(
            'tier_decayed_revenue',
            'half_life_days / ln(2) * (1 - ' ~ sendwise.decay_weight('tier_span_days', 'half_life_days') ~ ')'
        ) }}, 0) as decayed_avg_daily_revenue,
        {{ sendwise.safe_divide(
            'health_recent_decayed_revenue',
            'half_life_days / ln(2) * (1 - ' ~ sendwise.decay_weight('health_recent_span_days', 'half_life_days') ~ ')'
        ) }} as health_recent_daily_revenue,
        {{ sendwise.safe_divide(
            'health_previous_decayed_revenue',
            'half_life_days / ln(2) * (1 - ' ~ sendwise.decay_weight('health_previous_span_days', 'half_life_days') ~ ')'
        ) }} as health_previous_daily_revenue
    from spans
),

classified as (
    select
        rates.*,
        {{ sendwise.safe_divide(
            'rates.health_recent_daily_revenue - rates.health_previous_daily_revenue',
            'rates.health_previous_daily_revenue'
        ) }} as health_change_pct,
        -- thresholds compare the revenue rounded to the cent: $150 exactly is ULTRA even when the
        -- decayed division lands at 149.99999...
        case
            when {{ revenue_in_cents }} >= parameters.tier_ultra_min_daily then 'ULTRA'
            when {{ revenue_in_cents }} >= parameters.tier_large_min_daily then 'LARGE'
            when {{ revenue_in_cents }} >= parameters.tier_mid_min_daily then 'MID'
            else 'SMALL'
        end as creator_tier,
        parameters.health_growing_at,
        parameters.health_declining_at
    from rates
    cross join parameters
),

final as (
    select
        page_key,
        is_active,
        first_send_age_days,
        tier_window_sends,
        tier_span_days,
        tier_decayed_revenue,
        decayed_avg_daily_revenue,
        creator_tier,
        health_recent_daily_revenue,
        health_previous_daily_revenue,
        health_change_pct,
        health_change_pct is not null as has_health_baseline,
        -- the change is compared at 0.01 % (4 decimals): +15 % exactly is STABLE even when the
        -- division lands at 0.15000000000000002
        case
            when {{ change_in_basis_points }} > health_growing_at then 'GROWING'
            when {{ change_in_basis_points }} < health_declining_at then 'DECLINING'
            else 'STABLE'
        end as health_status,
        case
            when {{ change_in_basis_points }} > health_growing_at then 'grow'
            when {{ change_in_basis_points }} < health_declining_at then 'retain'
            else 'balance'
        end as page_state,
        {{ sendwise.as_of() }} as computed_at
    from classified
)

select * from final
