-- Cooldown is never skipped while enough fresh captions remain: a caption used on the page within
-- caption_cooldown_days is a candidate only when the page's fresh pool is below cooldown_min_pool,
-- only up to that size, and least-recently-used first (an earlier system's defect: its
-- cooldown was skipped for every caption once one eligible caption existed). It reads the rows of
-- int_ranking_caption_eligibility, which hold every cooldown caption (a cooldown caption is one the
-- page has used) but only the fresh ones that can reach the scores: the fresh count is the model's
-- n_fresh_on_page (counted per (page, category) over every eligible pair), and every check below is
-- on cooldown rows, so it sees the same rule it saw when every pair was a row.
with eligibility as (
    select * from {{ ref('int_ranking_caption_eligibility') }}
),

admitted as (
    select
        page_key,
        max(n_fresh_on_page) as fresh_captions,
        sum(case when is_in_cooldown and is_candidate then 1 else 0 end) as cooldown_admitted,
        max(case when is_in_cooldown and is_candidate then last_used_at end) as newest_admitted_use
    from eligibility
    group by 1
),

not_admitted as (
    select
        page_key,
        min(last_used_at) as oldest_refused_use
    from eligibility
    where is_in_cooldown and not is_candidate
    group by 1
)

select admitted.*
from admitted
left join not_admitted on admitted.page_key = not_admitted.page_key
where
    (admitted.cooldown_admitted > 0 and admitted.fresh_captions >= {{ sendwise.setting('cooldown_min_pool') }})
    or admitted.fresh_captions + admitted.cooldown_admitted > {{ sendwise.setting('cooldown_min_pool') }}
    and admitted.cooldown_admitted > 0
    or admitted.newest_admitted_use > not_admitted.oldest_refused_use
