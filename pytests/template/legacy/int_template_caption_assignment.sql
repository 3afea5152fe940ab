{{ config(materialized='table') }}
-- Captions for every send slot of the week (docs/template.md): one row per slot of int_template_send_slots,
-- with the assigned caption, or none and the reason (the slot is dropped; a tier-1 rule is never
-- broken to fill it). How each rule holds:
--   * vault / eligibility: captions come only from the ranking's eligible shortlist
--   * no caption (or near-duplicate, or same text) twice in the page's week: the page's list is
--     deduplicated and each caption is drafted to one day (int_template_caption_candidates), and
--     within a day a caption is paired with at most one slot (row_number pairing)
--   * max_category_per_day / family_cap_per_day: only captions inside the caps of their day are
--     used; refills only take a category's or family's remaining room
--   * cross_page_caption_hours (UTC): a caption (or near-duplicate, or same text) on two pages
--     whose send times are less than that apart is a conflict; the lower score_final loses (ties:
--     the larger page_key; an assignment kept from an earlier round always wins), and the losing
--     slot is refilled with its day's best unused caption within the caps. Conflicts left after
--     var template_conflict_rounds (4) rounds drop the slot
--   * explicit/teasing mix: the list interleaves the kinds toward target_explicit_share
--   * time-of-day energy (soft): within a day, each daypart's slots (best slot_value first) first
--     take the day's captions of the matching energy (best list position first), then the rest
--     pair by rank; score_final = price x score_per_dollar x (1 + w_energy_match x energy_match)
-- Deterministic: every ranking breaks ties on a stable key.
{#- Rounds are unrolled into CTEs at compile time, so their number is a var, not a settings row. -#}
{%- set rounds = var('template_conflict_rounds', 4) | int %}
{%- set cross_page_seconds = sendwise.setting('cross_page_caption_hours') ~ ' * 3600' %}

with slots_source as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        local_hour,
        slot_value,
        price
    from {{ ref('int_template_send_slots') }}
),

candidates as (
    select * from {{ ref('int_template_caption_candidates') }}
),

slots as (
    select
        *,
        case
            when local_hour >= {{ sendwise.setting('energy_night_start_hour') }}
                or local_hour < {{ sendwise.setting('energy_morning_start_hour') }} then 'night'
            when local_hour >= {{ sendwise.setting('energy_evening_start_hour') }} then 'evening'
            when local_hour >= {{ sendwise.setting('energy_afternoon_start_hour') }} then 'afternoon'
            else 'morning'
        end as slot_daypart,
        row_number() over (
            partition by page_key, plan_date
            order by slot_value desc, slot_number asc
        ) as slot_day_rank
    from slots_source
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

pairs_1 as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        1 as assigned_round
    from energy_pairs
    union all
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        1 as assigned_round
    from rest_pairs
),

