{#- The lowercased column names a model, seed, snapshot or source's YAML documents, found in the
    graph by its relation (schema + name); none when the relation is not a graph node's (e.g. a
    test's `where:` subquery) or its YAML documents no column. Generic tests use it to reject an
    unknown column at compile time. -#}
{% macro documented_columns(relation) -%}
    {%- set node = sendwise.documented_node(relation) -%}
    {{ return(none if node is none else node.columns.values() | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}

{#- The graph node (model, seed, snapshot or source) whose relation is `relation` and whose YAML
    documents columns; none otherwise. -#}
{% macro documented_node(relation) -%}
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
    {{ return(found[0] if found | length == 1 and found[0].columns else none) }}
{%- endmacro %}

{#- Lowercased column name -> the data_type its YAML declares (none where it declares none); {} when
    the relation is no documented node's. -#}
{% macro declared_column_types(relation) -%}
    {%- set node = sendwise.documented_node(relation) -%}
    {%- set types = {} -%}
    {%- if node is not none -%}
        {%- for column in node.columns.values() -%}
            {%- do types.update({column.name | lower: column.data_type}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(types) }}
{%- endmacro %}
