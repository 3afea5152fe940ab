{{ config(**sendwise.as_of_history_config('generated_for_as_of')) }}
-- Every generated week's page-days (as weekly_plan_history keeps the sends): the day's quota, the
-- sends the spacing solver fitted (weekly_template_days) and the sends the template holds
-- (weekly_template_7d), so the alerts can see a page short of its quota week after week.
with days as (
    select
        page_key,
        plan_date,
        daily_quota,
        planned_sends,
        is_schedulable
    from {{ ref('weekly_template_days') }}
),

template_sends as (
    select
        page_key,
        plan_date,
        count(*) as template_sends
    from {{ ref('weekly_template_7d') }}
    group by 1, 2
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            "'" ~ sendwise.as_of_text() ~ "'", "'|'", 'days.page_key', "'|'",
            'cast(days.plan_date as ' ~ dbt.type_string() ~ ')'
        ])) }} as {{ dbt.type_string() }}) as plan_day_key,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as generated_for_as_of,
        days.page_key,
        days.plan_date,
        cast(days.daily_quota as {{ dbt.type_bigint() }}) as daily_quota,
        cast(days.planned_sends as {{ dbt.type_bigint() }}) as fitted_sends,
        cast(coalesce(template_sends.template_sends, 0) as {{ dbt.type_bigint() }}) as template_sends,
        days.is_schedulable
    from days
    left join template_sends
        on
            days.page_key = template_sends.page_key
            and days.plan_date = template_sends.plan_date
)

select * from final
