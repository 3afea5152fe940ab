-- EROS score 0-100 of every page (docs/performance.md) from the four components of int_page_eros_components:
--   eros_score = (w_rps x rps + w_conv x conversion + w_exec x execution + w_div x diversity)
--                / (sum of the weights of the components present)
-- with the weights 0.40 / 0.30 / 0.20 / 0.10 (settings). Without plan history the execution
-- component is null and the score is the other three reweighted (40/30/10 -> / 80); has_execution_history
-- and score_basis say so. A page without sends in the window has no score. The score is rounded to
-- two decimals and the label is read from the rounded score: Elite >= 80, High >= 60, Standard >= 40,
-- Needs Improvement >= 20, else Critical.
with components as (
    select * from {{ ref('int_page_eros_components') }}
),

parameters as (
    select
        {{ sendwise.setting('eros_weight_rps') }} as w_rps,
        {{ sendwise.setting('eros_weight_conversion') }} as w_conversion,
        {{ sendwise.setting('eros_weight_execution') }} as w_execution,
        {{ sendwise.setting('eros_weight_diversity') }} as w_diversity,
        {{ sendwise.setting('eros_elite_at') }} as elite_at,
        {{ sendwise.setting('eros_high_at') }} as high_at,
        {{ sendwise.setting('eros_standard_at') }} as standard_at,
        {{ sendwise.setting('eros_needs_improvement_at') }} as needs_improvement_at
),

weighted as (
    select
        components.*,
        coalesce(parameters.w_rps * components.rps_component, 0)
        + coalesce(parameters.w_conversion * components.conversion_component, 0)
        + coalesce(parameters.w_execution * components.execution_component, 0)
        + coalesce(parameters.w_diversity * components.diversity_component, 0) as weighted_points,
        case when components.rps_component is null then 0 else parameters.w_rps end
        + case when components.conversion_component is null then 0 else parameters.w_conversion end
        + case when components.execution_component is null then 0 else parameters.w_execution end
        + case when components.diversity_component is null then 0 else parameters.w_diversity end as weight_present
    from components
    cross join parameters
),

scored as (
    select
        *,
        case
            when sends_in_window > 0
                then {{ sendwise.round_float(sendwise.safe_divide('weighted_points', 'weight_present'), 2) }}
        end as eros_score
    from weighted
),

final as (
    select
        scored.page_key,
        scored.is_active,
        scored.creator_tier,
        scored.eros_score,
        case
            when scored.eros_score is null then null
            when scored.eros_score >= parameters.elite_at then 'Elite'
            when scored.eros_score >= parameters.high_at then 'High'
            when scored.eros_score >= parameters.standard_at then 'Standard'
            when scored.eros_score >= parameters.needs_improvement_at then 'Needs Improvement'
            else 'Critical'
        end as eros_label,
        scored.rps_component,
        scored.conversion_component,
        scored.execution_component,
        scored.diversity_component,
        scored.execution_component is not null as has_execution_history,
        case
            when scored.sends_in_window = 0 then 'no score: no sends in the window'
            when scored.execution_component is null and scored.conversion_component is null
                then 'revenue per send and diversity only (no plan history, no PPV sends), reweighted'
            when scored.execution_component is null
                then 'three components, reweighted (no plan history: execution left out)'
            when scored.conversion_component is null
                then 'three components, reweighted (no PPV sends: conversion left out)'
            else 'all four components'
        end as score_basis,
        scored.revenue_per_send,
        scored.benchmark_rps,
        scored.is_tier_benchmark,
        scored.conversion_rate,
        scored.execution_rate,
        scored.planned_slots,
        scored.executed_slots,
        scored.caption_executed_slots,
        scored.caption_diversity,
        scored.sends_in_window,
        {{ sendwise.as_of() }} as computed_at
    from scored
    cross join parameters
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
