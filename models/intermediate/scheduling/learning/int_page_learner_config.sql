-- The knob learner's roster and settings for every page (is_active: only active pages learn):
-- the page_learner_config seed where the page has a row (an empty cell = the default), else the
-- defaults from settings_modeling. Seed rows for pages that do not exist are not joined; a warning
-- test on the seed reports them.
with pages as (
    select
        page_key,
        is_active
    from {{ ref('stg_agency__pages') }}
),

learner_config as (
    select * from {{ ref('page_learner_config') }}
),

defaults as (
    select
        {{ sendwise.setting('learner_auto_tune_default') }} as auto_tune_default,
        {{ sendwise.setting('daily_quota_min') }} as quota_min,
        {{ sendwise.setting('daily_quota_max') }} as quota_max,
        {{ sendwise.setting('hour_pool_min') }} as hour_pool_min,
        {{ sendwise.setting('hour_pool_max') }} as hour_pool_max
),

final as (
    select
        pages.page_key,
        pages.is_active,
        learner_config.page_key is not null as has_custom_config,
        coalesce(learner_config.auto_tune_enabled, defaults.auto_tune_default = 1) as auto_tune_enabled,
        cast(coalesce(learner_config.quota_min, defaults.quota_min) as {{ dbt.type_bigint() }}) as quota_min,
        cast(coalesce(learner_config.quota_max, defaults.quota_max) as {{ dbt.type_bigint() }}) as quota_max,
        cast(coalesce(learner_config.hour_pool_min, defaults.hour_pool_min) as {{ dbt.type_bigint() }})
            as hour_pool_min,
        cast(coalesce(learner_config.hour_pool_max, defaults.hour_pool_max) as {{ dbt.type_bigint() }})
            as hour_pool_max,
        cast(learner_config.freeze_until as {{ dbt.type_timestamp() }}) as freeze_until,
        learner_config.note as config_note
    from pages
    cross join defaults
    left join learner_config on pages.page_key = learner_config.page_key
)

select * from final
