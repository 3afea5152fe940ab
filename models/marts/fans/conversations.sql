-- One row per conversation: a fan's uninterrupted exchange with one model (a gap strictly over
-- conversation_gap_hours or a model switch starts the next one; see int_fan_chat_messages).
-- conversation_id = md5(fan_model_key '|' start time 'YYYY-MM-DD HH:MM:SS'): the same history
-- gives the same ids on every run and on both engines.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

conversation_rows as (
    select
        conversation_id,
        min(fan_model_key) as fan_model_key,
        min(fan_id) as fan_id,
        min(page_key) as page_key,
        min(model_name) as model_name,
        min(message_at) as started_at,
        max(message_at) as ended_at,
        count(*) as message_count,
        count(distinct chatter_name) as chatters
    from messages
    group by 1
),

final as (
    select
        conversation_id,
        fan_model_key,
        fan_id,
        page_key,
        model_name,
        row_number() over (partition by fan_model_key order by started_at) as conversation_number,
        started_at,
        ended_at,
        message_count,
        chatters
    from conversation_rows
)

select * from final
