{{ config(materialized='table') }}

-- The content fingerprint of every relation a fan ML Python model fits on, one row per input (macro
-- relation_fingerprint): fan_predictions reads int_fan_chat_messages and int_fan_purchase_features,
-- fan_embeddings int_fan_stage_embeddings and fan_profiles, fan_clusters int_fan_stage_texts (and
-- fan_embeddings, fingerprinted after it is built: int_fan_embedding_fingerprints). Each model
-- combines its inputs' rows with the settings it reads and its code into one fingerprint and reuses
-- its previous output when that has not changed (docs/ml.md, "Reuse"). Apart from
-- int_ml_input_fingerprints so that the fans subgraph does not wait for (or select) the scheduling
-- and content models' inputs.
-- int_fan_stage_embeddings is hashed without its vectors: a vector is the embedding cache's row for
-- (provider, model, text hash), so the text hash in the row and the provider and model in effect
-- (row embedding_model) determine it, and printing every float as JSON is slow (11 s for 4,196 x
-- 256 floats at the seed scale, against 0.7 s for the rest of the relation).
{%- set embedding_model -%}
    (
        select
            '{{ var("embedding_provider") }}' as provider,
            {{ sendwise.setting_text('embedding_model_' ~ var('embedding_provider')) }} as model_name
    )
{%- endset %}

with fingerprints as (
    {{ sendwise.relation_fingerprint('int_fan_chat_messages', ref('int_fan_chat_messages'), exclude=['fact_batch']) }}
    union all
    {{ sendwise.relation_fingerprint('int_fan_purchase_features', ref('int_fan_purchase_features')) }}
    union all
    {{ sendwise.relation_fingerprint(
        'int_fan_stage_embeddings', ref('int_fan_stage_embeddings'), exclude=['embedding'],
    ) }}
    union all
    {{ sendwise.relation_fingerprint('embedding_model', embedding_model) }}
    union all
    {{ sendwise.relation_fingerprint('int_fan_stage_texts', ref('int_fan_stage_texts')) }}
    union all
    {{ sendwise.relation_fingerprint('fan_profiles', ref('fan_profiles')) }}
)

select
    input_name,
    row_count,
    hash_xor,
    hash_sum
from fingerprints
