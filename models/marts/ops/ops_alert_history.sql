{{ config(**sendwise.as_of_history_config('recorded_for_as_of')) }}
-- Every alert open at every build (int_ops_alert_candidates per as_of), kept across builds: ops_alerts
-- reads it to say since when an alert has been open.
with candidates as (
    select * from {{ ref('int_ops_alert_candidates') }}
),

final as (
    select
        cast(
            {{ dbt.hash(dbt.concat(["'" ~ sendwise.as_of_text() ~ "'", "'|'", 'alert_key'])) }}
            as {{ dbt.type_string() }}
        ) as alert_history_key,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as recorded_for_as_of,
        alert_key,
        rule_id,
        severity,
        page_key,
        subject,
        observed,
        threshold,
        detail,
        look_at
    from candidates
)

select * from final
