"""The revenue GBM's fit, kept between builds and renewed once per fit period (ml_fit_cadence_days).

Input: `int_revenue_model_features` (one row per PPV send, `sample_split` train / holdout by time:
train = sends before as_of - gbm_holdout_days). Output: one row, the fit that
`ml_revenue_gbm_scores` scores the holdout sends and the template's candidates with.

What is fitted, on the train rows only: the mean model (HistGradientBoostingRegressor, Poisson
loss: revenue is non-negative and its drivers multiply, audience x conversion x price), two
quantile-loss models for the interval (gbm_quantile_low / gbm_quantile_high), the feature
encoding learned from the training sends (categories, the page's target encoding) and the naive
page x local-hour baseline of the training window. Fallback: with fewer than gbm_min_train_sends
training sends, or training sends that earned nothing at all (the Poisson loss needs a positive
total), no model is fitted and the scores are the page x hour baseline (`model_version` says which).

Fit on a cadence: a fit belongs to the period of ml_fit_cadence_days days that holds the build's
as_of (periods counted from a Monday, shifted to ISO weekday ml_fit_cadence_first_dow; the default
7 days from Monday is the ISO week). The first build of a period fits on the data it has (sends
before its as_of - gbm_holdout_days); every later build of the period, a `--full-refresh` included,
reuses that fit (fit_mode 'reused', "reused" in the run log) and only scores, so a daily build does
not refit the revenue model six days of seven, and a daily build and a full refresh on the same day
score with the same fit. A change of a gbm_ or ml_fit_ setting, of this file's code or of the
library versions refits at once; so does var ml_retrain, a build whose as_of is earlier than the
kept fit's (a backfill: the fit must not have seen its holdout sends), and any build after a
fallback (no model is kept until one could be fitted).

The fit is a Python pickle (base64 text, its sha256 beside it) of scikit-learn estimators and pandas
tables: only ml_revenue_gbm_scores loads it, only from this table, and only after the sha256 matches.
Whoever can write this dataset can run code in the scoring model, as whoever can change the
models' code can: grant write on the ml dataset as on the project itself (docs/ml.md, "Fits on a
cadence"). scikit-learn has no portable format for fitted gradient boosting (skops would be one
more dependency for the same trust question).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: no input relation counts (the fit period does), the settings (name prefixes) whose change
# means a new fit, with the fit period added as the setting ml_fit_period_start; a change of this
# file's code does too (CODE_VERSION: where the code is not run from a file, bump it with any change
# to what the fit computes).
REUSE_INPUTS: list[str] = []
REUSE_SETTING_PREFIXES = ("gbm_", "ml_fit_")
CODE_VERSION = "1"

MODEL_VERSION = "hgb-poisson-v3"
FALLBACK_VERSION = "naive-page-hour-mean (too few training sends)"
NO_REVENUE_VERSION = "naive-page-hour-mean (no revenue in the training sends)"
FEATURE_COLUMNS = ["send_id", "sent_at", "sample_split", "exclusion_reason", "earnings"]
OUTPUT_COLUMNS = [
    "input_fingerprint",
    "period_start",
    "fitted_as_of",
    "model_version",
    "train_sends",
    "train_last_sent_at",
    "fitted_model",
    "fitted_model_sha256",
]


# >>> shared block gbm_encoding: keep every copy the same text (sendwise rules-check)
# --- The revenue GBM's features: ml_revenue_gbm_fit encodes its training sends and
# ml_revenue_gbm_scores the rows it scores with the same code (dbt Python models cannot import
# project code on BigQuery). ---------------------------------------------------------------------
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
# what is read from the warehouse: the stored features (PAGE_FEATURES are derived from the training sends)
STORED_FEATURES = CATEGORICAL + BOOLEAN + NUMERIC


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


def stable_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows in the order of `key` with stable numeric features (stable_features): the warehouse
    returns rows in any order, and the sums of a fit (the page encoding, the gradients) follow it."""
    frame = frame.sort_values(key, kind="stable").reset_index(drop=True)
    frame[NUMERIC] = stable_features(frame[NUMERIC].apply(pd.to_numeric, errors="coerce"))
    return frame


