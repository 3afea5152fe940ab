{#- The learning epoch of as_of: whole learning_epoch_hours periods since 1970-01-01 00:00 UTC
    (12-hour epochs start at 00:00 and 12:00 UTC). One knob-learning step per page per epoch. -#}
{% macro learning_epoch_index() -%}
    cast(
        floor(
            {{ sendwise.epoch_seconds(sendwise.as_of()) }}
            / ({{ sendwise.setting('learning_epoch_hours') }} * 3600)
        ) as {{ dbt.type_bigint() }}
    )
{%- endmacro %}

{#- corr(x, y) that is null, not NaN, when either side has no spread (fewer than two distinct
    values): both engines return NaN there, which would poison every formula downstream. -#}
{% macro safe_corr(x, y) -%}
    case when stddev_pop({{ x }}) > 0 and stddev_pop({{ y }}) > 0 then corr({{ x }}, {{ y }}) end
{%- endmacro %}
