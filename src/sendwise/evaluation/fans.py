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


def cross_sell_backtest(
    pairs: pd.DataFrame, vectors: pd.DataFrame, neighbours: int, min_fans: int
) -> pd.DataFrame:
    """Leave-one-out back-test of fan_cross_sell's estimate (its SQL's formulas, restated here).

    `pairs`: fan_model_key, fan_id, page_key, revenue; `vectors`: fan_model_key, embedding (Method
    B). For every fan of 2+ creators and every creator c he talks to, the fan is treated as if he
    talked only to his first other creator (by pair key): his nearest `neighbours` fans of 2+
    creators (without him; cosine of his source pair's vector with each fan's nearest pair),
    those of them talking to c (at least `min_fans`) give the neighbours' mean, and c's other fans
    of 2+ creators give the creator's mean and variance. Returns one row per (fan, c) with his
    actual revenue with c and the three estimates: `neighbour_mean` (the mart before the
    shrinkage), `creator_mean` (the simple baseline) and `shrunk` with its 95 % interval, the
    shrinkage weight estimated over all rows as the mart does over its rows. The fan did choose c:
    the same selection as the mart's neighbours, so this measures the estimate, not the effect
    of an introduction."""
    import numpy as np

    frame = pairs.merge(vectors, on="fan_model_key")
    creators_per_fan = frame.groupby("fan_id")["page_key"].nunique()
    frame = frame[frame["fan_id"].isin(creators_per_fan[creators_per_fan >= 2].index)]
    frame = frame.sort_values("fan_model_key").reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame()
    matrix = np.array(frame["embedding"].tolist(), dtype=float)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    fans = frame["fan_id"].to_numpy()
    fan_ids = np.unique(fans)
    revenue = {
        (f, p): r for f, p, r in zip(frame["fan_id"], frame["page_key"], frame["revenue"], strict=True)
    }
    rows = []
    for fan in fan_ids:
        own = np.flatnonzero(fans == fan)
        for target in own:
            candidate = frame.at[target, "page_key"]
            source = next(i for i in own if frame.at[i, "page_key"] != candidate)
            similarity = matrix @ matrix[source]
            others = pd.DataFrame({"fan_id": fans, "similarity": similarity})
            others = others[others["fan_id"] != fan]
            best = others.groupby("fan_id")["similarity"].max().reset_index()
            nearest = best.sort_values(["similarity", "fan_id"], ascending=[False, True]).head(neighbours)
            spend = [revenue[(g, candidate)] for g in nearest["fan_id"] if (g, candidate) in revenue]
            if len(spend) < min_fans:
                continue
            prior = [r for (g, p), r in revenue.items() if p == candidate and g != fan]
            rows.append(
                {
                    "fan_id": fan,
                    "candidate_page_key": candidate,
                    "actual": revenue[(fan, candidate)],
                    "similar_fans": len(spend),
                    "neighbour_mean": float(np.mean(spend)),
                    "creator_mean": float(np.mean(prior)),
                    "creator_variance": float(np.var(prior, ddof=1)) if len(prior) >= 2 else 0.0,
                    "creator_fans": len(prior),
                }
            )
    result = pd.DataFrame(rows)
    if result.empty:
        return result
    sampling = result["creator_variance"] / result["similar_fans"]
    tau2 = (result["neighbour_mean"] - result["creator_mean"]).var(ddof=1) - sampling.mean()
    if np.isnan(tau2):
        weight = pd.Series(1.0, index=result.index)
    elif tau2 <= 0:
        weight = pd.Series(0.0, index=result.index)
    else:
        weight = tau2 / (tau2 + sampling)
    result["shrink_weight"] = weight
    result["shrunk"] = result["creator_mean"] + weight * (result["neighbour_mean"] - result["creator_mean"])
    sd = np.sqrt(weight * sampling + (1 - weight) ** 2 * result["creator_variance"] / result["creator_fans"])
    result["shrunk_low"] = (result["shrunk"] - 1.96 * sd).clip(lower=0)
    result["shrunk_high"] = result["shrunk"] + 1.96 * sd
    result.attrs["tau2"] = float(tau2)
    return result


def cross_sell_summary(backtest: pd.DataFrame) -> dict:
    """Mean absolute and root-mean-square error of each estimate against the held-out revenue,
    the ratio of summed estimates to summed revenue, the rank correlation of each estimate with the
    revenue, and the mean shrinkage weight. The mart's interval is one of the expected revenue,
    not of one fan's: its coverage cannot be read off single held-out fans, so it is not scored."""
    import numpy as np

    if backtest.empty:
        return {"rows": 0}
    summary = {"rows": len(backtest), "fans": int(backtest["fan_id"].nunique())}
    for name in ("neighbour_mean", "creator_mean", "shrunk"):
        error = backtest[name] - backtest["actual"]
        summary[f"{name}_mae"] = float(error.abs().mean())
        summary[f"{name}_rmse"] = float(np.sqrt((error**2).mean()))
        summary[f"{name}_to_actual"] = float(backtest[name].sum() / backtest["actual"].sum())
        summary[f"{name}_spearman"] = float(backtest[name].corr(backtest["actual"], method="spearman"))
    # paired by seed when averaged over seeds: the shrunk estimate's error minus each other's
    summary["shrunk_minus_neighbour_mean_rmse"] = summary["shrunk_rmse"] - summary["neighbour_mean_rmse"]
    summary["shrunk_minus_creator_mean_rmse"] = summary["shrunk_rmse"] - summary["creator_mean_rmse"]
    summary["mean_shrink_weight"] = float(backtest["shrink_weight"].mean())
    summary["tau2"] = backtest.attrs.get("tau2")
    return summary
