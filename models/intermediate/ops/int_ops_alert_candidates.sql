-- Every alert condition that holds at this build (docs/operations.md), one row per alert: rule,
-- severity, page (null for agency-wide rules), subject (the source table, QC rule or model), the
-- observed value, the threshold it broke, a sentence, and the mart to look at. Thresholds are
-- settings (alert_*); severities are part of each rule's definition:
--   data_quality_low          critical  active page, data_quality_score < alert_data_quality_min
--   template_tier1_violation  critical  any tier-1 row of weekly_template_qc_violations (per page and QC rule)
--   eros_score_low            warning   active page, eros_score < alert_eros_min
--   eros_score_drop           warning   eros_score fell by more than alert_eros_drop_points since the latest
--                                       build at least alert_eros_drop_min_days before as_of (and at
--                                       most 4 x alert_eros_drop_min_days before it)
--   revenue_model_r2_below_baseline  warning  hold-out R^2 of the GBM < the naive baseline's
--   revenue_model_coverage_drift     warning  |interval coverage - (gbm_quantile_high - gbm_quantile_low)|
--                                       > alert_coverage_tolerance
--   source_stale              critical past the source's error_after, warning past its warn_after
--   raw_table_shrank          critical  raw rows < (1 - alert_raw_shrink_share) x the previous build's
--   execution_rate_low        warning   executed / planned slots < alert_execution_rate_min with at least
--                                       alert_execution_min_slots planned slots (eros_score)
--   quota_short               warning   every generated week of the page in the last alert_quota_short_weeks
--                                       weeks (at least two, spanning that many weeks - 1) holds fewer
--                                       than alert_quota_fill_min x the week's quota
-- A value exactly at a threshold does not alert.
with pages as (
    select
        page_key,
        is_active
    from {{ ref('stg_agency__pages') }}
),

quality as (
    select
        page_key,
        data_quality_score,
        blocking_reason
    from {{ ref('data_quality_by_page') }}
),

qc_tier1 as (
    select
        page_key,
        rule_id,
        detail
    from {{ ref('weekly_template_qc_violations') }}
    where tier = 1
),

eros as (
    select
        page_scores.page_key,
        page_scores.is_active,
        page_scores.eros_score,
        page_scores.execution_rate,
        page_scores.planned_slots,
        page_scores.executed_slots
    -- aliased: the table shares its name with the column eros_score, which BigQuery would read as the row
    from {{ ref('eros_score') }} as page_scores
),

eros_history as (
    select
        recorded_for_as_of,
        page_key,
        eros_score
    from {{ ref('ops_eros_score_history') }}
    -- builds up to 4 x alert_eros_drop_min_days back: the comparison build is the latest one at
    -- least alert_eros_drop_min_days old, and the bound lets BigQuery prune the history's partitions
    where
        recorded_for_as_of <= {{ sendwise.as_of() }}
        and recorded_for_as_of >= {{ sendwise.window_start('alert_eros_drop_min_days', 4) }}
),

model_metrics as (
    select
        predictor,
        r2,
        interval_coverage,
        holdout_sends
    from {{ ref('ml_revenue_model_metrics') }}
    where metric_scope = 'overall'
),

source_health as (
    select
        recorded_for_as_of,
        source_table,
        raw_rows,
        loaded_at_column,
        age_hours,
        warn_after_hours,
        error_after_hours,
        is_stale_warn,
        is_stale_error
    from {{ ref('ops_source_health_history') }}
    where recorded_for_as_of <= {{ sendwise.as_of() }}
),

plan_days as (
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
        {{ sendwise.setting('alert_data_quality_min') }} as data_quality_min,
        {{ sendwise.setting('alert_eros_min') }} as eros_min,
        {{ sendwise.setting('alert_eros_drop_points') }} as eros_drop_points,
        {{ sendwise.setting('alert_eros_drop_min_days') }} as eros_drop_min_days,
        {{ sendwise.setting('alert_coverage_tolerance') }} as coverage_tolerance,
        {{ sendwise.setting('gbm_quantile_high') }} - {{ sendwise.setting('gbm_quantile_low') }} as nominal_coverage,
        {{ sendwise.setting('alert_execution_rate_min') }} as execution_rate_min,
        {{ sendwise.setting('alert_execution_min_slots') }} as execution_min_slots,
        {{ sendwise.setting('alert_raw_shrink_share') }} as raw_shrink_share,
        {{ sendwise.setting('alert_quota_fill_min') }} as quota_fill_min,
        {{ sendwise.setting('alert_quota_short_weeks') }} as quota_short_weeks
),

