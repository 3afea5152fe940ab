-- Clean outcomes: the latest valid collection of each post. engagement_rate is computed as
-- (likes + retweets + replies) / impressions when the loader left it null (flagged).
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
where rejection_reason is null
