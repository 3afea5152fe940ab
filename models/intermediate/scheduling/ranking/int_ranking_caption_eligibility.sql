-- The (active page, library caption) pairs that can reach the ranking, with their cooldown state.
-- A pair is eligible when the caption is in the library (int_ranking_caption_prefilter: available,
-- validated, created) and its content category is available in the page's vault (an inner join: a
-- page without a vault row, or a category missing from it, gives no pair, "not eligible", never
-- "everything eligible"). Of the eligible pairs only those that can matter are rows, so the work
-- grows with pages + library, not pages x library (docs/ranking.md "Pre-filter before scoring"):
--   * every caption whose text the page has used (a row of int_ranking_caption_page_stats, keyed
--     by caption_hash: every caption_id with that text), in cooldown or not;
--   * of the never-used captions, the page's ranking_prefilter_per_page best by
--     page_prefilter_key = prefilter_key x category_lift (the page's lift for the caption's
--     category, int_ranking_page_category_lift, 1 without evidence), ties by caption_id. A
--     never-used caption's greedy score is mu_buy x that key, so none outside them can reach a
--     shortlist of ranking_shortlist_size <= ranking_prefilter_per_page. They are found per (page,
--     category) first among the category's never-used captions of prefilter_rank <=
--     ranking_prefilter_per_page + used_captions (the category's captions whose text the page has
--     used): prefilter_rank is the same order on every page, so that window holds the category's
--     best never-used ones, and the page's best are among the union of its categories' windows.
-- Cooldown: a caption whose text was used on the page within caption_cooldown_days (30) is in
-- cooldown. While the page has at least cooldown_min_pool (60) fresh captions, cooldown captions
-- are not candidates; when it has fewer (the pool ran dry), the least-recently-used cooldown
-- captions (oldest last use first, then caption_id) are admitted up to cooldown_min_pool in total
-- and flagged is_cooldown_ok = false. Nothing here changes a score: staleness is never rewarded.
-- Every cooldown caption is a used one, hence a row; the fresh count comes from counts per (page,
-- category), never from the fresh rows: n_fresh_on_page = sum of category_captions over the page's
-- vault categories - the page's captions in cooldown (its cooldown rows). Each step is read by one
-- or two others only, so BigQuery, which evaluates a CTE again at every reference, repeats little.
-- The pair's caption-decayed statistics on the page ride along, 0 for a caption never sent on the
-- page, so scoring needs no second join.
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

library as (
    select
        caption_id,
        caption_hash,
        content_category,
        prefilter_key,
        prefilter_rank
    from {{ ref('int_ranking_caption_prefilter') }}
),

category_sizes as (
    select distinct
        content_category,
        category_captions
    from {{ ref('int_ranking_caption_prefilter') }}
),

category_lift as (
    select
        page_key,
        content_category,
        category_lift
    from {{ ref('int_ranking_page_category_lift') }}
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

page_categories as (
    select
        pages.page_key,
        vault.content_category,
        category_sizes.category_captions
    from pages
    inner join vault on pages.page_key = vault.page_key
    inner join category_sizes on vault.content_category = category_sizes.content_category
),

used_pairs as (
    select
        page_categories.page_key,
        library.caption_id,
        library.caption_hash,
        library.content_category,
        caption_usage.last_used_at
    from caption_usage
    inner join library on caption_usage.caption_hash = library.caption_hash
    inner join page_categories
        on
            caption_usage.page_key = page_categories.page_key
            and library.content_category = page_categories.content_category
),

window_bounds as (
    select
        page_categories.page_key,
        page_categories.content_category,
        {{ sendwise.setting('ranking_prefilter_per_page') }} + count(used_pairs.caption_id) as max_prefilter_rank
    from page_categories
    left join used_pairs
        on
            page_categories.page_key = used_pairs.page_key
            and page_categories.content_category = used_pairs.content_category
    group by 1, 2
),

window_depths as (
    select
        content_category,
        max(max_prefilter_rank) as deepest_rank
    from window_bounds
    group by 1
),

-- each category's captions down to its deepest window, so the join below reads no caption past it
window_captions as (
    select library.*
    from library
    inner join window_depths on library.content_category = window_depths.content_category
    where library.prefilter_rank <= window_depths.deepest_rank
),

-- per (page, category) the category's never-used captions down to its window, narrow
never_used_window as (
    select
        window_bounds.page_key,
        window_captions.caption_id,
        window_captions.caption_hash,
        window_captions.content_category,
        window_captions.prefilter_key * coalesce(category_lift.category_lift, 1) as page_prefilter_key
    from window_bounds
    inner join window_captions
        on
            window_bounds.content_category = window_captions.content_category
            and window_bounds.max_prefilter_rank >= window_captions.prefilter_rank
    left join caption_usage
        on
            window_bounds.page_key = caption_usage.page_key
            and window_captions.caption_hash = caption_usage.caption_hash
    left join category_lift
        on
            window_bounds.page_key = category_lift.page_key
            and window_bounds.content_category = category_lift.content_category
    where caption_usage.page_key is null
),

never_used_pairs as (
    select
        page_key,
        caption_id,
        caption_hash,
        content_category,
        cast(null as {{ dbt.type_timestamp() }}) as last_used_at
    from never_used_window
    qualify
        row_number() over (partition by page_key order by page_prefilter_key desc, caption_id asc)
        <= {{ sendwise.setting('ranking_prefilter_per_page') }}
),

pairs as (
    select * from used_pairs
    union all
    select * from never_used_pairs
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

page_library as (
    select
        page_key,
        sum(category_captions) as eligible_captions
    from page_categories
    group by 1
),

counted as (
    select
        with_usage.*,
        page_library.eligible_captions
        - sum(case when with_usage.is_in_cooldown then 1 else 0 end) over (
            partition by with_usage.page_key
        ) as n_fresh_on_page,
        case
            when with_usage.is_in_cooldown
                then row_number() over (
                        partition by with_usage.page_key, with_usage.is_in_cooldown
                        order by with_usage.last_used_at asc, with_usage.caption_id asc
                    )
        end as cooldown_lru_rank
    from with_usage
    inner join page_library on with_usage.page_key = page_library.page_key
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
