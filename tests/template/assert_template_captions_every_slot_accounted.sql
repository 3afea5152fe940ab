-- Nothing is silently dropped: every slot of int_template_send_slots is either a row of
-- weekly_template_7d or a dropped slot with a reason in int_template_caption_assignment, never both.
with slots as (
    select
        page_key,
        plan_date,
        slot_number
    from {{ ref('int_template_send_slots') }}
),

template as (
    select
        page_key,
        plan_date,
        slot_number
    from {{ ref('weekly_template_7d') }}
),

dropped as (
    select
        page_key,
        plan_date,
        slot_number
    from {{ ref('int_template_caption_assignment') }}
    where is_dropped and drop_reason is not null
)

select
    slots.*,
    template.page_key is not null as is_planned,
    dropped.page_key is not null as is_dropped
from slots
left join template
    on
        slots.page_key = template.page_key
        and slots.plan_date = template.plan_date
        and slots.slot_number = template.slot_number
left join dropped
    on
        slots.page_key = dropped.page_key
        and slots.plan_date = dropped.plan_date
        and slots.slot_number = dropped.slot_number
where (template.page_key is null) = (dropped.page_key is null)
