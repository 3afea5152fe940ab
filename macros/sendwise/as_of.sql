{#- The reference time of a build (UTC timestamp literal): var('as_of') or, when unset, the run's
    start time, so every model of one run agrees and a rerun with the same as_of reproduces. -#}
{% macro as_of_text() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none or value == '' -%}
        {{ return(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }}
    {%- endif -%}
    {%- set value = value | string -%}
    {%- if modules.re.match('^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?$', value) is none -%}
        {{ exceptions.raise_compiler_error("var('as_of') must look like 'YYYY-MM-DD HH:MM:SS' (UTC), got: " ~ value) }}
    {%- endif -%}
    {{ return(value | replace('T', ' ')) }}
{%- endmacro %}

{% macro as_of() -%}
    cast('{{ as_of_text() }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- The oldest plausible raw timestamp: as_of minus the setting raw_max_history_days (staging
    quarantines older rows as implausible_date, e.g. a send dated in year 0024). -#}
{% macro oldest_plausible_at() -%}
    {{ sendwise.timestamp_minus_days(sendwise.as_of(), sendwise.setting('raw_max_history_days')) }}
{%- endmacro %}
