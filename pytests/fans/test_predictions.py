"""Churn and purchase predictions (fan_predictions.py) and their metrics (fan_prediction_metrics.py).

Small hand-built histories: labels, the time split (no training label reaches into the test
period), features computed only from the past, and the metric formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fan_models import metrics as mm
from fan_models import predictions as pm

AS_OF = pd.Timestamp("2026-11-15 00:00:00")


def rows(
    key: str,
    times: list[str],
    purchase_at: set[str] = frozenset(),
    offer_at: set[str] = frozenset(),
    text: str = "hello",
):
    return pd.DataFrame(
        {
            "fan_model_key": key,
            "message_at": pd.to_datetime(times),
            "conversation_id": [f"{key}#{i}" for i in range(len(times))],
            "pair_row_number": range(1, len(times) + 1),
            "fan_message_kind": "text",
            "fan_message": text,
            "is_offer": [t in offer_at or t in purchase_at for t in times],
            "is_purchase": [t in purchase_at for t in times],
            "revenue": [10.0 if t in purchase_at else 0.0 for t in times],
            "tips": 0.0,
        }
    )


def test_churn_label_and_population_at_a_cutoff():
    messages = pm.prepare_messages(
        pd.concat(
            [
                rows("stays", ["2026-10-20", "2026-10-30", "2026-11-05"]),
                rows("leaves", ["2026-10-20", "2026-10-30"]),
                rows("long_gone", ["2026-08-01"]),  # no message in the 30 days before the cutoff
                rows("newcomer", ["2026-11-03"]),  # starts after the cutoff: not yet a customer
            ]
        )
    )
    cutoff = pd.Timestamp("2026-11-01")
    out = pm.churn_examples(messages, cutoff, window_days=30, horizon_days=14).set_index("fan_model_key")
    assert sorted(out.index) == ["leaves", "stays"]
    assert out.loc["stays", "label"] == 0 and out.loc["leaves", "label"] == 1
    # features only from the past: 2 messages each before the cutoff, last on 10-30 -> 2.0 days
    assert out.loc["stays", "days_since_last_message"] == 2.0
    assert out.loc["stays", "log_messages"] == pytest.approx(np.log1p(2))
    assert out.loc["stays", "tenure_days"] == 12.0


def test_churn_time_split_never_lets_a_training_label_reach_the_test_period():
    times = pd.date_range("2026-05-01", "2026-11-14", freq="3D").strftime("%Y-%m-%d").tolist()
    messages = pm.prepare_messages(pd.concat([rows(f"k{i}", times[i % 5 :: 2]) for i in range(20)]))
    train, test, score = pm.churn_sets(messages, AS_OF, window_days=30, horizon_days=14, train_cutoffs=3)
    test_cutoff = AS_OF - pd.Timedelta(days=14)
    assert set(test["predicted_at"]) == {test_cutoff}
    assert set(train["predicted_at"]) == {test_cutoff - pd.Timedelta(days=14 * k) for k in (1, 2, 3)}
    assert (train["predicted_at"] + pd.Timedelta(days=14) <= test_cutoff).all()
    assert set(score["predicted_at"]) == {AS_OF} and score["label"].isna().all()


def test_purchase_examples_use_only_the_first_n_rows_and_a_label_window():
    messages = pm.prepare_messages(
        pd.concat(
            [
                # 4 rows, none a sale, then a sale 3 days after the 3rd row -> label 1 (window 7 days)
                rows(
                    "buyer",
                    ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-06"],
                    purchase_at={"2026-10-06"},
                ),
                # buys 20 days after the 3rd row: outside the 7-day window -> label 0
                rows(
                    "late",
                    ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-23"],
                    purchase_at={"2026-10-23"},
                ),
                # buys inside the first N rows: the question is already answered -> excluded
                rows("early", ["2026-10-01", "2026-10-02", "2026-10-03"], purchase_at={"2026-10-02"}),
                # fewer than N rows -> excluded
                rows("short", ["2026-10-01", "2026-10-02"]),
            ]
        )
    )
    out = pm.purchase_examples(messages, first_n=3, label_days=7).set_index("fan_model_key")
    assert sorted(out.index) == ["buyer", "late"]
    assert out.loc["buyer", "label"] == 1 and out.loc["late", "label"] == 0
    assert out.loc["buyer", "predicted_at"] == pd.Timestamp("2026-10-03")
    assert out.loc["buyer", "offers"] == 0  # the later offer is not a feature
    assert out.loc["buyer", "span_hours"] == 48.0


def test_purchase_time_split():
    starts = pd.date_range("2026-06-01", "2026-11-10", freq="2D")
    frames = []
    for i, start in enumerate(starts):
        times = [start + pd.Timedelta(hours=h) for h in (0, 1, 2, 30)]
        frames.append(
            rows(
                f"k{i}",
                [t.strftime("%Y-%m-%d %H:%M:%S") for t in times],
                purchase_at={times[3].strftime("%Y-%m-%d %H:%M:%S")} if i % 3 else set(),
            )
        )
    messages = pm.prepare_messages(pd.concat(frames))
    train, test, score = pm.purchase_sets(messages, AS_OF, first_n=3, label_days=14, test_days=21)
    labelled_until = AS_OF - pd.Timedelta(days=14)
    test_start = labelled_until - pd.Timedelta(days=21)
    assert test["predicted_at"].between(test_start, labelled_until, inclusive="right").all()
    assert (train["predicted_at"] + pd.Timedelta(days=14) <= test_start).all()
    assert (score["predicted_at"] > labelled_until).all() and score["label"].isna().all()
    assert len(train) and len(test) and len(score)


def test_predict_all_on_a_learnable_history_beats_the_prior():
    rng = np.random.default_rng(0)
    frames = []
    for i in range(300):
        start = pd.Timestamp("2026-05-01") + pd.Timedelta(hours=int(rng.integers(0, 24 * 170)))
        keen = i % 2 == 0  # keen fans talk often and keep talking; others fade out
        n = 40 if keen else 6
        gaps = rng.exponential(20 if keen else 60, n).cumsum()
        times = [start + pd.Timedelta(hours=float(g)) for g in gaps]
        times = [t for t in times if t <= AS_OF]
        if not times:
            continue
        sale = {times[-1].strftime("%Y-%m-%d %H:%M:%S")} if keen and len(times) > 12 else set()
        frames.append(
            rows(
                f"k{i}",
                [t.strftime("%Y-%m-%d %H:%M:%S") for t in times],
                purchase_at=sale,
                text="send me the full set" if keen else "hi",
            )
        )
    settings = {
        "fan_prediction_threshold": 0.5,
        "fan_churn_window_days": 30,
        "fan_churn_horizon_days": 14,
        "fan_churn_train_cutoffs": 3,
        "fan_purchase_first_n_messages": 3,
        "fan_purchase_label_days": 14,
        "fan_purchase_test_days": 21,
    }
    out = pm.predict_all(pd.concat(frames), settings, AS_OF)
    assert out["prediction_id"].is_unique
    assert set(out["split"]) == {"train", "test", "score"}
    assert out["probability"].between(0, 1).all()
    metrics = mm.compute_metrics(out, 0.5).set_index("metric_id")
    assert metrics.loc["churn|test|logistic_regression", "auc"] > 0.7
    assert metrics.loc["churn|test|baseline_prior", "auc"] == 0.5


def test_single_class_training_falls_back_to_the_prior():
    train = pd.DataFrame({"x": [1.0, 2.0], "label": [1, 1]})
    probs, prior = pm.fit_predict(train, [pd.DataFrame({"x": [3.0], "label": [0]})], ["x"])
    assert prior == 1.0 and probs[1].tolist() == [1.0]


def test_auc_matches_the_pairwise_definition():
    labels = np.array([1, 1, 0, 0, 1])
    scores = np.array([0.9, 0.4, 0.4, 0.1, 0.8])
    # positive-negative pairs: (0.9>0.4, 0.9>0.1, 0.4=0.4 -> 0.5, 0.4>0.1, 0.8>0.4, 0.8>0.1) = 5.5 / 6
    assert mm.auc_score(labels, scores) == pytest.approx(5.5 / 6)
    assert np.isnan(mm.auc_score(np.array([1, 1]), np.array([0.2, 0.3])))


def test_best_threshold_and_metric_row():
    labels = np.array([0, 0, 1, 1])
    days = np.array([1.0, 3.0, 5.0, 8.0])
    assert mm.best_threshold(labels, days) == 5.0  # >= 5 days silent -> churn: 4 of 4 right
    row = mm.metric_row("churn", "test", "m", labels, np.array([0.25, 0.5, 0.5, 0.75]), 0.5)
    # predictions 0,1,1,1 -> 3 of 4 right; brier (0.0625 + 0.25 + 0.25 + 0.0625) / 4 = 0.15625
    assert row["accuracy"] == 0.75 and row["brier"] == 0.15625 and row["positives"] == 2


def test_metrics_of_an_untrainable_task_are_null_not_flattering():
    preds = pd.DataFrame(
        {
            "task": "purchase",
            "split": "test",
            "fan_model_key": ["a", "b"],
            "label": [1, 0],
            "probability": [np.nan, np.nan],
            "baseline_probability": [np.nan, np.nan],
            "days_since_last_message": [np.nan, np.nan],
        }
    )
    out = mm.compute_metrics(preds, 0.5)
    assert out["accuracy"].isna().all() and out["auc"].isna().all()
