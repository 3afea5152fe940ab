{#- The k fan-model pairs most similar to one pair: cosine similarity of their fan_embeddings
    vectors (method A: stage texts; B: stage texts + profile features), the pair itself excluded,
    optionally only pairs of one model (page_key) and/or only pairs that have (or have not)
    purchased. A complete select statement (no CTE, so it can be wrapped as a subquery) with
    columns similarity_rank (1 = most similar; ties by fan_model_key), fan_model_key, fan_id,
    page_key, model_name, purchases, revenue, is_active, cosine_similarity.
    fan_model_key and page_key are SQL expressions: quote literals ("'fan_1|mochi'") or pass a
    scalar subquery. -#}
{% macro similar_fans(fan_model_key, k=10, method='B', page_key=none, has_purchased=none) -%}
    {%- if method not in ['A', 'B'] -%}
        {{ exceptions.raise_compiler_error("similar_fans: method must be 'A' or 'B', got " ~ method) }}
    {%- endif -%}
    {%- if k | int < 1 -%}
        {{ exceptions.raise_compiler_error("similar_fans: k must be a positive integer, got " ~ k) }}
    {%- endif -%}
    select
        ranked.similarity_rank,
        ranked.fan_model_key,
        ranked.fan_id,
        ranked.page_key,
        ranked.model_name,
        ranked.purchases,
        ranked.revenue,
        ranked.is_active,
        ranked.cosine_similarity
    from (
        select
            scored.*,
            row_number() over (
                order by scored.cosine_similarity desc, scored.fan_model_key
            ) as similarity_rank
        from (
            select
                candidates.fan_model_key,
                pairs.fan_id,
                pairs.page_key,
                pairs.model_name,
                pairs.purchases,
                pairs.revenue,
                pairs.is_active,
                {{ sendwise.cosine_similarity('candidates.embedding', 'target_pair.embedding') }}
                    as cosine_similarity
            from {{ ref('fan_embeddings') }} as candidates
            inner join (
                select embedding
                from {{ ref('fan_embeddings') }}
                where fan_model_key = {{ fan_model_key }} and method = '{{ method }}'
            ) as target_pair on 1 = 1
            inner join {{ ref('fan_model_pairs') }} as pairs
                on candidates.fan_model_key = pairs.fan_model_key
            where
                candidates.method = '{{ method }}'
                and candidates.fan_model_key <> {{ fan_model_key }}
                {%- if page_key is not none %}
                and pairs.page_key = {{ page_key }}
                {%- endif %}
                {%- if has_purchased is not none %}
                and (pairs.purchases > 0) = {{ 'true' if has_purchased else 'false' }}
                {%- endif %}
        ) as scored
    ) as ranked
    where ranked.similarity_rank <= {{ k | int }}
{%- endmacro %}
