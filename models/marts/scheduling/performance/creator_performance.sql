-- One row per page (docs/performance.md): creator tier and health (reused from int_page_performance_state, never
-- recomputed), saturation against the page's own volume-response (int_page_volume_response),
-- prime hours (int_page_prime_hours: top quartile of decayed hourly revenue), the optimal price
-- range (the page's price ladder: cheapest to dearest rung of int_page_price_ladder), the
-- data-quality score (data_quality_by_page) and a confidence:
--   confidence = data_quality_score / 100 x min(1, tier_window_sends / performance_full_confidence_sends).
with performance as (
    select * from {{ ref('int_page_performance_state') }}
),

pages as (
    select
        page_key,
        page_name
    from {{ ref('stg_agency__pages') }}
),

volume_response as (
    select * from {{ ref('int_page_volume_response') }}
),

prime_hours as (
    select
        page_key,
        local_hour,
        is_prime_hour
    from {{ ref('int_page_prime_hours') }}
),

price_ladder as (
    select
        page_key,
        price_mode,
        ladder_price
    from {{ ref('int_page_price_ladder') }}
),

data_quality as (
    select
        page_key,
        data_quality_score,
        is_schedulable
    from {{ ref('data_quality_by_page') }}
),

prime_hour_lists as (
    select
        page_key,
        {{ dbt.listagg(
            dbt.safe_cast('local_hour', dbt.type_string()), "','", 'order by local_hour'
        ) }} as prime_hours,
        cast(count(*) as {{ dbt.type_bigint() }}) as prime_hour_count
    from prime_hours
    where is_prime_hour
    group by 1
),

price_ranges as (
    select
        page_key,
        min(price_mode) as price_mode,
        min(ladder_price) as optimal_price_min,
        max(ladder_price) as optimal_price_max
    from price_ladder
    group by 1
),

final as (
    select
        performance.page_key,
        pages.page_name,
        performance.is_active,
        performance.creator_tier,
        performance.decayed_avg_daily_revenue,
        performance.health_status,
        performance.health_change_pct,
        volume_response.saturation_status,
        coalesce(volume_response.saturation_unjudged_reason, case
            when volume_response.page_key is null then 'no sends in the saturation window'
        end) as saturation_unjudged_reason,
        volume_response.volume_elasticity,
        volume_response.marginal_revenue_per_send,
        volume_response.avg_revenue_per_send,
        volume_response.avg_daily_sends,
        coalesce(volume_response.page_days_with_sends, 0) as saturation_page_days,
        prime_hour_lists.prime_hours,
        coalesce(prime_hour_lists.prime_hour_count, 0) as prime_hour_count,
        price_ranges.price_mode,
        price_ranges.optimal_price_min,
        price_ranges.optimal_price_max,
        data_quality.data_quality_score,
        coalesce(data_quality.is_schedulable, false) as is_schedulable,
        {{ sendwise.round_float(
            'coalesce(data_quality.data_quality_score, 0) / 100.0 * '
            ~ sendwise.clamp(
                'performance.tier_window_sends / ' ~ sendwise.setting('performance_full_confidence_sends'), '0.0', '1.0'
            ),
            4
        ) }} as confidence,
        performance.tier_window_sends,
        performance.computed_at
    from performance
    left join pages on performance.page_key = pages.page_key
    left join volume_response on performance.page_key = volume_response.page_key
    left join prime_hour_lists on performance.page_key = prime_hour_lists.page_key
    left join price_ranges on performance.page_key = price_ranges.page_key
    left join data_quality on performance.page_key = data_quality.page_key
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
