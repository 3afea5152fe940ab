-- Quarantined promo posts with the reason.
select
    'content.content_metadata' as source_table,
    coalesce(decision_id, '') || '#' || cast(decision_copy_number as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    decision_id,
    raw_record
from {{ ref('base_content__content_metadata') }}
where rejection_reason is not null
