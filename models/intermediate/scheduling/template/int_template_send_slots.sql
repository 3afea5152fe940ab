{{ config(materialized='table') }}
-- The send times of the weekly template (docs/template.md), captions not yet chosen: one row per planned
-- send of every planned page-day of the active pages that pass the data-quality bar. The hours come
-- from the spacing solver (int_template_send_positions); this model adds the minutes, the UTC time and
-- the price.
--
-- Minute jitter: each send gets floor(uniform x (randomize_offset_minutes + 1)) minutes (portable hash
-- of page, date, slot), always inside its hour, so it never leaves the window or crosses midnight
-- (the setting must stay below 60). Consecutive sends exactly min_gap or max_gap hours apart are
-- linked: within a run linked only by min-gap steps the run's draws are handed out in ascending order
-- (later send, later minute: the gap stays >= min_gap), and a run with a max-gap step takes its first
-- send's draw for every send (gaps stay exactly whole hours). Other gaps are >= min_gap + 1 and
-- <= max_gap - 1 hours, so a jitter below 60 minutes cannot break them.
--
-- Price: the page's daily price ladder for a day of n sends (int_page_price_ladder_daily, distinct
-- prices); the best slot by slot_value (ties: earlier) takes the dearest price (price_rank n), the next
-- best price_rank n - 1, and so on. A page without a ladder gets default_slot_price + price_collision_step
-- per rank (price_mode 'default').
with chosen as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        daily_quota,
        planned_sends,
        window_position,
        elapsed_hours,
        local_hour,
        day_offset,
        is_in_pool,
        slot_value,
        is_prime_hour
    from {{ ref('int_template_send_positions') }}
),

pages as (
    select
        page_key,
        time_zone,
        active_from_hour
    from {{ ref('stg_agency__pages') }}
),

price_ladder as (
    select
        page_key,
        sends_in_day,
        price_rank,
        ladder_rung,
        price,
        price_mode
    from {{ ref('int_page_price_ladder_daily') }}
),

parameters as (
    select
        {{ sendwise.setting('min_gap_hours') }} as min_gap_hours,
        {{ sendwise.setting('max_gap_hours') }} as max_gap_hours,
        {{ sendwise.setting('randomize_offset_minutes') }} as randomize_offset_minutes,
        {{ sendwise.setting('default_slot_price') }} as default_slot_price,
        {{ sendwise.setting('price_collision_step') }} as price_collision_step
),

numbered as (
    select
        chosen.*,
        cast(
            row_number() over (partition by chosen.page_key, chosen.plan_date order by chosen.window_position)
            as {{ dbt.type_bigint() }}
        ) as slot_number,
        cast(row_number() over (
            partition by chosen.page_key, chosen.plan_date order by chosen.slot_value desc, chosen.window_position asc
        ) as {{ dbt.type_bigint() }}) as value_rank,
        -- real hours (the solver's elapsed_hours: a day the clocks change counts the hour they skip or repeat)
        chosen.elapsed_hours - lag(chosen.elapsed_hours) over (
            partition by chosen.page_key, chosen.plan_date order by chosen.window_position
        ) as gap_hours_before,
        cast(floor(
            {{ sendwise.portable_uniform(
                "concat(chosen.page_key, '|', cast(chosen.plan_date as " ~ dbt.type_string() ~ "), '|jitter|', "
                ~ "cast(chosen.window_position as " ~ dbt.type_string() ~ "))"
            ) }} * (parameters.randomize_offset_minutes + 1)
        ) as {{ dbt.type_bigint() }}) as jitter_draw,
        parameters.min_gap_hours,
        parameters.max_gap_hours
    from chosen
    cross join parameters
),

linked as (
    -- a run of sends linked by exact min-gap / max-gap steps shares one jitter rule
    select
        *,
        sum(
            case when gap_hours_before = min_gap_hours or gap_hours_before = max_gap_hours then 0 else 1 end
        ) over (
            partition by page_key, plan_date order by slot_number rows between unbounded preceding and current row
        ) as jitter_run
    from numbered
),

runs as (
    select
        *,
        max(case when slot_number > 1 and gap_hours_before = max_gap_hours then 1 else 0 end)
            over (partition by page_key, plan_date, jitter_run) as has_max_gap_link,
        first_value(jitter_draw) over (
            partition by page_key, plan_date, jitter_run
            order by slot_number rows between unbounded preceding and unbounded following
        ) as run_first_draw,
        row_number() over (partition by page_key, plan_date, jitter_run order by slot_number) as place_in_run,
        row_number() over (partition by page_key, plan_date, jitter_run order by jitter_draw, slot_number)
            as draw_order_in_run
    from linked
),

jittered as (
    select
        runs.*,
        cast(
            case when runs.has_max_gap_link = 1 then runs.run_first_draw else sorted_draws.jitter_draw end
            as {{ dbt.type_bigint() }}
        ) as jitter_minutes
    from runs
    inner join runs as sorted_draws
        on
            runs.page_key = sorted_draws.page_key
            and runs.plan_date = sorted_draws.plan_date
            and runs.jitter_run = sorted_draws.jitter_run
            and runs.place_in_run = sorted_draws.draw_order_in_run
),

timed as (
    select
        jittered.*,
        pages.time_zone,
        {{ dbt.dateadd(
            'minute',
            '60 * (pages.active_from_hour + jittered.window_position) + jittered.jitter_minutes',
            'cast(jittered.plan_date as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as send_local_at
    from jittered
    inner join pages on jittered.page_key = pages.page_key
),

priced as (
    select
        timed.*,
        timed.planned_sends + 1 - timed.value_rank as price_rank,
        coalesce(
            price_ladder.price,
            parameters.default_slot_price + (timed.planned_sends - timed.value_rank) * parameters.price_collision_step
        ) as price,
        cast(price_ladder.ladder_rung as {{ dbt.type_bigint() }}) as ladder_rung,
        coalesce(price_ladder.price_mode, 'default') as price_mode
    from timed
    cross join parameters
    left join price_ladder
        on
            timed.page_key = price_ladder.page_key
            and timed.planned_sends = price_ladder.sends_in_day
            and timed.planned_sends + 1 - timed.value_rank = price_ladder.price_rank
),

final as (
    select
        page_key,
        plan_date,
        cast(day_index as {{ dbt.type_bigint() }}) as day_index,
        cast(iso_dow as {{ dbt.type_bigint() }}) as iso_dow,
        slot_number,
        send_local_at,
        {{ sendwise.format_timestamp('send_local_at', '%H:%M') }} as send_time_local,
        {{ sendwise.from_local_timestamp('send_local_at', 'time_zone') }} as send_at_utc,
        cast(local_hour as {{ dbt.type_bigint() }}) as local_hour,
        window_position,
        -- round first: a cast of 2.5 (Lord Howe's half-hour change) gives 2 on DuckDB, 3 on BigQuery
        cast(round(gap_hours_before) as {{ dbt.type_bigint() }}) as gap_hours_before,
        jitter_minutes,
        slot_value,
        cast(value_rank as {{ dbt.type_bigint() }}) as value_rank,
        is_in_pool,
        is_prime_hour,
        cast(price_rank as {{ dbt.type_bigint() }}) as price_rank,
        cast(price as {{ dbt.type_float() }}) as price,
        ladder_rung,
        price_mode,
        cast(daily_quota as {{ dbt.type_bigint() }}) as daily_quota,
        cast(planned_sends as {{ dbt.type_bigint() }}) as planned_sends
    from priced
)

select * from final
