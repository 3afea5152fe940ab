{{ config(materialized='table') }}
-- Every hour of the active window of every planned page-day, ordered into the day's hour pool (docs/template.md).
-- The window runs from active_from_hour for active_window_hours positions (inclusive hours, wrapping
-- past midnight: a 20-3 window is positions 0..7 = hours 20, 21, 22, 23, 0, 1, 2, 3, the last four on
-- the next calendar date). Each hour is scored by what is known about it, best source first:
--   1 'page'    the page's decayed revenue at the send's local (day of week, hour) over hour_pool_window_days,
--               weight 0.5 ^ (age_days / hour_pool_half_life_days)
--   2 'agency'  the agency's decayed revenue at that (day of week, hour), all pages in their local time
--   3 'default' the hour's place in the default_hours setting list
--   4 'window'  any other hour of the window, in window order
-- pool_rank orders the window (tier, then the tier's revenue or list place, then window position); the
-- pool is the top hour_pool_size_in_window hours. slot_value (the solver's value, only compared within a
-- page-day) is the page's decayed revenue for tier-1 hours; a fallback hour gets a value below the page's
-- weakest own hour that keeps the pool order: floor x (window_hours + 1 - pool_rank) / (window_hours + 1),
-- floor = the day's smallest tier-1 value (1 when the page has no own revenue that day: pure rank weights).
-- is_prime_hour (docs/performance.md, prime hours = top quartile of decayed hourly revenue): the page's decayed revenue
-- at that hour of day (all days of week) ranks within the top prime_hour_top_share of the day's 24 hours.
-- Calendar (int_page_calendar_days): the (day of week, hour) revenue is read at the day's hour_profile_dow,
-- the plan date's own weekday except on a public holiday, which is ranked on the page's last weekend day
-- (profile_dow; local_dow stays the real weekday).
with quotas as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        hour_profile_dow,
        daily_quota,
        active_window_hours
    from {{ ref('int_template_daily_quota') }}
),

pool_sizes as (
    select
        page_key,
        plan_date,
        hour_pool_size_in_window
    from {{ ref('int_template_hour_pool_size') }}
),

pages as (
    select
        page_key,
        active_from_hour
    from {{ ref('stg_agency__pages') }}
),

sends as (
    select
        page_key,
        local_dow,
        local_hour,
        earnings,
        age_days
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_page_known
        and sent_at <= {{ sendwise.as_of() }}
        and sent_at > {{ sendwise.window_start('hour_pool_window_days') }}
),

parameters as (
    select
        {{ sendwise.setting('hour_pool_half_life_days') }} as half_life_days,
        {{ sendwise.setting('prime_hour_top_share') }} as prime_hour_top_share,
        concat(',', {{ sendwise.setting_text('default_hours') }}, ',') as default_hours_list
),

positions as (
    -- window positions 0..23 (a window has at most 24 hours)
    select cast(generated_number - 1 as {{ dbt.type_bigint() }}) as window_position
    from ({{ dbt.generate_series(24) }}) as series
),

sends_decayed as (
    select
        sends.page_key,
        cast(sends.local_dow as {{ dbt.type_bigint() }}) as local_dow,
        cast(sends.local_hour as {{ dbt.type_bigint() }}) as local_hour,
        sends.earnings * {{ sendwise.decay_weight('sends.age_days', 'parameters.half_life_days') }} as decayed_revenue
    from sends
    cross join parameters
),

page_dow_hour as (
    select
        page_key,
        local_dow,
        local_hour,
        sum(decayed_revenue) as decayed_revenue
    from sends_decayed
    group by 1, 2, 3
),

agency_dow_hour as (
    select
        local_dow,
        local_hour,
        sum(decayed_revenue) as decayed_revenue
    from sends_decayed
    group by 1, 2
),

page_hour as (
    select
        page_key,
        local_hour,
        sum(decayed_revenue) as decayed_revenue
    from sends_decayed
    group by 1, 2
),

page_hour_ranked as (
    -- rank among the page's 24 hours (hours without revenue rank below every hour with some)
    select
        page_hour.page_key,
        page_hour.local_hour,
        page_hour.decayed_revenue,
        rank() over (partition by page_hour.page_key order by page_hour.decayed_revenue desc)
        <= parameters.prime_hour_top_share * 24 as is_top_quartile
    from page_hour
    cross join parameters
    where page_hour.decayed_revenue > 0
),

