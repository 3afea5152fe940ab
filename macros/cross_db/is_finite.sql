{#- True when a FLOAT expression is a finite number, false for NaN and +/-inf, null for null
    (DuckDB isfinite; BigQuery has no isfinite: not is_nan and not is_inf). -#}
{% macro is_finite(expr) -%}
    {{ return(adapter.dispatch('is_finite', 'sendwise')(expr)) }}
{%- endmacro %}

{% macro default__is_finite(expr) -%}
    isfinite({{ expr }})
{%- endmacro %}

{% macro bigquery__is_finite(expr) -%}
    (not is_nan({{ expr }}) and not is_inf({{ expr }}))
{%- endmacro %}
