{{ config(materialized='table') }}
-- Page state as known at the start of a UTC day (the knowledge day), from full days strictly
-- before it: revenue of the last gbm_momentum_days days and of the as many days before those
-- (momentum), PPV sends and average audience in the momentum window, PPV revenue per send and sends
-- per day over gbm_level_window_days. One row per page and knowledge day: every day with sends, plus
-- the holdout cutoff day (as_of - gbm_holdout_days) and the day of as_of, so the revenue model's
-- training rows, holdout rows and scoring candidates all read one definition without leakage.
-- Days are UTC day numbers: floor(epoch seconds / 86400) = days since 1970-01-01.
-- Money is summed as exact decimals (macro exact_sum): a float sum adds in another order on every
-- build, and the last bits it changes reached the revenue model's input fingerprint (through the
-- page level the track records round to 6 places), so a rebuild with no new data refitted the model.
with params as (
    select
        cast({{ sendwise.setting('gbm_momentum_days') }} as {{ dbt.type_int() }}) as momentum_days,
        cast({{ sendwise.setting('gbm_level_window_days') }} as {{ dbt.type_int() }}) as level_days,
        {{ sendwise.utc_day_number(sendwise.as_of()) }} as as_of_day_number,
        cast({{ sendwise.setting('gbm_holdout_days') }} as {{ dbt.type_int() }}) as holdout_days
),

sends as (
    select
        page_key,
        {{ sendwise.utc_day_number('sent_at') }} as day_number,
        earnings,
        is_ppv,
        sent_count
    from {{ ref('int_mass_messages_enriched') }}
    where is_page_known
),

daily as (
    select
        page_key,
        day_number,
        {{ sendwise.exact_sum('earnings') }} as revenue,
        count(*) as sends,
        sum(case when is_ppv then 1 else 0 end) as ppv_sends,
        {{ sendwise.exact_sum('case when is_ppv then earnings else 0 end') }} as ppv_revenue,
        sum(case when is_ppv then sent_count else 0 end) as ppv_sent_count
    from sends
    group by 1, 2
),

pages as (
    select distinct page_key from daily
),

knowledge_days as (
    select
        page_key,
        day_number as knowledge_day_number
    from daily
    union distinct
    select
        pages.page_key,
        params.as_of_day_number - params.holdout_days as knowledge_day_number
    from pages
    cross join params
    union distinct
    select
        pages.page_key,
        params.as_of_day_number as knowledge_day_number
    from pages
    cross join params
),

knowledge as (
    select
        knowledge_days.page_key,
        knowledge_days.knowledge_day_number,
        params.momentum_days,
        params.level_days,
        case
            when params.level_days > 2 * params.momentum_days then params.level_days
            else 2 * params.momentum_days
        end as lookback_days
    from knowledge_days
    cross join params
),

windowed as (
    select
        knowledge.page_key,
        knowledge.knowledge_day_number,
        knowledge.momentum_days,
        knowledge.level_days,
        knowledge.knowledge_day_number - daily.day_number as days_before,
        daily.revenue,
        daily.sends,
        daily.ppv_sends,
        daily.ppv_revenue,
        daily.ppv_sent_count
    from knowledge
    left join daily
        on
            knowledge.page_key = daily.page_key
            and knowledge.knowledge_day_number > daily.day_number
            and knowledge.knowledge_day_number - knowledge.lookback_days <= daily.day_number
),

aggregated as (
    select
        page_key,
        knowledge_day_number,
        max(level_days) as level_days,
        coalesce({{ sendwise.exact_sum('case when days_before <= momentum_days then revenue end') }}, 0) as revenue_7d,
        coalesce(
            {{ sendwise.exact_sum(
                'case when days_before > momentum_days and days_before <= 2 * momentum_days then revenue end'
            ) }}, 0
        ) as revenue_prev_7d,
        coalesce(sum(case when days_before <= momentum_days then ppv_sends end), 0) as ppv_sends_7d,
        sum(case when days_before <= momentum_days then ppv_sent_count end) as ppv_sent_count_7d,
        coalesce(sum(case when days_before <= level_days then ppv_sends end), 0) as ppv_sends_level,
        {{ sendwise.exact_sum('case when days_before <= level_days then ppv_revenue end') }} as ppv_revenue_level,
        coalesce(sum(case when days_before <= level_days then sends end), 0) as sends_level
    from windowed
    group by 1, 2
),

final as (
    select
        page_key,
        knowledge_day_number,
        cast({{ dbt.dateadd('day', 'knowledge_day_number', "cast('1970-01-01' as date)") }} as date) as knowledge_date,
        revenue_7d,
        revenue_prev_7d,
        {{ sendwise.safe_divide('revenue_7d - revenue_prev_7d', 'revenue_prev_7d') }} as revenue_momentum_7d,
        ppv_sends_7d,
        {{ sendwise.safe_divide('ppv_sent_count_7d', 'ppv_sends_7d') }} as audience_7d,
        {{ sendwise.safe_divide('ppv_revenue_level', 'ppv_sends_level') }} as ppv_revenue_per_send_28d,
        {{ sendwise.safe_divide('sends_level', 'level_days') }} as sends_per_day_28d
    from aggregated
)

select * from final
