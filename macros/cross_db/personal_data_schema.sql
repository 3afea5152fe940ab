{#- The custom schema of a node given its layer's custom schema. On BigQuery a model whose meta
    says contains_pii goes to the personal-data dataset ('pii', so <target schema>_pii): access to
    fan ids and chat text is then granted on one dataset, and the other datasets can be shared
    freely. On DuckDB (one file, no access control) every node keeps its layer's schema, so the
    demo and everything that reads it (sendwise commands, pytest) see the same schemas. -#}
{% macro personal_data_schema(custom_schema_name, node) -%}
    {{ return(adapter.dispatch('personal_data_schema', 'sendwise')(custom_schema_name, node)) }}
{%- endmacro %}

{% macro default__personal_data_schema(custom_schema_name, node) -%}
    {{ return(custom_schema_name) }}
{%- endmacro %}

{% macro bigquery__personal_data_schema(custom_schema_name, node) -%}
    {%- set meta = (node.config.meta if node is not none and node.config is defined else none) or {} -%}
    {%- if node is not none and node.resource_type == 'model' and meta.get('contains_pii', false) -%}
        {{ return('pii') }}
    {%- endif -%}
    {{ return(custom_schema_name) }}
{%- endmacro %}
