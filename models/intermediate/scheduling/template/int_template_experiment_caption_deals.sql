-- The candidates of every slot held out for the caption experiment (docs/operations.md), before the draw:
-- candidate 1 is the template's caption (int_template_experiment_caption_slots); then the day's spares
-- (int_template_experiment_caption_spares) by list position, dealt round-robin to the day's held slots
-- (best slot_value first), at most k - 1 each (k = experiment_caption_top_k), after the day caps in the
-- worst case: for each content category (caption family) the day's other slots' captions + the held
-- slots whose candidates include it must stay within max_category_per_day (family_cap_per_day); otherwise
-- the spares of that category (family) are removed, except on a slot whose own caption already has it
-- (both caps in one pass: cap_kind, cap_key). A slot left with one candidate is not part of the
-- experiment (no row). int_template_experiment_caption_candidates draws from these.
{#- What the candidates carry of each caption (the columns of the same names of both inputs). -#}
{%- set caption_columns = [
    'caption_id', 'caption_hash', 'caption_text', 'content_category', 'content_kind', 'caption_energy',
    'caption_family', 'dedup_key', 'score_per_dollar', 'shortlist_rank', 'list_position'
] %}

with slots as (
    select
        page_key,
        plan_date,
        slot_number,
        slot_daypart,
        price,
        draw_key,
        is_caption_held,
        held_rank,
        held_in_day,
        {{ caption_columns | join(', ') }}
    from {{ ref('int_template_experiment_caption_slots') }}
),

valid_spares as (
    select
        page_key,
        plan_date,
        {{ caption_columns | join(', ') }},
        spare_rank
    from {{ ref('int_template_experiment_caption_spares') }}
),

held as (
    select * from slots
    where is_caption_held
),

candidate_sets as (
    -- candidate 1: the template's caption; then the spares dealt round-robin, at most k - 1 per slot
    select
        page_key,
        plan_date,
        slot_number,
        {{ caption_columns | join(', ') }},
        cast(1 as {{ dbt.type_bigint() }}) as deal_rank
    from held
    union all
    select
        held.page_key,
        held.plan_date,
        held.slot_number,
        {% for column in caption_columns %}valid_spares.{{ column }}, {% endfor %}  -- noqa: LT05
        cast(
            2 + floor((valid_spares.spare_rank - 1) / cast(held.held_in_day as {{ dbt.type_float() }}))
            as {{ dbt.type_bigint() }}
        ) as deal_rank
    from valid_spares
    inner join held
        on
            valid_spares.page_key = held.page_key
            and valid_spares.plan_date = held.plan_date
            and mod(valid_spares.spare_rank - 1, held.held_in_day) + 1 = held.held_rank
    where
        2 + floor((valid_spares.spare_rank - 1) / cast(held.held_in_day as {{ dbt.type_float() }}))
        <= {{ sendwise.setting('experiment_caption_top_k') }}
),

dealt as (
    select
        candidate_sets.*,
        held.slot_daypart,
        held.price,
        held.draw_key,
        held.content_category as control_category,
        held.caption_family as control_family
    from candidate_sets
    inner join held
        on
            candidate_sets.page_key = held.page_key
            and candidate_sets.plan_date = held.plan_date
            and candidate_sets.slot_number = held.slot_number
),

dealt_caps as (
    -- each dealt candidate under its two day caps: its content category and its caption family (none
    -- without one), with the held slot's own caption's key under the same cap
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        deal_rank,
        'category' as cap_kind,
        content_category as cap_key,
        control_category as control_cap_key,
        {{ sendwise.setting('max_category_per_day') }} as cap_limit
    from dealt
    union all
    select
        page_key,
        plan_date,
        slot_number,
        caption_id,
        deal_rank,
        'family' as cap_kind,
        cast(caption_family as {{ dbt.type_string() }}) as cap_key,
        cast(control_family as {{ dbt.type_string() }}) as control_cap_key,
        {{ sendwise.setting('family_cap_per_day') }} as cap_limit
    from dealt
    where caption_family is not null
),

cap_use as (
    -- worst case per held day and cap key: the held slots whose candidates include it
    select
        page_key,
        plan_date,
        cap_kind,
        cap_key,
        count(distinct slot_number) as held_slots_with
    from dealt_caps
    group by 1, 2, 3, 4
),

held_days as (
    select distinct
        page_key,
        plan_date
    from held
),

other_slots as (
    -- the held days' other slots: their captions stay whatever is drawn
    select
        slots.page_key,
        slots.plan_date,
        slots.content_category,
        slots.caption_family
    from slots
    inner join held_days
        on
            slots.page_key = held_days.page_key
            and slots.plan_date = held_days.plan_date
    where not slots.is_caption_held
),

cap_base as (
    -- the day's other captions under each cap key
    select
        page_key,
        plan_date,
        'category' as cap_kind,
        content_category as cap_key,
        count(*) as other_slots_with
    from other_slots
    group by 1, 2, 3, 4
    union all
    select
        page_key,
        plan_date,
        'family' as cap_kind,
        cast(caption_family as {{ dbt.type_string() }}) as cap_key,
        count(*) as other_slots_with
    from other_slots
    where caption_family is not null
    group by 1, 2, 3, 4
),

over_caps as (
    -- spares that could take a cap key over its limit, on a slot whose own caption does not have that key
    select distinct
        dealt_caps.page_key,
        dealt_caps.plan_date,
        dealt_caps.slot_number,
        dealt_caps.caption_id
    from dealt_caps
    inner join cap_use
        on
            dealt_caps.page_key = cap_use.page_key
            and dealt_caps.plan_date = cap_use.plan_date
            and dealt_caps.cap_kind = cap_use.cap_kind
            and dealt_caps.cap_key = cap_use.cap_key
    left join cap_base
        on
            dealt_caps.page_key = cap_base.page_key
            and dealt_caps.plan_date = cap_base.plan_date
            and dealt_caps.cap_kind = cap_base.cap_kind
            and dealt_caps.cap_key = cap_base.cap_key
    where
        dealt_caps.deal_rank > 1
        and coalesce(cap_base.other_slots_with, 0) + cap_use.held_slots_with > dealt_caps.cap_limit
        and dealt_caps.cap_key <> coalesce(dealt_caps.control_cap_key, '')
),

within_caps as (
    select
        dealt.*,
        row_number() over (
            partition by dealt.page_key, dealt.plan_date, dealt.slot_number
            order by dealt.deal_rank, dealt.list_position
        ) as candidate_rank,
        count(*) over (partition by dealt.page_key, dealt.plan_date, dealt.slot_number) as candidate_count
    from dealt
    left join over_caps
        on
            dealt.page_key = over_caps.page_key
            and dealt.plan_date = over_caps.plan_date
            and dealt.slot_number = over_caps.slot_number
            and dealt.caption_id = over_caps.caption_id
    where over_caps.caption_id is null
),

final as (
    select
        page_key,
        plan_date,
        slot_number,
        slot_daypart,
        price,
        draw_key,
        {{ caption_columns | join(', ') }},
        candidate_rank,
        candidate_count
    from within_caps
    where candidate_count >= 2
)

select * from final
