-- Quarantined sends with the reason; raw_record keeps the row as it arrived.
select
    'agency.mass_messages' as source_table,
    coalesce(send_id, '') || '#' || cast(row_id_copy_number as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    send_id as row_id,
    page_name_raw,
    sent_at as sending_time,
    raw_record
from {{ ref('base_agency__mass_messages') }}
where rejection_reason is not null
