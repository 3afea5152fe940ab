-- Every candidate caption of a page, pre-filtered and scored once per page (nothing here depends on
-- the slot): its Empirical-Bayes posterior of the purchase probability. int_ranking_caption_scores
-- bounds these scores under the policy and keeps the page's shortlist (docs/ranking.md).
--
--   mu_caption = mu_buy * caption_lift * category_lift
--       the caption's prior on this page: the page prior mu_buy times the caption's agency-wide
--       lift (int_ranking_caption_lift) and the page's lift for its content category
--       (int_ranking_page_category_lift); both are 1 without evidence
--   p_buy_eb = (w_purchases + nu * mu_caption) / (w_sent_context + nu),  nu = prior_nu_buy x the page's
--       exploration_multiplier (int_ranking_slots: the caption experiment's bounded feedback, 1 without
--       results)
--       the plain Empirical-Bayes formula with two refinements the evaluation measured
--       (docs/ranking.md): the prior mean comes from mu_caption instead of mu_buy alone, and the
--       exposure is w_sent_context (recipients restated at the page's average hour and weekday)
--       instead of raw w_sent, so a caption is not credited for having been sent at a good hour
--   eb_n     = w_sent_context + nu    (the Beta posterior's alpha + beta)
--   p_buy_se = sqrt(p_buy_eb * (1 - p_buy_eb) / eb_n)     (UCB bonus = sigma * price * p_buy_se)
--   p_buy_sd = sqrt(p_buy_eb * (1 - p_buy_eb) / (eb_n + 1))  (sd of the posterior, Thompson)
--
-- Pre-filter (before any scoring, so the work per page does not grow with the library): the
-- candidates are int_ranking_caption_eligibility's, which holds every caption the page has sent
-- and only its ranking_prefilter_per_page best never-sent ones by caption_lift x (1 + w_style_lift
-- x style_lift) x category_lift (a never-sent caption has p_buy_eb = mu_caption = mu_buy x
-- caption_lift x category_lift, so on one page such captions rank by that key times the style term
-- the scores add). Exact for greedy whenever ranking_prefilter_per_page >= ranking_shortlist_size;
-- for ucb and thompson the key is the same order up to the bonus, hence the margin (400 vs 200;
-- pytests/ranking/test_shortlist_exact.py compares with no pre-filter).
with candidates as (
    select
        page_key,
        caption_id,
        caption_hash,
        content_category,
        last_used_at,
        days_since_last_use,
        is_cooldown_ok,
        ppv_sends_60d,
        w_sent,
        w_sent_context,
        w_purchases
    from {{ ref('int_ranking_caption_eligibility') }}
    where is_candidate
),

page_priors as (
    select
        page_key,
        mu_buy
    from {{ ref('int_ranking_page_priors') }}
),

caption_lift as (
    select
        caption_hash,
        caption_lift
    from {{ ref('int_ranking_caption_lift') }}
),

category_lift as (
    select
        page_key,
        content_category,
        category_lift
    from {{ ref('int_ranking_page_category_lift') }}
),

style_features as (
    select
        caption_hash,
        style_key
    from {{ ref('int_caption_style_features') }}
),

style_lift as (
    select
        style_key,
        style_lift
    from {{ ref('int_ranking_style_lift') }}
),

slots as (
    select
        page_key,
        sigma,
        exploration_multiplier
    from {{ ref('int_ranking_slots') }}
),

page_sigma as (
    select
        page_key,
        max(sigma) as sigma_max_page,
        max(coalesce(exploration_multiplier, 1.0)) as exploration_multiplier
    from slots
    group by 1
),

joined as (
    select
        candidates.*,
        page_priors.mu_buy,
        coalesce(caption_lift.caption_lift, 1) as caption_lift,
        coalesce(category_lift.category_lift, 1) as category_lift,
        page_priors.mu_buy
        * coalesce(caption_lift.caption_lift, 1)
        * coalesce(category_lift.category_lift, 1) as mu_caption,
        style_features.style_key,
        coalesce(style_lift.style_lift, 0) as style_lift,
        page_sigma.sigma_max_page,
        {{ sendwise.setting('prior_nu_buy') }} * page_sigma.exploration_multiplier as prior_nu
    from candidates
    inner join page_priors on candidates.page_key = page_priors.page_key
    inner join page_sigma on candidates.page_key = page_sigma.page_key
    left join caption_lift on candidates.caption_hash = caption_lift.caption_hash
    left join category_lift
        on
            candidates.page_key = category_lift.page_key
            and candidates.content_category = category_lift.content_category
    left join style_features on candidates.caption_hash = style_features.caption_hash
    left join style_lift on style_features.style_key = style_lift.style_key
),

eb as (
    select
        *,
        (w_purchases + prior_nu * mu_caption) / (w_sent_context + prior_nu) as p_buy_eb,
        w_sent_context + prior_nu as eb_n
    from joined
),

spread as (
    select
        *,
        sqrt(p_buy_eb * (1 - p_buy_eb) / eb_n) as p_buy_se,
        sqrt(p_buy_eb * (1 - p_buy_eb) / (eb_n + 1)) as p_buy_sd
    from eb
),

final as (
    select
        page_key,
        caption_id,
        caption_hash,
        content_category,
        last_used_at,
        days_since_last_use,
        is_cooldown_ok,
        ppv_sends_60d,
        w_sent,
        w_sent_context,
        w_purchases,
        mu_buy,
        caption_lift,
        category_lift,
        mu_caption,
        prior_nu as eb_prior_nu,
        p_buy_eb,
        eb_n,
        p_buy_se,
        p_buy_sd,
        style_key,
        style_lift,
        sigma_max_page
    from spread
)

select * from final
