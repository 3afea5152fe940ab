{#- Regular expressions (RE2 on both engines); replace_all replaces every match. -#}
{% macro regexp_replace_all(value, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'sendwise')(value, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro bigquery__regexp_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{% macro regexp_contains(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'sendwise')(value, pattern)) }}
{%- endmacro %}

{% macro default__regexp_contains(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro bigquery__regexp_contains(value, pattern) -%}
    regexp_contains({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro regexp_count(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_count', 'sendwise')(value, pattern)) }}
{%- endmacro %}

{% macro default__regexp_count(value, pattern) -%}
    len(regexp_extract_all({{ value }}, {{ pattern }}))
{%- endmacro %}

{% macro bigquery__regexp_count(value, pattern) -%}
    array_length(regexp_extract_all({{ value }}, {{ pattern }}))
{%- endmacro %}

{#- The text captured by the one capture group of the pattern (null when no match). -#}
{% macro regexp_extract_group(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_extract_group', 'sendwise')(value, pattern)) }}
{%- endmacro %}

{% macro default__regexp_extract_group(value, pattern) -%}
    nullif(regexp_extract({{ value }}, {{ pattern }}, 1), '')
{%- endmacro %}

{% macro bigquery__regexp_extract_group(value, pattern) -%}
    regexp_extract({{ value }}, {{ pattern }})
{%- endmacro %}
