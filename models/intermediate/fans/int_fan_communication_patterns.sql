-- Measured communication pattern of each fan-model pair (no guessing: counts and times only).
-- * message length and question rate over the fan's text messages;
-- * emoji per text message (the caption emoji blocks);
-- * response latency: minutes from a row carrying a chatter message to the fan's next row of
--   the same conversation when that row carries something from the fan (median and count);
-- * active hours: the fan's busiest page-local hours (rows where the fan sent anything), the
--   top fan_active_hours_top_n, busiest first, ties to the earlier hour.
with messages as (
    select * from {{ ref('int_fan_chat_messages') }}
),

sequenced as (
    select
        *,
        lag(chatter_message) over (partition by conversation_id order by conversation_row_number)
            as previous_chatter_message,
        lag(message_at) over (partition by conversation_id order by conversation_row_number)
            as previous_message_at
    from messages
),

replies as (
    select
        fan_model_key,
        ({{ sendwise.epoch_seconds('message_at') }} - {{ sendwise.epoch_seconds('previous_message_at') }})
        / 60.0 as response_minutes
    from sequenced
    where
        fan_message_kind <> 'empty'
        and previous_chatter_message is not null
        and previous_chatter_message <> ''
),

reply_medians as (
    select distinct
        fan_model_key,
        {{ sendwise.percentile_cont_over('response_minutes', 0.5, 'fan_model_key') }} as median_response_minutes,
        count(*) over (partition by fan_model_key) as responses_measured
    from replies
),

text_stats as (
    select
        fan_model_key,
        count(*) as fan_rows,
        count(case when fan_message_kind = 'text' then 1 end) as text_messages,
        avg(case when fan_message_kind = 'text' then {{ dbt.length('fan_message') }} end) as avg_message_chars,
        {{ sendwise.safe_divide(
            "sum(case when fan_message_kind = 'text' then " ~ sendwise.regexp_count('fan_message', sendwise.emoji_pattern()) ~ " else 0 end)",
            "count(case when fan_message_kind = 'text' then 1 end)") }} as emoji_per_message,
        {{ sendwise.safe_divide(
            "count(case when fan_message_kind = 'text' and " ~ dbt.position("'?'", 'fan_message') ~ " > 0 then 1 end)",
            "count(case when fan_message_kind = 'text' then 1 end)") }} as question_rate
    from messages
    where fan_message_kind <> 'empty'
    group by 1
),

hour_counts as (
    select
        fan_model_key,
        local_hour,
        count(*) as fan_rows_in_hour
    from messages
    where fan_message_kind <> 'empty' and local_hour is not null
    group by 1, 2
),

hours_ranked as (
    select
        *,
        row_number() over (partition by fan_model_key order by fan_rows_in_hour desc, local_hour asc) as hour_rank
    from hour_counts
),

active_hours as (
    select
        fan_model_key,
        {{ dbt.listagg(
            dbt.safe_cast('local_hour', dbt.type_string()), "','", 'order by hour_rank'
        ) }} as active_local_hours,
        min(case when hour_rank = 1 then local_hour end) as busiest_local_hour
    from hours_ranked
    where hour_rank <= {{ sendwise.setting('fan_active_hours_top_n') }}
    group by 1
),

pairs as (
    select distinct fan_model_key from messages
),

final as (
    select
        pairs.fan_model_key,
        coalesce(text_stats.fan_rows, 0) as fan_rows,
        coalesce(text_stats.text_messages, 0) as text_messages,
        text_stats.avg_message_chars,
        text_stats.emoji_per_message,
        text_stats.question_rate,
        reply_medians.median_response_minutes,
        coalesce(reply_medians.responses_measured, 0) as responses_measured,
        active_hours.active_local_hours,
        active_hours.busiest_local_hour
    from pairs
    left join text_stats on pairs.fan_model_key = text_stats.fan_model_key
    left join reply_medians on pairs.fan_model_key = reply_medians.fan_model_key
    left join active_hours on pairs.fan_model_key = active_hours.fan_model_key
)

select * from final
