-- The hourly slot grid of the ranking: the next ranking_horizon_hours (24) page-local hours of every
-- active page, from the first page-local full hour at or after as_of (so a page at UTC+05:30 gets
-- slots at hh:00 local time). Local arithmetic keeps hourly steps in local time; slot_utc_at converts
-- each slot back to UTC (the cross-page window compares UTC times). int_ranking_slots adds what the
-- slot is worth (history, price rung, UCB sigma). A local hour the clocks skip (going forward) is no
-- slot: it would be the next hour's instant again; the horizon takes the next hour instead, so a page
-- always has ranking_horizon_hours slots. A repeated hour (going back) is one slot, at its first instant.
{#- Slots are generated for at most one week (the template horizon) and an hour a day the clocks may
    skip, and cut at the setting. -#}
{%- set max_horizon_hours = 176 %}

with pages as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour
    from {{ ref('stg_agency__pages') }}
    where is_active
),

hour_offsets as (
    {{ dbt.generate_series(max_horizon_hours) }}
),

page_clock as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour,
        {{ sendwise.to_local_timestamp(sendwise.as_of(), 'time_zone') }} as local_now_at
    from pages
),

page_first_slot as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour,
        local_now_at,
        {{ dbt.dateadd(
            'second',
            '-(extract(minute from local_now_at) * 60 + extract(second from local_now_at))',
            'local_now_at'
        ) }} as local_hour_start_at,
        case
            when extract(minute from local_now_at) = 0 and extract(second from local_now_at) = 0 then 0
            else 1
        end as first_slot_offset_hours
    from page_clock
),

slot_grid as (
    select
        page_first_slot.page_key,
        page_first_slot.time_zone,
        page_first_slot.active_from_hour,
        page_first_slot.active_to_hour,
        {{ dbt.dateadd(
            'hour',
            'hour_offsets.generated_number - 1 + page_first_slot.first_slot_offset_hours',
            'page_first_slot.local_hour_start_at'
        ) }} as slot_local_at
    from page_first_slot
    cross join hour_offsets
    -- a day skips at most one hour: one spare per day of the horizon
    where hour_offsets.generated_number <= {{ sendwise.setting('ranking_horizon_hours') }} * 25 / 24 + 1
),

slot_instants as (
    select
        *,
        {{ sendwise.from_local_timestamp('slot_local_at', 'time_zone') }} as slot_utc_at
    from slot_grid
),

existing_slots as (
    select
        *,
        row_number() over (partition by page_key order by slot_local_at) - 1 as slot_index
    from slot_instants
    -- a skipped local hour reads back as another hour
    where {{ sendwise.to_local_timestamp('slot_utc_at', 'time_zone') }} = slot_local_at
),

final as (
    select
        page_key,
        time_zone,
        slot_index,
        slot_local_at,
        slot_utc_at,
        cast(slot_local_at as date) as slot_local_date,
        extract(hour from slot_local_at) as slot_local_hour,
        {{ sendwise.iso_day_of_week('slot_local_at') }} as slot_local_dow,
        {{ sendwise.is_in_active_window('extract(hour from slot_local_at)', 'active_from_hour', 'active_to_hour') }}
            as is_in_active_window
    from existing_slots
    where slot_index < {{ sendwise.setting('ranking_horizon_hours') }}
)

select * from final
