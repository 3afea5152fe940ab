-- Tier 1, no caption twice in the page's week: no two rows of a page share a caption_id, a text
-- (caption_hash) or a near-duplicate group (ml_caption_clusters). Returns the repeated keys.
with template as (
    select
        planned.page_key,
        planned.caption_id,
        planned.caption_hash,
        coalesce(caption_clusters.near_duplicate_group_id, planned.caption_id) as near_duplicate_group_id
    from {{ ref('weekly_template_7d') }} as planned
    left join {{ ref('ml_caption_clusters') }} as caption_clusters on planned.caption_id = caption_clusters.caption_id
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
