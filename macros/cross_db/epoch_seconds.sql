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

{#- Whole UTC days since 1970-01-01 (an integer day number: the revenue features key sends, knowledge
    days and the plan's first day by it; days differ by plain subtraction on both engines). -#}
{% macro utc_day_number(ts) -%}
    cast(floor({{ sendwise.epoch_seconds(ts) }} / 86400) as {{ dbt.type_int() }})
{%- endmacro %}

{#- Whole UTC hours since 1970-01-01 00:00 (an integer hour number: two times less than h hours apart
    have hour numbers at most ceil(h) apart). -#}
{% macro utc_hour_number(ts) -%}
    cast(floor({{ sendwise.epoch_seconds(ts) }} / 3600) as {{ dbt.type_bigint() }})
{%- endmacro %}
