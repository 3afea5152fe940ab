"""fan_prediction_fits: the churn and purchase models of fan_predictions, fitted once per fit period.

Both tasks use time-based splits only (never random), every feature is computed from history
before the prediction time, and every label from history after it:

* churn - at a cutoff c, a pair is at risk when it has a message in the `fan_churn_window_days`
  (W) before c; it churned when it has no message in the `fan_churn_horizon_days` (H) after c.
  Test cutoff = as_of - H (the final window is the label); training cutoffs = the test cutoff
  minus k*H, k = 1..`fan_churn_train_cutoffs`, so every training label ends before the test
  cutoff. Kept for scoring: the model refitted on every labelled cutoff.
* purchase - from the features of a pair's first N = `fan_purchase_first_n_messages` rows
  (int_fan_purchase_features, SQL: timing, lengths, questions, emoji, offers seen and bought, an
  intent score) and the length of the window its label is read in (log_horizon_days), will the
  pair buy a PPV after them? Pairs that reached N rows are split by the time of their N-th row
  (purchase_split): train, validation, test (the latest); labels are read only up to the next
  split's cutoff. Candidates: baseline_prior, logistic regression, gradient boosting, an MLP
  (each Platt-calibrated) and their ensemble; the one with the best VALIDATION AUC is chosen, never
  by test. Kept for scoring: every candidate refitted on every labelled pair.

Output: one row, the fit of the current fit period (ml_fit_cadence_days days from ISO weekday
ml_fit_cadence_first_dow, the revenue GBM's cadence: ml_revenue_gbm_fit): the kept models, the
chosen purchase candidate, the medians top_reasons compares with, and the back-test (the train,
validation and test rows with every candidate's probability, which fan_predictions returns as they
are and fan_prediction_metrics scores). The period's first build fits; its later builds, a
`--full-refresh` included, reuse the row (fit_mode 'reused', "reused" in the run log) and
fan_predictions only scores the day's pairs with it. A change of a fan_churn_, fan_purchase_ or
ml_fit_ setting, of this file's code or of the library versions refits at once; so does var
ml_retrain, a build at an earlier as_of than the kept fit's (a backfill), any build after an
incomplete fit (a task without labelled examples: a short log is refitted until both tasks have a
model) and a build whose data no longer holds a pair of the kept back-test (its raw rows deleted or
corrected: the deletion reaches the fit and its back-test at the next build, not at the next period).

The fit is a Python pickle (base64 text, its sha256 beside it) of scikit-learn estimators, numbers
and a pandas frame: only fan_predictions loads it, only from this table, after the sha256 matches.
Whoever can write this dataset can run code in fan_predictions, as with ml_revenue_gbm_fit: grant
write on the ml dataset as on the project itself (docs/ml.md, "Fits on a cadence").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: no input relation counts (the fit period does), the settings (name prefixes) whose change
# means a new fit, with the fit period added as the setting ml_fit_period_start; a change of this
# file's code does too (CODE_VERSION: where the code is not run from a file, bump it with any change
# to what the fit computes).
REUSE_INPUTS: list[str] = []
REUSE_SETTING_PREFIXES = ("fan_churn_", "fan_purchase_", "ml_fit_")
CODE_VERSION = "1"
MODEL_VERSION = "fan-predictions-v1"


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


# ---------------------------------------------------------------------------------- fitting
def purchase_split(features: pd.DataFrame, as_of: pd.Timestamp, validation_share: float, test_share: float):
    """Time split of the pairs that reached N rows (predicted_at = their N-th row), by prediction
    time: the earliest (1 - validation_share - test_share) train, the next validation_share
    validation, the latest test_share test (quantile cutoffs, so a one-week log splits too).
    Labels are read only up to the next split's cutoff: a train pair bought when its first sale
    after row N is before the validation cutoff, a validation pair before the test cutoff, a test
    pair up to as_of (a faithful back-test: no label looks past the period it is evaluated in).
    Returns (train, validation, test, cutoffs); the frames carry `label`."""
    labelled = features[features["predicted_at"].notna()].copy()
    labelled["predicted_at"] = pd.to_datetime(labelled["predicted_at"])
    labelled = labelled.sort_values(["predicted_at", "fan_model_key"]).reset_index(drop=True)
    if labelled.empty:
        empty = labelled.assign(label=pd.Series(dtype=int))
        return empty, empty, empty, {"validation_start": pd.NaT, "test_start": pd.NaT}
    times = labelled["predicted_at"]
    validation_start = times.quantile(1 - validation_share - test_share)
    test_start = times.quantile(1 - test_share)
    bought_at = pd.to_datetime(labelled["first_purchase_after_at"])
    parts = []
    for lo, hi, label_until in (
        (None, validation_start, validation_start),
        (validation_start, test_start, test_start),
        (test_start, None, as_of),
    ):
        mask = pd.Series(True, index=labelled.index)
        if lo is not None:
            mask &= times >= lo
        if hi is not None:
            mask &= times < hi
        part = labelled[mask].copy()
        part["label"] = (bought_at[mask].notna() & (bought_at[mask] <= label_until)).astype(int)
        parts.append(part.reset_index(drop=True))
    return (*parts, {"validation_start": validation_start, "test_start": test_start})


def churn_sets(messages: pd.DataFrame, as_of: pd.Timestamp, window_days, horizon_days, train_cutoffs: int):
    """(train, test) churn examples: the test cutoff is as_of - H (its label is the last horizon),
    the training cutoffs H, 2H, ... before it."""
    test_cutoff = as_of - horizon_days * DAY
    train = [
        churn_examples(messages, test_cutoff - k * horizon_days * DAY, window_days, horizon_days)
        for k in range(1, train_cutoffs + 1)
    ]
    train = pd.concat([t for t in train if not t.empty] or [churn_examples(messages.iloc[:0], as_of, 1, 1)])
    test = churn_examples(messages, test_cutoff, window_days, horizon_days)
    return train.reset_index(drop=True), test


def make_estimator(name: str, seed: int):
    """An unfitted scikit-learn estimator of a candidate family (missing values imputed by the
    training median where the family needs it; gradient boosting handles them natively)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "logistic_regression":
        return make_pipeline(
            SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)
        )
    if name == "gradient_boosting":
        return HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=20,
            l2_regularization=1.0,
            random_state=seed,
        )
    if name == "mlp":
        return make_pipeline(
            SimpleImputer(strategy="median"),
            StandardScaler(),
            MLPClassifier(
                hidden_layer_sizes=(32, 16),
                alpha=1e-2,
                max_iter=600,
                early_stopping=True,
                validation_fraction=0.2,
                n_iter_no_change=20,
                random_state=seed,
            ),
        )
    raise ValueError(f"unknown candidate {name!r}")


