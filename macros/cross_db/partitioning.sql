{#- Physical layout of the large facts (sends, chat rows and their per-row enriched forms), used in
    their config() blocks. On BigQuery: partitioned by the UTC day of their timestamp and clustered
    by page, so a window written as `<timestamp> >= <constant>` reads only the days it needs and a
    page's rows sit together (staging is a layer of tables on every engine: dbt_project.yml). On
    DuckDB nothing changes (no partitions). -#}

{#- partition_by config: the UTC day of a TIMESTAMP column (none off BigQuery). -#}
{% macro fact_partition_by(column) -%}
    {{ return(adapter.dispatch('fact_partition_by', 'sendwise')(column)) }}
{%- endmacro %}

{% macro default__fact_partition_by(column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro bigquery__fact_partition_by(column) -%}
    {{ return({'field': column, 'data_type': 'timestamp', 'granularity': 'day'}) }}
{%- endmacro %}

{#- cluster_by config: the page key (none off BigQuery). -#}
{% macro fact_cluster_by() -%}
    {{ return(adapter.dispatch('fact_cluster_by', 'sendwise')()) }}
{%- endmacro %}

{% macro default__fact_cluster_by() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro bigquery__fact_cluster_by() -%}
    {{ return(['page_key']) }}
{%- endmacro %}
