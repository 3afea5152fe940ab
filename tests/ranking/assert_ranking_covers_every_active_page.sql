-- Every active page is ranked at every slot of the horizon, with min(ranking_top_n, candidates)
-- captions per slot; a page without candidates must say why (int_ranking_page_pools.pool_status).
with pools as (
    select * from {{ ref('int_ranking_page_pools') }}
),

slots as (
    select
        page_key,
        count(*) as slots
    from {{ ref('int_ranking_slots') }}
    group by 1
),

ranked as (
    select
        page_key,
        count(*) as ranked_rows,
        count(distinct slot_local_at) as ranked_slots
    from {{ ref('caption_rankings_next24') }}
    group by 1
),

checked as (
    select
        pools.page_key,
        pools.pool_status,
        pools.candidate_captions,
        coalesce(slots.slots, 0) as slots,
        coalesce(ranked.ranked_rows, 0) as ranked_rows,
        coalesce(ranked.ranked_slots, 0) as ranked_slots,
        coalesce(slots.slots, 0)
        * case
            when pools.candidate_captions < {{ sendwise.setting('ranking_top_n') }} then pools.candidate_captions
            else {{ sendwise.setting('ranking_top_n') }}
        end as expected_rows
    from pools
    left join slots on pools.page_key = slots.page_key
    left join ranked on pools.page_key = ranked.page_key
)

select *
from checked
where
    slots <> {{ sendwise.setting('ranking_horizon_hours') }}
    or ranked_rows <> expected_rows
    or (candidate_captions = 0 and pool_status in ('ok', 'dry_pool_fallback'))
