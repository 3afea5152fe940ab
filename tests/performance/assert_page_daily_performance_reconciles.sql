-- page_daily_performance loses no send and invents none: per page, its sends, PPV purchases and
-- revenue equal those of int_mass_messages_enriched (sends with a local date). Returns the pages
-- that disagree (revenue to the cent). The plan-in-force rule has a unit test.
with sends as (
    select
        page_key,
        count(*) as sends,
        sum(case when is_ppv then purchased_count else 0 end) as ppv_purchases,
        sum(earnings) as revenue
    from {{ ref('int_mass_messages_enriched') }}
    where local_date is not null
    group by 1
),

daily as (
    select
        page_key,
        sum(sends) as sends,
        sum(ppv_purchases) as ppv_purchases,
        sum(revenue) as revenue
    from {{ ref('page_daily_performance') }}
    group by 1
),

compared as (
    select
        coalesce(sends.page_key, daily.page_key) as page_key,
        coalesce(sends.sends, 0) as source_sends,
        coalesce(daily.sends, 0) as daily_sends,
        coalesce(sends.ppv_purchases, 0) as source_purchases,
        coalesce(daily.ppv_purchases, 0) as daily_purchases,
        coalesce(sends.revenue, 0) as source_revenue,
        coalesce(daily.revenue, 0) as daily_revenue
    from sends
    full outer join daily on sends.page_key = daily.page_key
)

select * from compared
where
    source_sends <> daily_sends
    or source_purchases <> daily_purchases
    or abs(source_revenue - daily_revenue) > 0.01
