-- One row per active page: how its caption pool was built and why it may be empty, so no page
-- disappears from the ranking silently. pool_status:
--   no_vault_row          the page has no row in the vault (lookup failed: nothing is eligible)
--   empty_vault           the vault row marks no category available
--   no_eligible_captions  the vault has categories but no available, validated caption matches
--   dry_pool_fallback     fewer than cooldown_min_pool fresh captions: cooldown captions admitted
--   ok                    enough fresh captions
with pages as (
    select page_key
    from {{ ref('stg_agency__pages') }}
    where is_active
),

vault as (
    select
        page_key,
        is_available
    from {{ ref('stg_agency__vault_matrix') }}
),

eligibility as (
    select * from {{ ref('int_ranking_caption_eligibility') }}
),

vault_counts as (
    select
        page_key,
        count(*) as vault_categories,
        sum(case when is_available then 1 else 0 end) as vault_categories_available
    from vault
    group by 1
),

pool_counts as (
    select
        page_key,
        count(*) as eligible_captions,
        sum(case when is_in_cooldown then 0 else 1 end) as fresh_captions,
        sum(case when is_in_cooldown then 1 else 0 end) as cooldown_captions,
        sum(case when is_in_cooldown and is_candidate then 1 else 0 end) as cooldown_admitted,
        sum(case when is_candidate then 1 else 0 end) as candidate_captions
    from eligibility
    group by 1
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
