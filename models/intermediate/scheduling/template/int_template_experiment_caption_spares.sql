-- The spares of the caption experiment's held days (docs/operations.md): the captions a held slot may draw
-- besides its own, before they are dealt to the day's held slots. One row per spare of a page-day with a
-- held slot (int_template_experiment_caption_slots), in list order (spare_rank):
--   - spares: the day's drafted captions (int_template_caption_candidates, the same eligible set the
--     assignment uses: vault, eligibility and cooldown hold by construction) not planned on the page (a
--     caption is drafted to one day, and the list has one caption per near-duplicate group and per text,
--     so a draw never repeats in the week);
--   - cross-page in UTC: no spare whose near-duplicate group or text is planned on another page, or is a
--     spare of another page's held day, less than cross_page_caption_hours from the held day's first to
--     last held slot (conservative: every pair of possible plans is checked; held captions of other pages
--     count too, as they may stay).
{%- set cross_page_seconds = sendwise.setting('cross_page_caption_hours') ~ ' * 3600' %}
{#- What the spares carry of each caption (the caption list's columns of the same names). -#}
{%- set caption_columns = [
    'caption_id', 'caption_hash', 'caption_text', 'content_category', 'content_kind', 'caption_energy',
    'caption_family', 'dedup_key', 'score_per_dollar', 'shortlist_rank', 'list_position'
] %}

with slots as (
    select
        page_key,
        plan_date,
        send_at_utc,
        caption_id,
        caption_hash,
        dedup_key,
        is_caption_held,
        held_in_day,
        first_held_at_utc,
        last_held_at_utc
    from {{ ref('int_template_experiment_caption_slots') }}
),

candidates as (
    select
        page_key,
        plan_date,
        {{ caption_columns | join(', ') }}
    from {{ ref('int_template_caption_candidates') }}
),

held_days as (
    select distinct
        page_key,
        plan_date,
        held_in_day,
        first_held_at_utc,
        last_held_at_utc
    from slots
    where is_caption_held
),

planned_near as (
    -- the captions planned on other pages near a held day's held slots (the cross-page rule)
    select
        held_days.page_key as held_page_key,
        held_days.plan_date as held_plan_date,
        slots.dedup_key,
        slots.caption_hash
    from held_days
    inner join slots
        on
            held_days.page_key <> slots.page_key
            and {{ sendwise.epoch_seconds('slots.send_at_utc') }}
            > {{ sendwise.epoch_seconds('held_days.first_held_at_utc') }} - {{ cross_page_seconds }}
            and {{ sendwise.epoch_seconds('slots.send_at_utc') }}
            < {{ sendwise.epoch_seconds('held_days.last_held_at_utc') }} + {{ cross_page_seconds }}
),

day_spares as (
    -- the held days' drafted captions not planned on the page (drafted to this day only, so a draw can
    -- never repeat a caption of the page's week)
    select
        candidates.*,
        held_days.held_in_day,
        held_days.first_held_at_utc,
        held_days.last_held_at_utc
    from candidates
    inner join held_days
        on
            candidates.page_key = held_days.page_key
            and candidates.plan_date = held_days.plan_date
    left join slots as planned
        on
            candidates.page_key = planned.page_key
            and candidates.caption_id = planned.caption_id
    where planned.caption_id is null
),

conflicts as (
    -- spares sharing a near-duplicate group or a text with a caption planned on another page near the
    -- held day, or with another page's spare whose held day is near (the two windows within the hours)
    select
        day_spares.page_key,
        day_spares.plan_date,
        day_spares.caption_id
    from day_spares
    inner join planned_near
        on
            day_spares.page_key = planned_near.held_page_key
            and day_spares.plan_date = planned_near.held_plan_date
            and (
                day_spares.dedup_key = planned_near.dedup_key
                or day_spares.caption_hash = planned_near.caption_hash
            )
    {%- for same_caption_key in ['dedup_key', 'caption_hash'] %}
        union all
        select
            day_spares.page_key,
            day_spares.plan_date,
            day_spares.caption_id
        from day_spares
        inner join day_spares as other_spare
            on
                day_spares.{{ same_caption_key }} = other_spare.{{ same_caption_key }}
                and day_spares.page_key <> other_spare.page_key
        where
            {{ sendwise.epoch_seconds('other_spare.first_held_at_utc') }}
            < {{ sendwise.epoch_seconds('day_spares.last_held_at_utc') }} + {{ cross_page_seconds }}
            and {{ sendwise.epoch_seconds('day_spares.first_held_at_utc') }}
            < {{ sendwise.epoch_seconds('other_spare.last_held_at_utc') }} + {{ cross_page_seconds }}
    {%- endfor %}
),

conflicted as (
    select distinct
        page_key,
        plan_date,
        caption_id
    from conflicts
),

final as (
    select
        day_spares.page_key,
        day_spares.plan_date,
        {% for column in caption_columns %}day_spares.{{ column }}, {% endfor %}  -- noqa: LT05
        row_number() over (
            partition by day_spares.page_key, day_spares.plan_date
            order by day_spares.list_position
        ) as spare_rank
    from day_spares
    left join conflicted
        on
            day_spares.page_key = conflicted.page_key
            and day_spares.plan_date = conflicted.plan_date
            and day_spares.caption_id = conflicted.caption_id
    where conflicted.caption_id is null
)

select * from final
