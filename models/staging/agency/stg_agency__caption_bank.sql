-- Clean caption library: one row per caption_id, with the normalised text and its hash
-- (the key that links sends to captions).
select
    caption_id,
    caption_text,
    caption_text_normalized,
    caption_hash,
    content_category,
    price_tier,
    tone,
    usage_status,
    validation_level,
    coalesce(usage_status = 'available', false) as is_available,
    coalesce(validation_level in ('medium', 'high'), false) as is_validated,
    created_at
from {{ ref('base_agency__caption_bank') }}
where rejection_reason is null
