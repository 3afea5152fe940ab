-- At most max_category_per_day captions of one content category and at most family_cap_per_day of
-- one caption family (ml_caption_clusters, re-read here) per page-day. Returns the excess groups.
with template as (
    select
        planned.page_key,
        planned.plan_date,
        planned.content_category,
        caption_clusters.cluster_id
    from {{ ref('weekly_template_7d') }} as planned
    left join {{ ref('ml_caption_clusters') }} as caption_clusters on planned.caption_id = caption_clusters.caption_id
),

excess as (
    select
        page_key,
        plan_date,
        'content_category' as capped_by,
        content_category as capped_key,
        count(*) as uses
    from template
    group by 1, 2, 3, 4
    having count(*) > {{ sendwise.setting('max_category_per_day') }}
    union all
    select
        page_key,
        plan_date,
        'caption_family' as capped_by,
        cast(cluster_id as {{ dbt.type_string() }}) as capped_key,
        count(*) as uses
    from template
    where cluster_id is not null
    group by 1, 2, 3, 4
    having count(*) > {{ sendwise.setting('family_cap_per_day') }}
)

select * from excess
