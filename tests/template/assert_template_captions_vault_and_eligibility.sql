-- Tier 1, vault compliance is absolute: every planned caption is available and validated in the
-- caption bank, its content category is available in the page's vault (checked against the vault
-- matrix itself, not through the ranking), and the pair is a candidate of the ranking's
-- eligibility (cooldown). Returns the offending template rows.
with template as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        content_category
    from {{ ref('weekly_template_7d') }}
),

vault as (
    select
        page_key,
        content_category
    from {{ ref('stg_agency__vault_matrix') }}
    where is_available
),

bank as (
    select
        caption_id,
        content_category
    from {{ ref('stg_agency__caption_bank') }}
    where is_available and is_validated
),

eligible as (
    select
        page_key,
        caption_id
    from {{ ref('int_ranking_caption_eligibility') }}
    where is_candidate
)

select
    template.*,
    vault.page_key is null as is_vault_missing,
    bank.caption_id is null as is_bank_missing,
    eligible.caption_id is null as is_not_eligible
from template
left join bank on template.caption_id = bank.caption_id
left join vault
    on
        template.page_key = vault.page_key
        and bank.content_category = vault.content_category
left join eligible
    on
        template.page_key = eligible.page_key
        and template.caption_id = eligible.caption_id
where vault.page_key is null or bank.caption_id is null or eligible.caption_id is null
