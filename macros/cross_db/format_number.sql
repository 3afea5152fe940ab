{#- A number as text with a fixed number of decimals (printf-style '%.Nf'), identical on both engines;
    used to write changelog reasons in words. -#}
{% macro format_number(expr, decimals) -%}
    {{ return(adapter.dispatch('format_number', 'sendwise')(expr, decimals)) }}
{%- endmacro %}

{% macro default__format_number(expr, decimals) -%}
    printf('%.{{ decimals }}f', cast({{ expr }} as double))
{%- endmacro %}

{% macro bigquery__format_number(expr, decimals) -%}
    format('%.{{ decimals }}f', cast({{ expr }} as float64))
{%- endmacro %}
