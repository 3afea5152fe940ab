-- One row per clustering method and cluster: size, revenue, purchase rate, buyer and active
-- shares, top terms (from fan_clusters) and a name derived from the data: a spend tier from the
-- cluster's revenue per pair ranked among the method's clusters ('non-buyers' when the cluster
-- earned nothing, 'top spenders' for rank 1, 'low spenders' for the last rank among the clusters
-- that earned something, else 'mid spenders') followed by its two top terms.
with clusters as (
    select
        fan_model_key,
        method,
        cluster_id,
        cluster_top_terms
    from {{ ref('fan_clusters') }}
),

pairs as (
    select
        fan_model_key,
        offers,
        purchases,
        revenue,
        is_active
    from {{ ref('fan_model_pairs') }}
),

cluster_totals as (
    select
        clusters.method,
        clusters.cluster_id,
        max(clusters.cluster_top_terms) as top_terms,
        count(*) as pairs,
        sum(pairs.revenue) as revenue,
        sum(pairs.offers) as offers,
        sum(pairs.purchases) as purchases,
        count(case when pairs.purchases > 0 then 1 end) as buyers,
        count(case when pairs.is_active then 1 end) as active_pairs
    from clusters
    inner join pairs on clusters.fan_model_key = pairs.fan_model_key
    group by 1, 2
),

cluster_rates as (
    select
        *,
        revenue / pairs as revenue_per_pair,
        {{ sendwise.safe_divide('purchases', 'offers') }} as purchase_rate,
        buyers * 1.0 / pairs as buyer_share,
        active_pairs * 1.0 / pairs as active_share
    from cluster_totals
),

cluster_ranked as (
    select
        *,
        rank() over (partition by method order by revenue_per_pair desc) as revenue_rank,
        count(case when revenue > 0 then 1 end) over (partition by method) as paying_clusters
    from cluster_rates
),

cluster_named as (
    select
        *,
        case
            when revenue <= 0 then 'non-buyers'
            when revenue_rank = 1 then 'top spenders'
            when revenue_rank = paying_clusters then 'low spenders'
            else 'mid spenders'
        end as spend_tier,
        {{ dbt.split_part('top_terms', "', '", 1) }} as first_term,
        {{ dbt.split_part('top_terms', "', '", 2) }} as second_term
    from cluster_ranked
),

final as (
    select
        {{ dbt.concat(['method', "'|'", dbt.safe_cast('cluster_id', dbt.type_string())]) }} as fan_cluster_key,
        method,
        cast(cluster_id as {{ dbt.type_bigint() }}) as cluster_id,
        {{ dbt.concat([
            'spend_tier',
            "case when coalesce(first_term, '') <> '' then ': ' else '' end",
            "coalesce(first_term, '')",
            "case when coalesce(second_term, '') <> '' then ' + ' else '' end",
            "coalesce(second_term, '')",
        ]) }} as cluster_name,
        spend_tier,
        cast(revenue_rank as {{ dbt.type_bigint() }}) as revenue_rank,
        cast(pairs as {{ dbt.type_bigint() }}) as pairs,
        cast(revenue as {{ dbt.type_float() }}) as revenue,
        cast(revenue_per_pair as {{ dbt.type_float() }}) as revenue_per_pair,
        cast(offers as {{ dbt.type_bigint() }}) as offers,
        cast(purchases as {{ dbt.type_bigint() }}) as purchases,
        cast(purchase_rate as {{ dbt.type_float() }}) as purchase_rate,
        cast(buyer_share as {{ dbt.type_float() }}) as buyer_share,
        cast(active_share as {{ dbt.type_float() }}) as active_share,
        top_terms
    from cluster_named
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
