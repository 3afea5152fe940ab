-- Price profile of every page (docs/learning.md) from its PPV sends of the last price_window_days (90):
-- the exact continuous percentiles p35, p50, p60, p80, p90 (percentile_cont, the labels are the
-- fractions computed; rounded to the cent, which also removes interpolation noise such as
-- p80 = 60.99000000000001 > p90 = 60.99), corr(price, earnings), and the share of prices ending in .99 (the page's
-- price ending). A page with fewer than price_profile_min_sends PPV sends takes the agency-wide
-- percentiles (is_agency_fallback); its own ending when it has any PPV send, else the agency's.
with pages as (
    -- every page (the roster of int_page_performance_state)
    select page_key
    from {{ ref('int_page_performance_state') }}
),

parameters as (
    select
        {{ sendwise.setting('price_profile_min_sends') }} as price_profile_min_sends,
        {{ sendwise.setting('price_ending_99_share') }} as price_ending_99_share
),

ppv as (
    select
        enriched.page_key,
        'agency' as agency_key,
        enriched.price,
        enriched.earnings,
        mod(cast(round(enriched.price * 100) as {{ dbt.type_bigint() }}), 100) = 99 as is_99_ending
    from {{ ref('int_mass_messages_enriched') }} as enriched
    where
        enriched.is_ppv
        and enriched.sent_at > {{ sendwise.window_start('price_window_days') }}
),

page_percentiles as (
    select distinct
        page_key,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.35, 'page_key'), 2) }} as p35,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.50, 'page_key'), 2) }} as p50,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.60, 'page_key'), 2) }} as p60,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.80, 'page_key'), 2) }} as p80,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.90, 'page_key'), 2) }} as p90
    from ppv
),

page_stats as (
    select
        page_key,
        count(*) as ppv_sends,
        {{ sendwise.safe_corr('price', 'earnings') }} as corr_price_earnings,
        avg(case when is_99_ending then 1.0 else 0.0 end) as share_99_ending
    from ppv
    group by 1
),

agency_percentiles as (
    select distinct
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.35, 'agency_key'), 2) }} as p35,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.50, 'agency_key'), 2) }} as p50,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.60, 'agency_key'), 2) }} as p60,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.80, 'agency_key'), 2) }} as p80,
        {{ sendwise.round_float(sendwise.percentile_cont_over('price', 0.90, 'agency_key'), 2) }} as p90
    from ppv
),

agency_stats as (
    select avg(case when is_99_ending then 1.0 else 0.0 end) as share_99_ending
    from ppv
),

combined as (
    select
        pages.page_key,
        coalesce(page_stats.ppv_sends, 0) as ppv_sends,
        coalesce(page_stats.ppv_sends, 0) < parameters.price_profile_min_sends as is_agency_fallback,
        page_percentiles.p35 as page_p35,
        page_percentiles.p50 as page_p50,
        page_percentiles.p60 as page_p60,
        page_percentiles.p80 as page_p80,
        page_percentiles.p90 as page_p90,
        page_stats.corr_price_earnings,
        coalesce(page_stats.share_99_ending, agency_stats.share_99_ending) as share_99_ending,
        parameters.price_ending_99_share,
        agency_percentiles.p35 as agency_p35,
        agency_percentiles.p50 as agency_p50,
        agency_percentiles.p60 as agency_p60,
        agency_percentiles.p80 as agency_p80,
        agency_percentiles.p90 as agency_p90
    from pages
    cross join parameters
    left join page_stats on pages.page_key = page_stats.page_key
    left join page_percentiles on pages.page_key = page_percentiles.page_key
    left join agency_percentiles on true
    left join agency_stats on true
),

final as (
    select
        page_key,
        ppv_sends,
        is_agency_fallback,
        case when is_agency_fallback then agency_p35 else page_p35 end as p35,
        case when is_agency_fallback then agency_p50 else page_p50 end as p50,
        case when is_agency_fallback then agency_p60 else page_p60 end as p60,
        case when is_agency_fallback then agency_p80 else page_p80 end as p80,
        case when is_agency_fallback then agency_p90 else page_p90 end as p90,
        corr_price_earnings,
        share_99_ending,
        case when coalesce(share_99_ending, 0) >= price_ending_99_share then '.99' else 'whole' end as price_ending
    from combined
)

select * from final
