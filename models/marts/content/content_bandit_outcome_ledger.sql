{#- The counted-outcomes ledger: the persisted memory of what the content bandit has counted.
    Append-only. Each run compares the countable outcome of every post (int_content_outcome_events)
    with the version of that post the ledger currently counts (net entry_sign = +1) and appends
    only the differences: a 'count' entry for a post seen for the first time; for a post whose
    counted version changed (a newer collection, or its post changed) a 'reverse' entry of the old
    version plus a 'count' of the new one; a 'reverse' entry for a post that is no longer countable.
    So every post contributes at most once (net) to the arms however often it is collected or the
    build reruns, and the net ledger always equals one build over the current outcome history.
    --full-refresh does not rebuild it (full_refresh=false: the ledger is the audit trail and the
    arms are re-aggregated from it); var content_ledger_allow_full_refresh: true allows a rebuild,
    which reproduces the same net state as one count entry per countable post. -#}
{{
    config(
        materialized='incremental',
        full_refresh=(none if var('content_ledger_allow_full_refresh', false) else false),
        on_schema_change='fail',
    )
}}

with outcome_events as (
    select * from {{ ref('int_content_outcome_events') }}
    where is_countable
),

{% if is_incremental() %}
    ledger as (
        select * from {{ this }}
    ),
{% endif %}

counted_versions as (
    -- the version of each post the ledger counts now (net sign +1)
    {% if is_incremental() %}
        select
            decision_id,
            collected_at,
            content_type,
            posting_hour,
            engagement_rate,
            success_count,
            sum(entry_sign) as net_sign
        from ledger
        group by 1, 2, 3, 4, 5, 6
        having sum(entry_sign) <> 0
    {% else %}
        select
            decision_id,
            collected_at,
            content_type,
            posting_hour,
            engagement_rate,
            success_count,
            1 as net_sign
        from outcome_events
        where false
    {% endif %}
),

this_batch as (
    select
        {% if is_incremental() %}
            coalesce((select max(ledger.batch_seq) from ledger), 0) + 1
        {% else %}
            1
        {% endif %} as batch_seq
),

compared as (
    select
        coalesce(outcome_events.decision_id, counted_versions.decision_id) as decision_id,
        outcome_events.decision_id is not null as is_current,
        counted_versions.decision_id is not null as is_counted,
        outcome_events.collected_at as current_collected_at,
        outcome_events.content_type as current_content_type,
        outcome_events.posting_hour as current_posting_hour,
        outcome_events.engagement_rate as current_engagement_rate,
        outcome_events.success_count as current_success_count,
        counted_versions.collected_at as counted_collected_at,
        counted_versions.content_type as counted_content_type,
        counted_versions.posting_hour as counted_posting_hour,
        counted_versions.engagement_rate as counted_engagement_rate,
        counted_versions.success_count as counted_success_count,
        case
            when counted_versions.decision_id is null then 'new_outcome'
            when outcome_events.decision_id is null then 'withdrawn'
            when outcome_events.collected_at <> counted_versions.collected_at then 'recollected'
            when
                outcome_events.content_type <> counted_versions.content_type
                or outcome_events.posting_hour <> counted_versions.posting_hour
                or outcome_events.engagement_rate <> counted_versions.engagement_rate
                or outcome_events.success_count <> counted_versions.success_count
                then 'post_changed'
        end as change_reason
    from outcome_events
    full outer join counted_versions
        on outcome_events.decision_id = counted_versions.decision_id
),

changes as (
    select * from compared
    where change_reason is not null
),

entries as (
    select
        decision_id,
        'reverse' as entry_type,
        -1 as entry_sign,
        change_reason,
        counted_collected_at as collected_at,
        counted_content_type as content_type,
        counted_posting_hour as posting_hour,
        counted_engagement_rate as engagement_rate,
        counted_success_count as success_count
    from changes
    where is_counted

    union all

    select
        decision_id,
        'count' as entry_type,
        1 as entry_sign,
        change_reason,
        current_collected_at as collected_at,
        current_content_type as content_type,
        current_posting_hour as posting_hour,
        current_engagement_rate as engagement_rate,
        current_success_count as success_count
    from changes
    where is_current
),

final as (
    select
        entries.decision_id || '#' || cast(this_batch.batch_seq as {{ dbt.type_string() }})
        || '#' || entries.entry_type as ledger_entry_id,
        cast(this_batch.batch_seq as {{ dbt.type_bigint() }}) as batch_seq,
        {{ sendwise.as_of() }} as counted_as_of,
        entries.decision_id,
        entries.entry_type,
        cast(entries.entry_sign as {{ dbt.type_bigint() }}) as entry_sign,
        entries.change_reason,
        entries.collected_at,
        entries.content_type,
        cast(entries.posting_hour as {{ dbt.type_bigint() }}) as posting_hour,
        cast(entries.engagement_rate as {{ dbt.type_float() }}) as engagement_rate,
        cast(entries.success_count as {{ dbt.type_bigint() }}) as success_count
    from entries
    cross join this_batch
    {% if flags.EMPTY %}
        -- dbt --empty empties the inputs but not {{ this }}: append nothing rather than reversals
        where false
    {% endif %}
)

select * from final
