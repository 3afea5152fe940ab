{{ config(materialized='table') }}

-- The content fingerprint of every relation an ML Python model trains on, one row per input
-- (macro relation_fingerprint). Each model combines its inputs' rows with the settings it reads
-- and its code version into one fingerprint, and reuses its previous output when the fingerprint
-- has not changed (docs/ml.md, "Reuse"): a rebuild with no new data retrains nothing.
-- int_revenue_scoring_candidates has its own model (int_ml_scoring_fingerprints): it is built after
-- the caption clusters (through the weekly template), which read this table.
-- caption_near_duplicates is not an input here: it is a function of int_caption_embeddings and a
-- setting, so ml_caption_clusters fingerprints int_caption_embeddings and that setting instead.
-- The vectors themselves are left out of int_caption_embeddings' fingerprint: embedding_hash (the
-- cache key, which names one vector for good) stands for each, so no build serialises the library's
-- vectors to hash them.
with fingerprints as (
    {{ sendwise.relation_fingerprint('int_revenue_model_features', ref('int_revenue_model_features')) }}
    union all
    {{ sendwise.relation_fingerprint('int_caption_embeddings', ref('int_caption_embeddings'), exclude=['embedding']) }}
    union all
    {{ sendwise.relation_fingerprint('int_content_post_features', ref('int_content_post_features')) }}
)

select
    input_name,
    row_count,
    hash_xor,
    hash_sum
from fingerprints
