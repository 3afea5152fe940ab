-- Clean promo posts, one per decision_id. The arm "<content_type>_<decision_type>_<daypart>"
-- is split into its parts; posting_hour comes from posted_at (UTC), never from collection time.
select
    decision_id,
    quality_score,
    decision_type,
    bandit_arm,
    coalesce(
        {{ sendwise.regexp_extract_group('bandit_arm', "'^(.+)_(?:single|thread|reply)_[a-z]+$'") }},
        bandit_arm
    ) as content_type,
    {{ sendwise.regexp_extract_group('bandit_arm', "'_([a-z]+)$'") }} as arm_daypart,
    topic,
    hook_type,
    style,
    novelty_score,
    expertise_level,
    created_at,
    posted_at,
    posted_at is not null as is_posted,
    extract(hour from posted_at) as posting_hour
from {{ ref('base_content__content_metadata') }}
where rejection_reason is null
