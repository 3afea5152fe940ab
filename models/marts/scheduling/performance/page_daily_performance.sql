-- One row per page and page-local day with sends or a plan: what was sent and earned that day
-- (every clean send of int_mass_messages_enriched; PPV recipients and purchases for the purchase
-- rate) beside what the plan in force for that day expected (weekly_plan_history). The plan in
-- force for a page-day is the latest generation made at or before as_of that covers it (a later
-- build re-plans the days its week shares with an earlier one; only the latest counts, so summing
-- expected revenue over days never counts a day twice). The base of the semantic model page_days
-- (sends, revenue, revenue per send, purchase rate, expected vs actual revenue).
with sends as (
    select
        page_key,
        local_date,
        is_ppv,
        sent_count,
        purchased_count,
        earnings
    from {{ ref('int_mass_messages_enriched') }}
    where local_date is not null
),

plan_history as (
    select
        page_key,
        plan_date,
        generated_for_as_of,
        expected_revenue
    from {{ ref('weekly_plan_history') }}
    where generated_for_as_of <= {{ sendwise.as_of() }}
),

sent_days as (
    select
        page_key,
        local_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as sends,
        cast(sum(case when is_ppv then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends,
        cast(sum(case when is_ppv then sent_count else 0 end) as {{ dbt.type_bigint() }}) as ppv_recipients,
        cast(sum(case when is_ppv then purchased_count else 0 end) as {{ dbt.type_bigint() }}) as ppv_purchases,
        sum(earnings) as revenue
    from sends
    group by 1, 2
),

plan_generations as (
    select
        page_key,
        plan_date,
        max(generated_for_as_of) as generated_for_as_of
    from plan_history
    group by 1, 2
),

planned_days as (
    select
        plan_history.page_key,
        plan_history.plan_date,
        plan_history.generated_for_as_of,
        cast(count(*) as {{ dbt.type_bigint() }}) as planned_sends,
        sum(plan_history.expected_revenue) as expected_revenue
    from plan_history
    inner join plan_generations
        on
            plan_history.page_key = plan_generations.page_key
            and plan_history.plan_date = plan_generations.plan_date
            and plan_history.generated_for_as_of = plan_generations.generated_for_as_of
    group by 1, 2, 3
),

page_days as (
    select
        page_key,
        local_date
    from sent_days
    union distinct
    select
        page_key,
        plan_date as local_date
    from planned_days
),

final as (
    select
        cast(
            {{ dbt.concat([
                'page_days.page_key', "'|'", sendwise.format_timestamp('page_days.local_date', '%Y-%m-%d')
            ]) }}
            as {{ dbt.type_string() }}
        ) as page_day_key,
        page_days.page_key,
        page_days.local_date,
        coalesce(sent_days.sends, 0) as sends,
        coalesce(sent_days.ppv_sends, 0) as ppv_sends,
        coalesce(sent_days.ppv_recipients, 0) as ppv_recipients,
        coalesce(sent_days.ppv_purchases, 0) as ppv_purchases,
        coalesce(sent_days.revenue, 0) as revenue,
        planned_days.page_key is not null as has_plan,
        planned_days.generated_for_as_of as plan_generated_for_as_of,
        coalesce(planned_days.planned_sends, 0) as planned_sends,
        planned_days.expected_revenue,
        {{ sendwise.as_of() }} as computed_at
    from page_days
    left join sent_days
        on page_days.page_key = sent_days.page_key and page_days.local_date = sent_days.local_date
    left join planned_days
        on page_days.page_key = planned_days.page_key and page_days.local_date = planned_days.plan_date
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
