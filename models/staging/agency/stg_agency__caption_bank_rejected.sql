-- Quarantined captions with the reason.
select
    'agency.caption_bank' as source_table,
    coalesce(caption_id, '') || '#' || cast(caption_id_copy_number as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    caption_id,
    raw_record
from {{ ref('base_agency__caption_bank') }}
where rejection_reason is not null
