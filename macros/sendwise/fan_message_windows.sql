{#- Best hour window to message each fan-model pair, fitted on chat rows at or before fit_until
    (a SQL timestamp expression). A "message" = a row carrying a chatter message; it got a response
    when the same row carries something from the fan. Response rate per page-local hour, shrunk
    (Empirical Bayes, prior strength k = fan_timing_prior_strength messages):
      creator hour  = (r + k * creator overall rate) / (n + k)
      segment hour  = (r + k * creator hour) / (n + k)        (segment = bought / never bought before fit_until)
      fan hour      = (r + k * segment hour) / (n + k)
    so a fan with little history gets its segment's hours, a thin segment its creator's. Window =
    W = fan_timing_window_hours consecutive hours (wrapping midnight) with the highest mean shrunk
    rate; ties to the earliest start. One row per pair with history before fit_until; columns:
    fan_model_key, page_key, segment, fit_messages, window_start_hour, window_rate,
    creator_window_start_hour, creator_window_rate. -#}
{% macro fan_message_windows(fit_until) -%}
{%- set k = sendwise.setting('fan_timing_prior_strength') -%}
{%- set w = sendwise.setting('fan_timing_window_hours') -%}
with fit_rows as (
    select
        messages.fan_model_key,
        messages.page_key,
        messages.local_hour,
        messages.is_purchase,
        messages.responded
    from {{ ref('int_fan_timing_messages') }} as messages
    where messages.message_at <= {{ fit_until }}
),

pair_segments as (
    select
        fan_model_key,
        min(page_key) as page_key,
        case when {{ sendwise.bool_or('is_purchase') }} then 'bought' else 'never_bought' end as segment,
        count(*) as fit_messages
    from fit_rows
    group by 1
),

hours as (
    select cast(hour_number - 1 as {{ dbt.type_bigint() }}) as local_hour
    from ({{ sendwise.integer_series('24', 'hour_number') }}) as hour_numbers
),

creator_totals as (
    select
        page_key,
        {{ sendwise.safe_divide('sum(responded)', 'count(*)') }} as creator_rate
    from fit_rows
    group by 1
),

creator_hour_counts as (
    select
        page_key,
        local_hour,
        count(*) as messages,
        sum(responded) as responses
    from fit_rows
    group by 1, 2
),

creator_hours as (
    select
        creator_totals.page_key,
        hours.local_hour,
        (coalesce(creator_hour_counts.responses, 0) + {{ k }} * creator_totals.creator_rate)
        / (coalesce(creator_hour_counts.messages, 0) + {{ k }}) as creator_hour_rate
    from creator_totals
    cross join hours
    left join creator_hour_counts
        on creator_totals.page_key = creator_hour_counts.page_key
        and hours.local_hour = creator_hour_counts.local_hour
),

segment_hour_counts as (
    select
        pair_segments.page_key,
        pair_segments.segment,
        fit_rows.local_hour,
        count(*) as messages,
        sum(fit_rows.responded) as responses
    from fit_rows
    inner join pair_segments on fit_rows.fan_model_key = pair_segments.fan_model_key
    group by 1, 2, 3
),

segments as (
    select distinct page_key, segment from pair_segments
),

segment_hours as (
    select
        segments.page_key,
        segments.segment,
        creator_hours.local_hour,
        (coalesce(segment_hour_counts.responses, 0) + {{ k }} * creator_hours.creator_hour_rate)
        / (coalesce(segment_hour_counts.messages, 0) + {{ k }}) as segment_hour_rate
    from segments
    inner join creator_hours on segments.page_key = creator_hours.page_key
    left join segment_hour_counts
        on segments.page_key = segment_hour_counts.page_key
        and segments.segment = segment_hour_counts.segment
        and creator_hours.local_hour = segment_hour_counts.local_hour
),

fan_hour_counts as (
    select
        fan_model_key,
        local_hour,
        count(*) as messages,
        sum(responded) as responses
    from fit_rows
    group by 1, 2
),

fan_hours as (
    select
        pair_segments.fan_model_key,
        pair_segments.page_key,
        pair_segments.segment,
        pair_segments.fit_messages,
        segment_hours.local_hour,
        (coalesce(fan_hour_counts.responses, 0) + {{ k }} * segment_hours.segment_hour_rate)
        / (coalesce(fan_hour_counts.messages, 0) + {{ k }}) as fan_hour_rate
    from pair_segments
    inner join segment_hours
        on pair_segments.page_key = segment_hours.page_key
        and pair_segments.segment = segment_hours.segment
    left join fan_hour_counts
        on pair_segments.fan_model_key = fan_hour_counts.fan_model_key
        and segment_hours.local_hour = fan_hour_counts.local_hour
),

-- window offsets 0 .. W - 1: hour h is in the windows starting at h, h - 1, ..., h - W + 1 (mod 24),
-- so each window's mean is one aggregate of the hours' rows, with no self-join of 24 x 24 hours
window_offsets as (
    select local_hour as window_offset from hours where local_hour < {{ w }}
),

fan_window_scores as (
    select
        fan_model_key,
        page_key,
        segment,
        fit_messages,
        mod(local_hour - window_offset + 24, 24) as window_start_hour,
        avg(fan_hour_rate) as window_rate
    from fan_hours
    cross join window_offsets
    group by 1, 2, 3, 4, 5
),

-- the creator's window is the page's, fitted once per page
creator_window_scores as (
    select
        page_key,
        mod(local_hour - window_offset + 24, 24) as window_start_hour,
        avg(creator_hour_rate) as creator_window_rate
    from creator_hours
    cross join window_offsets
    group by 1, 2
),

-- two windows of the same hours' rates tie whatever order their mean added them in: ranked on the
-- rate rounded to 12 decimals, ties to the earliest start
fan_windows as (
    select
        *,
        row_number() over (
            partition by fan_model_key
            order by {{ sendwise.round_float('window_rate', 12) }} desc, window_start_hour asc
        ) as fan_rank
    from fan_window_scores
),

creator_windows as (
    select
        *,
        row_number() over (
            partition by page_key
            order by {{ sendwise.round_float('creator_window_rate', 12) }} desc, window_start_hour asc
        ) as creator_rank
    from creator_window_scores
)

select
    fans.fan_model_key,
    fans.page_key,
    fans.segment,
    fans.fit_messages,
    fans.window_start_hour,
    fans.window_rate,
    creators.window_start_hour as creator_window_start_hour,
    creators.creator_window_rate
from fan_windows as fans
inner join creator_windows as creators
    on fans.page_key = creators.page_key
    and creators.creator_rank = 1
where fans.fan_rank = 1
{%- endmacro %}
