-- The four personalization weights of every page (docs/learning.md), recomputed every run from
-- int_page_weight_features and mapped linearly into their ranges (coefficients in settings_modeling):
--   weight_volume    = clamp(1 + weight_volume_coef * (volume_perf - 1))                  [0.80, 1.60]
--   weight_price     = clamp(1 + weight_price_corr_coef * corr_final)                     [0.90, 1.15]
--   weight_hours     = clamp(weight_hours_base + weight_hours_peak_coef * (hour_peak_ratio - 1))
--                                                                                          [0.90, 1.50]
--   exploration_rate = clamp(exploration_rate_reference
--                            - exploration_peak_coef * (hour_peak_ratio - exploration_peak_ratio_ref)
--                            + exploration_slope_coef * min(|slope_pct_7d|, exploration_slope_cap))
--                                                                                          [0.10, 0.25]
-- Pages with fewer than weight_min_sends sends in the window get neutral weights (1.0) and the
-- highest exploration rate (little history: explore). Consumers: weight_volume scales the daily
-- quota, weight_price picks the price mode, weight_hours narrows (> 1) or widens (< 1) the hour
-- pool, exploration_rate scales the UCB sigma (ucb_sigma_multiplier = rate / reference).
with features as (
    select * from {{ ref('int_page_weight_features') }}
),

parameters as (
    select
        {{ sendwise.setting('weight_volume_min') }} as weight_volume_min,
        {{ sendwise.setting('weight_volume_max') }} as weight_volume_max,
        {{ sendwise.setting('weight_price_min') }} as weight_price_min,
        {{ sendwise.setting('weight_price_max') }} as weight_price_max,
        {{ sendwise.setting('weight_hours_min') }} as weight_hours_min,
        {{ sendwise.setting('weight_hours_max') }} as weight_hours_max,
        {{ sendwise.setting('exploration_rate_min') }} as exploration_rate_min,
        {{ sendwise.setting('exploration_rate_max') }} as exploration_rate_max,
        {{ sendwise.setting('exploration_rate_reference') }} as exploration_rate_reference,
        {{ sendwise.setting('weight_volume_coef') }} as weight_volume_coef,
        {{ sendwise.setting('weight_price_corr_coef') }} as weight_price_corr_coef,
        {{ sendwise.setting('weight_hours_base') }} as weight_hours_base,
        {{ sendwise.setting('weight_hours_peak_coef') }} as weight_hours_peak_coef,
        {{ sendwise.setting('exploration_peak_ratio_ref') }} as exploration_peak_ratio_ref,
        {{ sendwise.setting('exploration_peak_coef') }} as exploration_peak_coef,
        {{ sendwise.setting('exploration_slope_coef') }} as exploration_slope_coef,
        {{ sendwise.setting('exploration_slope_cap') }} as exploration_slope_cap,
        {{ sendwise.setting('weight_min_sends') }} as weight_min_sends,
        cast({{ sendwise.setting('weight_round_decimals') }} as {{ dbt.type_int() }}) as round_decimals
),

mapped as (
    select
        features.*,
        parameters.round_decimals,
        parameters.exploration_rate_reference,
        parameters.weight_min_sends,
        case
            when features.is_history_sufficient and features.volume_perf is not null
                then {{ sendwise.clamp(
                    '1 + parameters.weight_volume_coef * (features.volume_perf - 1)',
                    'parameters.weight_volume_min', 'parameters.weight_volume_max'
                ) }}
            else 1.0
        end as weight_volume_unrounded,
        case
            when features.is_history_sufficient
                then {{ sendwise.clamp(
                    '1 + parameters.weight_price_corr_coef * features.corr_final',
                    'parameters.weight_price_min', 'parameters.weight_price_max'
                ) }}
            else 1.0
        end as weight_price_unrounded,
        case
            when features.is_history_sufficient and features.hour_peak_ratio is not null
                then {{ sendwise.clamp(
                    'parameters.weight_hours_base + parameters.weight_hours_peak_coef * (features.hour_peak_ratio - 1)',
                    'parameters.weight_hours_min', 'parameters.weight_hours_max'
                ) }}
            else 1.0
        end as weight_hours_unrounded,
        case
            when features.is_history_sufficient
                then {{ sendwise.clamp(
                    'parameters.exploration_rate_reference'
                    ~ ' - parameters.exploration_peak_coef'
                    ~ ' * (coalesce(features.hour_peak_ratio, parameters.exploration_peak_ratio_ref)'
                    ~ ' - parameters.exploration_peak_ratio_ref)'
                    ~ ' + parameters.exploration_slope_coef * '
                    ~ sendwise.clamp('abs(coalesce(features.slope_pct_7d, 0))', '0', 'parameters.exploration_slope_cap'),
                    'parameters.exploration_rate_min', 'parameters.exploration_rate_max'
                ) }}
            else parameters.exploration_rate_max
        end as exploration_rate_unrounded
    from features
    cross join parameters
),

final as (
    select
        page_key,
        cast({{ sendwise.round_float('weight_volume_unrounded', 'round_decimals') }} as {{ dbt.type_float() }})
            as weight_volume,
        cast({{ sendwise.round_float('weight_price_unrounded', 'round_decimals') }} as {{ dbt.type_float() }})
            as weight_price,
        cast({{ sendwise.round_float('weight_hours_unrounded', 'round_decimals') }} as {{ dbt.type_float() }})
            as weight_hours,
        cast({{ sendwise.round_float('exploration_rate_unrounded', 'round_decimals') }} as {{ dbt.type_float() }})
            as exploration_rate,
        {{ sendwise.as_of() }} as computed_at,
        cast(
            {{ sendwise.round_float('exploration_rate_unrounded', 'round_decimals') }} / exploration_rate_reference
            as {{ dbt.type_float() }}
        ) as ucb_sigma_multiplier,
        is_active,
        creator_tier,
        is_history_sufficient,
        case
            when is_history_sufficient then 'features'
            else concat(
                    'neutral: ', cast(sends_in_window as {{ dbt.type_string() }}), ' sends in the window (need ',
                    {{ sendwise.format_number('weight_min_sends', 0) }}, ')'
                )
        end as weights_basis,
        cast(sends_in_window as {{ dbt.type_bigint() }}) as sends_in_window,
        cast(ppv_sends_in_window as {{ dbt.type_bigint() }}) as ppv_sends_in_window,
        cast(slope_pct_7d as {{ dbt.type_float() }}) as slope_pct_7d,
        cast(hour_peak_ratio as {{ dbt.type_float() }}) as hour_peak_ratio,
        cast(corr_price_earnings as {{ dbt.type_float() }}) as corr_price_earnings,
        cast(corr_final as {{ dbt.type_float() }}) as corr_final,
        cast(revenue_per_send as {{ dbt.type_float() }}) as revenue_per_send,
        cast(tier_median_revenue_per_send as {{ dbt.type_float() }}) as tier_median_revenue_per_send,
        cast(trend_multiplier as {{ dbt.type_float() }}) as trend_multiplier,
        cast(volume_perf as {{ dbt.type_float() }}) as volume_perf
    from mapped
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
