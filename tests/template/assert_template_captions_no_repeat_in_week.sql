-- Tier 1, no caption twice in the page's week: no two rows of a page share a caption_id, a text
-- (caption_hash) or a near-duplicate group (ml_caption_clusters). Returns the repeated keys.
with template as (
    select
        template.page_key,
        template.caption_id,
        template.caption_hash,
        coalesce(clusters.near_duplicate_group_id, template.caption_id) as near_duplicate_group_id
    from {{ ref('weekly_template_7d') }} as template
    left join {{ ref('ml_caption_clusters') }} as clusters on template.caption_id = clusters.caption_id
),

repeats as (
    select
        page_key,
        'caption_id' as repeated_by,
        caption_id as repeated_key,
        count(*) as uses
    from template
    group by 1, 2, 3
    having count(*) > 1
    union all
    select
        page_key,
        'caption_hash' as repeated_by,
        caption_hash as repeated_key,
        count(*) as uses
    from template
    group by 1, 2, 3
    having count(*) > 1
    union all
    select
        page_key,
        'near_duplicate_group' as repeated_by,
        near_duplicate_group_id as repeated_key,
        count(*) as uses
    from template
    group by 1, 2, 3
    having count(*) > 1
)

select * from repeats
