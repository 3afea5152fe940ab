{#- UTC timestamp -> naive page-local timestamp (BigQuery DATETIME). -#}
{% macro to_local_timestamp(utc_ts, time_zone) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'sendwise')(utc_ts, time_zone)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(utc_ts, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ utc_ts }}))
{%- endmacro %}

{% macro bigquery__to_local_timestamp(utc_ts, time_zone) -%}
    datetime({{ utc_ts }}, {{ time_zone }})
{%- endmacro %}

{#- Naive page-local timestamp -> UTC timestamp. -#}
{% macro from_local_timestamp(local_ts, time_zone) -%}
    {{ return(adapter.dispatch('from_local_timestamp', 'sendwise')(local_ts, time_zone)) }}
{%- endmacro %}

{#- A local time the clocks skip (the hour lost when they go forward) is read with the offset before the
    change (02:30 -> 03:30 daylight time) on both engines. A local time that occurs twice (the hour
    repeated when they go back) is its earlier instant on BigQuery, as in the tz database's own
    convention (Python's fold = 0), while DuckDB's ICU gives the later one; so DuckDB tries the offset
    in force 3 hours before ICU's instant (the earlier reading, when the time is repeated: no clock
    change is larger) and keeps it when it reads back as the same local time
    (pytests/foundation/test_local_time_portability.py checks both engines against zoneinfo). -#}
{% macro default__from_local_timestamp(local_ts, time_zone) -%}
    {%- set later -%} cast(timezone({{ time_zone }}, {{ local_ts }}) as timestamp) {%- endset -%}
    {%- set before -%} ({{ later }} - interval 3 hour) {%- endset -%}
    {%- set earlier -%}
        ({{ local_ts }} - ({{ sendwise.to_local_timestamp(before, time_zone) }} - {{ before }}))
    {%- endset -%}
    case
        when {{ sendwise.to_local_timestamp(earlier, time_zone) }} = {{ local_ts }} and {{ earlier }} < {{ later }}
            then {{ earlier }}
        else {{ later }}
    end
{%- endmacro %}

{% macro bigquery__from_local_timestamp(local_ts, time_zone) -%}
    timestamp({{ local_ts }}, {{ time_zone }})
{%- endmacro %}
