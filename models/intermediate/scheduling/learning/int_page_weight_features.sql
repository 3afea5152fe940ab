-- The four features of the personalization weights (docs/learning.md), one row per page, over the sends of
-- the last weight_window_days (28) before as_of. Days are 24-hour buckets counted back from as_of
-- (day_back 0 = the last 24 hours), so "the last 7 days" means the same thing on every page.
--   slope_pct_7d    (last 7 days - previous 7 days) / previous 7 days of daily revenue, each day
--                   winsorized to the page's own 5th-95th percentiles of daily revenue in the
--                   window (only days since the page's first send; a day without a send is a 0,
--                   counted arithmetically, so no calendar spine is needed). The percentiles are
--                   exact percentile_cont (linear interpolation between ranks), computed from ranks
--                   because their fractions come from settings (percentile functions need literals).
--                   Null when the page is younger than two slope windows or had no revenue before.
--   hour_peak_ratio best local hour's revenue / mean revenue of the local hours the page used.
--   corr_final      corr(price, earnings) of PPV sends, shrunk by n / (n + corr_shrink_k).
--   volume_perf     revenue per send / median revenue per send of the page's tier peers (pages
--                   of the same creator tier with enough history), times a trend multiplier
--                   clamp(1 + volume_trend_coef * slope_pct_7d).
with performance as (
    -- every page (the roster) with its tier and age
    select
        page_key,
        is_active,
        creator_tier,
        first_send_age_days
    from {{ ref('int_page_performance_state') }}
),

parameters as (
    select
        {{ sendwise.setting('weight_window_days') }} as weight_window_days,
        {{ sendwise.setting('slope_window_days') }} as slope_window_days,
        {{ sendwise.setting('winsor_pct_low') }} as winsor_pct_low,
        {{ sendwise.setting('winsor_pct_high') }} as winsor_pct_high,
        {{ sendwise.setting('corr_shrink_k') }} as corr_shrink_k,
        {{ sendwise.setting('weight_min_sends') }} as weight_min_sends,
        {{ sendwise.setting('volume_trend_coef') }} as volume_trend_coef,
        {{ sendwise.setting('volume_trend_mult_min') }} as volume_trend_mult_min,
        {{ sendwise.setting('volume_trend_mult_max') }} as volume_trend_mult_max
),

sends as (
    select
        enriched.page_key,
        enriched.is_ppv,
        enriched.price,
        enriched.earnings,
        enriched.local_hour,
        cast(floor(enriched.age_days) as {{ dbt.type_bigint() }}) as day_back
    from {{ ref('int_mass_messages_enriched') }} as enriched
    where enriched.sent_at > {{ sendwise.window_start('weight_window_days') }}
),

page_span as (
    -- days of the window the page existed in: day_back 0 .. floor(first send age), at most the window
    select
        performance.page_key,
        cast({{ sendwise.clamp(
            'floor(performance.first_send_age_days) + 1', '0', 'parameters.weight_window_days'
        ) }} as {{ dbt.type_bigint() }}) as days_observed
    from performance
    cross join parameters
    where performance.first_send_age_days is not null
),

daily_revenue as (
    -- days with at least one send; the page's other days of its span are zero-revenue days
    select
        page_key,
        day_back,
        sum(earnings) as revenue
    from sends
    group by 1, 2
),

daily_ranked as (
    -- rank of each sending day among all days of the span, zero days first (earnings are >= 0)
    select
        daily_revenue.page_key,
        daily_revenue.day_back,
        daily_revenue.revenue,
        page_span.days_observed,
        page_span.days_observed - count(*) over (partition by daily_revenue.page_key) as zero_days,
        page_span.days_observed - count(*) over (partition by daily_revenue.page_key)
        + row_number() over (
            partition by daily_revenue.page_key order by daily_revenue.revenue, daily_revenue.day_back
        ) - 1 as revenue_rank,
        parameters.winsor_pct_low * (page_span.days_observed - 1) as low_position,
        parameters.winsor_pct_high * (page_span.days_observed - 1) as high_position
    from daily_revenue
    inner join page_span on daily_revenue.page_key = page_span.page_key
    cross join parameters
),

winsor_bounds as (
    -- exact percentile_cont over the span's days: value at rank floor(pos) + fraction of pos x (value
    -- at rank ceil(pos) - it); a rank among the zero days has the value 0
    select
        page_key,
        max(days_observed) as days_observed,
        max(zero_days) as zero_days,
        {{ sendwise.percentile_from_ranks('revenue_rank', 'revenue', 'low_position') }} as daily_revenue_p_low,
        {{ sendwise.percentile_from_ranks('revenue_rank', 'revenue', 'high_position') }} as daily_revenue_p_high
    from daily_ranked
    group by 1
),

