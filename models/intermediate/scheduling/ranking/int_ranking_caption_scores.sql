{{ config(materialized='table') }}

-- The page's shortlist of candidate captions: the ranking_shortlist_size captions with the highest
-- optimistic score per dollar of slot price. Only the shortlist is expanded to slots (the mart), which
-- is what keeps the ranking fast (docs/ranking.md, "Performance"). The candidates and their
-- Empirical-Bayes posteriors (p_buy_eb, p_buy_se, p_buy_sd; the pre-filter before scoring) come from
-- int_ranking_caption_posteriors.
--
-- Shortlist key: an upper bound, over the page's slots, of score_final / slot_price under the
-- policy (penalties only lower a score):
--   ucb      p + min(sigma_max_page * p_buy_se, ucb_bonus_cap_mult * p) + w_style_lift * lift * p
--   greedy   p * (1 + w_style_lift * lift)
--   thompson min(1, p + thompson_z_max * p_buy_sd) * (1 + w_style_lift * lift)
-- where sigma_max_page is the page's largest slot sigma. Ties keep the smaller caption_id, as the
-- slot ranking does. Only candidates in or above the page's threshold bucket of a histogram of
-- the bounds (the lowest bucket needed to fill the shortlist) are sorted.
{%- set policy = sendwise.ranking_policy() %}
{#- Resolution of the bound histogram that finds the shortlist threshold (speed only, not results). -#}
{%- set bound_buckets = 1000 %}

with posteriors as (
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
        eb_prior_nu,
        p_buy_eb,
        eb_n,
        p_buy_se,
        p_buy_sd,
        style_key,
        style_lift,
        sigma_max_page
    from {{ ref('int_ranking_caption_posteriors') }}
),

bounded as (
    select
        *,
        {%- if policy == 'ucb' %}
            p_buy_eb
            + {{ sendwise.ucb_bonus('sigma_max_page * p_buy_se', 'p_buy_eb') }}
            + {{ sendwise.setting('w_style_lift') }} * style_lift * p_buy_eb
        {%- elif policy == 'greedy' %}
            p_buy_eb * (1 + {{ sendwise.setting('w_style_lift') }} * style_lift)
        {%- else %}
            case
                when p_buy_eb + {{ sendwise.setting('thompson_z_max') }} * p_buy_sd > 1 then 1.0
                else p_buy_eb + {{ sendwise.setting('thompson_z_max') }} * p_buy_sd
            end
            * (1 + {{ sendwise.setting('w_style_lift') }} * style_lift)
        {%- endif %} as score_bound_per_dollar
    from posteriors
),

page_bound_max as (
    select
        page_key,
        max(score_bound_per_dollar) as bound_max
    from bounded
    group by 1
),

bucketed as (
    -- a histogram of the bounds per page, bound_buckets buckets between 0 and the page's largest
    -- bound (the top of the page, where the shortlist lives, is finely resolved)
    select
        bounded.*,
        coalesce(
            cast(floor(
                {{ sendwise.safe_divide('bounded.score_bound_per_dollar', 'page_bound_max.bound_max') }}
                * {{ bound_buckets }}
            ) as {{ dbt.type_int() }}),
            0
        ) as bound_bucket
    from bounded
    inner join page_bound_max on bounded.page_key = page_bound_max.page_key
),

bucket_counts as (
    select
        page_key,
        bound_bucket,
        count(*) as captions_in_bucket
    from bucketed
    group by 1, 2
),

bucket_cumulated as (
    select
        page_key,
        bound_bucket,
        captions_in_bucket,
        sum(captions_in_bucket) over (
            partition by page_key
            order by bound_bucket desc
            rows between unbounded preceding and current row
        ) as captions_at_or_above
    from bucket_counts
),

page_bucket_threshold as (
    -- the lowest bucket still needed to fill the shortlist: only candidates in it or above are
    -- sorted (the sort is the expensive step); the result is exact whatever bound_buckets is
    select
        page_key,
        min(bound_bucket) as bucket_threshold
    from bucket_cumulated
    where captions_at_or_above - captions_in_bucket < {{ sendwise.setting('ranking_shortlist_size') }}
    group by 1
),

above_threshold as (
    select bucketed.*
    from bucketed
    inner join page_bucket_threshold
        on
            bucketed.page_key = page_bucket_threshold.page_key
            and bucketed.bound_bucket >= page_bucket_threshold.bucket_threshold
),

ranked as (
    select
        *,
        row_number() over (
            partition by page_key
            order by score_bound_per_dollar desc, caption_id asc
        ) as shortlist_rank
    from above_threshold
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
        eb_prior_nu,
        p_buy_eb,
        eb_n,
        p_buy_se,
        p_buy_sd,
        style_key,
        style_lift,
        sigma_max_page,
        score_bound_per_dollar,
        shortlist_rank
    from ranked
    where shortlist_rank <= {{ sendwise.setting('ranking_shortlist_size') }}
)

select * from final
