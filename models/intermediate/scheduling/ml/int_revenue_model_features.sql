{{ config(materialized='table') }}
-- One row per PPV send with the revenue model's features and target (earnings), split in time:
-- sends before as_of - gbm_holdout_days train the model ('train'), the rest evaluate it
-- ('holdout'); never a random split. Page momentum is read as of the send's UTC day for training
-- rows and as of the cutoff day for holdout rows, so evaluation sees only what was known at the
-- cutoff (as deployment sees only what is known at as_of). Sends that cannot be used keep their row
-- with an exclusion_reason (counted, never silently dropped).
with sends as (
    select
        send_id,
        page_key,
        is_page_known,
        caption_hash,
        content_category,
        price,
        price_band,
        sent_at,
        sent_local_at,
        local_date,
        local_hour,
        local_dow,
        earnings,
        cast(floor({{ sendwise.epoch_seconds('sent_at') }} / 86400) as {{ dbt.type_int() }}) as sent_day_number
    from {{ ref('int_mass_messages_enriched') }}
    where is_ppv
),

all_sends as (
    -- every send (any type) of a known page: the position of a send within its page-local day
    select
        send_id,
        page_key,
        local_date,
        sent_at
    from {{ ref('int_mass_messages_enriched') }}
    where is_page_known
),

styles as (
    select * from {{ ref('int_caption_style_features') }}
),

momentum as (
    select * from {{ ref('int_page_momentum_daily') }}
),

params as (
    select
        {{ sendwise.window_start('gbm_holdout_days') }} as cutoff_at,
        cast(floor({{ sendwise.epoch_seconds(sendwise.as_of()) }} / 86400) as {{ dbt.type_int() }})
        - cast({{ sendwise.setting('gbm_holdout_days') }} as {{ dbt.type_int() }}) as cutoff_day_number
),

day_positions as (
    select
        send_id,
        row_number() over (partition by page_key, local_date order by sent_at, send_id) - 1 as send_index_in_day
    from all_sends
),

split as (
    select
        sends.*,
        case when sends.sent_at < params.cutoff_at then 'train' else 'holdout' end as sample_split,
        case
            when sends.sent_at < params.cutoff_at then sends.sent_day_number
            else params.cutoff_day_number
        end as knowledge_day_number
    from sends
    cross join params
),

final as (
    select
        split.send_id,
        split.sample_split,
        case
            when not split.is_page_known then 'unknown_page'
            when split.earnings < 0 then 'negative_earnings'
        end as exclusion_reason,
        split.page_key,
        split.sent_at,
        split.sent_local_at,
        split.local_hour,
        split.local_dow,
        split.price,
        split.price_band,
        coalesce(split.content_category, 'unknown') as content_category,
        {{ sendwise.caption_style_features('styles') }},
        day_positions.send_index_in_day,
        {{ sendwise.momentum_features('momentum') }},
        split.earnings
    from split
    left join styles on split.caption_hash = styles.caption_hash
    left join day_positions on split.send_id = day_positions.send_id
    left join momentum
        on
            split.page_key = momentum.page_key
            and split.knowledge_day_number = momentum.knowledge_day_number
)

select * from final