slope_sums as (
    -- winsorized sums of the two halves; each zero day of a half counts as clamp(0) = p_low
    select
        daily_ranked.page_key,
        {{ sendwise.winsorized_half_revenue(
            'daily_ranked.day_back < parameters.slope_window_days', 'max(daily_ranked.days_observed)'
        ) }} as revenue_last_7d,
        {{ sendwise.winsorized_half_revenue(
            'daily_ranked.day_back >= parameters.slope_window_days'
            ~ ' and daily_ranked.day_back < 2 * parameters.slope_window_days',
            'max(daily_ranked.days_observed) - max(parameters.slope_window_days)'
        ) }} as revenue_prev_7d
    from daily_ranked
    inner join winsor_bounds on daily_ranked.page_key = winsor_bounds.page_key
    cross join parameters
    group by 1
),

hour_revenue as (
    select
        page_key,
        local_hour,
        sum(earnings) as revenue
    from sends
    where local_hour is not null
    group by 1, 2
),

hour_profile as (
    select
        page_key,
        count(*) as hours_used,
        {{ sendwise.safe_divide('max(revenue)', 'avg(revenue)') }} as hour_peak_ratio
    from hour_revenue
    group by 1
),

send_stats as (
    select
        page_key,
        count(*) as sends_in_window,
        sum(earnings) as revenue_in_window,
        cast(sum(case when is_ppv then 1 else 0 end) as {{ dbt.type_bigint() }}) as ppv_sends_in_window,
        {{ sendwise.safe_corr('case when is_ppv then price end', 'case when is_ppv then earnings end') }}
            as corr_price_earnings
    from sends
    group by 1
),

features as (
    select
        performance.page_key,
        performance.is_active,
        performance.creator_tier,
        coalesce(send_stats.sends_in_window, 0) as sends_in_window,
        coalesce(send_stats.ppv_sends_in_window, 0) as ppv_sends_in_window,
        coalesce(send_stats.revenue_in_window, 0) as revenue_in_window,
        coalesce(send_stats.sends_in_window, 0) >= parameters.weight_min_sends as is_history_sufficient,
        winsor_bounds.days_observed,
        winsor_bounds.daily_revenue_p_low,
        winsor_bounds.daily_revenue_p_high,
        slope_sums.revenue_last_7d,
        slope_sums.revenue_prev_7d,
        case
            when performance.first_send_age_days >= 2 * parameters.slope_window_days
                then {{ sendwise.safe_divide(
                    'slope_sums.revenue_last_7d - slope_sums.revenue_prev_7d', 'slope_sums.revenue_prev_7d'
                ) }}
        end as slope_pct_7d,
        coalesce(hour_profile.hours_used, 0) as hours_used,
        hour_profile.hour_peak_ratio,
        send_stats.corr_price_earnings,
        coalesce(send_stats.corr_price_earnings, 0)
        * coalesce(send_stats.ppv_sends_in_window, 0)
        / (coalesce(send_stats.ppv_sends_in_window, 0) + parameters.corr_shrink_k) as corr_final,
        {{ sendwise.safe_divide('send_stats.revenue_in_window', 'send_stats.sends_in_window') }} as revenue_per_send,
        parameters.volume_trend_coef,
        parameters.volume_trend_mult_min,
        parameters.volume_trend_mult_max
    from performance
    cross join parameters
    left join send_stats on performance.page_key = send_stats.page_key
    left join winsor_bounds on performance.page_key = winsor_bounds.page_key
    left join slope_sums on performance.page_key = slope_sums.page_key
    left join hour_profile on performance.page_key = hour_profile.page_key
),

tier_peers as (
    -- median revenue per send of the tier's pages with enough history
    select distinct
        creator_tier,
        {{ sendwise.percentile_cont_over('revenue_per_send', 0.5, 'creator_tier') }} as tier_median_revenue_per_send
    from features
    where is_history_sufficient
),

final as (
    select
        features.page_key,
        features.is_active,
        features.creator_tier,
        features.sends_in_window,
        features.ppv_sends_in_window,
        features.revenue_in_window,
        features.is_history_sufficient,
        features.days_observed,
        features.daily_revenue_p_low,
        features.daily_revenue_p_high,
        features.revenue_last_7d,
        features.revenue_prev_7d,
        features.slope_pct_7d,
        features.hours_used,
        features.hour_peak_ratio,
        features.corr_price_earnings,
        features.corr_final,
        features.revenue_per_send,
        tier_peers.tier_median_revenue_per_send,
        {{ sendwise.clamp(
            '1 + features.volume_trend_coef * coalesce(features.slope_pct_7d, 0)',
            'features.volume_trend_mult_min', 'features.volume_trend_mult_max'
        ) }} as trend_multiplier,
        {{ sendwise.safe_divide('features.revenue_per_send', 'tier_peers.tier_median_revenue_per_send') }}
        * {{ sendwise.clamp(
            '1 + features.volume_trend_coef * coalesce(features.slope_pct_7d, 0)',
            'features.volume_trend_mult_min', 'features.volume_trend_mult_max'
        ) }} as volume_perf
    from features
    left join tier_peers on features.creator_tier = tier_peers.creator_tier
)

select * from final
