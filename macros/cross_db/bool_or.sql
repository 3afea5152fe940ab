{#- Logical OR aggregate. -#}
{% macro bool_or(expr) -%}
    {{ return(adapter.dispatch('bool_or', 'sendwise')(expr)) }}
{%- endmacro %}

{% macro default__bool_or(expr) -%}
    bool_or({{ expr }})
{%- endmacro %}

{% macro bigquery__bool_or(expr) -%}
    logical_or({{ expr }})
{%- endmacro %}
