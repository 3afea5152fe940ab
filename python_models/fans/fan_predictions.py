"""fan_predictions: churn and purchase predictions per fan-model pair, with their held-out rows.

The models are fitted once per fit period by fan_prediction_fits (its docstring has the time
splits, the candidates and the choice by validation AUC); this model loads that fit (checked
against its sha256) and returns:

* the fit's back-test as it was computed: churn train and test rows, purchase train, validation
  and test rows, every candidate's probability (fan_prediction_metrics scores them);
* this build's score rows: churn for the pairs at risk at as_of (a message in the
  `fan_churn_window_days` before it), purchase for the live pairs (active in the last
  `fan_active_days`, N rows reached, no sale after them yet), with the chosen candidate's top
  reasons.

Rows: split = train (in-sample) | validation | test (labelled) | score (label null); every
candidate's probability is a column, `probability` is the chosen model's. A daily build in the
fit's period only scores: the fits are not run again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_fan_input_fingerprints) and the settings (name prefixes) whose
# change means new scores; the build's as_of places the score rows, so it counts as a setting
# ("as_of"), and so does the kept fit (fan_prediction_fit: its fingerprint and sha256); a change of
# this file's code does too (CODE_VERSION: where the code is not run from a file, bump it with any
# change to what the model computes).
REUSE_INPUTS = ["int_fan_chat_messages", "int_fan_purchase_features"]
REUSE_SETTING_PREFIXES = (
    "fan_churn_",
    "fan_purchase_",
    "fan_active_days",
    "fan_prediction_threshold",
    "fan_prediction_fit",
    "as_of",
)
CODE_VERSION = "3"


# >>> shared block fan_predictions: keep every copy the same text (sendwise rules-check)
# --- The features, the output rows and the kept fit's probabilities: fan_prediction_fits fits and
# back-tests with this code, fan_predictions scores with it (dbt Python models cannot import
# project code on BigQuery). ----------------------------------------------------------------------
CHURN_FEATURES = [
    "days_since_last_message",
    "tenure_days",
    "log_messages",
    "log_messages_window",
    "messages_last_7d",
    "conversations_window",
    "log_revenue",
    "purchases",
    "purchase_rate",
    "fan_share",
]
PURCHASE_FEATURES = [
    "conversations",
    "text_messages",
    "silent_rows",
    "media_messages",
    "tips",
    "log_tip_amount",
    "offers_seen",
    "offers_bought",
    "log_ppv_revenue",
    "log_avg_offer_price",
    "avg_message_chars",
    "question_rate",
    "emoji_per_message",
    "intent_score",
    "log_reply_minutes",
    "hour_sin",
    "hour_cos",
    "hour_concentration",
    "log_span_hours",
    "log_max_gap_hours",
]
# The window the label is read in, known when the N-th row is written (label_horizon_days): every
# candidate sees it after the pair's features; top reasons name only the pair's features.
HORIZON_FEATURE = "log_horizon_days"
PURCHASE_INPUT_COLUMNS = [
    "fan_model_key",
    "predicted_at",
    "first_purchase_after_at",
    "last_message_at",
    "conversations",
    "text_messages",
    "silent_rows",
    "media_messages",
    "tips",
    "tip_amount",
    "offers_seen",
    "offers_bought",
    "ppv_revenue",
    "avg_offer_price",
    "avg_message_chars",
    "question_rate",
    "emoji_per_message",
    "intent_score",
    "log_reply_minutes",
    "hour_sin",
    "hour_cos",
    "hour_concentration",
    "span_hours",
    "max_gap_hours",
]
# The fitted families, and the candidates chosen among by validation AUC (ties go to the earlier,
# simpler one): the prior, each family, and the ensemble = the mean of the three families'
# calibrated probabilities (their errors differ, so the mean ranks pairs better than each alone).
FAMILIES = ("logistic_regression", "gradient_boosting", "mlp")
CANDIDATES = ("baseline_prior", *FAMILIES, "ensemble")
OUTPUT_COLUMNS = {
    "prediction_id": "string",
    "task": "string",
    "split": "string",
    "fan_model_key": "string",
    "predicted_at": "datetime64[ns]",
    "label": "Int64",
    "probability": "float64",
    "baseline_probability": "float64",
    "predicted_label": "Int64",
    "model_name": "string",
    "probability_logistic_regression": "float64",
    "probability_gradient_boosting": "float64",
    "probability_mlp": "float64",
    "probability_ensemble": "float64",
    "top_reasons": "string",
    "days_since_last_message": "float64",
}
DAY = pd.Timedelta(days=1)
CHURN_MESSAGE_COLUMNS = [
    "fan_model_key",
    "conversation_id",
    "message_at",
    "fan_message_kind",
    "is_offer",
    "is_purchase",
    "revenue",
]


def churn_examples(messages: pd.DataFrame, cutoff: pd.Timestamp, window_days: float, horizon_days: float):
    """At-risk pairs at `cutoff` with features from rows at or before it and the label (no row
    in the horizon after it); label is NA when the horizon is not fully observed (cutoff + H >
    the data's as_of is decided by the caller)."""
    past = messages[messages["message_at"] <= cutoff]
    if past.empty:
        return pd.DataFrame(columns=["fan_model_key", *CHURN_FEATURES, "label"])
    window_start = cutoff - window_days * DAY
    in_window = past["message_at"] > window_start
    grouped = past.groupby("fan_model_key")
    feats = pd.DataFrame(
        {
            "first_at": grouped["message_at"].min(),
            "last_at": grouped["message_at"].max(),
            "messages": grouped.size(),
            "revenue": grouped["revenue"].sum(),
            "purchases": grouped["is_purchase"].sum(),
            "offers": grouped["is_offer"].sum(),
            "fan_rows": grouped["is_fan_row"].sum(),
        }
    )
    window = past[in_window].groupby("fan_model_key")
    feats["messages_window"] = window.size()
    feats["conversations_window"] = window["conversation_id"].nunique()
    feats["messages_last_7d"] = past[past["message_at"] > cutoff - 7 * DAY].groupby("fan_model_key").size()
    feats = feats.fillna({"messages_window": 0, "conversations_window": 0, "messages_last_7d": 0})
    feats = feats[feats["last_at"] > window_start]
    future = messages[
        (messages["message_at"] > cutoff) & (messages["message_at"] <= cutoff + horizon_days * DAY)
    ]
    active_after = set(future["fan_model_key"])
    out = pd.DataFrame(
        {
            "fan_model_key": feats.index,
            "days_since_last_message": (cutoff - feats["last_at"]) / DAY,
            "tenure_days": (cutoff - feats["first_at"]) / DAY,
            "log_messages": np.log1p(feats["messages"]),
            "log_messages_window": np.log1p(feats["messages_window"]),
            "messages_last_7d": feats["messages_last_7d"],
            "conversations_window": feats["conversations_window"],
            "log_revenue": np.log1p(feats["revenue"].clip(lower=0)),
            "purchases": feats["purchases"],
            "purchase_rate": (feats["purchases"] / feats["offers"].where(feats["offers"] > 0)).fillna(0.0),
            "fan_share": feats["fan_rows"] / feats["messages"],
        }
    ).reset_index(drop=True)
    out[CHURN_FEATURES] = stable_features(out[CHURN_FEATURES])
    out["label"] = (~out["fan_model_key"].isin(active_after)).astype(int)
    out["predicted_at"] = cutoff
    return out


def label_horizon_days(predicted_at, label_until) -> np.ndarray:
    """Days from each pair's N-th row (`predicted_at`) to the end of the window its label is read
    in (`label_until`, one time or one per pair: the next split's cutoff, as_of, or for today's
    scores the N-th row + fan_purchase_score_horizon_days), floored at 0. Known when the N-th row
    is written: it is the back-test's design, not the fan's future. A pair whose N-th row is an
    hour before its cutoff can hardly be seen buying, whatever the fan; without the window every
    candidate ranks that censoring blind."""
    start = pd.to_datetime(pd.Series(predicted_at)).reset_index(drop=True)
    if isinstance(label_until, pd.Series | np.ndarray | list):
        until = pd.to_datetime(pd.Series(label_until)).reset_index(drop=True)
    else:
        until = pd.Timestamp(label_until)
    return ((until - start) / DAY).clip(lower=0).to_numpy(dtype=float)


def purchase_design(features: pd.DataFrame, label_until) -> pd.DataFrame:
    """Model inputs from int_fan_purchase_features (counts logged, missing rates as NaN) and, last,
    the log of the label window's length in days (label_horizon_days, up to `label_until`)."""
    f = features
    out = pd.DataFrame(
        {
            "conversations": f["conversations"].astype(float),
            "text_messages": f["text_messages"].astype(float),
            "silent_rows": f["silent_rows"].astype(float),
            "media_messages": f["media_messages"].astype(float),
            "tips": f["tips"].astype(float),
            "log_tip_amount": np.log1p(f["tip_amount"].astype(float).clip(lower=0)),
            "offers_seen": f["offers_seen"].astype(float),
            "offers_bought": f["offers_bought"].astype(float),
            "log_ppv_revenue": np.log1p(f["ppv_revenue"].astype(float).clip(lower=0)),
            "log_avg_offer_price": np.log1p(f["avg_offer_price"].astype(float)),
            "avg_message_chars": f["avg_message_chars"].astype(float),
            "question_rate": f["question_rate"].astype(float),
            "emoji_per_message": f["emoji_per_message"].astype(float),
            "intent_score": f["intent_score"].astype(float),
            "log_reply_minutes": f["log_reply_minutes"].astype(float),
            "hour_sin": f["hour_sin"].astype(float),
            "hour_cos": f["hour_cos"].astype(float),
            "hour_concentration": f["hour_concentration"].astype(float),
            "log_span_hours": np.log1p(f["span_hours"].astype(float).clip(lower=0)),
            "log_max_gap_hours": np.log1p(f["max_gap_hours"].astype(float).clip(lower=0)),
        }
    ).reset_index(drop=True)
    out[HORIZON_FEATURE] = np.log1p(label_horizon_days(f["predicted_at"], label_until))
    return stable_features(out)


def prepare_messages(messages: pd.DataFrame) -> pd.DataFrame:
    frame = messages.copy()
    frame["message_at"] = pd.to_datetime(frame["message_at"])
    frame["is_fan_row"] = frame["fan_message_kind"].astype(str) != "empty"
    for column in ("is_purchase", "is_offer"):
        frame[column] = frame[column].astype(bool)
    return frame


def predict_probability(fitted, x: np.ndarray) -> np.ndarray:
    """P(label 1) of each row of `x` from a fitted candidate (fan_prediction_fits.fit_candidate): a
    scikit-learn classifier, or a float, the training positive rate (baseline_prior, and a family
    whose training rows had one class). Plain estimators and floats, not closures: the fit is
    pickled and kept."""
    if not len(x):
        return np.zeros(0)
    if isinstance(fitted, float):
        return np.full(len(x), fitted)
    from threadpoolctl import threadpool_limits

    # one thread: on small frames OpenMP threads of a shared machine cost more than they save
    with threadpool_limits(1):
        return fitted.predict_proba(x)[:, 1]


def ensemble_probability(family_probs: dict[str, np.ndarray]) -> np.ndarray:
    """The ensemble candidate: the mean of the families' calibrated probabilities, row by row."""
    return np.mean(np.vstack([np.asarray(family_probs[n], dtype=float) for n in FAMILIES]), axis=0)


def churn_rows(split: str, frame: pd.DataFrame, probability: np.ndarray, baseline: float) -> pd.DataFrame:
    """Output rows of the churn examples `frame` (churn_examples) of one split: the logistic
    regression's probability and the baseline (the training positive rate)."""
    return pd.DataFrame(
        {
            "task": "churn",
            "split": split,
            "fan_model_key": frame["fan_model_key"].to_numpy(),
            "predicted_at": pd.to_datetime(frame["predicted_at"]).to_numpy(),
            "label": frame["label"].to_numpy() if split != "score" else pd.NA,
            "model_name": "logistic_regression",
            "probability": probability,
            "baseline_probability": baseline,
            "probability_logistic_regression": probability,
            "days_since_last_message": frame["days_since_last_message"].to_numpy(),
        }
    )


def purchase_rows(split: str, frame: pd.DataFrame, probs: dict, chosen: str, reasons=None) -> pd.DataFrame:
    """Output rows of the purchase pairs `frame` of one split: every candidate's probability
    (`probs`, by candidate), `probability` = the chosen one's, top_reasons of score rows."""
    return pd.DataFrame(
        {
            "task": "purchase",
            "split": split,
            "fan_model_key": frame["fan_model_key"].to_numpy(),
            "predicted_at": pd.to_datetime(frame["predicted_at"]).to_numpy(),
            "label": frame["label"].to_numpy() if split != "score" else pd.NA,
            "model_name": chosen,
            "probability": probs[chosen],
            "baseline_probability": probs["baseline_prior"],
            "probability_logistic_regression": probs["logistic_regression"],
            "probability_gradient_boosting": probs["gradient_boosting"],
            "probability_mlp": probs["mlp"],
            "probability_ensemble": probs["ensemble"],
            "top_reasons": reasons if reasons else None,
        }
    )


# <<< shared block fan_predictions


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


# ---------------------------------------------------------------------------------- scoring
def top_reasons(predict, x: np.ndarray, reference: np.ndarray, names: list[str], k: int) -> list[str]:
    """Per row, the k features that raise its probability most: contribution of feature j =
    P(x) - P(x with feature j set to the training median `reference[j]`), listed 'name (+0.12)'
    when positive, largest first; '' when none raises it. Only the first len(names) columns are
    named (the label window after them is the question asked, not a reason)."""
    if len(x) == 0:
        return []
    base = predict(x)
    contrib = np.zeros((len(x), len(names)))
    for j in range(len(names)):
        probe = x.copy()
        probe[:, j] = reference[j]
        contrib[:, j] = base - predict(probe)
    out = []
    for row in contrib:
        order = [j for j in np.argsort(-row, kind="stable")[:k] if row[j] > 0.005]
        out.append("; ".join(f"{names[j]} (+{row[j]:.2f})" for j in order))
    return out


def typed_output(out: pd.DataFrame, threshold: float) -> pd.DataFrame:
    out = out.reindex(columns=list(OUTPUT_COLUMNS)).copy()
    out["predicted_label"] = (pd.to_numeric(out["probability"]) >= threshold).astype("Int64")
    out.loc[out["probability"].isna(), "predicted_label"] = pd.NA
    out["prediction_id"] = (
        out["task"].astype(str)
        + "|"
        + out["split"].astype(str)
        + "|"
        + pd.to_datetime(out["predicted_at"]).dt.strftime("%Y-%m-%d %H:%M:%S")
        + "|"
        + out["fan_model_key"].astype(str)
    )
    for column, dtype in OUTPUT_COLUMNS.items():
        out[column] = (
            pd.to_numeric(out[column]).astype(dtype)
            if dtype in {"Int64", "float64"}
            else out[column].astype(dtype)
        )
    return out.sort_values(["task", "split", "predicted_at", "fan_model_key"]).reset_index(drop=True)


CHURN_MESSAGE_COLUMNS = [
    "fan_model_key",
    "conversation_id",
    "message_at",
    "fan_message_kind",
    "is_offer",
    "is_purchase",
    "revenue",
]


def chosen_probability(kept: dict, x: np.ndarray) -> np.ndarray:
    """The chosen purchase candidate's probability of each row of `x` from the kept fit."""
    fitted = kept["fitted"]
    if kept["chosen"] == "ensemble":
        return ensemble_probability({n: predict_probability(fitted[n], x) for n in FAMILIES})
    return predict_probability(fitted[kept["chosen"]], x)


def churn_scores(
    kept: dict | None, messages: pd.DataFrame, settings: dict, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Score rows of the pairs at risk at as_of (a message in the window before it), by the kept
    churn model (refitted on every labelled cutoff of the fit); none without a kept model."""
    if kept is None:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    score = churn_examples(
        messages, as_of, settings["fan_churn_window_days"], settings["fan_churn_horizon_days"]
    )
    if score.empty:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    probability = predict_probability(kept["model"], score[CHURN_FEATURES].to_numpy(dtype=float))
    return churn_rows("score", score, probability, kept["prior"])


def purchase_scores(
    kept: dict | None, features: pd.DataFrame, settings: dict, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Score rows of the live pairs (active in the last fan_active_days, N rows reached, no sale
    after them yet), each asked about a label window of fan_purchase_score_horizon_days after its
    N-th row, by every candidate of the kept fit, with the chosen one's top reasons."""
    score = features[
        features["predicted_at"].notna()
        & features["first_purchase_after_at"].isna()
        & (pd.to_datetime(features["last_message_at"]) >= as_of - settings["fan_active_days"] * DAY)
    ].reset_index(drop=True)
    if kept is None or score.empty:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    until = pd.to_datetime(score["predicted_at"]) + settings["fan_purchase_score_horizon_days"] * DAY
    x = purchase_design(score, until).to_numpy(dtype=float)
    probs = {n: predict_probability(kept["fitted"][n], x) for n in ("baseline_prior", *FAMILIES)}
    probs["ensemble"] = ensemble_probability(probs)
    reasons = None
    if kept["chosen"] != "baseline_prior":
        reasons = top_reasons(
            lambda frame: chosen_probability(kept, frame),
            x,
            kept["reference"],
            PURCHASE_FEATURES,
            int(settings["fan_purchase_top_reasons"]),
        )
    return purchase_rows("score", score, probs, kept["chosen"], reasons)


def score_predictions(
    fit: dict, messages: pd.DataFrame, features: pd.DataFrame, settings: dict[str, float], as_of: pd.Timestamp
) -> pd.DataFrame:
    """The kept fit's back-test rows as they are and this build's score rows (churn_scores,
    purchase_scores), typed."""
    frame = prepare_messages(messages)
    frame = frame[frame["message_at"] <= as_of]
    parts = [
        fit["backtest"],
        churn_scores(fit["churn"], frame, settings, as_of),
        purchase_scores(fit["purchase"], features, settings, as_of),
    ]
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    return typed_output(out, settings["fan_prediction_threshold"])


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


def model(dbt, session):
    dbt.config(
        materialized="table",
        packages=[
            "pandas==2.3.3",
            "numpy==2.4.6",
            "scikit-learn==1.9.1",
            "scipy==1.17.1",
            "threadpoolctl==3.8.0",
        ],
    )
    built_at = pd.Timestamp.now(tz="UTC")
    target_type = dbt.config.get("target_type")
    as_of = pd.Timestamp(dbt.config.get("as_of"))
    raw = to_pandas(dbt.ref("settings_modeling"), ["setting_name", "setting_value", "value_type"])
    fits = to_pandas(
        dbt.ref("fan_prediction_fits"),
        ["input_fingerprint", "fitted_as_of", "fitted_model", "fitted_model_sha256"],
    )
    if fits.shape[0] != 1:
        raise ValueError(f"fan_prediction_fits holds {fits.shape[0]} fits, not one")
    if naive_utc(fits["fitted_as_of"].iloc[0]) > naive_utc(as_of):  # the fit model refits a backfill
        raise ValueError("fan_prediction_fits: the kept fit is from a later as_of than this build's")
    text_settings = settings_dict(raw)
    text_settings["fan_prediction_fit"] = (
        f"{fits['input_fingerprint'].iloc[0]}|{fits['fitted_model_sha256'].iloc[0]}"
    )
    fingerprint = input_fingerprint(
        to_pandas(dbt.ref("int_fan_input_fingerprints")), {**text_settings, "as_of": str(as_of)}
    )
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(f"fan_predictions: reused, inputs and settings unchanged (input fingerprint {fingerprint})")
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    fit = load_fit(fits.iloc[0], "fan_prediction_fits")
    messages = to_pandas(dbt.ref("int_fan_chat_messages"), CHURN_MESSAGE_COLUMNS)
    features = to_pandas(dbt.ref("int_fan_purchase_features"), PURCHASE_INPUT_COLUMNS)
    settings = {
        n: float(v)
        for n, v, t in zip(raw["setting_name"], raw["setting_value"], raw["value_type"], strict=True)
        if t == "number"
    }
    predictions = score_predictions(fit, messages, features, settings, as_of)
    predictions = with_build_stamp(with_fit_columns(predictions, fingerprint), as_of, built_at, target_type)
    return to_engine(predictions, target_type)
