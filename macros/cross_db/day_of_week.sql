{#- ISO day of week: 1 = Monday ... 7 = Sunday, on both engines. -#}
{% macro iso_day_of_week(ts) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'sendwise')(ts)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(ts) -%}
    isodow({{ ts }})
{%- endmacro %}

{% macro bigquery__iso_day_of_week(ts) -%}
    (mod(extract(dayofweek from {{ ts }}) + 5, 7) + 1)
{%- endmacro %}
