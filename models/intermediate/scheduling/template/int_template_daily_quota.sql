-- Daily send quota of every active page for each of the template_days (7) page-local dates after
-- as_of (SPEC 7): the tier policy's base quota for that day of week (seed tier_policies, tier from
-- int_page_performance_state) x weight_volume x the day-of-week multiplier, rounded to whole sends,
-- plus the learned quota_nudge, clamped to the page's [quota_min, quota_max] (page_learner_config,
-- default 0-12). Day 1 is the first whole local day after as_of; the 7 days cover each ISO weekday
-- once, so each day is found from its weekday (a weekly template).
with pages as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour
    from {{ ref('stg_agency__pages') }}
    where is_active
),

performance as (
    select
        page_key,
        creator_tier
    from {{ ref('int_page_performance_state') }}
),

weights as (
    select
        page_key,
        weight_volume
    from {{ ref('page_personalization_weights') }}
),

knobs as (
    select
        page_key,
        quota_nudge
    from {{ ref('page_knobs') }}
),

learner_config as (
    select
        page_key,
        quota_min,
        quota_max
    from {{ ref('int_page_learner_config') }}
),

tier_policies as (
    select * from {{ ref('tier_policies') }}
),

parameters as (
    select {{ sendwise.setting('template_days') }} as template_days
),

page_today as (
    select
        pages.page_key,
        cast({{ sendwise.to_local_timestamp(sendwise.as_of(), 'pages.time_zone') }} as date) as as_of_local_date,
        {{ sendwise.iso_day_of_week(sendwise.to_local_timestamp(sendwise.as_of(), 'pages.time_zone')) }}
            as as_of_local_dow,
        coalesce(performance.creator_tier, 'SMALL') as creator_tier,
        coalesce(weights.weight_volume, 1.0) as weight_volume,
        cast(coalesce(knobs.quota_nudge, 0) as {{ dbt.type_bigint() }}) as quota_nudge,
        learner_config.quota_min,
        learner_config.quota_max,
        -- hours of the local active window (from..to inclusive, wrapping past midnight), for the hour pool
        cast(
            case
                when pages.active_to_hour >= pages.active_from_hour
                    then pages.active_to_hour - pages.active_from_hour + 1
                else pages.active_to_hour + 24 - pages.active_from_hour + 1
            end as {{ dbt.type_bigint() }}
        ) as active_window_hours
    from pages
    left join performance on pages.page_key = performance.page_key
    left join weights on pages.page_key = weights.page_key
    left join knobs on pages.page_key = knobs.page_key
    left join learner_config on pages.page_key = learner_config.page_key
),

days as (
    select
        page_today.*,
        tier_policies.iso_dow,
        tier_policies.base_daily_quota,
        tier_policies.dow_multiplier,
        -- 1..7 days ahead: the next local date falling on this weekday
        cast(mod(tier_policies.iso_dow - page_today.as_of_local_dow + 6, 7) + 1 as {{ dbt.type_bigint() }})
            as day_index
    from page_today
    inner join tier_policies on page_today.creator_tier = tier_policies.creator_tier
),

computed as (
    select
        days.*,
        -- rounded at 6 decimals first so 4 x 1.25 x 0.9 = 4.5 is not 4.499999... on one engine
        round(round(days.base_daily_quota * days.weight_volume * days.dow_multiplier, 6)) as scaled_quota
    from days
    cross join parameters
    where days.day_index <= parameters.template_days
),

final as (
    select
        page_key,
        cast({{ dbt.dateadd('day', 'day_index', 'as_of_local_date') }} as date) as plan_date,
        day_index,
        iso_dow,
        creator_tier,
        base_daily_quota,
        dow_multiplier,
        weight_volume,
        scaled_quota,
        quota_nudge,
        quota_min,
        quota_max,
        cast(scaled_quota + quota_nudge as {{ dbt.type_bigint() }}) as quota_before_clamp,
        cast({{ sendwise.clamp('scaled_quota + quota_nudge', 'quota_min', 'quota_max') }} as {{ dbt.type_bigint() }})
            as daily_quota,
        scaled_quota + quota_nudge < quota_min or scaled_quota + quota_nudge > quota_max as is_quota_clamped,
        active_window_hours
    from computed
)

select * from final
