{#- Format a (local, naive) timestamp as text with a strftime pattern, e.g. '%H:%M', '%Y-%m-%d'. -#}
{% macro format_timestamp(ts, pattern) -%}
    {{ return(adapter.dispatch('format_timestamp', 'sendwise')(ts, pattern)) }}
{%- endmacro %}

{% macro default__format_timestamp(ts, pattern) -%}
    strftime({{ ts }}, '{{ pattern }}')
{%- endmacro %}

{% macro bigquery__format_timestamp(ts, pattern) -%}
    format_datetime('{{ pattern }}', datetime({{ ts }}))
{%- endmacro %}
