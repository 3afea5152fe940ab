-- For every active page and every hourly slot of the next 24 page-local hours: the eligible
-- captions ranked, top ranking_top_n (20) kept, with every score component (docs/ranking.md).
-- int_ranking_slot_caption_scores expands the per-page shortlist (int_ranking_caption_scores) to the
-- page's slots and scores it (p_buy_scored, rps_eb_price, se_bonus, style_score: the formulas are
-- there); this model adds the penalties and the rank:
--   penalty_same_day   = penalty_same_day_mult * rps_eb_price on every slot of a page-local day
--                        but the caption's best one (rank > 1 of the caption on that day; the
--                        best slot is the caption's highest score before penalties, ties: earliest)
--   penalty_cross_page = penalty_cross_page_mult * rps_eb_price when the caption is the
--                        provisional top choice (rank 1 after the same-day penalty) of another
--                        page at a slot less than cross_page_block_hours apart in UTC and scores
--                        higher there (ties: the smaller page_key keeps it); only the
--                        lower-scoring page is penalised
--   score_final   = rps_eb_price + se_bonus + style_score - penalty_same_day - penalty_cross_page
--   rn            = row_number() over (page, slot order by score_final desc, caption_id)
{%- set policy = sendwise.ranking_policy() %}

with scored as (
    -- every shortlisted caption at every slot, scored before penalties
    select * from {{ ref('int_ranking_slot_caption_scores') }}
),

caption_day_best_score as (
    select
        page_key,
        slot_local_date,
        caption_id,
        max(score_before_penalties) as best_score
    from scored
    group by 1, 2, 3
),

caption_day_best_slot as (
    -- the caption's best slot of the page-local day (ties: the earliest)
    select
        scored.page_key,
        scored.slot_local_date,
        scored.caption_id,
        min(scored.slot_local_at) as best_slot_local_at
    from scored
    inner join caption_day_best_score
        on
            scored.page_key = caption_day_best_score.page_key
            and scored.slot_local_date = caption_day_best_score.slot_local_date
            and scored.caption_id = caption_day_best_score.caption_id
            and scored.score_before_penalties = caption_day_best_score.best_score
    group by 1, 2, 3
),

same_day_penalised as (
    select
        scored.*,
        scored.slot_local_at = caption_day_best_slot.best_slot_local_at as is_best_slot_of_day,
        case
            when scored.slot_local_at = caption_day_best_slot.best_slot_local_at then 0
            else {{ sendwise.setting('penalty_same_day_mult') }} * scored.rps_eb_price
        end as penalty_same_day
    from scored
    inner join caption_day_best_slot
        on
            scored.page_key = caption_day_best_slot.page_key
            and scored.slot_local_date = caption_day_best_slot.slot_local_date
            and scored.caption_id = caption_day_best_slot.caption_id
),

provisional as (
    select
        *,
        score_before_penalties - penalty_same_day as score_after_same_day
    from same_day_penalised
),

slot_top_score as (
    select
        page_key,
        slot_local_at,
        max(score_after_same_day) as top_score
    from provisional
    group by 1, 2
),

provisional_tops as (
    -- each slot's provisional top choice after the same-day penalty (ties: the smaller caption_id)
    select
        provisional.page_key,
        provisional.slot_utc_at,
        min(provisional.caption_id) as caption_id,
        max(provisional.score_after_same_day) as score_after_same_day
    from provisional
    inner join slot_top_score
        on
            provisional.page_key = slot_top_score.page_key
            and provisional.slot_local_at = slot_top_score.slot_local_at
            and provisional.score_after_same_day = slot_top_score.top_score
    group by 1, 2
),

