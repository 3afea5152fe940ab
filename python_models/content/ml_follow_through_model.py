"""Logistic regression of follow-through (followers_gained > 0) of a promo post (dbt Python model).

Input: int_content_post_features (features prepared in SQL from the post joined to its latest
countable outcome) and the settings seed. Features: novelty_score, expertise_level and
viral_score_scaled (viral score / 100). Target: is_follow_through of scored posts.
Time-based split as in ml_engagement_model: the newest `content_test_share` of scored posts by
posted_at are the test set; training uses older posts whose outcome was collected by the cutoff.
Output, the model card: coefficients (applied in SQL by content_post_predictions), the
training-mean viral score (the value used for posts that have no outcome yet, record_type
'imputation'), test metrics (accuracy, precision, recall, AUC, log loss, Brier score) beside a
naive baseline that gives every post the training follow-through rate, and split counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_ml_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; a change of this file's code does too (CODE_VERSION: where the code is not
# run from a file, bump it with any change to what the fit computes).
REUSE_INPUTS = ["int_content_post_features"]
REUSE_SETTING_PREFIXES = (
    "content_logistic_",
    "content_test_share",
    "content_min_train_rows",
    "content_follow_threshold",
)
CODE_VERSION = "2"

MODEL_NAME = "ml_follow_through_model"
TARGET = "is_follow_through"
FEATURES = ("novelty_score", "expertise_level", "viral_score_scaled")
IMPUTED = "viral_score_scaled"
INTERCEPT = "(intercept)"
BASELINE = "training follow-through rate as the probability of every post"
INPUT_COLUMNS = ["decision_id", "posted_at", "collected_at", "scoring_status", TARGET, *FEATURES]
HIGHER_IS_BETTER = {
    "accuracy": True,
    "precision": True,
    "recall": True,
    "auc": True,
    "log_loss": False,
    "brier": False,
}
CARD_COLUMNS = [
    "model_name",
    "record_type",
    "term",
    "model_value",
    "baseline_value",
    "beats_baseline",
    "fit_status",
    "target",
    "baseline_description",
    "train_cutoff_at",
]


def design_matrix(frame: pd.DataFrame, imputations: dict[str, float]) -> pd.DataFrame:
    columns = {name: frame[name].astype(float) for name in FEATURES}
    for name, value in imputations.items():
        columns[name] = columns[name].fillna(value)
    return pd.DataFrame(columns, index=frame.index)


def predict_probability(coefficients: dict[str, float], design: pd.DataFrame) -> np.ndarray:
    """sigmoid(intercept + sum(coefficient * feature)) — what content_post_predictions computes."""
    weights = np.array([coefficients[t] for t in FEATURES])
    logit = coefficients[INTERCEPT] + design[list(FEATURES)].to_numpy() @ weights
    return 1.0 / (1.0 + np.exp(-logit))


def _auc(actual: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney AUC with ties counted half; nan when one class is missing."""
    positives = actual.sum()
    negatives = len(actual) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = pd.Series(score).rank(method="average").to_numpy()
    return float((ranks[actual].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def classification_metrics(actual: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, float]:
    """Accuracy, precision, recall (nan when nothing is predicted positive / no positives), AUC,
    log loss (probabilities clipped to [1e-15, 1 - 1e-15]) and Brier score."""
    actual = np.asarray(actual, dtype=bool)
    probability = np.asarray(probability, dtype=float)
    predicted = probability >= threshold
    true_positive = int((predicted & actual).sum())
    clipped = np.clip(probability, 1e-15, 1 - 1e-15)
    return {
        "accuracy": float((predicted == actual).mean()),
        "precision": true_positive / predicted.sum() if predicted.sum() else float("nan"),
        "recall": true_positive / actual.sum() if actual.sum() else float("nan"),
        "auc": _auc(actual, probability),
        "log_loss": float(-np.mean(np.where(actual, np.log(clipped), np.log(1 - clipped)))),
        "brier": float(np.mean((probability - actual) ** 2)),
    }


def fit_follow_through_model(
    features: pd.DataFrame, c: float, test_share: float, min_rows: int, threshold: float
) -> pd.DataFrame:
    """Fit the logistic regression on the time split and return the model card."""
    from sklearn.linear_model import LogisticRegression

    features = features.reset_index(drop=True)
    split, cutoff = time_split(features, test_share)
    train = features[split == "train"]
    test = features[split == "test"]
    rows: list[dict] = []
    counts = {f"n_{label}": int((split == label).sum()) for label in ("train", "test", "label_after_cutoff")}
    counts["n_unscored"] = int((split == "unscored").sum())
    for term, value in counts.items():
        rows.append({"record_type": "split", "term": term, "model_value": float(value)})

    y_train = train[TARGET].astype(bool).to_numpy()
    rate = float(y_train.mean()) if len(train) else float("nan")
    imputations = {IMPUTED: float(train[IMPUTED].mean()) if len(train) else float("nan")}
    rows.append({"record_type": "imputation", "term": IMPUTED, "model_value": imputations[IMPUTED]})
    one_class = len(train) > 0 and y_train.min() == y_train.max()
    if len(train) < min_rows or len(test) < min_rows or one_class:
        status = "insufficient_data"
        logit = math.log(rate / (1 - rate)) if 0 < rate < 1 else float("nan")
        rows.append({"record_type": "coefficient", "term": INTERCEPT, "model_value": logit})
        for term in FEATURES:
            rows.append({"record_type": "coefficient", "term": term, "model_value": 0.0})
        for metric in HIGHER_IS_BETTER:
            rows.append(
                {"record_type": "metric", "term": metric, "model_value": None, "baseline_value": None}
            )
    else:
        status = "fitted"
        x_train = design_matrix(train, imputations)
        model = LogisticRegression(C=c, max_iter=1000).fit(x_train.to_numpy(), y_train)
        coefficients = {INTERCEPT: float(model.intercept_[0])}
        coefficients.update({t: float(w) for t, w in zip(FEATURES, model.coef_[0], strict=True)})
        for term, value in coefficients.items():
            rows.append({"record_type": "coefficient", "term": term, "model_value": value})
        actual = test[TARGET].astype(bool).to_numpy()
        probability = predict_probability(coefficients, design_matrix(test, imputations))
        scores = classification_metrics(actual, probability, threshold)
        baseline = classification_metrics(actual, np.full(len(test), rate), threshold)
        for metric in HIGHER_IS_BETTER:
            rows.append(
                {
                    "record_type": "metric",
                    "term": metric,
                    "model_value": scores[metric],
                    "baseline_value": baseline[metric],
                    "beats_baseline": _beats(metric, scores[metric], baseline[metric]),
                }
            )
    card = pd.DataFrame(rows)
    card["model_name"] = MODEL_NAME
    card["fit_status"] = status
    card["target"] = "followers_gained > 0"
    card["baseline_description"] = BASELINE
    card["train_cutoff_at"] = cutoff
    return _typed_card(card)


# >>> shared block content_card: keep every copy the same text (sendwise rules-check)
# --- The content models' card (docs/content.md, "Predictors"): the time split, the card's types. --
# The same text in both content models (sendwise rules-check keeps the copies equal; dbt Python
# models cannot import project code on BigQuery); each file sets HIGHER_IS_BETTER and CARD_COLUMNS.


def time_split(features: pd.DataFrame, test_share: float) -> tuple[pd.Series, pd.Timestamp | None]:
    """Label each post train / test / label_after_cutoff / unscored; returns (labels, cutoff).

    Scored posts are ordered by (posted_at, decision_id); the newest ceil(share * n) are the test
    set and the cutoff is the first of them. Every scored post posted at or after the cutoff is a
    test post; a post posted before it trains only if its outcome was collected by the cutoff.
    """
    labels = pd.Series("unscored", index=features.index, dtype=object)
    scored = features[features["scoring_status"] == "scored"].sort_values(["posted_at", "decision_id"])
    if scored.empty:
        return labels, None
    n_test = min(len(scored), max(1, math.ceil(test_share * len(scored))))
    cutoff = pd.Timestamp(scored["posted_at"].iloc[len(scored) - n_test])
    is_test = scored["posted_at"] >= cutoff
    is_train = ~is_test & (scored["collected_at"] <= cutoff)
    labels.loc[scored.index] = np.select([is_test, is_train], ["test", "train"], "label_after_cutoff")
    return labels, cutoff


def _beats(metric: str, value: float, baseline: float) -> bool | None:
    if value is None or baseline is None or np.isnan(value) or np.isnan(baseline):
        return None
    return bool(value > baseline) if HIGHER_IS_BETTER[metric] else bool(value < baseline)


def _typed_card(card: pd.DataFrame) -> pd.DataFrame:
    for column in CARD_COLUMNS:
        if column not in card:
            card[column] = None
    card = card[CARD_COLUMNS].copy()
    card["model_value"] = pd.to_numeric(card["model_value"], errors="coerce").astype(float)
    card["baseline_value"] = pd.to_numeric(card["baseline_value"], errors="coerce").astype(float)
    card["beats_baseline"] = card["beats_baseline"].astype("boolean")
    # microseconds, the warehouse's TIMESTAMP: without a cutoff (no scored post) the column is all
    # NaT, which pandas holds in nanoseconds (DuckDB TIMESTAMP_NS, another type than a fitted card's)
    card["train_cutoff_at"] = pd.to_datetime(card["train_cutoff_at"]).astype("datetime64[us]")
    return card


# <<< shared block content_card


# >>> shared block reuse: keep every copy the same text (sendwise rules-check)
# --- Reuse (docs/ml.md, "Reuse"): the same inputs, settings and code -> the previous output. ------
# int_ml_input_fingerprints hashes each input relation's content in the warehouse; the model's
# fingerprint adds the settings it reads (REUSE_SETTING_PREFIXES), this file's code (model_code) and
# the library versions. Var ml_retrain=true forces a new fit.


def model_code() -> str:
    """The model file's own code (dbt runs it from a file; what dbt appends after the user code is
    left out, so a config value such as ml_retrain does not count); CODE_VERSION where the code
    is not run from a file."""
    try:
        with open(__file__) as fh:
            return fh.read().split("\n# This part is user provided " + "model code")[0]
    except (NameError, OSError):
        return CODE_VERSION


def input_fingerprint(fingerprints: pd.DataFrame, settings: dict[str, str]) -> str:
    """sha256 (32 hex) of this model's input fingerprints, its settings, code and library versions."""
    import hashlib
    import json

    try:
        import sklearn

        sklearn_version = sklearn.__version__
    except ImportError:  # a model that does not use scikit-learn
        sklearn_version = None
    rows = fingerprints[fingerprints["input_name"].isin(REUSE_INPUTS)]
    missing = sorted(set(REUSE_INPUTS) - set(rows["input_name"]))
    if missing:
        raise ValueError(f"no input fingerprint for {missing}")
    payload = {
        "inputs": sorted(
            [str(r.input_name), int(r.row_count), int(r.hash_xor), int(r.hash_sum)] for r in rows.itertuples()
        ),
        "settings": {k: settings[k] for k in sorted(settings) if k.startswith(REUSE_SETTING_PREFIXES)},
        "code": hashlib.sha256(model_code().encode()).hexdigest(),
        "libraries": [np.__version__, pd.__version__, sklearn_version],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def with_fit_columns(result: pd.DataFrame, fingerprint: str) -> pd.DataFrame:
    """The output of a new fit: every row carries the fingerprint and fit_mode 'trained'."""
    result = result.copy()
    result["input_fingerprint"] = pd.Series([fingerprint] * len(result), index=result.index, dtype="string")
    result["fit_mode"] = pd.Series(["trained"] * len(result), index=result.index, dtype="string")
    return result


def previous_output(dbt, session, fingerprint: str):
    """The model's current table when it was made from this fingerprint, with fit_mode 'reused'
    (Arrow on DuckDB, so the column types stay as they are; BigQuery DataFrames on BigQuery);
    None when it was not, when it is empty or absent, or when var ml_retrain is true."""
    if str(dbt.config.get("ml_retrain")).lower() in ("true", "1"):
        return None
    query = f"select * from {dbt.this} where input_fingerprint = '{fingerprint}'"
    if dbt.config.get("target_type") == "bigquery":
        try:
            previous = session.read_gbq(query)
        except Exception:  # no table yet, or one from before input_fingerprint existed
            return None
        if previous.shape[0] == 0:
            return None
        previous["fit_mode"] = "reused"
        return previous
    import pyarrow as pa

    has_column = session.execute(
        "select count(*) from information_schema.columns"
        " where table_schema = ? and table_name = ? and column_name = 'input_fingerprint'",
        [dbt.this.schema, dbt.this.identifier],
    ).fetchone()[0]
    if not has_column:
        return None
    table = session.sql(query).arrow()
    table = table.read_all() if hasattr(table, "read_all") else table
    if table.num_rows == 0:
        return None
    column = table.schema.get_field_index("fit_mode")
    return table.set_column(column, "fit_mode", pa.array(["reused"] * table.num_rows, pa.string()))


# <<< shared block reuse


# >>> shared block adapter: keep every copy the same text (sendwise rules-check)
# --- Adapter (docs/ml.md, "Both adapters"): a dbt relation to pandas, the result back to the engine.
# The same text in every Python model that reads a relation (sendwise rules-check keeps the copies
# equal to the canonical one; dbt Python models cannot import project code on BigQuery).


def to_pandas(
    frame, columns: list[str] | None = None, equals: dict[str, str] | None = None, arrow: bool = False
) -> pd.DataFrame:
    """A DuckDB relation, BigQuery DataFrames, Spark DataFrame or pandas frame as pandas. Only the
    rows whose columns equal `equals` and only `columns` (in that order) leave the warehouse: they
    are selected on the engine before the download (BigQuery DataFrames refuses downloads over
    500 MB by default). arrow=True reads a DuckDB relation through Arrow with pd.ArrowDtype columns,
    so a vector column stays an Arrow list column instead of one numpy object per row (the other
    engines ignore it)."""
    equals = equals or {}
    module = type(frame).__module__
    if isinstance(frame, pd.DataFrame) or module.startswith("bigframes"):
        for name, value in equals.items():
            frame = frame[frame[name] == value]
        frame = frame if columns is None else frame[columns]
        return frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
    if module.startswith("pyspark"):
        for name, value in equals.items():
            frame = frame.filter(frame[name] == value)
        return (frame if columns is None else frame.select(*columns)).toPandas()
    if not hasattr(frame, "project"):
        raise TypeError(f"cannot convert {type(frame).__name__} to pandas")
    for name, value in equals.items():  # a DuckDB relation
        text = str(value).replace("'", "''")
        frame = frame.filter(f"\"{name}\" = '{text}'")
    if columns is not None:
        frame = frame.project(", ".join(f'"{c}"' for c in columns))
    if not arrow:
        return frame.df()
    table = frame.arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # a RecordBatchReader (DuckDB 1.4)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def settings_dict(settings: pd.DataFrame) -> dict[str, str]:
    """settings_modeling as {setting_name: setting_value}. The seed declares setting_value a
    not-null string (seeds/_seeds.yml), so the values are text on every engine and .astype(str)
    changes none of them; it keeps them plain Python str whatever dtype the download gives."""
    return dict(zip(settings["setting_name"], settings["setting_value"].astype(str), strict=True))


def to_engine(frame, target_type: str):
    """The model's result as the engine's DataFrame: on BigQuery a pandas frame becomes BigQuery
    DataFrames (bigframes, bpd.read_pandas) and one that already is (a reused output) stays as it
    is; elsewhere the frame itself: pandas, or the Arrow table of a reused output on DuckDB (its
    column types kept)."""
    if target_type == "bigquery" and isinstance(frame, pd.DataFrame):
        import bigframes.pandas as bpd

        return bpd.read_pandas(frame)
    return frame


# <<< shared block adapter


def model(dbt, session):
    dbt.config(
        materialized="table",
        packages=["scikit-learn==1.9.1", "pandas==2.3.3", "numpy==2.4.6"],
    )
    settings = settings_dict(to_pandas(dbt.ref("settings_modeling"), ["setting_name", "setting_value"]))
    fingerprint = input_fingerprint(to_pandas(dbt.ref("int_ml_input_fingerprints")), settings)
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(
            f"ml_follow_through_model: reused, inputs and settings unchanged (input fingerprint {fingerprint})"
        )
        return to_engine(previous, dbt.config.get("target_type"))
    features = to_pandas(dbt.ref("int_content_post_features"), INPUT_COLUMNS)
    card = fit_follow_through_model(
        features,
        c=float(settings["content_logistic_c"]),
        test_share=float(settings["content_test_share"]),
        min_rows=int(float(settings["content_min_train_rows"])),
        threshold=float(settings["content_follow_threshold"]),
    )
    card = with_fit_columns(card, fingerprint)
    return to_engine(card, dbt.config.get("target_type"))
