-- The captions caption_near_duplicates saw (docs/ml.md, "Reuse"): caption_id, content category and
-- the hash of the vector, from the same int_caption_embeddings, built after it (the ref below). Its
-- next run reads this table by name (a ref would be a cycle) and updates its pairs from here when
-- the table still holds what it saw (caption_set_hash): only the new or changed captions are searched.
-- depends_on: {{ ref('caption_near_duplicates') }}
with captions as (
    select
        caption_id,
        content_category,
        embedding_hash
    from {{ ref('int_caption_embeddings') }}
),

final as (
    select * from captions
)

select * from final
