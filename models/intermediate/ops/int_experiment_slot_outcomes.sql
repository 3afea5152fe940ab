-- What happened to every planned slot of the experiments' weeks (docs/operations.md): the slots of the
-- plan in force for each page-day (the latest generation of weekly_plan_history made before as_of that
-- covers it, as the EROS execution rate counts them) whose UTC time is before as_of, in the generations
-- where an experiment ran, each matched to the page's PPV send closest to its planned UTC time within
-- eros_execution_tolerance_minutes (ties: the earlier send, then the lower price). is_as_planned: the
-- send went out at the planned price (within half a cent), and for the caption experiment also with the
-- planned caption (same caption text hash). revenue = the matched send's earnings. experiment_kind: caption
-- when the experiment's held-out slots carry the caption arms (caption_top1 / caption_topk), else price.
-- action_arm of a slot that is not held out: the control's action (control = the ladder price;
-- caption_top1 = the template's caption).
with plan_history as (
    select
        generated_for_as_of,
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        price,
        ladder_price,
        expected_revenue,
        experiment_id,
        experiment_arm,
        propensity,
        caption_id,
        caption_hash,
        control_caption_id,
        caption_propensity,
        control_caption_propensity,
        message_type
    from {{ ref('weekly_plan_history') }}
    where generated_for_as_of < {{ sendwise.as_of() }}
),

sends as (
    select
        send_id,
        page_key,
        sent_at,
        price,
        caption_hash,
        earnings
    from {{ ref('int_mass_messages_enriched') }}
    where is_ppv and sent_at < {{ sendwise.as_of() }}
),

parameters as (
    select {{ sendwise.setting('eros_execution_tolerance_minutes') }} as tolerance_minutes
),

plans_in_force as (
    select
        page_key,
        plan_date,
        max(generated_for_as_of) as generated_for_as_of
    from plan_history
    group by 1, 2
),

experiment_generations as (
    -- the generations in which an experiment held out slots, per experiment, with its kind
    select
        generated_for_as_of,
        experiment_id,
        case
            when max(case when experiment_arm in ('caption_top1', 'caption_topk') then 1 else 0 end) = 1
                then 'caption'
            else 'price'
        end as experiment_kind
    from plan_history
    where experiment_id is not null
    group by 1, 2
),

slots as (
    select
        experiment_generations.experiment_id,
        experiment_generations.experiment_kind,
        plan_history.generated_for_as_of,
        plan_history.page_key,
        plan_history.plan_date,
        plan_history.slot_number,
        plan_history.send_at_utc,
        plan_history.price as planned_price,
        plan_history.ladder_price,
        plan_history.expected_revenue,
        plan_history.experiment_arm,
        plan_history.propensity,
        plan_history.caption_id,
        plan_history.caption_hash as planned_caption_hash,
        plan_history.control_caption_id,
        plan_history.caption_propensity,
        plan_history.control_caption_propensity,
        plan_history.experiment_id is not null as is_held_out
    from plan_history
    inner join plans_in_force
        on
            plan_history.page_key = plans_in_force.page_key
            and plan_history.plan_date = plans_in_force.plan_date
            and plan_history.generated_for_as_of = plans_in_force.generated_for_as_of
    inner join experiment_generations
        on plan_history.generated_for_as_of = experiment_generations.generated_for_as_of
    where
        plan_history.message_type = 'PPV'
        and plan_history.send_at_utc < {{ sendwise.as_of() }}
        and (plan_history.experiment_id is null or plan_history.experiment_id = experiment_generations.experiment_id)
),

candidates as (
    select
        slots.*,
        sends.send_id,
        sends.price as sent_price,
        sends.caption_hash as sent_caption_hash,
        sends.earnings,
        row_number() over (
            partition by slots.experiment_id, slots.page_key, slots.plan_date, slots.slot_number
            order by
                abs({{ sendwise.epoch_seconds('sends.sent_at') }} - {{ sendwise.epoch_seconds('slots.send_at_utc') }}),
                sends.sent_at,
                sends.price,
                sends.send_id
        ) as match_rank
    from slots
    cross join parameters
    left join sends
        on
            slots.page_key = sends.page_key
            and abs({{ sendwise.epoch_seconds('sends.sent_at') }} - {{ sendwise.epoch_seconds('slots.send_at_utc') }})
            <= parameters.tolerance_minutes * 60
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            'experiment_id', "'|'", 'page_key', "'|'", 'cast(plan_date as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(slot_number as ' ~ dbt.type_string() ~ ')'
        ])) }} as {{ dbt.type_string() }}) as slot_outcome_key,
        experiment_id,
        cast(experiment_kind as {{ dbt.type_string() }}) as experiment_kind,
        generated_for_as_of,
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        is_held_out,
        -- the action the logging policy took: its arm, or the control's action (the ladder price; the
        -- template's caption)
        cast(
            coalesce(experiment_arm, case when experiment_kind = 'caption' then 'caption_top1' else 'control' end)
            as {{ dbt.type_string() }}
        ) as action_arm,
        experiment_arm,
        propensity,
        planned_price,
        ladder_price,
        expected_revenue,
        caption_id,
        control_caption_id,
        coalesce(caption_id = control_caption_id, true) as is_control_caption,
        caption_propensity,
        control_caption_propensity,
        send_id,
        sent_price,
        send_id is not null as is_executed,
        send_id is not null
        and abs(sent_price - planned_price) < 0.005
        and (experiment_kind <> 'caption' or coalesce(sent_caption_hash = planned_caption_hash, false))
            as is_as_planned,
        earnings as revenue
    from candidates
    where match_rank = 1
)

select * from final
