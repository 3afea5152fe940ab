{{ config(materialized='table') }}

-- The content fingerprint of fan_embeddings (macro relation_fingerprint, one row) for fan_clusters'
-- reuse: a model of its own because fan_embeddings itself reads int_fan_input_fingerprints. The
-- build stamp and fit columns change on every build while the vectors stay: left out.
with fingerprints as (
    {{ sendwise.relation_fingerprint(
        'fan_embeddings',
        ref('fan_embeddings'),
        exclude=['as_of', 'built_at', 'input_fingerprint', 'fit_mode'],
    ) }}
)

select
    input_name,
    row_count,
    hash_xor,
    hash_sum
from fingerprints
