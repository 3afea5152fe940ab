-- The (active page, library caption) pairs that can reach the ranking (int_ranking_caption_pairs:
-- every caption whose text the page has used, and its ranking_prefilter_per_page best never-used
-- ones), with their cooldown state.
-- Cooldown: a caption whose text was used on the page within caption_cooldown_days (30) is in
-- cooldown. While the page has at least cooldown_min_pool (60) fresh captions, cooldown captions
-- are not candidates; when it has fewer (the pool ran dry), the least-recently-used cooldown
-- captions (oldest last use first, then caption_id) are admitted up to cooldown_min_pool in total
-- and flagged is_cooldown_ok = false. Nothing here changes a score: staleness is never rewarded.
-- Every cooldown caption is a used one, hence a row; the fresh count comes from counts per (page,
-- category), never from the fresh rows: n_fresh_on_page = the page's eligible_captions (the sum of
-- category_captions over its vault categories) - the page's captions in cooldown (its cooldown rows).
-- The pair's caption-decayed statistics on the page ride along, 0 for a caption never sent on the
-- page, so scoring needs no second join.
with pairs as (
    select
        page_key,
        caption_id,
        caption_hash,
        content_category,
        last_used_at,
        eligible_captions
    from {{ ref('int_ranking_caption_pairs') }}
),

caption_usage as (
    select
        page_key,
        caption_hash,
        ppv_sends_60d,
        w_sent,
        w_sent_context,
        w_purchases
    from {{ ref('int_ranking_caption_page_stats') }}
),

with_usage as (
    select
        pairs.*,
        coalesce(caption_usage.ppv_sends_60d, 0) as ppv_sends_60d,
        coalesce(caption_usage.w_sent, 0) as w_sent,
        coalesce(caption_usage.w_sent_context, 0) as w_sent_context,
        coalesce(caption_usage.w_purchases, 0) as w_purchases,
        {{ sendwise.age_days('pairs.last_used_at') }} as days_since_last_use,
        coalesce(
            {{ sendwise.age_days('pairs.last_used_at') }} <= {{ sendwise.setting('caption_cooldown_days') }},
            false
        ) as is_in_cooldown
    from pairs
    left join caption_usage
        on
            pairs.page_key = caption_usage.page_key
            and pairs.caption_hash = caption_usage.caption_hash
),

counted as (
    select
        *,
        eligible_captions
        - sum(case when is_in_cooldown then 1 else 0 end) over (partition by page_key) as n_fresh_on_page,
        case
            when is_in_cooldown
                then row_number() over (
                        partition by page_key, is_in_cooldown
                        order by last_used_at asc, caption_id asc
                    )
        end as cooldown_lru_rank
    from with_usage
),

final as (
    select
        page_key,
        caption_id,
        caption_hash,
        content_category,
        last_used_at,
        days_since_last_use,
        ppv_sends_60d,
        w_sent,
        w_sent_context,
        w_purchases,
        is_in_cooldown,
        not is_in_cooldown as is_cooldown_ok,
        n_fresh_on_page,
        cooldown_lru_rank,
        not is_in_cooldown
        or cooldown_lru_rank <= {{ sendwise.setting('cooldown_min_pool') }} - n_fresh_on_page as is_candidate
    from counted
)

select * from final
