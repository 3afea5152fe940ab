{#- Integer value of a hex string of at most 15 digits ('0x' literal cast works on both engines). -#}
{% macro hex_to_int(hex_expr) -%}
    {{ return(adapter.dispatch('hex_to_int', 'sendwise')(hex_expr)) }}
{%- endmacro %}

{% macro default__hex_to_int(hex_expr) -%}
    cast('0x' || {{ hex_expr }} as bigint)
{%- endmacro %}

{% macro bigquery__hex_to_int(hex_expr) -%}
    cast(concat('0x', {{ hex_expr }}) as int64)
{%- endmacro %}
