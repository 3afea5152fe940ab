{{ config(materialized='table') }}
-- PLACEHOLDER (captions helper) for the slots helper's int_template_send_slots (contract item 1):
-- same name and columns, rows derived cheaply so the caption assignment can be built and tested.
-- The lead deletes this file and _int_template_send_slots_placeholder.yml at merge.
-- Slots: the first daily_quota hours of the page's active window, min_gap_hours apart, with the
-- deterministic minute jitter; slot_value a portable uniform; prices from the daily ladder (the
-- highest price_rank on the most valuable slot); prime hours = the evening hours of default_hours.
with quota as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        daily_quota
    from {{ ref('int_template_daily_quota') }}
),

pages as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour
    from {{ ref('stg_agency__pages') }}
    where is_active
),

quality as (
    select page_key
    from {{ ref('data_quality_by_page') }}
    where is_schedulable
),

ladder as (
    select
        page_key,
        sends_in_day,
        price_rank,
        ladder_rung,
        price,
        price_mode
    from {{ ref('int_page_price_ladder_daily') }}
),

numbers as (
    select cast(generated_number as {{ dbt.type_bigint() }}) as slot_number
    from ({{ dbt.generate_series(24) }}) as series
),

candidate_slots as (
    select
        quota.page_key,
        quota.plan_date,
        quota.day_index,
        quota.iso_dow,
        quota.daily_quota,
        pages.time_zone,
        numbers.slot_number,
        pages.active_from_hour + {{ sendwise.setting('min_gap_hours') }} * (numbers.slot_number - 1) as hour_offset,
        mod(pages.active_from_hour + {{ sendwise.setting('min_gap_hours') }} * (numbers.slot_number - 1), 24)
            as local_hour
    from quota
    inner join pages on quota.page_key = pages.page_key
    inner join quality on quota.page_key = quality.page_key
    inner join numbers on quota.daily_quota >= numbers.slot_number
    where
        {{ sendwise.setting('min_gap_hours') }} * (numbers.slot_number - 1)
        <= mod(pages.active_to_hour - pages.active_from_hour + 24, 24)
),

counted as (
    select
        *,
        count(*) over (partition by page_key, plan_date) as planned_sends,
        {{ sendwise.portable_uniform(dbt.concat([
            'page_key', "'|'", 'cast(plan_date as ' ~ dbt.type_string() ~ ')',
            "'|'", 'cast(local_hour as ' ~ dbt.type_string() ~ ')'
        ])) }} as slot_value
    from candidate_slots
),

value_ranked as (
    select
        *,
        row_number() over (partition by page_key, plan_date order by slot_value desc, slot_number asc)
            as value_rank,
        cast(floor(
            {{ sendwise.portable_uniform(dbt.concat([
                'page_key', "'|jitter|'", 'cast(plan_date as ' ~ dbt.type_string() ~ ')',
                "'|'", 'cast(slot_number as ' ~ dbt.type_string() ~ ')'
            ])) }}
            * ({{ sendwise.setting('randomize_offset_minutes') }} + 1)
        ) as {{ dbt.type_bigint() }}) as jitter_minutes
    from counted
),

timed as (
    select
        *,
        {{ dbt.dateadd(
            'minute', 'jitter_minutes',
            dbt.dateadd('hour', 'hour_offset', 'cast(plan_date as ' ~ dbt.type_timestamp() ~ ')')
        ) }} as send_local_at
    from value_ranked
),

final as (
    select
        cast(timed.page_key as {{ dbt.type_string() }}) as page_key,
        timed.plan_date,
        cast(timed.day_index as {{ dbt.type_bigint() }}) as day_index,
        cast(timed.iso_dow as {{ dbt.type_bigint() }}) as iso_dow,
        timed.slot_number,
        timed.send_local_at,
        {{ sendwise.format_timestamp('timed.send_local_at', '%H:%M') }} as send_time_local,
        {{ sendwise.from_local_timestamp('timed.send_local_at', 'timed.time_zone') }} as send_at_utc,
        cast(timed.local_hour as {{ dbt.type_bigint() }}) as local_hour,
        cast(timed.slot_value as {{ dbt.type_float() }}) as slot_value,
        timed.local_hour >= 18 as is_prime_hour,
        cast(ladder.price as {{ dbt.type_float() }}) as price,
        cast(ladder.ladder_rung as {{ dbt.type_bigint() }}) as ladder_rung,
        cast(ladder.price_mode as {{ dbt.type_string() }}) as price_mode,
        cast(timed.daily_quota as {{ dbt.type_bigint() }}) as daily_quota,
        cast(timed.planned_sends as {{ dbt.type_bigint() }}) as planned_sends
    from timed
    left join ladder
        on
            timed.page_key = ladder.page_key
            and timed.planned_sends = ladder.sends_in_day
            and timed.planned_sends + 1 - timed.value_rank = ladder.price_rank
)

select * from final
