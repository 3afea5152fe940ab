"""fan_prediction_metrics: honest metrics of fan_predictions, every candidate beside the baselines.

For each task (churn, purchase), labelled split (train = in-sample, validation = model choice,
test = held out in time) and model:
* purchase: `baseline_prior` (the training positive rate for everyone; AUC 0.5 by construction),
  `logistic_regression`, `gradient_boosting`, `mlp`; `is_chosen` marks the model chosen by
  validation AUC (fan_prediction_fits.choose_model), whose test row is the one to quote;
* churn: `logistic_regression`, `baseline_prior` and `baseline_recency` (days since the last
  message as the score; its accuracy threshold maximises training accuracy).
Accuracy uses `fan_prediction_threshold`; AUC is null when a split holds only one class.
A task without a labelled test row still gets one row (model_name 'none', rows 0) whose `note`
says why: the log is shorter than the task's windows need (never an empty table without a reason).
The labelled rows are the back-test of the kept fit of fan_prediction_fits (refitted once per fit
period): every row carries that fit's as_of (`fitted_as_of`), so a reader knows how old it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRIC_COLUMNS = {
    "metric_id": "string",
    "task": "string",
    "split": "string",
    "model_name": "string",
    "is_chosen": "boolean",
    "rows": "Int64",
    "positives": "Int64",
    "positive_rate": "float64",
    "accuracy": "float64",
    "auc": "float64",
    "brier": "float64",
    "threshold": "float64",
    "note": "string",
}
SPLITS = ("train", "validation", "test")
PROBABILITY_COLUMNS = {
    "baseline_prior": "baseline_probability",
    "logistic_regression": "probability_logistic_regression",
    "gradient_boosting": "probability_gradient_boosting",
    "mlp": "probability_mlp",
    "ensemble": "probability_ensemble",
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


def metric_row(
    task, split, model_name, labels, probabilities, threshold, scores=None, is_chosen=False
) -> dict:
    labels = np.asarray(labels, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    ranking = probabilities if scores is None else np.asarray(scores, dtype=float)
    predicted = (ranking >= threshold).astype(int)
    return {
        "metric_id": f"{task}|{split}|{model_name}",
        "task": task,
        "split": split,
        "model_name": model_name,
        "is_chosen": bool(is_chosen),
        "rows": len(labels),
        "positives": int(labels.sum()),
        "positive_rate": float(labels.mean()) if len(labels) else np.nan,
        "accuracy": float(np.mean(predicted == labels))
        if len(labels) and not np.isnan(ranking).any()
        else np.nan,
        "auc": auc_score(labels, ranking) if not np.isnan(ranking).any() else np.nan,
        "brier": float(np.mean((probabilities - labels) ** 2)) if scores is None and len(labels) else np.nan,
        "threshold": threshold,
        "note": None,
    }


def missing_note(task: str, settings: dict, log_days: float | None) -> str:
    """Why a task has no labelled test row, in words (the windows against the log's span)."""
    span = "an empty log" if log_days is None else f"a log of {log_days:.1f} days"
    if task == "churn":
        need = settings["fan_churn_window_days"] + settings["fan_churn_horizon_days"]
        return (
            f"horizon does not fit: churn needs fan_churn_window_days + fan_churn_horizon_days = "
            f"{need:g} days of history before as_of (a pair active in the window, then the horizon "
            f"to see it go silent); this is {span}"
        )
    return (
        f"no labelled test pair: purchase needs pairs with at least fan_purchase_first_n_messages = "
        f"{settings['fan_purchase_first_n_messages']:g} rows, split in time; this is {span}"
    )


def compute_metrics(predictions: pd.DataFrame, settings: dict, log_days: float | None = None) -> pd.DataFrame:
    threshold = settings["fan_prediction_threshold"]
    rows = []
    labelled = predictions[predictions["split"].isin(SPLITS) & predictions["label"].notna()]
    for task in ("churn", "purchase"):
        task_rows = labelled[labelled["task"] == task]
        if not (task_rows["split"] == "test").any():
            rows.append(
                {
                    "metric_id": f"{task}|test|none",
                    "task": task,
                    "split": "test",
                    "model_name": "none",
                    "is_chosen": False,
                    "rows": 0,
                    "positives": 0,
                    "threshold": threshold,
                    "note": missing_note(task, settings, log_days),
                }
            )
        if task_rows.empty:
            continue
        train = task_rows[task_rows["split"] == "train"]
        chosen = str(task_rows["model_name"].iloc[0])
        recency_threshold = None
        if task == "churn" and len(train):
            recency_threshold = best_threshold(train["label"], train["days_since_last_message"])
        models = ["logistic_regression", "baseline_prior"] if task == "churn" else list(PROBABILITY_COLUMNS)
        for split in SPLITS:
            part = task_rows[task_rows["split"] == split]
            if part.empty:
                continue
            labels = part["label"].astype(int).to_numpy()
            for name in models:
                rows.append(
                    metric_row(
                        task,
                        split,
                        name,
                        labels,
                        part[PROBABILITY_COLUMNS[name]],
                        threshold,
                        is_chosen=name == chosen,
                    )
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
            pd.to_numeric(frame[column]).astype(dtype)
            if dtype in {"Int64", "float64"}
            else frame[column].astype(dtype)
        )
    return frame


def with_fitted_as_of(frame: pd.DataFrame, fitted_as_of, target_type=None) -> pd.DataFrame:
    """`frame` with the column fitted_as_of on every row: the as_of of the fit whose back-test the
    metrics score, a UTC timestamp in microseconds, naive on DuckDB and UTC-aware on BigQuery (as
    the build stamp)."""
    stamp = pd.Timestamp(fitted_as_of)
    stamp = stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")
    aware = target_type == "bigquery"
    frame = frame.copy()
    frame["fitted_as_of"] = pd.Series(
        [stamp if aware else stamp.tz_localize(None)] * len(frame),
        index=frame.index,
        dtype="datetime64[us, UTC]" if aware else "datetime64[us]",
    )
    return frame


def log_span_days(relation) -> float | None:
    """Days from the first to the last chat row (aggregated in the warehouse: two values come back)."""
    if hasattr(relation, "aggregate"):  # DuckDB
        first, last = relation.aggregate("min(message_at), max(message_at)").fetchone()
    elif hasattr(relation, "to_pandas"):  # bigframes
        first, last = relation["message_at"].min(), relation["message_at"].max()
    else:  # Spark
        first, last = (
            relation.agg({"message_at": "min"}).first()[0],
            relation.agg({"message_at": "max"}).first()[0],
        )
    if first is None or pd.isna(first):
        return None
    return float((pd.Timestamp(last) - pd.Timestamp(first)) / pd.Timedelta(days=1))


# >>> shared block build_stamp: keep every copy the same text (sendwise rules-check)
# --- Build stamp (macro build_stamp of the SQL marts; docs/reliability.md): as_of and built_at. --
# The same text in every Python mart a dashboard reads (sendwise rules-check keeps the
# copies equal; dbt Python models cannot import project code on BigQuery).


def with_build_stamp(frame, as_of, built_at, target_type=None):
    """`frame` with the build's stamp on every row, as the SQL marts' macro build_stamp adds it:
    as_of (the build's as_of) and built_at (when this model ran), UTC timestamps, set or replaced.
    DuckDB gets naive microsecond timestamps (TIMESTAMP, like the SQL marts); BigQuery UTC-aware
    ones (BigQuery DataFrames writes them as TIMESTAMP; naive ones would be DATETIME). `frame` is
    pandas, BigQuery DataFrames or an Arrow table (a reused output on DuckDB)."""
    stamps = {}
    for name, value in (("as_of", as_of), ("built_at", built_at)):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")
        stamps[name] = (stamp if target_type == "bigquery" else stamp.tz_localize(None)).as_unit("us")
    if hasattr(frame, "append_column"):  # an Arrow table
        import pyarrow as pa

        for name, stamp in stamps.items():
            column = pa.array([stamp.to_pydatetime()] * frame.num_rows, pa.timestamp("us"))
            index = frame.schema.get_field_index(name)
            frame = frame.set_column(index, name, column) if index >= 0 else frame.append_column(name, column)
        return frame
    if not isinstance(frame, pd.DataFrame):  # BigQuery DataFrames: a constant column
        for name, stamp in stamps.items():
            frame[name] = stamp
        return frame
    frame = frame.copy()
    for name, stamp in stamps.items():
        dtype = "datetime64[us, UTC]" if stamp.tzinfo is not None else "datetime64[us]"
        frame[name] = pd.Series([stamp] * len(frame), index=frame.index, dtype=dtype)
    return frame


# <<< shared block build_stamp


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
    dbt.config(materialized="table", packages=["pandas==2.3.3", "numpy==2.4.6"])
    built_at = pd.Timestamp.now(tz="UTC")
    predictions = to_pandas(
        dbt.ref("fan_predictions"),
        ["task", "split", "label", "model_name", "days_since_last_message", *PROBABILITY_COLUMNS.values()],
    )
    raw = to_pandas(dbt.ref("settings_modeling"), ["setting_name", "setting_value", "value_type"])
    settings = {
        n: float(v)
        for n, v, t in zip(raw["setting_name"], raw["setting_value"], raw["value_type"], strict=True)
        if t == "number"
    }
    metrics = compute_metrics(predictions, settings, log_span_days(dbt.ref("int_fan_chat_messages")))
    target_type = dbt.config.get("target_type")
    fits = to_pandas(dbt.ref("fan_prediction_fits"), ["fitted_as_of"])
    if fits.shape[0] != 1:
        raise ValueError(f"fan_prediction_fits holds {fits.shape[0]} fits, not one")
    metrics = with_fitted_as_of(metrics, fits["fitted_as_of"].iloc[0], target_type)
    metrics = with_build_stamp(metrics, dbt.config.get("as_of"), built_at, target_type)
    return to_engine(metrics, target_type)
