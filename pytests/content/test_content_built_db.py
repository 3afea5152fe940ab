"""The content loop on the test database `make dbt-test` built (small demo data, as_of = its end)."""

from __future__ import annotations

import numpy as np
import pytest
from model_loader import load_python_model

ENGAGEMENT = load_python_model("python_models/content/ml_engagement_model.py")
FOLLOW = load_python_model("python_models/content/ml_follow_through_model.py")


@pytest.fixture(scope="module")
def content_con(built_con):
    tables = {t for (t,) in built_con.sql("select table_name from information_schema.tables").fetchall()}
    needed = {"content_next_post_recommendation", "content_post_predictions", "content_model_metrics"}
    if not needed <= tables:
        pytest.skip("the test database lacks the content marts: run `make dbt-test`")
    return built_con


def test_every_countable_outcome_is_counted_once(content_con):
    arms = content_con.sql(
        "select scope, sum(n_outcomes) as n from sendwise_marts.content_bandit_arms group by 1"
    ).fetchall()
    countable = content_con.sql(
        "select count(*) from sendwise_intermediate.int_content_outcome_events where is_countable"
    ).fetchone()[0]
    assert dict(arms) == {"content": countable, "timing": countable}


def test_predictors_beat_their_naive_baselines_on_the_small_data(content_con):
    metrics = content_con.sql(
        "select model_name, term, model_value, baseline_value, beats_baseline, fit_status"
        " from sendwise_marts.content_model_metrics where record_type = 'metric'"
    ).df()
    assert set(metrics["fit_status"]) == {"fitted"}
    by = metrics.set_index(["model_name", "term"])
    for key in [
        ("ml_engagement_model", "r2"),
        ("ml_engagement_model", "mse"),
        ("ml_follow_through_model", "auc"),
        ("ml_follow_through_model", "log_loss"),
    ]:
        assert by.loc[key, "beats_baseline"], (key, by.loc[key].to_dict())


def test_sql_predictions_apply_the_model_cards_exactly(content_con):
    """content_post_predictions (SQL) equals the Python models' own predict functions applied to
    the same features with the stored coefficients."""
    features = content_con.sql(
        "select * from sendwise_intermediate.int_content_post_features where scoring_status <> 'scored'"
    ).df()
    assert len(features) > 0
    predicted = content_con.sql("select * from sendwise_marts.content_post_predictions").df()
    assert sorted(predicted["decision_id"]) == sorted(features["decision_id"])
    predicted = predicted.set_index("decision_id").loc[features["decision_id"]]

    card = content_con.sql("select * from sendwise_marts.content_model_metrics").df()
    ridge = card[(card["model_name"] == "ml_engagement_model") & (card["record_type"] == "coefficient")]
    coefficients = dict(zip(ridge["term"], ridge["model_value"], strict=True))
    levels = {c: [] for c in ENGAGEMENT.CATEGORICAL}
    for term in coefficients:
        if "=" in term:
            column, value = term.split("=", 1)
            levels[column].append(value)
    expected_er = ENGAGEMENT.predict(coefficients, ENGAGEMENT.design_matrix(features, levels))
    np.testing.assert_allclose(predicted["engagement_rate_linear"].to_numpy(), expected_er, rtol=1e-9)
    np.testing.assert_allclose(predicted["predicted_engagement_rate"].to_numpy(), np.clip(expected_er, 0, 1))

    logit = card[card["model_name"] == "ml_follow_through_model"]
    coefficient_rows = logit.query("record_type == 'coefficient'")
    follow = dict(zip(coefficient_rows["term"], coefficient_rows["model_value"], strict=True))
    imputed = logit.query("record_type == 'imputation'").set_index("term")["model_value"].to_dict()
    probability = FOLLOW.predict_probability(follow, FOLLOW.design_matrix(features, imputed))
    np.testing.assert_allclose(predicted["predicted_follow_probability"].to_numpy(), probability, rtol=1e-9)
    assert predicted["is_viral_score_imputed"].all()
