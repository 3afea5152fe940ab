{#- The build's stamp columns for every mart a dashboard or export reads (an exposure's
    depends_on; `sendwise rules-check` requires them): `as_of` (the build's reference time) and
    `built_at` (when dbt started this run, UTC). After a failed build a mart that was not rebuilt
    keeps its old stamp, so a reader can tell it is stale. Render it as the last columns of the
    final select: `select final.*, {{ sendwise.build_stamp() }} from final`. The Python marts add
    the same columns with `with_build_stamp` (python_models/fans/fan_clusters.py and the others). -#}
{% macro build_stamp() -%}
    {{ sendwise.as_of() }} as as_of,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at
{%- endmacro %}
