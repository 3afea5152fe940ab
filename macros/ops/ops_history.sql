{#- Config of an as_of history table (incremental, one set of rows per build): a build replaces
    the rows of its own as_of (DuckDB delete+insert on the column; BigQuery insert_overwrite of the
    as_of's hourly partition) and keeps every other build's; full_refresh=false so
    `dbt build --full-refresh` never loses the history (as weekly_plan_history does). -#}
{% macro as_of_history_config(column) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': ('insert_overwrite' if target.type == 'bigquery' else 'delete+insert'),
        'unique_key': (none if target.type == 'bigquery' else [column]),
        'partition_by': ({'field': column, 'data_type': 'timestamp', 'granularity': 'hour'}
            if target.type == 'bigquery' else none),
        'full_refresh': false,
        'on_schema_change': 'append_new_columns',
    }) }}
{%- endmacro %}

{#- Hours of a source's freshness limit (`level`: warn_after | error_after) as declared in its
    sources yml (graph.sources: table config over source config); none when the source declares no
    such limit. Raises when the project has no such source, so a renamed source cannot silently lose
    its freshness alert. -#}
{% macro source_freshness_hours(source_name, table_name, level) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set hours_per = {'minute': 1.0 / 60, 'hour': 1.0, 'day': 24.0} -%}
    {%- for node in graph.get('sources', {}).values() -%}
        {%- if node.package_name == project_name and node.source_name == source_name and node.name == table_name -%}
            {%- set limit = (node.freshness or {}).get(level) or {} -%}
            {%- if limit.get('count') is none or limit.get('period') is none -%}
                {{ return(none) }}
            {%- endif -%}
            {{ return(limit['count'] * hours_per[limit['period']]) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('source_freshness_hours: no source ' ~ source_name ~ '.' ~ table_name) }}
{%- endmacro %}

{#- The project's sources as 'source.table' names (for a completeness check at compile time). -#}
{% macro project_source_tables() -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for node in graph.get('sources', {}).values() -%}
            {%- if node.package_name == project_name -%}
                {%- do names.append(node.source_name ~ '.' ~ node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names | sort) }}
{%- endmacro %}

{#- The relation of another model of this project, found without ref() so that no DAG edge is made:
    the one way a model can read what a model downstream of it wrote at an earlier build (the price
    ladder reads earlier builds' experiment_results). Returns none when the table does not exist yet
    (a first build), at parse time, and in unit tests. Offline (no introspection, the BigQuery gate) it
    returns the relation when var offline_is_incremental is true, so both branches compile. Readers
    must only use rows of builds before their own as_of, so that a rebuild is reproducible. -#}
{% macro prior_build_relation(model_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = [] -%}
    {%- for node in graph.get('nodes', {}).values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name and node.name == model_name -%}
            {%- do found.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not found -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = found[0] -%}
    {%- if not flags.INTROSPECT -%}
        {%- if var('offline_is_incremental', false) | string | lower == 'true' -%}
            {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
        {%- endif -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#- Whether a relation (from prior_build_relation) has a column: true offline (no introspection: the
    compile assumes the current schema), else from the warehouse's column list. Lets a reader of an
    earlier build's table fall back when the table predates the column (a history table gains new
    columns only when its own model runs later in the build). -#}
{% macro relation_has_column(relation, column_name) -%}
    {%- if relation is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if not flags.INTROSPECT -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower == column_name | lower -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
