-- The outcome of each promo post the bandit may learn from as of as_of: the post's latest valid
-- collection (staging), joined to its clean post, with success = engagement rate above the
-- content_success_er setting. Outcomes that cannot be counted stay here with an
-- exclusion_reason (never silently dropped); the ledger counts only rows without one.
with outcomes as (
    select * from {{ ref('stg_content__outcomes') }}
),

posts as (
    select * from {{ ref('stg_content__content_metadata') }}
),

joined as (
    select
        outcomes.decision_id,
        outcomes.collected_at,
        outcomes.engagement_rate,
        outcomes.is_engagement_rate_computed,
        outcomes.viral_score,
        outcomes.followers_gained,
        posts.content_type,
        posts.posted_at,
        posts.posting_hour,
        case
            when posts.decision_id is null then 'post_not_clean'
            when posts.posted_at is null then 'post_not_posted'
            when posts.posted_at > {{ sendwise.as_of() }} then 'posted_after_as_of'
            when outcomes.collected_at > {{ sendwise.as_of() }} then 'collected_after_as_of'
            when outcomes.collected_at < posts.posted_at then 'collected_before_posted'
        end as exclusion_reason
    from outcomes
    left join posts
        on outcomes.decision_id = posts.decision_id
),

final as (
    select
        decision_id,
        collected_at,
        content_type,
        posted_at,
        posting_hour,
        engagement_rate,
        is_engagement_rate_computed,
        viral_score,
        followers_gained,
        engagement_rate > {{ sendwise.setting('content_success_er') }} as is_success,
        case when engagement_rate > {{ sendwise.setting('content_success_er') }} then 1 else 0 end as success_count,
        exclusion_reason,
        exclusion_reason is null as is_countable
    from joined
)

select * from final
