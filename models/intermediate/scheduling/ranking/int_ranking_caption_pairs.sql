-- The (active page, library caption) pairs that can reach the ranking, each with the page's number
-- of eligible captions; their cooldown state is int_ranking_caption_eligibility's. A pair is eligible
-- when the caption is in the library (int_ranking_caption_prefilter: available, validated, created)
-- and its content category is available in the page's vault (an inner join: a page without a vault
-- row, or a category missing from it, gives no pair, "not eligible", never "everything eligible").
-- Of the eligible pairs only those that can matter are rows, so the work grows with pages + library,
-- not pages x library (docs/ranking.md "Pre-filter before scoring"):
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
--     What lies below the page's floor (page_key_floors) is dropped before the row_number.
-- eligible_captions counts every eligible pair of the page, rows or not: the sum of category_captions
-- over its vault categories. Each step is read by one or two others only, so BigQuery, which
-- evaluates a CTE again at every reference, repeats little.
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
        last_used_at
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

-- each (page, category) window with the page's lift for the category (1 without evidence)
page_category_windows as (
    select
        window_bounds.page_key,
        window_bounds.content_category,
        window_bounds.max_prefilter_rank,
        coalesce(category_lift.category_lift, 1) as category_lift
    from window_bounds
    left join category_lift
        on
            window_bounds.page_key = category_lift.page_key
            and window_bounds.content_category = category_lift.content_category
),

-- a floor under each page's ranking_prefilter_per_page-th (N-th) best never-used key: a category's
-- window (max_prefilter_rank = N + the page's used captions of it) holds at least N never-used
-- captions, each at or above the window's last caption in prefilter_key, so the page has N
-- never-used captions of page_prefilter_key >= that caption's key x the page's lift for the
-- category; the highest such floor of the page's categories (none when no category is as deep as
-- its window) lets the window below drop what cannot be among the page's N best
page_key_floors as (
    select
        page_category_windows.page_key,
        max(window_edge.prefilter_key * page_category_windows.category_lift) as page_key_floor
    from page_category_windows
    inner join library as window_edge
        on
            page_category_windows.content_category = window_edge.content_category
            and page_category_windows.max_prefilter_rank = window_edge.prefilter_rank
    group by 1
),

-- per (page, category) the category's captions down to its window and not below the page's floor,
-- narrow; the floor comes before the page's used captions are taken out (at x10 it cut the 4.1 M
-- rows of that anti-join and of the row_number below to 0.8 M)
window_pairs as (
    select
        page_category_windows.page_key,
        window_captions.caption_id,
        window_captions.caption_hash,
        window_captions.content_category,
        window_captions.prefilter_key * page_category_windows.category_lift as page_prefilter_key
    from page_category_windows
    inner join window_captions
        on
            page_category_windows.content_category = window_captions.content_category
            and page_category_windows.max_prefilter_rank >= window_captions.prefilter_rank
    left join page_key_floors on page_category_windows.page_key = page_key_floors.page_key
    where
        page_key_floors.page_key_floor is null
        or window_captions.prefilter_key * page_category_windows.category_lift >= page_key_floors.page_key_floor
),

never_used_window as (
    select window_pairs.*
    from window_pairs
    left join caption_usage
        on
            window_pairs.page_key = caption_usage.page_key
            and window_pairs.caption_hash = caption_usage.caption_hash
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

page_library as (
    select
        page_key,
        sum(category_captions) as eligible_captions
    from page_categories
    group by 1
),

final as (
    select
        pairs.page_key,
        pairs.caption_id,
        pairs.caption_hash,
        pairs.content_category,
        pairs.last_used_at,
        page_library.eligible_captions
    from pairs
    inner join page_library on pairs.page_key = page_library.page_key
)

select * from final
