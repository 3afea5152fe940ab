-- QC rules on the number of sends of a page-day (docs/template_qc.md):
--   over_quota          more sends than int_template_daily_quota.daily_quota; the quota counts as 0
--                       without a quota row (inactive page, date outside the week) or below the
--                       data-quality bar
--   quota_shortfall     a schedulable page-day holds fewer sends than its quota (the reason is the day
--                       table's, or the caption step's when the template holds fewer than it fitted)
--   weekend_saturation  a Saturday or Sunday plans more than weekend_saturation_ratio x the page's mean
--                       sends per weekday of the template week (weekdays without sends count as 0)
{%- set weekend_limit = sendwise.round_float(
    'parameters.weekend_saturation_ratio * coalesce(weekday_means.weekday_mean, 0)', 6
) %}

with sends as (
    select
        page_key,
        plan_date
    from {{ ref('int_template_qc_sends') }}
),

template_days as (
    select
        page_key,
        plan_date,
        daily_quota,
        planned_sends,
        shortfall_reason
    from {{ ref('weekly_template_days') }}
),

quotas as (
    select
        page_key,
        plan_date,
        daily_quota
    from {{ ref('int_template_daily_quota') }}
),

quality as (
    select
        page_key,
        is_schedulable
    from {{ ref('data_quality_by_page') }}
),

parameters as (
    select {{ sendwise.setting('weekend_saturation_ratio') }} as weekend_saturation_ratio
),

sends_per_day as (
    select
        page_key,
        plan_date,
        count(*) as planned
    from sends
    group by 1, 2
),

quota_violations as (
    select
        'over_quota' as rule_id,
        sends_per_day.page_key,
        sends_per_day.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(sends_per_day.planned as {{ dbt.type_float() }}) as observed,
        cast(
            case when coalesce(quality.is_schedulable, false) then coalesce(quotas.daily_quota, 0) else 0 end
            as {{ dbt.type_float() }}
        ) as limit_value,
        case
            when quotas.page_key is null
                then 'sends on a page-day without a quota (inactive page or date outside the week)'
            when not coalesce(quality.is_schedulable, false) then 'sends on a page below the data-quality bar'
            else {{ dbt.concat([
                'cast(sends_per_day.planned as ' ~ dbt.type_string() ~ ')', "' sends for a quota of '",
                'cast(quotas.daily_quota as ' ~ dbt.type_string() ~ ')'
            ]) }}
        end as detail
    from sends_per_day
    left join quotas
        on
            sends_per_day.page_key = quotas.page_key
            and sends_per_day.plan_date = quotas.plan_date
    left join quality on sends_per_day.page_key = quality.page_key
    where
        sends_per_day.planned
        > case when coalesce(quality.is_schedulable, false) then coalesce(quotas.daily_quota, 0) else 0 end
),

shortfall_violations as (
    -- schedulable pages only (the others get one no_template row)
    select
        'quota_shortfall' as rule_id,
        template_days.page_key,
        template_days.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(coalesce(sends_per_day.planned, 0) as {{ dbt.type_float() }}) as observed,
        cast(template_days.daily_quota as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat([
            'cast(template_days.daily_quota - coalesce(sends_per_day.planned, 0) as ' ~ dbt.type_string() ~ ')',
            "case when template_days.daily_quota - coalesce(sends_per_day.planned, 0) = 1 "
            ~ "then ' send short: ' else ' sends short: ' end",
            "case when coalesce(sends_per_day.planned, 0) < template_days.planned_sends "
            ~ "then 'no rule-abiding caption for every fitted slot' "
            ~ "else coalesce(template_days.shortfall_reason, 'no reason recorded in weekly_template_days') end"
        ]) }} as detail
    from template_days
    inner join quality on template_days.page_key = quality.page_key
    left join sends_per_day
        on
            template_days.page_key = sends_per_day.page_key
            and template_days.plan_date = sends_per_day.plan_date
    where
        quality.is_schedulable
        and coalesce(sends_per_day.planned, 0) < template_days.daily_quota
),

day_counts as (
    select
        page_key,
        plan_date,
        {{ sendwise.iso_day_of_week('plan_date') }} >= 6 as is_weekend,
        planned
    from sends_per_day
),

weekday_means as (
    -- the page's average sends per planned weekday (days without sends count as 0 via the quota days)
    select
        quotas.page_key,
        avg(coalesce(day_counts.planned, 0)) as weekday_mean
    from quotas
    left join day_counts
        on
            quotas.page_key = day_counts.page_key
            and quotas.plan_date = day_counts.plan_date
    where {{ sendwise.iso_day_of_week('quotas.plan_date') }} < 6
    group by 1
),

weekend_violations as (
    select
        'weekend_saturation' as rule_id,
        day_counts.page_key,
        day_counts.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(day_counts.planned as {{ dbt.type_float() }}) as observed,
        {{ weekend_limit }} as limit_value,
        {{ dbt.concat([
            'cast(day_counts.planned as ' ~ dbt.type_string() ~ ')', "' weekend sends vs a weekday mean of '",
            sendwise.format_number('coalesce(weekday_means.weekday_mean, 0)', 2)
        ]) }} as detail
    from day_counts
    left join weekday_means on day_counts.page_key = weekday_means.page_key
    cross join parameters
    where
        day_counts.is_weekend
        and day_counts.planned
        > {{ weekend_limit }}
),

final as (
    select * from quota_violations
    union all
    select * from shortfall_violations
    union all
    select * from weekend_violations
)

select * from final