data_quality_alerts as (
    select
        'data_quality_low' as rule_id,
        'critical' as severity,
        quality.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        quality.data_quality_score as observed,
        parameters.data_quality_min as threshold,
        {{ dbt.concat([
            "'data-quality score '", sendwise.format_number('quality.data_quality_score', 1),
            "' is below '", sendwise.format_number('parameters.data_quality_min', 0),
            "case when quality.blocking_reason is null then '' else concat(': ', quality.blocking_reason) end"
        ]) }} as detail,
        'data_quality_by_page' as look_at
    from quality
    inner join pages on quality.page_key = pages.page_key
    cross join parameters
    where pages.is_active and quality.data_quality_score < parameters.data_quality_min
),

tier1_counts as (
    select
        page_key,
        rule_id as qc_rule_id,
        count(*) as violations,
        min(detail) as first_detail
    from qc_tier1
    group by 1, 2
),

tier1_alerts as (
    select
        'template_tier1_violation' as rule_id,
        'critical' as severity,
        page_key,
        qc_rule_id as subject,
        cast(violations as {{ dbt.type_float() }}) as observed,
        cast(0 as {{ dbt.type_float() }}) as threshold,
        {{ dbt.concat([
            'cast(violations as ' ~ dbt.type_string() ~ ')', "' tier-1 '", 'qc_rule_id',
            "' row(s) in the template QC (the schedule must not be sent as is), e.g. '", 'first_detail'
        ]) }} as detail,
        'weekly_template_qc_violations' as look_at
    from tier1_counts
),

eros_low_alerts as (
    select
        'eros_score_low' as rule_id,
        'warning' as severity,
        eros.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        eros.eros_score as observed,
        parameters.eros_min as threshold,
        {{ dbt.concat([
            "'EROS score '", sendwise.format_number('eros.eros_score', 1), "' is below '",
            sendwise.format_number('parameters.eros_min', 0)
        ]) }} as detail,
        'eros_score' as look_at
    from eros
    cross join parameters
    where eros.is_active and eros.eros_score < parameters.eros_min
),

earlier_scores as (
    -- the latest build at least eros_drop_min_days before as_of
    select
        eros_history.page_key,
        eros_history.recorded_for_as_of,
        eros_history.eros_score,
        row_number() over (
            partition by eros_history.page_key order by eros_history.recorded_for_as_of desc
        ) as recency
    from eros_history
    cross join parameters
    where
        {{ sendwise.epoch_seconds('eros_history.recorded_for_as_of') }}
        <= {{ sendwise.epoch_seconds(sendwise.as_of()) }} - parameters.eros_drop_min_days * 86400
        and eros_history.eros_score is not null
),

eros_drop_alerts as (
    select
        'eros_score_drop' as rule_id,
        'warning' as severity,
        eros.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        round(earlier_scores.eros_score - eros.eros_score, 2) as observed,
        parameters.eros_drop_points as threshold,
        {{ dbt.concat([
            "'EROS score '", sendwise.format_number('eros.eros_score', 1), "' is down '",
            sendwise.format_number('earlier_scores.eros_score - eros.eros_score', 1), "' points from '",
            sendwise.format_number('earlier_scores.eros_score', 1), "' at the build of '",
            'cast(cast(earlier_scores.recorded_for_as_of as date) as ' ~ dbt.type_string() ~ ')'
        ]) }} as detail,
        'eros_score' as look_at
    from eros
    inner join earlier_scores
        on
            eros.page_key = earlier_scores.page_key
            and earlier_scores.recency = 1
    cross join parameters
    where
        eros.is_active
        and round(earlier_scores.eros_score - eros.eros_score, 2) > parameters.eros_drop_points
),

model_pairs as (
    select
        max(case when predictor = 'gbm' then r2 end) as gbm_r2,
        max(case when predictor = 'naive_page_hour_mean' then r2 end) as baseline_r2,
        max(case when predictor = 'gbm' then interval_coverage end) as coverage,
        max(case when predictor = 'gbm' then holdout_sends end) as holdout_sends
    from model_metrics
),

model_alerts as (
    select
        'revenue_model_r2_below_baseline' as rule_id,
        'warning' as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        'ml_revenue_model' as subject,
        model_pairs.gbm_r2 as observed,
        model_pairs.baseline_r2 as threshold,
        {{ dbt.concat([
            "'hold-out R2 of the revenue model '", sendwise.format_number('model_pairs.gbm_r2', 3),
            "' is below that of the naive page x hour baseline, '", sendwise.format_number('model_pairs.baseline_r2', 3),
            "' ('", 'cast(model_pairs.holdout_sends as ' ~ dbt.type_string() ~ ')', "' hold-out sends)'"
        ]) }} as detail,
        'ml_revenue_model_metrics' as look_at
    from model_pairs
    where model_pairs.gbm_r2 < model_pairs.baseline_r2
    union all
    select
        'revenue_model_coverage_drift' as rule_id,
        'warning' as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        'ml_revenue_model' as subject,
        model_pairs.coverage as observed,
        parameters.nominal_coverage as threshold,
        {{ dbt.concat([
            "'hold-out interval coverage of the revenue model '", sendwise.format_number('model_pairs.coverage', 3),
            "' is more than '", sendwise.format_number('parameters.coverage_tolerance', 2),
            "' off its nominal '", sendwise.format_number('parameters.nominal_coverage', 2)
        ]) }} as detail,
        'ml_revenue_model_metrics' as look_at
    from model_pairs
    cross join parameters
    where round(abs(model_pairs.coverage - parameters.nominal_coverage), 6) > parameters.coverage_tolerance
),

