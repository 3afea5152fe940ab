{#- A float rounded to `decimals` places the same way on both engines: round(x * 10^d) / 10^d, half
    away from zero, which is how DuckDB's round(x, d) computes it. BigQuery's ROUND(x, d) rounds the
    float's exact binary value instead, so a value printed as a decimal tie rounds the other way when
    its binary value lies just below it: round(2.675, 2) is 2.68 on DuckDB and 2.67 on BigQuery
    (checked on ZetaSQL's evaluator, docs/bigquery-checks.md). For floats only: a NUMERIC or DECIMAL
    value would come back a float. `decimals`: a whole number (the literal 1e<d>), or a SQL integer
    expression that is at least 0 (scaled by pow(10, d), exact for such d; DuckDB's round(x, d) takes
    the same power). -#}
{% macro round_float(expr, decimals) -%}
    {%- if decimals is integer and decimals < 0 -%}
        {{ exceptions.raise_compiler_error('round_float: decimals must be at least 0, not ' ~ decimals) }}
    {%- endif -%}
    {%- set scale = ('1e' ~ decimals) if decimals is integer else ('pow(10, ' ~ decimals ~ ')') -%}
    (round(({{ expr }}) * {{ scale }}) / {{ scale }})
{%- endmacro %}
