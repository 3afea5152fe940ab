{#- The daypart of a page-local hour (weekly template captions, docs/template.md): night from
    energy_night_start_hour until energy_morning_start_hour (wrapping midnight), then evening,
    afternoon, morning by their start hours. -#}
{% macro template_slot_daypart(local_hour) -%}
    case
        when {{ local_hour }} >= {{ sendwise.setting('energy_night_start_hour') }}
            or {{ local_hour }} < {{ sendwise.setting('energy_morning_start_hour') }} then 'night'
        when {{ local_hour }} >= {{ sendwise.setting('energy_evening_start_hour') }} then 'evening'
        when {{ local_hour }} >= {{ sendwise.setting('energy_afternoon_start_hour') }} then 'afternoon'
        else 'morning'
    end
{%- endmacro %}

{#- One cross-page conflict round of the caption assignment (models int_template_caption_round_<n>,
    docs/template.md). The model is a ledger: one row per caption ever assigned to a slot, with
    is_lost when it lost the round it was assigned in. Round 1 takes the first pairing
    (`pairing`, int_template_caption_pairing); round n > 1 reads round n - 1's ledger (`previous`),
    keeps its winners and refills every open slot (a conflict loser, or a slot the caps left empty)
    with its day's best unused drafted caption that fits the day's remaining category and family room
    and is not kept on another page within cross_page_caption_hours of the day's open slots. Then the
    round's conflicts: the same caption, near-duplicate group or text on two pages less than
    cross_page_caption_hours apart in UTC; the lower score_final loses (ties: the larger page_key), and
    an assignment kept from an earlier round always wins, so a kept row never loses later and the
    earlier rows pass through unchanged. One table per round keeps every query plannable on BigQuery,
    which evaluates a non-recursive CTE again at every reference. -#}
{% macro template_caption_round(round_number, previous=none, pairing=none) %}
{%- set cross_page_seconds = sendwise.setting('cross_page_caption_hours') ~ ' * 3600' %}
{%- set ledger_columns = [
    'page_key', 'plan_date', 'slot_number', 'caption_id', 'assigned_round', 'score_final', 'send_at_utc',
    'dedup_key', 'caption_hash', 'content_category', 'caption_family'
] %}
with slots as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        slot_value,
        price,
        {{ sendwise.template_slot_daypart('local_hour') }} as slot_daypart
    from {{ ref('int_template_send_slots') }}
),

candidates as (
    select
        page_key,
        plan_date,
        caption_id,
        caption_hash,
        content_category,
        caption_energy,
        caption_family,
        dedup_key,
        score_per_dollar,
        list_position
    from {{ ref('int_template_caption_candidates') }}
),
{%- if previous is none %}

new_pairs as (
    select
        page_key,
        plan_date,
        slot_number,
        caption_id
    from {{ pairing }}
),
{%- else %}

previous as (
    select * from {{ previous }}
),

kept as (
    select * from previous
    where not is_lost
),

open_slots as (
    -- slots without a kept caption: conflict losers and slots the caps left empty
    select
        slots.page_key,
        slots.plan_date,
        slots.slot_number,
        slots.send_at_utc,
        row_number() over (
            partition by slots.page_key, slots.plan_date
            order by slots.slot_value desc, slots.slot_number asc
        ) as open_rank
    from slots
    left join kept
        on
            slots.page_key = kept.page_key
            and slots.plan_date = kept.plan_date
            and slots.slot_number = kept.slot_number
    where kept.page_key is null
),

open_days as (
    select
        page_key,
        plan_date,
        min(send_at_utc) as first_open_at_utc,
        max(send_at_utc) as last_open_at_utc
    from open_slots
    group by 1, 2
),

taken_nearby as (
    -- captions kept on another page within cross_page_caption_hours of the open day's open slots:
    -- not offered as refills (they would only conflict again)
    select distinct
        open_days.page_key,
        open_days.plan_date,
        kept.dedup_key,
        kept.caption_hash
    from open_days
    inner join kept
        on
            open_days.page_key <> kept.page_key
            and {{ sendwise.epoch_seconds('kept.send_at_utc') }}
            > {{ sendwise.epoch_seconds('open_days.first_open_at_utc') }} - {{ cross_page_seconds }}
            and {{ sendwise.epoch_seconds('kept.send_at_utc') }}
            < {{ sendwise.epoch_seconds('open_days.last_open_at_utc') }} + {{ cross_page_seconds }}
),

category_room as (
    select
        page_key,
        plan_date,
        content_category,
        count(*) as used_in_category
    from kept
    group by 1, 2, 3
),

family_room as (
    select
        page_key,
        plan_date,
        caption_family,
        count(*) as used_in_family
    from kept
    where caption_family is not null
    group by 1, 2, 3
),

