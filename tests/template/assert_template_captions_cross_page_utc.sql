-- No caption (same caption_id, text or near-duplicate group) on two pages whose send times are
-- less than cross_page_caption_hours apart, compared in UTC (send_at_utc), never in local time.
with template as (
    select
        template.page_key,
        template.plan_date,
        template.slot_number,
        template.send_at_utc,
        template.caption_id,
        template.caption_hash,
        coalesce(clusters.near_duplicate_group_id, template.caption_id) as near_duplicate_group_id
    from {{ ref('weekly_template_7d') }} as template
    left join {{ ref('ml_caption_clusters') }} as clusters on template.caption_id = clusters.caption_id
)

select
    first_send.page_key,
    first_send.plan_date,
    first_send.slot_number,
    first_send.caption_id,
    second_send.page_key as other_page_key,
    second_send.caption_id as other_caption_id,
    abs({{ sendwise.epoch_seconds('first_send.send_at_utc') }} - {{ sendwise.epoch_seconds('second_send.send_at_utc') }})
    / 3600.0 as hours_apart
from template as first_send
inner join template as second_send
    on
        first_send.page_key < second_send.page_key
        and (
            first_send.caption_id = second_send.caption_id
            or first_send.caption_hash = second_send.caption_hash
            or first_send.near_duplicate_group_id = second_send.near_duplicate_group_id
        )
where
    abs({{ sendwise.epoch_seconds('first_send.send_at_utc') }} - {{ sendwise.epoch_seconds('second_send.send_at_utc') }})
    < {{ sendwise.setting('cross_page_caption_hours') }} * 3600
