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

{% macro default__from_local_timestamp(local_ts, time_zone) -%}
    cast(timezone({{ time_zone }}, {{ local_ts }}) as timestamp)
{%- endmacro %}

{% macro bigquery__from_local_timestamp(local_ts, time_zone) -%}
    timestamp({{ local_ts }}, {{ time_zone }})
{%- endmacro %}
