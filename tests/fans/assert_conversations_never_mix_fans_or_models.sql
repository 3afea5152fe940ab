-- No conversation mixes fans or models: every row of a conversation has the same fan_id and
-- the same page_key, and its fan_model_key is that fan and that model. Fails with the offenders.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

conversation_checks as (
    select
        conversation_id,
        count(distinct fan_id) as fans,
        count(distinct page_key) as models,
        count(distinct fan_model_key) as pairs,
        sum(
            case when fan_model_key <> {{ dbt.concat(['fan_id', "'|'", 'page_key']) }} then 1 else 0 end
        ) as rows_with_foreign_key
    from messages
    group by 1
)

select * from conversation_checks
where fans <> 1 or models <> 1 or pairs <> 1 or rows_with_foreign_key > 0
