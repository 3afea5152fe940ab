{#- A one-column query of the integers 1..upper (upper: any integer SQL expression evaluated at run
    time, e.g. a scalar subquery; null or < 1 gives no rows). dbt.generate_series needs its bound at
    compile time; this one does not. -#}
{% macro integer_series(upper, column_name) -%}
    {{ return(adapter.dispatch('integer_series', 'sendwise')(upper, column_name)) }}
{%- endmacro %}

{% macro default__integer_series(upper, column_name) -%}
    select unnest(generate_series(1, cast(coalesce({{ upper }}, 0) as bigint))) as {{ column_name }}
{%- endmacro %}

{% macro bigquery__integer_series(upper, column_name) -%}
    select {{ column_name }} from unnest(generate_array(1, cast(coalesce({{ upper }}, 0) as int64))) as {{ column_name }}
{%- endmacro %}
