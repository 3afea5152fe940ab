-- Library captions with their embedding from the cache for the current provider (var
-- embedding_provider) and that provider's model (setting embedding_model_<provider>): the input of
-- caption clusters and near-duplicate detection. A caption whose vector is missing keeps its row
-- with a null embedding (a data test fails on it) rather than disappearing. embedding_hash tells
-- caption_near_duplicates and ml_caption_clusters which captions' vectors changed since their last
-- run (docs/ml.md, "Reuse"): it is the cache's embedding_key, which names one vector for good (the
-- cache never re-embeds a key). It was the md5 of the vector's JSON text: serialising every vector
-- of the library on every build (358,560 x 256 floats at x10) cost more than the rest of this model.
with texts as (
    select
        text_id as caption_id,
        text_hash
    from {{ ref('int_texts_to_embed') }}
    where text_kind = 'caption'
),

captions as (
    select
        caption_id,
        content_category,
        caption_text_normalized
    from {{ ref('stg_agency__caption_bank') }}
),

embeddings as (
    {{ sendwise.current_embeddings() }}
),

final as (
    select
        texts.caption_id,
        captions.content_category,
        captions.caption_text_normalized,
        texts.text_hash,
        embeddings.embedding_dims,
        embeddings.embedding,
        case when embeddings.embedding is not null then embeddings.embedding_key end as embedding_hash
    from texts
    inner join captions on texts.caption_id = captions.caption_id
    left join embeddings on texts.text_hash = embeddings.text_hash
)

select * from final
