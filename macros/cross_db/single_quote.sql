{#- A one-character string holding an apostrophe (DuckDB doubles quotes inside literals,
    BigQuery escapes with a backslash; neither form is portable). -#}
{% macro single_quote() -%}
    {{ return(adapter.dispatch('single_quote', 'sendwise')()) }}
{%- endmacro %}

{% macro default__single_quote() -%}
    chr(39)
{%- endmacro %}

{% macro bigquery__single_quote() -%}
    "'"
{%- endmacro %}
