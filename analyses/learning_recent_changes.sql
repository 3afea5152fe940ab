-- Audit by hand: what the learner changed in the last few epochs, newest first, next to the current
-- knobs of the page. `dbt compile -s learning_recent_changes` then run the SQL in target/compiled.
with changes as (
    select * from {{ ref('learning_changelog') }}
),

knobs as (
    select * from {{ ref('page_knobs') }}
),

final as (
    select
        changes.computed_at,
        changes.page_key,
        changes.knob,
        changes.old_value,
        changes.new_value,
        changes.confidence,
        changes.reason,
        knobs.quota_nudge as current_quota_nudge,
        knobs.hour_pool_nudge as current_hour_pool_nudge,
        knobs.price_mode_bias as current_price_mode_bias
    from changes
    left join knobs on changes.page_key = knobs.page_key
    where changes.epoch_index >= {{ sendwise.learning_epoch_index() }} - 6
)

select * from final
order by 1 desc, 2 asc, 3 asc
