-- Style lift per style_key (length bin, emoji bin, call to action, urgency, ending question):
-- how much better or worse PPV sends of that style bought than expected from their own page's
-- (day of week, hour) baseline, over style_window_days (28 d), each send weighted by
-- 0.5 ^ (age_days / style_half_life_days) (45 d).
--
--   baseline(page, dow, hour) = rate(page, hour) * rate(page, dow) / rate(page)
--       (separable page-hour and page-dow purchase rates over style_baseline_window_days, so a
--        cell holding one or two sends does not absorb their own signal)
--   observed = sum w * purchases;  expected = sum w * sent * baseline;  n = sum w (decayed sends)
--   lift_raw = observed / expected - 1
--   lift_shrunk = lift_raw * n / (n + style_prior_k)
--   style_lift = clamp(lift_shrunk, -style_lift_clamp, +style_lift_clamp)
--
-- The lift is pooled over the agency's pages (each send against its own page's baseline): one
-- page has about ten sends per style key in 28 days, too thin to separate style from noise.
with ppv_sends as (
    select
        page_key,
        caption_hash,
        local_dow,
        local_hour,
        age_days,
        sent_count,
        purchased_count
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_ppv
        and is_page_known
        and age_days <= {{ sendwise.setting('style_window_days') }}
),

style_features as (
    select
        caption_hash,
        style_key
    from {{ ref('int_caption_style_features') }}
),

page_hour_stats as (
    select * from {{ ref('int_ranking_page_hour_stats') }}
),

page_rates as (
    select
        page_key,
        {{ sendwise.safe_divide('sum(purchases_baseline_window)', 'sum(sent_baseline_window)') }} as page_rate
    from page_hour_stats
    group by 1
),

page_hour_rates as (
    select
        page_key,
        local_hour,
        {{ sendwise.safe_divide('sum(purchases_baseline_window)', 'sum(sent_baseline_window)') }} as hour_rate
    from page_hour_stats
    group by 1, 2
),

page_dow_rates as (
    select
        page_key,
        local_dow,
        {{ sendwise.safe_divide('sum(purchases_baseline_window)', 'sum(sent_baseline_window)') }} as dow_rate
    from page_hour_stats
    group by 1, 2
),

sends_with_baseline as (
    select
        ppv_sends.page_key,
        style_features.style_key,
        ppv_sends.sent_count,
        ppv_sends.purchased_count,
        {{ sendwise.decay_weight('ppv_sends.age_days', sendwise.setting('style_half_life_days')) }} as style_weight,
        {{ sendwise.safe_divide(
            'page_hour_rates.hour_rate * page_dow_rates.dow_rate', 'page_rates.page_rate'
        ) }} as baseline_rate
    from ppv_sends
    inner join style_features on ppv_sends.caption_hash = style_features.caption_hash
    inner join page_rates on ppv_sends.page_key = page_rates.page_key
    inner join page_hour_rates
        on
            ppv_sends.page_key = page_hour_rates.page_key
            and ppv_sends.local_hour = page_hour_rates.local_hour
    inner join page_dow_rates
        on
            ppv_sends.page_key = page_dow_rates.page_key
            and ppv_sends.local_dow = page_dow_rates.local_dow
),

style_totals as (
    select
        style_key,
        count(*) as ppv_sends,
        sum(style_weight) as weighted_sends,
        sum(style_weight * purchased_count) as observed_purchases,
        sum(style_weight * sent_count * baseline_rate) as expected_purchases
    from sends_with_baseline
    where baseline_rate is not null
    group by 1
),

style_shrunk as (
    select
        *,
        {{ sendwise.safe_divide('observed_purchases', 'expected_purchases') }} - 1 as lift_raw,
        ({{ sendwise.safe_divide('observed_purchases', 'expected_purchases') }} - 1)
        * weighted_sends / (weighted_sends + {{ sendwise.setting('style_prior_k') }}) as lift_shrunk
    from style_totals
),

final as (
    select
        style_key,
        ppv_sends,
        weighted_sends,
        observed_purchases,
        expected_purchases,
        lift_raw,
        lift_shrunk,
        coalesce(
            {{ sendwise.clamp(
                'lift_shrunk', '-' ~ sendwise.setting('style_lift_clamp'), sendwise.setting('style_lift_clamp')
            ) }},
            0
        ) as style_lift,
        abs(coalesce(lift_shrunk, 0)) > {{ sendwise.setting('style_lift_clamp') }} as is_clamped
    from style_shrunk
)

select * from final
