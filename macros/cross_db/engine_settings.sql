{#- on-run-start: the engine orders NULLs as BigQuery does (the smallest value: first ascending, last
    descending). DuckDB does so only with the profile's `default_null_order:
    nulls_first_on_asc_last_on_desc` (profiles.example.yml); a profiles.yml made before that line was
    added would build with DuckDB's own order (NULLs last both ways), numbering window rows over a
    column with NULLs differently from production. Stops the command in one line naming the fix.
    BigQuery needs no check. -#}
{% macro check_engine_settings() -%}
    {{ return(adapter.dispatch('check_engine_settings', 'sendwise')()) }}
{%- endmacro %}

{% macro default__check_engine_settings() -%}
    {%- if execute -%}
        {%- set found = run_query("select current_setting('default_null_order')") -%}
        {%- set value = (found.columns[0].values()[0] | string | lower) if found and found.rows else '' -%}
        {%- if value != 'nulls_first_on_asc_last_on_desc' -%}
            {{ exceptions.raise_compiler_error(
                "profiles.yml: the DuckDB output orders NULLs '" ~ value ~ "', not as BigQuery does; add"
                ~ " `default_null_order: nulls_first_on_asc_last_on_desc` under its settings (as in profiles.example.yml)"
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro bigquery__check_engine_settings() -%}
    select 1
{%- endmacro %}
