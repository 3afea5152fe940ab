-- Daily send quota of every active page for each of the template_days (7) page-local dates after
-- as_of (docs/template.md), with the calendar (int_page_calendar_days, docs/operations.md):
--   scaled_quota  = round(tier policy base quota x weight_volume x day-of-week multiplier)
--   normal_quota  = clamp(scaled_quota + quota_nudge, quota_min, quota_max)
--   daily_quota   = clamp(round(normal_quota x saturation_factor), quota_min, quota_max)
-- The tier policy row (seed tier_policies, tier from int_page_performance_state) is the one of the
-- calendar's policy_dow (the plan date's weekday, shifted for regions whose weekend is not Saturday-
-- Sunday). saturation_factor is the public holiday's (1 on other days): it scales the sends the day
-- would otherwise get (after the page's bounds, so a page at its quota_max still sends fewer on a
-- holiday). quota_without_calendar is the same day's quota with the plain ISO weekday and no holiday:
-- the QC's calendar_adjustment rows and the strategy note compare the two. Day 1 is the first whole
-- local day after as_of.
with calendar_days as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        policy_dow,
        hour_profile_dow,
        country_code,
        is_holiday,
        holiday_name,
        saturation_factor,
        is_region_weekend
    from {{ ref('int_page_calendar_days') }}
),

pages as (
    select
        page_key,
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

page_state as (
    select
        pages.page_key,
        coalesce(performance.creator_tier, 'SMALL') as creator_tier,
        coalesce(weights.weight_volume, 1.0) as weight_volume,
        cast(coalesce(knobs.quota_nudge, 0) as {{ dbt.type_bigint() }}) as quota_nudge,
        learner_config.quota_min,
        learner_config.quota_max,
        -- hours of the local active window (from..to inclusive, wrapping past midnight), for the hour pool
        cast(
            {{ sendwise.active_window_hours('pages.active_from_hour', 'pages.active_to_hour') }}
            as {{ dbt.type_bigint() }}
        ) as active_window_hours
    from pages
    left join performance on pages.page_key = performance.page_key
    left join weights on pages.page_key = weights.page_key
    left join knobs on pages.page_key = knobs.page_key
    left join learner_config on pages.page_key = learner_config.page_key
),

days as (
    select
        calendar_days.*,
        page_state.creator_tier,
        page_state.weight_volume,
        page_state.quota_nudge,
        page_state.quota_min,
        page_state.quota_max,
        page_state.active_window_hours,
        day_policy.base_daily_quota,
        day_policy.dow_multiplier,
        plain_policy.base_daily_quota as plain_base_daily_quota,
        plain_policy.dow_multiplier as plain_dow_multiplier
    from calendar_days
    inner join page_state on calendar_days.page_key = page_state.page_key
    inner join tier_policies as day_policy
        on
            page_state.creator_tier = day_policy.creator_tier
            and calendar_days.policy_dow = day_policy.iso_dow
    inner join tier_policies as plain_policy
        on
            page_state.creator_tier = plain_policy.creator_tier
            and calendar_days.iso_dow = plain_policy.iso_dow
),

computed as (
    select
        *,
        -- rounded at 6 decimals first so 4 x 1.25 x 0.9 = 4.5 is not 4.499999... on one engine
        round({{ sendwise.round_float('base_daily_quota * weight_volume * dow_multiplier', 6) }}) as scaled_quota,
        round({{ sendwise.round_float('plain_base_daily_quota * weight_volume * plain_dow_multiplier', 6) }})
            as plain_scaled_quota
    from days
),

normal_quotas as (
    select
        *,
        {{ sendwise.clamp('scaled_quota + quota_nudge', 'quota_min', 'quota_max') }} as normal_quota
    from computed
),

final as (
    select
        page_key,
        plan_date,
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
        cast(
            {{ sendwise.clamp(
                'round(' ~ sendwise.round_float('normal_quota * saturation_factor', 6) ~ ')', 'quota_min', 'quota_max'
            ) }}
            as {{ dbt.type_bigint() }}
        ) as daily_quota,
        scaled_quota + quota_nudge < quota_min or scaled_quota + quota_nudge > quota_max as is_quota_clamped,
        active_window_hours,
        country_code,
        is_region_weekend,
        policy_dow,
        hour_profile_dow,
        is_holiday,
        holiday_name,
        saturation_factor,
        cast(
            {{ sendwise.clamp('plain_scaled_quota + quota_nudge', 'quota_min', 'quota_max') }}
            as {{ dbt.type_bigint() }}
        ) as quota_without_calendar
    from normal_quotas
)

select * from final
