-- A table, not a view (the ops folder's default): experiment_results reads it twice (each arm and its
-- control arm), and BigQuery would evaluate a view's query at each reference.
{{ config(materialized='table') }}

-- Per experiment and arm, the statistics experiment_results estimates the effects from (docs/operations.md):
-- one row per arm of each experiment of int_experiment_slot_outcomes (experiment_kind from the arms its
-- held-out slots carry: price - control = the ladder price, price_down, price_up; caption - caption_top1 =
-- the control, the template's own caption, caption_topk = a caption drawn from the slot's top k).
-- * planned / executed slots: the arm's held-out slots, and those a PPV send matched;
-- * over the arm's held-out slots sent as planned (the planned price, and for the caption experiment the
--   planned caption): their count, mean and variance of the revenue y, of the residual y - x (x = the
--   plan's expected revenue at the ladder price, of the top-1 caption, fixed before the arm was drawn),
--   mean x, mean planned and ladder price; null when the arm has no such slot;
-- * ips_revenue_per_send, with its standard error sqrt(var(z) / N) over the N terms z:
--   price: z = 1{action = arm} x y / propensity over all as-planned slots of the experiment's weeks (held
--   out or not): the revenue per send of always taking the arm (the ladder price for control);
--   caption, over its held-out (randomised) as-planned slots: caption_top1 z = 1{caption = top-1} x y /
--   control_caption_propensity (the value of the top-1 policy); caption_topk z = p_c / caption_propensity
--   x y, p_c = the top-k draw's probability of the caption = (caption_propensity - a x 1{top-1}) / a, a =
--   1/2 the probability of each arm (the value of the top-k policy).
{#- The caption experiment's two arms are drawn with equal probability (int_template_experiment_caption_candidates). -#}
{%- set arm_probability = 0.5 %}

with outcomes as (
    select * from {{ ref('int_experiment_slot_outcomes') }}
    where is_as_planned
),

arms as (
    -- the arms of each kind of experiment; is_control: the arm the others are compared with
    select
        'price' as experiment_kind,
        'control' as arm,
        true as is_control
    union all
    select
        'price' as experiment_kind,
        'price_down' as arm,
        false as is_control
    union all
    select
        'price' as experiment_kind,
        'price_up' as arm,
        false as is_control
    union all
    select
        'caption' as experiment_kind,
        'caption_top1' as arm,
        true as is_control
    union all
    select
        'caption' as experiment_kind,
        'caption_topk' as arm,
        false as is_control
),

experiments as (
    select
        experiment_id,
        case
            when max(case when experiment_kind = 'caption' then 1 else 0 end) = 1 then 'caption'
            else 'price'
        end as experiment_kind
    from {{ ref('int_experiment_slot_outcomes') }}
    group by 1
),

planned as (
    select
        experiment_id,
        experiment_arm as arm,
        count(*) as planned_slots,
        sum(case when is_executed then 1 else 0 end) as executed_slots
    from {{ ref('int_experiment_slot_outcomes') }}
    where is_held_out
    group by 1, 2
),

arm_stats as (
    select
        experiment_id,
        experiment_arm as arm,
        count(*) as as_planned_slots,
        avg(revenue) as mean_revenue,
        var_samp(revenue) as var_revenue,
        avg(revenue - expected_revenue) as mean_residual,
        var_samp(revenue - expected_revenue) as var_residual,
        avg(expected_revenue) as mean_expected_revenue,
        avg(planned_price) as mean_price,
        avg(ladder_price) as mean_ladder_price
    from outcomes
    where is_held_out
    group by 1, 2
),

ips_terms as (
    select
        outcomes.experiment_id,
        arms.arm,
        case
            when arms.experiment_kind = 'price'
                then case when outcomes.action_arm = arms.arm then outcomes.revenue / outcomes.propensity else 0 end
            when arms.is_control
                then
                    case
                        when outcomes.is_control_caption then outcomes.revenue / outcomes.control_caption_propensity
                        else 0
                    end
            else
                outcomes.revenue
                * (
                    outcomes.caption_propensity
                    - {{ arm_probability }} * case when outcomes.is_control_caption then 1 else 0 end
                )
                / ({{ arm_probability }} * outcomes.caption_propensity)
        end as term
    from outcomes
    inner join experiments on outcomes.experiment_id = experiments.experiment_id
    inner join arms on experiments.experiment_kind = arms.experiment_kind
    where arms.experiment_kind = 'price' or outcomes.is_held_out
),

ips as (
    select
        experiment_id,
        arm,
        count(*) as ips_slots,
        -- rounded to 1e-9: a float sum's last bits depend on the order the engine adds the terms in
        -- (two builds of the same rows differed by one unit in the last place)
        {{ sendwise.round_float('avg(term)', 9) }} as ips_revenue_per_send,
        {{ sendwise.round_float('sqrt(var_samp(term) / count(*))', 9) }} as ips_se
    from ips_terms
    group by 1, 2
),

final as (
    select
        experiments.experiment_id,
        experiments.experiment_kind,
        arms.arm,
        arms.is_control,
        planned.planned_slots,
        planned.executed_slots,
        arm_stats.as_planned_slots,
        arm_stats.mean_revenue,
        arm_stats.var_revenue,
        arm_stats.mean_residual,
        arm_stats.var_residual,
        arm_stats.mean_expected_revenue,
        arm_stats.mean_price,
        arm_stats.mean_ladder_price,
        ips.ips_slots,
        ips.ips_revenue_per_send,
        ips.ips_se
    from experiments
    inner join arms on experiments.experiment_kind = arms.experiment_kind
    left join planned
        on
            experiments.experiment_id = planned.experiment_id
            and arms.arm = planned.arm
    left join arm_stats
        on
            experiments.experiment_id = arm_stats.experiment_id
            and arms.arm = arm_stats.arm
    left join ips
        on
            experiments.experiment_id = ips.experiment_id
            and arms.arm = ips.arm
)

select * from final
