{{ config(materialized='table') }}
-- The spacing solver of the weekly template (docs/template.md): the hours chosen for every planned
-- page-day of the active pages that pass the data-quality bar, one row per chosen window position.
-- int_template_send_slots adds the minute jitter, the UTC time and the price.
--
-- The day's window is a line of W <= 24 hour positions (int_template_hour_pool; a window past midnight
-- continues on the next calendar date). Gaps are real time: each hour's elapsed_hours since the window's
-- first instant (UTC), equal to its position except on a day the clocks change inside the window. The
-- hour they skip going forward does not exist and is left out (a send there would go out an hour late),
-- and later hours are an hour closer to the start; the hour repeated going back is read once, at its
-- first instant (from_local_timestamp), and later hours are an hour further. The solver chooses hours
-- h1 < ... < hn with min_gap_hours <= e(h(i+1)) - e(h(i)) <= max_gap_hours and, in this order of
-- priority, maximises
--   1. n, up to target_sends = least(daily_quota, fit_sends), fit_sends = floor((W - 1) / min_gap) + 1,
--      W the day's hours that exist (the most sends a window holds: 0, g, 2g, ... is feasible, shifted
--      by one hour past the hole a repeated hour leaves when max_gap > min_gap, so target_sends is reached);
--   2. the number of chosen hours inside the day's hour pool;
--   3. the sum of slot_value;
-- ties broken by the smaller bitmask of positions (deterministic). Hours outside the pool (still inside
-- the window) are therefore used only when the pool alone cannot hold the sends within the gap rules:
-- the quota is met whenever the window allows it, and a shortfall only ever comes from the window size.
--
-- A dynamic programme over (last position, sends so far), unrolled in 24 steps (a day has at most 24
-- positions): step k extends every state of step k - 1 by one send min_gap..max_gap hours later
-- and keeps the best state per last position (the max of the ordered key, macros/sendwise/template_solver.sql).
-- Keeping the best per (last position, sends) is exact because the objective is a lexicographic sum over
-- the sends and the feasibility of the rest depends only on the last position. A page-day whose states
-- reached target_sends carries them forward unchanged, so step 24 holds every finished schedule and is
-- the only step read again: each step reads the one before it once, which keeps the query plannable on
-- BigQuery (a non-recursive CTE is evaluated again at every reference there). On DuckDB each step is a
-- materialized CTE (macro materialized_cte): inlined, the 24-step chain stalls its optimizer.
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

pages as (
    select
        page_key,
        time_zone,
        active_from_hour
    from {{ ref('stg_agency__pages') }}
),

