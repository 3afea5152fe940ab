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
