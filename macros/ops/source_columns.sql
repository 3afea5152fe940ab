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

{#- The family of a column type, on either engine: string, integer, number, boolean, timestamp,
    date or other (VARCHAR/STRING, BIGINT/INT64, DOUBLE/FLOAT64/NUMERIC, BOOLEAN/BOOL,
    TIMESTAMP/DATETIME/TIMESTAMP WITH TIME ZONE, DATE); the test has_declared_columns compares a
    raw column's family with its YAML's. -#}
{% macro column_type_family(data_type) -%}
    {%- set text = (data_type or '') | lower -%}
    {%- if 'char' in text or 'string' in text or 'text' in text -%}{{ return('string') }}
    {%- elif 'bool' in text -%}{{ return('boolean') }}
    {%- elif 'timestamp' in text or 'datetime' in text -%}{{ return('timestamp') }}
    {%- elif 'date' in text -%}{{ return('date') }}
    {%- elif 'int' in text -%}{{ return('integer') }}
    {%- elif 'double' in text or 'float' in text or 'real' in text or 'numeric' in text or 'decimal' in text -%}{{ return('number') }}
    {%- else -%}{{ return('other') }}
    {%- endif -%}
{%- endmacro %}
