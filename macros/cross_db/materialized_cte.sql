{#- The keyword that asks the engine to compute a CTE once, written between `name as` and its
    parenthesis: `step_2 as {{ sendwise.materialized_cte() }} (...)`. DuckDB inlines a CTE read only
    once, and a long chain of such CTEs (the template's 24 solver steps) makes its optimizer run for
    minutes; `materialized` keeps each step a separate plan. BigQuery has no such keyword (it plans a
    CTE read once as a subquery, which is what the chain needs there): nothing. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'sendwise')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro bigquery__materialized_cte() -%}
{%- endmacro %}
