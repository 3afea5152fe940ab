{#- dbt's default schema naming (<target schema>_<custom schema>), spelled out so the rule is
    visible: on DuckDB sendwise_staging, sendwise_marts...; on BigQuery the same dataset names,
    except that models holding personal data (meta contains_pii: the chat staging and the fans
    folders, see dbt_project.yml) go to one dataset, <target schema>_pii, whose access is granted
    separately (docs/bigquery.md). The rule per engine is sendwise.personal_data_schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set custom_schema_name = sendwise.personal_data_schema(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
