-- The weekly template's sends with what the template's inputs say about them, re-derived for the QC
-- rules (docs/template_qc.md): a caption's category is the library's, its explicit/teasing class the
-- content_categories seed's (the template's content_kind when the library has no row), its family
-- ml_caption_clusters', the local hour comes from send_at_utc and the page's time zone, and
-- send_epoch is the real elapsed time (UTC). A failed lookup stays null here, and every rule model
-- (int_template_qc_*) counts a null as a violation, never as a pass.
with template as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        message_type,
        price,
        caption_id,
        caption_hash,
        content_category,
        content_kind,
        confidence,
        is_prime_hour
    from {{ ref('weekly_template_7d') }}
),

pages as (
    select
        page_key,
        time_zone,
        active_from_hour,
        active_to_hour
    from {{ ref('stg_agency__pages') }}
),

library as (
    select
        caption_id,
        content_category
    from {{ ref('stg_agency__caption_bank') }}
),

vault as (
    select
        page_key,
        content_category
    from {{ ref('stg_agency__vault_matrix') }}
    where is_available
),

categories as (
    select
        content_category,
        content_class
    from {{ ref('content_categories') }}
),

families as (
    select
        caption_id,
        cluster_id
    from {{ ref('ml_caption_clusters') }}
),

final as (
    select
        template.*,
        library.caption_id as library_caption_id,
        library.content_category as library_category,
        vault.page_key as vault_page_key,
        coalesce(categories.content_class, template.content_kind) as content_class,
        families.cluster_id as caption_family,
        pages.time_zone,
        pages.active_from_hour,
        pages.active_to_hour,
        extract(hour from {{ sendwise.to_local_timestamp('template.send_at_utc', 'pages.time_zone') }}) as local_hour,
        {{ sendwise.epoch_seconds('template.send_at_utc') }} as send_epoch
    from template
    left join library on template.caption_id = library.caption_id
    left join vault
        on
            template.page_key = vault.page_key
            and library.content_category = vault.content_category
    left join categories on coalesce(library.content_category, template.content_category) = categories.content_category
    left join families on template.caption_id = families.caption_id
    left join pages on template.page_key = pages.page_key
)

select * from final
