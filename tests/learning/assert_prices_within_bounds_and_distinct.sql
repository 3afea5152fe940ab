-- Ladder and daily prices lie in [price_min, price_max], rise strictly with the rung / rank (so they
-- are distinct within a page-day) and keep the page's ending (.99 or whole dollars).
with ladder_prices as (
    select
        'ladder' as price_source,
        page_key,
        cast(null as {{ dbt.type_bigint() }}) as sends_in_day,
        ladder_rung as price_position,
        ladder_price as price,
        price_ending
    from {{ ref('int_page_price_ladder') }}
),

daily_prices as (
    select
        'daily' as price_source,
        page_key,
        sends_in_day,
        price_rank as price_position,
        price,
        price_ending
    from {{ ref('int_page_price_ladder_daily') }}
),

prices as (
    select * from ladder_prices
    union all
    select * from daily_prices
),

checked as (
    select
        *,
        lag(price) over (partition by price_source, page_key, sends_in_day order by price_position) as previous_price,
        mod(cast(round(price * 100) as {{ dbt.type_bigint() }}), 100) as cents
    from prices
)

select *
from checked
where
    price < {{ sendwise.setting('price_min') }}
    or price > {{ sendwise.setting('price_max') }}
    or price <= previous_price
    or (price_ending = '.99' and cents <> 99)
    or (price_ending = 'whole' and cents <> 0)
