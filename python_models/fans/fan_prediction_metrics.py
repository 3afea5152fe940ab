"""fan_prediction_metrics: honest metrics of fan_predictions beside naive baselines.

For each task (churn, purchase) and labelled split (train = in-sample, test = held out in time):
* `logistic_regression`: the model's probabilities;
* `baseline_prior`: the training positive rate for everyone (accuracy = the majority class when
  the rate is on the same side of the threshold; AUC 0.5 by construction);
* `baseline_recency` (churn only): days since the last message as the score (a fan who has been
  silent longer churns); its accuracy threshold is the one that maximises training accuracy.
Accuracy uses `fan_prediction_threshold`; AUC is null when a split holds only one class.
Quote the test rows: train rows are in-sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRIC_COLUMNS = {
    "metric_id": "string",
    "task": "string",
    "split": "string",
    "model_name": "string",
    "rows": "Int64",
    "positives": "Int64",
    "positive_rate": "float64",
    "accuracy": "float64",
    "auc": "float64",
    "brier": "float64",
    "threshold": "float64",
}


def auc_score(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half); NaN with one class."""
    labels = np.asarray(labels, dtype=int)
    scores = np.asarray(scores, dtype=float)
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    ranks = pd.Series(np.concatenate([pos, neg])).rank(method="average").to_numpy()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def best_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold (predict positive at or above it) that maximises accuracy; ties to the
    smallest threshold. Candidates: every distinct score and +inf (predict all negative)."""
    labels = np.asarray(labels, dtype=int)
    scores = np.asarray(scores, dtype=float)
    candidates = np.concatenate([np.unique(scores), [np.inf]])
    accuracy = [float(np.mean((scores >= c).astype(int) == labels)) for c in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def metric_row(task, split, model_name, labels, probabilities, threshold, scores=None) -> dict:
    labels = np.asarray(labels, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    ranking = probabilities if scores is None else np.asarray(scores, dtype=float)
    predicted = (ranking >= threshold).astype(int)
    return {
        "metric_id": f"{task}|{split}|{model_name}",
        "task": task,
        "split": split,
        "model_name": model_name,
        "rows": len(labels),
        "positives": int(labels.sum()),
        "positive_rate": float(labels.mean()) if len(labels) else np.nan,
        "accuracy": float(np.mean(predicted == labels))
        if len(labels) and not np.isnan(ranking).any()
        else np.nan,
        "auc": auc_score(labels, ranking) if not np.isnan(ranking).any() else np.nan,
        "brier": float(np.mean((probabilities - labels) ** 2)) if scores is None and len(labels) else np.nan,
        "threshold": threshold,
    }


def compute_metrics(predictions: pd.DataFrame, threshold: float) -> pd.DataFrame:
    rows = []
    labelled = predictions[predictions["split"].isin(["train", "test"]) & predictions["label"].notna()]
    for task in sorted(labelled["task"].unique()):
        task_rows = labelled[labelled["task"] == task]
        train = task_rows[task_rows["split"] == "train"]
        recency_threshold = None
        if task == "churn" and len(train):
            recency_threshold = best_threshold(train["label"], train["days_since_last_message"])
        for split in ("train", "test"):
            part = task_rows[task_rows["split"] == split]
            if part.empty:
                continue
            labels = part["label"].astype(int).to_numpy()
            rows.append(
                metric_row(task, split, "logistic_regression", labels, part["probability"], threshold)
            )
            rows.append(
                metric_row(task, split, "baseline_prior", labels, part["baseline_probability"], threshold)
            )
            if recency_threshold is not None:
                rows.append(
                    metric_row(
                        task,
                        split,
                        "baseline_recency",
                        labels,
                        part["baseline_probability"],
                        recency_threshold,
                        scores=part["days_since_last_message"],
                    )
                )
    frame = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    for column, dtype in METRIC_COLUMNS.items():
        frame[column] = (
            pd.to_numeric(frame[column]).astype(dtype) if dtype != "string" else frame[column].astype(dtype)
        )
    return frame


def _to_pandas(relation) -> pd.DataFrame:
    """The one place a dbt.ref() becomes pandas (DuckDB, BigFrames or Spark)."""
    if hasattr(relation, "to_pandas"):
        return relation.to_pandas()
    if hasattr(relation, "toPandas"):
        return relation.toPandas()
    return relation.df()


def model(dbt, session):
    dbt.config(materialized="table", packages=["pandas==2.3.3", "numpy==2.4.6"])
    predictions = _to_pandas(dbt.ref("fan_predictions"))
    raw = _to_pandas(dbt.ref("settings_modeling"))
    threshold = float(raw.loc[raw["setting_name"] == "fan_prediction_threshold", "setting_value"].iloc[0])
    metrics = compute_metrics(predictions, threshold)
    if dbt.config.get("target_type") == "bigquery":
        import bigframes.pandas as bpd

        return bpd.read_pandas(metrics)
    return metrics
