-- The learned state can be replayed from its audit trail: for every page, quota_nudge and
-- hour_pool_nudge equal the sum of the changelog deltas up to the build's epoch (the state starts at
-- 0), price_mode_bias equals the newest logged bias (neutral without one), and the nudges lie within
-- the knob bounds of settings_modeling.
with knobs as (
    select * from {{ ref('page_knobs') }}
),

changes as (
    select * from {{ ref('learning_changelog') }}
    where epoch_index <= {{ sendwise.learning_epoch_index() }}
),

numeric_fold as (
    select
        page_key,
        sum(case when knob = 'quota_nudge' then delta else 0 end) as quota_nudge_replayed,
        sum(case when knob = 'hour_pool_nudge' then delta else 0 end) as hour_pool_nudge_replayed
    from changes
    group by 1
),

bias_changes as (
    select
        page_key,
        new_value as price_mode_bias_replayed,
        row_number() over (partition by page_key order by epoch_index desc) as recency
    from changes
    where knob = 'price_mode_bias'
),

replayed as (
    select
        knobs.page_key,
        knobs.quota_nudge,
        knobs.hour_pool_nudge,
        knobs.price_mode_bias,
        coalesce(numeric_fold.quota_nudge_replayed, 0) as quota_nudge_replayed,
        coalesce(numeric_fold.hour_pool_nudge_replayed, 0) as hour_pool_nudge_replayed,
        coalesce(bias_changes.price_mode_bias_replayed, 'neutral') as price_mode_bias_replayed
    from knobs
    left join numeric_fold on knobs.page_key = numeric_fold.page_key
    left join bias_changes
        on
            knobs.page_key = bias_changes.page_key
            and bias_changes.recency = 1
)

select *
from replayed
where
    quota_nudge <> quota_nudge_replayed
    or hour_pool_nudge <> hour_pool_nudge_replayed
    or price_mode_bias <> price_mode_bias_replayed
    or quota_nudge not between {{ sendwise.setting('quota_nudge_min') }} and {{ sendwise.setting('quota_nudge_max') }}
    or hour_pool_nudge not between {{ sendwise.setting('hour_pool_nudge_min') }}
    and {{ sendwise.setting('hour_pool_nudge_max') }}
