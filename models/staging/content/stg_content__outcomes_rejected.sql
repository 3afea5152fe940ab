-- Quarantined outcome rows (bad rows, superseded older collections, and orphans: a valid latest
-- collection whose decision_id no raw post has) with the reason.
with outcomes as (
    select
        outcomes.decision_id,
        outcomes.collected_at,
        outcomes.recency_rank,
        outcomes.raw_record,
        coalesce(
            outcomes.rejection_reason,
            case
                when outcomes.decision_id not in (
                        -- every raw post (quarantined posts included)
                        select posts.decision_id from {{ ref('base_content__content_metadata') }} as posts
                        where posts.decision_id is not null
                    ) then 'orphan_decision_id'
            end
        ) as rejection_reason
    from {{ ref('base_content__outcomes') }} as outcomes
)

select
    'content.outcomes' as source_table,
    coalesce(decision_id, '')
    || '#' || coalesce({{ sendwise.key_text('collected_at', 'timestamp') }}, '')
    || '#' || rejection_reason
    || '#' || cast(recency_rank as {{ dbt.type_string() }}) as rejected_row_key,
    rejection_reason,
    decision_id,
    collected_at,
    raw_record
from outcomes
where rejection_reason is not null
