{#- BigQuery implementation of dbt.generate_series(upper_bound): the integers 1..upper_bound in a
    column generated_number, typed INT64. dbt's default sums p_i * power(2, i), which is FLOAT64
    on BigQuery, so `interval generated_number hour` and `mod(generated_number, ...)` are rejected
    there. dbt.generate_series dispatches in the `dbt` namespace without a search order, so
    adapter.dispatch looks in the root project first: this macro replaces dbt's
    default__generate_series on BigQuery for every caller (models, tests, analyses, date_spine).
    DuckDB keeps dbt-duckdb's duckdb__generate_series (BIGINT already). upper_bound is a number
    known at compile time (dbt's own contract); for a bound computed at run time use
    sendwise.integer_series. -#}
{% macro bigquery__generate_series(upper_bound) -%}
    {%- set bound = upper_bound | int if upper_bound is number else upper_bound -%}
    select generated_number
    from unnest(generate_array(1, cast({{ bound }} as int64))) as generated_number
{%- endmacro %}
