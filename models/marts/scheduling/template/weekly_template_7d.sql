-- PLACEHOLDER (qc helper): a cheap stand-in for the captions helper's weekly_template_7d with
-- exactly the contract's columns, so the QC table and the schedule export have rows to check.
-- The lead deletes this file (and _weekly_template_7d_placeholder.yml) when the real model lands.
-- Sends: each schedulable page-day of int_template_daily_quota gets min(quota, what fits) sends from
-- the active window's first hour, evenly spaced (spacing clamped to [min_gap_hours, max_gap_hours]);
-- captions: the page's ranking shortlist (vault-eligible) by p_buy_eb, one per send of the week,
-- near-duplicates and repeated texts removed; prices: the page's ladder for that many sends.
with quotas as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        daily_quota,
        active_window_hours
    from {{ ref('int_template_daily_quota') }}
),

pages as (
    select
        page_key,
        page_name,
        time_zone,
        active_from_hour
    from {{ ref('stg_agency__pages') }}
    where is_active
),

quality as (
    select page_key
    from {{ ref('data_quality_by_page') }}
    where is_schedulable
),

shortlist as (
    select
        page_key,
        caption_id,
        caption_hash,
        p_buy_eb,
        w_sent_context
    from {{ ref('int_ranking_caption_scores') }}
),

near_duplicates as (
    select duplicate_caption_id as caption_id
    from {{ ref('caption_near_duplicates') }}
),

library as (
    select
        caption_id,
        caption_text,
        content_category
    from {{ ref('stg_agency__caption_bank') }}
),

categories as (
    select
        content_category,
        content_class
    from {{ ref('content_categories') }}
),

families as (
    select
        caption_id,
        cluster_id
    from {{ ref('ml_caption_clusters') }}
),

ladder as (
    select
        page_key,
        sends_in_day,
        price_rank,
        price
    from {{ ref('int_page_price_ladder_daily') }}
),

numbers as (
    select cast(generated_number as {{ dbt.type_bigint() }}) as slot_number
    from ({{ dbt.generate_series(24) }}) as series
),

parameters as (
    select
        {{ sendwise.setting('min_gap_hours') }} as min_gap_hours,
        {{ sendwise.setting('max_gap_hours') }} as max_gap_hours,
        {{ sendwise.setting('default_slot_price') }} as default_slot_price,
        {{ sendwise.setting('prior_nu_buy') }} as prior_nu_buy
),

page_days as (
    select
        quotas.*,
        pages.page_name,
        pages.time_zone,
        pages.active_from_hour,
        cast({{ sendwise.clamp(
            'floor((quotas.active_window_hours - 1) / nullif(quotas.daily_quota - 1, 0))',
            'parameters.min_gap_hours', 'parameters.max_gap_hours'
        ) }} as {{ dbt.type_bigint() }}) as spacing_hours
    from quotas
    inner join pages on quotas.page_key = pages.page_key
    inner join quality on quotas.page_key = quality.page_key
    cross join parameters
    where quotas.daily_quota > 0
),

fitted as (
    select
        *,
        case
            when daily_quota = 1 then 1
            when floor((active_window_hours - 1) / spacing_hours) + 1 < daily_quota
                then cast(floor((active_window_hours - 1) / spacing_hours) + 1 as {{ dbt.type_bigint() }})
            else daily_quota
        end as planned_sends
    from page_days
),

slots as (
    select
        fitted.*,
        numbers.slot_number,
        fitted.active_from_hour + coalesce(fitted.spacing_hours, 0) * (numbers.slot_number - 1) as hour_offset,
        row_number() over (
            partition by fitted.page_key order by fitted.plan_date, numbers.slot_number
        ) as week_slot_number
    from fitted
    inner join numbers on fitted.planned_sends >= numbers.slot_number
),

distinct_captions as (
    select shortlist.*
    from shortlist
    left join near_duplicates on shortlist.caption_id = near_duplicates.caption_id
    where near_duplicates.caption_id is null
    qualify
        row_number() over (partition by shortlist.page_key, shortlist.caption_hash order by shortlist.caption_id) = 1
),

captions as (
    select
        *,
        row_number() over (partition by page_key order by p_buy_eb desc, caption_id asc) as caption_rank
    from distinct_captions
),

assigned as (
    select
        slots.*,
        captions.caption_id,
        captions.caption_hash,
        captions.caption_rank,
        captions.p_buy_eb,
        captions.w_sent_context / (captions.w_sent_context + parameters.prior_nu_buy) as confidence,
        {{ dbt.dateadd('hour', 'slots.hour_offset', 'slots.plan_date') }} as send_local_at,
        coalesce(ladder.price, parameters.default_slot_price) as ladder_price
    from slots
    inner join captions
        on
            slots.page_key = captions.page_key
            and slots.week_slot_number = captions.caption_rank
    left join ladder
        on
            slots.page_key = ladder.page_key
            and slots.planned_sends = ladder.sends_in_day
            and slots.slot_number = ladder.price_rank
    cross join parameters
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'assigned.page_key', "'|'", 'cast(assigned.plan_date as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(assigned.slot_number as ' ~ dbt.type_string() ~ ')'
        ])) }} as template_slot_key,
        {{ sendwise.as_of() }} as generated_for_as_of,
        assigned.page_key,
        assigned.page_name,
        assigned.time_zone,
        assigned.plan_date,
        assigned.day_index,
        case assigned.iso_dow
            when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday' when 4 then 'Thursday'
            when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
        end as day_name,
        assigned.slot_number,
        assigned.send_local_at,
        {{ sendwise.format_timestamp('assigned.send_local_at', '%H:%M') }} as send_time_local,
        {{ sendwise.from_local_timestamp('assigned.send_local_at', 'assigned.time_zone') }} as send_at_utc,
        cast(mod(assigned.hour_offset, 24) as {{ dbt.type_bigint() }}) as local_hour,
        case when assigned.slot_number = 1 and assigned.planned_sends >= 3 then 'FREE' else 'PPV' end
            as message_type,
        case when assigned.slot_number = 1 and assigned.planned_sends >= 3 then 0.0 else assigned.ladder_price end
            as price,
        assigned.caption_id,
        assigned.caption_hash,
        library.caption_text,
        library.content_category,
        coalesce(categories.content_class, 'teasing') as content_kind,
        cast(families.cluster_id as {{ dbt.type_bigint() }}) as caption_family,
        assigned.p_buy_eb as score_final,
        cast(assigned.caption_rank as {{ dbt.type_bigint() }}) as caption_rank,
        assigned.p_buy_eb * assigned.ladder_price as expected_revenue,
        cast(null as {{ dbt.type_float() }}) as expected_revenue_low,
        cast(null as {{ dbt.type_float() }}) as expected_revenue_high,
        'rps_eb_x_audience' as revenue_source,
        assigned.confidence,
        false as is_prime_hour,
        {{ dbt.concat(["'placeholder: caption rank '", 'cast(assigned.caption_rank as ' ~ dbt.type_string() ~ ')']) }}
            as strategy_note
    from assigned
    left join library on assigned.caption_id = library.caption_id
    left join categories on library.content_category = categories.content_category
    left join families on assigned.caption_id = families.caption_id
)

select * from final
