-- One row per fan-model pair and stage present (docs/fans.md): 1 = acquisition (first message up to
-- and including the first sale; the whole history when there is no sale), 2 = monetisation
-- (after the first sale up to and including the last sale; only with 2+ sales), 3 = retention
-- (after the last sale; absent when the last row is the last sale). A sale = a bought PPV offer;
-- the sale row closes the stage it ends (see int_fan_chat_messages). With the stage's words.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

stage_texts as (
    select * from {{ ref('int_fan_stage_texts') }}
),

stage_totals as (
    select
        fan_model_key,
        stage,
        min(fan_id) as fan_id,
        min(page_key) as page_key,
        min(message_at) as started_at,
        max(message_at) as ended_at,
        min(pair_row_number) as first_row_number,
        max(pair_row_number) as last_row_number,
        count(*) as message_count,
        count(case when fan_message_kind <> 'empty' then 1 end) as fan_message_count,
        count(distinct conversation_id) as conversations,
        count(case when is_offer then 1 end) as offers,
        count(case when is_purchase then 1 end) as purchases,
        sum(revenue) as revenue
    from messages
    group by 1, 2
),

final as (
    select
        stage_texts.stage_text_id as fan_model_stage_id,
        stage_totals.fan_model_key,
        stage_totals.fan_id,
        stage_totals.page_key,
        stage_totals.stage,
        case stage_totals.stage
            when 1 then 'acquisition'
            when 2 then 'monetisation'
            else 'retention'
        end as stage_name,
        stage_totals.started_at,
        stage_totals.ended_at,
        (
            {{ sendwise.epoch_seconds('stage_totals.ended_at') }}
            - {{ sendwise.epoch_seconds('stage_totals.started_at') }}
        ) / 3600.0 as duration_hours,
        stage_totals.first_row_number,
        stage_totals.last_row_number,
        stage_totals.message_count,
        stage_totals.fan_message_count,
        stage_totals.conversations,
        stage_totals.offers,
        stage_totals.purchases,
        {{ sendwise.safe_divide('stage_totals.purchases', 'stage_totals.offers') }} as purchase_rate,
        stage_totals.revenue,
        stage_texts.stage_text,
        stage_texts.text_hash,
        stage_texts.text_messages,
        stage_texts.is_text_empty
    from stage_totals
    inner join stage_texts
        on
            stage_totals.fan_model_key = stage_texts.fan_model_key
            and stage_totals.stage = stage_texts.stage
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
