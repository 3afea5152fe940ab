-- Page-level Empirical-Bayes prior and exploration inputs, one row per page of the pages table:
-- mu_buy = purchases / recipients of the page's PPV sends over page_prior_window_days (90 d),
-- default_mu_buy (0.08) when the page sent nothing in the window (flagged), and
-- w_sent_60d_page = the page's caption-decayed recipients over caption_stats_window_days (60 d).
with pages as (
    select page_key
    from {{ ref('stg_agency__pages') }}
),

page_hour_stats as (
    select * from {{ ref('int_ranking_page_hour_stats') }}
),

page_totals as (
    select
        page_key,
        sum(sent_prior_window) as sent_prior_window,
        sum(purchases_prior_window) as purchases_prior_window,
        sum(w_sent_stats_window) as w_sent_60d_page
    from page_hour_stats
    group by 1
),

final as (
    select
        pages.page_key,
        coalesce(page_totals.sent_prior_window, 0) as sent_prior_window,
        coalesce(page_totals.purchases_prior_window, 0) as purchases_prior_window,
        coalesce(
            {{ sendwise.safe_divide('page_totals.purchases_prior_window', 'page_totals.sent_prior_window') }},
            {{ sendwise.setting('default_mu_buy') }}
        ) as mu_buy,
        coalesce(page_totals.sent_prior_window, 0) = 0 as is_prior_default,
        coalesce(page_totals.w_sent_60d_page, 0) as w_sent_60d_page
    from pages
    left join page_totals on pages.page_key = page_totals.page_key
)

select * from final
