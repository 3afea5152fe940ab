-- The knob learner's signals and rule verdicts for every active page at as_of (docs/learning.md). Pure
-- function of the data and the config, no state: page_knob_learning_steps applies the verdicts to
-- the learned state. Windows of knob_window_days (14) before as_of:
--   earnings_lift   (earnings last window - earnings previous window) / earnings previous window
--                   quota step +1 when >= quota_nudge_lift_up, -1 when <= quota_nudge_lift_down
--   sell_rate       share of the last window's PPV sends with earnings > 0
--                   hour-pool step +1 when >= hour_pool_sell_rate_up, -1 when <= ..._down
--   rps_high/low    mean earnings per PPV send in the last window priced at or above / below the
--                   window's median PPV price; price bias premium when (high - low) / low >=
--                   price_bias_rps_margin, value when (low - high) / high >= it, else neutral
--   confidence      min(1, log10(1 + PPV sends in both windows) / log10(1 + knob_confidence_full_sends))
-- A signal with fewer than knob_min_sends sends proposes nothing ("hold"). The gate closes the
-- whole step when auto-tune is off for the page, as_of is before freeze_until, or the confidence
-- is below knob_min_confidence.
{%- set margin_pct = sendwise.format_number('100 * rps_margin', 1) %}
with learner_config as (
    select * from {{ ref('int_page_learner_config') }}
),

pages as (
    select page_key
    from learner_config
    where is_active
),

parameters as (
    select
        {{ sendwise.setting('knob_window_days') }} as knob_window_days,
        {{ sendwise.setting('quota_nudge_lift_up') }} as lift_up,
        {{ sendwise.setting('quota_nudge_lift_down') }} as lift_down,
        {{ sendwise.setting('hour_pool_sell_rate_up') }} as sell_rate_up,
        {{ sendwise.setting('hour_pool_sell_rate_down') }} as sell_rate_down,
        {{ sendwise.setting('price_bias_rps_margin') }} as rps_margin,
        {{ sendwise.setting('knob_min_sends') }} as min_sends,
        {{ sendwise.setting('knob_confidence_full_sends') }} as confidence_full_sends,
        {{ sendwise.setting('knob_min_confidence') }} as min_confidence
),

sends as (
    select
        enriched.page_key,
        enriched.is_ppv,
        enriched.price,
        enriched.earnings,
        enriched.sent_at > {{ sendwise.window_start('knob_window_days') }} as is_recent
    from {{ ref('int_mass_messages_enriched') }} as enriched
    where enriched.sent_at > {{ sendwise.window_start('knob_window_days', 2) }}
),

recent_ppv as (
    select
        page_key,
        price,
        earnings,
        {{ sendwise.percentile_cont_over('price', 0.5, 'page_key') }} as split_price
    from sends
    where is_recent and is_ppv
),

