{{ config(materialized='table') }}

-- The content fingerprint of the revenue GBM's scoring candidates (macro relation_fingerprint),
-- apart from int_ml_input_fingerprints because the candidates come after the caption clusters
-- (through the weekly template) and the clusters read int_ml_input_fingerprints.
with fingerprints as (
    {{ sendwise.relation_fingerprint('int_revenue_scoring_candidates', ref('int_revenue_scoring_candidates')) }}
)

select
    input_name,
    row_count,
    hash_xor,
    hash_sum
from fingerprints
