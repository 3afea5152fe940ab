{#- Root-project override of dbt's is_incremental(). Online it is dbt's own answer. When
    compiling without introspection (the offline BigQuery gate: --no-introspect) there is no
    relation to look up, so it answers var('offline_is_incremental'); the gate compiles both
    branches by running once with each value. -#}
{% macro is_incremental() -%}
    {%- if not flags.INTROSPECT -%}
        {{ return(var('offline_is_incremental', false) | as_bool) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{%- endmacro %}