window_hours as (
    select
        quotas.page_key,
        quotas.plan_date,
        quotas.day_index,
        quotas.iso_dow,
        quotas.hour_profile_dow,
        quotas.daily_quota,
        quotas.active_window_hours,
        pool_sizes.hour_pool_size_in_window,
        positions.window_position,
        cast(mod(pages.active_from_hour + positions.window_position, 24) as {{ dbt.type_bigint() }}) as local_hour,
        -- hours after midnight of a wrapped window fall on the next calendar date
        cast(
            case when pages.active_from_hour + positions.window_position >= 24 then 1 else 0 end
            as {{ dbt.type_bigint() }}
        ) as day_offset
    from quotas
    inner join pages on quotas.page_key = pages.page_key
    inner join pool_sizes
        on
            quotas.page_key = pool_sizes.page_key
            and quotas.plan_date = pool_sizes.plan_date
    inner join positions on quotas.active_window_hours > positions.window_position
),

scored as (
    select
        window_hours.*,
        cast(mod(window_hours.iso_dow - 1 + window_hours.day_offset, 7) + 1 as {{ dbt.type_bigint() }})
            as local_dow,
        cast(mod(window_hours.hour_profile_dow - 1 + window_hours.day_offset, 7) + 1 as {{ dbt.type_bigint() }})
            as profile_dow,
        coalesce(page_dow_hour.decayed_revenue, 0) as page_dow_hour_revenue,
        coalesce(agency_dow_hour.decayed_revenue, 0) as agency_dow_hour_revenue,
        nullif({{ dbt.position(
            "concat(',', cast(window_hours.local_hour as " ~ dbt.type_string() ~ "), ',')",
            'parameters.default_hours_list'
        ) }}, 0) as default_list_position,
        coalesce(page_hour_ranked.decayed_revenue, 0) as page_hour_revenue,
        coalesce(page_hour_ranked.is_top_quartile, false) as is_prime_hour
    from window_hours
    cross join parameters
    left join page_dow_hour
        on
            window_hours.page_key = page_dow_hour.page_key
            and mod(window_hours.hour_profile_dow - 1 + window_hours.day_offset, 7) + 1 = page_dow_hour.local_dow
            and window_hours.local_hour = page_dow_hour.local_hour
    left join agency_dow_hour
        on
            mod(window_hours.hour_profile_dow - 1 + window_hours.day_offset, 7) + 1 = agency_dow_hour.local_dow
            and window_hours.local_hour = agency_dow_hour.local_hour
    left join page_hour_ranked
        on
            window_hours.page_key = page_hour_ranked.page_key
            and window_hours.local_hour = page_hour_ranked.local_hour
),

tiered as (
    select
        *,
        case
            when page_dow_hour_revenue > 0 then 1
            when agency_dow_hour_revenue > 0 then 2
            when default_list_position is not null then 3
            else 4
        end as source_tier
    from scored
),

ranked as (
    select
        *,
        cast(row_number() over (
            partition by page_key, plan_date
            order by
                source_tier asc,
                case source_tier
                    when 1 then page_dow_hour_revenue
                    when 2 then agency_dow_hour_revenue
                    else 0
                end desc,
                coalesce(default_list_position, 0) asc,
                window_position asc
        ) as {{ dbt.type_bigint() }}) as pool_rank,
        min(case when source_tier = 1 then page_dow_hour_revenue end)
            over (partition by page_key, plan_date) as own_value_floor
    from tiered
),

final as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        daily_quota,
        active_window_hours,
        hour_pool_size_in_window,
        window_position,
        local_hour,
        day_offset,
        local_dow,
        profile_dow,
        page_dow_hour_revenue,
        agency_dow_hour_revenue,
        cast(default_list_position as {{ dbt.type_bigint() }}) as default_list_position,
        case source_tier when 1 then 'page' when 2 then 'agency' when 3 then 'default' else 'window' end as hour_source,
        pool_rank,
        pool_rank <= hour_pool_size_in_window as is_in_pool,
        {{ sendwise.round_float(
            'case
                when source_tier = 1 then page_dow_hour_revenue
                else coalesce(own_value_floor, 1.0) * (active_window_hours + 1 - pool_rank) / (active_window_hours + 1)
            end',
            6
        ) }} as slot_value,
        page_hour_revenue,
        is_prime_hour
    from ranked
)

select * from final
