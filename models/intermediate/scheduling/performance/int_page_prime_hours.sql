-- Decayed revenue of every page by page-local hour and its prime hours (docs/performance.md): over the last
-- prime_hour_window_days, each send weighs 0.5 ^ (age / performance_half_life_days); among the
-- hours in which the page sent at least once, an hour is prime when its percent rank by decayed
-- revenue, (rank - 1) / (hours - 1), is at least prime_hour_quantile (0.75: the top quartile; for
-- distinct values the same as revenue >= the continuous 75th percentile, which neither engine
-- accepts with a non-literal fraction). A page with a single hour has that hour as prime.
-- Hours without a send are not rows (the page never used them); sends of pages missing from the
-- pages table have no local hour and are left out (int_mass_messages_enriched keeps and flags them).
with sends as (
    select
        page_key,
        local_hour,
        earnings,
        age_days
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_page_known
        and sent_at > {{ sendwise.window_start('prime_hour_window_days') }}
),

parameters as (
    select
        {{ sendwise.setting('performance_half_life_days') }} as half_life_days
),

hourly as (
    select
        sends.page_key,
        cast(sends.local_hour as {{ dbt.type_bigint() }}) as local_hour,
        cast(count(*) as {{ dbt.type_bigint() }}) as sends_in_window,
        sum(sends.earnings * {{ sendwise.decay_weight('sends.age_days', 'parameters.half_life_days') }})
            as decayed_revenue
    from sends
    cross join parameters
    group by 1, 2
),

ranked as (
    select
        *,
        percent_rank() over (partition by page_key order by decayed_revenue) as revenue_percent_rank,
        count(*) over (partition by page_key) as page_hours
    from hourly
),

final as (
    select
        page_key,
        local_hour,
        sends_in_window,
        decayed_revenue,
        revenue_percent_rank,
        page_hours,
        page_hours = 1 or revenue_percent_rank >= {{ sendwise.setting('prime_hour_quantile') }} as is_prime_hour
    from ranked
)

select * from final
