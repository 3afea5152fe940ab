{{ config(materialized='table') }}
-- The price ladder of every page (docs/learning.md): three rungs, cheapest first, read by the caption ranking
-- (slot prices) and expanded per day by int_page_price_ladder_daily (template).
-- * price_mode: premium when weight_price >= price_mode_premium_at or the learned price_mode_bias is
--   premium; value when weight_price <= price_mode_value_at or the bias is value (checked in this
--   order, so weight premium + bias value is premium); else balanced.
-- * The percentile grid p35 < p50 < p60 < p80 < p90 (positions 1-5 of int_page_price_profile).
--   The mode picks three consecutive positions: value p35/p50/p60 (from 1), balanced p50/p60/p80
--   (from 2), premium p60/p80/p90 (from 3). The page state from health moves the start:
--   grow (GROWING) price_state_shift_grow steps dearer, retain (DECLINING) price_state_shift_retain
--   cheaper, balance (STABLE) none; the start stays within 1-3 (the grid has five positions).
-- * Rounding: whole dollars, or .99 endings when the page prices that way (price_ending); every
--   rung is a whole number of dollars d and the price is d - 0.01 for .99 pages.
-- * Bounds [price_min, price_max] on the rounded price ($5-$100: $5.99-$99.99 for .99 pages).
-- * Price experiment feedback (docs/operations.md): every percentile price is multiplied by
--   1 + price_shift of int_experiment_price_feedback (the recommended_ladder_shift of the latest earlier
--   build's experiment_results, bounded by experiment_ladder_max_shift; 0 without results) before rounding.
-- * Anti-collision: rungs are strictly increasing by at least price_collision_step ($1): a rung
--   that would equal or undercut the one below is pushed up in +$1 steps (running maximum of
--   d_k - k * step), and pushed down from the top bound if that overflows price_max.
with profile as (
    select * from {{ ref('int_page_price_profile') }}
),

weights as (
    select
        page_key,
        weight_price
    from {{ ref('page_personalization_weights') }}
),

knobs as (
    select
        page_key,
        price_mode_bias
    from {{ ref('page_knobs') }}
),

performance as (
    select
        page_key,
        page_state
    from {{ ref('int_page_performance_state') }}
),

experiment_feedback as (
    select price_shift
    from {{ ref('int_experiment_price_feedback') }}
),

parameters as (
    select
        {{ sendwise.setting('price_mode_premium_at') }} as price_mode_premium_at,
        {{ sendwise.setting('price_mode_value_at') }} as price_mode_value_at,
        {{ sendwise.setting('price_state_shift_grow') }} as price_state_shift_grow,
        {{ sendwise.setting('price_state_shift_retain') }} as price_state_shift_retain,
        {{ sendwise.setting('price_min') }} as price_min,
        {{ sendwise.setting('price_max') }} as price_max,
        {{ sendwise.setting('price_collision_step') }} as price_collision_step
),

modes as (
    select
        profile.page_key,
        profile.price_ending,
        profile.is_agency_fallback,
        profile.ppv_sends,
        coalesce(weights.weight_price, 1.0) as weight_price,
        coalesce(knobs.price_mode_bias, 'neutral') as price_mode_bias,
        coalesce(performance.page_state, 'balance') as page_state,
        case
            when
                coalesce(weights.weight_price, 1.0) >= parameters.price_mode_premium_at
                or knobs.price_mode_bias = 'premium'
                then 'premium'
            when
                coalesce(weights.weight_price, 1.0) <= parameters.price_mode_value_at
                or knobs.price_mode_bias = 'value'
                then 'value'
            else 'balanced'
        end as price_mode,
        case when profile.price_ending = '.99' then 0.01 else 0.0 end as ending_offset,
        parameters.price_min,
        parameters.price_collision_step,
        parameters.price_state_shift_grow,
        parameters.price_state_shift_retain,
        parameters.price_max
    from profile
    cross join parameters
    left join weights on profile.page_key = weights.page_key
    left join knobs on profile.page_key = knobs.page_key
    left join performance on profile.page_key = performance.page_key
),

positioned as (
    select
        *,
        -- grid position of rung 1: value 1, balanced 2, premium 3, moved by the page state
        {{ sendwise.clamp(
            "case price_mode when 'value' then 1 when 'balanced' then 2 else 3 end"
            ~ " + case page_state when 'grow' then price_state_shift_grow"
            ~ " when 'retain' then price_state_shift_retain else 0 end",
            '1', '3'
        ) }} as ladder_start,
        ceil(price_min + ending_offset) as dollars_min,
        floor(price_max + ending_offset) as dollars_max
    from modes
),

grid as (
    select
        page_key,
        1 as grid_position,
        'p35' as percentile_label,
        p35 as percentile_price
    from profile
    union all
    select
        page_key,
        2 as grid_position,
        'p50' as percentile_label,
        p50 as percentile_price
    from profile
    union all
    select
        page_key,
        3 as grid_position,
        'p60' as percentile_label,
        p60 as percentile_price
    from profile
    union all
    select
        page_key,
        4 as grid_position,
        'p80' as percentile_label,
        p80 as percentile_price
    from profile
    union all
    select
        page_key,
        5 as grid_position,
        'p90' as percentile_label,
        p90 as percentile_price
    from profile
),

rungs as (
    -- three consecutive grid positions from ladder_start; no price history anywhere: the floor price
    select
        positioned.*,
        cast(grid.grid_position - positioned.ladder_start + 1 as {{ dbt.type_bigint() }}) as ladder_rung,
        grid.percentile_label,
        grid.percentile_price,
        coalesce(experiment_feedback.price_shift, 0) as experiment_price_shift,
        {{ sendwise.clamp(
            'round(coalesce(grid.percentile_price, positioned.price_min)'
            ~ ' * (1 + coalesce(experiment_feedback.price_shift, 0)) + positioned.ending_offset)',
            'positioned.dollars_min', 'positioned.dollars_max'
        ) }} as candidate_dollars
    from positioned
    left join experiment_feedback on true
    inner join grid
        on
            positioned.page_key = grid.page_key
            and positioned.ladder_start <= grid.grid_position
            and grid.grid_position <= positioned.ladder_start + 2
),

pushed_up as (
    select
        *,
        ladder_rung * price_collision_step + max(candidate_dollars - ladder_rung * price_collision_step) over (
            partition by page_key order by ladder_rung rows between unbounded preceding and current row
        ) as pushed_up_dollars,
        count(*) over (partition by page_key) as rung_count
    from rungs
),

final as (
    select
        page_key,
        price_mode,
        ladder_rung,
        {{ sendwise.round_float(
            'case
                when pushed_up_dollars > dollars_max - (rung_count - ladder_rung) * price_collision_step
                    then dollars_max - (rung_count - ladder_rung) * price_collision_step
                else pushed_up_dollars
            end - ending_offset',
            2
        ) }} as ladder_price,
        percentile_label,
        percentile_price,
        candidate_dollars - ending_offset as rounded_price,
        pushed_up_dollars <> candidate_dollars
        or pushed_up_dollars > dollars_max - (rung_count - ladder_rung) * price_collision_step as is_collision_adjusted,
        price_ending,
        page_state,
        price_mode_bias,
        weight_price,
        is_agency_fallback,
        ppv_sends,
        experiment_price_shift
    from pushed_up
)

select * from final
