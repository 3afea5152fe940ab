-- Quarantined vault rows (wide) with the reason.
select
    'agency.vault_matrix' as source_table,
    coalesce(page_key, '') || '#' || cast(page_copy_number as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    page_name as page_name_raw,
    raw_record
from {{ ref('base_agency__vault_matrix') }}
where rejection_reason is not null
