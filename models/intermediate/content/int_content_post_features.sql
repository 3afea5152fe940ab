-- Features of every clean promo post for the content predictors, from real joined data: the post
-- (metadata) and, when it can be counted as of as_of, its latest outcome (the labels).
-- scoring_status: scored (has a countable outcome), awaiting_outcome (posted by as_of, no
-- countable outcome yet), not_posted (not posted by as_of). Posting hour enters as sin/cos of the
-- UTC hour on the 24-hour circle; without a posting hour both are 0 (the average over a uniform
-- hour) and is_posting_hour_known is false.
with posts as (
    select * from {{ ref('stg_content__content_metadata') }}
),

outcome_events as (
    select * from {{ ref('int_content_outcome_events') }}
    where is_countable
),

joined as (
    select
        posts.decision_id,
        posts.created_at,
        posts.posted_at,
        outcome_events.collected_at,
        case
            when outcome_events.decision_id is not null then 'scored'
            when posts.posted_at is not null and posts.posted_at <= {{ sendwise.as_of() }} then 'awaiting_outcome'
            else 'not_posted'
        end as scoring_status,
        posts.quality_score,
        posts.content_type,
        posts.decision_type,
        coalesce(posts.style_length, 'unknown') as style_length,
        case when posts.posted_at <= {{ sendwise.as_of() }} then posts.posting_hour end as posting_hour,
        posts.novelty_score,
        posts.expertise_level,
        outcome_events.engagement_rate,
        outcome_events.viral_score,
        outcome_events.followers_gained
    from posts
    left join outcome_events
        on posts.decision_id = outcome_events.decision_id
),

final as (
    select
        decision_id,
        created_at,
        posted_at,
        collected_at,
        scoring_status,
        quality_score,
        content_type,
        decision_type,
        style_length,
        posting_hour,
        posting_hour is not null as is_posting_hour_known,
        coalesce(sin(2 * acos(-1.0) * posting_hour / 24.0), 0.0) as hour_sin,
        coalesce(cos(2 * acos(-1.0) * posting_hour / 24.0), 0.0) as hour_cos,
        novelty_score,
        expertise_level,
        viral_score / 100.0 as viral_score_scaled,
        engagement_rate,
        followers_gained,
        case when followers_gained is not null then followers_gained > 0 end as is_follow_through
    from joined
)

select * from final