price_sides as (
    select
        page_key,
        max(split_price) as split_price,
        cast(sum(case when price >= split_price then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends_high,
        cast(sum(case when price < split_price then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends_low,
        {{ sendwise.safe_divide(
            sendwise.exact_sum('case when price >= split_price then earnings else 0 end'),
            'sum(case when price >= split_price then 1 else 0 end)'
        ) }} as rps_high_price,
        {{ sendwise.safe_divide(
            sendwise.exact_sum('case when price < split_price then earnings else 0 end'),
            'sum(case when price < split_price then 1 else 0 end)'
        ) }} as rps_low_price
    from recent_ppv
    group by 1
),

windows as (
    select
        page_key,
        cast(sum(case when is_recent then 1 else 0 end) as {{ dbt.type_bigint() }}) as sends_recent,
        cast(sum(case when is_recent then 0 else 1 end) as {{ dbt.type_bigint() }}) as sends_previous,
        {{ sendwise.exact_sum('case when is_recent then earnings else 0 end') }} as earnings_recent,
        {{ sendwise.exact_sum('case when is_recent then 0 else earnings end') }} as earnings_previous,
        cast(sum(case when is_ppv then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends_both_windows,
        cast(sum(case when is_recent and is_ppv then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends_recent,
        cast(sum(case when is_recent and is_ppv and earnings > 0 then 1 else 0 end) as {{ dbt.type_bigint() }})
            as ppv_sends_sold_recent
    from sends
    group by 1
),

signals as (
    select
        pages.page_key,
        coalesce(windows.sends_recent, 0) as sends_recent,
        coalesce(windows.sends_previous, 0) as sends_previous,
        coalesce(windows.earnings_recent, 0) as earnings_recent,
        coalesce(windows.earnings_previous, 0) as earnings_previous,
        {{ sendwise.safe_divide(
            'windows.earnings_recent - windows.earnings_previous', 'windows.earnings_previous'
        ) }} as earnings_lift,
        coalesce(windows.ppv_sends_recent, 0) as ppv_sends_recent,
        {{ sendwise.safe_divide('windows.ppv_sends_sold_recent', 'windows.ppv_sends_recent') }} as sell_rate,
        price_sides.split_price,
        coalesce(price_sides.ppv_sends_high, 0) as ppv_sends_high_price,
        coalesce(price_sides.ppv_sends_low, 0) as ppv_sends_low_price,
        price_sides.rps_high_price,
        price_sides.rps_low_price,
        coalesce(windows.ppv_sends_both_windows, 0) as ppv_sends_both_windows,
        {{ sendwise.clamp(
            'log10(1 + coalesce(windows.ppv_sends_both_windows, 0)) / log10(1 + parameters.confidence_full_sends)',
            '0', '1'
        ) }} as confidence,
        learner_config.auto_tune_enabled,
        learner_config.freeze_until,
        parameters.*
    from pages
    cross join parameters
    left join windows on pages.page_key = windows.page_key
    left join price_sides on pages.page_key = price_sides.page_key
    left join learner_config on pages.page_key = learner_config.page_key
),

verdicts as (
    select
        *,
        {{ sendwise.knob_step(
            'sends_recent < min_sends or sends_previous < min_sends or earnings_lift is null',
            'earnings_lift', 'lift_up', 'lift_down'
        ) }} as quota_step,
        {{ sendwise.knob_step(
            'ppv_sends_recent < min_sends or sell_rate is null', 'sell_rate', 'sell_rate_up', 'sell_rate_down'
        ) }} as hour_pool_step,
        case
            when
                ppv_sends_high_price < min_sends or ppv_sends_low_price < min_sends
                or rps_high_price is null or rps_low_price is null
                then 'hold'
            when {{ sendwise.safe_divide('rps_high_price - rps_low_price', 'rps_low_price') }} >= rps_margin
                then 'premium'
            when {{ sendwise.safe_divide('rps_low_price - rps_high_price', 'rps_high_price') }} >= rps_margin
                then 'value'
            else 'neutral'
        end as price_bias_verdict,
        case
            when not coalesce(auto_tune_enabled, true) then 'auto_tune_disabled'
            when freeze_until is not null and {{ sendwise.as_of() }} < freeze_until then 'frozen'
            when confidence < min_confidence then 'low_confidence'
            else 'open'
        end as learning_gate
    from signals
),

final as (
    select
        page_key,
        sends_recent,
        sends_previous,
        earnings_recent,
        earnings_previous,
        earnings_lift,
        ppv_sends_recent,
        sell_rate,
        split_price,
        ppv_sends_high_price,
        ppv_sends_low_price,
        rps_high_price,
        rps_low_price,
        ppv_sends_both_windows,
        confidence,
        quota_step,
        hour_pool_step,
        price_bias_verdict,
        learning_gate,
        auto_tune_enabled,
        freeze_until,
        -- the measurement and the verdict in words (the step adds the state change)
        case
            when sends_recent < min_sends or sends_previous < min_sends or earnings_lift is null
                then concat(
                        'earnings lift unknown: ', cast(sends_recent as {{ dbt.type_string() }}), ' and ',
                        cast(sends_previous as {{ dbt.type_string() }}), ' sends in the last two ',
                        {{ sendwise.format_number('knob_window_days', 0) }},
                        '-day windows (need ', {{ sendwise.format_number('min_sends', 0) }},
                        ' each, and earnings before)'
                    )
            else concat(
                    'earnings last ', {{ sendwise.format_number('knob_window_days', 0) }},
                    ' d $', {{ sendwise.format_number('earnings_recent', 0) }},
                    ' vs previous $', {{ sendwise.format_number('earnings_previous', 0) }},
                    ': lift ', {{ sendwise.format_number('100 * earnings_lift', 1) }}, '%',
                    {{ sendwise.knob_step_text('earnings_lift', 'lift_up', 'lift_down', 'quota') }}
                )
        end as quota_signal,
        case
            when ppv_sends_recent < min_sends or sell_rate is null
                then concat(
                        'sell rate unknown: ', cast(ppv_sends_recent as {{ dbt.type_string() }}),
                        ' PPV sends in the last window (need ',
                        {{ sendwise.format_number('min_sends', 0) }}, ')'
                    )
            else concat(
                    'sell rate ', {{ sendwise.format_number('100 * sell_rate', 1) }}, '% of ',
                    cast(ppv_sends_recent as {{ dbt.type_string() }}), ' PPV sends',
                    {{ sendwise.knob_step_text('sell_rate', 'sell_rate_up', 'sell_rate_down', 'hour pool') }}
                )
        end as hour_pool_signal,
        case
            when price_bias_verdict = 'hold'
                then concat(
                        'price test unknown: ', cast(ppv_sends_high_price as {{ dbt.type_string() }}),
                        ' PPV sends at or above the median price and ',
                        cast(ppv_sends_low_price as {{ dbt.type_string() }}),
                        ' below (need ',
                        {{ sendwise.format_number('min_sends', 0) }},
                        ' each)'
                    )
            else concat(
                    'revenue per PPV send $', {{ sendwise.format_number('rps_high_price', 2) }},
                    ' at or above the median price $', {{ sendwise.format_number('split_price', 2) }},
                    ' vs $', {{ sendwise.format_number('rps_low_price', 2) }}, ' below',
                    case price_bias_verdict
                        when 'premium' then concat(': higher prices earn ', {{ margin_pct }}, '% or more (premium)')
                        when 'value' then concat(': lower prices earn ', {{ margin_pct }}, '% or more (value)')
                        else concat(': within ', {{ margin_pct }}, '% (neutral)')
                    end
                )
        end as price_bias_signal,
        case learning_gate
            when 'auto_tune_disabled' then 'auto-tune is disabled for this page (page_learner_config)'
            when 'frozen'
                then concat(
                        'frozen until ', {{ sendwise.format_timestamp('freeze_until', '%Y-%m-%d %H:%M') }}, ' UTC'
                    )
            when 'low_confidence'
                then concat(
                        'confidence ', {{ sendwise.format_number('confidence', 2) }}, ' < ',
                        {{ sendwise.format_number('min_confidence', 2) }}, ' (',
                        cast(ppv_sends_both_windows as {{ dbt.type_string() }}), ' PPV sends)'
                    )
            else 'open'
        end as gate_reason,
        {{ sendwise.as_of() }} as computed_at
    from verdicts
)

select * from final
