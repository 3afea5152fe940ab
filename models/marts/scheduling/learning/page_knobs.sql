-- The learned knobs of every page as of this build's epoch: the state reached by its latest
-- learning step at or before the epoch of as_of (a run with an earlier as_of shows the state of
-- that time, reproduced from page_knob_learning_steps). Pages that have never been stepped
-- (inactive since before learning started) have no row; consumers treat them as 0 / 0 / neutral.
-- Rebuilt from the steps every run, so a full refresh of this table loses nothing.
with steps as (
    select * from {{ ref('page_knob_learning_steps') }}
    where epoch_index <= {{ sendwise.learning_epoch_index() }}
),

pages as (
    select
        page_key,
        is_active
    from {{ ref('int_page_learner_config') }}
),

ranked as (
    select
        *,
        row_number() over (partition by page_key order by epoch_index desc) as recency,
        quota_nudge_new <> quota_nudge_old
        or hour_pool_nudge_new <> hour_pool_nudge_old
        or price_mode_bias_new <> price_mode_bias_old as is_state_changed
    from steps
),

history as (
    select
        page_key,
        count(*) as steps_taken,
        cast(sum(case when is_state_changed then 1 else 0 end) as {{ dbt.type_bigint() }}) as steps_with_change,
        min(computed_at) as first_step_at,
        max(case when is_state_changed then computed_at end) as last_change_at
    from ranked
    group by 1
),

final as (
    select
        ranked.page_key,
        ranked.quota_nudge_new as quota_nudge,
        ranked.hour_pool_nudge_new as hour_pool_nudge,
        ranked.price_mode_bias_new as price_mode_bias,
        ranked.confidence,
        concat(
            'quota: ', ranked.quota_reason,
            ' | hour pool: ', ranked.hour_pool_reason,
            ' | price: ', ranked.price_bias_reason
        ) as reason,
        ranked.computed_at,
        coalesce(history.last_change_at, history.first_step_at) as state_changed_at,
        ranked.epoch_index as last_epoch_index,
        ranked.learning_gate,
        history.steps_taken,
        history.steps_with_change,
        coalesce(pages.is_active, false) as is_active
    from ranked
    inner join history on ranked.page_key = history.page_key
    left join pages on ranked.page_key = pages.page_key
    where ranked.recency = 1
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
