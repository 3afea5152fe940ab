-- Cross-sell: for each fan active with exactly one creator, the other creators of the agency
-- where fans like him spend most. Similar fans = the fan_cross_sell_neighbours fans whose pair
-- (with any creator) is nearest by cosine of the fan_embeddings Method B vector (stage texts +
-- profile: the similar-fan search's vectors), among fans who talk to 2+ creators (only they
-- show what an introduction can earn). For a candidate creator c (not the fan's own), value per
-- introduction = the mean revenue of those similar fans with c (n = how many of them talk to c,
-- at least fan_cross_sell_min_fans), 95 % interval mean +/- 1.96 sd / sqrt(n) (sample sd; the
-- low end floored at 0, revenue is never negative; dollars rounded to cents, the mean taken
-- over exact decimals so that it rounds the same way in every build);
-- the fan_cross_sell_top_n candidates by value are kept. An estimate from fans who chose c
-- themselves: an introduced fan may spend less (selection), so read it as an upper guide.
with pairs as (
    select
        fan_model_key,
        fan_id,
        page_key,
        revenue,
        is_active
    from {{ ref('fan_model_pairs') }}
),

fan_creators as (
    select
        fan_id,
        count(*) as creators
    from pairs
    group by 1
),

vectors as (
    select
        fan_model_key,
        embedding
    from {{ ref('fan_embeddings') }}
    where method = 'B'
),

sources as (
    select
        pairs.fan_model_key,
        pairs.fan_id,
        pairs.page_key,
        vectors.embedding
    from pairs
    inner join fan_creators on pairs.fan_id = fan_creators.fan_id
    inner join vectors on pairs.fan_model_key = vectors.fan_model_key
    where fan_creators.creators = 1 and pairs.is_active
),

references_pairs as (
    select
        pairs.fan_model_key,
        pairs.fan_id,
        vectors.embedding
    from pairs
    inner join fan_creators on pairs.fan_id = fan_creators.fan_id
    inner join vectors on pairs.fan_model_key = vectors.fan_model_key
    where fan_creators.creators >= 2
),

similarities as (
    select
        sources.fan_model_key,
        sources.page_key,
        references_pairs.fan_id as neighbour_fan_id,
        max({{ sendwise.cosine_similarity('sources.embedding', 'references_pairs.embedding') }})
            as cosine_similarity
    from sources
    cross join references_pairs
    group by 1, 2, 3
),

neighbours as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by fan_model_key order by cosine_similarity desc, neighbour_fan_id asc
            ) as neighbour_rank
        from similarities
    ) as ranked
    where neighbour_rank <= {{ sendwise.setting('fan_cross_sell_neighbours') }}
),

candidate_spend as (
    select
        neighbours.fan_model_key,
        neighbours.page_key,
        other_pairs.page_key as candidate_page_key,
        count(*) as similar_fans,
        -- the mean of an exact sum (macro exact_sum): a float mean differs between two builds in its
        -- last bits, and a mean that is an exact half cent would round either way
        {{ sendwise.exact_sum('other_pairs.revenue') }} / count(*) as value_per_introduction,
        stddev_samp(other_pairs.revenue) as revenue_sd,
        avg(neighbours.cosine_similarity) as mean_similarity
    from neighbours
    inner join pairs as other_pairs
        on neighbours.neighbour_fan_id = other_pairs.fan_id
            and neighbours.page_key <> other_pairs.page_key
    group by 1, 2, 3
),

final as (
    select
        {{ dbt.concat(['fan_model_key', "'|'", 'candidate_page_key']) }} as cross_sell_id,
        fan_model_key,
        page_key,
        candidate_page_key,
        similar_fans,
        mean_similarity,
        -- round_float: a mean on a half cent (46.985) rounds alike on both engines (docs/bigquery-checks.md)
        {{ sendwise.round_float('value_per_introduction', 2) }} as value_per_introduction,
        {{ sendwise.round_float(
            'greatest(value_per_introduction - 1.96 * revenue_sd / sqrt(similar_fans), 0)', 2
        ) }} as value_ci_low,
        {{ sendwise.round_float('value_per_introduction + 1.96 * revenue_sd / sqrt(similar_fans)', 2) }}
            as value_ci_high,
        row_number() over (
            partition by fan_model_key order by value_per_introduction desc, candidate_page_key asc
        ) as candidate_rank
    from candidate_spend
    where similar_fans >= {{ sendwise.setting('fan_cross_sell_min_fans') }}
)

select *
from final
where candidate_rank <= {{ sendwise.setting('fan_cross_sell_top_n') }}
