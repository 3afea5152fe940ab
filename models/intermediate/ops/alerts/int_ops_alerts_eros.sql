-- The EROS alerts (warnings; docs/operations.md), read from the eros_score mart:
--   eros_score_low      active page, eros_score < alert_eros_min
--   eros_score_drop     active page whose eros_score fell by more than alert_eros_drop_points since the
--                       latest build at least alert_eros_drop_min_days before as_of (and at most
--                       4 x alert_eros_drop_min_days before it; ops_eros_score_history)
--   execution_rate_low  active page, executed / planned slots < alert_execution_rate_min with at least
--                       alert_execution_min_slots planned slots
-- A value exactly at a threshold does not alert.
with eros as (
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

parameters as (
    select
        {{ sendwise.setting('alert_eros_min') }} as eros_min,
        {{ sendwise.setting('alert_eros_drop_points') }} as eros_drop_points,
        {{ sendwise.setting('alert_eros_drop_min_days') }} as eros_drop_min_days,
        {{ sendwise.setting('alert_execution_rate_min') }} as execution_rate_min,
        {{ sendwise.setting('alert_execution_min_slots') }} as execution_min_slots
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
        {{ sendwise.round_float('earlier_scores.eros_score - eros.eros_score', 2) }} as observed,
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
        and {{ sendwise.round_float('earlier_scores.eros_score - eros.eros_score', 2) }} > parameters.eros_drop_points
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

final as (
    select * from eros_low_alerts
    union all
    select * from eros_drop_alerts
    union all
    select * from execution_alerts
)

select * from final
