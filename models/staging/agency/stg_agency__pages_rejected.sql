-- Quarantined page rows with the reason.
select
    'agency.pages' as source_table,
    coalesce(page_key, '') || '#' || cast(page_copy_number as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    page_name_raw,
    raw_record
from {{ ref('base_agency__pages') }}
where rejection_reason is not null
