-- One row per active page: how its caption pool was built and why it may be empty, so no page
-- disappears from the ranking silently. pool_status:
--   no_vault_row          the page has no row in the vault (lookup failed: nothing is eligible)
--   empty_vault           the vault row marks no category available
--   no_eligible_captions  the vault has categories but no available, validated caption matches
--   dry_pool_fallback     fewer than cooldown_min_pool fresh captions: cooldown captions admitted
--   ok                    enough fresh captions
-- The counts come from counts per (page, content category), never from expanding every (page,
-- caption) pair: eligible_captions = sum over the page's available vault categories of the
-- category's library size (category_captions of int_ranking_caption_prefilter); cooldown captions are captions the page
-- has used, each a row of int_ranking_caption_eligibility (as is each admitted one), so
-- fresh_captions = eligible_captions - cooldown_captions and candidate_captions = fresh_captions +
-- cooldown_admitted (int_ranking_caption_eligibility holds only the fresh captions that can reach
-- the scores).
with pages as (
    select page_key
    from {{ ref('stg_agency__pages') }}
    where is_active
),

vault as (
    select
        page_key,
        content_category,
        is_available
    from {{ ref('stg_agency__vault_matrix') }}
),

category_sizes as (
    select distinct
        content_category,
        category_captions
    from {{ ref('int_ranking_caption_prefilter') }}
),

eligibility as (
    select
        page_key,
        is_in_cooldown,
        is_candidate
    from {{ ref('int_ranking_caption_eligibility') }}
),

vault_counts as (
    select
        page_key,
        count(*) as vault_categories,
        sum(case when is_available then 1 else 0 end) as vault_categories_available
    from vault
    group by 1
),

page_library as (
    select
        vault.page_key,
        sum(category_sizes.category_captions) as eligible_captions
    from vault
    inner join category_sizes on vault.content_category = category_sizes.content_category
    where vault.is_available
    group by 1
),

cooldown_counts as (
    select
        page_key,
        sum(case when is_in_cooldown then 1 else 0 end) as cooldown_captions,
        sum(case when is_in_cooldown and is_candidate then 1 else 0 end) as cooldown_admitted
    from eligibility
    group by 1
),

pool_counts as (
    select
        page_library.page_key,
        page_library.eligible_captions,
        page_library.eligible_captions - coalesce(cooldown_counts.cooldown_captions, 0) as fresh_captions,
        coalesce(cooldown_counts.cooldown_captions, 0) as cooldown_captions,
        coalesce(cooldown_counts.cooldown_admitted, 0) as cooldown_admitted,
        page_library.eligible_captions
        - coalesce(cooldown_counts.cooldown_captions, 0)
        + coalesce(cooldown_counts.cooldown_admitted, 0) as candidate_captions
    from page_library
    left join cooldown_counts on page_library.page_key = cooldown_counts.page_key
),

final as (
    select
        pages.page_key,
        coalesce(vault_counts.vault_categories, 0) as vault_categories,
        coalesce(vault_counts.vault_categories_available, 0) as vault_categories_available,
        coalesce(pool_counts.eligible_captions, 0) as eligible_captions,
        coalesce(pool_counts.fresh_captions, 0) as fresh_captions,
        coalesce(pool_counts.cooldown_captions, 0) as cooldown_captions,
        coalesce(pool_counts.cooldown_admitted, 0) as cooldown_admitted,
        coalesce(pool_counts.candidate_captions, 0) as candidate_captions,
        case
            when vault_counts.page_key is null then 'no_vault_row'
            when coalesce(vault_counts.vault_categories_available, 0) = 0 then 'empty_vault'
            when coalesce(pool_counts.candidate_captions, 0) = 0 then 'no_eligible_captions'
            when coalesce(pool_counts.cooldown_admitted, 0) > 0 then 'dry_pool_fallback'
            else 'ok'
        end as pool_status
    from pages
    left join vault_counts on pages.page_key = vault_counts.page_key
    left join pool_counts on pages.page_key = pool_counts.page_key
)

select * from final
