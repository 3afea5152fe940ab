{{ config(materialized='incremental', unique_key='run_key') }}
-- Embedding run log (incremental): one row per dbt invocation and text kind with how many texts
-- needed a vector, how many the cache already had and how many this build embedded (and their
-- tokens). The vectors of this build are the cache rows whose embedded_at is at or after the
-- invocation's start, so a second build with the same data shows texts_embedded = 0.
with texts as (
    select
        text_kind,
        text_hash
    from {{ ref('int_texts_to_embed') }}
),

embeddings as (
    select
        text_hash,
        token_count,
        embedded_at
    from {{ ref('ml_text_embeddings') }}
    where
        provider = '{{ var("embedding_provider") }}'
        and model_name = {{ sendwise.setting_text('embedding_model_' ~ var('embedding_provider')) }}
),

run_info as (
    select
        '{{ invocation_id }}' as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
            as run_started_at
),

kinds as (
    select
        text_kind,
        count(*) as texts,
        count(distinct text_hash) as distinct_texts
    from texts
    group by 1
),

hashes as (
    select distinct
        texts.text_kind,
        texts.text_hash,
        embeddings.text_hash is not null as has_vector,
        coalesce(embeddings.embedded_at >= run_info.run_started_at, false) as is_embedded_this_run,
        embeddings.token_count
    from texts
    cross join run_info
    left join embeddings on texts.text_hash = embeddings.text_hash
),

counted as (
    select
        text_kind,
        count(case when has_vector and not is_embedded_this_run then text_hash end) as texts_cached,
        count(case when is_embedded_this_run then text_hash end) as texts_embedded,
        cast(coalesce(sum(case when is_embedded_this_run then token_count end), 0) as {{ dbt.type_int() }})
            as tokens_embedded,
        count(case when not has_vector then text_hash end) as texts_missing
    from hashes
    group by 1
),

final as (
    select
        {{ dbt.concat(['run_info.invocation_id', "'|'", 'kinds.text_kind']) }} as run_key,
        run_info.invocation_id,
        run_info.run_started_at,
        {{ sendwise.as_of() }} as as_of,
        '{{ var("embedding_provider") }}' as provider,
        {{ sendwise.setting_text('embedding_model_' ~ var('embedding_provider')) }} as model_name,
        kinds.text_kind,
        kinds.texts,
        kinds.distinct_texts,
        counted.texts_cached,
        counted.texts_embedded,
        counted.tokens_embedded,
        counted.texts_missing
    from kinds
    cross join run_info
    inner join counted on kinds.text_kind = counted.text_kind
)

select * from final
