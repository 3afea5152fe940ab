"""Evaluations of the fan models against the demo generator's hidden truth (schema ground_truth).

Models never read ground_truth; these functions (used by pytest and for docs/fans.md) do.
"""

from __future__ import annotations

import pandas as pd

from sendwise.schemas import require

# fan_profiles column per ground_truth.fan_details detail_type
PROFILE_COLUMNS = {
    "age": "age",
    "relationship": "relationship_status",
    "job": "job",
    "hobby": "hobbies",
    "location": "location_hints",
    "life_event": "life_events",
    "personality": "personality_traits",
    "emotional_need": "emotional_needs",
    "motivation": "purchase_motivations",
}
# truth value -> the extractor's (more general) name for it
VALUE_ALIASES = {
    ("relationship", "girlfriend"): "partnered",
    ("life_event", "dog died"): "pet died",
}


def _profile_facts(profiles: pd.DataFrame) -> set[tuple[str, str, str]]:
    facts = set()
    for detail, column in PROFILE_COLUMNS.items():
        for key, value in zip(profiles["fan_model_key"], profiles[column], strict=True):
            if value is None or pd.isna(value) or value == "":
                continue
            for item in (
                str(value).split(", ") if detail not in {"age", "relationship", "job"} else [str(value)]
            ):
                facts.add((key, detail, item))
    return facts


def _relation(con, given: str | None, name: str, layer: str) -> str:
    """`given`, else the relation of model `name` in the database's `<prefix>_<layer>` schema."""
    return given or require(con, {name: layer}, "the database")[name]


def profile_precision_recall(con, profiles_table: str | None = None) -> pd.DataFrame:
    """Per detail type: truth facts, extracted facts, true positives, precision, recall. A fact is
    (fan_model_key, detail type, value); only pairs present in the profiles table are scored
    (default: fan_profiles of the database's ml schema)."""
    profiles_table = _relation(con, profiles_table, "fan_profiles", "ml")
    profiles = con.sql(f"select * from {profiles_table}").df()
    truth = con.sql(
        """
        select fans.fan_model_key, details.detail_type, details.detail_value
        from ground_truth.fan_details as details
        inner join ground_truth.fans as fans
            on details.fan_id = fans.fan_id and details.model_name = fans.model_name
        """
    ).df()
    truth = truth[truth["fan_model_key"].isin(set(profiles["fan_model_key"]))]
    truth_facts = {
        (k, d, VALUE_ALIASES.get((d, v), v)) for k, d, v in truth.itertuples(index=False, name=None)
    }
    extracted = _profile_facts(profiles)
    rows = []
    for detail in PROFILE_COLUMNS:
        t = {f for f in truth_facts if f[1] == detail}
        p = {f for f in extracted if f[1] == detail}
        hit = len(t & p)
        rows.append(
            {
                "detail_type": detail,
                "truth": len(t),
                "extracted": len(p),
                "true_positives": hit,
                "precision": hit / len(p) if p else float("nan"),
                "recall": hit / len(t) if t else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def segment_recovery(
    con,
    clusters_table: str | None = None,
    metrics_table: str | None = None,
) -> pd.DataFrame:
    """How well each clustering method recovers the generator's hidden segments
    (ground_truth.fans.segment: whale / romantic / sampler / ghost): per method, the pairs matched
    to the truth, the chosen k, adjusted Rand index and adjusted mutual information of cluster vs
    segment, and the cluster metrics (silhouette, Davies-Bouldin, revenue eta squared). The tables
    default to fan_clusters and fan_cluster_metrics of the database's ml and marts schemas."""
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    clusters_table = _relation(con, clusters_table, "fan_clusters", "ml")
    metrics_table = _relation(con, metrics_table, "fan_cluster_metrics", "marts")

    joined = con.sql(
        f"""
        select clusters.method, clusters.fan_model_key, clusters.cluster_id, fans.segment
        from {clusters_table} as clusters
        inner join ground_truth.fans as fans on clusters.fan_model_key = fans.fan_model_key
        """
    ).df()
    metrics = con.sql(f"select * from {metrics_table}").df().set_index("method")
    rows = []
    for method, group in joined.groupby("method", sort=True):
        rows.append(
            {
                "method": method,
                "pairs": len(group),
                "cluster_k": int(metrics.loc[method, "cluster_k"]),
                "silhouette": float(metrics.loc[method, "silhouette"]),
                "davies_bouldin": float(metrics.loc[method, "davies_bouldin"]),
                "revenue_eta_squared": float(metrics.loc[method, "revenue_eta_squared"]),
                "adjusted_rand_index": adjusted_rand_score(group["segment"], group["cluster_id"]),
                "adjusted_mutual_info": adjusted_mutual_info_score(group["segment"], group["cluster_id"]),
            }
        )
    return pd.DataFrame(rows)


def segment_crosstab(con, method: str, clusters_table: str | None = None) -> pd.DataFrame:
    """Pairs per cluster (rows) and hidden segment (columns) for one method."""
    clusters_table = _relation(con, clusters_table, "fan_clusters", "ml")
    joined = con.sql(
        f"""
        select clusters.cluster_id, fans.segment
        from {clusters_table} as clusters
        inner join ground_truth.fans as fans on clusters.fan_model_key = fans.fan_model_key
        where clusters.method = '{method}'
        """
    ).df()
    return pd.crosstab(joined["cluster_id"], joined["segment"])
