{{ config(
    materialized='table',
    partition_by=sendwise.fact_partition_by('sent_at'),
    cluster_by=sendwise.fact_cluster_by()
) }}
-- Every send of a known page with what the ranking needs to compare captions sent in different
-- contexts. A PPV send's purchase rate depends on when and at what price it went out as much as
-- on its caption, so each PPV send gets the page's context factor for its page-local (day of
-- week, hour) and its price:
--
--   rate(page, hour) = (purchases_h + prior_nu_buy * mu_buy) / (recipients_h + prior_nu_buy)
--   rate(page, dow)  = (purchases_d + prior_nu_buy * mu_buy) / (recipients_d + prior_nu_buy)
--       (over style_baseline_window_days, shrunk toward the page prior mu_buy)
--   time_factor      = rate(page, hour) / mu_buy * rate(page, dow) / mu_buy
--   price elasticity of the page: the slope of ln(purchases / expected-by-time) on
--       x = ln(price / the page's geometric-mean price) over its PPV sends of the baseline window,
--       shrunk toward price_elasticity_prior: (Sxy + k * prior) / (Sxx + k), k = price_elasticity_prior_k
--   price_factor     = exp(elasticity * x)
--   context_factor   = time_factor * price_factor
--   expected_purchases = sent_count * mu_buy * context_factor   (purchases a page-average caption
--                                                                 would have made in that context)
--
-- Non-PPV sends are kept (no context) because any use of a caption counts for its cooldown.
with sends as (
    select
        send_id,
        page_key,
        caption_hash,
        is_ppv,
        sent_at,
        local_dow,
        local_hour,
        age_days,
        caption_decay_weight,
        price,
        sent_count,
        purchased_count
    from {{ ref('int_mass_messages_enriched') }}
    where
        is_page_known
        and caption_hash is not null
),

page_hour_stats as (
    select * from {{ ref('int_ranking_page_hour_stats') }}
),

page_priors as (
    select
        page_key,
        mu_buy
    from {{ ref('int_ranking_page_priors') }}
),

hour_totals as (
    select
        page_key,
        local_hour,
        sum(purchases_baseline_window) as purchases,
        sum(sent_baseline_window) as recipients
    from page_hour_stats
    group by 1, 2
),

dow_totals as (
    select
        page_key,
        local_dow,
        sum(purchases_baseline_window) as purchases,
        sum(sent_baseline_window) as recipients
    from page_hour_stats
    group by 1, 2
),

hour_rates as (
    select
        hour_totals.page_key,
        hour_totals.local_hour,
        (hour_totals.purchases + {{ sendwise.setting('prior_nu_buy') }} * page_priors.mu_buy)
        / (hour_totals.recipients + {{ sendwise.setting('prior_nu_buy') }}) as hour_rate
    from hour_totals
    inner join page_priors on hour_totals.page_key = page_priors.page_key
),

dow_rates as (
    select
        dow_totals.page_key,
        dow_totals.local_dow,
        (dow_totals.purchases + {{ sendwise.setting('prior_nu_buy') }} * page_priors.mu_buy)
        / (dow_totals.recipients + {{ sendwise.setting('prior_nu_buy') }}) as dow_rate
    from dow_totals
    inner join page_priors on dow_totals.page_key = page_priors.page_key
),

timed as (
    select
        sends.*,
        page_priors.mu_buy,
        case
            when sends.is_ppv then coalesce({{ sendwise.safe_divide('hour_rates.hour_rate', 'page_priors.mu_buy') }}, 1)
        end as hour_factor,
        coalesce({{ sendwise.safe_divide('dow_rates.dow_rate', 'page_priors.mu_buy') }}, 1) as dow_factor
    from sends
    inner join page_priors on sends.page_key = page_priors.page_key
    left join hour_rates
        on
            sends.page_key = hour_rates.page_key
            and sends.local_hour = hour_rates.local_hour
    left join dow_rates
        on
            sends.page_key = dow_rates.page_key
            and sends.local_dow = dow_rates.local_dow
),

timed_factors as (
    select
        *,
        hour_factor * dow_factor as time_factor
    from timed
),

price_sample as (
    -- one point per PPV send with buyers-to-expected evidence: (log price, log lift); +1 keeps
    -- sends without buyers finite
    select
        page_key,
        ln(price) as log_price,
        ln((purchased_count + 1.0) / (sent_count * mu_buy * time_factor + 1.0)) as log_lift
    from timed_factors
    where
        is_ppv
        and sent_count > 0
        and sent_at >= {{ sendwise.window_start('style_baseline_window_days') }}
),

page_elasticity as (
    select
        page_key,
        avg(log_price) as mean_log_price,
        (
            covar_pop(log_price, log_lift) * count(*)
            + {{ sendwise.setting('price_elasticity_prior_k') }} * {{ sendwise.setting('price_elasticity_prior') }}
        )
        / (var_pop(log_price) * count(*) + {{ sendwise.setting('price_elasticity_prior_k') }}) as price_elasticity
    from price_sample
    group by 1
),

priced as (
    select
        timed_factors.*,
        page_elasticity.price_elasticity,
        coalesce(
            page_elasticity.price_elasticity, {{ sendwise.setting('price_elasticity_prior') }}
        ) as price_elasticity_used,
        case
            when timed_factors.is_ppv then ln(timed_factors.price) - page_elasticity.mean_log_price
        end as log_price_deviation
    from timed_factors
    left join page_elasticity on timed_factors.page_key = page_elasticity.page_key
),

in_context as (
    select
        *,
        time_factor * exp(price_elasticity_used * log_price_deviation) as context_factor
    from priced
),

final as (
    select
        send_id,
        page_key,
        caption_hash,
        is_ppv,
        sent_at,
        local_dow,
        local_hour,
        age_days,
        caption_decay_weight,
        price,
        sent_count,
        purchased_count,
        mu_buy,
        time_factor,
        price_elasticity,
        coalesce(context_factor, time_factor) as context_factor,
        sent_count * mu_buy * coalesce(context_factor, time_factor) as expected_purchases
    from in_context
)

select * from final
