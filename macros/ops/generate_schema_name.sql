{#- dbt's default schema naming (<target schema>_<custom schema>), spelled out so the rule is
    visible: on DuckDB sendwise_staging, sendwise_marts...; on BigQuery the same dataset names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
