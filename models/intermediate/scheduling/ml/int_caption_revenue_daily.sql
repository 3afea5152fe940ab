{{ config(materialized='table') }}
-- A caption's PPV track record by UTC day, agency-wide (every page that sent the same text): its
-- sends, their earnings and what the same sends would have earned at their page's usual level (the
-- page's PPV revenue per send over gbm_level_window_days, as known at the start of the send's day:
-- int_page_momentum_daily), and the same three sums over every earlier day. The revenue model reads
-- a caption's record strictly before a knowledge day (macro caption_record_before): a training send
-- the days before its own, a holdout send the days before the cutoff, a scoring candidate the days
-- before as_of, so no send sees its own earnings or a later one's. Every day with a PPV send of the
-- caption has a row; a send whose page has no level yet (no PPV send in the level window) counts in
-- none of the sums.
with sends as (
    select
        page_key,
        caption_hash,
        earnings,
        cast(floor({{ sendwise.epoch_seconds('sent_at') }} / 86400) as {{ dbt.type_int() }}) as day_number
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_ppv
        and is_page_known
        and caption_hash is not null
        and earnings >= 0
),

measured as (
    select
        sends.caption_hash,
        sends.day_number,
        sends.earnings,
        case when momentum.ppv_revenue_per_send_28d > 0 then momentum.ppv_revenue_per_send_28d end as page_level
    from sends
    left join {{ ref('int_page_momentum_daily') }} as momentum
        on
            sends.page_key = momentum.page_key
            and sends.day_number = momentum.knowledge_day_number
),

daily as (
    select
        caption_hash,
        day_number,
        count(page_level) as sends,
        coalesce({{ sendwise.exact_sum('case when page_level is not null then earnings end') }}, 0) as earnings,
        coalesce({{ sendwise.exact_sum('page_level') }}, 0) as level_earnings
    from measured
    group by 1, 2
),

final as (
    select
        caption_hash,
        day_number,
        sends,
        earnings,
        level_earnings,
        coalesce(sum(sends) over (
            partition by caption_hash order by day_number rows between unbounded preceding and 1 preceding
        ), 0) as sends_before,
        coalesce(sum(earnings) over (
            partition by caption_hash order by day_number rows between unbounded preceding and 1 preceding
        ), 0) as earnings_before,
        coalesce(sum(level_earnings) over (
            partition by caption_hash order by day_number rows between unbounded preceding and 1 preceding
        ), 0) as level_earnings_before
    from daily
)

select * from final
