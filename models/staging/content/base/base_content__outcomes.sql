-- Every raw outcome collection, typed, with the one reason (if any) it is quarantined.
-- A post can be collected several times; the latest valid collection wins and the older
-- valid ones are quarantined as superseded (so every raw row is accounted for).
with source as (
    select * from {{ source('content', 'outcomes') }}
),

normalised as (
    select
        trim(source.decision_id) as decision_id,
        source.decision_id as decision_id_raw,
        cast(source.collected_at as {{ dbt.type_timestamp() }}) as collected_at,
        cast(source.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(source.likes as {{ dbt.type_bigint() }}) as likes,
        cast(source.retweets as {{ dbt.type_bigint() }}) as retweets,
        cast(source.replies as {{ dbt.type_bigint() }}) as replies,
        cast(source.bookmarks as {{ dbt.type_bigint() }}) as bookmarks,
        cast(source.engagement_rate as {{ dbt.type_float() }}) as engagement_rate_raw,
        cast(source.viral_score as {{ dbt.type_float() }}) as viral_score,
        cast(source.followers_gained as {{ dbt.type_bigint() }}) as followers_gained,
        {{ sendwise.row_as_json('source') }} as raw_record
    from source
),

row_checked as (
    select
        *,
        case
            when decision_id is null or decision_id = '' then 'missing_decision_id'
            when collected_at is null then 'missing_collected_at'
            when collected_at < {{ sendwise.oldest_plausible_at() }} then 'implausible_date'
            when
                not coalesce({{ sendwise.is_finite('engagement_rate_raw') }}, true)
                or not coalesce({{ sendwise.is_finite('viral_score') }}, true)
                then 'non_finite_metric'
            when
                impressions < 0 or likes < 0 or retweets < 0 or replies < 0 or bookmarks < 0
                or followers_gained < 0 or engagement_rate_raw < 0
                then 'negative_metric'
            when impressions is null or impressions = 0 then 'missing_impressions'
            when
                engagement_rate_raw > 1
                or coalesce(likes, 0) + coalesce(retweets, 0) + coalesce(replies, 0) > impressions
                or viral_score < 0 or viral_score > 100
                then 'metric_out_of_range'
        end as row_defect
    from normalised
),

ranked as (
    select
        *,
        row_number() over (
            partition by decision_id, row_defect is null
            -- every typed column breaks ties, then the untrimmed id: rows that still tie are the same
            -- row (never the engine's JSON text, which prints differently on BigQuery)
            order by
                collected_at desc nulls last, impressions desc nulls last, likes desc nulls last,
                retweets desc nulls last, replies desc nulls last, bookmarks desc nulls last,
                followers_gained desc nulls last, engagement_rate_raw desc nulls last,
                viral_score desc nulls last, decision_id_raw asc nulls last
        ) as recency_rank
    from row_checked
),

final as (
    select
        *,
        case
            when row_defect is not null then row_defect
            when recency_rank > 1 then 'superseded_collection'
        end as rejection_reason
    from ranked
)

select * from final
