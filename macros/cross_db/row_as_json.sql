{#- The whole row of a table alias as JSON text (kept with quarantined rows for audit). -#}
{% macro row_as_json(alias) -%}
    {{ return(adapter.dispatch('row_as_json', 'sendwise')(alias)) }}
{%- endmacro %}

{% macro default__row_as_json(alias) -%}
    cast(to_json({{ alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro bigquery__row_as_json(alias) -%}
    to_json_string({{ alias }})
{%- endmacro %}