# <<< shared block gbm_encoding


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


def baseline_tables(train: pd.DataFrame) -> dict | None:
    """What the naive baseline looks up (ml_revenue_gbm_scores.naive_baseline): the training
    sends' mean revenue per (page, local hour), per page and overall; None without training sends."""
    if train.empty:
        return None
    return {
        "cell": train.groupby(["page_key", "local_hour"])["earnings"].mean(),
        "page": train.groupby("page_key")["earnings"].mean(),
        "global": float(train["earnings"].mean()),
    }


def fit_revenue_model(features: pd.DataFrame, settings: dict[str, str]) -> dict:
    """The fit of the module docstring from the feature rows (both splits: the time split is
    checked against the holdout): estimators (None on a fallback), encoding vocabulary, baseline
    tables, model_version, train_sends and train_last_sent_at."""
    train, _ = split_train_holdout(stable_rows(features, "send_id"))
    params = gbm_params(settings)
    enough_sends = len(train) >= float(settings["gbm_min_train_sends"])
    fit = {
        "models": None,
        "vocabulary": None,
        "baseline": baseline_tables(train),
        "model_version": FALLBACK_VERSION if not enough_sends else NO_REVENUE_VERSION,
        "train_sends": len(train),
        "train_last_sent_at": pd.Timestamp(train["sent_at"].max()) if len(train) else None,
    }
    if enough_sends and train["earnings"].astype(float).sum() > 0:
        vocabulary = feature_vocabulary(train, params["page_prior_sends"])
        y = train["earnings"].to_numpy(float)
        fit.update(
            models=fit_models(encode_features(train, vocabulary), y, params),
            vocabulary=vocabulary,
            model_version=MODEL_VERSION,
        )
    return fit


def fit_row(fit: dict, fingerprint: str, period_start: pd.Timestamp, as_of, target_type=None) -> pd.DataFrame:
    """The output row of a new fit (fit_mode 'trained'), typed as the warehouse's columns: UTC
    timestamps in microseconds, naive on DuckDB (TIMESTAMP) and UTC-aware on BigQuery (BigQuery
    DataFrames writes naive ones as DATETIME), as the build stamp; the stamp is added after."""
    text, sha = dump_fit(fit)
    last = fit["train_last_sent_at"]

    row = pd.DataFrame(
        {
            "input_fingerprint": pd.Series([fingerprint], dtype="string"),
            "period_start": fit_stamp(period_start, target_type),
            "fitted_as_of": fit_stamp(as_of, target_type),
            "model_version": pd.Series([fit["model_version"]], dtype="string"),
            "train_sends": pd.Series([fit["train_sends"]], dtype="int64"),
            "train_last_sent_at": fit_stamp(last, target_type),
            "fitted_model": pd.Series([text], dtype="string"),
            "fitted_model_sha256": pd.Series([sha], dtype="string"),
        }
    )
    row["fit_mode"] = pd.Series(["trained"], dtype="string")
    return row


# >>> shared block kept_fit: keep every copy the same text (sendwise rules-check)
# --- A fit kept for a fit period (docs/ml.md, "Fits on a cadence"): the period of a build, the fit
# as text and back. The same text in each fit model and the model that scores with it (dbt Python
# models cannot import project code on BigQuery). -------------------------------------------------
# Monday 1970-01-05: the fit periods are counted from this day shifted to ml_fit_cadence_first_dow.
PERIOD_ORIGIN = pd.Timestamp("1970-01-05")


def naive_utc(value) -> pd.Timestamp:
    """A timestamp as naive UTC."""
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


