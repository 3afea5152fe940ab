{{ config(materialized='table') }}
-- One row per PPV send with the revenue model's features and target (earnings), split in time:
-- sends before as_of - gbm_holdout_days train the model ('train'), the rest evaluate it
-- ('holdout'); never a random split. Page momentum is read as of the send's UTC day for training
-- rows and as of the cutoff day for holdout rows, so evaluation sees only what was known at the
-- cutoff (as deployment sees only what is known at as_of). The track records of the caption and
-- of the page's local hour (int_revenue_track_records) are read the same way: the days before the
-- send's own for training rows, the days before the cutoff for holdout rows. The caption's fatigue
-- counts its sends on the page before the send itself, holdout ones included: a plan knows its own
-- earlier sends. Sends that cannot be used keep their row with an exclusion_reason (counted, never
-- silently dropped).
{% set cutoff_day -%}
    {{ sendwise.utc_day_number(sendwise.as_of()) }}
    - cast({{ sendwise.setting('gbm_holdout_days') }} as {{ dbt.type_int() }})
{%- endset %}

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
        {{ sendwise.utc_day_number('sent_at') }} as sent_day_number
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

caption_uses as (
    {{ sendwise.caption_page_uses('sends', 'sent_at') }}
),

train_records as (
    select
        record_kind,
        record_key,
        day_number,
        sends_before as prior_sends,
        earnings_before as prior_earnings,
        level_earnings_before as prior_level_earnings
    from {{ ref('int_revenue_track_records') }}
),

cutoff_caption_records as (
    {{ sendwise.track_record_before('caption', cutoff_day) }}
),

cutoff_page_hour_records as (
    {{ sendwise.track_record_before('page_hour', cutoff_day) }}
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
        {{ sendwise.utc_day_number(sendwise.as_of()) }}
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
        -- the keys of the track records each split reads (null for the other split): equality joins
        -- only (a join condition on one side's column alone made DuckDB compare every pair of rows)
        case when sends.sent_at < params.cutoff_at then sends.sent_day_number end as train_day_number,
        case when sends.sent_at >= params.cutoff_at then sends.caption_hash end as holdout_caption_hash,
        case
            when sends.sent_at >= params.cutoff_at
                then {{ sendwise.page_hour_key('sends.page_key', 'sends.local_hour') }}
        end as holdout_page_hour_key,
        {{ sendwise.page_hour_key('sends.page_key', 'sends.local_hour') }} as page_hour_key,
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
        case when split.caption_hash is not null then coalesce(caption_uses.caption_page_uses, 0) end
            as caption_page_uses,
        -- a caption's sends are whole (the track records' sends column is weighted for page hours)
        cast(
            coalesce(train_caption.prior_sends, cutoff_caption.prior_sends, 0) as {{ dbt.type_bigint() }}
        ) as caption_prior_sends,
        {{ sendwise.revenue_index(
            'coalesce(train_caption.prior_sends, cutoff_caption.prior_sends)',
            'coalesce(train_caption.prior_earnings, cutoff_caption.prior_earnings)',
            'coalesce(train_caption.prior_level_earnings, cutoff_caption.prior_level_earnings)',
            'gbm_caption_prior_sends'
        ) }} as caption_revenue_index,
        {{ sendwise.revenue_index(
            'coalesce(train_page_hour.prior_sends, cutoff_page_hour.prior_sends)',
            'coalesce(train_page_hour.prior_earnings, cutoff_page_hour.prior_earnings)',
            'coalesce(train_page_hour.prior_level_earnings, cutoff_page_hour.prior_level_earnings)',
            'gbm_page_hour_prior_sends'
        ) }} as page_hour_revenue_index,
        {{ sendwise.momentum_features('momentum') }},
        split.earnings
    from split
    left join styles on split.caption_hash = styles.caption_hash
    left join day_positions on split.send_id = day_positions.send_id
    left join caption_uses
        on
            split.page_key = caption_uses.page_key
            and split.caption_hash = caption_uses.caption_hash
            and split.sent_at = caption_uses.sent_at
    left join train_records as train_caption
        on
            train_caption.record_kind = 'caption'
            and split.caption_hash = train_caption.record_key
            and split.train_day_number = train_caption.day_number
    left join train_records as train_page_hour
        on
            train_page_hour.record_kind = 'page_hour'
            and split.page_hour_key = train_page_hour.record_key
            and split.train_day_number = train_page_hour.day_number
    left join cutoff_caption_records as cutoff_caption
        on split.holdout_caption_hash = cutoff_caption.record_key
    left join cutoff_page_hour_records as cutoff_page_hour
        on split.holdout_page_hour_key = cutoff_page_hour.record_key
    left join momentum
        on
            split.page_key = momentum.page_key
            and split.knowledge_day_number = momentum.knowledge_day_number
)

select * from final
