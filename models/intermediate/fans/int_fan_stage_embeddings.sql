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
        embeddings.embedding_dims,
        embeddings.embedding
    from stage_texts
    left join embeddings
        on
            stage_texts.text_hash = embeddings.text_hash
            and not stage_texts.is_text_empty
)

select * from final
