{{ config(materialized='table') }}
-- The first pairing of captions to the send slots of the weekly template (docs/template.md): one row
-- per slot that gets a caption. A day of N slots takes its first N captions within the caps
-- (int_template_caption_candidates.day_rank <= N); each caption is drafted to one day and paired with
-- at most one slot, so nothing repeats in the page's week. Time-of-day energy (soft): each daypart's
-- slots (best slot_value first, ties: earlier slot) first take the day's captions of the matching
-- energy (best day_rank first); the slots and captions left over then pair by rank (slots by
-- slot_value, captions by day_rank). Cross-page conflicts are resolved afterwards, in rounds
-- (int_template_caption_round_1 .. _4).
with slots as (
    select
        page_key,
        plan_date,
        slot_number,
        slot_value,
        {{ sendwise.template_slot_daypart('local_hour') }} as slot_daypart
    from {{ ref('int_template_send_slots') }}
),

candidates as (
    select
        page_key,
        plan_date,
        caption_id,
        caption_energy,
        day_rank
    from {{ ref('int_template_caption_candidates') }}
),

day_slot_counts as (
    select
        page_key,
        plan_date,
        count(*) as day_slots
    from slots
    group by 1, 2
),

chosen as (
    -- the day's best captions within the caps, as many as the day has slots
    select candidates.*
    from candidates
    inner join day_slot_counts
        on
            candidates.page_key = day_slot_counts.page_key
            and candidates.plan_date = day_slot_counts.plan_date
    where candidates.day_rank <= day_slot_counts.day_slots
),

energy_slots as (
    select
        *,
        row_number() over (
            partition by page_key, plan_date, slot_daypart
            order by slot_value desc, slot_number asc
        ) as daypart_rank
    from slots
),

energy_captions as (
    select
        *,
        row_number() over (
            partition by page_key, plan_date, caption_energy
            order by day_rank asc
        ) as energy_rank
    from chosen
),

energy_pairs as (
    select
        energy_slots.page_key,
        energy_slots.plan_date,
        energy_slots.slot_number,
        energy_captions.caption_id
    from energy_slots
    inner join energy_captions
        on
            energy_slots.page_key = energy_captions.page_key
            and energy_slots.plan_date = energy_captions.plan_date
            and energy_slots.slot_daypart = energy_captions.caption_energy
            and energy_slots.daypart_rank = energy_captions.energy_rank
),

rest_slots as (
    select
        slots.page_key,
        slots.plan_date,
        slots.slot_number,
        row_number() over (
            partition by slots.page_key, slots.plan_date
            order by slots.slot_value desc, slots.slot_number asc
        ) as rest_rank
    from slots
    left join energy_pairs
        on
            slots.page_key = energy_pairs.page_key
            and slots.plan_date = energy_pairs.plan_date
            and slots.slot_number = energy_pairs.slot_number
    where energy_pairs.caption_id is null
),

rest_captions as (
    select
        chosen.page_key,
        chosen.plan_date,
        chosen.caption_id,
        row_number() over (
            partition by chosen.page_key, chosen.plan_date
            order by chosen.day_rank asc
        ) as rest_rank
    from chosen
    left join energy_pairs
        on
            chosen.page_key = energy_pairs.page_key
            and chosen.plan_date = energy_pairs.plan_date
            and chosen.caption_id = energy_pairs.caption_id
    where energy_pairs.caption_id is null
),

rest_pairs as (
    select
        rest_slots.page_key,
        rest_slots.plan_date,
        rest_slots.slot_number,
        rest_captions.caption_id
    from rest_slots
    inner join rest_captions
        on
            rest_slots.page_key = rest_captions.page_key
            and rest_slots.plan_date = rest_captions.plan_date
            and rest_slots.rest_rank = rest_captions.rest_rank
),

final as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        true as is_energy_pair
    from energy_pairs
    union all
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        false as is_energy_pair
    from rest_pairs
)

select * from final
