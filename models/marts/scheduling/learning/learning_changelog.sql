-- Every change of a learned knob, one row per (page, knob, epoch) where the step moved it: old and
-- new value, the step's confidence and the reason in words (the signal, the rule, the bound).
-- Derived from the append-only page_knob_learning_steps, so it is complete by construction and a
-- full refresh rebuilds it identically; steps that moved nothing (held, at a bound, frozen) are in
-- the steps table only.
with steps as (
    select * from {{ ref('page_knob_learning_steps') }}
),

changes as (
    select
        page_key,
        'quota_nudge' as knob,
        cast(quota_nudge_old as {{ dbt.type_string() }}) as old_value,
        cast(quota_nudge_new as {{ dbt.type_string() }}) as new_value,
        quota_nudge_new - quota_nudge_old as delta,
        confidence,
        quota_reason as reason,
        computed_at,
        epoch_index
    from steps
    where quota_nudge_new <> quota_nudge_old

    union all

    select
        page_key,
        'hour_pool_nudge' as knob,
        cast(hour_pool_nudge_old as {{ dbt.type_string() }}) as old_value,
        cast(hour_pool_nudge_new as {{ dbt.type_string() }}) as new_value,
        hour_pool_nudge_new - hour_pool_nudge_old as delta,
        confidence,
        hour_pool_reason as reason,
        computed_at,
        epoch_index
    from steps
    where hour_pool_nudge_new <> hour_pool_nudge_old

    union all

    select
        page_key,
        'price_mode_bias' as knob,
        price_mode_bias_old as old_value,
        price_mode_bias_new as new_value,
        cast(null as {{ dbt.type_bigint() }}) as delta,
        confidence,
        price_bias_reason as reason,
        computed_at,
        epoch_index
    from steps
    where price_mode_bias_new <> price_mode_bias_old
),

final as (
    select
        {{ dbt.concat(['page_key', "'|'", 'knob', "'|'", 'cast(epoch_index as ' ~ dbt.type_string() ~ ')']) }}
            as learning_change_id,
        page_key,
        knob,
        old_value,
        new_value,
        delta,
        confidence,
        reason,
        computed_at,
        epoch_index
    from changes
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
