-- QC rules on the per-day caps of a page-day (docs/template_qc.md); discriminator = the category or
-- family over its cap:
--   category_over_cap  more than max_category_per_day sends of one content category (the library's
--                      category; the template's when the caption is not in the library)
--   family_over_cap    more than family_cap_per_day sends of one caption family (ml_caption_clusters)
with sends as (
    select
        page_key,
        plan_date,
        content_category,
        library_category,
        caption_family
    from {{ ref('int_template_qc_sends') }}
),

parameters as (
    select
        {{ sendwise.setting('max_category_per_day') }} as max_category_per_day,
        {{ sendwise.setting('family_cap_per_day') }} as family_cap_per_day
),

category_counts as (
    select
        page_key,
        plan_date,
        coalesce(library_category, content_category) as content_category,
        count(*) as sends
    from sends
    group by 1, 2, 3
),

category_violations as (
    select
        'category_over_cap' as rule_id,
        category_counts.page_key,
        category_counts.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        category_counts.content_category as discriminator,
        cast(category_counts.sends as {{ dbt.type_float() }}) as observed,
        parameters.max_category_per_day as limit_value,
        {{ dbt.concat([
            'cast(category_counts.sends as ' ~ dbt.type_string() ~ ')', "' captions of category '",
            'category_counts.content_category', "' on the page-day'"
        ]) }} as detail
    from category_counts
    cross join parameters
    where category_counts.sends > parameters.max_category_per_day
),

family_counts as (
    select
        page_key,
        plan_date,
        cast(caption_family as {{ dbt.type_string() }}) as caption_family,
        count(*) as sends
    from sends
    where caption_family is not null
    group by 1, 2, 3
),

family_violations as (
    select
        'family_over_cap' as rule_id,
        family_counts.page_key,
        family_counts.plan_date,
        cast(null as {{ dbt.type_bigint() }}) as slot_number,
        family_counts.caption_family as discriminator,
        cast(family_counts.sends as {{ dbt.type_float() }}) as observed,
        parameters.family_cap_per_day as limit_value,
        {{ dbt.concat([
            'cast(family_counts.sends as ' ~ dbt.type_string() ~ ')', "' captions of family '",
            'family_counts.caption_family', "' on the page-day'"
        ]) }} as detail
    from family_counts
    cross join parameters
    where family_counts.sends > parameters.family_cap_per_day
),

final as (
    select * from category_violations
    union all
    select * from family_violations
)

select * from final
