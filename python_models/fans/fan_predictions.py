"""fan_predictions: churn and purchase predictions per fan-model pair, with their held-out rows.

Both tasks use time-based splits only (never random), every feature is computed from history
before the prediction time, and every label from history after it:

* churn — at a cutoff c, a pair is at risk when it has a message in the `fan_churn_window_days`
  (W) before c; it churned when it has no message in the `fan_churn_horizon_days` (H) after c.
  Test cutoff = as_of - H (the final window is the label); training cutoffs = the test cutoff
  minus k*H, k = 1..`fan_churn_train_cutoffs`, so every training label ends before the test
  cutoff. Scores: at-risk pairs at as_of, by the model refit on every labelled cutoff.
* purchase — from the first N = `fan_purchase_first_n_messages` rows of a pair (pairs with at
  least N rows and no sale among them), will it buy a PPV within `fan_purchase_label_days` (L)
  after its N-th row (the prediction time)? Test = prediction times in the last
  `fan_purchase_test_days` (T) whose label window has ended (<= as_of - L); train = prediction
  times at least L before the test period starts (their labels end before it). Scores: pairs
  whose window is still open and who have not bought since.

Model: logistic regression on standardised features (plus TF-IDF of the first N fan messages for
purchase). Baseline probability: the training positive rate (the naive prior). Rows:
split = train | test (labelled) | score (label null). fan_prediction_metrics scores them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    "offers",
    "fan_text_messages",
    "media_messages",
    "tips",
    "log_tip_amount",
    "avg_message_chars",
    "question_rate",
    "span_hours",
    "conversations",
]
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
    "days_since_last_message": "float64",
}
DAY = pd.Timedelta(days=1)


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
def purchase_examples(messages: pd.DataFrame, first_n: int, label_days: float):
    """Pairs with at least N rows and no sale among them: features from those rows, prediction
    time = the N-th row, label = a sale within label_days after it (later rows only)."""
    ordered = messages.sort_values(["fan_model_key", "pair_row_number"])
    head = ordered[ordered["pair_row_number"] <= first_n]
    grouped = head.groupby("fan_model_key")
    stats = pd.DataFrame(
        {
            "rows": grouped.size(),
            "sales": grouped["is_purchase"].sum(),
            "predicted_at": grouped["message_at"].max(),
            "first_at": grouped["message_at"].min(),
            "offers": grouped["is_offer"].sum(),
            "fan_text_messages": grouped["is_text"].sum(),
            "media_messages": grouped["is_media"].sum(),
            "tips": grouped["has_tip"].sum(),
            "tip_amount": grouped["tips"].sum(),
            "question_rate": grouped["has_question"].sum(),
            "text_chars": grouped["text_chars"].sum(),
            "conversations": grouped["conversation_id"].nunique(),
        }
    )
    texts = head[head["is_text"]].groupby("fan_model_key")["fan_message"].agg(" \n ".join)
    stats = stats[(stats["rows"] >= first_n) & (stats["sales"] == 0)]
    later = ordered[ordered["pair_row_number"] > first_n].merge(
        stats[["predicted_at"]], left_on="fan_model_key", right_index=True
    )
    in_window = later["is_purchase"] & (later["message_at"] <= later["predicted_at"] + label_days * DAY)
    bought = set(later.loc[in_window, "fan_model_key"])
    bought_ever = set(later.loc[later["is_purchase"], "fan_model_key"])
    text_n = stats["fan_text_messages"].where(stats["fan_text_messages"] > 0)
    out = pd.DataFrame(
        {
            "fan_model_key": stats.index,
            "predicted_at": stats["predicted_at"],
            "offers": stats["offers"],
            "fan_text_messages": stats["fan_text_messages"],
            "media_messages": stats["media_messages"],
            "tips": stats["tips"],
            "log_tip_amount": np.log1p(stats["tip_amount"].clip(lower=0)),
            "avg_message_chars": (stats["text_chars"] / text_n).fillna(0.0),
            "question_rate": (stats["question_rate"] / text_n).fillna(0.0),
            "span_hours": (stats["predicted_at"] - stats["first_at"]) / pd.Timedelta(hours=1),
            "conversations": stats["conversations"],
            "first_n_text": texts.reindex(stats.index).fillna(""),
        }
    ).reset_index(drop=True)
    out["label"] = out["fan_model_key"].isin(bought).astype(int)
    out["has_bought_since"] = out["fan_model_key"].isin(bought_ever)
    return out


def purchase_sets(messages: pd.DataFrame, as_of: pd.Timestamp, first_n: int, label_days, test_days):
    examples = purchase_examples(messages, first_n, label_days)
    labelled_until = as_of - label_days * DAY
    test_start = labelled_until - test_days * DAY
    test = examples[(examples["predicted_at"] > test_start) & (examples["predicted_at"] <= labelled_until)]
    train = examples[examples["predicted_at"] <= test_start - label_days * DAY]
    score = examples[(examples["predicted_at"] > labelled_until) & ~examples["has_bought_since"]].copy()
    score["label"] = pd.NA
    return train.reset_index(drop=True), test.reset_index(drop=True), score.reset_index(drop=True)


# ------------------------------------------------------------------------------------ models
def fit_predict(train: pd.DataFrame, others: list[pd.DataFrame], features: list[str], text_column=None):
    """Logistic regression fitted on `train`; probabilities for train and each frame of `others`.
    With fewer than two classes in train, every probability is the training positive rate."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    frames = [train, *others]
    prior = float(train["label"].astype(float).mean()) if len(train) else np.nan
    if len(train) == 0 or train["label"].nunique() < 2:
        return [np.full(len(f), prior) for f in frames], prior
    scaler = StandardScaler().fit(train[features].to_numpy(dtype=float))

    def design(frame, vectorizer):
        numeric = (
            scaler.transform(frame[features].to_numpy(dtype=float))
            if len(frame)
            else np.zeros((0, len(features)))
        )
        if vectorizer is None:
            return numeric
        return sparse.hstack([sparse.csr_matrix(numeric), vectorizer.transform(frame[text_column])]).tocsr()

    vectorizer = None
    if text_column is not None and train[text_column].str.len().sum() > 0:
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=2000, sublinear_tf=True)
        try:
            vectorizer.fit(train[text_column])
        except ValueError:  # empty vocabulary
            vectorizer = None
    model = LogisticRegression(C=1.0, max_iter=2000).fit(
        design(train, vectorizer), train["label"].astype(int)
    )
    return [
        model.predict_proba(design(f, vectorizer))[:, 1] if len(f) else np.zeros(0) for f in frames
    ], prior


