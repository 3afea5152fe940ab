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
--   caption_lift = exp(sum(w * log lift) / (sum(w) + caption_lift_prior_sends))
--
-- The audience factor takes out how the sending page's audience takes the caption's category (in
-- the demo truth a page x category effect of sd 0.25 logit, a third of the spread of caption
-- quality): without it a caption sent once on a page that loves its category is credited with
-- the page's taste, and another page inherits it. It is a first pass, averaged over every
-- caption of the category the page sent; int_ranking_page_category_lift is the second pass, net
-- of the caption lifts.
--
-- Each send counts as one observation whatever its audience (what is left unexplained after the
-- context is mostly send-to-send, not binomial, noise), shrunk toward lift 1 by
-- caption_lift_prior_sends pseudo-sends.
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

totals as (
    select
        caption_hash,
        count(*) as ppv_sends,
        count(distinct page_key) as pages_sent,
        sum(lift_weight * purchased_count) as observed_purchases,
        sum(lift_weight * expected_purchases) as expected_purchases,
        sum(lift_weight) as weighted_sends,
        sum(lift_weight * ln((purchased_count + 1.0) / (expected_purchases + 1.0))) as weighted_log_lift
    from sends_vs_audience
    group by 1
),

final as (
    select
        *,
        exp(weighted_log_lift / (weighted_sends + {{ sendwise.setting('caption_lift_prior_sends') }})) as caption_lift
    from totals
)

select * from final
