{#- dbt.safe_cast renders a plain cast on DuckDB (errors on bad input): use try_cast. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
