"""Revenue per PPV send from scikit-learn gradient boosting, with a quantile interval and a naive baseline.

Inputs (features prepared in SQL): `int_revenue_model_features` (one row per PPV send, `sample_split`
train / holdout by time: train = sends before as_of - gbm_holdout_days) and
`int_revenue_scoring_candidates` (one row per scoring_key with the same feature columns).

One model, trained only on the train rows, scores both the holdout sends (for
`ml_revenue_model_metrics`, honest: holdout features are as of the cutoff) and the candidates (for
`ml_revenue_predictions`). Mean model: HistGradientBoostingRegressor with Poisson loss (revenue is
non-negative and its drivers multiply: audience x conversion x price); interval: two quantile-loss
models (gbm_quantile_low / gbm_quantile_high). Baselines: the page x local-hour mean revenue of the
training window (page mean, then global mean, where a cell is empty), and the page's revenue per PPV
send over the last 28 days (the row's `ppv_revenue_per_send_28d`, as of the cutoff for holdout rows;
the page x hour baseline where the page sent nothing in those 28 days).

Output: one row per (score_kind, row_key): holdout rows carry the actual revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MODEL_VERSION = "hgb-poisson-v1"
FALLBACK_VERSION = "naive-page-hour-mean (too few training sends)"
CATEGORICAL = ["page_key", "content_category", "price_band", "length_bin", "emoji_bin"]
BOOLEAN = ["has_cta", "has_urgency", "ends_with_question"]
NUMERIC = [
    "local_hour",
    "local_dow",
    "price",
    "send_index_in_day",
    "revenue_7d",
    "revenue_prev_7d",
    "revenue_momentum_7d",
    "ppv_sends_7d",
    "audience_7d",
    "ppv_revenue_per_send_28d",
    "sends_per_day_28d",
]
FEATURES = CATEGORICAL + BOOLEAN + NUMERIC
OUTPUT_COLUMNS = [
    "score_key",
    "score_kind",
    "row_key",
    "page_key",
    "local_hour",
    "actual_revenue",
    "predicted_revenue",
    "predicted_revenue_low",
    "predicted_revenue_high",
    "baseline_revenue",
    "baseline_28d_revenue",
    "model_version",
    "train_sends",
    "train_last_sent_at",
]


def settings_dict(settings: pd.DataFrame) -> dict[str, str]:
    return dict(zip(settings["setting_name"], settings["setting_value"].astype(str), strict=True))


def split_train_holdout(features: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) usable rows by the SQL time split; raises if the split is not a time split
    (a training send at or after the first holdout send) or uses unknown labels."""
    usable = features[features["exclusion_reason"].isna()]
    labels = set(usable["sample_split"].unique())
    if not labels <= {"train", "holdout"}:
        raise ValueError(f"unknown sample_split labels: {sorted(labels - {'train', 'holdout'})}")
    train = usable[usable["sample_split"] == "train"]
    holdout = usable[usable["sample_split"] == "holdout"]
    if len(train) and len(holdout) and train["sent_at"].max() >= holdout["sent_at"].min():
        raise ValueError("not a time split: a training send is not earlier than every holdout send")
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


def feature_vocabulary(train: pd.DataFrame) -> dict[str, list[str]]:
    """Categories of each categorical feature as seen in training (sorted)."""
    return {c: sorted(train[c].dropna().astype(str).unique()) for c in CATEGORICAL}


