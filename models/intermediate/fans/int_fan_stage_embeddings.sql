-- One row per fan-model pair and stage with the stage text's vector from the shared embedding
-- cache (ml_text_embeddings) for the current provider (var embedding_provider) and its model
-- (setting embedding_model_<provider>). A stage without words has no vector by design
-- (is_text_empty); a stage with words whose vector is missing keeps its row with a null
-- embedding, which a data test reports, rather than disappearing.
with stage_texts as (
    select
        stage_text_id,
        fan_model_key,
        stage,
        stage_text,
        text_hash,
        is_text_empty
    from {{ ref('int_fan_stage_texts') }}
),

embeddings as (
    {{ sendwise.current_embeddings() }}
),

final as (
    select
        stage_texts.stage_text_id,
        stage_texts.fan_model_key,
        stage_texts.stage,
        stage_texts.stage_text,
        stage_texts.text_hash,
        stage_texts.is_text_empty,
        -- an empty stage has no vector even if the cache holds one for its hash; the condition is
        -- here, not in the join: a left join on the hash and a left-side filter took 30-50 s at
        -- x10 on DuckDB (no hash join), on the hash alone about 1 s
        case when not stage_texts.is_text_empty then embeddings.embedding_dims end as embedding_dims,
        case when not stage_texts.is_text_empty then embeddings.embedding end as embedding
    from stage_texts
    left join embeddings on stage_texts.text_hash = embeddings.text_hash
)

select * from final
