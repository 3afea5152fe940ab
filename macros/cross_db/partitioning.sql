{#- Physical layout of the large facts (sends, chat rows and their per-row enriched forms), used in
    their config() blocks. On BigQuery: partitioned by the UTC day of their timestamp and clustered
    by page, so a window written as `<timestamp> >= <constant>` reads only the days it needs and a
    page's rows sit together; the two staging facts are tables there, because a view cannot be
    partitioned and every reader of a view over the raw source would scan all of its history.
    On DuckDB nothing changes (no partitions; the staging facts stay views). -#}

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

{#- materialized config of a staging fact: a table on BigQuery (to be partitioned), a view elsewhere. -#}
{% macro staging_fact_materialization() -%}
    {{ return(adapter.dispatch('staging_fact_materialization', 'sendwise')()) }}
{%- endmacro %}

{% macro default__staging_fact_materialization() -%}
    {{ return('view') }}
{%- endmacro %}

{% macro bigquery__staging_fact_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
