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

{#- Each library caption with what its row of int_caption_embeddings is made of, without the vector:
    caption_id, content_category, caption_text_normalized, text_hash, embedding_hash (the cache's
    embedding_key when the cache has a row for the text, else null) and code_key (the md5 of the
    calling model's code). int_caption_embeddings writes these rows with their vectors and compares
    them with its table to find the rows to replace. The vector column is not read here: the cache
    writes a checked vector with every key (ml_text_embeddings, validate_vectors), and a null vector
    would still stop the caption models that read it (embedding_matrix raises). Testing it for null
    read all of the library's vectors (358,560 x 256 floats at x10) twice per build to find a
    day's few new captions. -#}
{% macro caption_embedding_rows() -%}
    select
        texts.text_id as caption_id,
        captions.content_category,
        captions.caption_text_normalized,
        texts.text_hash,
        embeddings.embedding_key as embedding_hash,
        '{{ local_md5(model.raw_code) }}' as code_key
    from {{ ref('int_texts_to_embed') }} as texts
    inner join {{ ref('stg_agency__caption_bank') }} as captions on texts.text_id = captions.caption_id
    left join ({{ sendwise.current_embeddings() }}) as embeddings on texts.text_hash = embeddings.text_hash
    where texts.text_kind = 'caption'
{%- endmacro %}

{#- The pre_hook of a table kept between builds by key: delete the rows whose key is gone from
    `current_rows` (a select with the key, `columns` and code_key) or whose columns or code_key
    differ from its row there (nothing on a full build). The model then inserts the current rows
    whose key it no longer holds. -#}
{% macro delete_stale_rows(key, current_rows, columns) -%}
    {%- set condition -%}
        {{ key }} not in (
            select current_rows.{{ key }}
            from ({{ current_rows }}) as current_rows
            inner join {{ this }} as built
                on
                    current_rows.{{ key }} = built.{{ key }}
                    and current_rows.code_key = built.code_key
                    {%- for column in columns %}
                    and current_rows.{{ column }} is not distinct from built.{{ column }}
                    {%- endfor %}
        )
    {%- endset -%}
    {#- a table with other columns than the model's (e.g. from before code_key) gets them and every
        row is replaced (delete_for_rebuild) -#}
    {{ sendwise.delete_for_rebuild(condition) }}
{%- endmacro %}
