{{ config(materialized='table') }}
-- Style features of every caption text the project knows (library captions and texts that
-- were sent), one row per caption_hash: length bin, emoji bin, call to action, urgency, and
-- whether the text ends with a question. style_key groups texts for the style lift.
with library_texts as (
    select
        caption_hash,
        caption_text_normalized
    from {{ ref('stg_agency__caption_bank') }}
),

sent_texts as (
    select
        caption_hash,
        caption_text_normalized
    from {{ ref('stg_agency__mass_messages') }}
),

texts as (
    select
        caption_hash,
        min(caption_text_normalized) as caption_text_normalized
    from (
        select * from library_texts
        union all
        select * from sent_texts
    ) as all_texts
    group by 1
),

measured as (
    select
        caption_hash,
        length(caption_text_normalized) as text_length,
        {{ sendwise.regexp_count('caption_text_normalized', sendwise.emoji_pattern()) }} as emoji_count,
        {{ sendwise.regexp_contains('caption_text_normalized', sendwise.cta_pattern()) }} as has_cta,
        {{ sendwise.regexp_contains('caption_text_normalized', sendwise.urgency_pattern()) }} as has_urgency,
        {{ sendwise.regexp_contains('caption_text_normalized', "'[?][^a-z0-9]*$'") }} as ends_with_question
    from texts
),

binned as (
    select
        *,
        case
            when text_length <= {{ sendwise.setting('style_length_short_max') }} then 'short'
            when text_length >= {{ sendwise.setting('style_length_long_min') }} then 'long'
            else 'medium'
        end as length_bin,
        case
            when emoji_count = 0 then 'none'
            when emoji_count <= 2 then 'some'
            else 'many'
        end as emoji_bin
    from measured
),

final as (
    select
        caption_hash,
        text_length,
        emoji_count,
        length_bin,
        emoji_bin,
        has_cta,
        has_urgency,
        ends_with_question,
        {{ dbt.concat([
            'length_bin', "'|'", 'emoji_bin', "'|'",
            "case when has_cta then 'cta' else 'no_cta' end", "'|'",
            "case when has_urgency then 'urgent' else 'calm' end", "'|'",
            "case when ends_with_question then 'question' else 'statement' end"
        ]) }} as style_key
    from binned
)

select * from final
