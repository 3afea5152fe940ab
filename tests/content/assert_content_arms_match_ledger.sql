-- The persisted arm counts equal the signed sum of the whole ledger (what a full refresh would
-- give), per scope and arm. Fails when an arm missed or double-applied a ledger batch.
with ledger as (
    select * from {{ ref('content_bandit_outcome_ledger') }}
),

arms as (
    select * from {{ ref('content_bandit_arms') }}
),

ledger_totals as (
    select
        'content' as scope,
        content_type as arm_name,
        sum(entry_sign * success_count) as successes,
        sum(entry_sign * (1 - success_count)) as failures
    from ledger
    group by 1, 2
    union all
    select
        'timing' as scope,
        'hour_' || lpad(cast(posting_hour as {{ dbt.type_string() }}), 2, '0') as arm_name,
        sum(entry_sign * success_count) as successes,
        sum(entry_sign * (1 - success_count)) as failures
    from ledger
    group by 1, 2
),

compared as (
    select
        coalesce(arms.scope, ledger_totals.scope) as scope,
        coalesce(arms.arm_name, ledger_totals.arm_name) as arm_name,
        arms.successes as arm_successes,
        ledger_totals.successes as ledger_successes,
        arms.failures as arm_failures,
        ledger_totals.failures as ledger_failures
    from arms
    full outer join ledger_totals
        on
            arms.scope = ledger_totals.scope
            and arms.arm_name = ledger_totals.arm_name
)

select * from compared
where
    coalesce(arm_successes, -1) <> coalesce(ledger_successes, -1)
    or coalesce(arm_failures, -1) <> coalesce(ledger_failures, -1)
