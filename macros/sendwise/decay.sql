{#- Exponential decay weight 0.5 ^ (age_days / half_life_days). -#}
{% macro decay_weight(age_days, half_life_days) -%}
    power(0.5, ({{ age_days }}) / ({{ half_life_days }}))
{%- endmacro %}

{#- Age in fractional days of a UTC timestamp relative to as_of. -#}
{% macro age_days(ts) -%}
    (({{ sendwise.epoch_seconds(sendwise.as_of()) }} - {{ sendwise.epoch_seconds(ts) }}) / 86400.0)
{%- endmacro %}

{#- Clamp a value into [low, high] (null stays null on both engines). -#}
{% macro clamp(value, low, high) -%}
    case
        when ({{ value }}) is null then null
        when ({{ value }}) < ({{ low }}) then ({{ low }})
        when ({{ value }}) > ({{ high }}) then ({{ high }})
        else ({{ value }})
    end
{%- endmacro %}
