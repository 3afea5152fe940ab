-- The facts of every active page's strategic report (docs/operations.md), one row per page, each a
-- number or a sentence already worded from the data: tier and health (creator_performance, eros_score),
-- what the learning changed at this build (learning_changelog, personalization_weights_changelog:
-- their reasons), the week's bets (captions the page has never sent, price experiment steps), and the
-- risks (saturation, quota shortfall, holidays, open alerts of the page and agency-wide source alerts).
-- page_strategy_reports renders them into a report (a fixed template, or an LLM when asked). Lists are
-- joined with ' || ' in a stable order; floats are rounded so the facts (and their hash, the LLM cache
-- key) are identical between rebuilds.
with pages as (
    select
        page_key,
        page_name
    from {{ ref('stg_agency__pages') }}
    where is_active
),

performance as (
    select
        page_key,
        creator_tier,
        decayed_avg_daily_revenue,
        health_status,
        health_change_pct,
        saturation_status,
        saturation_unjudged_reason,
        volume_elasticity,
        prime_hours,
        price_mode,
        optimal_price_min,
        optimal_price_max,
        data_quality_score,
        is_schedulable
    from {{ ref('creator_performance') }}
),

eros as (
    select
        page_scores.page_key,
        page_scores.eros_score,
        page_scores.eros_label,
        page_scores.score_basis
    -- aliased: the table shares its name with the column eros_score, which BigQuery would read as the row
    from {{ ref('eros_score') }} as page_scores
),

knob_changes as (
    select
        page_key,
        knob,
        reason
    from {{ ref('learning_changelog') }}
    where computed_at = {{ sendwise.as_of() }}
),

weight_changes as (
    select
        page_key,
        weight_name,
        reason
    from {{ ref('personalization_weights_changelog') }}
    where computed_at = {{ sendwise.as_of() }}
),

template as (
    select
        page_key,
        plan_date,
        caption_hash,
        expected_revenue,
        experiment_arm
    from {{ ref('weekly_template_7d') }}
),

caption_history as (
    select
        page_key,
        caption_hash
    from {{ ref('int_ranking_caption_page_stats') }}
),

days as (
    select
        page_key,
        plan_date,
        daily_quota,
        shortfall_reason
    from {{ ref('weekly_template_days') }}
),

quotas as (
    select
        page_key,
        plan_date,
        holiday_name,
        daily_quota,
        quota_without_calendar
    from {{ ref('int_template_daily_quota') }}
    where is_holiday
),

alerts as (
    select
        page_key,
        rule_id,
        severity,
        detail
    from {{ ref('ops_alerts') }}
),

learning as (
    select
        page_key,
        {{ dbt.listagg('reason', "' || '", 'order by knob') }} as knob_changes
    from knob_changes
    group by 1
),

weights as (
    select
        page_key,
        {{ dbt.listagg('reason', "' || '", 'order by weight_name') }} as weight_changes
    from weight_changes
    group by 1
),

sends as (
    select
        template.page_key,
        count(*) as planned_sends,
        count(distinct template.plan_date) as planned_days,
        -- an exact sum rounded to the cent on the decimal: a float sum adds in another order each
        -- build, and the report prints it ($1,723.23 in one x10 build, $1,723.22 in another)
        {{ sendwise.exact_sum('template.expected_revenue', 2) }} as expected_revenue_week,
        sum(case when caption_history.caption_hash is null then 1 else 0 end) as new_captions,
        sum(case when template.experiment_arm = 'price_up' then 1 else 0 end) as price_steps_up,
        sum(case when template.experiment_arm = 'price_down' then 1 else 0 end) as price_steps_down,
        sum(case when template.experiment_arm = 'control' then 1 else 0 end) as experiment_controls
    from template
    left join caption_history
        on
            template.page_key = caption_history.page_key
            and template.caption_hash = caption_history.caption_hash
    group by 1
),

day_sends as (
    select
        page_key,
        plan_date,
        count(*) as sends
    from template
    group by 1, 2
),

