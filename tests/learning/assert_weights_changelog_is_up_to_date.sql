-- The weights audit trail is complete: every page's every weight has a logged value, and the current
-- weight is within the logging threshold (weight_change_min_share of its range) of the newest
-- logged value - a larger move would have been logged.
with weights as (
    select * from {{ ref('page_personalization_weights') }}
),

weights_long as (
    select
        page_key,
        'weight_volume' as weight_name,
        weight_volume as current_value,
        {{ sendwise.setting('weight_volume_max') }} - {{ sendwise.setting('weight_volume_min') }} as weight_range
    from weights
    union all
    select
        page_key,
        'weight_price' as weight_name,
        weight_price as current_value,
        {{ sendwise.setting('weight_price_max') }} - {{ sendwise.setting('weight_price_min') }} as weight_range
    from weights
    union all
    select
        page_key,
        'weight_hours' as weight_name,
        weight_hours as current_value,
        {{ sendwise.setting('weight_hours_max') }} - {{ sendwise.setting('weight_hours_min') }} as weight_range
    from weights
    union all
    select
        page_key,
        'exploration_rate' as weight_name,
        exploration_rate as current_value,
        {{ sendwise.setting('exploration_rate_max') }} - {{ sendwise.setting('exploration_rate_min') }}
            as weight_range
    from weights
),

logged as (
    select
        page_key,
        weight_name,
        new_value as logged_value,
        computed_at,
        row_number() over (partition by page_key, weight_name order by computed_at desc) as recency
    from {{ ref('personalization_weights_changelog') }}
),

compared as (
    select
        weights_long.*,
        logged.logged_value,
        logged.computed_at as logged_computed_at
    from weights_long
    left join logged
        on
            weights_long.page_key = logged.page_key
            and weights_long.weight_name = logged.weight_name
            and logged.recency = 1
)

select *
from compared
where
    -- a build with an older as_of than the newest log (a backfill) logs nothing, by design
    coalesce(logged_computed_at, {{ sendwise.as_of() }}) <= {{ sendwise.as_of() }}
    and (
        logged_value is null
        or abs(current_value - logged_value) >= {{ sendwise.setting('weight_change_min_share') }} * weight_range
    )
