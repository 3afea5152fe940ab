-- One row per fan-model pair and stage (fan_model_stages' stages): the fan's own words in the
-- stage (text messages and tip notices; placeholders and empty rows carry no words), in row
-- order, joined with ' | ', and the md5 of that text. The embedding model unions these rows in
-- as text_kind 'fan_stage'; a stage whose fan sent no words keeps its row with an empty text
-- (is_text_empty) so nothing disappears between stages, embeddings and clusters.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

stage_texts as (
    select
        fan_model_key,
        stage,
        coalesce(
            {{ dbt.listagg(
                "case when fan_message_kind in ('text', 'tip') then fan_message end",
                "' | '",
                "order by pair_row_number") }},
            ''
        ) as stage_text,
        count(case when fan_message_kind in ('text', 'tip') then 1 end) as text_messages
    from messages
    group by 1, 2
),

final as (
    select
        {{ dbt.concat(['fan_model_key', "'|'", dbt.safe_cast('stage', dbt.type_string())]) }} as stage_text_id,
        fan_model_key,
        stage,
        'fan_stage' as text_kind,
        stage_text,
        {{ dbt.hash('stage_text') }} as text_hash,
        text_messages,
        {{ dbt.length('stage_text') }} as text_chars,
        stage_text = '' as is_text_empty
    from stage_texts
)

select * from final
