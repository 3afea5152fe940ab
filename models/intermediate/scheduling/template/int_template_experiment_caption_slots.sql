-- The caption experiment's hold-out (docs/operations.md): every planned slot of the finished caption
-- assignment (int_template_caption_assignment, dropped slots left out) with its draw key and whether it is
-- held out for the caption experiment: a PPV slot with a caption whose macro experiment_hold_kind (shared
-- with the price experiment, so a slot is held out for at most one experiment) is 'caption'; key =
-- page|plan_date|slot_number|as_of. A held slot also carries its rank within its page-day (best
-- slot_value first, for the round-robin deal of the spares), the day's number of held slots and its
-- first and last held send time (UTC). int_template_experiment_caption_spares and
-- int_template_experiment_caption_deals read it; the other slots stay planned whatever is drawn.
{#- What the slots carry of their caption (the assignment's columns of the same names). -#}
{%- set caption_columns = [
    'caption_id', 'caption_hash', 'caption_text', 'content_category', 'content_kind', 'caption_energy',
    'caption_family', 'dedup_key', 'score_per_dollar', 'shortlist_rank', 'list_position'
] %}

with assignment as (
    select
        page_key,
        plan_date,
        slot_number,
        send_at_utc,
        slot_value,
        slot_daypart,
        price,
        {{ caption_columns | join(', ') }}
    from {{ ref('int_template_caption_assignment') }}
    where not is_dropped
),

keyed as (
    select
        *,
        {{ sendwise.experiment_draw_key('page_key', 'plan_date', 'slot_number') }} as draw_key,
        coalesce(price, 0) > 0
        and coalesce({{ sendwise.experiment_hold_kind(
            sendwise.experiment_draw_key('page_key', 'plan_date', 'slot_number')
        ) }} = 'caption', false) as is_caption_held
    from assignment
),

held as (
    -- the caption experiment's slots, ranked within their day (best slot first) for the round-robin deal
    select
        page_key,
        plan_date,
        slot_number,
        row_number() over (
            partition by page_key, plan_date
            order by slot_value desc, slot_number asc
        ) as held_rank,
        count(*) over (partition by page_key, plan_date) as held_in_day,
        min(send_at_utc) over (partition by page_key, plan_date) as first_held_at_utc,
        max(send_at_utc) over (partition by page_key, plan_date) as last_held_at_utc
    from keyed
    where is_caption_held
),

final as (
    select
        keyed.*,
        held.held_rank,
        held.held_in_day,
        held.first_held_at_utc,
        held.last_held_at_utc
    from keyed
    left join held
        on
            keyed.page_key = held.page_key
            and keyed.plan_date = held.plan_date
            and keyed.slot_number = held.slot_number
)

select * from final
