-- The UCB bonus never exceeds ucb_bonus_cap_mult x rps_eb_price, is 0 under greedy and thompson,
-- and is_bonus_capped marks exactly the capped rows.
select *
from {{ ref('caption_rankings_next24') }}
where
    se_bonus > {{ sendwise.setting('ucb_bonus_cap_mult') }} * rps_eb_price * (1 + 1e-12)
    or (ranking_policy <> 'ucb' and se_bonus <> 0)
    or (
        ranking_policy = 'ucb'
        and is_bonus_capped
        and abs(se_bonus - {{ sendwise.setting('ucb_bonus_cap_mult') }} * rps_eb_price) > 1e-12
    )
