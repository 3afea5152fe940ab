{{ config(
    materialized='table',
    partition_by=sendwise.fact_partition_by('sent_at'),
    cluster_by=sendwise.fact_cluster_by()
) }}
-- Every clean send with what the scheduling models need: the caption it links to (by
-- caption_hash), page-local time (hour, ISO day of week, date), price band, and its age and
-- caption decay weight relative to as_of. Sends of pages missing from the pages table are kept
-- (is_page_known false, no local time) so nothing disappears silently.
with sends as (
    select * from {{ ref('stg_agency__mass_messages') }}
),

pages as (
    select
        page_key,
        time_zone
    from {{ ref('stg_agency__pages') }}
),

captions_by_hash as (
    -- two library captions with the same normalised text share a hash: the send is credited
    -- to the smallest caption_id and the ambiguity is counted
    select
        caption_hash,
        min(caption_id) as caption_id,
        min(content_category) as content_category,
        count(*) as captions_with_text
    from {{ ref('stg_agency__caption_bank') }}
    group by 1
),

localised as (
    select
        sends.send_id,
        sends.page_key,
        pages.page_key is not null as is_page_known,
        pages.time_zone,
        sends.caption_hash,
        captions_by_hash.caption_id,
        captions_by_hash.caption_id is not null as is_caption_in_bank,
        coalesce(captions_by_hash.captions_with_text, 0) > 1 as is_caption_text_ambiguous,
        captions_by_hash.content_category,
        sends.message_type,
        sends.message_type = 'ppv' and sends.price > 0 as is_ppv,
        sends.price,
        {{ sendwise.price_band('sends.price') }} as price_band,
        sends.sent_at,
        {{ sendwise.to_local_timestamp('sends.sent_at', 'pages.time_zone') }} as sent_local_at,
        sends.sent_count,
        sends.viewed_count,
        sends.purchased_count,
        sends.earnings,
        {{ sendwise.age_days('sends.sent_at') }} as age_days
    from sends
    left join pages on sends.page_key = pages.page_key
    left join captions_by_hash on sends.caption_hash = captions_by_hash.caption_hash
),

final as (
    select
        *,
        cast(sent_local_at as date) as local_date,
        extract(hour from sent_local_at) as local_hour,
        {{ sendwise.iso_day_of_week('sent_local_at') }} as local_dow,
        {{ sendwise.decay_weight('age_days', sendwise.setting('caption_half_life_days')) }} as caption_decay_weight
    from localised
)

select * from final
