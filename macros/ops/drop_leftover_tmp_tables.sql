{#- on-run-end hook: drop the `<model>__dbt_tmp<timestamp>` tables a run leaves behind. dbt-duckdb's Python
    incremental models (ml_text_embeddings, the LLM ledgers) stage their result in such a table and
    do not drop it. DuckDB only (BigQuery's temporary tables expire on their own); returns the SQL
    of one `drop table` per leftover, or a no-op `select 1`. -#}
{% macro drop_leftover_tmp_tables() -%}
    {{ return(adapter.dispatch('drop_leftover_tmp_tables', 'sendwise')()) }}
{%- endmacro %}

{% macro default__drop_leftover_tmp_tables() -%}
    select 1
{%- endmacro %}

{% macro duckdb__drop_leftover_tmp_tables() -%}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set found = run_query(
        "select table_schema, table_name from information_schema.tables "
        ~ "where table_catalog = current_database() and table_name like '%\\_\\_dbt\\_tmp%' escape '\\' "
        ~ "and table_type = 'BASE TABLE'") -%}
    {%- set statements = [] -%}
    {%- for row in found.rows -%}
        {%- do statements.append('drop table if exists "' ~ row[0] ~ '"."' ~ row[1] ~ '"') -%}
    {%- endfor -%}
    {{ return((statements | join(';\n')) if statements else 'select 1') }}
{%- endmacro %}
