-- One row per planned page-day of every active page (docs/template.md): the day's quota, the sends the spacing
-- solver fitted (int_template_send_slots) and why any are missing. Time fitting only: the caption
-- step may plan fewer when no rule-abiding caption exists and says so in weekly_template_7d.
-- shortfall_reason: a page under the data-quality bar plans nothing ('data quality below the bar: ...');
-- otherwise the only way the solver falls short is a window too small for the minimum gap:
-- fit_sends = floor((active_window_hours - 1) / min_gap_hours) + 1 sends fit in the window.
with quotas as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        daily_quota,
        active_window_hours
    from {{ ref('int_template_daily_quota') }}
),

data_quality as (
    select
        page_key,
        is_schedulable,
        blocking_reason
    from {{ ref('data_quality_by_page') }}
),

send_slots as (
    select
        page_key,
        plan_date,
        is_prime_hour,
        is_in_pool,
        send_local_at
    from {{ ref('int_template_send_slots') }}
),

parameters as (
    select {{ sendwise.setting('min_gap_hours') }} as min_gap_hours
),

slots_by_day as (
    select
        page_key,
        plan_date,
        count(*) as planned_sends,
        sum(case when is_prime_hour then 1 else 0 end) as planned_prime_sends,
        sum(case when is_in_pool then 0 else 1 end) as planned_sends_outside_pool,
        min(send_local_at) as first_send_local_at,
        max(send_local_at) as last_send_local_at
    from send_slots
    group by 1, 2
),

days as (
    select
        quotas.page_key,
        quotas.plan_date,
        quotas.day_index,
        quotas.iso_dow,
        quotas.daily_quota,
        quotas.active_window_hours,
        cast(floor((quotas.active_window_hours - 1) / parameters.min_gap_hours) + 1 as {{ dbt.type_bigint() }})
            as fit_sends,
        parameters.min_gap_hours,
        coalesce(data_quality.is_schedulable, false) as is_schedulable,
        coalesce(data_quality.blocking_reason, 'no data-quality row for the page') as blocking_reason,
        coalesce(slots_by_day.planned_sends, 0) as planned_sends,
        coalesce(slots_by_day.planned_prime_sends, 0) as planned_prime_sends,
        coalesce(slots_by_day.planned_sends_outside_pool, 0) as planned_sends_outside_pool,
        slots_by_day.first_send_local_at,
        slots_by_day.last_send_local_at
    from quotas
    cross join parameters
    left join data_quality on quotas.page_key = data_quality.page_key
    left join slots_by_day
        on
            quotas.page_key = slots_by_day.page_key
            and quotas.plan_date = slots_by_day.plan_date
),

final as (
    select
        page_key,
        plan_date,
        cast(day_index as {{ dbt.type_bigint() }}) as day_index,
        cast(iso_dow as {{ dbt.type_bigint() }}) as iso_dow,
        cast(daily_quota as {{ dbt.type_bigint() }}) as daily_quota,
        cast(active_window_hours as {{ dbt.type_bigint() }}) as active_window_hours,
        fit_sends,
        cast(planned_sends as {{ dbt.type_bigint() }}) as planned_sends,
        cast(daily_quota - planned_sends as {{ dbt.type_bigint() }}) as shortfall,
        case
            when not is_schedulable then concat('data quality below the bar: ', blocking_reason)
            when planned_sends >= daily_quota then cast(null as {{ dbt.type_string() }})
            when planned_sends = fit_sends
                then concat(
                        'active window fits only ', cast(fit_sends as {{ dbt.type_string() }}), ' sends with a ',
                        cast(cast(min_gap_hours as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}),
                        ' h minimum gap'
                    )
            else 'the spacing solver found no schedule for the quota'
        end as shortfall_reason,
        is_schedulable,
        cast(planned_prime_sends as {{ dbt.type_bigint() }}) as planned_prime_sends,
        cast(planned_sends_outside_pool as {{ dbt.type_bigint() }}) as planned_sends_outside_pool,
        first_send_local_at,
        last_send_local_at
    from days
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