spares as (
    -- the open day's drafted captions never assigned on the page, ranked within their category
    select
        candidates.*,
        coalesce(category_room.used_in_category, 0) as used_in_category,
        row_number() over (
            partition by candidates.page_key, candidates.plan_date, candidates.content_category
            order by candidates.list_position
        ) as spare_category_rank
    from candidates
    inner join open_days
        on
            candidates.page_key = open_days.page_key
            and candidates.plan_date = open_days.plan_date
    left join previous as used
        on
            candidates.page_key = used.page_key
            and candidates.caption_id = used.caption_id
    left join category_room
        on
            candidates.page_key = category_room.page_key
            and candidates.plan_date = category_room.plan_date
            and candidates.content_category = category_room.content_category
    left join taken_nearby as taken_group
        on
            candidates.page_key = taken_group.page_key
            and candidates.plan_date = taken_group.plan_date
            and candidates.dedup_key = taken_group.dedup_key
    left join taken_nearby as taken_text
        on
            candidates.page_key = taken_text.page_key
            and candidates.plan_date = taken_text.plan_date
            and candidates.caption_hash = taken_text.caption_hash
    where
        used.caption_id is null
        and taken_group.page_key is null
        and taken_text.page_key is null
),

spares_in_category_room as (
    select
        spares.*,
        coalesce(family_room.used_in_family, 0) as used_in_family,
        row_number() over (
            partition by spares.page_key, spares.plan_date, spares.caption_family
            order by spares.list_position
        ) as spare_family_rank
    from spares
    left join family_room
        on
            spares.page_key = family_room.page_key
            and spares.plan_date = family_room.plan_date
            and spares.caption_family = family_room.caption_family
    where spares.used_in_category + spares.spare_category_rank <= {{ sendwise.setting('max_category_per_day') }}
),

refills as (
    select
        page_key,
        plan_date,
        caption_id,
        row_number() over (
            partition by page_key, plan_date
            order by list_position
        ) as open_rank
    from spares_in_category_room
    where
        caption_family is null
        or used_in_family + spare_family_rank <= {{ sendwise.setting('family_cap_per_day') }}
),

new_pairs as (
    -- the open slots by slot_value take the refills by list position
    select
        open_slots.page_key,
        open_slots.plan_date,
        open_slots.slot_number,
        refills.caption_id
    from open_slots
    inner join refills
        on
            open_slots.page_key = refills.page_key
            and open_slots.plan_date = refills.plan_date
            and open_slots.open_rank = refills.open_rank
),
{%- endif %}

assigned as (
    -- every caption on a slot in this round: {% if previous is not none %}the kept ones and {% endif %}the new pairs
    {%- if previous is not none %}
        select {{ ledger_columns | join(', ') }}
        from kept
        union all
    {%- endif %}
    select
        new_pairs.page_key,
        new_pairs.plan_date,
        new_pairs.slot_number,
        new_pairs.caption_id,
        cast({{ round_number }} as {{ dbt.type_bigint() }}) as assigned_round,
        slots.price * candidates.score_per_dollar
        * (
            1 + {{ sendwise.setting('w_energy_match') }}
            * case when slots.slot_daypart = candidates.caption_energy then 1 else 0 end
        ) as score_final,
        slots.send_at_utc,
        candidates.dedup_key,
        candidates.caption_hash,
        candidates.content_category,
        candidates.caption_family
    from new_pairs
    inner join slots
        on
            new_pairs.page_key = slots.page_key
            and new_pairs.plan_date = slots.plan_date
            and new_pairs.slot_number = slots.slot_number
    inner join candidates
        on
            new_pairs.page_key = candidates.page_key
            and new_pairs.caption_id = candidates.caption_id
),

same_caption as (
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
    from assigned as loser
    inner join assigned as winner on loser.dedup_key = winner.dedup_key
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
    from assigned as loser
    inner join assigned as winner
        on
            loser.caption_hash = winner.caption_hash
            and loser.dedup_key <> winner.dedup_key
    where loser.page_key <> winner.page_key
),

losers as (
    select distinct
        page_key,
        plan_date,
        slot_number
    from same_caption
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

final as (
    {%- if previous is not none %}
        -- the earlier rounds' rows, unchanged (a kept row never loses later)
        select
            {{ ledger_columns | join(', ') }},
            is_lost
        from previous
        union all
    {%- endif %}
    select
        {% for column in ledger_columns %}assigned.{{ column }}, {% endfor %}
        losers.page_key is not null as is_lost
    from assigned
    left join losers
        on
            assigned.page_key = losers.page_key
            and assigned.plan_date = losers.plan_date
            and assigned.slot_number = losers.slot_number
    where assigned.assigned_round = {{ round_number }}
)

select * from final
{%- endmacro %}
