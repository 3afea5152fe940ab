-- Style lift per style_key (length bin, emoji bin, call to action, urgency, ending question):
-- how much better or worse PPV sends of that style bought than a page-average caption would have
-- in the same page and page-local (day of week, hour) context (int_ranking_sends_in_context),
-- over style_window_days (28 d), each send weighted by 0.5 ^ (age_days / style_half_life_days):
--
--   observed = sum w * purchases;  expected = sum w * expected_purchases;  n = sum w (sends)
--   lift_raw = observed / expected - 1
--   lift_shrunk = lift_raw * n / (n + style_prior_k)
--   style_lift = clamp(lift_shrunk, -style_lift_clamp, +style_lift_clamp)
--
-- The lift is pooled over the agency's pages (each send against its own page's baseline): one
-- page has about ten sends per style key in 28 days, too thin to separate style from noise.
with sends as (
    select
        caption_hash,
        age_days,
        purchased_count,
        expected_purchases
    from {{ ref('int_ranking_sends_in_context') }}
    where
        is_ppv
        and sent_at >= {{ sendwise.window_start('style_window_days') }}
),

style_features as (
    select
        caption_hash,
        style_key
    from {{ ref('int_caption_style_features') }}
),

sends_weighted as (
    select
        style_features.style_key,
        sends.purchased_count,
        sends.expected_purchases,
        {{ sendwise.decay_weight('sends.age_days', sendwise.setting('style_half_life_days')) }} as style_weight
    from sends
    inner join style_features on sends.caption_hash = style_features.caption_hash
),

style_totals as (
    select
        style_key,
        count(*) as ppv_sends,
        sum(style_weight) as weighted_sends,
        sum(style_weight * purchased_count) as observed_purchases,
        sum(style_weight * expected_purchases) as expected_purchases
    from sends_weighted
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
