-- Clean promo posts, one per decision_id. The arm "<content_type>_<decision_type>_<daypart>"
-- is split into its parts (an arm that does not follow the pattern is its own content type,
-- flagged); style "<voice>_<length>" gives the length; posting_hour comes from posted_at (UTC),
-- never from the collection time.
select
    decision_id,
    quality_score,
    decision_type,
    bandit_arm,
    coalesce(
        {{ sendwise.regexp_extract_group('bandit_arm', "'^(.+)_(?:single|thread|reply)_[a-z]+$'") }},
        bandit_arm
    ) as content_type,
    {{ sendwise.regexp_extract_group('bandit_arm', "'^.+_(?:single|thread|reply)_([a-z]+)$'") }} as arm_daypart,
    {{ sendwise.regexp_contains('bandit_arm', "'^.+_(single|thread|reply)_[a-z]+$'") }} as is_bandit_arm_parsed,
    topic,
    hook_type,
    style,
    {{ sendwise.regexp_extract_group('style', "'_(short|medium|long)$'") }} as style_length,
    novelty_score,
    expertise_level,
    created_at,
    posted_at,
    posted_at is not null as is_posted,
    extract(hour from posted_at) as posting_hour
from {{ ref('base_content__content_metadata') }}
where rejection_reason is null