def fit_candidate(name: str, x: np.ndarray, y: np.ndarray, seed: int):
    """Fitted candidate, as predict_probability reads it: a float, the training positive rate, for
    baseline_prior and for every family when y has one class; else a scikit-learn classifier. The
    families are fitted once on every training row
    and calibrated by Platt scaling on their out-of-fold predictions over 3 stratified folds
    (scikit-learn's ensemble=False) when each class has at least 3 examples, else fitted as they
    are. The default (ensemble=True) averages 3 models fitted on two thirds of the rows each: on a
    training set of a few hundred pairs that throws a third of them away per model (tuning seeds 1-3:
    the chosen ensemble's test AUC 0.834 -> 0.837, docs/fans.md)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    y = np.asarray(y, dtype=int)
    prior = float(y.mean()) if len(y) else np.nan
    if name == "baseline_prior" or len(y) == 0 or len(np.unique(y)) < 2:
        return prior
    estimator = make_estimator(name, seed)
    if np.bincount(y).min() >= 3:
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
        estimator = CalibratedClassifierCV(estimator, method="sigmoid", cv=folds, ensemble=False)
    # one thread: on small frames OpenMP threads of a shared machine cost more than they save
    with threadpool_limits(1):
        estimator.fit(x, y)

    return estimator


def choose_model(validation_auc: dict[str, float], ensemble_margin: float = 0.0) -> str:
    """The candidate with the highest validation AUC (NaN counts as none; ties go to the simpler
    one, CANDIDATES order), except that the ensemble is kept while no single family beats it on
    validation by more than `ensemble_margin` (fan_purchase_ensemble_margin): a validation set of a
    few hundred pairs cannot tell AUCs that close apart, and the mean of the families varies less
    than any one of them. baseline_prior when no candidate has a validation AUC."""

    def usable(name):
        auc = validation_auc.get(name, np.nan)
        return auc is not None and not np.isnan(auc)

    best, best_auc = "baseline_prior", -np.inf
    for name in CANDIDATES:
        if usable(name) and validation_auc[name] > best_auc + 1e-12:
            best, best_auc = name, validation_auc[name]
    if (
        best in FAMILIES
        and usable("ensemble")
        and validation_auc["ensemble"] + ensemble_margin >= best_auc - 1e-12
    ):
        return "ensemble"
    return best


def auc_score(labels, scores) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half); NaN with one class."""
    labels = np.asarray(labels, dtype=int)
    scores = np.asarray(scores, dtype=float)
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    ranks = pd.Series(np.concatenate([pos, neg])).rank(method="average").to_numpy()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def churn_fit(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict | None]:
    """Logistic regression (calibrated) fitted on the training cutoffs for the train and test rows;
    refitted on every labelled cutoff for the kept fit (fan_predictions scores the pairs at risk at
    its as_of with it). baseline = the training positive rate. Returns (the train and test rows;
    {'model', 'prior'}, None without a labelled cutoff: no model, no score rows, and
    fan_prediction_metrics says why)."""
    if len(train) + len(test) == 0:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS)), None
    labelled = pd.concat([train, test], ignore_index=True)
    on_train = fit_candidate(
        "logistic_regression", train[CHURN_FEATURES].to_numpy(dtype=float), train["label"], seed
    )
    on_all = fit_candidate(
        "logistic_regression", labelled[CHURN_FEATURES].to_numpy(dtype=float), labelled["label"], seed
    )
    prior = float(train["label"].astype(float).mean()) if len(train) else np.nan
    prior_all = float(labelled["label"].astype(float).mean())
    parts = [
        churn_rows(
            split, frame, predict_probability(on_train, frame[CHURN_FEATURES].to_numpy(dtype=float)), prior
        )
        for split, frame in (("train", train), ("test", test))
        if not frame.empty
    ]
    return pd.concat(parts, ignore_index=True), {"model": on_all, "prior": prior_all}


