{#- The lowercased column names a model, seed, snapshot or source's YAML documents, found in the
    graph by its relation (schema + name); none when the relation is not a graph node's (e.g. a
    test's `where:` subquery) or its YAML documents no column. Generic tests use it to reject an
    unknown column at compile time. -#}
{% macro documented_columns(relation) -%}
    {%- if not execute or relation is string or relation.identifier is not defined or relation.identifier is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set identifier = relation.identifier | lower -%}
    {%- set schema = (relation.schema or '') | lower -%}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type in ['model', 'seed', 'snapshot']
            and (node.alias or node.name) | lower == identifier and (node.schema or '') | lower == schema -%}
            {%- do found.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in graph.sources.values() -%}
        {%- if (node.identifier or node.name) | lower == identifier and (node.schema or '') | lower == schema -%}
            {%- do found.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found | length != 1 or not found[0].columns -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(found[0].columns.values() | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}
