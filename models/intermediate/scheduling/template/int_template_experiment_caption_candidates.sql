-- Caption experiment with logged propensities (docs/operations.md): one row per candidate caption of every
-- slot held out for the caption experiment, with the probability with which the logging policy would choose
-- it and the one it chose. Applied to the finished caption assignment (int_template_caption_assignment), so
-- the control's choice (candidate 1) is exactly the caption the template would plan without the experiment.
-- The steps before the draw are models of their own:
-- * int_template_experiment_caption_slots - the hold-out: a PPV slot with a caption whose macro
--   experiment_hold_kind (shared with the price experiment, so a slot is held out for at most one
--   experiment) is 'caption'; key = page|plan_date|slot_number|as_of;
-- * int_template_experiment_caption_spares - the held days' spares: drafted captions not planned on the
--   page, clear of the cross-page rule in UTC;
-- * int_template_experiment_caption_deals - each held slot's candidates: 1 = the template's caption,
--   2..k = the spares dealt round-robin (k = experiment_caption_top_k) within the day caps in the worst
--   case; slots left with one candidate are not in the experiment.
-- Here:
-- * Arm: caption_top1 (the control: the template's caption) or caption_topk (a draw from the top k), each
--   with probability 1/2: floor(portable_uniform('experiment_caption_arm|<key>') x 2).
-- * Draw distribution over the slot's k candidates (experiment_caption_draw): uniform p_j = 1 / k, or
--   softmax p_j = exp((s_j / s_max - 1) / T) / sum, s = score_per_dollar x (1 + w_energy_match on an
--   energy match), T = experiment_caption_softmax_temperature. The caption_topk arm takes candidate
--   floor(u x k) + 1 (uniform) or the first j with u < p_1 + ... + p_j (softmax),
--   u = portable_uniform('experiment_caption|<key>|<experiment id>').
-- * propensity = the logging policy's probability of the candidate on this held slot, over both arms:
--   1/2 x 1{j = 1} + 1/2 x p_j, so the k candidates' propensities sum to 1 (rounded to 6 decimals);
--   control_propensity = candidate 1's.
{#- The two arms are drawn with equal probability (the arm draw is floor(2u)). -#}
{%- set arm_probability = 0.5 %}

with deals as (
    select
        page_key,
        plan_date,
        slot_number,
        slot_daypart,
        price,
        draw_key,
        caption_id,
        caption_hash,
        caption_text,
        content_category,
        content_kind,
        caption_energy,
        caption_family,
        dedup_key,
        score_per_dollar,
        shortlist_rank,
        list_position,
        candidate_rank,
        candidate_count
    from {{ ref('int_template_experiment_caption_deals') }}
),

scored as (
    select
        *,
        case when slot_daypart = caption_energy then 1 else 0 end as energy_match,
        score_per_dollar * (
            1 + {{ sendwise.setting('w_energy_match') }} * case when slot_daypart = caption_energy then 1 else 0 end
        ) as slot_score_per_dollar
    from deals
),

weighted as (
    select
        *,
        case
            when {{ sendwise.setting_text('experiment_caption_draw') }} = 'softmax'
                then exp(
                        (
                            coalesce({{ sendwise.safe_divide(
                                'slot_score_per_dollar',
                                'max(slot_score_per_dollar) over (partition by page_key, plan_date, slot_number)'
                            ) }}, 1) - 1
                        ) / {{ sendwise.setting('experiment_caption_softmax_temperature') }}
                    )
            else 1.0
        end as draw_weight
    from scored
),

probabilities as (
    select
        *,
        draw_weight / sum(draw_weight) over (partition by page_key, plan_date, slot_number) as draw_probability
    from weighted
),

cumulated as (
    select
        *,
        sum(draw_probability) over (
            partition by page_key, plan_date, slot_number
            order by candidate_rank
            rows between unbounded preceding and current row
        ) as cumulative_probability
    from probabilities
),

drawn as (
    select
        *,
        coalesce(lag(cumulative_probability) over (
            partition by page_key, plan_date, slot_number
            order by candidate_rank
        ), 0) as previous_cumulative_probability,
        max(case when candidate_rank = 1 then draw_probability end) over (
            partition by page_key, plan_date, slot_number
        ) as top1_draw_probability,
        case
            when floor({{ sendwise.portable_uniform("concat('experiment_caption_arm|', draw_key)") }} * 2) = 0
                then 'caption_top1'
            else 'caption_topk'
        end as experiment_arm,
        {{ sendwise.portable_uniform(
            "concat('experiment_caption|', draw_key, '|', " ~ sendwise.setting_text('experiment_caption_id') ~ ")"
        ) }} as draw_uniform
    from cumulated
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            'page_key', "'|'", 'cast(plan_date as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(slot_number as ' ~ dbt.type_string() ~ ')', "'|'", 'caption_id'
        ])) }} as {{ dbt.type_string() }}) as experiment_candidate_key,
        page_key,
        plan_date,
        cast(slot_number as {{ dbt.type_bigint() }}) as slot_number,
        cast({{ sendwise.setting_text('experiment_caption_id') }} as {{ dbt.type_string() }}) as experiment_id,
        cast(experiment_arm as {{ dbt.type_string() }}) as experiment_arm,
        cast(candidate_rank as {{ dbt.type_bigint() }}) as candidate_rank,
        cast(candidate_count as {{ dbt.type_bigint() }}) as candidate_count,
        caption_id,
        caption_hash,
        caption_text,
        content_category,
        content_kind,
        caption_energy,
        cast(caption_family as {{ dbt.type_bigint() }}) as caption_family,
        dedup_key,
        score_per_dollar,
        cast(shortlist_rank as {{ dbt.type_bigint() }}) as shortlist_rank,
        cast(list_position as {{ dbt.type_bigint() }}) as list_position,
        energy_match = 1 as is_energy_match,
        cast(price * slot_score_per_dollar as {{ dbt.type_float() }}) as score_final,
        cast({{ sendwise.round_float('draw_probability', 6) }} as {{ dbt.type_float() }}) as draw_probability,
        cast(
            {{ sendwise.round_float(
                arm_probability ~ ' * case when candidate_rank = 1 then 1 else 0 end'
                ~ ' + ' ~ arm_probability ~ ' * draw_probability',
                6
            ) }} as {{ dbt.type_float() }}
        ) as propensity,
        cast(
            {{ sendwise.round_float(arm_probability ~ ' + ' ~ arm_probability ~ ' * top1_draw_probability', 6) }}
            as {{ dbt.type_float() }}
        ) as control_propensity,
        coalesce(
            case
                when experiment_arm = 'caption_top1' then candidate_rank = 1
                when {{ sendwise.setting_text('experiment_caption_draw') }} = 'softmax'
                    then
                        previous_cumulative_probability <= draw_uniform
                        and (draw_uniform < cumulative_probability or candidate_rank = candidate_count)
                else candidate_rank = floor(draw_uniform * candidate_count) + 1
            end,
            false
        ) as is_chosen
    from drawn
)

select * from final
