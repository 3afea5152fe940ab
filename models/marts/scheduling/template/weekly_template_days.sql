-- PLACEHOLDER (qc helper): a cheap stand-in for the slots helper's weekly_template_days with
-- exactly the contract's columns: every (active page, plan date) of int_template_daily_quota, the
-- sends the placeholder weekly_template_7d planned, the shortfall and its reason. The lead deletes
-- this file (and _weekly_template_days_placeholder.yml) when the real model lands.
with quotas as (
    select
        page_key,
        plan_date,
        day_index,
        daily_quota
    from {{ ref('int_template_daily_quota') }}
),

quality as (
    select
        page_key,
        is_schedulable,
        blocking_reason
    from {{ ref('data_quality_by_page') }}
),

planned as (
    select
        page_key,
        plan_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as planned_sends
    from {{ ref('weekly_template_7d') }}
    group by 1, 2
),

final as (
    select
        quotas.page_key,
        quotas.plan_date,
        quotas.day_index,
        quotas.daily_quota,
        coalesce(planned.planned_sends, 0) as planned_sends,
        quotas.daily_quota - coalesce(planned.planned_sends, 0) as shortfall,
        case
            when not coalesce(quality.is_schedulable, false)
                then {{ dbt.concat([
                    "'data quality below the bar: '", "coalesce(quality.blocking_reason, 'no score')"
                ]) }}
            when quotas.daily_quota > coalesce(planned.planned_sends, 0)
                then 'placeholder: the active window fits fewer sends with the minimum gap'
        end as shortfall_reason
    from quotas
    left join quality on quotas.page_key = quality.page_key
    left join planned
        on
            quotas.page_key = planned.page_key
            and quotas.plan_date = planned.plan_date
)

select * from final
