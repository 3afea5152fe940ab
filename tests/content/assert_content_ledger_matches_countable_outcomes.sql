-- The ledger's net state is exactly one build over the current outcome history: the version each
-- post counts equals its countable outcome now, and nothing else is counted.
with ledger as (
    select * from {{ ref('content_bandit_outcome_ledger') }}
),

outcome_events as (
    select * from {{ ref('int_content_outcome_events') }}
    where is_countable
),

counted as (
    select
        decision_id,
        collected_at,
        content_type,
        posting_hour,
        engagement_rate,
        success_count
    from ledger
    group by 1, 2, 3, 4, 5, 6
    having sum(entry_sign) = 1
),

compared as (
    select
        coalesce(counted.decision_id, outcome_events.decision_id) as decision_id,
        counted.decision_id is null as is_missing_from_ledger,
        outcome_events.decision_id is null as is_counted_but_not_countable,
        counted.collected_at as counted_collected_at,
        outcome_events.collected_at as current_collected_at
    from counted
    full outer join outcome_events
        on
            counted.decision_id = outcome_events.decision_id
            and counted.collected_at = outcome_events.collected_at
            and counted.content_type = outcome_events.content_type
            and counted.posting_hour = outcome_events.posting_hour
            and counted.engagement_rate = outcome_events.engagement_rate
            and counted.success_count = outcome_events.success_count
)

select * from compared
where is_missing_from_ledger or is_counted_but_not_countable
