-- Caption experiment with logged propensities (docs/operations.md): one row per candidate caption of every
-- slot held out for the caption experiment, with the probability with which the logging policy would choose
-- it and the one it chose. Applied to the finished caption assignment (int_template_caption_assignment), so
-- the control's choice (candidate 1) is exactly the caption the template would plan without the experiment.
-- * Hold-out: a PPV slot with a caption whose macro experiment_hold_kind (shared with the price experiment,
--   so a slot is held out for at most one experiment) is 'caption'. Arm: caption_top1 (the control: the
--   template's caption) or caption_topk (a draw from the top k), each with probability 1/2:
--   floor(portable_uniform('experiment_caption_arm|<key>') x 2); key = page|plan_date|slot_number|as_of.
-- * Candidates of a held slot: 1 = the template's caption; 2..k = the next captions of the day's own list
--   (int_template_caption_candidates, the same eligible set the assignment uses: vault, eligibility and
--   cooldown hold by construction) in list order, k = experiment_caption_top_k, after these filters,
--   which keep every tier-1 and day rule whatever is drawn:
--   - spares: the day's drafted captions not planned on the page (a caption is drafted to one day, and the
--     list has one caption per near-duplicate group and per text, so a draw never repeats in the week);
--   - cross-page in UTC: no spare whose near-duplicate group or text is planned on another page, or is a
--     spare of another page's held day, less than cross_page_caption_hours from the held day's first to
--     last held slot (conservative: every pair of possible plans is checked);
--   - disjoint: the day's remaining spares by list position are dealt round-robin to its held slots
--     (best slot_value first), at most k - 1 each;
--   - day caps, worst case: for each content category (caption family) the day's other slots' captions +
--     the held slots whose candidates include it must stay within max_category_per_day
--     (family_cap_per_day); otherwise the spares of that category (family) are removed, except on a slot
--     whose own caption already has it (both caps in one pass: cap_kind, cap_key). A slot left with one
--     candidate is not part of the experiment.
-- * Draw distribution over the slot's k candidates (experiment_caption_draw): uniform p_j = 1 / k, or
--   softmax p_j = exp((s_j / s_max - 1) / T) / sum, s = score_per_dollar x (1 + w_energy_match on an
--   energy match), T = experiment_caption_softmax_temperature. The caption_topk arm takes candidate
--   floor(u x k) + 1 (uniform) or the first j with u < p_1 + ... + p_j (softmax),
--   u = portable_uniform('experiment_caption|<key>|<experiment id>').
-- * propensity = the logging policy's probability of the candidate on this held slot, over both arms:
--   1/2 x 1{j = 1} + 1/2 x p_j, so the k candidates' propensities sum to 1 (rounded to 6 decimals);
--   control_propensity = candidate 1's.
{#- The two arms are drawn with equal probability (the arm draw is floor(2u)). -#}
{%- set arm_probability = 0.5 %}
{%- set cross_page_seconds = sendwise.setting('cross_page_caption_hours') ~ ' * 3600' %}
{#- What the candidates carry of each caption (the assignment's and the list's columns of the same names). -#}
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

candidates as (
    select
        page_key,
        plan_date,
        {{ caption_columns | join(', ') }}
    from {{ ref('int_template_caption_candidates') }}
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
        *,
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

held_days as (
    select distinct
        page_key,
        plan_date,
        held_in_day,
        first_held_at_utc,
        last_held_at_utc
    from held
),

planned_near as (
    -- what stays planned around a held day: its own other slots' captions (day caps) and the captions
    -- planned on other pages near its held slots (the cross-page rule); held captions of other pages count
    -- too (conservative: they may stay)
    select
        held_days.page_key as held_page_key,
        held_days.plan_date as held_plan_date,
        keyed.page_key = held_days.page_key as is_same_page,
        keyed.content_category,
        keyed.caption_family,
        keyed.dedup_key,
        keyed.caption_hash
    from held_days
    inner join keyed
        on
            (
                held_days.page_key = keyed.page_key
                and held_days.plan_date = keyed.plan_date
                and not keyed.is_caption_held
            )
            or (
                held_days.page_key <> keyed.page_key
                and {{ sendwise.epoch_seconds('keyed.send_at_utc') }}
                > {{ sendwise.epoch_seconds('held_days.first_held_at_utc') }} - {{ cross_page_seconds }}
                and {{ sendwise.epoch_seconds('keyed.send_at_utc') }}
                < {{ sendwise.epoch_seconds('held_days.last_held_at_utc') }} + {{ cross_page_seconds }}
            )
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
    left join assignment as planned
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
    where not planned_near.is_same_page
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

valid_spares as (
    select
        day_spares.*,
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

cap_base as (
    -- the day's other captions under each cap key (they stay whatever is drawn)
    select
        held_page_key as page_key,
        held_plan_date as plan_date,
        'category' as cap_kind,
        content_category as cap_key,
        count(*) as other_slots_with
    from planned_near
    where is_same_page
    group by 1, 2, 3, 4
    union all
    select
        held_page_key as page_key,
        held_plan_date as plan_date,
        'family' as cap_kind,
        cast(caption_family as {{ dbt.type_string() }}) as cap_key,
        count(*) as other_slots_with
    from planned_near
    where is_same_page and caption_family is not null
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

scored as (
    select
        *,
        case when slot_daypart = caption_energy then 1 else 0 end as energy_match,
        score_per_dollar * (
            1 + {{ sendwise.setting('w_energy_match') }} * case when slot_daypart = caption_energy then 1 else 0 end
        ) as slot_score_per_dollar
    from within_caps
    where candidate_count >= 2
),

weighted as (
    select
        *,
        case
            when {{ sendwise.setting_text('experiment_caption_draw') }} = 'softmax'
                then exp(
                        (
                            coalesce({{ sendwise.safe_divide(
                                'slot_score_per_dollar',
                                'max(slot_score_per_dollar) over (partition by page_key, plan_date, slot_number)'
                            ) }}, 1) - 1
                        ) / {{ sendwise.setting('experiment_caption_softmax_temperature') }}
                    )
            else 1.0
        end as draw_weight
    from scored
),

probabilities as (
    select
        *,
        draw_weight / sum(draw_weight) over (partition by page_key, plan_date, slot_number) as draw_probability
    from weighted
),

cumulated as (
    select
        *,
        sum(draw_probability) over (
            partition by page_key, plan_date, slot_number
            order by candidate_rank
            rows between unbounded preceding and current row
        ) as cumulative_probability
    from probabilities
),

drawn as (
    select
        *,
        coalesce(lag(cumulative_probability) over (
            partition by page_key, plan_date, slot_number
            order by candidate_rank
        ), 0) as previous_cumulative_probability,
        max(case when candidate_rank = 1 then draw_probability end) over (
            partition by page_key, plan_date, slot_number
        ) as top1_draw_probability,
        case
            when floor({{ sendwise.portable_uniform("concat('experiment_caption_arm|', draw_key)") }} * 2) = 0
                then 'caption_top1'
            else 'caption_topk'
        end as experiment_arm,
        {{ sendwise.portable_uniform(
            "concat('experiment_caption|', draw_key, '|', " ~ sendwise.setting_text('experiment_caption_id') ~ ")"
        ) }} as draw_uniform
    from cumulated
),

final as (
    select
        cast({{ dbt.hash(dbt.concat([
            'page_key', "'|'", 'cast(plan_date as ' ~ dbt.type_string() ~ ')', "'|'",
            'cast(slot_number as ' ~ dbt.type_string() ~ ')', "'|'", 'caption_id'
        ])) }} as {{ dbt.type_string() }}) as experiment_candidate_key,
        page_key,
        plan_date,
        cast(slot_number as {{ dbt.type_bigint() }}) as slot_number,
        cast({{ sendwise.setting_text('experiment_caption_id') }} as {{ dbt.type_string() }}) as experiment_id,
        cast(experiment_arm as {{ dbt.type_string() }}) as experiment_arm,
        cast(candidate_rank as {{ dbt.type_bigint() }}) as candidate_rank,
        cast(candidate_count as {{ dbt.type_bigint() }}) as candidate_count,
        caption_id,
        caption_hash,
        caption_text,
        content_category,
        content_kind,
        caption_energy,
        cast(caption_family as {{ dbt.type_bigint() }}) as caption_family,
        dedup_key,
        score_per_dollar,
        cast(shortlist_rank as {{ dbt.type_bigint() }}) as shortlist_rank,
        cast(list_position as {{ dbt.type_bigint() }}) as list_position,
        energy_match = 1 as is_energy_match,
        cast(price * slot_score_per_dollar as {{ dbt.type_float() }}) as score_final,
        cast(round(draw_probability, 6) as {{ dbt.type_float() }}) as draw_probability,
        cast(
            round(
                {{ arm_probability }} * case when candidate_rank = 1 then 1 else 0 end
                + {{ arm_probability }} * draw_probability,
                6
            ) as {{ dbt.type_float() }}
        ) as propensity,
        cast(
            round({{ arm_probability }} + {{ arm_probability }} * top1_draw_probability, 6) as {{ dbt.type_float() }}
        ) as control_propensity,
        coalesce(
            case
                when experiment_arm = 'caption_top1' then candidate_rank = 1
                when {{ sendwise.setting_text('experiment_caption_draw') }} = 'softmax'
                    then
                        previous_cumulative_probability <= draw_uniform
                        and (draw_uniform < cumulative_probability or candidate_rank = candidate_count)
                else candidate_rank = floor(draw_uniform * candidate_count) + 1
            end,
            false
        ) as is_chosen
    from drawn
)

select * from final
