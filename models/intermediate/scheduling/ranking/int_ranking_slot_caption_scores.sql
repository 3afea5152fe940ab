{#- a view, not the folder's table: its one reader (caption_rankings_next24) and its one data test
    each scan it once, and writing it (every shortlisted caption at every slot, 1.7 M rows of 35
    columns at x10) cost more than computing it twice (docs/build_performance.md, section 22) -#}
{{ config(materialized='view') }}

-- Every eligible caption of the per-page shortlist (int_ranking_caption_scores) at every slot of the
-- page's next 24 local hours (int_ranking_slots), scored before penalties (docs/ranking.md):
--   p_buy_scored  = p_buy_eb (ucb, greedy) or, under thompson, a seeded draw from the EB Beta
--                   posterior keyed by (page, slot_local_at, caption, thompson_seed)
--   rps_eb_price  = slot_price * p_buy_scored
--   se_bonus      = min(sigma * slot_price * p_buy_se, ucb_bonus_cap_mult * rps_eb_price) under ucb;
--                   0 under greedy and thompson (the draw is thompson's exploration)
--   style_score   = w_style_lift * style_lift * rps_eb_price                      (dollars)
--   score_before_penalties = rps_eb_price + se_bonus + style_score
-- caption_rankings_next24 applies the same-day and cross-page penalties and keeps the top of each slot.
{%- set policy = sendwise.ranking_policy() %}

with shortlist as (
    select * from {{ ref('int_ranking_caption_scores') }}
),

slots as (
    select * from {{ ref('int_ranking_slots') }}
),

expanded as (
    select
        slots.page_key,
        slots.slot_local_at,
        slots.slot_utc_at,
        slots.slot_local_date,
        slots.slot_local_hour,
        slots.slot_local_dow,
        slots.is_in_active_window,
        slots.slot_price,
        slots.ladder_rung,
        slots.price_mode,
        slots.price_source,
        slots.sigma,
        shortlist.caption_id,
        shortlist.caption_hash,
        shortlist.content_category,
        shortlist.is_cooldown_ok,
        shortlist.days_since_last_use,
        shortlist.ppv_sends_60d,
        shortlist.w_sent,
        shortlist.w_sent_context,
        shortlist.w_purchases,
        shortlist.mu_buy,
        shortlist.caption_lift,
        shortlist.category_lift,
        shortlist.mu_caption,
        shortlist.p_buy_eb,
        shortlist.eb_n,
        shortlist.p_buy_se,
        shortlist.style_key,
        shortlist.style_lift,
        {%- if policy == 'thompson' %}
            {{ sendwise.portable_normal(sendwise.thompson_draw_key(
                'slots.page_key', 'slots.slot_local_at', 'shortlist.caption_id',
                sendwise.setting('thompson_seed')
            )) }} as thompson_z
        {%- else %}
            cast(null as {{ dbt.type_float() }}) as thompson_z
        {%- endif %}
    from slots
    inner join shortlist on slots.page_key = shortlist.page_key
),

drawn as (
    select
        *,
        {%- if policy == 'thompson' %}
            {{ sendwise.thompson_posterior_draw('p_buy_eb', 'eb_n', 'thompson_z', sendwise.setting('thompson_z_max')) }}
        {%- else %}
            p_buy_eb
        {%- endif %} as p_buy_scored
    from expanded
),

priced as (
    select
        *,
        slot_price * p_buy_scored as rps_eb_price,
        sigma * slot_price * p_buy_se as se_bonus_uncapped
    from drawn
),

components as (
    select
        *,
        {%- if policy == 'ucb' %}
            {{ sendwise.ucb_bonus('se_bonus_uncapped', 'rps_eb_price') }} as se_bonus,
            {{ sendwise.is_ucb_bonus_capped('se_bonus_uncapped', 'rps_eb_price') }} as is_bonus_capped,
        {%- else %}
            cast(0 as {{ dbt.type_float() }}) as se_bonus,
            false as is_bonus_capped,
        {%- endif %}
        {{ sendwise.setting('w_style_lift') }} * style_lift * rps_eb_price as style_score
    from priced
),

final as (
    select
        *,
        rps_eb_price + se_bonus + style_score as score_before_penalties
    from components
)

select * from final
