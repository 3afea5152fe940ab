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

Fallback: with fewer than gbm_min_train_sends training sends, or training sends that earned nothing
at all (an agency whose PPVs have not sold yet: the Poisson loss needs a positive total, and there is
no revenue to learn from), every row gets the page x hour baseline and `model_version` says which.

Output: one row per (score_kind, row_key): holdout rows carry the actual revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_ml_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; a change of this file's code does too (CODE_VERSION: where the code is not
# run from a file, bump it with any change to what the fit computes).
REUSE_INPUTS = ["int_revenue_model_features", "int_revenue_scoring_candidates"]
REUSE_SETTING_PREFIXES = ("gbm_",)
CODE_VERSION = "6"

MODEL_VERSION = "hgb-poisson-v3"
FALLBACK_VERSION = "naive-page-hour-mean (too few training sends)"
NO_REVENUE_VERSION = "naive-page-hour-mean (no revenue in the training sends)"
CATEGORICAL = ["page_key", "content_category", "price_band", "length_bin", "emoji_bin"]
BOOLEAN = ["has_cta", "has_urgency", "ends_with_question"]
NUMERIC = [
    "local_hour",
    "local_dow",
    "price",
    "send_index_in_day",
    "caption_page_uses",
    "caption_prior_sends",
    "caption_revenue_index",
    "page_hour_revenue_index",
    "revenue_7d",
    "revenue_prev_7d",
    "revenue_momentum_7d",
    "ppv_sends_7d",
    "audience_7d",
    "ppv_revenue_per_send_28d",
    "sends_per_day_28d",
]
# HistGradientBoosting caps a categorical feature at 255 categories and an agency can have more
# pages: page_key keeps its MAX_CATEGORIES most frequent pages as a category (the rest -> missing)
# and every page also enters as numbers learned from its training sends (target encoding), which
# carry the level of a page beyond the cap. page_revenue_per_send = (page's training revenue + k x global mean) / (its sends + k), k =
# gbm_page_prior_sends; page_log_train_sends = ln(1 + its training sends). An unseen page gets the
# global mean and 0.
PAGE_FEATURES = ["page_revenue_per_send", "page_log_train_sends"]
# A categorical keeps its most frequent categories up to this many (the rest -> missing), below the
# GBM's 255-category limit, so no categorical can fail the fit however many values it takes.
MAX_CATEGORIES = 250
FEATURES = CATEGORICAL + BOOLEAN + NUMERIC + PAGE_FEATURES
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


def frequent_categories(values: pd.Series, limit: int = MAX_CATEGORIES) -> list[str]:
    """The `limit` most frequent values (ties: by value), sorted."""
    counts = values.dropna().astype(str).value_counts()
    order = sorted(counts.index, key=lambda v: (-counts[v], v))
    return sorted(order[:limit])


def page_encoding(train: pd.DataFrame, prior_sends: float) -> tuple[pd.DataFrame, float]:
    """(per training page: page_revenue_per_send shrunk toward the global mean by prior_sends
    pseudo-sends and page_log_train_sends; the global mean revenue per send)."""
    global_mean = float(train["earnings"].mean()) if len(train) else 0.0
    pages = train.groupby("page_key")["earnings"].agg(["sum", "count"])
    table = pd.DataFrame(
        {
            "page_revenue_per_send": (pages["sum"] + prior_sends * global_mean)
            / (pages["count"] + prior_sends),
            "page_log_train_sends": np.log1p(pages["count"].astype(float)),
        }
    )
    return table, global_mean


def feature_vocabulary(train: pd.DataFrame, page_prior_sends: float = 20.0) -> dict:
    """What the encoding learns from the training rows: each categorical's categories (the most
    frequent MAX_CATEGORIES, sorted) and the page encoding (page_encoding)."""
    pages, global_mean = page_encoding(train, page_prior_sends)
    return {
        "categories": {c: frequent_categories(train[c]) for c in CATEGORICAL},
        "pages": pages,
        "global_revenue_per_send": global_mean,
    }


def encode_features(frame: pd.DataFrame, vocabulary: dict) -> pd.DataFrame:
    """The model matrix: categoricals with the training categories (unseen or dropped values ->
    missing), booleans as 0/1 floats, numerics as floats (missing stays NaN; the GBM handles it),
    the page's target encoding (an unseen page: the global mean revenue per send, 0 sends)."""
    out = pd.DataFrame(index=frame.index)
    for c in CATEGORICAL:
        values = frame[c].astype("string").astype(object).where(frame[c].notna(), None)
        out[c] = pd.Categorical(values, categories=vocabulary["categories"][c])
    pages = vocabulary["pages"]
    page = frame["page_key"].astype(object)
    out["page_revenue_per_send"] = (
        page.map(pages["page_revenue_per_send"]).astype(float).fillna(vocabulary["global_revenue_per_send"])
    )
    out["page_log_train_sends"] = page.map(pages["page_log_train_sends"]).astype(float).fillna(0.0)
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
        "quantile_learning_rate": f("gbm_quantile_learning_rate"),
        "quantile_max_leaf_nodes": int(f("gbm_quantile_max_leaf_nodes")),
        "quantile_min_samples_leaf": int(f("gbm_quantile_min_samples_leaf")),
        "l2_regularization": f("gbm_l2_regularization"),
        "quantile_low": f("gbm_quantile_low"),
        "quantile_high": f("gbm_quantile_high"),
        "seed": int(f("gbm_seed")),
        "page_prior_sends": f("gbm_page_prior_sends"),
    }


