{#- The rows of the shared embedding cache (ml_text_embeddings) for the current provider
    (var embedding_provider) and that provider's model (setting embedding_model_<provider>):
    text_hash, embedding_key, embedding_dims, embedding. embedding_key (md5 of provider, model and
    text hash) names a vector for good: the cache embeds a key once and never replaces its vector,
    so a caller that needs to know whether a vector changed compares keys, not vectors. Callers
    left-join their texts to it on text_hash, so a text whose vector is missing keeps its row with
    a null embedding. -#}
{% macro current_embeddings() -%}
    select
        text_hash,
        embedding_key,
        embedding_dims,
        embedding
    from {{ ref('ml_text_embeddings') }}
    where
        provider = '{{ var("embedding_provider") }}'
        and model_name = {{ sendwise.setting_text('embedding_model_' ~ var('embedding_provider')) }}
{%- endmacro %}
