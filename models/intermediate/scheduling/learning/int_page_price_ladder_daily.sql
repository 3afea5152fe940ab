-- The price ladder expanded to a day of N sends (the template's prices): for every page and every
-- N from 1 to daily_quota_max, the N prices of that page-day, cheapest first (price_rank 1..N),
-- all distinct. Send k of N takes rung 1 + floor((k - 0.5) * 3 / N) of int_page_price_ladder (the
-- rungs spread evenly: N = 1 -> the middle rung, N = 3 -> one each, N = 6 -> two each), then equal
-- prices are separated by the same anti-collision as the ladder (+price_collision_step, pushed down
-- from price_max when needed), keeping the page's whole-dollar or .99 ending.
-- Use: join on (page_key, sends_in_day = the day's quota) and give the k-th price to the k-th send
-- in the order the template chooses (e.g. the best slot gets the highest price_rank).
with ladder as (
    select
        page_key,
        price_mode,
        ladder_rung,
        ladder_price,
        price_ending
    from {{ ref('int_page_price_ladder') }}
),

parameters as (
    select
        {{ sendwise.setting('daily_quota_max') }} as daily_quota_max,
        {{ sendwise.setting('price_collision_step') }} as price_collision_step,
        {{ sendwise.setting('price_max') }} as price_max
),

numbers as (
    -- 1..24: a page-day has at most one send per hour
    select cast(generated_number as {{ dbt.type_bigint() }}) as n
    from ({{ dbt.generate_series(24) }}) as series
),

ladder_pages as (
    select
        page_key,
        max(price_mode) as price_mode,
        max(price_ending) as price_ending,
        max(case when price_ending = '.99' then 0.01 else 0.0 end) as ending_offset,
        count(*) as rung_count
    from ladder
    group by 1
),

slots as (
    select
        ladder_pages.page_key,
        ladder_pages.price_mode,
        ladder_pages.price_ending,
        ladder_pages.ending_offset,
        day_sends.n as sends_in_day,
        ranks.n as price_rank,
        1 + cast(floor((ranks.n - 0.5) * ladder_pages.rung_count / day_sends.n) as {{ dbt.type_bigint() }})
            as ladder_rung,
        parameters.price_collision_step,
        floor(parameters.price_max + ladder_pages.ending_offset) as dollars_max
    from ladder_pages
    cross join parameters
    cross join numbers as day_sends
    inner join numbers as ranks on day_sends.n >= ranks.n
    where day_sends.n <= parameters.daily_quota_max
),

based as (
    select
        slots.*,
        round(ladder.ladder_price + slots.ending_offset) as rung_dollars
    from slots
    inner join ladder
        on
            slots.page_key = ladder.page_key
            and slots.ladder_rung = ladder.ladder_rung
),

pushed_up as (
    select
        *,
        price_rank * price_collision_step + max(rung_dollars - price_rank * price_collision_step) over (
            partition by page_key, sends_in_day order by price_rank rows between unbounded preceding and current row
        ) as pushed_up_dollars
    from based
),

final as (
    select
        page_key,
        sends_in_day,
        price_rank,
        ladder_rung,
        {{ sendwise.round_float(
            'case
                when pushed_up_dollars > dollars_max - (sends_in_day - price_rank) * price_collision_step
                    then dollars_max - (sends_in_day - price_rank) * price_collision_step
                else pushed_up_dollars
            end - ending_offset',
            2
        ) }} as price,
        {{ sendwise.round_float('rung_dollars - ending_offset', 2) }} as rung_price,
        price_mode,
        price_ending
    from pushed_up
)

select * from final
