{#- dbt.type_float() renders a 32-bit float on DuckDB: money and probabilities need a double. -#}
{% macro duckdb__type_float() -%}
    double
{%- endmacro %}
