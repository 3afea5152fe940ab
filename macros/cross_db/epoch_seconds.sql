{#- Seconds since 1970-01-01 as a float (fractional ages in days need more than datediff's integer boundaries). -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'sendwise')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}

{% macro bigquery__epoch_seconds(ts) -%}
    (unix_micros(timestamp({{ ts }})) / 1000000.0)
{%- endmacro %}
