"""fan_predictions: churn and purchase predictions per fan-model pair, with their held-out rows.

Both tasks use time-based splits only (never random), every feature is computed from history
before the prediction time, and every label from history after it:

* churn — at a cutoff c, a pair is at risk when it has a message in the `fan_churn_window_days`
  (W) before c; it churned when it has no message in the `fan_churn_horizon_days` (H) after c.
  Test cutoff = as_of - H (the final window is the label); training cutoffs = the test cutoff
  minus k*H, k = 1..`fan_churn_train_cutoffs`, so every training label ends before the test
  cutoff. Scores: at-risk pairs at as_of, by the model refit on every labelled cutoff.
* purchase — from the features of a pair's first N = `fan_purchase_first_n_messages` rows
  (int_fan_purchase_features, SQL: timing, lengths, questions, emoji, offers seen and bought, an
  intent score) and the length of the window its label is read in (log_horizon_days), will the
  pair buy a PPV after them? Pairs that reached N rows are split by the time of their N-th row
  (purchase_split): train, validation, test (the latest); labels are read only up to the next
  split's cutoff. Candidates: baseline_prior, logistic regression, gradient
  boosting, an MLP (each Platt-calibrated); the one with the best VALIDATION AUC is chosen, never
  by test. Scores: live pairs (active, N rows, no sale after them yet) with their top reasons.

Rows: split = train (in-sample) | validation | test (labelled) | score (label null); every
candidate's probability is a column, `probability` is the chosen model's. fan_prediction_metrics
scores them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reuse: the inputs (rows of int_fan_input_fingerprints) and the settings (name prefixes) whose
# change means a new fit; the build's as_of places every cutoff, so it counts as a setting ("as_of");
# a change of this file's code does too (CODE_VERSION: where the code is not run from a file, bump
# it with any change to what the fit computes).
REUSE_INPUTS = ["int_fan_chat_messages", "int_fan_purchase_features"]
REUSE_SETTING_PREFIXES = (
    "fan_churn_",
    "fan_purchase_",
    "fan_active_days",
    "fan_prediction_threshold",
    "as_of",
)
CODE_VERSION = "2"

SPLITS = ("train", "test", "score")
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


# ------------------------------------------------------------------------------------- churn
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


def churn_sets(messages: pd.DataFrame, as_of: pd.Timestamp, window_days, horizon_days, train_cutoffs: int):
    test_cutoff = as_of - horizon_days * DAY
    train = [
        churn_examples(messages, test_cutoff - k * horizon_days * DAY, window_days, horizon_days)
        for k in range(1, train_cutoffs + 1)
    ]
    train = pd.concat([t for t in train if not t.empty] or [churn_examples(messages.iloc[:0], as_of, 1, 1)])
    test = churn_examples(messages, test_cutoff, window_days, horizon_days)
    score = churn_examples(messages, as_of, window_days, horizon_days)
    score["label"] = pd.NA  # the future after as_of is unknown
    return train.reset_index(drop=True), test, score


# ---------------------------------------------------------------------------------- purchase
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


# ------------------------------------------------------------------------------------ models
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
    """Fitted candidate as a function x -> P(label 1). baseline_prior (and every family when y has
    one class) returns the training positive rate. The others are fitted once on every training row
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
        return lambda frame: np.full(len(frame), prior)
    estimator = make_estimator(name, seed)
    if np.bincount(y).min() >= 3:
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
        estimator = CalibratedClassifierCV(estimator, method="sigmoid", cv=folds, ensemble=False)
    # one thread: on small frames OpenMP threads of a shared machine cost more than they save
    with threadpool_limits(1):
        estimator.fit(x, y)

    def predict(frame):
        if not len(frame):
            return np.zeros(0)
        with threadpool_limits(1):
            return estimator.predict_proba(frame)[:, 1]

    return predict


def ensemble_probability(family_probs: dict[str, np.ndarray]) -> np.ndarray:
    """The ensemble candidate: the mean of the families' calibrated probabilities, row by row."""
    return np.mean(np.vstack([np.asarray(family_probs[n], dtype=float) for n in FAMILIES]), axis=0)


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


