{{ config(materialized='table') }}
-- What the revenue model scores: one row per scoring_key with exactly the model's feature
-- columns (the interface of ml_revenue_gbm_scores; see docs/ml.md). Two sources:
-- * grid: each active page x the template_days page-local days after the local date of as_of x
--   each hour of the page's active window, at the page's defaults (int_revenue_page_defaults:
--   median PPV price, most sent content category and caption style over price_window_days), for a
--   caption new to the page and without a record;
-- * template: every PPV send the weekly template assigned (page, local send time, caption), with
--   its own price, category, caption style, position in the day, the caption's fatigue on the page
--   at the slot and its track record before as_of. The template's captions are
--   chosen from the ranking's scores, not from these predictions, so there is no cycle:
--   weekly_template_7d reads the predictions of its own rows (scoring_key page|local time|caption).
{% set as_of_day -%}
    {{ sendwise.utc_day_number(sendwise.as_of()) }}
{%- endset %}

with pages as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour
    from {{ ref('stg_agency__pages') }}
    where is_active
),

page_defaults as (
    select * from {{ ref('int_revenue_page_defaults') }}
),

momentum as (
    select *
    from {{ ref('int_page_momentum_daily') }}
    where
        knowledge_day_number
        = {{ sendwise.utc_day_number(sendwise.as_of()) }}
),

numbers as (
    {{ dbt.generate_series(31) }}
),

day_offsets as (
    select generated_number as day_offset
    from numbers
    where generated_number <= {{ sendwise.setting('template_days') }}
),

hours as (
    select generated_number - 1 as local_hour
    from numbers
    where generated_number <= 24
),

page_days as (
    select
        pages.page_key,
        pages.time_zone,
        pages.active_from_hour,
        pages.active_to_hour,
        cast({{ dbt.dateadd(
            'day', 'day_offsets.day_offset',
            'cast(' ~ sendwise.to_local_timestamp(sendwise.as_of(), 'pages.time_zone') ~ ' as date)'
        ) }} as date) as local_date
    from pages
    cross join day_offsets
),

slots as (
    select
        page_days.page_key,
        page_days.time_zone,
        page_days.local_date,
        hours.local_hour,
        {{ sendwise.active_window_position('hours.local_hour', 'page_days.active_from_hour') }} as hour_position,
        {{ sendwise.active_window_hours('page_days.active_from_hour', 'page_days.active_to_hour') }} as window_hours
    from page_days
    cross join hours
    where {{ sendwise.is_in_active_window(
        'hours.local_hour', 'page_days.active_from_hour', 'page_days.active_to_hour'
    ) }}
),

slots_timed as (
    select
        *,
        {{ dbt.dateadd('hour', 'local_hour', 'cast(local_date as ' ~ dbt.type_timestamp() ~ ')') }} as slot_local_at
    from slots
),

template_sends as (
    select
        assigned.page_key,
        pages.time_zone,
        assigned.plan_date as local_date,
        slots.send_local_at,
        slots.local_hour,
        slots.slot_number,
        assigned.price,
        assigned.caption_id,
        assigned.caption_hash,
        {{ sendwise.from_local_timestamp('slots.send_local_at', 'pages.time_zone') }} as slot_at,
        coalesce(assigned.content_category, 'unknown') as content_category,
        {{ sendwise.caption_style_features('styles') }}
    from {{ ref('int_template_caption_assignment') }} as assigned
    inner join {{ ref('int_template_send_slots') }} as slots
        on
            assigned.page_key = slots.page_key
            and assigned.plan_date = slots.plan_date
            and assigned.slot_number = slots.slot_number
    inner join pages on assigned.page_key = pages.page_key
    left join {{ ref('int_caption_style_features') }} as styles
        on assigned.caption_hash = styles.caption_hash
    where not assigned.is_dropped and assigned.price > 0
),

template_caption_uses as (
    -- the caption's sends on the page before the slot (the plan's own earlier sends are left out:
    -- the cooldown keeps a caption from coming back within the week)
    {{ sendwise.caption_page_uses('template_sends', 'slot_at') }}
),

as_of_caption_records as (
    {{ sendwise.track_record_before('caption', as_of_day) }}
),

as_of_page_hour_records as (
    {{ sendwise.track_record_before('page_hour', as_of_day) }}
),

