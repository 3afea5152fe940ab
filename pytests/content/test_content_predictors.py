"""Pure functions of the content predictors (python_models/content): time split, metrics, fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from model_loader import load_python_model

ENGAGEMENT = load_python_model("python_models/content/ml_engagement_model.py")
FOLLOW = load_python_model("python_models/content/ml_follow_through_model.py")


def _posts(n: int, seed: int = 0) -> pd.DataFrame:
    """n scored posts one hour apart, outcome collected 30 h after posting, with a known signal."""
    rng = np.random.default_rng(seed)
    posted = pd.date_range("2026-09-01", periods=n, freq="h")
    ctype = rng.choice(["educational", "humor", "promo"], n)
    quality = rng.uniform(0, 1, n)
    hour = posted.hour.to_numpy()
    er = (
        0.02
        + 0.03 * quality
        + np.where(ctype == "educational", 0.02, 0.0)
        + 0.005 * np.cos(2 * np.pi * (hour - 18) / 24)
        + rng.normal(0, 0.003, n)
    )
    novelty = rng.uniform(0, 1, n)
    expertise = rng.uniform(0, 1, n)
    viral = rng.uniform(0, 1, n)
    logit = -2.0 + 2.0 * novelty + 1.0 * expertise + 2.0 * viral
    follows = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "decision_id": [f"p{i:05d}" for i in range(n)],
            "posted_at": posted,
            "collected_at": posted + pd.Timedelta(hours=30),
            "scoring_status": "scored",
            "quality_score": quality,
            "content_type": ctype,
            "decision_type": rng.choice(["single", "thread", "reply"], n),
            "style_length": rng.choice(["short", "medium", "long"], n),
            "hour_sin": np.sin(2 * np.pi * hour / 24),
            "hour_cos": np.cos(2 * np.pi * hour / 24),
            "novelty_score": novelty,
            "expertise_level": expertise,
            "viral_score_scaled": viral,
            "engagement_rate": er,
            "is_follow_through": follows,
        }
    )


@pytest.mark.parametrize("module", [ENGAGEMENT, FOLLOW], ids=["ridge", "logistic"])
def test_time_split_trains_on_older_posts_whose_label_was_known_at_the_cutoff(module):
    # 10 scored posts one hour apart, collected 30 h later; share 0.2 -> the newest 2 are the test
    posts = _posts(10)
    posts.loc[len(posts)] = posts.iloc[0].copy()  # an unscored post is never trained or tested on
    posts.loc[len(posts) - 1, ["decision_id", "scoring_status"]] = ["zz", "not_posted"]
    posts.loc[1, "collected_at"] = posts.loc[8, "posted_at"]  # collected exactly at the cutoff: trains
    labels, cutoff = module.time_split(posts, 0.2)
    assert cutoff == posts.loc[8, "posted_at"]
    assert list(labels[8:10]) == ["test", "test"]
    assert labels[10] == "unscored"
    # posts 0-7 were posted before the cutoff; only those collected by then (posted <= cutoff - 30 h,
    # none here but post 1, whose collection was moved to the cutoff) are training rows
    assert labels[1] == "train"
    assert set(labels[[0, 2, 3, 4, 5, 6, 7]]) == {"label_after_cutoff"}


@pytest.mark.parametrize("module", [ENGAGEMENT, FOLLOW], ids=["ridge", "logistic"])
def test_time_split_never_tests_on_older_posts_than_it_trains_on(module):
    posts = _posts(400, seed=3)
    labels, cutoff = module.time_split(posts.sample(frac=1.0, random_state=1), 0.25)
    posts = posts.assign(split=labels.reindex(posts.index))
    train, test = posts[posts["split"] == "train"], posts[posts["split"] == "test"]
    assert len(test) == 100
    assert train["posted_at"].max() < cutoff <= test["posted_at"].min()
    assert (train["collected_at"] <= cutoff).all()


def test_regression_metrics_by_hand():
    # residuals 0, 1, -1, 0 -> SSE 2, MSE 0.5, MAE 0.5; actual mean 2.5 -> SST 1.5^2 + 0.5^2 * 2 + 1.5^2 = 5
    scores = ENGAGEMENT.regression_metrics(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 4.0, 4.0]))
    assert scores == {"r2": 1 - 2 / 5, "mse": 0.5, "mae": 0.5}
    # predicting the mean everywhere gives R² 0
    assert ENGAGEMENT.regression_metrics(np.array([1.0, 3.0]), np.array([2.0, 2.0]))["r2"] == 0.0


def test_classification_metrics_by_hand():
    actual = np.array([True, True, False, False, True])
    probability = np.array([0.9, 0.4, 0.6, 0.1, 0.8])
    scores = FOLLOW.classification_metrics(actual, probability, 0.5)
    # predicted positive: 0.9, 0.6, 0.8 -> TP 2 (0.9, 0.8), FP 1, FN 1 (0.4), TN 1 (0.1)
    assert scores["accuracy"] == 3 / 5
    assert scores["precision"] == 2 / 3
    assert scores["recall"] == 2 / 3
    # AUC: positive scores 0.9, 0.4, 0.8 vs negatives 0.6, 0.1 -> pairs won 2 + 1 + 2 = 5 of 6
    assert scores["auc"] == pytest.approx(5 / 6)
    assert scores["brier"] == pytest.approx((0.01 + 0.36 + 0.36 + 0.01 + 0.04) / 5)
    expected_log_loss = -np.mean(np.log([0.9, 0.4, 0.4, 0.9, 0.8]))
    assert scores["log_loss"] == pytest.approx(expected_log_loss)
    # a constant baseline below the threshold predicts nobody: precision undefined, recall 0, AUC 0.5
    base = FOLLOW.classification_metrics(actual, np.full(5, 0.3), 0.5)
    assert np.isnan(base["precision"]) and base["recall"] == 0.0 and base["auc"] == 0.5


def test_ridge_card_recovers_the_signal_and_beats_the_mean_baseline():
    card = ENGAGEMENT.fit_engagement_model(_posts(600, seed=5), alpha=0.1, test_share=0.2, min_rows=30)
    assert list(card.columns) == ENGAGEMENT.CARD_COLUMNS
    assert set(card["fit_status"]) == {"fitted"}
    metric = card[card["record_type"] == "metric"].set_index("term")
    assert metric.loc["r2", "model_value"] > 0.5 and metric.loc["r2", "baseline_value"] < 0.01
    assert metric["beats_baseline"].all()
    coefficient = card[card["record_type"] == "coefficient"].set_index("term")["model_value"]
    assert coefficient["quality_score"] == pytest.approx(0.03, abs=0.005)
    edu_lift = coefficient["content_type=educational"] - coefficient["content_type=humor"]
    assert edu_lift == pytest.approx(0.02, abs=0.003)
    split = card[card["record_type"] == "split"].set_index("term")["model_value"]
    assert split["n_test"] == 120 and split["n_train"] + split["n_label_after_cutoff"] == 480


def test_ridge_predict_is_intercept_plus_weighted_terms_and_ignores_unseen_levels():
    coefficients = {"(intercept)": 0.5, "quality_score": 0.25, "content_type=humor": 0.125}
    frame = pd.DataFrame(
        {
            "quality_score": [1.0, 0.0],
            "hour_sin": [0.0, 0.0],
            "hour_cos": [0.0, 0.0],
            "content_type": ["humor", "brand_new"],
            "decision_type": ["single", "single"],
            "style_length": ["short", "short"],
        }
    )
    design = ENGAGEMENT.design_matrix(
        frame, {"content_type": ["humor"], "decision_type": [], "style_length": []}
    )
    assert list(ENGAGEMENT.predict(coefficients, design)) == [0.875, 0.5]


def test_logistic_card_recovers_the_signal_and_beats_the_rate_baseline():
    card = FOLLOW.fit_follow_through_model(
        _posts(3000, seed=7), c=100.0, test_share=0.2, min_rows=30, threshold=0.5
    )
    assert set(card["fit_status"]) == {"fitted"}
    metric = card[card["record_type"] == "metric"].set_index("term")
    assert metric.loc["auc", "model_value"] > 0.65 and metric.loc["auc", "baseline_value"] == 0.5
    assert metric.loc["log_loss", "beats_baseline"] and metric.loc["brier", "beats_baseline"]
    coefficient = card[card["record_type"] == "coefficient"].set_index("term")["model_value"]
    assert coefficient["novelty_score"] == pytest.approx(2.0, abs=0.5)
    assert coefficient["viral_score_scaled"] == pytest.approx(2.0, abs=0.5)
    imputed = card[card["record_type"] == "imputation"]["model_value"].iloc[0]
    assert imputed == pytest.approx(0.5, abs=0.05)


def test_too_little_data_gives_a_baseline_card_not_a_crash():
    # 20 posts collected 1 h after posting: 4 test posts (16-19), 16 training posts (< 30 needed)
    posts = _posts(20).assign(collected_at=lambda df: df["posted_at"] + pd.Timedelta(hours=1))
    ridge = ENGAGEMENT.fit_engagement_model(posts, alpha=1.0, test_share=0.2, min_rows=30)
    assert set(ridge["fit_status"]) == {"insufficient_data"}
    coefficient = ridge[ridge["record_type"] == "coefficient"]
    assert list(coefficient["term"]) == ["(intercept)"]
    assert coefficient["model_value"].iloc[0] == pytest.approx(posts["engagement_rate"].iloc[:16].mean())
    assert ridge[ridge["record_type"] == "metric"]["model_value"].isna().all()
    follow = FOLLOW.fit_follow_through_model(posts, c=1.0, test_share=0.2, min_rows=30, threshold=0.5)
    assert set(follow["fit_status"]) == {"insufficient_data"}
    rate = posts["is_follow_through"].iloc[:16].mean()
    intercept = follow.query("record_type == 'coefficient' and term == '(intercept)'")["model_value"].iloc[0]
    assert intercept == pytest.approx(np.log(rate / (1 - rate)))
    empty = ENGAGEMENT.fit_engagement_model(posts.iloc[0:0], alpha=1.0, test_share=0.2, min_rows=30)
    assert set(empty["fit_status"]) == {"insufficient_data"}
    # no post at all, so no cutoff: the timestamp column stays microseconds, the warehouse's TIMESTAMP
    # (all-NaT pandas columns are nanoseconds: a TIMESTAMP_NS table in the no-content world)
    assert empty["train_cutoff_at"].isna().all() and str(empty["train_cutoff_at"].dtype) == "datetime64[us]"
    no_follow = FOLLOW.fit_follow_through_model(
        posts.iloc[0:0], c=1.0, test_share=0.2, min_rows=30, threshold=0.5
    )
    assert str(no_follow["train_cutoff_at"].dtype) == "datetime64[us]"
    assert str(ridge["train_cutoff_at"].dtype) == "datetime64[us]"