def fit_period_start(as_of, cadence_days: int, first_dow: int) -> pd.Timestamp:
    """Midnight UTC starting the fit period that holds `as_of`: periods of `cadence_days` days
    counted from the Monday 1970-01-05 moved to ISO weekday `first_dow` (1 = Monday ... 7 = Sunday).
    With 7 days and first_dow 1 the period is the ISO week; with 1 day every day is a period."""
    if cadence_days < 1 or not 1 <= first_dow <= 7:
        raise ValueError(f"fit cadence of {cadence_days} days from ISO weekday {first_dow}: not a cadence")
    day = naive_utc(as_of).normalize()
    origin = PERIOD_ORIGIN + pd.Timedelta(days=first_dow - 1)
    periods = (day - origin).days // cadence_days
    return origin + pd.Timedelta(days=periods * cadence_days)


def dump_fit(fit: dict) -> tuple[str, str]:
    """(base64 text of the pickled fit, its sha256): a STRING column on both engines."""
    import base64
    import hashlib
    import pickle

    data = pickle.dumps(fit, protocol=5)
    return base64.b64encode(data).decode("ascii"), hashlib.sha256(data).hexdigest()


def load_fit(row: pd.Series, source: str) -> dict:
    """The fit of one row of the fit model `source` (columns fitted_model, fitted_model_sha256),
    after its sha256 matches the stored one (a truncated or altered text is refused, not
    unpickled)."""
    import base64
    import hashlib
    import pickle

    data = base64.b64decode(str(row["fitted_model"]))
    if hashlib.sha256(data).hexdigest() != str(row["fitted_model_sha256"]):
        raise ValueError(f"{source}: the fitted model does not match its sha256; refit with var ml_retrain")
    # the project's own fit, its hash checked (the fit model's docstring says who may write it)
    return pickle.loads(data)


def fit_stamp(value, target_type=None) -> pd.Series:
    """One timestamp (or None) as a column of a fit row, typed as the warehouse's columns: UTC in
    microseconds, naive on DuckDB (TIMESTAMP) and UTC-aware on BigQuery (BigQuery DataFrames
    writes naive ones as DATETIME), as the build stamp."""
    utc = pd.Series([naive_utc(value) if value is not None else pd.NaT], dtype="datetime64[us]")
    return utc.dt.tz_localize("UTC") if target_type == "bigquery" else utc


def usable_previous(previous, as_of, model_version: str):
    """The kept fit as pandas when it may score this build: one row of a fitted model
    (`model_version`; a fallback is never kept: a new agency's first data would wait for the next
    period) not fitted at a later as_of than the build's (a backfill inside the period would score
    rows the fit trained on)."""
    if previous is None:
        return None
    frame = previous.to_pandas() if hasattr(previous, "to_pandas") else previous
    if frame.shape[0] != 1 or str(frame["model_version"].iloc[0]) != model_version:
        return None
    return frame if naive_utc(frame["fitted_as_of"].iloc[0]) <= naive_utc(as_of) else None


# <<< shared block kept_fit


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
    period_start = fit_period_start(
        as_of, int(float(settings["ml_fit_cadence_days"])), int(float(settings["ml_fit_cadence_first_dow"]))
    )
    settings["ml_fit_period_start"] = period_start.strftime("%Y-%m-%d")
    fingerprint = input_fingerprint(pd.DataFrame({"input_name": []}), settings)
    previous = usable_previous(previous_output(dbt, session, fingerprint), as_of, MODEL_VERSION)
    if previous is not None:
        print(
            f"ml_revenue_gbm_fit: reused, the fit of the period from {settings['ml_fit_period_start']}"
            f" (fitted at as_of {previous['fitted_as_of'].iloc[0]}; input fingerprint {fingerprint})"
        )
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    features = to_pandas(dbt.ref("int_revenue_model_features"), FEATURE_COLUMNS + STORED_FEATURES)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        fit = fit_revenue_model(features, settings)
    result = fit_row(fit, fingerprint, period_start, as_of, target_type)
    return to_engine(with_build_stamp(result, as_of, built_at, target_type), target_type)
