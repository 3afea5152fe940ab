{{ config(materialized='table') }}
-- Captions for every send slot of the week (docs/template.md): one row per slot of
-- int_template_send_slots, with the assigned caption, or none and the reason (the slot is dropped; a
-- tier-1 rule is never broken to fill it). Built in steps, one table each:
--   * int_template_caption_candidates: the page's list (eligible shortlist, deduplicated, explicit/
--     teasing mix toward target_explicit_share), each caption drafted to one day, flagged within the
--     day's max_category_per_day / family_cap_per_day
--   * int_template_caption_pairing: the day's captions within the caps paired one-to-one with its
--     slots, energy-matching pairs first, so no caption (or near-duplicate, or same text) repeats in
--     the page's week
--   * int_template_caption_round_1 .. _4: cross-page conflicts (the same caption, near-duplicate or
--     text on two pages less than cross_page_caption_hours apart in UTC) resolved in four rounds; the
--     lower score_final loses and its slot is refilled with the day's best unused caption within the
--     caps' remaining room. Conflicts left after the last round drop the slot
--   * this model: the last round's winners on every slot, the dropped slots with their reason.
-- score_final = price x score_per_dollar x (1 + w_energy_match x energy_match).
{#- The rounds are one table model each (BigQuery re-evaluates a non-recursive CTE at every reference,
    so unrolled rounds in one query do not plan there); this is the last one. -#}
{%- set last_round = 4 %}

with slots as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        local_hour,
        slot_value,
        price,
        {{ sendwise.template_slot_daypart('local_hour') }} as slot_daypart
    from {{ ref('int_template_send_slots') }}
),

candidates as (
    select * from {{ ref('int_template_caption_candidates') }}
),

rounds as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        assigned_round,
        score_final,
        is_lost
    from {{ ref('int_template_caption_round_' ~ last_round) }}
),

winners as (
    select * from rounds
    where not is_lost
),

ever_lost as (
    select distinct
        page_key,
        plan_date,
        slot_number
    from rounds
    where is_lost
),

final as (
    select
        slots.page_key,
        slots.plan_date,
        cast(slots.slot_number as {{ dbt.type_bigint() }}) as slot_number,
        slots.send_at_utc,
        cast(slots.local_hour as {{ dbt.type_bigint() }}) as local_hour,
        slots.slot_daypart,
        cast(slots.slot_value as {{ dbt.type_float() }}) as slot_value,
        cast(slots.price as {{ dbt.type_float() }}) as price,
        winners.caption_id,
        candidates.caption_hash,
        candidates.caption_text,
        candidates.content_category,
        candidates.content_kind,
        candidates.caption_energy,
        candidates.caption_family,
        candidates.dedup_key,
        candidates.p_buy_eb,
        candidates.p_buy_se,
        candidates.eb_n,
        candidates.score_per_dollar,
        candidates.shortlist_rank,
        candidates.list_position,
        slots.slot_daypart = candidates.caption_energy as is_energy_match,
        cast(winners.score_final as {{ dbt.type_float() }}) as score_final,
        cast(winners.assigned_round as {{ dbt.type_bigint() }}) as assigned_round,
        winners.caption_id is null as is_dropped,
        case
            when winners.caption_id is not null then null
            when ever_lost.page_key is not null
                then 'cross-page conflict: the rule-abiding captions of the day were on another page within '
                    || 'cross_page_caption_hours (UTC) after {{ last_round }} rounds'
            else 'no rule-abiding caption left: every unused shortlist caption drafted to the day '
                || 'would exceed a category or family cap'
        end as drop_reason
    from slots
    left join winners
        on
            slots.page_key = winners.page_key
            and slots.plan_date = winners.plan_date
            and slots.slot_number = winners.slot_number
    left join candidates
        on
            winners.page_key = candidates.page_key
            and winners.caption_id = candidates.caption_id
    left join ever_lost
        on
            slots.page_key = ever_lost.page_key
            and slots.plan_date = ever_lost.plan_date
            and slots.slot_number = ever_lost.slot_number
)

select * from final
