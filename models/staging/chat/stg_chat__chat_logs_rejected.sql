-- Quarantined chat rows with the reason.
select
    'chat.chat_logs' as source_table,
    row_hash || '#' || cast(copy_number as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    fan_id_raw as fan_id,
    model_name,
    message_at,
    fan_message_raw as fan_message,
    raw_record
from {{ ref('base_chat__chat_logs') }}
where rejection_reason is not null
