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

{#- The category columns of the vault matrix: the boolean columns the raw table actually has, other
    than page_name, in the table's order (an agency's vault has the categories it keeps: a category
    column the YAML does not declare is read, a declared one the table lacks is simply not there).
    Compiled without introspection (the BigQuery gate, parsing) or before the table exists: the
    declared columns. Columns of another type are not categories; the warn test
    assert_vault_matrix_columns_are_categories lists them. Returns the names as the table spells
    them: quote them with adapter.quote, lower-case them for the category. -#}
{% macro vault_category_columns() -%}
    {%- set declared = sendwise.source_columns('agency', 'vault_matrix', exclude=['page_name']) -%}
    {%- set present = sendwise.vault_matrix_columns() -%}
    {%- if present is none -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in present if column.name | lower != 'page_name'
        and sendwise.column_type_family(column.dtype) == 'boolean' -%}
        {%- do names.append(column.name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- The columns of the raw vault matrix (adapter metadata), or none when they cannot be read: while
    parsing, compiled without introspection, or when the table does not exist yet. -#}
{% macro vault_matrix_columns() -%}
    {%- if not execute or not flags.INTROSPECT -%}
        {{ return(none) }}
    {%- endif -%}
    {#- the source's location from the graph: source() at run time would be a dependency the model
        did not declare while parsing -#}
    {%- for node in graph.sources.values() if node.source_name == 'agency' and node.name == 'vault_matrix' -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.identifier) -%}
        {%- if relation is not none -%}
            {{ return(adapter.get_columns_in_relation(relation)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
