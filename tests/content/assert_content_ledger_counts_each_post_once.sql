-- Every post is counted at most once, net: its entries sum to 0 or 1, and at most one version of
-- it (collection and values) has a non-zero net sign, which is then +1.
with ledger as (
    select * from {{ ref('content_bandit_outcome_ledger') }}
),

versions as (
    select
        decision_id,
        collected_at,
        content_type,
        posting_hour,
        engagement_rate,
        success_count,
        sum(entry_sign) as net_sign
    from ledger
    group by 1, 2, 3, 4, 5, 6
),

per_post as (
    select
        decision_id,
        sum(net_sign) as net_sign,
        sum(case when net_sign <> 0 then 1 else 0 end) as live_versions,
        min(net_sign) as min_version_sign,
        max(net_sign) as max_version_sign
    from versions
    group by 1
)

select * from per_post
where
    net_sign not in (0, 1)
    or live_versions > 1
    or min_version_sign < 0
    or max_version_sign > 1
