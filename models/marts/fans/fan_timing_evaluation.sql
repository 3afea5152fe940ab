-- Back-test of the message-timing windows on held-out weeks: windows fitted on rows up to
-- as_of - fan_timing_holdout_days (macro fan_message_windows), then every later message (a row
-- carrying a chatter message) of a pair that had a window is scored: did the fan respond (the
-- row carries something from him), and did it fall inside the fan's window / the creator's?
-- One row per comparison: fan window vs outside it, and fan window vs the creator-level window
-- (each rate over the held-out messages inside that window). lift = rate_a / rate_b - 1 with a
-- 95 % interval (6 decimals) of the log risk ratio that treats the pair, not the message, as the
-- independent unit: a fan's messages share his habits, so their responses are correlated, and a
-- binomial interval over messages was too narrow. Cluster-robust (linearisation) variance of
-- ln(rate_a / rate_b) over the K pairs, each pair i with y responses of n messages in a and b:
--   d_i = (y_ai - rate_a n_ai) / (rate_a N_a) - (y_bi - rate_b n_bi) / (rate_b N_b)
--   var = K / (K - 1) * sum(d_i^2),   interval exp(ln(rate_a / rate_b) -/+ 1.96 sqrt(var)) - 1
-- (N = the comparison's messages; a pair's messages may fall in both groups of a comparison, the
-- covariance is in d_i). No interval with fewer than 2 pairs or a rate of 0.
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

per_pair as (
    select
        fan_model_key,
        sum(in_fan_window) as fan_window_messages,
        sum(in_fan_window * responded) as fan_window_responses,
        sum(1 - in_fan_window) as outside_messages,
        sum((1 - in_fan_window) * responded) as outside_responses,
        sum(in_creator_window) as creator_window_messages,
        sum(in_creator_window * responded) as creator_window_responses
    from held_out
    group by 1
),

pair_comparisons as (
    select
        'fan_window_vs_outside' as comparison,
        fan_model_key,
        fan_window_messages as messages_a,
        fan_window_responses as responses_a,
        outside_messages as messages_b,
        outside_responses as responses_b
    from per_pair
    union all
    select
        'fan_window_vs_creator_window' as comparison,
        fan_model_key,
        fan_window_messages as messages_a,
        fan_window_responses as responses_a,
        creator_window_messages as messages_b,
        creator_window_responses as responses_b
    from per_pair
),

comparisons as (
    select
        comparison,
        count(*) as pairs,
        sum(messages_a) as messages_a,
        sum(responses_a) as responses_a,
        sum(messages_b) as messages_b,
        sum(responses_b) as responses_b
    from pair_comparisons
    group by 1
),

measured as (
    select
        *,
        {{ sendwise.safe_divide('responses_a', 'messages_a') }} as rate_a,
        {{ sendwise.safe_divide('responses_b', 'messages_b') }} as rate_b
    from comparisons
),

log_ratio_variance as (
    select
        measured.comparison,
        max(measured.pairs) * 1.0 / (max(measured.pairs) - 1) * sum(
            power(
                (pair_comparisons.responses_a - measured.rate_a * pair_comparisons.messages_a)
                / (measured.rate_a * measured.messages_a)
                - (pair_comparisons.responses_b - measured.rate_b * pair_comparisons.messages_b)
                / (measured.rate_b * measured.messages_b),
                2
            )
        ) as variance
    from measured
    inner join pair_comparisons on measured.comparison = pair_comparisons.comparison
    where measured.pairs >= 2 and measured.responses_a > 0 and measured.responses_b > 0
    group by 1
),

final as (
    select
        measured.comparison,
        measured.pairs,
        -- sums of integers (DuckDB widens them to 128 bits): the contract's int64
        cast(measured.messages_a as {{ dbt.type_bigint() }}) as messages_a,
        cast(measured.responses_a as {{ dbt.type_bigint() }}) as responses_a,
        measured.rate_a,
        cast(measured.messages_b as {{ dbt.type_bigint() }}) as messages_b,
        cast(measured.responses_b as {{ dbt.type_bigint() }}) as responses_b,
        measured.rate_b,
        -- 9 decimals: (5/6) / (1/6) - 1 is 4.000000000000001 in doubles
        {{ sendwise.round_float(sendwise.safe_divide('measured.rate_a', 'measured.rate_b') ~ ' - 1', 9) }} as lift,
        {{ sendwise.round_float(
            'exp(ln(measured.rate_a / measured.rate_b) - 1.96 * sqrt(log_ratio_variance.variance)) - 1', 6
        ) }} as lift_ci_low,
        {{ sendwise.round_float(
            'exp(ln(measured.rate_a / measured.rate_b) + 1.96 * sqrt(log_ratio_variance.variance)) - 1', 6
        ) }} as lift_ci_high,
        {{ sendwise.build_stamp() }}
    from measured
    left join log_ratio_variance on measured.comparison = log_ratio_variance.comparison
)

select * from final