current_sources as (
    select * from source_health
    where recorded_for_as_of = {{ sendwise.as_of() }}
),

stale_alerts as (
    select
        'source_stale' as rule_id,
        case when is_stale_error then 'critical' else 'warning' end as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        source_table as subject,
        age_hours as observed,
        case when is_stale_error then error_after_hours else warn_after_hours end as threshold,
        {{ dbt.concat([
            'source_table',
            "case when age_hours is null then ': no loaded row at or before as_of' else "
            ~ dbt.concat([
                "': newest '", 'loaded_at_column', "' is '", sendwise.format_number('age_hours', 1),
                "' h old at as_of'"
            ]) ~ " end",
            "case when is_stale_error then ' (error after ' else ' (warn after ' end",
            sendwise.format_number('case when is_stale_error then error_after_hours else warn_after_hours end', 0),
            "' h)'"
        ]) }} as detail,
        'ops_source_health_history' as look_at
    from current_sources
    where is_stale_warn or is_stale_error
),

previous_sources as (
    select
        source_table,
        raw_rows,
        recorded_for_as_of,
        row_number() over (partition by source_table order by recorded_for_as_of desc) as recency
    from source_health
    where recorded_for_as_of < {{ sendwise.as_of() }}
),

shrink_alerts as (
    select
        'raw_table_shrank' as rule_id,
        'critical' as severity,
        cast(null as {{ dbt.type_string() }}) as page_key,
        current_sources.source_table as subject,
        cast(current_sources.raw_rows as {{ dbt.type_float() }}) as observed,
        cast(previous_sources.raw_rows as {{ dbt.type_float() }}) as threshold,
        {{ dbt.concat([
            'current_sources.source_table', "' holds '", 'cast(current_sources.raw_rows as ' ~ dbt.type_string() ~ ')',
            "' raw rows, '", 'cast(previous_sources.raw_rows as ' ~ dbt.type_string() ~ ')',
            "' at the build of '",
            'cast(cast(previous_sources.recorded_for_as_of as date) as ' ~ dbt.type_string() ~ ')',
            "' (rows were deleted or a load replaced the table with less)'"
        ]) }} as detail,
        'quarantine_reconciliation' as look_at
    from current_sources
    inner join previous_sources
        on
            current_sources.source_table = previous_sources.source_table
            and previous_sources.recency = 1
    cross join parameters
    where current_sources.raw_rows < previous_sources.raw_rows * (1 - parameters.raw_shrink_share)
),

execution_alerts as (
    select
        'execution_rate_low' as rule_id,
        'warning' as severity,
        eros.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        eros.execution_rate as observed,
        parameters.execution_rate_min as threshold,
        {{ dbt.concat([
            "'only '", 'cast(eros.executed_slots as ' ~ dbt.type_string() ~ ')', "' of '",
            'cast(eros.planned_slots as ' ~ dbt.type_string() ~ ')',
            "' planned slots were sent as planned ('", sendwise.format_number('100 * eros.execution_rate', 0),
            "' %, below '", sendwise.format_number('100 * parameters.execution_rate_min', 0), "' %)'"
        ]) }} as detail,
        'eros_score' as look_at
    from eros
    cross join parameters
    where
        eros.is_active
        and eros.planned_slots >= parameters.execution_min_slots
        and eros.execution_rate < parameters.execution_rate_min
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

quota_alerts as (
    select
        'quota_short' as rule_id,
        'warning' as severity,
        generation_summary.page_key,
        cast(null as {{ dbt.type_string() }}) as subject,
        round(generation_summary.worst_fill, 4) as observed,
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
),

alerts as (
    select * from data_quality_alerts
    union all
    select * from tier1_alerts
    union all
    select * from eros_low_alerts
    union all
    select * from eros_drop_alerts
    union all
    select * from model_alerts
    union all
    select * from stale_alerts
    union all
    select * from shrink_alerts
    union all
    select * from execution_alerts
    union all
    select * from quota_alerts
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            'rule_id', "'|'", "coalesce(page_key, '')", "'|'", "coalesce(subject, '')"
        ])) }} as {{ dbt.type_string() }}) as alert_key,
        cast(rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(page_key as {{ dbt.type_string() }}) as page_key,
        cast(subject as {{ dbt.type_string() }}) as subject,
        cast(observed as {{ dbt.type_float() }}) as observed,
        cast(threshold as {{ dbt.type_float() }}) as threshold,
        cast(detail as {{ dbt.type_string() }}) as detail,
        cast(look_at as {{ dbt.type_string() }}) as look_at
    from alerts
)

select * from final
