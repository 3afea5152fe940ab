{#- Persisted Thompson-sampling / UCB1 state: cumulative successes and failures per arm and scope
    (content: one arm per content type; timing: one arm per UTC posting hour). Incremental: each
    run adds, per arm, the signed entries the ledger appended since the last batch applied here
    (ledger_batch_seq), so an outcome is counted exactly once across runs, a re-collection replaces
    its post's previous contribution (reverse + count), and a rerun adds nothing. --full-refresh
    re-aggregates the whole ledger, which gives the same counts. alpha = successes + 1,
    beta = failures + 1 (a uniform Beta(1, 1) prior). as_of / built_at (build_stamp): the build that
    last changed the arm (the merge keeps the others' rows, stamp included). -#}
{{
    config(
        materialized='incremental',
        unique_key=['scope', 'arm_name'],
        on_schema_change='append_new_columns',
    )
}}

with ledger as (
    select * from {{ ref('content_bandit_outcome_ledger') }}
),

{% if is_incremental() %}
    previous_arms as (
        select * from {{ this }}
    ),

    applied as (
        select coalesce(max(previous_arms.ledger_batch_seq), 0) as batch_seq
        from previous_arms
    ),
{% endif %}

new_entries as (
    select * from ledger
    {% if is_incremental() %}
        where batch_seq > (select applied.batch_seq from applied)
    {% endif %}
),

entries_by_scope as (
    select
        'content' as scope,
        content_type as arm_name,
        cast(null as {{ dbt.type_bigint() }}) as posting_hour,
        batch_seq,
        counted_as_of,
        entry_sign,
        success_count,
        engagement_rate
    from new_entries

    union all

    select
        'timing' as scope,
        'hour_' || lpad(cast(posting_hour as {{ dbt.type_string() }}), 2, '0') as arm_name,
        posting_hour,
        batch_seq,
        counted_as_of,
        entry_sign,
        success_count,
        engagement_rate
    from new_entries
),

deltas as (
    select
        scope,
        arm_name,
        max(posting_hour) as posting_hour,
        sum(entry_sign * success_count) as delta_successes,
        sum(entry_sign * (1 - success_count)) as delta_failures,
        sum(entry_sign * engagement_rate) as delta_rate_sum,
        max(batch_seq) as ledger_batch_seq,
        max(counted_as_of) as last_updated
    from entries_by_scope
    group by 1, 2
),

merged as (
    select
        deltas.scope,
        deltas.arm_name,
        deltas.posting_hour,
        {% if is_incremental() %}
            coalesce(previous_arms.successes, 0) + deltas.delta_successes as successes,
            coalesce(previous_arms.failures, 0) + deltas.delta_failures as failures,
            coalesce(previous_arms.engagement_rate_sum, 0.0) + deltas.delta_rate_sum as engagement_rate_sum,
        {% else %}
            deltas.delta_successes as successes,
            deltas.delta_failures as failures,
            deltas.delta_rate_sum as engagement_rate_sum,
        {% endif %}
        deltas.ledger_batch_seq,
        deltas.last_updated
    from deltas
    {% if is_incremental() %}
        left join previous_arms
            on
                deltas.scope = previous_arms.scope
                and deltas.arm_name = previous_arms.arm_name
    {% endif %}
),

final as (
    select
        scope,
        arm_name,
        case when scope = 'content' then arm_name end as content_type,
        cast(posting_hour as {{ dbt.type_bigint() }}) as posting_hour,
        cast(successes as {{ dbt.type_bigint() }}) as successes,
        cast(failures as {{ dbt.type_bigint() }}) as failures,
        cast(successes + failures as {{ dbt.type_bigint() }}) as n_outcomes,
        cast(successes + 1 as {{ dbt.type_bigint() }}) as alpha,
        cast(failures + 1 as {{ dbt.type_bigint() }}) as beta,
        cast((successes + 1) / (successes + failures + 2.0) as {{ dbt.type_float() }}) as posterior_mean,
        cast(engagement_rate_sum as {{ dbt.type_float() }}) as engagement_rate_sum,
        cast(
            {{ sendwise.safe_divide('engagement_rate_sum', 'successes + failures') }} as {{ dbt.type_float() }}
        ) as mean_engagement_rate,
        cast(ledger_batch_seq as {{ dbt.type_bigint() }}) as ledger_batch_seq,
        last_updated
    from merged
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