shortfalls as (
    select
        days.page_key,
        sum(days.daily_quota) as week_quota,
        sum(case when coalesce(day_sends.sends, 0) < days.daily_quota then 1 else 0 end) as short_days,
        min(days.shortfall_reason) as shortfall_reason
    from days
    left join day_sends
        on
            days.page_key = day_sends.page_key
            and days.plan_date = day_sends.plan_date
    group by 1
),

holidays as (
    select
        page_key,
        {{ dbt.listagg(
            dbt.concat([
                'cast(plan_date as ' ~ dbt.type_string() ~ ')', "' '", 'holiday_name', "' (quota '",
                'cast(quota_without_calendar as ' ~ dbt.type_string() ~ ')', "' -> '",
                'cast(daily_quota as ' ~ dbt.type_string() ~ ')', "')'"
            ]),
            "' || '", 'order by plan_date'
        ) }} as holidays
    from quotas
    group by 1
),

page_alerts as (
    select
        page_key,
        {{ dbt.listagg(dbt.concat(['severity', "': '", 'detail']), "' || '", 'order by severity, rule_id, detail') }}
            as page_alerts
    from alerts
    where page_key is not null
    group by 1
),

agency_alerts as (
    select
        {{ dbt.listagg(dbt.concat(['severity', "': '", 'detail']), "' || '", 'order by severity, rule_id, detail') }}
            as agency_alerts
    from alerts
    where page_key is null
),

final as (
    select
        pages.page_key,
        coalesce(pages.page_name, pages.page_key) as page_name,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as generated_for_as_of,
        performance.creator_tier,
        {{ sendwise.round_float('performance.decayed_avg_daily_revenue', 2) }} as decayed_avg_daily_revenue,
        performance.health_status,
        {{ sendwise.round_float('performance.health_change_pct', 1) }} as health_change_pct,
        performance.saturation_status,
        performance.saturation_unjudged_reason,
        {{ sendwise.round_float('performance.volume_elasticity', 2) }} as volume_elasticity,
        performance.prime_hours,
        performance.price_mode,
        {{ sendwise.round_float('performance.optimal_price_min', 2) }} as optimal_price_min,
        {{ sendwise.round_float('performance.optimal_price_max', 2) }} as optimal_price_max,
        {{ sendwise.round_float('performance.data_quality_score', 1) }} as data_quality_score,
        coalesce(performance.is_schedulable, false) as is_schedulable,
        eros.eros_score,  -- already two decimals (eros_score); rounding it again would meet halves
        eros.eros_label,
        eros.score_basis,
        learning.knob_changes,
        weights.weight_changes,
        cast(coalesce(sends.planned_sends, 0) as {{ dbt.type_bigint() }}) as planned_sends,
        cast(coalesce(sends.planned_days, 0) as {{ dbt.type_bigint() }}) as planned_days,
        coalesce(sends.expected_revenue_week, 0) as expected_revenue_week,
        cast(coalesce(sends.new_captions, 0) as {{ dbt.type_bigint() }}) as new_captions,
        cast(coalesce(sends.price_steps_up, 0) as {{ dbt.type_bigint() }}) as price_steps_up,
        cast(coalesce(sends.price_steps_down, 0) as {{ dbt.type_bigint() }}) as price_steps_down,
        cast(coalesce(sends.experiment_controls, 0) as {{ dbt.type_bigint() }}) as experiment_controls,
        cast(coalesce(shortfalls.week_quota, 0) as {{ dbt.type_bigint() }}) as week_quota,
        cast(coalesce(shortfalls.short_days, 0) as {{ dbt.type_bigint() }}) as short_days,
        shortfalls.shortfall_reason,
        holidays.holidays,
        page_alerts.page_alerts,
        agency_alerts.agency_alerts
    from pages
    left join performance on pages.page_key = performance.page_key
    left join eros on pages.page_key = eros.page_key
    left join learning on pages.page_key = learning.page_key
    left join weights on pages.page_key = weights.page_key
    left join sends on pages.page_key = sends.page_key
    left join shortfalls on pages.page_key = shortfalls.page_key
    left join holidays on pages.page_key = holidays.page_key
    left join page_alerts on pages.page_key = page_alerts.page_key
    cross join agency_alerts
)

select * from final
