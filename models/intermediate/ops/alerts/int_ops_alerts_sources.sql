-- The raw sources' alerts (agency-wide; docs/operations.md), from ops_source_health_history:
--   source_stale      the source's newest loaded row at as_of is past its freshness limit: critical past
--                     error_after, warning past warn_after (the threshold is the limit it broke)
--   raw_table_shrank  critical: raw rows < (1 - alert_raw_shrink_share) x those of the previous build
with source_health as (
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

parameters as (
    select {{ sendwise.setting('alert_raw_shrink_share') }} as raw_shrink_share
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

final as (
    select * from stale_alerts
    union all
    select * from shrink_alerts
)

select * from final