def encode_features(frame: pd.DataFrame, vocabulary: dict[str, list[str]]) -> pd.DataFrame:
    """The model matrix: categoricals with the training categories (unseen values -> missing),
    booleans as 0/1 floats, numerics as floats (missing stays NaN; the GBM handles it)."""
    out = pd.DataFrame(index=frame.index)
    for c in CATEGORICAL:
        values = frame[c].astype("string").astype(object).where(frame[c].notna(), None)
        out[c] = pd.Categorical(values, categories=vocabulary[c])
    for c in BOOLEAN:
        out[c] = pd.to_numeric(frame[c].astype("Float64"), errors="coerce").astype(float)
    for c in NUMERIC:
        out[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    return out[FEATURES]


def naive_baseline(train: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Mean training revenue of the row's (page, local hour); else of its page; else global."""
    if train.empty:
        return np.full(len(rows), np.nan)
    cell = train.groupby(["page_key", "local_hour"])["earnings"].mean()
    page = train.groupby("page_key")["earnings"].mean()
    keys = pd.MultiIndex.from_arrays([rows["page_key"], rows["local_hour"]])
    value = pd.Series(cell.reindex(keys).to_numpy(), index=rows.index)
    value = value.fillna(rows["page_key"].map(page))
    return value.fillna(train["earnings"].mean()).to_numpy(dtype=float)


def recent_baseline(rows: pd.DataFrame, fallback: np.ndarray) -> np.ndarray:
    """The page's revenue per PPV send over the last 28 days (the row's own feature, known at the
    cutoff for holdout rows and at as_of for candidates); `fallback` where it is missing."""
    recent = pd.to_numeric(rows["ppv_revenue_per_send_28d"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(recent), fallback, recent)


def gbm_params(settings: dict[str, str]) -> dict:
    f = lambda name: float(settings[name])  # noqa: E731
    return {
        "max_iter": int(f("gbm_max_iter")),
        "quantile_max_iter": int(f("gbm_quantile_max_iter")),
        "learning_rate": f("gbm_learning_rate"),
        "max_leaf_nodes": int(f("gbm_max_leaf_nodes")),
        "min_samples_leaf": int(f("gbm_min_samples_leaf")),
        "l2_regularization": f("gbm_l2_regularization"),
        "quantile_low": f("gbm_quantile_low"),
        "quantile_high": f("gbm_quantile_high"),
        "seed": int(f("gbm_seed")),
    }


def fit_models(x: pd.DataFrame, y: np.ndarray, params: dict) -> dict:
    """Mean (Poisson loss) and the two quantile models, deterministic (fixed seed, no early stop)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    def make(loss: str, max_iter: int, quantile: float | None = None):
        kwargs = {"quantile": quantile} if quantile is not None else {}
        return HistGradientBoostingRegressor(
            loss=loss,
            max_iter=max_iter,
            learning_rate=params["learning_rate"],
            max_leaf_nodes=params["max_leaf_nodes"],
            min_samples_leaf=params["min_samples_leaf"],
            l2_regularization=params["l2_regularization"],
            categorical_features="from_dtype",
            early_stopping=False,
            random_state=params["seed"],
            **kwargs,
        )

    return {
        "mean": make("poisson", params["max_iter"]).fit(x, y),
        "low": make("quantile", params["quantile_max_iter"], params["quantile_low"]).fit(x, y),
        "high": make("quantile", params["quantile_max_iter"], params["quantile_high"]).fit(x, y),
    }


def predict_interval(models: dict, x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, low, high), all >= 0, low <= high (quantile models are fitted separately and may cross)."""
    mean = np.clip(models["mean"].predict(x), 0, None)
    q_low = np.clip(models["low"].predict(x), 0, None)
    q_high = np.clip(models["high"].predict(x), 0, None)
    return mean, np.minimum(q_low, q_high), np.maximum(q_low, q_high)


def score(features: pd.DataFrame, candidates: pd.DataFrame, settings: dict[str, str]) -> pd.DataFrame:
    """Train on the train rows; score holdout sends and candidates (see module docstring)."""
    train, holdout = split_train_holdout(features)
    params = gbm_params(settings)
    holdout_rows = pd.DataFrame(
        {
            "score_kind": "holdout",
            "row_key": holdout["send_id"].astype(str),
            "page_key": holdout["page_key"],
            "local_hour": holdout["local_hour"],
            "actual_revenue": holdout["earnings"].astype(float),
        }
    )
    candidate_rows = pd.DataFrame(
        {
            "score_kind": "candidate",
            "row_key": candidates["scoring_key"].astype(str),
            "page_key": candidates["page_key"],
            "local_hour": candidates["local_hour"],
            "actual_revenue": np.nan,
        }
    )
    scored = pd.concat([holdout, candidates], ignore_index=True)
    rows = pd.concat([holdout_rows, candidate_rows], ignore_index=True)
    rows["baseline_revenue"] = naive_baseline(train, scored)
    rows["baseline_28d_revenue"] = recent_baseline(scored, rows["baseline_revenue"].to_numpy(dtype=float))
    if len(train) >= float(settings["gbm_min_train_sends"]):
        vocabulary = feature_vocabulary(train)
        models = fit_models(encode_features(train, vocabulary), train["earnings"].to_numpy(float), params)
        mean, low, high = predict_interval(models, encode_features(scored, vocabulary))
        rows["predicted_revenue"], rows["predicted_revenue_low"], rows["predicted_revenue_high"] = (
            mean,
            low,
            high,
        )
        rows["model_version"] = MODEL_VERSION
    else:
        rows["predicted_revenue"] = rows["baseline_revenue"]
        rows["predicted_revenue_low"] = np.nan
        rows["predicted_revenue_high"] = np.nan
        rows["model_version"] = FALLBACK_VERSION
    rows["train_sends"] = len(train)
    rows["train_last_sent_at"] = train["sent_at"].max() if len(train) else pd.NaT
    rows["score_key"] = rows["score_kind"] + "|" + rows["row_key"]
    rows["local_hour"] = rows["local_hour"].astype("Int64")
    rows["train_sends"] = rows["train_sends"].astype("int64")
    rows["train_last_sent_at"] = pd.to_datetime(rows["train_last_sent_at"])
    return rows[OUTPUT_COLUMNS]


FEATURE_COLUMNS = ["send_id", "sent_at", "sample_split", "exclusion_reason", "earnings", *FEATURES]
CANDIDATE_COLUMNS = ["scoring_key", *FEATURES]


def to_pandas(frame, columns: list[str] | None = None) -> pd.DataFrame:
    """The one conversion point: DuckDB relation, BigFrames or Spark DataFrame -> pandas, with only
    `columns` selected on the engine first (DuckDB `.project`, BigFrames / Spark column selection)."""
    if columns is not None:
        if isinstance(frame, pd.DataFrame):
            frame = frame[columns]
        elif hasattr(frame, "project"):  # DuckDBPyRelation
            frame = frame.project(", ".join(f'"{c}"' for c in columns))
        elif hasattr(frame, "toPandas"):  # Spark
            frame = frame.select(*columns)
        else:  # BigFrames (pandas-like column selection, done in BigQuery)
            frame = frame[columns]
    if isinstance(frame, pd.DataFrame):
        return frame
    if hasattr(frame, "df"):
        return frame.df()
    if hasattr(frame, "to_pandas"):
        return frame.to_pandas()
    if hasattr(frame, "toPandas"):
        return frame.toPandas()
    raise TypeError(f"cannot convert {type(frame).__name__} to pandas")


def model(dbt, session):
    dbt.config(
        materialized="table",
        packages=["numpy==2.4.6", "pandas==2.3.3", "scikit-learn==1.9.1", "threadpoolctl==3.8.0"],
    )
    import sklearn.ensemble  # noqa: F401 - load OpenMP first: threadpoolctl limits only loaded libraries
    from threadpoolctl import threadpool_limits

    settings = settings_dict(to_pandas(dbt.ref("settings_modeling"), ["setting_name", "setting_value"]))
    features = to_pandas(dbt.ref("int_revenue_model_features"), FEATURE_COLUMNS)
    candidates = to_pandas(dbt.ref("int_revenue_scoring_candidates"), CANDIDATE_COLUMNS)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = score(features, candidates, settings)

    if dbt.config.get("target_type") == "bigquery":
        import bigframes.pandas as bpd

        return bpd.read_pandas(result)
    return result
