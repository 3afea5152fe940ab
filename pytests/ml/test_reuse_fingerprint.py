"""The reuse block the ML Python models share (docs/ml.md, "Reuse"): its pure functions. The block
is copied into every ML model (dbt Python models cannot import project code on BigQuery);
`sendwise rules-check` keeps the copies one text (shared block `reuse`,
pytests/foundation/test_rules_check.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from model_loader import load_python_model

FILES = [
    "python_models/scheduling/ml_revenue_gbm_scores.py",
    "python_models/scheduling/caption_near_duplicates.py",
    "python_models/scheduling/ml_caption_clusters.py",
    "python_models/content/ml_engagement_model.py",
    "python_models/content/ml_follow_through_model.py",
    "python_models/fans/fan_predictions.py",
    "python_models/fans/fan_embeddings.py",
    "python_models/fans/fan_clusters.py",
]
gbm = load_python_model(FILES[0])


def fingerprints(**hash_xor) -> pd.DataFrame:
    names = ["int_revenue_model_features", "int_revenue_scoring_candidates", "int_caption_embeddings"]
    return pd.DataFrame(
        {
            "input_name": names,
            "row_count": [10, 5, 7],
            "hash_xor": [hash_xor.get(n, 1) for n in names],
            "hash_sum": [2, 3, 4],
        }
    )


SETTINGS = {"gbm_seed": "7", "gbm_max_iter": "200", "cluster_seed": "1", "ml_max_threads": "1"}


def test_fingerprint_follows_its_inputs_and_own_settings_only():
    base = gbm.input_fingerprint(fingerprints(), SETTINGS)
    assert len(base) == 32
    # row order of the fingerprint table and another model's input or setting do not count
    assert gbm.input_fingerprint(fingerprints().iloc[::-1], SETTINGS) == base
    assert gbm.input_fingerprint(fingerprints(int_caption_embeddings=99), SETTINGS) == base
    assert (
        gbm.input_fingerprint(fingerprints(), {**SETTINGS, "cluster_seed": "2", "ml_max_threads": "2"})
        == base
    )
    # its own input or setting does
    assert gbm.input_fingerprint(fingerprints(int_revenue_model_features=99), SETTINGS) != base
    assert gbm.input_fingerprint(fingerprints(), {**SETTINGS, "gbm_max_iter": "201"}) != base
    with pytest.raises(ValueError, match="no input fingerprint"):
        gbm.input_fingerprint(fingerprints().iloc[1:], SETTINGS)


def test_fingerprint_follows_the_model_code(monkeypatch):
    base = gbm.input_fingerprint(fingerprints(), SETTINGS)
    monkeypatch.setattr(gbm, "model_code", lambda: "def score(): return 1")
    assert gbm.input_fingerprint(fingerprints(), SETTINGS) != base


def test_with_fit_columns_marks_a_new_fit():
    out = gbm.with_fit_columns(pd.DataFrame({"x": [1, 2]}), "abc")
    assert out["input_fingerprint"].tolist() == ["abc", "abc"] and out["fit_mode"].tolist() == ["trained"] * 2


FAN_INPUTS = [
    "int_fan_chat_messages",
    "int_fan_purchase_features",
    "int_fan_stage_embeddings",
    "embedding_model",
    "int_fan_stage_texts",
    "fan_profiles",
    "fan_embeddings",
]
FAN_SETTINGS = {
    "fan_churn_horizon_days": "14",
    "fan_purchase_seed": "20261115",
    "fan_active_days": "7",
    "fan_active_hours_top_n": "3",
    "fan_prediction_threshold": "0.5",
    "fan_cluster_seed": "20261115",
    "fan_cluster_text_dims": "24",
    "fan_cluster_k_max": "8",
    "fan_timing_window_hours": "3",
    "as_of": "2026-11-15 00:00:00",
}


def fan_fingerprints(**hash_xor) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "input_name": FAN_INPUTS,
            "row_count": [10] * len(FAN_INPUTS),
            "hash_xor": [hash_xor.get(n, 1) for n in FAN_INPUTS],
            "hash_sum": [2] * len(FAN_INPUTS),
        }
    )


@pytest.mark.parametrize(
    ("path", "own", "other"),
    [
        # fan_predictions: its two SQL inputs, the churn / purchase / threshold settings, as_of and
        # the kept fit it scores with
        (
            "python_models/fans/fan_predictions.py",
            ["int_fan_chat_messages", "int_fan_purchase_features", "fan_churn_horizon_days",
             "fan_purchase_seed", "fan_active_days", "fan_prediction_threshold", "as_of",
             "fan_prediction_fit"],
            ["fan_embeddings", "fan_profiles", "fan_cluster_seed", "fan_active_hours_top_n",
             "fan_timing_window_hours"],
        ),
        # fan_prediction_fits: the fit period and the churn / purchase / cadence settings, not the
        # inputs' content nor as_of inside the period (a daily build keeps the week's fit)
        (
            "python_models/fans/fan_prediction_fits.py",
            ["fan_churn_horizon_days", "fan_purchase_seed", "ml_fit_period_start", "ml_fit_cadence_days"],
            ["int_fan_chat_messages", "int_fan_purchase_features", "as_of", "fan_active_days",
             "fan_prediction_threshold", "fan_cluster_seed"],
        ),
        # fan_embeddings: stage vectors and profiles, the PCA's seed and dimensions only
        (
            "python_models/fans/fan_embeddings.py",
            ["int_fan_stage_embeddings", "embedding_model", "fan_profiles", "fan_cluster_seed",
             "fan_cluster_text_dims"],
            ["fan_embeddings", "int_fan_chat_messages", "fan_cluster_k_max", "fan_purchase_seed", "as_of"],
        ),
        # fan_clusters: the vectors (not their inputs: they reach it through fan_embeddings), the
        # stage texts and every fan_cluster_ setting
        (
            "python_models/fans/fan_clusters.py",
            ["fan_embeddings", "int_fan_stage_texts", "fan_cluster_seed", "fan_cluster_k_max"],
            ["int_fan_stage_embeddings", "embedding_model", "fan_profiles", "fan_purchase_seed", "as_of"],
        ),
    ],
)  # fmt: skip
def test_each_fan_model_follows_its_own_inputs_and_settings_only(path, own, other):
    module = load_python_model(path)
    base = module.input_fingerprint(fan_fingerprints(), FAN_SETTINGS)
    for name in own:
        changed = (
            module.input_fingerprint(fan_fingerprints(**{name: 99}), FAN_SETTINGS)
            if name in FAN_INPUTS
            else module.input_fingerprint(fan_fingerprints(), {**FAN_SETTINGS, name: "1"})
        )
        assert changed != base, (path, name)
    for name in other:
        changed = (
            module.input_fingerprint(fan_fingerprints(**{name: 99}), FAN_SETTINGS)
            if name in FAN_INPUTS
            else module.input_fingerprint(fan_fingerprints(), {**FAN_SETTINGS, name: "1"})
        )
        assert changed == base, (path, name)
