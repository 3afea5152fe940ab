-- Every raw promo post, typed, with the one reason (if any) it is quarantined.
with source as (
    select * from {{ source('content', 'content_metadata') }}
),

normalised as (
    select
        trim(source.decision_id) as decision_id,
        cast(source.quality_score as {{ dbt.type_float() }}) as quality_score,
        nullif(trim(lower(source.decision_type)), '') as decision_type,
        nullif(trim(lower(source.bandit_arm)), '') as bandit_arm,
        source.topic,
        source.hook_type,
        source.style,
        cast(source.novelty_score as {{ dbt.type_float() }}) as novelty_score,
        cast(source.expertise_level as {{ dbt.type_float() }}) as expertise_level,
        cast(source.created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(source.posted_at as {{ dbt.type_timestamp() }}) as posted_at,
        row_number() over (
            partition by trim(source.decision_id)
            order by source.created_at, source.posted_at
        ) as decision_copy_number,
        {{ sendwise.row_as_json('source') }} as raw_record
    from source
),

flagged as (
    select
        *,
        case
            when decision_id is null or decision_id = '' then 'missing_decision_id'
            when
                not coalesce({{ sendwise.is_finite('quality_score') }}, true)
                or not coalesce({{ sendwise.is_finite('novelty_score') }}, true)
                or not coalesce({{ sendwise.is_finite('expertise_level') }}, true)
                then 'non_finite_metric'
            when created_at < {{ sendwise.oldest_plausible_at() }} then 'implausible_date'
            when quality_score is null or quality_score < 0 or quality_score > 1 then 'quality_score_out_of_range'
            when
                novelty_score < 0 or novelty_score > 1 or expertise_level < 0 or expertise_level > 1
                then 'score_out_of_range'
            when bandit_arm is null then 'missing_bandit_arm'
            when posted_at < created_at then 'posted_before_created'
            when decision_copy_number > 1 then 'duplicate_decision_id'
        end as rejection_reason
    from normalised
)

select * from flagged
