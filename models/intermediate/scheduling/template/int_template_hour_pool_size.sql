-- How many hours the template may choose from on each planned page-day (docs/template.md):
--   base_pool      = clamp(hour_pool_quota_mult x daily_quota, hour_pool_min, hour_pool_max)
--   hour_pool_size = clamp(round(base_pool / weight_hours) + hour_pool_nudge, hour_pool_min, hour_pool_max)
-- with the page's bounds (page_learner_config, default 6-24). weight_hours is a concentration
-- factor: above 1 (revenue concentrated in a few hours) it narrows the pool, below 1 it widens it;
-- the learned hour_pool_nudge adds or removes hours. The pool can never exceed the page's active
-- window (active_from_hour..active_to_hour inclusive): hour_pool_size_in_window caps it there.
with quotas as (
    select
        page_key,
        plan_date,
        day_index,
        daily_quota,
        active_window_hours
    from {{ ref('int_template_daily_quota') }}
),

weights as (
    select
        page_key,
        weight_hours
    from {{ ref('page_personalization_weights') }}
),

knobs as (
    select
        page_key,
        hour_pool_nudge
    from {{ ref('page_knobs') }}
),

learner_config as (
    select
        page_key,
        hour_pool_min,
        hour_pool_max
    from {{ ref('int_page_learner_config') }}
),

parameters as (
    select {{ sendwise.setting('hour_pool_quota_mult') }} as hour_pool_quota_mult
),

sized as (
    select
        quotas.page_key,
        quotas.plan_date,
        quotas.day_index,
        quotas.daily_quota,
        coalesce(weights.weight_hours, 1.0) as weight_hours,
        cast(coalesce(knobs.hour_pool_nudge, 0) as {{ dbt.type_bigint() }}) as hour_pool_nudge,
        learner_config.hour_pool_min,
        learner_config.hour_pool_max,
        quotas.active_window_hours,
        {{ sendwise.clamp(
            'parameters.hour_pool_quota_mult * quotas.daily_quota',
            'learner_config.hour_pool_min', 'learner_config.hour_pool_max'
        ) }} as base_pool
    from quotas
    cross join parameters
    left join weights on quotas.page_key = weights.page_key
    left join knobs on quotas.page_key = knobs.page_key
    left join learner_config on quotas.page_key = learner_config.page_key
),

pooled as (
    select
        *,
        cast(
            {{ sendwise.clamp(
                'round(' ~ sendwise.round_float('base_pool / weight_hours', 6) ~ ') + hour_pool_nudge',
                'hour_pool_min', 'hour_pool_max'
            ) }} as {{ dbt.type_bigint() }}
        ) as hour_pool_size
    from sized
),

final as (
    select
        page_key,
        plan_date,
        day_index,
        daily_quota,
        cast(base_pool as {{ dbt.type_bigint() }}) as base_pool,
        weight_hours,
        hour_pool_nudge,
        hour_pool_min,
        hour_pool_max,
        hour_pool_size,
        active_window_hours,
        cast(
            case when hour_pool_size > active_window_hours then active_window_hours else hour_pool_size end
            as {{ dbt.type_bigint() }}
        ) as hour_pool_size_in_window
    from pooled
)

select * from final
