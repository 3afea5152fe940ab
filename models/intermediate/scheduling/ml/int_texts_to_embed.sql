-- Every text the embedding model (ml_text_embeddings) must have a vector for, one row per
-- (text_kind, text_id). Interface: text_id, text_kind, text_hash (md5 of exactly the text that is
-- embedded: the cache key with provider and model), text. Add a kind with one more union-all
-- branch selecting the same four columns (e.g. the fan analytics' conversation-stage texts as
-- text_kind 'fan_stage'); texts are normalised by their producer, never here.
with caption_texts as (
    -- library captions, normalised (entities decoded, lowercase, whitespace collapsed)
    select
        caption_id as text_id,
        'caption' as text_kind,
        -- the interface column is named text
        caption_text_normalized as text  -- noqa: RF04
    from {{ ref('stg_agency__caption_bank') }}
),

fan_stage_texts as (
    -- the fan's words per fan-model pair and conversation stage (fan analytics, docs/fans.md); a stage
    -- without words has nothing to embed and is skipped by key (is_text_empty), never by position
    select
        stage_text_id as text_id,
        text_kind,
        stage_text as text  -- noqa: RF04
    from {{ ref('int_fan_stage_texts') }}
    where not is_text_empty
),

all_texts as (
    select * from caption_texts
    union all
    select * from fan_stage_texts
),

final as (
    select
        {{ dbt.concat(['text_kind', "':'", 'text_id']) }} as text_key,
        text_id,
        text_kind,
        {{ dbt.hash('text') }} as text_hash,
        text
    from all_texts
)

select * from final
