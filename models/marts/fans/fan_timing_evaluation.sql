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
-- covariance is in d_i). No interval with fewer than 2 pairs or a rate of 0 (a window whose
-- messages all went unanswered: lift -1, never the logarithm of 0). sum(d_i^2) is expanded
-- into sums over the pairs (A_i = y_ai - rate_a n_ai, B_i likewise, rate_a N_a = Y_a):
--   sum(d_i^2) = sum(A_i^2) / Y_a^2 - 2 sum(A_i B_i) / (Y_a Y_b) + sum(B_i^2) / Y_b^2
--   sum(A_i^2) = sum(y_a^2) - 2 rate_a sum(y_a n_a) + rate_a^2 sum(n_a^2), sum(A_i B_i) likewise
-- so one aggregate of integer sums (moments) carries both comparisons: BigQuery evaluates the
-- window fit (a CTE it inlines) once per comparison, not once per reference of a per-pair table.
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
        sum(in_fan_window) as n_f,
        sum(in_fan_window * responded) as y_f,
        sum(1 - in_fan_window) as n_o,
        sum((1 - in_fan_window) * responded) as y_o,
        sum(in_creator_window) as n_c,
        sum(in_creator_window * responded) as y_c
    from held_out
    group by 1
),

-- f = inside the fan's window, o = outside it, c = inside the creator's window; per group its sums
-- of n, y, y^2, y n, n^2 over the pairs, and the cross sums of f with o and with c
moments as (
    select
        count(*) as pairs,
        sum(n_f) as n_f,
        sum(y_f) as y_f,
        sum(y_f * y_f) as yy_f,
        sum(y_f * n_f) as yn_f,
        sum(n_f * n_f) as nn_f,
        sum(n_o) as n_o,
        sum(y_o) as y_o,
        sum(y_o * y_o) as yy_o,
        sum(y_o * n_o) as yn_o,
        sum(n_o * n_o) as nn_o,
        sum(n_c) as n_c,
        sum(y_c) as y_c,
        sum(y_c * y_c) as yy_c,
        sum(y_c * n_c) as yn_c,
        sum(n_c * n_c) as nn_c,
        sum(y_f * y_o) as yy_fo,
        sum(y_f * n_o) as yn_fo,
        sum(n_f * y_o) as ny_fo,
        sum(n_f * n_o) as nn_fo,
        sum(y_f * y_c) as yy_fc,
        sum(y_f * n_c) as yn_fc,
        sum(n_f * y_c) as ny_fc,
        sum(n_f * n_c) as nn_fc
    from per_pair
),

comparisons as (
    select
        'fan_window_vs_outside' as comparison,
        pairs,
        n_f as messages_a,
        y_f as responses_a,
        n_o as messages_b,
        y_o as responses_b,
        {{ sendwise.safe_divide('y_f', 'n_f') }} as rate_a,
        {{ sendwise.safe_divide('y_o', 'n_o') }} as rate_b,
        yy_f as yy_a,
        yn_f as yn_a,
        nn_f as nn_a,
        yy_o as yy_b,
        yn_o as yn_b,
        nn_o as nn_b,
        yy_fo as yy_ab,
        yn_fo as yn_ab,
        ny_fo as ny_ab,
        nn_fo as nn_ab
    from moments
    union all
    select
        'fan_window_vs_creator_window' as comparison,
        pairs,
        n_f as messages_a,
        y_f as responses_a,
        n_c as messages_b,
        y_c as responses_b,
        {{ sendwise.safe_divide('y_f', 'n_f') }} as rate_a,
        {{ sendwise.safe_divide('y_c', 'n_c') }} as rate_b,
        yy_f as yy_a,
        yn_f as yn_a,
        nn_f as nn_a,
        yy_c as yy_b,
        yn_c as yn_b,
        nn_c as nn_b,
        yy_fc as yy_ab,
        yn_fc as yn_ab,
        ny_fc as ny_ab,
        nn_fc as nn_ab
    from moments
),

log_ratio_variance as (
    select
        *,
        case when pairs >= 2 and responses_a > 0 and responses_b > 0 then
                pairs * 1.0 / (pairs - 1) * (
                    (yy_a - 2 * rate_a * yn_a + rate_a * rate_a * nn_a) / (responses_a * responses_a)
                    - 2 * (yy_ab - rate_b * yn_ab - rate_a * ny_ab + rate_a * rate_b * nn_ab)
                    / (responses_a * responses_b)
                    + (yy_b - 2 * rate_b * yn_b + rate_b * rate_b * nn_b) / (responses_b * responses_b)
                )
        end as variance
    from comparisons
),

-- a variance a hair below 0 is a rounding error of an exact 0 (two identical groups); a missing one
-- stays missing (not greatest(): DuckDB's skips a null, BigQuery's returns it)
log_ratio_se as (
    select
        *,
        case when variance <= 0 then 0.0 else sqrt(variance) end as log_se
    from log_ratio_variance
),

final as (
    select
        comparison,
        pairs,
        -- sums of integers (DuckDB widens them to 128 bits): the contract's int64
        cast(messages_a as {{ dbt.type_bigint() }}) as messages_a,
        cast(responses_a as {{ dbt.type_bigint() }}) as responses_a,
        rate_a,
        cast(messages_b as {{ dbt.type_bigint() }}) as messages_b,
        cast(responses_b as {{ dbt.type_bigint() }}) as responses_b,
        rate_b,
        -- 9 decimals: (5/6) / (1/6) - 1 is 4.000000000000001 in doubles
        {{ sendwise.round_float(sendwise.safe_divide('rate_a', 'rate_b') ~ ' - 1', 9) }} as lift,
        -- no logarithm of a zero rate (an error on both engines): a window where no message got an
        -- answer has a lift of -1 and no interval (its variance is missing too)
        case when rate_a > 0 and rate_b > 0 then
                {{ sendwise.round_float('exp(ln(rate_a / rate_b) - 1.96 * log_se) - 1', 6) }}
        end as lift_ci_low,
        case when rate_a > 0 and rate_b > 0 then
                {{ sendwise.round_float('exp(ln(rate_a / rate_b) + 1.96 * log_se) - 1', 6) }}
        end as lift_ci_high,
        {{ sendwise.build_stamp() }}
    from log_ratio_se
)

select * from final