template_candidates as (
    select
        {{ dbt.concat([
            'template_sends.page_key', "'|'",
            sendwise.format_timestamp('template_sends.send_local_at', '%Y-%m-%d %H:%M'), "'|'",
            'template_sends.caption_id'
        ]) }} as scoring_key,
        'template' as candidate_source,
        template_sends.page_key,
        template_sends.send_local_at as slot_local_at,
        template_sends.slot_at,
        template_sends.local_date,
        template_sends.local_hour,
        {{ sendwise.iso_day_of_week('template_sends.send_local_at') }} as local_dow,
        page_defaults.is_page_history_missing,
        {{ sendwise.round_float('template_sends.price', 2) }} as price,
        {{ sendwise.price_band('template_sends.price') }} as price_band,
        template_sends.content_category,
        {{ sendwise.caption_style_features('template_sends') }},
        cast(template_sends.slot_number - 1 as {{ dbt.type_int() }}) as send_index_in_day,
        case when template_sends.caption_hash is not null then coalesce(template_caption_uses.caption_page_uses, 0) end
            as caption_page_uses,
        -- a caption's sends are whole (the track records' sends column is weighted for page hours)
        cast(coalesce(as_of_caption.prior_sends, 0) as {{ dbt.type_bigint() }}) as caption_prior_sends,
        {{ sendwise.revenue_index(
            'as_of_caption.prior_sends', 'as_of_caption.prior_earnings', 'as_of_caption.prior_level_earnings',
            'gbm_caption_prior_sends'
        ) }} as caption_revenue_index,
        {{ sendwise.revenue_index(
            'as_of_page_hour.prior_sends', 'as_of_page_hour.prior_earnings', 'as_of_page_hour.prior_level_earnings',
            'gbm_page_hour_prior_sends'
        ) }} as page_hour_revenue_index,
        {{ sendwise.momentum_features('momentum') }}
    from template_sends
    left join page_defaults on template_sends.page_key = page_defaults.page_key
    left join momentum on template_sends.page_key = momentum.page_key
    left join template_caption_uses
        on
            template_sends.page_key = template_caption_uses.page_key
            and template_sends.caption_hash = template_caption_uses.caption_hash
            and template_sends.slot_at = template_caption_uses.slot_at
    left join as_of_caption_records as as_of_caption on template_sends.caption_hash = as_of_caption.record_key
    left join as_of_page_hour_records as as_of_page_hour
        on
            {{ sendwise.page_hour_key('template_sends.page_key', 'template_sends.local_hour') }}
            = as_of_page_hour.record_key
),

grid_candidates as (
    select
        {{ dbt.concat([
            'slots_timed.page_key', "'|'",
            sendwise.format_timestamp('slots_timed.slot_local_at', '%Y-%m-%d %H:%M')
        ]) }} as scoring_key,
        'grid' as candidate_source,
        slots_timed.page_key,
        slots_timed.slot_local_at,
        {{ sendwise.from_local_timestamp('slots_timed.slot_local_at', 'slots_timed.time_zone') }} as slot_at,
        slots_timed.local_date,
        slots_timed.local_hour,
        {{ sendwise.iso_day_of_week('slots_timed.slot_local_at') }} as local_dow,
        page_defaults.is_page_history_missing,
        {{ sendwise.round_float('page_defaults.median_price', 2) }} as price,
        {{ sendwise.price_band('page_defaults.median_price') }} as price_band,
        page_defaults.content_category,
        {{ sendwise.caption_style_features('page_defaults') }},
        cast(floor(
            coalesce(momentum.sends_per_day_28d, 0) * slots_timed.hour_position / slots_timed.window_hours
        ) as {{ dbt.type_int() }}) as send_index_in_day,
        -- a grid slot assumes a caption new to the page and without a record
        cast(0 as {{ dbt.type_float() }}) as caption_page_uses,
        cast(0 as {{ dbt.type_int() }}) as caption_prior_sends,
        cast(1 as {{ dbt.type_float() }}) as caption_revenue_index,
        {{ sendwise.revenue_index(
            'as_of_page_hour.prior_sends', 'as_of_page_hour.prior_earnings', 'as_of_page_hour.prior_level_earnings',
            'gbm_page_hour_prior_sends'
        ) }} as page_hour_revenue_index,
        {{ sendwise.momentum_features('momentum') }}
    from slots_timed
    left join page_defaults on slots_timed.page_key = page_defaults.page_key
    left join momentum on slots_timed.page_key = momentum.page_key
    left join as_of_page_hour_records as as_of_page_hour
        on
            {{ sendwise.page_hour_key('slots_timed.page_key', 'slots_timed.local_hour') }}
            = as_of_page_hour.record_key
),

final as (
    select * from grid_candidates
    union all
    select * from template_candidates
)

select * from final
