-- Results of the template's randomised experiments (docs/operations.md), one row per experiment and arm
-- at this build (floats rounded to 6 decimals); experiment_results_history keeps every build's rows and
-- the price ladder reads the latest build before its own as_of from there.
-- Units: the held-out slots of int_experiment_slot_outcomes that were sent as planned (the planned price,
-- within the tolerance of the planned time); outcome y = the send's revenue; covariate x = the plan's
-- expected revenue at the ladder price (fixed before the arm was drawn, so it cannot be affected by it).
--   effect_per_send  = mean(y - x | arm) - mean(y - x | control)   (a difference in revenue per send,
--                      regression-adjusted by the pre-treatment prediction: unbiased under randomisation,
--                      with less variance than the raw difference, which is reported as raw_difference)
--   effect_se        = sqrt(var(y - x | arm) / n_arm + var(y - x | control) / n_control)   (Welch)
--   interval         = effect -+ experiment_z x effect_se; is_significant when it excludes 0 and both arms
--                      have at least experiment_min_slots_per_arm slots
--   relative_effect  = effect_per_send / mean(y | control)
--   ips_revenue_per_send = (1 / N) x sum over all as-planned slots of the experiment's weeks (held out or
--                      not) of 1{action = arm} x y / propensity: the inverse-propensity estimate of the
--                      revenue per send of always taking the arm (the ladder price for control), with its
--                      standard error sqrt(var(z) / N)
--   recommended_ladder_shift (per experiment): for the significant step arm with the larger positive
--                      relative effect, sign x min(experiment_ladder_weight x relative_effect,
--                      experiment_ladder_max_shift) (+ for price_up, - for price_down), else 0; the price
--                      ladder applies it at the next build (int_experiment_price_feedback)
with outcomes as (
    select * from {{ ref('int_experiment_slot_outcomes') }}
    where is_as_planned
),

parameters as (
    select
        {{ sendwise.setting('experiment_z') }} as z,
        {{ sendwise.setting('experiment_min_slots_per_arm') }} as min_slots,
        {{ sendwise.setting('experiment_ladder_weight') }} as ladder_weight,
        {{ sendwise.setting('experiment_ladder_max_shift') }} as ladder_max_shift
),

arms as (
    select 'control' as arm
    union all
    select 'price_down' as arm
    union all
    select 'price_up' as arm
),

experiments as (
    select distinct experiment_id
    from {{ ref('int_experiment_slot_outcomes') }}
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
        case when outcomes.action_arm = arms.arm then outcomes.revenue / outcomes.propensity else 0 end as term
    from outcomes
    cross join arms
),

ips as (
    select
        experiment_id,
        arm,
        count(*) as ips_slots,
        avg(term) as ips_revenue_per_send,
        sqrt(var_samp(term) / count(*)) as ips_se
    from ips_terms
    group by 1, 2
),

compared as (
    select
        experiments.experiment_id,
        arms.arm,
        coalesce(planned.planned_slots, 0) as planned_slots,
        coalesce(planned.executed_slots, 0) as executed_slots,
        coalesce(arm_stats.as_planned_slots, 0) as as_planned_slots,
        arm_stats.mean_revenue,
        sqrt(arm_stats.var_revenue) as sd_revenue,
        arm_stats.mean_expected_revenue,
        arm_stats.mean_price,
        arm_stats.mean_ladder_price,
        case when arms.arm <> 'control' then arm_stats.mean_residual - control.mean_residual end as effect_per_send,
        case
            when arms.arm <> 'control'
                then sqrt(
                        arm_stats.var_residual / arm_stats.as_planned_slots
                        + control.var_residual / control.as_planned_slots
                    )
        end as effect_se,
        case when arms.arm <> 'control' then arm_stats.mean_revenue - control.mean_revenue end as raw_difference,
        control.mean_revenue as control_mean_revenue,
        coalesce(arm_stats.as_planned_slots, 0) >= parameters.min_slots
        and coalesce(control.as_planned_slots, 0) >= parameters.min_slots as has_enough_slots,
        ips.ips_slots,
        ips.ips_revenue_per_send,
        ips.ips_se,
        parameters.z,
        parameters.min_slots,
        parameters.ladder_weight,
        parameters.ladder_max_shift
    from experiments
    cross join arms
    cross join parameters
    left join planned
        on
            experiments.experiment_id = planned.experiment_id
            and arms.arm = planned.arm
    left join arm_stats
        on
            experiments.experiment_id = arm_stats.experiment_id
            and arms.arm = arm_stats.arm
    left join arm_stats as control
        on
            experiments.experiment_id = control.experiment_id
            and control.arm = 'control'
    left join ips
        on
            experiments.experiment_id = ips.experiment_id
            and arms.arm = ips.arm
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
        max(case when is_significant and relative_effect > 0 then relative_effect end)
            over (partition by experiment_id) as best_relative_effect
    from tested
),

shifted as (
    select
        *,
        max(
            case
                when is_significant and relative_effect > 0 and relative_effect = best_relative_effect
                    then
                        (case when arm = 'price_up' then 1 else -1 end)
                        * case
                            when ladder_weight * relative_effect > ladder_max_shift then ladder_max_shift
                            else ladder_weight * relative_effect
                        end
            end
        ) over (partition by experiment_id) as best_shift
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
        cast(arm as {{ dbt.type_string() }}) as arm,
        cast(planned_slots as {{ dbt.type_bigint() }}) as planned_slots,
        cast(executed_slots as {{ dbt.type_bigint() }}) as executed_slots,
        cast(as_planned_slots as {{ dbt.type_bigint() }}) as as_planned_slots,
        round({{ sendwise.safe_divide('as_planned_slots', 'planned_slots') }}, 6) as compliance_rate,
        round(mean_revenue, 6) as mean_revenue,
        round(sd_revenue, 6) as sd_revenue,
        round(mean_expected_revenue, 6) as mean_expected_revenue,
        round(mean_price, 6) as mean_price,
        round(mean_ladder_price, 6) as mean_ladder_price,
        round(effect_per_send, 6) as effect_per_send,
        round(effect_se, 6) as effect_se,
        round(effect_ci_low, 6) as effect_ci_low,
        round(effect_ci_high, 6) as effect_ci_high,
        round(raw_difference, 6) as raw_difference,
        round(relative_effect, 6) as relative_effect,
        is_significant,
        cast(ips_slots as {{ dbt.type_bigint() }}) as ips_slots,
        round(ips_revenue_per_send, 6) as ips_revenue_per_send,
        round(ips_se, 6) as ips_se,
        cast(round(coalesce(best_shift, 0), 6) as {{ dbt.type_float() }}) as recommended_ladder_shift,
        cast(case
            when arm = 'control' then 'control arm (ladder price)'
            when as_planned_slots = 0 then 'no send of this arm yet'
            when not has_enough_slots
                then {{ dbt.concat([
                    "'too few slots to judge (need '",
                    sendwise.format_number('min_slots', 0),
                    "' per arm)'"
                ]) }}
            when is_significant and effect_per_send > 0 then 'significantly better than the ladder price'
            when is_significant then 'significantly worse than the ladder price'
            else 'no significant difference from the ladder price'
        end as {{ dbt.type_string() }}) as conclusion
    from shifted
)

select * from final
