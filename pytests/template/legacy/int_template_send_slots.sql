{{ config(materialized='table') }}
-- The send times of the weekly template (docs/template.md), captions not yet chosen: one row per planned send of
-- every planned page-day of the active pages that pass the data-quality bar.
--
-- Spacing solver (exact). The day's window is a line of W <= 24 hour positions (int_template_hour_pool;
-- a window past midnight continues on the next calendar date). It chooses positions p1 < ... < pn with
-- min_gap_hours <= p(i+1) - p(i) <= max_gap_hours, and, in this order of priority, maximises
--   1. n, up to target_sends = least(daily_quota, fit_sends), fit_sends = floor((W - 1) / min_gap) + 1
--      (the most sends a window holds: 0, g, 2g, ... is always feasible, so target_sends is reached);
--   2. the number of chosen hours inside the day's hour pool;
--   3. the sum of slot_value;
-- ties broken by the smaller bitmask of positions (deterministic). Hours outside the pool (still inside
-- the window) are therefore used only when the pool alone cannot hold the sends within the gap rules
-- (e.g. a pool of far-apart hours that breaks max_gap, or clustered hours that break min_gap): the
-- quota is met whenever the window allows it, and a shortfall only ever comes from the window size.
-- It is a dynamic programme over (last position, sends so far) unrolled 24 times (a day has at most
-- 24 positions): each step extends every state by one send 2..6 positions later and keeps the best
-- state per (last position, sends); states that reached target_sends carry over unchanged. Keeping the
-- best per (last position, sends) is exact because the objective is a lexicographic sum over the sends
-- and feasibility of the rest depends only on the last position.
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
with hour_pool as (
    select
        page_key,
        plan_date,
        day_index,
        iso_dow,
        daily_quota,
        active_window_hours,
        window_position,
        local_hour,
        day_offset,
        is_in_pool,
        slot_value,
        is_prime_hour
    from {{ ref('int_template_hour_pool') }}
),

data_quality as (
    select
        page_key,
        is_schedulable
    from {{ ref('data_quality_by_page') }}
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

planned_days as (
    select
        hour_pool.page_key,
        hour_pool.plan_date,
        min(hour_pool.daily_quota) as daily_quota,
        min(hour_pool.active_window_hours) as active_window_hours
    from hour_pool
    inner join data_quality on hour_pool.page_key = data_quality.page_key
    where data_quality.is_schedulable
    group by 1, 2
),

targets as (
    select
        planned_days.page_key,
        planned_days.plan_date,
        planned_days.daily_quota,
        cast(
            case
                when planned_days.daily_quota
                    < floor((planned_days.active_window_hours - 1) / parameters.min_gap_hours) + 1
                    then planned_days.daily_quota
                else floor((planned_days.active_window_hours - 1) / parameters.min_gap_hours) + 1
            end as {{ dbt.type_bigint() }}
        ) as target_sends
    from planned_days
    cross join parameters
    where planned_days.daily_quota > 0
),

candidates as (
    select
        hour_pool.page_key,
        hour_pool.plan_date,
        targets.target_sends,
        hour_pool.window_position,
        cast(case when hour_pool.is_in_pool then 1 else 0 end as {{ dbt.type_bigint() }}) as pool_hit,
        -- micro-dollars: integer sums are exact and compare the same on both engines
        cast(round(hour_pool.slot_value * 1000000) as {{ dbt.type_bigint() }}) as value_micro,
        cast(power(2, hour_pool.window_position) as {{ dbt.type_bigint() }}) as position_bit
    from hour_pool
    inner join targets
        on
            hour_pool.page_key = targets.page_key
            and hour_pool.plan_date = targets.plan_date
),

solver_step_1 as (
    select
        page_key,
        plan_date,
        target_sends,
        window_position as last_position,
        {{ legacy_solver_key('pool_hit', 'value_micro', 'position_bit') }} as best_key
    from candidates
),
{% for step in range(2, 25) %}
    solver_step_{{ step }} as (
        -- the best schedule of {{ step }} sends ending at each position: extend the best {{ step - 1 }}-send
        -- schedules by one send min_gap..max_gap positions later, keep the max of the ordered key
        select
            states.page_key,
            states.plan_date,
            states.target_sends,
            candidates.window_position as last_position,
            max({{ legacy_solver_key(
                legacy_solver_key_pool_hits('states.best_key') ~ ' + candidates.pool_hit',
                legacy_solver_key_value_micro('states.best_key') ~ ' + candidates.value_micro',
                legacy_solver_key_mask('states.best_key') ~ ' + candidates.position_bit'
            ) }}) as best_key
        from solver_step_{{ step - 1 }} as states
        cross join parameters
        inner join candidates
            on
                states.page_key = candidates.page_key
                and states.plan_date = candidates.plan_date
        where
            states.target_sends >= {{ step }}
            and candidates.window_position - states.last_position >= parameters.min_gap_hours
            and candidates.window_position - states.last_position <= parameters.max_gap_hours
        group by 1, 2, 3, 4
    ),
{% endfor %}

completed as (
    -- the schedules that reached the day's target
    {%- for step in range(1, 25) %}
        select
            page_key,
            plan_date,
            best_key
        from solver_step_{{ step }}
        where target_sends = {{ step }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

solutions as (
    select
        page_key,
        plan_date,
        {{ legacy_solver_key_mask('max(best_key)') }} as position_mask
    from completed
    group by 1, 2
),

chosen as (
    select
        hour_pool.page_key,
        hour_pool.plan_date,
        hour_pool.day_index,
        hour_pool.iso_dow,
        hour_pool.daily_quota,
        targets.target_sends as planned_sends,
        hour_pool.window_position,
        hour_pool.local_hour,
        hour_pool.day_offset,
        hour_pool.is_in_pool,
        hour_pool.slot_value,
        hour_pool.is_prime_hour
    from solutions
    inner join targets
        on
            solutions.page_key = targets.page_key
            and solutions.plan_date = targets.plan_date
    inner join candidates
        on
            solutions.page_key = candidates.page_key
            and solutions.plan_date = candidates.plan_date
            -- the position's bit is set in the mask (integer arithmetic, exact below 2^53)
            and mod(cast(floor(solutions.position_mask / candidates.position_bit) as {{ dbt.type_bigint() }}), 2) = 1
    inner join hour_pool
        on
            candidates.page_key = hour_pool.page_key
            and candidates.plan_date = hour_pool.plan_date
            and candidates.window_position = hour_pool.window_position
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
        chosen.window_position - lag(chosen.window_position) over (
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
        cast(gap_hours_before as {{ dbt.type_bigint() }}) as gap_hours_before,
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
