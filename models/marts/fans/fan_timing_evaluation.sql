-- Back-test of the message-timing windows on held-out weeks: windows fitted on rows up to
-- as_of - fan_timing_holdout_days (macro fan_message_windows), then every later message (a row
-- carrying a chatter message) of a pair that had a window is scored: did the fan respond (the
-- row carries something from him), and did it fall inside the fan's window / the creator's?
-- One row per comparison: fan window vs outside it, and fan window vs the creator-level window
-- (each rate over the held-out messages inside that window). lift = rate_a / rate_b - 1 with a
-- 95 % interval (6 decimals) from the log risk ratio (se = sqrt((1 - pa) / (pa na) + (1 - pb) / (pb nb)));
-- messages are treated as independent (they cluster by fan: the interval is optimistic).
{%- set holdout_start = sendwise.timestamp_minus_days(sendwise.as_of(), sendwise.setting('fan_timing_holdout_days')) %}
{%- set w = sendwise.setting('fan_timing_window_hours') %}
with windows as (
    {{ sendwise.fan_message_windows(holdout_start) }}
),

held_out as (
    select
        messages.fan_model_key,
        messages.responded,
        case when mod(messages.local_hour - windows.window_start_hour + 24, 24) < {{ w }} then 1 else 0 end
            as in_fan_window,
        case
            when mod(messages.local_hour - windows.creator_window_start_hour + 24, 24) < {{ w }} then 1 else 0
        end as in_creator_window
    from {{ ref('int_fan_timing_messages') }} as messages
    inner join windows on messages.fan_model_key = windows.fan_model_key
    where
        messages.message_at > {{ holdout_start }}
        and messages.message_at <= {{ sendwise.as_of() }}
),

rates as (
    select
        count(distinct fan_model_key) as pairs,
        sum(in_fan_window) as fan_window_messages,
        sum(in_fan_window * responded) as fan_window_responses,
        sum(1 - in_fan_window) as outside_messages,
        sum((1 - in_fan_window) * responded) as outside_responses,
        sum(in_creator_window) as creator_window_messages,
        sum(in_creator_window * responded) as creator_window_responses
    from held_out
),

comparisons as (
    select
        'fan_window_vs_outside' as comparison,
        pairs,
        fan_window_messages as messages_a,
        fan_window_responses as responses_a,
        outside_messages as messages_b,
        outside_responses as responses_b
    from rates
    union all
    select
        'fan_window_vs_creator_window' as comparison,
        pairs,
        fan_window_messages as messages_a,
        fan_window_responses as responses_a,
        creator_window_messages as messages_b,
        creator_window_responses as responses_b
    from rates
),

measured as (
    select
        *,
        {{ sendwise.safe_divide('responses_a', 'messages_a') }} as rate_a,
        {{ sendwise.safe_divide('responses_b', 'messages_b') }} as rate_b
    from comparisons
),

final as (
    select
        comparison,
        pairs,
        messages_a,
        responses_a,
        rate_a,
        messages_b,
        responses_b,
        rate_b,
        {{ sendwise.safe_divide('rate_a', 'rate_b') }} - 1 as lift,
        case when responses_a > 0 and responses_b > 0 then
                {{ sendwise.round_float(
                    'exp(ln(rate_a / rate_b) - 1.96 * sqrt('
                    ~ '(1 - rate_a) / (rate_a * messages_a) + (1 - rate_b) / (rate_b * messages_b)'
                    ~ ')) - 1',
                    6
                ) }}
        end as lift_ci_low,
        case when responses_a > 0 and responses_b > 0 then
                {{ sendwise.round_float(
                    'exp(ln(rate_a / rate_b) + 1.96 * sqrt('
                    ~ '(1 - rate_a) / (rate_a * messages_a) + (1 - rate_b) / (rate_b * messages_b)'
                    ~ ')) - 1',
                    6
                ) }}
        end as lift_ci_high
    from measured
)

select * from final
