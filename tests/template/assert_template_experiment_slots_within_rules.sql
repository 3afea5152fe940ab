-- The template's experiments (docs/operations.md) log valid propensities and break no rule:
-- * every caption experiment slot has 2..experiment_caption_top_k candidates, exactly one chosen, each
--   propensity and draw probability in (0, 1], and its candidates' propensities and draw probabilities
--   sum to 1 (to the 6-decimal rounding of each);
-- * the planned send of a caption experiment slot (weekly_template_7d) is its chosen candidate, with that
--   candidate's propensity, and the top-1 (candidate 1) as control_caption_id with its propensity;
-- * no held-out send of either experiment has a tier-1 row in weekly_template_qc_violations (on its slot, or
--   on its page-day for a page-day rule).
-- Returns the offending slots with the reason.
with candidates as (
    select
        page_key,
        plan_date,
        slot_number,
        candidate_rank,
        candidate_count,
        caption_id,
        draw_probability,
        propensity,
        control_propensity,
        is_chosen
    from {{ ref('int_template_experiment_caption_candidates') }}
),

template as (
    select
        page_key,
        plan_date,
        slot_number,
        experiment_id,
        experiment_arm,
        caption_id,
        control_caption_id,
        caption_propensity,
        control_caption_propensity
    from {{ ref('weekly_template_7d') }}
    where experiment_id is not null
),

tier1 as (
    select
        page_key,
        plan_date,
        slot_number,
        rule_id
    from {{ ref('weekly_template_qc_violations') }}
    where tier = 1
),

slot_checks as (
    select
        page_key,
        plan_date,
        slot_number,
        count(*) as candidates,
        sum(case when is_chosen then 1 else 0 end) as chosen,
        sum(propensity) as propensity_sum,
        sum(draw_probability) as draw_probability_sum,
        min(
            case
                when propensity > 0 and propensity <= 1 and draw_probability > 0 and draw_probability <= 1 then 1
                else 0
            end
        ) as is_each_in_range,
        max(case when is_chosen then caption_id end) as chosen_caption_id,
        max(case when is_chosen then propensity end) as chosen_propensity,
        max(case when candidate_rank = 1 then caption_id end) as top1_caption_id,
        max(control_propensity) as control_propensity
    from candidates
    group by 1, 2, 3
),

bad_candidates as (
    select
        page_key,
        plan_date,
        slot_number,
        'caption candidates: count, choice or propensities' as reason
    from slot_checks
    where
        candidates < 2
        or candidates > {{ sendwise.setting('experiment_caption_top_k') }}
        or chosen <> 1
        or is_each_in_range = 0
        or abs(propensity_sum - 1) > 0.00001 * candidates
        or abs(draw_probability_sum - 1) > 0.00001 * candidates
),

bad_log as (
    select
        slot_checks.page_key,
        slot_checks.plan_date,
        slot_checks.slot_number,
        'planned caption or its logged propensity differs from the draw' as reason
    from slot_checks
    left join template
        on
            slot_checks.page_key = template.page_key
            and slot_checks.plan_date = template.plan_date
            and slot_checks.slot_number = template.slot_number
    where
        template.page_key is null
        or template.caption_id <> slot_checks.chosen_caption_id
        or template.control_caption_id <> slot_checks.top1_caption_id
        or abs(template.caption_propensity - slot_checks.chosen_propensity) > 0.000001
        or abs(template.control_caption_propensity - slot_checks.control_propensity) > 0.000001
),

bad_qc as (
    select distinct
        template.page_key,
        template.plan_date,
        template.slot_number,
        concat('tier-1 QC violation on an experiment slot: ', tier1.rule_id) as reason
    from template
    inner join tier1
        on
            template.page_key = tier1.page_key
            and template.plan_date = tier1.plan_date
            and (tier1.slot_number is null or template.slot_number = tier1.slot_number)
),

final as (
    select * from bad_candidates
    union all
    select * from bad_log
    union all
    select * from bad_qc
)

select * from final
