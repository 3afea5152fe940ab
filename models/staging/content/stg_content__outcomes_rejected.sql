-- Quarantined outcome rows (bad rows and superseded older collections) with the reason.
select
    'content.outcomes' as source_table,
    coalesce(decision_id, '')
    || '#' || coalesce({{ sendwise.key_text('collected_at', 'timestamp') }}, '')
    || '#' || rejection_reason
    || '#' || cast(recency_rank as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    decision_id,
    collected_at,
    raw_record
from {{ ref('base_content__outcomes') }}
where rejection_reason is not null
