-- Agency-wide track record of each caption text: how its PPV sends on every page bought relative
-- to a page-average caption of the same content category in the same context
-- (int_ranking_sends_in_context), over caption_lift_window_days (180 d), each send weighted by
-- w = 0.5 ^ (age_days / caption_lift_half_life_days) (120 d): a caption's appeal changes slowly,
-- a 30-day cooldown means its evidence is a month old when it can be sent again (with the 14-day
-- half-life of the page statistics the prior would forget a proven caption by then), and most
-- captions have only a few sends in all, so every one counts (on the seed world, 180 d / 120 d
-- instead of 90 d / 60 d raised the true purchase probability of the next week's top captions
-- from 88.4 % to 92.0 % of the oracle's; docs/ranking.md):
--
--   audience_factor(page, category) = (sum w * purchases + k) / (sum w * expected_purchases + k)
--       over the page's sends of the category (k = category_lift_prior_purchases)
--   log lift of a send = ln((purchases + 1) / (expected_purchases * audience_factor + 1))
--   caption_lift = exp((sum(w * log lift) - sum(w) * centre) / (sum(w) + prior_sends))
--
-- The audience factor takes out how the sending page's audience takes the caption's category (in
-- the demo truth a page x category effect of sd 0.25 logit, a third of the spread of caption
-- quality): without it a caption sent once on a page that loves its category is credited with
-- the page's taste, and another page inherits it. It is a first pass, averaged over every
-- caption of the category the page sent; int_ranking_page_category_lift is the second pass, net
-- of the caption lifts.
--
-- Each send counts as one observation whatever its audience (what is left unexplained after the
-- context is mostly send-to-send, not binomial, noise). The prior is Empirical Bayes, estimated
-- from the window's sends (prior_moments): its centre is the mean send log lift (an average
-- caption: ln((y + 1) / (e + 1)) is below 0 on average for a caption that sells as expected, by
-- Jensen's inequality, -0.21 on the seed world), its strength sigma2 / tau2 sends (one-way
-- random-effects method of moments: the noise of one send's log lift over the spread of true
-- caption effects; 9.4 sends on the seed world). A fixed prior of 0.5 sends let one lucky send
-- lift a caption above every never-sent one (a winner's curse; docs/ranking.md). With fewer than
-- caption_lift_eb_min_captions captions sent twice the prior is centre 0 and
-- caption_lift_prior_sends pseudo-sends. The moments count every send once; the strength is
-- applied to the decayed sends (their weights are 0.35-1 over the window).
-- A caption's quality travels with it from page to page, so a caption that sold well on one page
-- starts from a better prior on another (int_ranking_caption_scores). A caption never sent
-- anywhere has no row (lift 1).
with captions as (
    select
        caption_hash,
        min(content_category) as content_category
    from {{ ref('stg_agency__caption_bank') }}
    group by 1
),

sends as (
    select
        context.page_key,
        context.caption_hash,
        -- a text missing from the library still counts, in a category of its own
        coalesce(captions.content_category, '(not in library)') as content_category,
        {{ sendwise.decay_weight('context.age_days', sendwise.setting('caption_lift_half_life_days')) }} as lift_weight,
        context.purchased_count,
        context.expected_purchases
    from {{ ref('int_ranking_sends_in_context') }} as context
    left join captions on context.caption_hash = captions.caption_hash
    where
        context.is_ppv
        and context.sent_at >= {{ sendwise.window_start('caption_lift_window_days') }}
),

audience_factors as (
    select
        page_key,
        content_category,
        (sum(lift_weight * purchased_count) + {{ sendwise.setting('category_lift_prior_purchases') }})
        / (
            sum(lift_weight * expected_purchases) + {{ sendwise.setting('category_lift_prior_purchases') }}
        ) as audience_factor
    from sends
    group by 1, 2
),

sends_vs_audience as (
    select
        sends.caption_hash,
        sends.page_key,
        sends.lift_weight,
        sends.purchased_count,
        sends.expected_purchases * audience_factors.audience_factor as expected_purchases
    from sends
    inner join audience_factors
        on
            sends.page_key = audience_factors.page_key
            and sends.content_category = audience_factors.content_category
),

send_lifts as (
    select
        caption_hash,
        page_key,
        lift_weight,
        purchased_count,
        expected_purchases,
        ln((purchased_count + 1.0) / (expected_purchases + 1.0)) as log_lift
    from sends_vs_audience
),

caption_moments as (
    select
        caption_hash,
        count(*) as ppv_sends,
        count(distinct page_key) as pages_sent,
        sum(lift_weight * purchased_count) as observed_purchases,
        sum(lift_weight * expected_purchases) as expected_purchases,
        sum(lift_weight) as weighted_sends,
        sum(lift_weight * log_lift) as weighted_log_lift,
        avg(log_lift) as mean_log_lift,
        -- sum of squares around the caption's own mean: (n - 1) x sample variance, 0 for one send
        coalesce(var_samp(log_lift), 0) * (count(*) - 1) as within_squares
    from send_lifts
    group by 1
),

-- The prior, estimated from the window's sends (method of moments of a one-way random-effects
-- model, log_lift = centre + caption effect (variance tau2) + send noise (variance sigma2)):
-- sigma2 pools the spread of sends around their caption's mean, tau2 is what the spread of the
-- caption means has beyond that noise. Its strength is sigma2 / tau2 sends.
send_centre as (
    select avg(log_lift) as centre
    from send_lifts
),

