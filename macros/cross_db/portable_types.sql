{#- Contracted marts declare column types by names both engines accept (string, int64, bool,
    timestamp, datetime, date, float64). DuckDB lacks float64: an on-run-start hook creates it
    as an alias of double (a no-op on BigQuery, where it is the native name). -#}
{% macro create_portable_types() -%}
    {{ return(adapter.dispatch('create_portable_types', 'sendwise')()) }}
{%- endmacro %}

{% macro default__create_portable_types() -%}
    create type if not exists float64 as double
{%- endmacro %}

{% macro bigquery__create_portable_types() -%}
    select 1
{%- endmacro %}
