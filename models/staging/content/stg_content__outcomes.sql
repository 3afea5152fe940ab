-- Clean outcomes: the latest valid collection of each post that exists (an outcome whose decision_id
-- no raw post has is an orphan: quarantined in stg_content__outcomes_rejected, never failing a
-- relationships test downstream). engagement_rate is computed as (likes + retweets + replies) /
-- impressions when the loader left it null (flagged).
select
    decision_id,
    collected_at,
    impressions,
    likes,
    retweets,
    replies,
    bookmarks,
    coalesce(
        engagement_rate_raw,
        {{ sendwise.safe_divide('coalesce(likes, 0) + coalesce(retweets, 0) + coalesce(replies, 0)', 'impressions') }}
    ) as engagement_rate,
    engagement_rate_raw is null as is_engagement_rate_computed,
    viral_score,
    followers_gained
from {{ ref('base_content__outcomes') }}
where
    rejection_reason is null
    and decision_id in (
        -- every raw post (quarantined posts included)
        select posts.decision_id from {{ ref('base_content__content_metadata') }} as posts
        where posts.decision_id is not null
    )
