{#- Read a parameter from the settings_modeling seed (one place for every tunable number).
    Renders an uncorrelated scalar subquery, evaluated once per query on both engines; dbt unit
    tests use the seed itself unless a test overrides ref('settings_modeling'). -#}
{% macro setting(name) -%}
    (select cast(settings_modeling.setting_value as {{ dbt.type_float() }})
     from {{ ref('settings_modeling') }} as settings_modeling
     where settings_modeling.setting_name = '{{ name }}')
{%- endmacro %}

{% macro setting_text(name) -%}
    (select cast(settings_modeling.setting_value as {{ dbt.type_string() }})
     from {{ ref('settings_modeling') }} as settings_modeling
     where settings_modeling.setting_name = '{{ name }}')
{%- endmacro %}
