{{ config(
    materialized='incremental',
    unique_key='run_key',
    full_refresh=(none if var('rebuild_paid_caches', false) else false)
) }}
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
        -- naive UTC from pandas: DATETIME on BigQuery, so compare as timestamps
        cast(embedded_at as {{ dbt.type_timestamp() }}) as embedded_at
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

text_hashes as (
    -- one row per distinct text of a kind (texts with the same hash share one vector)
    select
        texts.text_kind,
        texts.text_hash,
        max(case when embeddings.text_hash is not null then 1 else 0 end) as has_vector,
        max(case when embeddings.embedded_at >= run_info.run_started_at then 1 else 0 end) as is_embedded_this_run,
        max(embeddings.token_count) as token_count
    from texts
    cross join run_info
    left join embeddings on texts.text_hash = embeddings.text_hash
    group by 1, 2
),

counted as (
    select
        text_kind,
        sum(case when has_vector = 1 and is_embedded_this_run = 0 then 1 else 0 end) as texts_cached,
        sum(is_embedded_this_run) as texts_embedded,
        coalesce(sum(case when is_embedded_this_run = 1 then token_count end), 0) as tokens_embedded,
        sum(1 - has_vector) as texts_missing
    from text_hashes
    group by 1
),

final as (
    select
        {{ dbt.concat(['run_info.invocation_id', "'|'", 'kinds.text_kind']) }} as run_key,
        run_info.invocation_id,
        run_info.run_started_at,
        {{ sendwise.as_of() }} as as_of,
        '{{ var("embedding_provider") }}' as provider,  -- noqa: RF04
        {{ sendwise.setting_text('embedding_model_' ~ var('embedding_provider')) }} as model_name,
        kinds.text_kind,
        kinds.texts,
        kinds.distinct_texts,
        cast(counted.texts_cached as {{ dbt.type_int() }}) as texts_cached,
        cast(counted.texts_embedded as {{ dbt.type_int() }}) as texts_embedded,
        cast(counted.tokens_embedded as {{ dbt.type_int() }}) as tokens_embedded,
        cast(counted.texts_missing as {{ dbt.type_int() }}) as texts_missing
    from kinds
    cross join run_info
    inner join counted on kinds.text_kind = counted.text_kind
)

select * from final
