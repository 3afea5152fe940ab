{#- A timestamp minus a number of days (fractions allowed), as a TIMESTAMP on both engines, exact
    to the microsecond. `days` is either a number known at compile time, rendered as an integer
    literal of microseconds (so `ts` minus it is a constant expression when `ts` is, which is what
    BigQuery needs to prune partitions), or a SQL numeric expression evaluated at run time. -#}
{% macro timestamp_minus_days(ts, days) -%}
    {%- if days is number -%}
        {%- set micros = (days * 86400000000) | round | int -%}
    {%- else -%}
        {%- set micros = 'cast(round((' ~ days ~ ') * 86400000000) as ' ~ dbt.type_bigint() ~ ')' -%}
    {%- endif -%}
    {{ return(adapter.dispatch('timestamp_minus_days', 'sendwise')(ts, micros)) }}
{%- endmacro %}

{% macro default__timestamp_minus_days(ts, micros) -%}
    ({{ ts }} - to_microseconds({{ micros }}))
{%- endmacro %}

{% macro bigquery__timestamp_minus_days(ts, micros) -%}
    timestamp_sub({{ ts }}, interval {{ micros }} microsecond)
{%- endmacro %}
