-- Agency-wide track record of each caption text: how its PPV sends on every page bought relative
-- to a page-average caption in the same context (int_ranking_sends_in_context), over
-- caption_lift_window_days (90 d), each send weighted by w = 0.5 ^ (age_days /
-- caption_lift_half_life_days) (60 d): a caption's appeal changes slowly, and a 30-day cooldown
-- means its evidence is a month old when it can be sent again (with the 14-day half-life of the
-- page statistics the prior would forget a proven caption by then):
--
--   log lift of a send = ln((purchases + 1) / (expected_purchases + 1))
--   caption_lift = exp(sum(w * log lift) / (sum(w) + caption_lift_prior_sends))
--
-- Each send counts as one observation whatever its audience (what is left unexplained after the
-- context is mostly send-to-send, not binomial, noise), shrunk toward lift 1 by
-- caption_lift_prior_sends pseudo-sends.
-- A caption's quality travels with it from page to page, so a caption that sold well on one page
-- starts from a better prior on another (int_ranking_caption_scores). A caption never sent
-- anywhere has no row (lift 1).
with sends as (
    select
        page_key,
        caption_hash,
        {{ sendwise.decay_weight('age_days', sendwise.setting('caption_lift_half_life_days')) }} as lift_weight,
        purchased_count,
        expected_purchases
    from {{ ref('int_ranking_sends_in_context') }}
    where
        is_ppv
        and age_days <= {{ sendwise.setting('caption_lift_window_days') }}
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
    from sends
    group by 1
),

final as (
    select
        *,
        exp(weighted_log_lift / (weighted_sends + {{ sendwise.setting('caption_lift_prior_sends') }})) as caption_lift
    from totals
)

select * from final
