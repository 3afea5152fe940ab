{#- Column names a source table declares in its YAML (read from the graph at execution time;
    an empty list while parsing). Keeps wide layouts such as the vault matrix in one place. -#}
{% macro source_columns(source_name, table_name, exclude=[]) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == source_name and node.name == table_name -%}
                {%- for column in node.columns.values() -%}
                    {%- if column.name not in exclude -%}
                        {%- do names.append(column.name) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}