def purchase_fit(
    features: pd.DataFrame, settings: dict, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, dict | None]:
    """Every candidate fitted on train (-> train and validation probabilities), chosen by
    validation AUC; each refitted on train + validation (-> test probabilities, labels of the
    refit read up to the test cutoff) and on every labelled pair (the kept fit: fan_predictions
    scores the live pairs with it). Every candidate sees the pair's label window
    (label_horizon_days) beside its features. Returns (the train, validation and test rows;
    {'chosen', 'fitted': per candidate, 'reference': the labelled pairs' medians, which top_reasons
    compares with}, None without a labelled pair)."""
    import warnings

    seed = int(settings.get("fan_purchase_seed", 0))
    train, validation, test, cutoffs = purchase_split(
        features, as_of, settings["fan_purchase_validation_share"], settings["fan_purchase_test_share"]
    )
    refit_train = pd.concat([train, validation], ignore_index=True)
    if len(refit_train):  # labels of the refit read up to the test cutoff
        bought_at = pd.to_datetime(refit_train["first_purchase_after_at"])
        refit_train["label"] = (bought_at.notna() & (bought_at < cutoffs["test_start"])).astype(int)
    everything = pd.concat([train, validation, test], ignore_index=True)
    if everything.empty:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS)), None
    everything["label"] = everything["first_purchase_after_at"].notna().astype(int)
    # each frame's label window ends at the cutoff its labels are read up to
    x = {
        n: purchase_design(f, until).to_numpy(dtype=float)
        for n, f, until in (
            ("train", train, cutoffs["validation_start"]),
            ("validation", validation, cutoffs["test_start"]),
            ("test", test, as_of),
            ("refit", refit_train, cutoffs["test_start"]),
            ("all", everything, as_of),
        )
    }
    probs: dict[str, dict[str, np.ndarray]] = {n: {} for n in ("train", "validation", "test")}
    fitted_all = {}
    for name in ("baseline_prior", *FAMILIES):
        on_train = fit_candidate(name, x["train"], train["label"], seed)
        probs["train"][name] = predict_probability(on_train, x["train"])
        probs["validation"][name] = predict_probability(on_train, x["validation"])
        on_refit = fit_candidate(name, x["refit"], refit_train["label"], seed)
        probs["test"][name] = predict_probability(on_refit, x["test"])
        fitted_all[name] = fit_candidate(name, x["all"], everything["label"], seed)
    for split_probs in probs.values():
        split_probs["ensemble"] = ensemble_probability(split_probs)
    chosen = choose_model(
        {n: auc_score(validation["label"], p) for n, p in probs["validation"].items()},
        float(settings.get("fan_purchase_ensemble_margin", 0.0)),
    )
    with warnings.catch_warnings():  # a feature missing in every pair: its median is NaN, then 0
        warnings.simplefilter("ignore", RuntimeWarning)
        reference = np.nanmedian(x["all"], axis=0)
    rows = [
        purchase_rows(split, frame, probs[split], chosen)
        for split, frame in (("train", train), ("validation", validation), ("test", test))
        if not frame.empty
    ]
    kept = {
        "chosen": chosen,
        "fitted": fitted_all,
        "reference": np.where(np.isnan(reference), 0.0, reference),
    }
    return pd.concat(rows, ignore_index=True), kept


