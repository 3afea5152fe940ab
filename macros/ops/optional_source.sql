{#- A source that may be absent: the source relation, or on DuckDB, when the raw table does not exist,
    an empty subquery with the source's declared columns and types. A user with a chat log alone
    (no agency.pages, no agency.caption_bank) can then build the fan analytics; pages, when present,
    only add each page's time zone. BigQuery always reads the source (a missing raw table there is
    a deployment error, caught by the freshness check). Used only by staging base models. -#}
{% macro optional_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) is not none -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(sendwise.empty_source_rows(source_name, table_name)) }}
{%- endmacro %}

{#- An empty subquery with a source's declared columns (data_type from its YAML). -#}
{% macro empty_source_rows(source_name, table_name) -%}
    {%- set columns = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {%- for column in node.columns.values() -%}
                {%- do columns.append('cast(null as ' ~ (column.data_type or 'varchar') ~ ') as ' ~ adapter.quote(column.name)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('(select ' ~ (columns | join(', ')) ~ ' where 1 = 0)') }}
{%- endmacro %}

{#- A relation, or on DuckDB when it does not exist an empty one-column subquery (to count 0 rows
    of a raw table that optional_source allows to be absent). -#}
{% macro relation_or_empty(relation) -%}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) is not none -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return('(select 1 as missing_relation where 1 = 0)') }}
{%- endmacro %}
