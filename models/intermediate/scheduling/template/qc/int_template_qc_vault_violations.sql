-- QC rule vault_violation (tier in seed template_qc_rules; docs/template_qc.md): the caption is
-- missing from the clean library, its library category is not available in the page's vault (or the
-- page has no vault row), or the template's category differs from the library's. A failed lookup
-- is a violation, never a pass (a vault filter must not silently become 1 = 1).
with sends as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        content_category,
        library_caption_id,
        library_category,
        vault_page_key
    from {{ ref('int_template_qc_sends') }}
),

final as (
    select
        'vault_violation' as rule_id,
        page_key,
        plan_date,
        slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(null as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as limit_value,
        case
            when library_caption_id is null
                then {{ dbt.concat([
                    "'caption '", "coalesce(caption_id, 'null')", "' not found in the clean caption library'"
                ]) }}
            when vault_page_key is null
                then {{ dbt.concat([
                    "'category '", 'library_category', "' of caption '", 'caption_id',
                    "' is not available in the page vault'"
                ]) }}
            else {{ dbt.concat([
                "'template category '", "coalesce(content_category, 'null')",
                "' differs from the library category '", 'library_category'
            ]) }}
        end as detail
    from sends
    where
        library_caption_id is null
        or vault_page_key is null
        or content_category is null
        or content_category <> library_category
)

select * from final
