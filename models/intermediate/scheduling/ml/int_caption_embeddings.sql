{{ config(
    materialized='incremental',
    incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
    on_schema_change='sync_all_columns',
    pre_hook={"sql": "{{ sendwise.delete_stale_rows('caption_id', sendwise.caption_embedding_rows(),
        ['content_category', 'caption_text_normalized', 'text_hash', 'embedding_hash']) }}", "transaction": false}
) }}
-- Library captions with their embedding from the cache for the current provider (var
-- embedding_provider) and that provider's model (setting embedding_model_<provider>): the input of
-- caption clusters and near-duplicate detection. A caption whose vector is missing keeps its row
-- with a null embedding (a data test fails on it) rather than disappearing. embedding_hash tells
-- caption_near_duplicates and ml_caption_clusters which captions' vectors changed since their last
-- run (docs/ml.md, "Reuse"): it is the cache's embedding_key, which names one vector for good (the
-- cache never re-embeds a key). It was the md5 of the vector's JSON text: serialising every vector
-- of the library on every build (358,560 x 256 floats at x10) cost more than the rest of this model.
-- Kept between builds (issue 20): a build deletes the rows of captions that are gone or whose text,
-- category or vector key changed, and of every caption when this file's code changed
-- (delete_stale_rows), then writes the vectors of the captions it no longer holds: a day's few new
-- captions instead of the whole library's vectors (358,560 x 256 floats at x10).
with current_rows as (
    {{ sendwise.caption_embedding_rows() }}
),

rows_to_write as (
    select *
    from current_rows
    {%- if is_incremental() %}
    where caption_id not in (select built.caption_id from {{ this }} as built)
    {%- endif %}
),

embeddings as (
    {{ sendwise.current_embeddings() }}
),

final as (
    select
        rows_to_write.caption_id,
        rows_to_write.content_category,
        rows_to_write.caption_text_normalized,
        rows_to_write.text_hash,
        embeddings.embedding_dims,
        embeddings.embedding,
        rows_to_write.embedding_hash,
        rows_to_write.code_key
    from rows_to_write
    left join embeddings on rows_to_write.text_hash = embeddings.text_hash
)

select * from final
