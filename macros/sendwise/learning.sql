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

{#- Exact percentile_cont from ranks, as an aggregate over a group: the value at rank floor(pos)
    plus the fraction of pos x (the value at rank ceil(pos) minus it). Ranks are 0-based; a rank
    without a row (e.g. one of a page's zero-revenue days, not stored) has the value 0. Used where the
    fraction comes from a setting (the percentile functions need a literal). -#}
{% macro percentile_from_ranks(rank_column, value_column, position_column) -%}
    coalesce(max(case when {{ rank_column }} = floor({{ position_column }}) then {{ value_column }} end), 0)
        + max({{ position_column }} - floor({{ position_column }}))
        * (
            coalesce(max(case when {{ rank_column }} = ceil({{ position_column }}) then {{ value_column }} end), 0)
            - coalesce(max(case when {{ rank_column }} = floor({{ position_column }}) then {{ value_column }} end), 0)
        )
{%- endmacro %}

{#- int_page_weight_features: the winsorized revenue of one half of the slope window, summed over a
    page's days (an aggregate over daily_ranked joined to winsor_bounds and parameters): the sending
    days where `in_half` holds, each clamped to [p_low, p_high], plus p_low for each day of the half
    without a send (the half's observed days, `days_in_half` clamped to [0, slope_window_days], minus
    its sending days; a zero-revenue day clamps to p_low). -#}
{% macro winsorized_half_revenue(in_half, days_in_half) -%}
    coalesce(sum(
            case
                when {{ in_half }}
                    then {{ sendwise.clamp(
                        'daily_ranked.revenue', 'winsor_bounds.daily_revenue_p_low', 'winsor_bounds.daily_revenue_p_high'
                    ) }}
            end
        ), 0)
        + (
            {{ sendwise.clamp(days_in_half, '0', 'max(parameters.slope_window_days)') }}
            - sum(case when {{ in_half }} then 1 else 0 end)
        ) * max(winsor_bounds.daily_revenue_p_low)
{%- endmacro %}

{#- int_page_knob_signals: a knob's step from its signal - 0 when `unknown` holds (too few sends, no
    signal), +1 at or above `up`, -1 at or below `down`, else 0 - as a bigint. -#}
{% macro knob_step(unknown, value, up, down) -%}
    cast(
            case
                when {{ unknown }} then 0
                when {{ value }} >= {{ up }} then 1
                when {{ value }} <= {{ down }} then -1
                else 0
            end as {{ dbt.type_bigint() }}
        )
{%- endmacro %}

{#- int_page_knob_signals: the end of a knob's signal text - the signal against its thresholds (in
    percent) and the step: ' >= up% (<knob> +1)', ' <= down% (<knob> -1)' or
    ' inside (down%, up%) (<knob> holds)'. -#}
{% macro knob_step_text(value, up, down, knob) -%}
    case
                        when {{ value }} >= {{ up }}
                            then concat(' >= ', {{ sendwise.format_number('100 * ' ~ up, 1) }}, '% ({{ knob }} +1)')
                        when {{ value }} <= {{ down }}
                            then concat(' <= ', {{ sendwise.format_number('100 * ' ~ down, 1) }}, '% ({{ knob }} -1)')
                        else concat(
                                ' inside (', {{ sendwise.format_number('100 * ' ~ down, 1) }}, '%, ',
                                {{ sendwise.format_number('100 * ' ~ up, 1) }}, '%) ({{ knob }} holds)'
                            )
                    end
{%- endmacro %}
