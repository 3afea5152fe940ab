{#- A float rounded to `decimals` places the same way on both engines: round(x * 10^d) / 10^d, half
    away from zero, which is how DuckDB's round(x, d) computes it. BigQuery's ROUND(x, d) rounds the
    float's exact binary value instead, so a value printed as a decimal tie rounds the other way when
    its binary value lies just below it: round(2.675, 2) is 2.68 on DuckDB and 2.67 on BigQuery
    (checked on ZetaSQL's evaluator, docs/bigquery-checks.md). For floats only: a NUMERIC or DECIMAL
    value would come back a float. -#}
{% macro round_float(expr, decimals) -%}
    (round(({{ expr }}) * 1e{{ decimals }}) / 1e{{ decimals }})
{%- endmacro %}
