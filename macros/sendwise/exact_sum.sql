{#- The sum of a money expression as an exact decimal, returned as a float: a float sum adds in
    another order on every build (parallel aggregation), so its last bits differ between two builds of
    the same rows, and a mean or a text of it that lands on a half cent rounds either way (a
    knob's reason once read $4.78 in one build and $4.79 in the other). The decimal has 6 places on
    DuckDB (dbt.type_numeric) and 9 on BigQuery: far below a cent. `decimals`: rounded on the decimal
    (half away from zero on both engines: 1.0 + 0.005 -> 1.01), not on the float, whose nearest value
    to 1.005 is below it (DuckDB's round gives 1.0). -#}
{% macro exact_sum(expression, decimals=none) -%}
    {%- if decimals is none -%}
        cast(sum(cast({{ expression }} as {{ dbt.type_numeric() }})) as {{ dbt.type_float() }})
    {%- else -%}
        cast(round(sum(cast({{ expression }} as {{ dbt.type_numeric() }})), {{ decimals }}) as {{ dbt.type_float() }})
    {%- endif -%}
{%- endmacro %}
