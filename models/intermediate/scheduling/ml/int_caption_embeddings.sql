-- Library captions with their embedding from the cache for the current provider (var
-- embedding_provider) and that provider's model (setting embedding_model_<provider>): the input of
-- caption clusters and near-duplicate detection. A caption whose vector is missing keeps its row
-- with a null embedding (a data test fails on it) rather than disappearing. embedding_hash (md5 of
-- the vector's JSON text) tells caption_near_duplicates which captions' vectors changed since its
-- last run (docs/ml.md, "Reuse").
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
        {{ dbt.hash(sendwise.row_as_json('embeddings.embedding')) }} as embedding_hash
    from texts
    inner join captions on texts.caption_id = captions.caption_id
    left join embeddings on texts.text_hash = embeddings.text_hash
)

select * from final
