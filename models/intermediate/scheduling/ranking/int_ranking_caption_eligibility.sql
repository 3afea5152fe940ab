-- Every (active page, library caption) pair that passes the hard filters, with its cooldown state:
--   * the caption is available (usage_status), validated (medium or high) and already created;
--   * its content category is available in the page's vault. The vault is an inner join: a page
--     without a vault row, or a category missing from it, gives no pair ("not eligible", never
--     "everything eligible"); int_ranking_page_pools counts what each page lost and why.
-- Cooldown: a caption whose text was used on the page within caption_cooldown_days (30) is in
-- cooldown. While the page has at least cooldown_min_pool (60) fresh captions, cooldown captions
-- are not candidates; when it has fewer (the pool ran dry), the least-recently-used cooldown
-- captions (oldest last use first, then caption_id) are admitted up to cooldown_min_pool in total
-- and flagged is_cooldown_ok = false. Nothing here changes a score: staleness is never rewarded.
-- The pair's caption-decayed statistics on the page (int_ranking_caption_page_stats) ride along,
-- 0 for a caption never sent on the page, so scoring needs no second join.
with pages as (
    select page_key
    from {{ ref('stg_agency__pages') }}
    where is_active
),

vault as (
    select
        page_key,
        content_category
    from {{ ref('stg_agency__vault_matrix') }}
    where is_available
),

captions as (
    select
        caption_id,
        caption_hash,
        content_category
    from {{ ref('stg_agency__caption_bank') }}
    where
        is_available
        and is_validated
        and (created_at is null or created_at <= {{ sendwise.as_of() }})
),

caption_usage as (
    select
        page_key,
        caption_hash,
        last_used_at,
        ppv_sends_60d,
        w_sent,
        w_sent_context,
        w_purchases
    from {{ ref('int_ranking_caption_page_stats') }}
),

page_captions as (
    select
        pages.page_key,
        captions.caption_id,
        captions.caption_hash,
        captions.content_category
    from pages
    inner join vault on pages.page_key = vault.page_key
    inner join captions on vault.content_category = captions.content_category
),

with_usage as (
    select
        page_captions.*,
        caption_usage.last_used_at,
        coalesce(caption_usage.ppv_sends_60d, 0) as ppv_sends_60d,
        coalesce(caption_usage.w_sent, 0) as w_sent,
        coalesce(caption_usage.w_sent_context, 0) as w_sent_context,
        coalesce(caption_usage.w_purchases, 0) as w_purchases,
        {{ sendwise.age_days('caption_usage.last_used_at') }} as days_since_last_use,
        coalesce(
            {{ sendwise.age_days('caption_usage.last_used_at') }} <= {{ sendwise.setting('caption_cooldown_days') }},
            false
        ) as is_in_cooldown
    from page_captions
    left join caption_usage
        on
            page_captions.page_key = caption_usage.page_key
            and page_captions.caption_hash = caption_usage.caption_hash
),

page_fresh_counts as (
    select
        page_key,
        sum(case when is_in_cooldown then 0 else 1 end) as n_fresh_on_page
    from with_usage
    group by 1
),

cooldown_ranked as (
    select
        page_key,
        caption_id,
        row_number() over (
            partition by page_key
            order by last_used_at asc, caption_id asc
        ) as cooldown_lru_rank
    from with_usage
    where is_in_cooldown
),

final as (
    select
        with_usage.page_key,
        with_usage.caption_id,
        with_usage.caption_hash,
        with_usage.content_category,
        with_usage.last_used_at,
        with_usage.days_since_last_use,
        with_usage.ppv_sends_60d,
        with_usage.w_sent,
        with_usage.w_sent_context,
        with_usage.w_purchases,
        with_usage.is_in_cooldown,
        not with_usage.is_in_cooldown as is_cooldown_ok,
        page_fresh_counts.n_fresh_on_page,
        cooldown_ranked.cooldown_lru_rank,
        not with_usage.is_in_cooldown
        or cooldown_ranked.cooldown_lru_rank
        <= {{ sendwise.setting('cooldown_min_pool') }} - page_fresh_counts.n_fresh_on_page as is_candidate
    from with_usage
    inner join page_fresh_counts on with_usage.page_key = page_fresh_counts.page_key
    left join cooldown_ranked
        on
            with_usage.page_key = cooldown_ranked.page_key
            and with_usage.caption_id = cooldown_ranked.caption_id
)

select * from final
