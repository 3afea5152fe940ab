-- Every raw caption, typed and normalised, with the one reason (if any) it is quarantined.
-- agency.caption_bank may be absent (a chat log alone still builds the fan analytics): optional_source.
with source as (
    select * from {{ sendwise.optional_source('agency', 'caption_bank') }}
),

normalised as (
    select
        trim(source.caption_id) as caption_id,
        source.caption_text,
        {{ sendwise.normalize_caption_text('source.caption_text') }} as caption_text_normalized,
        {{ sendwise.caption_hash('source.caption_text') }} as caption_hash,
        nullif(trim(lower(source.content_category)), '') as content_category,
        nullif(trim(lower(source.price_tier)), '') as price_tier,
        nullif(trim(lower(source.tone)), '') as tone,
        nullif(trim(lower(source.usage_status)), '') as usage_status,
        nullif(trim(lower(source.validation_level)), '') as validation_level,
        cast(source.created_at as {{ dbt.type_timestamp() }}) as created_at,
        {{ sendwise.row_as_json('source') }} as raw_record
    from source
),

checked as (
    select
        *,
        case
            when caption_id is null or caption_id = '' then 'missing_caption_id'
            when caption_text_normalized is null or caption_text_normalized = '' then 'missing_caption_text'
            when content_category is null then 'missing_content_category'
        end as row_problem
    from normalised
),

-- copies of an id numbered usable ones first (then by creation and text): an id whose earlier row
-- lacks its category keeps its good row instead of losing it as a duplicate of the bad one
numbered as (
    select
        *,
        row_number() over (
            partition by caption_id
            order by case when row_problem is null then 0 else 1 end, created_at, caption_text
        ) as caption_id_copy_number
    from checked
)

select
    *,
    coalesce(row_problem, case when caption_id_copy_number > 1 then 'duplicate_caption_id' end) as rejection_reason
from numbered
