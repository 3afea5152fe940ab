{#- Exact continuous percentile as a window over a partition (BigQuery has exact
    percentile_cont only as an analytic function; approx_quantiles is approximate). -#}
{% macro percentile_cont_over(expr, fraction, partition_by) -%}
    {{ return(adapter.dispatch('percentile_cont_over', 'sendwise')(expr, fraction, partition_by)) }}
{%- endmacro %}

{% macro default__percentile_cont_over(expr, fraction, partition_by) -%}
    quantile_cont({{ expr }}, {{ fraction }}) over (partition by {{ partition_by }})
{%- endmacro %}

{% macro bigquery__percentile_cont_over(expr, fraction, partition_by) -%}
    percentile_cont({{ expr }}, {{ fraction }}) over (partition by {{ partition_by }})
{%- endmacro %}
