-- The chat rows the message-timing models score (macro fan_message_windows, fan_timing_evaluation):
-- rows carrying a chatter message whose page-local hour is known. responded = 1 when the same row
-- carries something from the fan. Every row up to as_of: the timing models fit on a pair's whole
-- history, so on BigQuery the as_of bound prunes only partitions after as_of (none on a daily build).
select
    messages.chat_row_id,
    messages.fan_model_key,
    messages.page_key,
    messages.message_at,
    messages.local_hour,
    messages.is_purchase,
    case when messages.fan_message_kind <> 'empty' then 1 else 0 end as responded
from {{ ref('int_fan_chat_messages') }} as messages
where
    messages.message_at <= {{ sendwise.as_of() }}
    and messages.chatter_message <> ''
    and messages.local_hour is not null
