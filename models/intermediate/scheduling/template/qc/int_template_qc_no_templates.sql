-- QC rule no_template (docs/template_qc.md): an active page below the data-quality bar (or without a
-- data-quality row) gets no template; detail = 'no template: <blocking_reason>'.
with pages as (
    select
        page_key,
        is_active
    from {{ ref('stg_agency__pages') }}
),

quality as (
    select
        page_key,
        is_schedulable,
        blocking_reason
    from {{ ref('data_quality_by_page') }}
),

final as (
    select
        'no_template' as rule_id,
        pages.page_key,
        cast(null as date) as plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        cast(null as {{ dbt.type_string() }}) as discriminator,
        cast(null as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as limit_value,
        {{ dbt.concat(["'no template: '", "coalesce(quality.blocking_reason, 'no data-quality score')"]) }} as detail
    from pages
    left join quality on pages.page_key = quality.page_key
    where pages.is_active and not coalesce(quality.is_schedulable, false)
)

select * from final