used_0 as (
    select
        page_key,
        caption_id
    from chosen
    where false
),
{% for r in range(1, rounds + 1) %}

    assigned_{{ r }} as (
        select
            pairs_{{ r }}.page_key,
            pairs_{{ r }}.plan_date,
            pairs_{{ r }}.slot_number,
            pairs_{{ r }}.caption_id,
            pairs_{{ r }}.assigned_round,
            slots.send_at_utc,
            slots.slot_value,
            candidates.dedup_key,
            candidates.caption_hash,
            candidates.content_category,
            candidates.caption_family,
            slots.price * candidates.score_per_dollar
            * (
                1 + {{ sendwise.setting('w_energy_match') }}
                * case when slots.slot_daypart = candidates.caption_energy then 1 else 0 end
            ) as score_final
        from pairs_{{ r }}
        inner join slots
            on
                pairs_{{ r }}.page_key = slots.page_key
                and pairs_{{ r }}.plan_date = slots.plan_date
                and pairs_{{ r }}.slot_number = slots.slot_number
        inner join candidates
            on
                pairs_{{ r }}.page_key = candidates.page_key
                and pairs_{{ r }}.caption_id = candidates.caption_id
    ),

    same_caption_{{ r }} as (
    -- the same caption on two pages: same near-duplicate group, or same text
        select
            loser.page_key,
            loser.plan_date,
            loser.slot_number,
            loser.assigned_round,
            loser.score_final,
            loser.send_at_utc,
            winner.page_key as other_page_key,
            winner.assigned_round as other_assigned_round,
            winner.score_final as other_score_final,
            winner.send_at_utc as other_send_at_utc
        from assigned_{{ r }} as loser
        inner join assigned_{{ r }} as winner on loser.dedup_key = winner.dedup_key
        where loser.page_key <> winner.page_key
        union all
        select
            loser.page_key,
            loser.plan_date,
            loser.slot_number,
            loser.assigned_round,
            loser.score_final,
            loser.send_at_utc,
            winner.page_key as other_page_key,
            winner.assigned_round as other_assigned_round,
            winner.score_final as other_score_final,
            winner.send_at_utc as other_send_at_utc
        from assigned_{{ r }} as loser
        inner join assigned_{{ r }} as winner
            on
                loser.caption_hash = winner.caption_hash
                and loser.dedup_key <> winner.dedup_key
        where loser.page_key <> winner.page_key
    ),

    losers_{{ r }} as (
        select distinct
            page_key,
            plan_date,
            slot_number
        from same_caption_{{ r }}
        where
            abs({{ sendwise.epoch_seconds('send_at_utc') }} - {{ sendwise.epoch_seconds('other_send_at_utc') }})
            < {{ cross_page_seconds }}
            and (
                other_assigned_round < assigned_round
                or (
                    other_assigned_round = assigned_round
                    and (
                        other_score_final > score_final
                        or (other_score_final = score_final and other_page_key < page_key)
                    )
                )
            )
    ),

    winners_{{ r }} as (
        select assigned_{{ r }}.*
        from assigned_{{ r }}
        left join losers_{{ r }}
            on
                assigned_{{ r }}.page_key = losers_{{ r }}.page_key
                and assigned_{{ r }}.plan_date = losers_{{ r }}.plan_date
                and assigned_{{ r }}.slot_number = losers_{{ r }}.slot_number
        where losers_{{ r }}.page_key is null
    ),

    used_{{ r }} as (
        select
            page_key,
            caption_id
        from used_{{ r - 1 }}
        union all
        select
            page_key,
            caption_id
        from assigned_{{ r }}
    ),
    {%- if r < rounds %}

        open_slots_{{ r }} as (
            -- slots without a kept caption: conflict losers and slots the caps left empty
            select
                slots.page_key,
                slots.plan_date,
                slots.slot_number,
                row_number() over (
                    partition by slots.page_key, slots.plan_date
                    order by slots.slot_value desc, slots.slot_number asc
                ) as open_rank
            from slots
            left join winners_{{ r }}
                on
                    slots.page_key = winners_{{ r }}.page_key
                    and slots.plan_date = winners_{{ r }}.plan_date
                    and slots.slot_number = winners_{{ r }}.slot_number
            where winners_{{ r }}.page_key is null
        ),

        open_days_{{ r }} as (
            select
                open_slots_{{ r }}.page_key,
                open_slots_{{ r }}.plan_date,
                min(slots.send_at_utc) as first_open_at_utc,
                max(slots.send_at_utc) as last_open_at_utc
            from open_slots_{{ r }}
            inner join slots
                on
                    open_slots_{{ r }}.page_key = slots.page_key
                    and open_slots_{{ r }}.plan_date = slots.plan_date
                    and open_slots_{{ r }}.slot_number = slots.slot_number
            group by 1, 2
        ),

        taken_nearby_{{ r }} as (
            -- captions kept on another page within cross_page_caption_hours of the open day's open slots:
            -- not offered as refills (they would only conflict again)
            select distinct
                open_days_{{ r }}.page_key,
                open_days_{{ r }}.plan_date,
                winners_{{ r }}.dedup_key,
                winners_{{ r }}.caption_hash
            from open_days_{{ r }}
            inner join winners_{{ r }}
                on
                    open_days_{{ r }}.page_key <> winners_{{ r }}.page_key
                    and {{ sendwise.epoch_seconds('winners_' ~ r ~ '.send_at_utc') }}
                    > {{ sendwise.epoch_seconds('open_days_' ~ r ~ '.first_open_at_utc') }} - {{ cross_page_seconds }}
                    and {{ sendwise.epoch_seconds('winners_' ~ r ~ '.send_at_utc') }}
                    < {{ sendwise.epoch_seconds('open_days_' ~ r ~ '.last_open_at_utc') }} + {{ cross_page_seconds }}
        ),

        category_room_{{ r }} as (
            select
                page_key,
                plan_date,
                content_category,
                count(*) as used_in_category
            from winners_{{ r }}
            group by 1, 2, 3
        ),

        family_room_{{ r }} as (
            select
                page_key,
                plan_date,
                caption_family,
                count(*) as used_in_family
            from winners_{{ r }}
            where caption_family is not null
            group by 1, 2, 3
        ),

        spares_{{ r }} as (
            -- the open day's unused drafted captions, ranked within their category
            select
                candidates.*,
                coalesce(category_room_{{ r }}.used_in_category, 0) as used_in_category,
                row_number() over (
                    partition by candidates.page_key, candidates.plan_date, candidates.content_category
                    order by candidates.list_position
                ) as spare_category_rank
            from candidates
            inner join open_days_{{ r }}
                on
                    candidates.page_key = open_days_{{ r }}.page_key
                    and candidates.plan_date = open_days_{{ r }}.plan_date
            left join used_{{ r }}
                on
                    candidates.page_key = used_{{ r }}.page_key
                    and candidates.caption_id = used_{{ r }}.caption_id
            left join category_room_{{ r }}
                on
                    candidates.page_key = category_room_{{ r }}.page_key
                    and candidates.plan_date = category_room_{{ r }}.plan_date
                    and candidates.content_category = category_room_{{ r }}.content_category
            left join taken_nearby_{{ r }} as taken_group
                on
                    candidates.page_key = taken_group.page_key
                    and candidates.plan_date = taken_group.plan_date
                    and candidates.dedup_key = taken_group.dedup_key
            left join taken_nearby_{{ r }} as taken_text
                on
                    candidates.page_key = taken_text.page_key
                    and candidates.plan_date = taken_text.plan_date
                    and candidates.caption_hash = taken_text.caption_hash
            where
                used_{{ r }}.caption_id is null
                and taken_group.page_key is null
                and taken_text.page_key is null
        ),

        spares_in_category_room_{{ r }} as (
            select
                spares_{{ r }}.*,
                coalesce(family_room_{{ r }}.used_in_family, 0) as used_in_family,
                row_number() over (
                    partition by spares_{{ r }}.page_key, spares_{{ r }}.plan_date, spares_{{ r }}.caption_family
                    order by spares_{{ r }}.list_position
                ) as spare_family_rank
            from spares_{{ r }}
            left join family_room_{{ r }}
                on
                    spares_{{ r }}.page_key = family_room_{{ r }}.page_key
                    and spares_{{ r }}.plan_date = family_room_{{ r }}.plan_date
                    and spares_{{ r }}.caption_family = family_room_{{ r }}.caption_family
            where
                spares_{{ r }}.used_in_category + spares_{{ r }}.spare_category_rank
                <= {{ sendwise.setting('max_category_per_day') }}
        ),

        refills_{{ r }} as (
            select
                page_key,
                plan_date,
                caption_id,
                row_number() over (
                    partition by page_key, plan_date
                    order by list_position
                ) as open_rank
            from spares_in_category_room_{{ r }}
            where
                caption_family is null
                or used_in_family + spare_family_rank <= {{ sendwise.setting('family_cap_per_day') }}
        ),

        pairs_{{ r + 1 }} as (
            select
                page_key,
                plan_date,
                slot_number,
                caption_id,
                assigned_round
            from winners_{{ r }}
            union all
            select
                open_slots_{{ r }}.page_key,
                open_slots_{{ r }}.plan_date,
                open_slots_{{ r }}.slot_number,
                refills_{{ r }}.caption_id,
                {{ r + 1 }} as assigned_round
            from open_slots_{{ r }}
            inner join refills_{{ r }}
                on
                    open_slots_{{ r }}.page_key = refills_{{ r }}.page_key
                    and open_slots_{{ r }}.plan_date = refills_{{ r }}.plan_date
                    and open_slots_{{ r }}.open_rank = refills_{{ r }}.open_rank
        ),
    {%- endif %}
{%- endfor %}

ever_lost as (
    {%- for r in range(1, rounds + 1) %}
        select
            page_key,
            plan_date,
            slot_number
        from losers_{{ r }}
        {%- if not loop.last %}
            union distinct
        {%- endif %}
    {%- endfor %}
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
                    || 'cross_page_caption_hours (UTC) after {{ rounds }} rounds'
            else 'no rule-abiding caption left: every unused shortlist caption drafted to the day '
                || 'would exceed a category or family cap'
        end as drop_reason
    from slots
    left join winners_{{ rounds }} as winners
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