-- each provisional top under every UTC hour number a slot it blocks can have: a slot less than
-- cross_page_block_hours (H) from the top is at most ceil(H) hour numbers away, so the check joins
-- on (caption, hour number) and not on the caption alone, then tests the exact window (at x10 a
-- popular caption's tops times its slots on every page made 52 M rows, the hours cut them to 17 M)
block_hour_offsets as (
    select
        cast(hours.hour_number - ceil({{ sendwise.setting('cross_page_block_hours') }}) - 1 as {{ dbt.type_bigint() }})
            as hour_offset
    from (
        {{ sendwise.integer_series(
            '2 * ceil(' ~ sendwise.setting('cross_page_block_hours') ~ ') + 1', 'hour_number'
        ) }}
    ) as hours
),

tops_by_hour as (
    select
        provisional_tops.page_key,
        provisional_tops.slot_utc_at,
        provisional_tops.caption_id,
        provisional_tops.score_after_same_day,
        {{ sendwise.utc_hour_number('provisional_tops.slot_utc_at') }} + block_hour_offsets.hour_offset
            as blocked_hour_number
    from provisional_tops
    cross join block_hour_offsets
),

cross_page_blocked as (
    select
        provisional.page_key,
        provisional.slot_local_at,
        provisional.caption_id
    from provisional
    inner join tops_by_hour
        on
            provisional.caption_id = tops_by_hour.caption_id
            and {{ sendwise.utc_hour_number('provisional.slot_utc_at') }} = tops_by_hour.blocked_hour_number
            and provisional.page_key <> tops_by_hour.page_key
    where
        abs(
            {{ sendwise.epoch_seconds('provisional.slot_utc_at') }}
            - {{ sendwise.epoch_seconds('tops_by_hour.slot_utc_at') }}
        ) < {{ sendwise.setting('cross_page_block_hours') }} * 3600
        and (
            tops_by_hour.score_after_same_day > provisional.score_after_same_day
            or (
                tops_by_hour.score_after_same_day = provisional.score_after_same_day
                and tops_by_hour.page_key < provisional.page_key
            )
        )
    group by 1, 2, 3
),

cross_page_penalised as (
    select
        provisional.*,
        case
            when cross_page_blocked.caption_id is not null
                then {{ sendwise.setting('penalty_cross_page_mult') }} * provisional.rps_eb_price
            else 0
        end as penalty_cross_page
    from provisional
    left join cross_page_blocked
        on
            provisional.page_key = cross_page_blocked.page_key
            and provisional.slot_local_at = cross_page_blocked.slot_local_at
            and provisional.caption_id = cross_page_blocked.caption_id
),

ranked as (
    select
        *,
        score_after_same_day - penalty_cross_page as score_final,
        row_number() over (
            partition by page_key, slot_local_at
            order by score_after_same_day - penalty_cross_page desc, caption_id asc
        ) as rn
    from cross_page_penalised
),

final as (
    select
        cast(page_key as {{ dbt.type_string() }}) as page_key,
        slot_local_at,
        slot_utc_at,
        slot_local_date,
        cast(slot_local_hour as {{ dbt.type_bigint() }}) as slot_local_hour,
        cast(slot_local_dow as {{ dbt.type_bigint() }}) as slot_local_dow,
        is_in_active_window,
        cast(caption_id as {{ dbt.type_string() }}) as caption_id,
        cast(caption_hash as {{ dbt.type_string() }}) as caption_hash,
        cast(content_category as {{ dbt.type_string() }}) as content_category,
        cast('{{ policy }}' as {{ dbt.type_string() }}) as ranking_policy,
        cast(ladder_rung as {{ dbt.type_bigint() }}) as ladder_rung,
        cast(price_mode as {{ dbt.type_string() }}) as price_mode,
        cast(price_source as {{ dbt.type_string() }}) as price_source,
        cast(slot_price as {{ dbt.type_float() }}) as slot_price,
        cast(ppv_sends_60d as {{ dbt.type_bigint() }}) as ppv_sends_60d,
        cast(w_sent as {{ dbt.type_float() }}) as w_sent,
        cast(w_sent_context as {{ dbt.type_float() }}) as w_sent_context,
        cast(w_purchases as {{ dbt.type_float() }}) as w_purchases,
        cast(mu_buy as {{ dbt.type_float() }}) as mu_buy,
        cast(caption_lift as {{ dbt.type_float() }}) as caption_lift,
        cast(category_lift as {{ dbt.type_float() }}) as category_lift,
        cast(mu_caption as {{ dbt.type_float() }}) as mu_caption,
        cast(p_buy_eb as {{ dbt.type_float() }}) as p_buy_eb,
        cast(p_buy_scored as {{ dbt.type_float() }}) as p_buy_scored,
        cast(rps_eb_price as {{ dbt.type_float() }}) as rps_eb_price,
        cast(sigma as {{ dbt.type_float() }}) as sigma,
        cast(se_bonus as {{ dbt.type_float() }}) as se_bonus,
        is_bonus_capped,
        cast(style_key as {{ dbt.type_string() }}) as style_key,
        cast(style_lift as {{ dbt.type_float() }}) as style_lift,
        cast(style_score as {{ dbt.type_float() }}) as style_score,
        is_cooldown_ok,
        cast(days_since_last_use as {{ dbt.type_float() }}) as days_since_last_use,
        is_best_slot_of_day,
        cast(penalty_same_day as {{ dbt.type_float() }}) as penalty_same_day,
        cast(penalty_cross_page as {{ dbt.type_float() }}) as penalty_cross_page,
        cast(score_final as {{ dbt.type_float() }}) as score_final,
        cast(rn as {{ dbt.type_bigint() }}) as rn,
        {{ sendwise.as_of() }} as computed_at
    from ranked
    where rn <= {{ sendwise.setting('ranking_top_n') }}
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
