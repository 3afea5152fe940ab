"""Revenue per PPV send from the revenue GBM's kept fit, with a quantile interval and naive baselines.

Inputs (features prepared in SQL): `ml_revenue_gbm_fit` (the fit of the current fit period:
gradient boosting trained only on the sends before the fit's as_of - gbm_holdout_days),
`int_revenue_model_features` (its holdout rows: the sends of the last gbm_holdout_days, features as
of the cutoff) and `int_revenue_scoring_candidates` (one row per scoring_key with the same feature
columns).

The fit scores both the holdout sends (for `ml_revenue_model_metrics`; honest: the fit trained only
on sends before the holdout, which the scoring checks) and the candidates (for
`ml_revenue_predictions`): the mean (Poisson loss) and the two quantile models of the interval.
Baselines: the page x local-hour mean revenue of the fit's training window (page mean, then global
mean, where a cell is empty), and the page's revenue per PPV send over the last 28 days (the row's
`ppv_revenue_per_send_28d`, as of the cutoff for holdout rows; the page x hour baseline where the
page sent nothing in those 28 days). A fit without a model (too few training sends, or none that
earned anything) gives every row the page x hour baseline; `model_version` says which.

Output: one row per (score_kind, row_key): holdout rows carry the actual revenue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_ml_input_fingerprints / int_ml_scoring_fingerprints) and the
# settings (name prefixes) whose change means new scores, with the kept fit's fingerprint and hash
# added as the setting gbm_fit; a change of this file's code does too (CODE_VERSION: where the code
# is not run from a file, bump it with any change to what the scores compute).
REUSE_INPUTS = ["int_revenue_model_features", "int_revenue_scoring_candidates"]
REUSE_SETTING_PREFIXES = ("gbm_",)
CODE_VERSION = "7"


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

FEATURE_COLUMNS = ["send_id", "sent_at", "sample_split", "exclusion_reason", "earnings", *STORED_FEATURES]
CANDIDATE_COLUMNS = ["scoring_key", *STORED_FEATURES]


def naive_baseline(baseline: dict | None, rows: pd.DataFrame) -> np.ndarray:
    """Mean training revenue of the row's (page, local hour); else of its page; else global
    (baseline: ml_revenue_gbm_fit.baseline_tables; None, without training sends: NaN)."""
    if baseline is None:
        return np.full(len(rows), np.nan)
    keys = pd.MultiIndex.from_arrays([rows["page_key"], rows["local_hour"]])
    value = pd.Series(baseline["cell"].reindex(keys).to_numpy(), index=rows.index)
    value = value.fillna(rows["page_key"].map(baseline["page"]))
    return value.fillna(baseline["global"]).to_numpy(dtype=float)


def recent_baseline(rows: pd.DataFrame, fallback: np.ndarray) -> np.ndarray:
    """The page's revenue per PPV send over the last 28 days (the row's own feature, known at the
    cutoff for holdout rows and at as_of for candidates); `fallback` where it is missing."""
    recent = pd.to_numeric(rows["ppv_revenue_per_send_28d"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(recent), fallback, recent)


def predict_interval(models: dict, x: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, low, high), all >= 0, low <= high (quantile models are fitted separately and may cross)."""
    mean = np.clip(models["mean"].predict(x), 0, None)
    q_low = np.clip(models["low"].predict(x), 0, None)
    q_high = np.clip(models["high"].predict(x), 0, None)
    return mean, np.minimum(q_low, q_high), np.maximum(q_low, q_high)


def score(fit: dict, features: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Score the holdout sends of `features` (usable rows with sample_split holdout) and the
    candidates with `fit` (see module docstring). Raises if a holdout send is not later than every
    training send of the fit."""
    features, candidates = stable_rows(features, "send_id"), stable_rows(candidates, "scoring_key")
    holdout = features[features["exclusion_reason"].isna() & (features["sample_split"] == "holdout")]
    holdout = holdout.reset_index(drop=True)
    last_train = fit["train_last_sent_at"]
    if last_train is not None and len(holdout) and pd.Timestamp(holdout["sent_at"].min()) <= last_train:
        raise ValueError("the revenue GBM's fit trained on a send of the holdout: refit with var ml_retrain")
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
    rows["baseline_revenue"] = naive_baseline(fit["baseline"], scored)
    rows["baseline_28d_revenue"] = recent_baseline(scored, rows["baseline_revenue"].to_numpy(dtype=float))
    if fit["models"] is not None:
        mean, low, high = predict_interval(fit["models"], encode_features(scored, fit["vocabulary"]))
        rows["predicted_revenue"], rows["predicted_revenue_low"], rows["predicted_revenue_high"] = (
            mean,
            low,
            high,
        )
    else:
        rows["predicted_revenue"] = rows["baseline_revenue"]
        rows["predicted_revenue_low"] = np.nan
        rows["predicted_revenue_high"] = np.nan
    rows["model_version"] = fit["model_version"]
    rows["train_sends"] = fit["train_sends"]
    rows["train_last_sent_at"] = last_train if last_train is not None else pd.NaT
    rows["score_key"] = rows["score_kind"] + "|" + rows["row_key"]
    rows["local_hour"] = rows["local_hour"].astype("Int64")
    rows["train_sends"] = rows["train_sends"].astype("int64")
    # microseconds, as the warehouse's TIMESTAMP: with no training send the column is all NaT, which
    # pandas would hold in nanoseconds (DuckDB TIMESTAMP_NS, breaking the mart's contract)
    rows["train_last_sent_at"] = pd.to_datetime(rows["train_last_sent_at"]).astype("datetime64[us]")
    return rows[OUTPUT_COLUMNS]


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
    fits = to_pandas(
        dbt.ref("ml_revenue_gbm_fit"), ["input_fingerprint", "fitted_model", "fitted_model_sha256"]
    )
    if fits.shape[0] != 1:
        raise ValueError(f"ml_revenue_gbm_fit holds {fits.shape[0]} fits, not one")
    settings["gbm_fit"] = f"{fits['input_fingerprint'].iloc[0]}|{fits['fitted_model_sha256'].iloc[0]}"
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

    fit = load_fit(fits.iloc[0], "ml_revenue_gbm_fit")
    holdout = to_pandas(
        dbt.ref("int_revenue_model_features"), FEATURE_COLUMNS, equals={"sample_split": "holdout"}
    )
    candidates = to_pandas(dbt.ref("int_revenue_scoring_candidates"), CANDIDATE_COLUMNS)
    with threadpool_limits(limits=int(float(settings["ml_max_threads"]))):
        result = score(fit, holdout, candidates)

    result = with_build_stamp(with_fit_columns(result, fingerprint), as_of, built_at, target_type)
    return to_engine(result, target_type)