clock_hours as (
    -- each window hour's local start and the window's first hour's (the page's local times)
    select
        hour_pool.*,
        pages.time_zone,
        {{ dbt.dateadd(
            'hour',
            'pages.active_from_hour + hour_pool.window_position',
            'cast(hour_pool.plan_date as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as hour_local_at,
        {{ dbt.dateadd(
            'hour', 'pages.active_from_hour', 'cast(hour_pool.plan_date as ' ~ dbt.type_timestamp() ~ ')'
        ) }} as window_start_local_at
    from hour_pool
    inner join pages on hour_pool.page_key = pages.page_key
),

instants as (
    select
        *,
        {{ sendwise.from_local_timestamp('hour_local_at', 'time_zone') }} as hour_at,
        {{ sendwise.from_local_timestamp('window_start_local_at', 'time_zone') }} as window_start_at
    from clock_hours
),

real_hours as (
    select
        *,
        ({{ sendwise.epoch_seconds('hour_at') }} - {{ sendwise.epoch_seconds('window_start_at') }}) / 3600
            as elapsed_hours
    from instants
    -- a local hour the clocks skip reads back as another hour: it does not exist
    where {{ sendwise.to_local_timestamp('hour_at', 'time_zone') }} = hour_local_at
),

data_quality as (
    select
        page_key,
        is_schedulable
    from {{ ref('data_quality_by_page') }}
),

parameters as (
    select
        {{ sendwise.setting('min_gap_hours') }} as min_gap_hours,
        {{ sendwise.setting('max_gap_hours') }} as max_gap_hours
),

sized as (
    -- the hours that exist of every schedulable page-day with a quota: its window in real hours
    select
        real_hours.*,
        count(*) over (partition by real_hours.page_key, real_hours.plan_date) as window_hours
    from real_hours
    inner join data_quality on real_hours.page_key = data_quality.page_key
    where data_quality.is_schedulable and real_hours.daily_quota > 0
),

candidates as (
    select
        sized.*,
        cast(
            case
                when sized.daily_quota < floor((sized.window_hours - 1) / parameters.min_gap_hours) + 1
                    then sized.daily_quota
                else floor((sized.window_hours - 1) / parameters.min_gap_hours) + 1
            end as {{ dbt.type_bigint() }}
        ) as target_sends,
        cast(case when sized.is_in_pool then 1 else 0 end as {{ dbt.type_bigint() }}) as pool_hit,
        -- micro-dollars: integer sums are exact and compare the same on both engines
        cast(round(sized.slot_value * 1000000) as {{ dbt.type_bigint() }}) as value_micro,
        cast(power(2, sized.window_position) as {{ dbt.type_bigint() }}) as position_bit
    from sized
    cross join parameters
),

solver_step_1 as (
    select
        page_key,
        plan_date,
        target_sends,
        window_position as last_position,
        elapsed_hours as last_elapsed,
        {{ sendwise.solver_key('pool_hit', 'value_micro', 'position_bit') }} as best_key
    from candidates
),
{% for step in range(2, 25) %}
    solver_step_{{ step }} as {{ sendwise.materialized_cte() }} (
        -- the best schedule of {{ step }} sends ending at each position: the best {{ step - 1 }}-send schedules
        -- extended by one send min_gap..max_gap hours later (a dead end drops out), and the finished
        -- schedules of days with fewer than {{ step }} target sends carried forward unchanged
        select
            states.page_key,
            states.plan_date,
            states.target_sends,
            coalesce(candidates.window_position, states.last_position) as last_position,
            coalesce(candidates.elapsed_hours, states.last_elapsed) as last_elapsed,
            max({{ sendwise.solver_key_extend(
                'states.best_key',
                'coalesce(candidates.pool_hit, 0)',
                'coalesce(candidates.value_micro, 0)',
                'coalesce(candidates.position_bit, 0)'
            ) }}) as best_key
        from solver_step_{{ step - 1 }} as states
        cross join parameters
        -- every condition compares a states-side expression with a candidates-side one, so DuckDB
        -- runs a hash join; a condition on the states alone (target_sends >= step) made it a nested
        -- loop (35 s at x10, now 1 s): a finished day's states match no candidate (null date)
        left join candidates
            on
                states.page_key = candidates.page_key
                and candidates.plan_date = case when states.target_sends >= {{ step }} then states.plan_date end
                and candidates.elapsed_hours >= states.last_elapsed + parameters.min_gap_hours
                and candidates.elapsed_hours <= states.last_elapsed + parameters.max_gap_hours
        where states.target_sends < {{ step }} or candidates.window_position is not null
        group by 1, 2, 3, 4, 5
    ),
{% endfor %}

solutions as (
    -- every state of the last step reached its day's target: the day's best one
    select
        page_key,
        plan_date,
        {{ sendwise.solver_key_mask('max(best_key)') }} as position_mask
    from solver_step_24
    group by 1, 2
),

final as (
    select
        candidates.page_key,
        candidates.plan_date,
        candidates.day_index,
        candidates.iso_dow,
        candidates.daily_quota,
        candidates.target_sends as planned_sends,
        candidates.window_position,
        candidates.elapsed_hours,
        candidates.local_hour,
        candidates.day_offset,
        candidates.is_in_pool,
        candidates.slot_value,
        candidates.is_prime_hour
    from solutions
    inner join candidates
        on
            solutions.page_key = candidates.page_key
            and solutions.plan_date = candidates.plan_date
            -- the position's bit is set in the mask (integer arithmetic, exact below 2^53)
            and mod(cast(floor(solutions.position_mask / candidates.position_bit) as {{ dbt.type_bigint() }}), 2) = 1
)

select * from final