prior_moments as (
    select
        max(send_centre.centre) as centre,
        sum(caption_moments.within_squares) / nullif(sum(caption_moments.ppv_sends - 1), 0) as sigma2,
        var_samp(caption_moments.mean_log_lift) as var_caption_means,
        avg(1.0 / caption_moments.ppv_sends) as mean_inverse_sends,
        count(case when caption_moments.ppv_sends >= 2 then 1 end) as repeated_captions
    from caption_moments
    cross join send_centre
),

-- The two estimates and the lift are rounded to 9 decimals: the sums run over many rows in
-- parallel, in another order each build, and a last-bit difference must not move a ranking.
prior_variances as (
    select
        centre,
        sigma2,
        var_caption_means - sigma2 * mean_inverse_sends as tau2,
        repeated_captions >= {{ sendwise.setting('caption_lift_eb_min_captions') }} as is_estimated
    from prior_moments
),

lift_prior as (
    select
        -- too few captions sent twice to estimate the prior: centre 0, caption_lift_prior_sends
        case when is_estimated then {{ sendwise.round_float('centre', 9) }} else 0 end as centre,
        case
            when not is_estimated then {{ sendwise.setting('caption_lift_prior_sends') }}
            when tau2 > 0 then {{ sendwise.round_float('sigma2 / tau2', 9) }}
        end as prior_sends
    from prior_variances
),

final as (
    select
        caption_moments.caption_hash,
        caption_moments.ppv_sends,
        caption_moments.pages_sent,
        caption_moments.observed_purchases,
        caption_moments.expected_purchases,
        caption_moments.weighted_sends,
        caption_moments.weighted_log_lift,
        lift_prior.centre as log_lift_centre,
        lift_prior.prior_sends,
        -- no between-caption spread beyond the noise (prior_sends null): every caption is average;
        -- 9 decimals, as the estimates: the engine's exp of the same sums can differ in the last bit
        {{ sendwise.round_float(
            'coalesce(exp((caption_moments.weighted_log_lift - caption_moments.weighted_sends * lift_prior.centre)'
            ~ ' / (caption_moments.weighted_sends + lift_prior.prior_sends)), 1.0)',
            9
        ) }} as caption_lift
    from caption_moments
    cross join lift_prior
)

select * from final
