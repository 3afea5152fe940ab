-- One row per fan-model pair: everything the fan wrote in words (text messages only; tip
-- notices, placeholders and empty rows excluded), in row order, joined with ' | ', and its md5.
-- The profile extractor (rules or LLM) reads this text; text_hash keys the LLM cache, so an
-- unchanged history is never profiled (or paid for) twice.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

pair_texts as (
    select
        fan_model_key,
        min(fan_id) as fan_id,
        min(page_key) as page_key,
        coalesce(
            {{ dbt.listagg(
                "case when fan_message_kind = 'text' then fan_message end",
                "' | '",
                "order by pair_row_number") }},
            ''
        ) as profile_text,
        count(case when fan_message_kind = 'text' then 1 end) as text_messages,
        max(message_at) as last_message_at
    from messages
    group by 1
),

final as (
    select
        fan_model_key,
        fan_id,
        page_key,
        profile_text,
        {{ dbt.hash('profile_text') }} as text_hash,
        text_messages,
        last_message_at
    from pair_texts
)

select * from final
