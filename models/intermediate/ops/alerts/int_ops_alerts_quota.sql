-- Alert quota_short (warning; docs/operations.md): every generated week of the page in the last
-- alert_quota_short_weeks weeks (at least two generations, spanning that many weeks - 1) holds fewer
-- than alert_quota_fill_min x the week's quota (ops_plan_days_history, schedulable days); observed is
-- the worst fill share, rounded to 4 decimals. A fill exactly at the threshold is not short.
with plan_days as (
    select
        generated_for_as_of,
        page_key,
        daily_quota,
        template_sends
    from {{ ref('ops_plan_days_history') }}
    where generated_for_as_of <= {{ sendwise.as_of() }} and is_schedulable
),

parameters as (
    select
        {{ sendwise.setting('alert_quota_fill_min') }} as quota_fill_min,
        {{ sendwise.setting('alert_quota_short_weeks') }} as quota_short_weeks
),

generations as (
    select
        plan_days.page_key,
        plan_days.generated_for_as_of,
        sum(plan_days.daily_quota) as week_quota,
        sum(plan_days.template_sends) as week_sends
    from plan_days
    cross join parameters
    where
        {{ sendwise.epoch_seconds('plan_days.generated_for_as_of') }}
        > {{ sendwise.epoch_seconds(sendwise.as_of()) }} - parameters.quota_short_weeks * 7 * 86400
    group by 1, 2
),

generation_summary as (
    select
        generations.page_key,
        count(*) as generations,
        sum(
            case when generations.week_sends < parameters.quota_fill_min * generations.week_quota then 1 else 0 end
        ) as short_generations,
        min(generations.generated_for_as_of) as first_generation,
        max(generations.generated_for_as_of) as last_generation,
        min(generations.week_sends) as min_week_sends,
        max(generations.week_quota) as max_week_quota,
        min({{ sendwise.safe_divide('generations.week_sends', 'generations.week_quota') }}) as worst_fill
    from generations
    cross join parameters
    where generations.week_quota > 0
    group by 1
),

final as (
    select
        'quota_short' as rule_id,
        'warning' as severity,
        generation_summary.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        {{ sendwise.round_float('generation_summary.worst_fill', 4) }} as observed,
        parameters.quota_fill_min as threshold,
        {{ dbt.concat([
            "'the template held less than '", sendwise.format_number('100 * parameters.quota_fill_min', 0),
            "' % of the quota of the week in each of the last '",
            'cast(generation_summary.generations as ' ~ dbt.type_string() ~ ')',
            "' weekly plans (worst '", sendwise.format_number('100 * generation_summary.worst_fill', 0),
            "' %): see weekly_template_days.shortfall_reason'"
        ]) }} as detail,
        'weekly_template_days' as look_at
    from generation_summary
    cross join parameters
    where
        generation_summary.generations >= 2
        and generation_summary.short_generations = generation_summary.generations
        and {{ sendwise.epoch_seconds('generation_summary.last_generation') }}
        - {{ sendwise.epoch_seconds('generation_summary.first_generation') }}
        >= (parameters.quota_short_weeks - 1) * 7 * 86400
)

select * from final
