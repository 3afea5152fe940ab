-- The caption assignment with the caption experiment applied (docs/operations.md): one row per slot of
-- int_template_caption_assignment (dropped slots included, with their reason). On a slot of the caption
-- experiment (int_template_experiment_caption_candidates) the caption columns are those of the chosen
-- candidate; everywhere else they are the assignment's. control_caption_id is always the assignment's
-- caption (the control's choice, the top-1). p_buy_eb, p_buy_se and eb_n stay the control caption's: the
-- plan's expected revenue is a pre-treatment estimate (fixed before the draw), as the price experiment's is
-- at the ladder price. caption_propensity / control_caption_propensity: the logging policy's probability of
-- the planned caption / of the top-1 on this slot (1 outside the experiment, where the caption is chosen
-- deterministically).
{%- set caption_columns = [
    'caption_id', 'caption_hash', 'caption_text', 'content_category', 'content_kind', 'caption_energy',
    'caption_family', 'dedup_key', 'score_per_dollar', 'shortlist_rank', 'list_position', 'is_energy_match',
    'score_final'
] %}

with assignment as (
    select * from {{ ref('int_template_caption_assignment') }}
),

chosen as (
    select * from {{ ref('int_template_experiment_caption_candidates') }}
    where is_chosen
),

final as (
    select
        assignment.page_key,
        assignment.plan_date,
        assignment.slot_number,
        assignment.send_at_utc,
        assignment.local_hour,
        assignment.slot_daypart,
        assignment.slot_value,
        assignment.price,
        {%- for column in caption_columns %}
            case when chosen.page_key is not null then chosen.{{ column }} else assignment.{{ column }} end
                as {{ column }},
        {%- endfor %}
        assignment.p_buy_eb,
        assignment.p_buy_se,
        assignment.eb_n,
        assignment.assigned_round,
        assignment.is_dropped,
        assignment.drop_reason,
        assignment.caption_id as control_caption_id,
        chosen.page_key is not null as is_held_out,
        chosen.experiment_id,
        chosen.experiment_arm,
        chosen.candidate_rank as caption_candidate_rank,
        chosen.candidate_count as caption_candidate_count,
        cast(case
            when assignment.is_dropped then null
            else coalesce(chosen.propensity, 1.0)
        end as {{ dbt.type_float() }}) as caption_propensity,
        cast(case
            when assignment.is_dropped then null
            else coalesce(chosen.control_propensity, 1.0)
        end as {{ dbt.type_float() }}) as control_caption_propensity
    from assignment
    left join chosen
        on
            assignment.page_key = chosen.page_key
            and assignment.plan_date = chosen.plan_date
            and assignment.slot_number = chosen.slot_number
)

select * from final
