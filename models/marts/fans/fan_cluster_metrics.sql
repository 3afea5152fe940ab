-- One row per clustering method (A: stage texts; B: stage texts + profile features): the k chosen
-- by silhouette (the fit period's scan, made at k_scanned_as_of), its silhouette and Davies-Bouldin
-- index (from fan_clusters, computed on the vectors) and how well the clusters separate revenue:
-- eta squared = between-cluster sum of squares / total sum of squares of the pairs' revenue
-- (0 = clusters say nothing about revenue, 1 = revenue is constant within every cluster; null when
-- revenue does not vary).
with clusters as (
    select
        fan_model_key,
        method,
        cluster_id,
        cluster_k,
        method_silhouette,
        method_davies_bouldin,
        silhouette_by_k,
        k_scanned_as_of
    from {{ ref('fan_clusters') }}
),

pairs as (
    select
        fan_model_key,
        revenue
    from {{ ref('fan_model_pairs') }}
),

pair_revenue as (
    select
        clusters.method,
        clusters.cluster_id,
        pairs.revenue
    from clusters
    inner join pairs on clusters.fan_model_key = pairs.fan_model_key
),

method_means as (
    select
        method,
        count(*) as pairs,
        avg(revenue) as mean_revenue
    from pair_revenue
    group by 1
),

cluster_means as (
    select
        method,
        cluster_id,
        count(*) as pairs,
        avg(revenue) as mean_revenue
    from pair_revenue
    group by 1, 2
),

between_clusters as (
    select
        cluster_means.method,
        sum(cluster_means.pairs * power(cluster_means.mean_revenue - method_means.mean_revenue, 2))
            as ss_between
    from cluster_means
    inner join method_means on cluster_means.method = method_means.method
    group by 1
),

total as (
    select
        pair_revenue.method,
        sum(power(pair_revenue.revenue - method_means.mean_revenue, 2)) as ss_total
    from pair_revenue
    inner join method_means on pair_revenue.method = method_means.method
    group by 1
),

method_scores as (
    select
        method,
        max(cluster_k) as cluster_k,
        max(method_silhouette) as silhouette,
        max(method_davies_bouldin) as davies_bouldin,
        max(silhouette_by_k) as silhouette_by_k,
        max(k_scanned_as_of) as k_scanned_as_of
    from clusters
    group by 1
),

final as (
    select
        method_scores.method,
        cast(method_means.pairs as {{ dbt.type_bigint() }}) as pairs,
        cast(method_scores.cluster_k as {{ dbt.type_bigint() }}) as cluster_k,
        cast(method_scores.silhouette as {{ dbt.type_float() }}) as silhouette,
        cast(method_scores.davies_bouldin as {{ dbt.type_float() }}) as davies_bouldin,
        cast(method_means.mean_revenue as {{ dbt.type_float() }}) as mean_revenue,
        cast(between_clusters.ss_between as {{ dbt.type_float() }}) as revenue_ss_between,
        cast(total.ss_total as {{ dbt.type_float() }}) as revenue_ss_total,
        cast(
            case
                when total.ss_total > 0 then between_clusters.ss_between / total.ss_total
            end as {{ dbt.type_float() }}
        ) as revenue_eta_squared,
        method_scores.silhouette_by_k,
        method_scores.k_scanned_as_of
    from method_scores
    inner join method_means on method_scores.method = method_means.method
    inner join between_clusters on method_scores.method = between_clusters.method
    inner join total on method_scores.method = total.method
)

select
    final.*,
    -- the build's as_of and start time: a mart not rebuilt by a failed build shows its old stamp
    {{ sendwise.build_stamp() }}
from final
