{#- The build's stamp columns for a mart a dashboard reads: `as_of` (the build's reference time)
    and `built_at` (when dbt started this run, UTC). After a failed build a mart that was not
    rebuilt keeps its old stamp, so a reader can tell it is stale. Render it as the last columns
    of the final select: `select ..., {{ sendwise.build_stamp() }} from final`. -#}
{% macro build_stamp() -%}
    {{ sendwise.as_of() }} as as_of,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as built_at
{%- endmacro %}