def fit_predictions(
    messages: pd.DataFrame, features: pd.DataFrame, settings: dict[str, float], as_of: pd.Timestamp
) -> dict:
    """The fit of the module docstring: {'model_version', 'churn', 'purchase' (the kept fits, None
    for a task without labelled examples), 'backtest' (the labelled rows of both tasks)}."""
    frame = prepare_messages(messages)
    frame = frame[frame["message_at"] <= as_of]
    seed = int(settings.get("fan_purchase_seed", 0))
    churn_train, churn_test = churn_sets(
        frame,
        as_of,
        settings["fan_churn_window_days"],
        settings["fan_churn_horizon_days"],
        int(settings["fan_churn_train_cutoffs"]),
    )
    churn_backtest, churn = churn_fit(churn_train, churn_test, seed)
    purchase_backtest, purchase = purchase_fit(features, settings, as_of)
    missing = [task for task, kept in (("churn", churn), ("purchase", purchase)) if kept is None]
    parts = [p for p in (churn_backtest, purchase_backtest) if len(p)]
    return {
        "model_version": MODEL_VERSION
        if not missing
        else f"incomplete (no labelled {' or '.join(missing)} example)",
        "churn": churn,
        "purchase": purchase,
        "backtest": pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=list(OUTPUT_COLUMNS)),
    }


def vanished_pairs(fit: dict, pairs: pd.Series) -> int:
    """How many fan-model pairs of the fit's back-test the data no longer holds (`pairs`: every pair
    now, int_fan_purchase_features' keys). A kept fit with any is refitted: fan_predictions returns
    the back-test rows, so a pair whose rows were deleted or corrected since the fit would stay in
    them (and fail their relationship to fan_model_pairs) for the rest of the period."""
    kept = set(fit["backtest"]["fan_model_key"].astype(str))
    return len(kept - set(pairs.astype(str)))


def fit_row(fit: dict, fingerprint: str, period_start: pd.Timestamp, as_of, target_type=None) -> pd.DataFrame:
    """The output row of a new fit (fit_mode 'trained'); the build stamp is added after."""
    text, sha = dump_fit(fit)
    purchase = fit["purchase"]
    row = pd.DataFrame(
        {
            "input_fingerprint": pd.Series([fingerprint], dtype="string"),
            "period_start": fit_stamp(period_start, target_type),
            "fitted_as_of": fit_stamp(as_of, target_type),
            "model_version": pd.Series([fit["model_version"]], dtype="string"),
            "purchase_model_name": pd.Series([purchase["chosen"] if purchase else None], dtype="string"),
            "backtest_rows": pd.Series([len(fit["backtest"])], dtype="int64"),
            "fitted_model": pd.Series([text], dtype="string"),
            "fitted_model_sha256": pd.Series([sha], dtype="string"),
        }
    )
    row["fit_mode"] = pd.Series(["trained"], dtype="string")
    return row


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
    text_settings = settings_dict(raw)
    period_start = fit_period_start(
        as_of,
        int(float(text_settings["ml_fit_cadence_days"])),
        int(float(text_settings["ml_fit_cadence_first_dow"])),
    )
    text_settings["ml_fit_period_start"] = period_start.strftime("%Y-%m-%d")
    fingerprint = input_fingerprint(pd.DataFrame({"input_name": []}), text_settings)
    previous = usable_previous(previous_output(dbt, session, fingerprint), as_of, MODEL_VERSION)
    features = to_pandas(dbt.ref("int_fan_purchase_features"), PURCHASE_INPUT_COLUMNS)
    if previous is not None:
        gone = vanished_pairs(load_fit(previous.iloc[0], "fan_prediction_fits"), features["fan_model_key"])
        if gone:
            print(
                f"fan_prediction_fits: refit, {gone} fan-model pairs of the kept back-test are no longer in the data"
            )
            previous = None
    if previous is not None:
        print(
            f"fan_prediction_fits: reused, the fit of the period from {text_settings['ml_fit_period_start']}"
            f" (fitted at as_of {previous['fitted_as_of'].iloc[0]}; input fingerprint {fingerprint})"
        )
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    messages = to_pandas(dbt.ref("int_fan_chat_messages"), CHURN_MESSAGE_COLUMNS)
    settings = {
        n: float(v)
        for n, v, t in zip(raw["setting_name"], raw["setting_value"], raw["value_type"], strict=True)
        if t == "number"
    }
    fit = fit_predictions(messages, features, settings, as_of)
    result = fit_row(fit, fingerprint, period_start, as_of, target_type)
    return to_engine(with_build_stamp(result, as_of, built_at, target_type), target_type)
