{%- set intent = "'(buy|unlock|send me|show me|worth|exclusive|custom|special|full set|take it|more|spoil|"
    ~ "private|vip|pay)'" -%}
{%- set objection = "'(free|pricey|expensive|later|pass|broke|cheap|not right now|afford|next time|no thanks)'" -%}
{%- set first_n = sendwise.setting('fan_purchase_first_n_messages') -%}
-- Purchase-predictor features of each fan-model pair, from its first N rows only
-- (N = fan_purchase_first_n_messages), and the times the label is read from.
-- predicted_at = the pair's N-th row (null when the pair has fewer than N rows: no prediction);
-- first_purchase_after_at = its first sale after row N (the label: the pair buys after its first
-- N rows, read up to the split's label cutoff in fan_predictions).
-- Timing: reply latency (minutes from a row carrying a chatter message to the fan's next row
-- of the same conversation that carries something from the fan, mean of ln(1 + minutes)), the
-- circular mean and concentration of the page-local hours of the fan's rows, span and largest gap.
-- Text: length, questions, emoji, and an intent score = (intent terms - objection terms) per text
-- message (lexicons above, lower-cased, no backslashes so one literal serves both engines).
with messages as (
    select
        fan_model_key,
        fan_id,
        page_key,
        conversation_id,
        pair_row_number,
        message_at,
        local_hour,
        fan_message,
        fan_message_kind,
        chatter_message,
        price,
        is_offer,
        is_purchase,
        tips,
        {{ first_n }} as first_n
    from {{ ref('int_fan_chat_messages') }}
),

pairs as (
    select
        fan_model_key,
        min(fan_id) as fan_id,
        min(page_key) as page_key,
        min(message_at) as pair_started_at,
        max(message_at) as last_message_at,
        count(*) as pair_rows,
        min(case when pair_row_number = first_n then message_at end) as predicted_at,
        min(case when pair_row_number > first_n and is_purchase then message_at end)
            as first_purchase_after_at
    from messages
    group by 1
),

first_rows as (
    select
        *,
        lag(message_at) over (partition by fan_model_key order by pair_row_number) as previous_message_at,
        lag(chatter_message) over (partition by conversation_id order by pair_row_number)
            as previous_chatter_message,
        lag(message_at) over (partition by conversation_id order by pair_row_number)
            as previous_conversation_at,
        {{ sendwise.regexp_count('lower(fan_message)', intent) }} as intent_terms,
        {{ sendwise.regexp_count('lower(fan_message)', objection) }} as objection_terms,
        {{ sendwise.regexp_count('fan_message', sendwise.emoji_pattern()) }} as emoji_count,
        2 * acos(-1) * local_hour / 24.0 as hour_angle
    from messages
    where pair_row_number <= first_n
),

features as (
    select
        fan_model_key,
        count(*) as first_rows,
        count(distinct conversation_id) as conversations,
        count(case when fan_message_kind = 'text' then 1 end) as text_messages,
        count(case when fan_message_kind = 'empty' then 1 end) as silent_rows,
        count(case when fan_message_kind in ('media', 'gif') then 1 end) as media_messages,
        count(case when tips > 0 then 1 end) as tips,
        sum(tips) as tip_amount,
        count(case when is_offer then 1 end) as offers_seen,
        count(case when is_purchase then 1 end) as offers_bought,
        sum(case when is_purchase then price else 0 end) as ppv_revenue,
        avg(case when is_offer then price end) as avg_offer_price,
        avg(case when fan_message_kind = 'text' then {{ dbt.length('fan_message') }} end) as avg_message_chars,
        {{ sendwise.safe_divide(
            "count(case when fan_message_kind = 'text' and " ~ dbt.position("'?'", 'fan_message') ~ " > 0 then 1 end)",
            "count(case when fan_message_kind = 'text' then 1 end)") }} as question_rate,
        {{ sendwise.safe_divide(
            "sum(case when fan_message_kind = 'text' then emoji_count else 0 end)",
            "count(case when fan_message_kind = 'text' then 1 end)") }} as emoji_per_message,
        {{ sendwise.safe_divide(
            "sum(case when fan_message_kind = 'text' then intent_terms - objection_terms else 0 end)",
            "count(case when fan_message_kind = 'text' then 1 end)") }} as intent_score,
        avg(case
            when fan_message_kind <> 'empty' and previous_chatter_message <> ''
                then ln(1 + (
                        {{ sendwise.epoch_seconds('message_at') }}
                        - {{ sendwise.epoch_seconds('previous_conversation_at') }}
                    ) / 60.0)
        end) as log_reply_minutes,
        count(case when fan_message_kind <> 'empty' and previous_chatter_message <> '' then 1 end)
            as replies_measured,
        avg(case when fan_message_kind <> 'empty' then sin(hour_angle) end) as hour_sin,
        avg(case when fan_message_kind <> 'empty' then cos(hour_angle) end) as hour_cos,
        ({{ sendwise.epoch_seconds('max(message_at)') }} - {{ sendwise.epoch_seconds('min(message_at)') }})
        / 3600.0 as span_hours,
        coalesce(max(
            ({{ sendwise.epoch_seconds('message_at') }} - {{ sendwise.epoch_seconds('previous_message_at') }})
            / 3600.0
        ), 0) as max_gap_hours
    from first_rows
    group by 1
),

final as (
    select
        pairs.fan_model_key,
        pairs.fan_id,
        pairs.page_key,
        pairs.pair_started_at,
        pairs.predicted_at,
        pairs.first_purchase_after_at,
        pairs.last_message_at,
        pairs.pair_rows,
        features.first_rows,
        features.conversations,
        features.text_messages,
        features.silent_rows,
        features.media_messages,
        features.tips,
        features.tip_amount,
        features.offers_seen,
        features.offers_bought,
        features.ppv_revenue,
        features.avg_offer_price,
        features.avg_message_chars,
        features.question_rate,
        features.emoji_per_message,
        features.intent_score,
        features.log_reply_minutes,
        features.replies_measured,
        features.hour_sin,
        features.hour_cos,
        sqrt(
            coalesce(features.hour_sin, 0) * coalesce(features.hour_sin, 0)
            + coalesce(features.hour_cos, 0) * coalesce(features.hour_cos, 0)
        ) as hour_concentration,
        features.span_hours,
        features.max_gap_hours
    from pairs
    inner join features on pairs.fan_model_key = features.fan_model_key
)

select * from final