def fit_models(x: pd.DataFrame, y: np.ndarray, params: dict) -> dict:
    """Mean (Poisson loss) and the two quantile models, deterministic (fixed seed, no early stop).
    Each has its own trees: the mean is held back (small trees, large leaves, slow learning rate)
    because a flexible Poisson fit of noisy, skewed revenue learns the training sends' outliers and
    under-predicts the total of new sends (docs/ml.md); the quantiles need the flexibility to reach
    their levels, or the interval comes out too wide."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    def make(loss: str, max_iter: int, quantile: float | None = None):
        kwargs = {"quantile": quantile} if quantile is not None else {}
        prefix = "quantile_" if quantile is not None else ""
        return HistGradientBoostingRegressor(
            loss=loss,
            max_iter=max_iter,
            learning_rate=params[f"{prefix}learning_rate"],
            max_leaf_nodes=params[f"{prefix}max_leaf_nodes"],
            min_samples_leaf=params[f"{prefix}min_samples_leaf"],
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


# >>> shared block stable_features: keep every copy the same text (sendwise rules-check)
# --- Stable features: two builds of the same rows fit the same model. ---------------------------
STABLE_DECIMALS = 6


def stable_features(values: pd.DataFrame) -> pd.DataFrame:
    """Float features rounded to STABLE_DECIMALS after a scale of 1 + 1e-12. A parallel sum in the
    warehouse (or a sum over rows read in another order) differs between two builds of the same
    rows in its last bits, and gradient boosting bins on the distinct values, so a 1e-16 difference
    can move a bin edge and a prediction by several percent. The scale moves exact halves (a mean
    of cents) off the rounding boundary and + 0.0 turns -0.0 into 0.0, as relation_fingerprint
    does (macros/sendwise/fingerprint.sql); 6 decimals are far below any feature's resolution."""
    return (values.astype(float) * (1 + 1e-12)).round(STABLE_DECIMALS) + 0.0


# <<< shared block stable_features


def stable_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows in the order of `key` with stable numeric features (stable_features): the warehouse
    returns rows in any order, and the sums of a fit (the page encoding, the gradients) follow it."""
    frame = frame.sort_values(key, kind="stable").reset_index(drop=True)
    frame[NUMERIC] = stable_features(frame[NUMERIC].apply(pd.to_numeric, errors="coerce"))
    return frame


def score(features: pd.DataFrame, candidates: pd.DataFrame, settings: dict[str, str]) -> pd.DataFrame:
    """Train on the train rows; score holdout sends and candidates (see module docstring)."""
    features, candidates = stable_rows(features, "send_id"), stable_rows(candidates, "scoring_key")
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
    enough_sends = len(train) >= float(settings["gbm_min_train_sends"])
    if enough_sends and train["earnings"].astype(float).sum() > 0:
        vocabulary = feature_vocabulary(train, params["page_prior_sends"])
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
        rows["model_version"] = FALLBACK_VERSION if not enough_sends else NO_REVENUE_VERSION
    rows["train_sends"] = len(train)
    rows["train_last_sent_at"] = train["sent_at"].max() if len(train) else pd.NaT
    rows["score_key"] = rows["score_kind"] + "|" + rows["row_key"]
    rows["local_hour"] = rows["local_hour"].astype("Int64")
    rows["train_sends"] = rows["train_sends"].astype("int64")
    # microseconds, as the warehouse's TIMESTAMP: with no training send the column is all NaT, which
    # pandas would hold in nanoseconds (DuckDB TIMESTAMP_NS, breaking the mart's contract)
    rows["train_last_sent_at"] = pd.to_datetime(rows["train_last_sent_at"]).astype("datetime64[us]")
    return rows[OUTPUT_COLUMNS]


# what is read from the warehouse: the stored features (PAGE_FEATURES are derived here from the training sends)
STORED_FEATURES = CATEGORICAL + BOOLEAN + NUMERIC
FEATURE_COLUMNS = ["send_id", "sent_at", "sample_split", "exclusion_reason", "earnings", *STORED_FEATURES]
CANDIDATE_COLUMNS = ["scoring_key", *STORED_FEATURES]


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
        packages=["numpy==2.4.6", "pandas==2.3.3", "scikit-learn==1.9.1", "threadpoolctl==3.8.0"],
    )
    import sklearn.ensemble  # noqa: F401 - load OpenMP first: threadpoolctl limits only loaded libraries
    from threadpoolctl import threadpool_limits

    built_at = pd.Timestamp.now(tz="UTC")
    target_type = dbt.config.get("target_type")
    as_of = dbt.config.get("as_of")
    settings = settings_dict(to_pandas(dbt.ref("settings_modeling"), ["setting_name", "setting_value"]))
    fingerprints = [
        to_pandas(dbt.ref("int_ml_input_fingerprints")),
        to_pandas(dbt.ref("int_ml_scoring_fingerprints")),
    ]
    fingerprint = input_fingerprint(pd.concat(fingerprints, ignore_index=True), settings)
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(
            f"ml_revenue_gbm_scores: reused, inputs and settings unchanged (input fingerprint {fingerprint})"
        )
        # this build wrote the table: the stamp is this build's
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    features = to_pandas(dbt.ref("int_revenue_model_features"), FEATURE_COLUMNS)
    candidates = to_pandas(dbt.ref("int_revenue_scoring_candidates"), CANDIDATE_COLUMNS)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = score(features, candidates, settings)

    result = with_build_stamp(with_fit_columns(result, fingerprint), as_of, built_at, target_type)
    return to_engine(result, target_type)
