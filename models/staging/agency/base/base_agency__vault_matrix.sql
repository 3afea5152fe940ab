-- Every raw vault row (wide), with the one reason (if any) it is quarantined.
with source as (
    select * from {{ source('agency', 'vault_matrix') }}
),

flagged as (
    select
        source.*,
        {{ sendwise.normalize_page_key('source.page_name') }} as page_key,
        row_number() over (
            partition by {{ sendwise.normalize_page_key('source.page_name') }}
            order by source.page_name
        ) as page_copy_number,
        {{ sendwise.row_as_json('source') }} as raw_record
    from source
),

final as (
    select
        *,
        case
            when page_key is null then 'missing_page_name'
            when page_copy_number > 1 then 'duplicate_page_name'
        end as rejection_reason
    from flagged
)

select * from final
