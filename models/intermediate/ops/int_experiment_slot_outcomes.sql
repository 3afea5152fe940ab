-- What happened to every planned slot of the experiments' weeks (docs/operations.md): the slots of the
-- plan in force for each page-day (the latest generation of weekly_plan_history made before as_of that
-- covers it, as the EROS execution rate counts them) whose UTC time is before as_of, in the generations
-- where an experiment ran, each matched to the page's PPV send closest to its planned UTC time within
-- eros_execution_tolerance_minutes (ties: the earlier send, then the lower price). is_as_planned: the
-- send went out at the planned price (within half a cent). revenue = the matched send's earnings.
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
    -- the generations in which an experiment held out slots, per experiment
    select distinct
        generated_for_as_of,
        experiment_id
    from plan_history
    where experiment_id is not null
),

slots as (
    select
        experiment_generations.experiment_id,
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
        generated_for_as_of,
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        is_held_out,
        -- the action the logging policy took: its arm, or the ladder price (= the control's action)
        coalesce(experiment_arm, 'control') as action_arm,
        experiment_arm,
        propensity,
        planned_price,
        ladder_price,
        expected_revenue,
        send_id,
        sent_price,
        send_id is not null as is_executed,
        send_id is not null and abs(sent_price - planned_price) < 0.005 as is_as_planned,
        earnings as revenue
    from candidates
    where match_rank = 1
)

select * from final
