-- No caption (same caption_id, text or near-duplicate group) on two pages whose send times are
-- less than cross_page_caption_hours apart, compared in UTC (send_at_utc), never in local time.
with template as (
    select
        planned.page_key,
        planned.plan_date,
        planned.slot_number,
        planned.send_at_utc,
        planned.caption_id,
        planned.caption_hash,
        coalesce(caption_clusters.near_duplicate_group_id, planned.caption_id) as near_duplicate_group_id
    from {{ ref('weekly_template_7d') }} as planned
    left join {{ ref('ml_caption_clusters') }} as caption_clusters on planned.caption_id = caption_clusters.caption_id
)

select
    first_send.page_key,
    first_send.plan_date,
    first_send.slot_number,
    first_send.caption_id,
    second_send.page_key as other_page_key,
    second_send.caption_id as other_caption_id,
    abs(
        {{ sendwise.epoch_seconds('first_send.send_at_utc') }} - {{ sendwise.epoch_seconds('second_send.send_at_utc') }}
    )
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
    abs(
        {{ sendwise.epoch_seconds('first_send.send_at_utc') }} - {{ sendwise.epoch_seconds('second_send.send_at_utc') }}
    )
    < {{ sendwise.setting('cross_page_caption_hours') }} * 3600