def assemble(task: str, sets: tuple, features: list[str], threshold: float, text_column=None) -> pd.DataFrame:
    """train/test probabilities from the train-only model; score probabilities from the model
    refit on train + test (every labelled example)."""
    train, test, score = sets
    (p_train, p_test), prior = fit_predict(train, [test], features, text_column)
    labelled = pd.concat([train, test], ignore_index=True)
    (_, p_score), prior_all = fit_predict(labelled, [score], features, text_column)
    parts = []
    for split, frame, probs, base in (
        ("train", train, p_train, prior),
        ("test", test, p_test, prior),
        ("score", score, p_score, prior_all),
    ):
        if len(frame) == 0:
            continue
        part = pd.DataFrame(
            {
                "task": task,
                "split": split,
                "fan_model_key": frame["fan_model_key"].to_numpy(),
                "predicted_at": pd.to_datetime(frame["predicted_at"]).to_numpy(),
                "label": frame["label"].to_numpy(),
                "probability": probs,
                "baseline_probability": base,
                "days_since_last_message": frame["days_since_last_message"].to_numpy()
                if "days_since_last_message" in frame
                else np.nan,
            }
        )
        parts.append(part)
    if not parts:
        return typed_output(pd.DataFrame(columns=list(OUTPUT_COLUMNS)), threshold)
    out = pd.concat(parts, ignore_index=True)
    return typed_output(out, threshold)


def typed_output(out: pd.DataFrame, threshold: float) -> pd.DataFrame:
    out = out.copy()
    out["predicted_label"] = (out["probability"].astype(float) >= threshold).astype("Int64")
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
    out = out.reindex(columns=list(OUTPUT_COLUMNS))
    for column, dtype in OUTPUT_COLUMNS.items():
        out[column] = (
            pd.to_numeric(out[column]).astype(dtype)
            if dtype in {"Int64", "float64"}
            else out[column].astype(dtype)
        )
    return out.sort_values(["task", "split", "predicted_at", "fan_model_key"]).reset_index(drop=True)


def prepare_messages(messages: pd.DataFrame) -> pd.DataFrame:
    frame = messages.copy()
    frame["message_at"] = pd.to_datetime(frame["message_at"])
    kind = frame["fan_message_kind"].astype(str)
    text = frame["fan_message"].fillna("").astype(str)
    frame["is_fan_row"] = kind != "empty"
    frame["is_text"] = kind == "text"
    frame["is_media"] = kind.isin(["media", "gif"])
    frame["has_tip"] = frame["tips"].astype(float) > 0
    frame["has_question"] = frame["is_text"] & text.str.contains("?", regex=False)
    frame["text_chars"] = np.where(frame["is_text"], text.str.len(), 0)
    for column in ("is_purchase", "is_offer"):
        frame[column] = frame[column].astype(bool)
    return frame


def predict_all(messages: pd.DataFrame, settings: dict[str, float], as_of: pd.Timestamp) -> pd.DataFrame:
    frame = prepare_messages(messages)
    frame = frame[frame["message_at"] <= as_of]
    threshold = settings["fan_prediction_threshold"]
    churn = assemble(
        "churn",
        churn_sets(
            frame,
            as_of,
            settings["fan_churn_window_days"],
            settings["fan_churn_horizon_days"],
            int(settings["fan_churn_train_cutoffs"]),
        ),
        CHURN_FEATURES,
        threshold,
    )
    purchase = assemble(
        "purchase",
        purchase_sets(
            frame,
            as_of,
            int(settings["fan_purchase_first_n_messages"]),
            settings["fan_purchase_label_days"],
            settings["fan_purchase_test_days"],
        ),
        PURCHASE_FEATURES,
        threshold,
        text_column="first_n_text",
    )
    return pd.concat([churn, purchase], ignore_index=True)


def _to_pandas(relation) -> pd.DataFrame:
    """The one place a dbt.ref() becomes pandas (DuckDB, BigFrames or Spark)."""
    if hasattr(relation, "to_pandas"):
        return relation.to_pandas()
    if hasattr(relation, "toPandas"):
        return relation.toPandas()
    return relation.df()


def model(dbt, session):
    dbt.config(
        materialized="table",
        packages=["pandas==2.3.3", "numpy==2.4.6", "scikit-learn==1.9.1", "scipy==1.17.1"],
    )
    messages = _to_pandas(dbt.ref("int_fan_chat_messages"))
    raw = _to_pandas(dbt.ref("settings_modeling"))
    settings = {
        n: float(v)
        for n, v, t in zip(raw["setting_name"], raw["setting_value"], raw["value_type"], strict=True)
        if t == "number"
    }
    as_of = pd.Timestamp(dbt.config.get("as_of"))
    predictions = predict_all(messages, settings, as_of)
    if dbt.config.get("target_type") == "bigquery":
        import bigframes.pandas as bpd

        return bpd.read_pandas(predictions)
    return predictions
