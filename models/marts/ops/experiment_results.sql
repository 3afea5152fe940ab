-- Results of the template's randomised experiments (docs/operations.md), one row per experiment and arm
-- at this build (floats rounded to 6 decimals); experiment_results_history keeps every build's rows and
-- the price ladder and the caption ranking read the latest build before their own as_of from there.
-- Two kinds of experiment (experiment_kind, from the arms its held-out slots carry): price (arms control =
-- the ladder price, price_down, price_up) and caption (arms caption_top1 = the control, the template's own
-- caption, and caption_topk = a caption drawn from the slot's top k).
-- Units: the held-out slots of int_experiment_slot_outcomes that were sent as planned (the planned price,
-- and for the caption experiment the planned caption, within the tolerance of the planned time); outcome
-- y = the send's revenue; covariate x = the plan's expected revenue (at the ladder price, of the top-1
-- caption: fixed before the arm was drawn, so it cannot be affected by it).
--   effect_per_send  = mean(y - x | arm) - mean(y - x | control)   (a difference in revenue per send,
--                      regression-adjusted by the pre-treatment prediction: unbiased under randomisation,
--                      with less variance than the raw difference, which is reported as raw_difference)
--   effect_se        = sqrt(var(y - x | arm) / n_arm + var(y - x | control) / n_control)   (Welch)
--   interval         = effect -+ experiment_z x effect_se; is_significant when it excludes 0 and both arms
--                      have at least experiment_min_slots_per_arm slots
--   relative_effect  = effect_per_send / mean(y | control)
--   ips_revenue_per_send, ips_se: the inverse-propensity value of each arm's policy and its standard error
--                      (int_experiment_arm_stats has the terms), as are the per-arm counts and moments
--   recommended_ladder_shift (per experiment): for the significant step arm with the larger positive
--                      relative effect, sign x min(experiment_ladder_weight x relative_effect,
--                      experiment_ladder_max_shift) (+ for price_up, - for price_down), else 0; the price
--                      ladder applies it at the next build (int_experiment_price_feedback); price
--                      experiments only
--   recommended_exploration_shift (per caption experiment): when caption_topk is significant, sign(effect) x
--                      min(experiment_exploration_weight x |relative_effect|, experiment_exploration_max_shift)
--                      (top-k better than the top-1: the ranking's ordering is over-confident, explore more;
--                      worse: less), else 0; the ranking applies it at the next build
--                      (int_experiment_caption_feedback)
{%- set reference_phrase =
    "case when experiment_kind = 'caption' then 'the top-1 caption' else 'the ladder price' end" %}

with arm_stats as (
    -- one row per experiment and arm; statistics null when the arm has no slot of their kind
    select
        experiment_id,
        experiment_kind,
        arm,
        is_control,
        planned_slots,
        executed_slots,
        as_planned_slots,
        mean_revenue,
        var_revenue,
        mean_residual,
        var_residual,
        mean_expected_revenue,
        mean_price,
        mean_ladder_price,
        ips_slots,
        ips_revenue_per_send,
        ips_se
    from {{ ref('int_experiment_arm_stats') }}
),

parameters as (
    select
        {{ sendwise.setting('experiment_z') }} as z,
        {{ sendwise.setting('experiment_min_slots_per_arm') }} as min_slots,
        {{ sendwise.setting('experiment_ladder_weight') }} as ladder_weight,
        {{ sendwise.setting('experiment_ladder_max_shift') }} as ladder_max_shift,
        {{ sendwise.setting('experiment_exploration_weight') }} as exploration_weight,
        {{ sendwise.setting('experiment_exploration_max_shift') }} as exploration_max_shift
),

compared as (
    select
        arm_stats.experiment_id,
        arm_stats.experiment_kind,
        arm_stats.arm,
        arm_stats.is_control,
        coalesce(arm_stats.planned_slots, 0) as planned_slots,
        coalesce(arm_stats.executed_slots, 0) as executed_slots,
        coalesce(arm_stats.as_planned_slots, 0) as as_planned_slots,
        arm_stats.mean_revenue,
        sqrt(arm_stats.var_revenue) as sd_revenue,
        arm_stats.mean_expected_revenue,
        arm_stats.mean_price,
        arm_stats.mean_ladder_price,
        case when not arm_stats.is_control then arm_stats.mean_residual - control.mean_residual end as effect_per_send,
        case
            when not arm_stats.is_control
                then sqrt(
                        arm_stats.var_residual / arm_stats.as_planned_slots
                        + control.var_residual / control.as_planned_slots
                    )
        end as effect_se,
        case when not arm_stats.is_control then arm_stats.mean_revenue - control.mean_revenue end as raw_difference,
        control.mean_revenue as control_mean_revenue,
        coalesce(arm_stats.as_planned_slots, 0) >= parameters.min_slots
        and coalesce(control.as_planned_slots, 0) >= parameters.min_slots as has_enough_slots,
        arm_stats.ips_slots,
        arm_stats.ips_revenue_per_send,
        arm_stats.ips_se,
        parameters.z,
        parameters.min_slots,
        parameters.ladder_weight,
        parameters.ladder_max_shift,
        parameters.exploration_weight,
        parameters.exploration_max_shift
    from arm_stats
    cross join parameters
    -- the experiment's control arm (control for a price experiment, caption_top1 for a caption one)
    left join arm_stats as control
        on
            arm_stats.experiment_id = control.experiment_id
            and control.is_control
),

tested as (
    select
        *,
        effect_per_send - z * effect_se as effect_ci_low,
        effect_per_send + z * effect_se as effect_ci_high,
        {{ sendwise.safe_divide('effect_per_send', 'control_mean_revenue') }} as relative_effect,
        coalesce(
            has_enough_slots
            and effect_se is not null
            and (effect_per_send - z * effect_se > 0 or effect_per_send + z * effect_se < 0),
            false
        ) as is_significant
    from compared
),

recommended as (
    select
        *,
        max(case when experiment_kind = 'price' and is_significant and relative_effect > 0 then relative_effect end)
            over (partition by experiment_id) as best_relative_effect
    from tested
),

shifted as (
    select
        *,
        max(
            case
                when
                    experiment_kind = 'price' and is_significant and relative_effect > 0
                    and relative_effect = best_relative_effect
                    then
                        (case when arm = 'price_up' then 1 else -1 end)
                        * case
                            when ladder_weight * relative_effect > ladder_max_shift then ladder_max_shift
                            else ladder_weight * relative_effect
                        end
            end
        ) over (partition by experiment_id) as best_shift,
        max(
            case
                when experiment_kind = 'caption' and not is_control and is_significant
                    then
                        (case when effect_per_send > 0 then 1 else -1 end)
                        * case
                            when exploration_weight * abs(relative_effect) > exploration_max_shift
                                then exploration_max_shift
                            else exploration_weight * abs(relative_effect)
                        end
            end
        ) over (partition by experiment_id) as exploration_shift
    from recommended
),

final as (
    select
        cast(
            {{ dbt.hash(dbt.concat(["'" ~ sendwise.as_of_text() ~ "'", "'|'", 'experiment_id', "'|'", 'arm'])) }}
            as {{ dbt.type_string() }}
        ) as experiment_result_key,
        cast({{ sendwise.as_of() }} as {{ dbt.type_timestamp() }}) as computed_for_as_of,
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(experiment_kind as {{ dbt.type_string() }}) as experiment_kind,
        cast(arm as {{ dbt.type_string() }}) as arm,
        cast(planned_slots as {{ dbt.type_bigint() }}) as planned_slots,
        cast(executed_slots as {{ dbt.type_bigint() }}) as executed_slots,
        cast(as_planned_slots as {{ dbt.type_bigint() }}) as as_planned_slots,
        {{ sendwise.round_float(sendwise.safe_divide('as_planned_slots', 'planned_slots'), 6) }} as compliance_rate,
        {{ sendwise.round_float('mean_revenue', 6) }} as mean_revenue,
        {{ sendwise.round_float('sd_revenue', 6) }} as sd_revenue,
        {{ sendwise.round_float('mean_expected_revenue', 6) }} as mean_expected_revenue,
        {{ sendwise.round_float('mean_price', 6) }} as mean_price,
        {{ sendwise.round_float('mean_ladder_price', 6) }} as mean_ladder_price,
        {{ sendwise.round_float('effect_per_send', 6) }} as effect_per_send,
        {{ sendwise.round_float('effect_se', 6) }} as effect_se,
        {{ sendwise.round_float('effect_ci_low', 6) }} as effect_ci_low,
        {{ sendwise.round_float('effect_ci_high', 6) }} as effect_ci_high,
        {{ sendwise.round_float('raw_difference', 6) }} as raw_difference,
        {{ sendwise.round_float('relative_effect', 6) }} as relative_effect,
        is_significant,
        cast(ips_slots as {{ dbt.type_bigint() }}) as ips_slots,
        {{ sendwise.round_float('ips_revenue_per_send', 6) }} as ips_revenue_per_send,
        {{ sendwise.round_float('ips_se', 6) }} as ips_se,
        cast({{ sendwise.round_float('coalesce(best_shift, 0)', 6) }} as {{ dbt.type_float() }})
            as recommended_ladder_shift,
        cast({{ sendwise.round_float('coalesce(exploration_shift, 0)', 6) }} as {{ dbt.type_float() }})
            as recommended_exploration_shift,
        cast(case
            when is_control and experiment_kind = 'caption' then 'control arm (top-1 caption)'
            when is_control then 'control arm (ladder price)'
            when as_planned_slots = 0 then 'no send of this arm yet'
            when not has_enough_slots
                then {{ dbt.concat([
                    "'too few slots to judge (need '",
                    sendwise.format_number('min_slots', 0),
                    "' per arm)'"
                ]) }}
            when is_significant and effect_per_send > 0
                then concat('significantly better than ', {{ reference_phrase }})
            when is_significant then concat('significantly worse than ', {{ reference_phrase }})
            else concat('no significant difference from ', {{ reference_phrase }})
        end as {{ dbt.type_string() }}) as conclusion
    from shifted
)

select * from final
