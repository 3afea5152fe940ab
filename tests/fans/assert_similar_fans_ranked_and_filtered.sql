-- The similar-fans macro on a real pair (the smallest key that has a purchase), unfiltered and
-- filtered to the same model and to buyers: no result is the pair itself, at most k rows, ranks
-- 1..k in order of non-increasing cosine similarity within [-1, 1], and every filtered row obeys
-- its filters. DuckDB executes it in dbt build; the BigQuery gate parses its compiled SQL.
{% set target_key -%}
    (
        select min(pairs.fan_model_key)
        from {{ ref('fan_model_pairs') }} as pairs
        where pairs.purchases > 0
    )
{%- endset %}
{% set target_page -%}
    (
        select min(pairs.page_key)
        from {{ ref('fan_model_pairs') }} as pairs
        where pairs.fan_model_key = {{ target_key }}
    )
{%- endset %}

with unfiltered as (
    {{ sendwise.similar_fans(target_key, k=5, method='B') }}
),

filtered as (
    {{ sendwise.similar_fans(target_key, k=3, method='A', page_key=target_page, has_purchased=true) }}
),

results as (
    select
        'unfiltered' as query_name,
        5 as k,
        unfiltered.*
    from unfiltered
    union all
    select
        'filtered' as query_name,
        3 as k,
        filtered.*
    from filtered
),

checked as (
    select
        *,
        lag(cosine_similarity) over (partition by query_name order by similarity_rank) as previous_similarity,
        count(*) over (partition by query_name) as result_rows
    from results
)

select *
from checked
where
    fan_model_key = {{ target_key }}
    or similarity_rank > k
    or result_rows > k
    or cosine_similarity is null
    or cosine_similarity > 1.000001
    or cosine_similarity < -1.000001
    or previous_similarity < cosine_similarity
    or (query_name = 'filtered' and (page_key <> {{ target_page }} or purchases = 0))
