-- Cross-sell: for each fan active with exactly one creator, the other creators of the agency
-- where fans like him spend most. Similar fans = the fan_cross_sell_neighbours fans whose pair
-- (with any creator) is nearest by cosine of the fan_embeddings Method B vector (stage texts +
-- profile: the similar-fan search's vectors), among fans who talk to 2+ creators (only they
-- show what an introduction can earn). For a candidate creator c (not the fan's own), with at
-- least fan_cross_sell_min_fans of the similar fans talking to c:
--
--   m = their mean revenue with c (n fans)
--   mu_c, s2_c, N_c = mean, sample variance and count of the revenue of every fan of 2+ creators with c
--   v = s2_c / n                                     (the sampling variance of m)
--   tau2 = var_samp(m - mu_c) - avg(v)               over every fan x candidate of the build
--   w = tau2 / (tau2 + v)   (0 when tau2 <= 0; 1 when tau2 cannot be estimated, under 2 rows)
--   value_per_introduction = mu_c + w (m - mu_c)
--   95 % interval value -/+ 1.96 sqrt(w v + (1 - w)^2 s2_c / N_c), low end floored at 0
--
-- Empirical Bayes (Morris's normal-normal shrinkage, tau2 by the method of moments, as the
-- caption lift's prior): a neighbourhood of 2-5 fans is noisy, so its mean is pulled toward the
-- creator's mean by how much neighbourhoods really differ beyond that noise, and one lucky
-- fan no longer tops a candidate list. The noise variance is the creator's (s2_c over all its
-- fans of 2+ creators): a sample sd of 2-5 revenues is itself too noisy to carry an interval.
-- The posterior variance adds the uncertainty of mu_c, weighted by (1 - w)^2. Neighbourhoods share
-- fans, so tau2 is estimated from correlated means (if anything too small: more shrinkage).
-- Dollars rounded to cents; the means are taken over exact decimals (macro exact_sum) so that
-- they round the same way in every build, and w to 9 decimals. The fan_cross_sell_top_n
-- candidates by value are kept. An estimate from fans who chose c themselves: an introduced fan
-- may spend less (selection), so read it as an upper guide.
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
        {{ sendwise.exact_sum('other_pairs.revenue') }} / count(*) as neighbour_mean_value,
        avg(neighbours.cosine_similarity) as mean_similarity
    from neighbours
    inner join pairs as other_pairs
        on neighbours.neighbour_fan_id = other_pairs.fan_id
            and neighbours.page_key <> other_pairs.page_key
    group by 1, 2, 3
    having count(*) >= {{ sendwise.setting('fan_cross_sell_min_fans') }}
),

-- every fan of 2+ creators with each creator: the prior of an introduction to that creator
creator_prior as (
    select
        pairs.page_key as candidate_page_key,
        count(*) as creator_fans,
        {{ sendwise.exact_sum('pairs.revenue') }} / count(*) as creator_mean_value,
        coalesce(var_samp(pairs.revenue), 0) as creator_revenue_variance
    from pairs
    inner join fan_creators on pairs.fan_id = fan_creators.fan_id
    where fan_creators.creators >= 2
    group by 1
),

estimates as (
    select
        candidate_spend.*,
        creator_prior.creator_fans,
        creator_prior.creator_mean_value,
        creator_prior.creator_revenue_variance,
        creator_prior.creator_revenue_variance / candidate_spend.similar_fans as sampling_variance
    from candidate_spend
    inner join creator_prior on candidate_spend.candidate_page_key = creator_prior.candidate_page_key
),

spread as (
    select var_samp(neighbour_mean_value - creator_mean_value) - avg(sampling_variance) as tau2
    from estimates
),

weighted as (
    select
        estimates.*,
        {{ sendwise.round_float(
            'case when spread.tau2 is null then 1.0 when spread.tau2 <= 0 then 0.0'
            ~ ' else spread.tau2 / (spread.tau2 + estimates.sampling_variance) end',
            9
        ) }} as shrink_weight
    from estimates
    cross join spread
),

shrunk as (
    select
        *,
        creator_mean_value + shrink_weight * (neighbour_mean_value - creator_mean_value) as shrunk_value,
        sqrt(
            shrink_weight * sampling_variance
            + (1 - shrink_weight) * (1 - shrink_weight) * creator_revenue_variance / creator_fans
        ) as value_sd
    from weighted
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
        {{ sendwise.round_float('neighbour_mean_value', 2) }} as neighbour_mean_value,
        {{ sendwise.round_float('creator_mean_value', 2) }} as creator_mean_value,
        creator_fans,
        shrink_weight,
        {{ sendwise.round_float('shrunk_value', 2) }} as value_per_introduction,
        {{ sendwise.round_float('greatest(shrunk_value - 1.96 * value_sd, 0)', 2) }} as value_ci_low,
        {{ sendwise.round_float('shrunk_value + 1.96 * value_sd', 2) }} as value_ci_high,
        row_number() over (
            partition by fan_model_key order by shrunk_value desc, candidate_page_key asc
        ) as candidate_rank,
        {{ sendwise.build_stamp() }}
    from shrunk
)

select *
from final
where candidate_rank <= {{ sendwise.setting('fan_cross_sell_top_n') }}
