{{ config(**sendwise.as_of_history_config('recorded_for_as_of')) }}
-- One row per raw source per build (as_of): its raw row count (quarantine_reconciliation) and its
-- freshness (int_source_freshness). Kept across builds (a build replaces its own as_of's rows) so the
-- alerts can see a raw table shrink between two builds; its as_of values are also the list of builds.
with freshness as (
    select * from {{ ref('int_source_freshness') }}
),

reconciliation as (
    select
        source_table,
        raw_rows
    from {{ ref('quarantine_reconciliation') }}
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            "'" ~ sendwise.as_of_text() ~ "'", "'|'", 'freshness.source_table'
        ])) }} as {{ dbt.type_string() }}) as source_health_key,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as recorded_for_as_of,
        cast(freshness.source_table as {{ dbt.type_string() }}) as source_table,
        cast(reconciliation.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        freshness.loaded_at_column,
        freshness.max_loaded_at,
        freshness.age_hours,
        freshness.warn_after_hours,
        freshness.error_after_hours,
        freshness.is_stale_warn,
        freshness.is_stale_error
    from freshness
    left join reconciliation on freshness.source_table = reconciliation.source_table
)

select * from final
