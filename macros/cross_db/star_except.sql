{#- Every column of the FROM clause but the named ones (DuckDB `* exclude (...)`, BigQuery `* except (...)`). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'sendwise')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({% for name in columns %}{{ adapter.quote(name) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro bigquery__star_except(columns) -%}
    * except ({% for name in columns %}{{ adapter.quote(name) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
