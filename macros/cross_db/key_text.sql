{#- Text of a typed value for a key or a hash that prints the same on every engine. A plain cast to
    STRING does not: BigQuery prints 20.0 as '20' and a TIMESTAMP with '+00', DuckDB '20.0' and no
    zone. kind: 'float' (six decimals), 'timestamp' (UTC, microseconds) or 'boolean'. Null stays null. -#}
{% macro key_text(expr, kind) -%}
    {{ return(adapter.dispatch('key_text', 'sendwise')(expr, kind)) }}
{%- endmacro %}

{% macro default__key_text(expr, kind) -%}
    {%- if kind == 'float' -%}
        {{ sendwise.format_number(expr, 6) }}
    {%- elif kind == 'timestamp' -%}
        strftime(cast({{ expr }} as timestamp), '%Y-%m-%d %H:%M:%S.%f')
    {%- elif kind == 'boolean' -%}
        case when {{ expr }} then 'true' when not {{ expr }} then 'false' end
    {%- else -%}
        {{ exceptions.raise_compiler_error("key_text: unknown kind '" ~ kind ~ "' (float, timestamp, boolean)") }}
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__key_text(expr, kind) -%}
    {%- if kind == 'timestamp' -%}
        format_timestamp('%Y-%m-%d %H:%M:%E6S', {{ expr }}, 'UTC')
    {%- else -%}
        {{ sendwise.default__key_text(expr, kind) }}
    {%- endif -%}
{%- endmacro %}