def auc_score(labels, scores) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half); NaN with one class."""
    labels = np.asarray(labels, dtype=int)
    scores = np.asarray(scores, dtype=float)
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    ranks = pd.Series(np.concatenate([pos, neg])).rank(method="average").to_numpy()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def purchase_predictions(features: pd.DataFrame, settings: dict, as_of: pd.Timestamp) -> pd.DataFrame:
    """Every candidate fitted on train (-> train and validation probabilities), chosen by
    validation AUC; each refitted on train + validation (-> test probabilities, labels of the
    refit read up to the test cutoff) and on every labelled pair (-> score probabilities of the live
    pairs: active, N rows reached, no sale after them yet, asked about a label window of
    fan_purchase_score_horizon_days). Every candidate sees the pair's label window
    (label_horizon_days) beside its features. `probability` = the chosen one."""
    seed = int(settings.get("fan_purchase_seed", 0))
    train, validation, test, cutoffs = purchase_split(
        features, as_of, settings["fan_purchase_validation_share"], settings["fan_purchase_test_share"]
    )
    active_days = settings["fan_active_days"]
    score = features[
        features["predicted_at"].notna()
        & features["first_purchase_after_at"].isna()
        & (pd.to_datetime(features["last_message_at"]) >= as_of - active_days * DAY)
    ].reset_index(drop=True)
    refit_train = pd.concat([train, validation], ignore_index=True)
    if len(refit_train):  # labels of the refit read up to the test cutoff
        bought_at = pd.to_datetime(refit_train["first_purchase_after_at"])
        refit_train["label"] = (bought_at.notna() & (bought_at < cutoffs["test_start"])).astype(int)
    everything = pd.concat([train, validation, test], ignore_index=True)
    if len(everything):
        everything["label"] = everything["first_purchase_after_at"].notna().astype(int)
    # each frame's label window ends at the cutoff its labels are read up to; a live pair's score
    # is the answer for a window of fan_purchase_score_horizon_days after its N-th row
    score_until = pd.to_datetime(score["predicted_at"]) + settings["fan_purchase_score_horizon_days"] * DAY
    x = {
        n: purchase_design(f, until).to_numpy(dtype=float)
        for n, f, until in (
            ("train", train, cutoffs["validation_start"]),
            ("validation", validation, cutoffs["test_start"]),
            ("test", test, as_of),
            ("score", score, score_until),
            ("refit", refit_train, cutoffs["test_start"]),
            ("all", everything, as_of),
        )
    }
    probs: dict[str, dict[str, np.ndarray]] = {n: {} for n in ("train", "validation", "test", "score")}
    fitted_all = {}
    for name in ("baseline_prior", *FAMILIES):
        on_train = fit_candidate(name, x["train"], train["label"], seed)
        probs["train"][name] = on_train(x["train"])
        probs["validation"][name] = on_train(x["validation"])
        probs["test"][name] = fit_candidate(name, x["refit"], refit_train["label"], seed)(x["test"])
        fitted_all[name] = fit_candidate(name, x["all"], everything["label"], seed)
        probs["score"][name] = fitted_all[name](x["score"])
    for split_probs in probs.values():
        split_probs["ensemble"] = ensemble_probability(split_probs)
    fitted_all["ensemble"] = lambda frame: ensemble_probability({n: fitted_all[n](frame) for n in FAMILIES})
    chosen = choose_model(
        {n: auc_score(validation["label"], p) for n, p in probs["validation"].items()},
        float(settings.get("fan_purchase_ensemble_margin", 0.0)),
    )
    reasons = []
    if chosen != "baseline_prior" and len(score):
        reference = np.nanmedian(x["all"], axis=0) if len(x["all"]) else np.zeros(x["score"].shape[1])
        reference = np.where(np.isnan(reference), 0.0, reference)
        reasons = top_reasons(
            fitted_all[chosen],
            x["score"],
            reference,
            PURCHASE_FEATURES,
            int(settings["fan_purchase_top_reasons"]),
        )
    parts = []
    for split, frame in (("train", train), ("validation", validation), ("test", test), ("score", score)):
        if frame.empty:
            continue
        p = probs[split]
        parts.append(
            pd.DataFrame(
                {
                    "task": "purchase",
                    "split": split,
                    "fan_model_key": frame["fan_model_key"].to_numpy(),
                    "predicted_at": pd.to_datetime(frame["predicted_at"]).to_numpy(),
                    "label": frame["label"].to_numpy() if split != "score" else pd.NA,
                    "model_name": chosen,
                    "probability": p[chosen],
                    "baseline_probability": p["baseline_prior"],
                    "probability_logistic_regression": p["logistic_regression"],
                    "probability_gradient_boosting": p["gradient_boosting"],
                    "probability_mlp": p["mlp"],
                    "probability_ensemble": p["ensemble"],
                    "top_reasons": reasons if split == "score" and reasons else None,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(OUTPUT_COLUMNS))


def churn_predictions(sets: tuple, seed: int) -> pd.DataFrame:
    """Logistic regression (calibrated) fitted on the training cutoffs for train and test; refit on
    every labelled cutoff for the score rows. baseline_probability = the training positive rate."""
    train, test, score = sets
    if len(train) + len(test) == 0:  # no labelled cutoff fits the log: no model, no score rows
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))  # (fan_prediction_metrics says why)
    design = {n: f[CHURN_FEATURES].to_numpy(dtype=float) for n, f in (("train", train), ("test", test))}
    labelled = pd.concat([train, test], ignore_index=True)
    on_train = fit_candidate("logistic_regression", design["train"], train["label"], seed)
    on_all = fit_candidate(
        "logistic_regression", labelled[CHURN_FEATURES].to_numpy(dtype=float), labelled["label"], seed
    )
    prior = float(train["label"].astype(float).mean()) if len(train) else np.nan
    prior_all = float(labelled["label"].astype(float).mean()) if len(labelled) else np.nan
    parts = []
    for split, frame, predict, base in (
        ("train", train, on_train, prior),
        ("test", test, on_train, prior),
        ("score", score, on_all, prior_all),
    ):
        if frame.empty:
            continue
        probability = predict(frame[CHURN_FEATURES].to_numpy(dtype=float))
        parts.append(
            pd.DataFrame(
                {
                    "task": "churn",
                    "split": split,
                    "fan_model_key": frame["fan_model_key"].to_numpy(),
                    "predicted_at": pd.to_datetime(frame["predicted_at"]).to_numpy(),
                    "label": frame["label"].to_numpy(),
                    "model_name": "logistic_regression",
                    "probability": probability,
                    "baseline_probability": base,
                    "probability_logistic_regression": probability,
                    "days_since_last_message": frame["days_since_last_message"].to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(OUTPUT_COLUMNS))


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


def prepare_messages(messages: pd.DataFrame) -> pd.DataFrame:
    frame = messages.copy()
    frame["message_at"] = pd.to_datetime(frame["message_at"])
    frame["is_fan_row"] = frame["fan_message_kind"].astype(str) != "empty"
    for column in ("is_purchase", "is_offer"):
        frame[column] = frame[column].astype(bool)
    return frame


def predict_all(
    messages: pd.DataFrame, features: pd.DataFrame, settings: dict[str, float], as_of: pd.Timestamp
) -> pd.DataFrame:
    frame = prepare_messages(messages)
    frame = frame[frame["message_at"] <= as_of]
    churn = churn_predictions(
        churn_sets(
            frame,
            as_of,
            settings["fan_churn_window_days"],
            settings["fan_churn_horizon_days"],
            int(settings["fan_churn_train_cutoffs"]),
        ),
        int(settings.get("fan_purchase_seed", 0)),
    )
    purchase = purchase_predictions(features, settings, as_of)
    parts = [p for p in (churn, purchase) if len(p)]
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
        packages=["pandas==2.3.3", "numpy==2.4.6", "scikit-learn==1.9.1", "scipy==1.17.1"],
    )
    built_at = pd.Timestamp.now(tz="UTC")
    target_type = dbt.config.get("target_type")
    as_of = pd.Timestamp(dbt.config.get("as_of"))
    raw = to_pandas(dbt.ref("settings_modeling"), ["setting_name", "setting_value", "value_type"])
    fingerprint = input_fingerprint(
        to_pandas(dbt.ref("int_fan_input_fingerprints")), {**settings_dict(raw), "as_of": str(as_of)}
    )
    previous = previous_output(dbt, session, fingerprint)
    if previous is not None:
        print(f"fan_predictions: reused, inputs and settings unchanged (input fingerprint {fingerprint})")
        return to_engine(with_build_stamp(previous, as_of, built_at, target_type), target_type)

    messages = to_pandas(dbt.ref("int_fan_chat_messages"), CHURN_MESSAGE_COLUMNS)
    features = to_pandas(dbt.ref("int_fan_purchase_features"), PURCHASE_INPUT_COLUMNS)
    settings = {
        n: float(v)
        for n, v, t in zip(raw["setting_name"], raw["setting_value"], raw["value_type"], strict=True)
        if t == "number"
    }
    predictions = predict_all(messages, features, settings, as_of)
    predictions = with_build_stamp(with_fit_columns(predictions, fingerprint), as_of, built_at, target_type)
    return to_engine(predictions, target_type)
