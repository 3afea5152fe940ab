{{ config(**sendwise.as_of_history_config('recorded_for_as_of')) }}
-- The EROS score of every page per build (as_of), kept across builds so the alerts can compare a
-- page's score with its score a week earlier.
with scores as (
    select
        page_scores.page_key,
        page_scores.eros_score,
        page_scores.eros_label,
        page_scores.execution_rate,
        page_scores.planned_slots
    -- aliased: the table shares its name with the column eros_score, which BigQuery would read as the row
    from {{ ref('eros_score') }} as page_scores
),

final as (
    select
        cast(
            {{ dbt.hash(dbt.concat(["'" ~ sendwise.as_of_text() ~ "'", "'|'", 'page_key'])) }}
            as {{ dbt.type_string() }}
        ) as eros_history_key,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as recorded_for_as_of,
        page_key,
        eros_score,
        eros_label,
        execution_rate,
        planned_slots
    from scores
)

select * from final
