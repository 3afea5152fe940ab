"""Churn and purchase predictions: the fit (fan_prediction_fits.py), the scores with the kept fit
(fan_predictions.py) and their metrics (fan_prediction_metrics.py).

Small hand-built histories: labels, the time split (no training label reaches into the test
period), features computed only from the past, and the metric formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fan_models import metrics as mm
from fan_models import prediction_fits as pf
from fan_models import predictions as pm

AS_OF = pd.Timestamp("2026-11-15 00:00:00")


def kept(fit: dict) -> dict:
    """The fit as fan_predictions reads it: stored as text by the fit model and loaded back."""
    text, sha = pf.dump_fit(fit)
    return pm.load_fit(pd.Series({"fitted_model": text, "fitted_model_sha256": sha}), "fan_prediction_fits")


def purchase_predictions(features: pd.DataFrame, settings: dict, as_of=AS_OF) -> pd.DataFrame:
    """What a build does for purchase: the back-test of the fit model and the score rows of
    fan_predictions with the fit kept as text."""
    backtest, fit = pf.purchase_fit(features, settings, as_of)
    fit = kept({"purchase": fit})["purchase"]
    parts = [backtest, pm.purchase_scores(fit, features, settings, as_of)]
    return pd.concat([p for p in parts if len(p)], ignore_index=True)


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
    train, test = pf.churn_sets(messages, AS_OF, window_days=30, horizon_days=14, train_cutoffs=3)
    test_cutoff = AS_OF - pd.Timedelta(days=14)
    assert set(test["predicted_at"]) == {test_cutoff}
    assert set(train["predicted_at"]) == {test_cutoff - pd.Timedelta(days=14 * k) for k in (1, 2, 3)}
    assert (train["predicted_at"] + pd.Timedelta(days=14) <= test_cutoff).all()
    # today's score rows: the pairs at risk at as_of, unlabelled, by the model of every cutoff
    _, churn = pf.churn_fit(train, test, seed=0)
    score = pm.churn_scores(
        kept({"churn": churn})["churn"],
        messages,
        {"fan_churn_window_days": 30, "fan_churn_horizon_days": 14},
        AS_OF,
    )
    assert set(score["predicted_at"]) == {AS_OF} and score["label"].isna().all() and len(score) > 0


def purchase_features(key: str, predicted_at, bought_at=None, last_at=None, offers_bought=0.0, **values):
    """One row of int_fan_purchase_features (the SQL model; its formulas have a dbt unit test)."""
    row = {
        "fan_model_key": key,
        "predicted_at": pd.Timestamp(predicted_at) if predicted_at else pd.NaT,
        "first_purchase_after_at": pd.Timestamp(bought_at) if bought_at else pd.NaT,
        "last_message_at": pd.Timestamp(last_at or predicted_at or "2026-01-01"),
        "offers_bought": offers_bought,
    }
    for column in pm.PURCHASE_INPUT_COLUMNS:
        row.setdefault(column, values.get(column, 0.0))
    return row


def test_purchase_split_is_by_time_and_labels_stop_at_the_next_cutoff():
    days = pd.date_range("2026-10-01", periods=10, freq="D")
    feats = pd.DataFrame(
        [purchase_features(f"p{i}", d, bought_at=d + pd.Timedelta(days=5)) for i, d in enumerate(days)]
        + [purchase_features("short", None)]  # fewer than N rows: no prediction time, never split
    )
    train, validation, test, cut = pf.purchase_split(feats, AS_OF, 0.2, 0.2)
    # quantiles of 10 daily times: 0.6 -> Oct 6 09:36, 0.8 -> Oct 8 04:48
    assert cut["validation_start"] == pd.Timestamp("2026-10-06 09:36")
    assert cut["test_start"] == pd.Timestamp("2026-10-08 04:48")
    assert list(train["fan_model_key"]) == ["p0", "p1", "p2", "p3", "p4", "p5"]
    assert list(validation["fan_model_key"]) == ["p6", "p7"]
    assert list(test["fan_model_key"]) == ["p8", "p9"]
    # a sale 5 days later is seen only when it is before the next cutoff: p0 (Oct 6 00:00) yes,
    # p1 (Oct 7) no; validation p6 (Oct 12) is after the test cutoff: no; test reads up to as_of
    assert list(train["label"]) == [1, 0, 0, 0, 0, 0]
    assert list(validation["label"]) == [0, 0]
    assert list(test["label"]) == [1, 1]


def test_label_horizon_is_the_days_from_the_nth_row_to_the_label_cutoff():
    at = ["2026-11-10 00:00:00", "2026-11-14 12:00:00", "2026-11-16 00:00:00"]
    # one cutoff for all: 5 days, half a day, and a row after the cutoff floored at 0
    assert pm.label_horizon_days(at, AS_OF).tolist() == [5.0, 0.5, 0.0]
    # one cutoff per pair (today's scores: the N-th row + the score horizon): 30 days each
    until = pd.to_datetime(at) + pd.Timedelta(days=30)
    assert pm.label_horizon_days(pd.Series(at), pd.Series(until)).tolist() == [30.0, 30.0, 30.0]
    # the design's last column is ln(1 + days): ln 6 for the first pair
    design = pm.purchase_design(pd.DataFrame([purchase_features("a", at[0])]), AS_OF)
    assert list(design.columns) == [*pm.PURCHASE_FEATURES, pm.HORIZON_FEATURE]
    assert design[pm.HORIZON_FEATURE].iloc[0] == pytest.approx(np.log(6.0))


def test_stable_features_remove_summation_noise_and_keep_real_differences():
    exact = 0.1 + 0.2 + 0.3  # 0.6000000000000001: the same three numbers summed left to right
    other = 0.3 + 0.2 + 0.1  # 0.6: summed in another order (a parallel aggregate in another build)
    assert exact != other
    half = 955.005 / 16  # 59.6878125, an exact half at 6 decimals (a mean of cents over 16 rows)
    noisy = pd.DataFrame({"a": [exact, half - 1e-14, -1e-17, 0.6], "b": [1.0, 2.0, 3.0, 4.0]})
    clean = pd.DataFrame({"a": [other, half + 1e-14, 1e-17, 0.600010], "b": [1.0, 2.0, 3.0, 4.0]})
    n, c = pm.stable_features(noisy), pm.stable_features(clean)
    # noise below 1e-12 gives the same number, on either side of an exact half, and 0.0 not -0.0
    assert n["a"].iloc[:3].tolist() == c["a"].iloc[:3].tolist() == [0.6, 59.687813, 0.0]
    assert not np.signbit(n["a"].iloc[2])
    # a real difference at the 5th decimal survives
    assert c["a"].iloc[3] - n["a"].iloc[3] == pytest.approx(1e-5)
    # the purchase design is built from stable features: last-bit noise in the inputs is gone
    at = "2026-11-01 00:00:00"
    design = [
        pm.purchase_design(pd.DataFrame([purchase_features("a", at, ppv_revenue=p, hour_sin=h)]), AS_OF)
        for p, h in ((exact * 100, 1e-17), (other * 100, -1e-17))
    ]
    pd.testing.assert_frame_equal(design[0], design[1], check_exact=True)


def test_every_candidate_sees_the_window_its_labels_are_read_in():
    # Every pair is the same fan except its time and buys exactly 10 days after its N-th row: a
    # pair is labelled a buyer when its label window (to the next split's cutoff, as_of for the
    # test split) is at least 10 days long. Only the window can rank them; it must be measured to
    # each split's own cutoff, or the test AUC falls to 0.5 (identical features).
    start = pd.Timestamp("2026-06-01")
    feats = pd.DataFrame(
        [
            purchase_features(f"p{i:03d}", at, bought_at=at + pd.Timedelta(days=10))
            for i, at in enumerate(start + pd.Timedelta(hours=12) * np.arange(330))
        ]
    )
    settings = {
        "fan_purchase_validation_share": 0.2,
        "fan_purchase_test_share": 0.2,
        "fan_purchase_seed": 1,
        "fan_active_days": 7,
        "fan_purchase_top_reasons": 3,
        "fan_purchase_score_horizon_days": 30,
    }
    out = purchase_predictions(feats, settings, AS_OF)
    test = out[out["split"] == "test"]
    # N-th row i at Jun 1 + 12 h x i; the test cutoff is the 0.8 quantile, position 263.2 -> Oct 10
    # 14:24, so the test pairs are i = 264..329 (Oct 11 00:00 .. Nov 12 12:00); a sale 10 days later
    # is before as_of for i <= 314 (Nov 5 00:00 + 10 days = as_of): 51 buyers, 15 not
    assert len(test) == 66 and test["label"].sum() == 51
    # without the window every candidate would score 0.5 (the features are identical); gradient
    # boosting's leaves of 20+ pairs tie the pairs around the 10-day step (0.91 here)
    auc = {c: pf.auc_score(test["label"], test[f"probability_{c}"]) for c in pm.FAMILIES}
    assert auc["logistic_regression"] > 0.95 and auc["mlp"] > 0.95 and auc["gradient_boosting"] > 0.85, auc
    # and the window is measured to each split's own cutoff: fitted on train + validation windows
    # (to the test cutoff), logistic regression puts the 10-day step where it is on the test rows
    # (windows measured to as_of everywhere would put it ~78 days out: every pair below 0.5); the
    # validation rows (i = 198..263, 46 buyers) likewise from the train fit (windows to its cutoff)
    validation = out[out["split"] == "validation"]
    assert len(validation) == 66 and validation["label"].sum() == 46
    for split in (test, validation):
        predicted = (split["probability_logistic_regression"] >= 0.5).astype(int)
        assert (predicted == split["label"]).mean() > 0.9


def test_choose_model_by_validation_auc_ties_to_the_simpler():
    assert pf.choose_model({"baseline_prior": 0.5, "logistic_regression": 0.8, "mlp": 0.81}) == "mlp"
    assert pf.choose_model({"logistic_regression": 0.8, "gradient_boosting": 0.8}) == "logistic_regression"
    assert pf.choose_model({"logistic_regression": float("nan")}) == "baseline_prior"
    # without a margin the ensemble wins only by beating every family (a tie goes to the family)
    assert pf.choose_model({"logistic_regression": 0.80, "mlp": 0.81, "ensemble": 0.82}) == "ensemble"
    assert pf.choose_model({"logistic_regression": 0.83, "ensemble": 0.82}) == "logistic_regression"
    # with a margin it is kept while no family beats it by more than the margin
    assert (
        pf.choose_model({"gradient_boosting": 0.858, "ensemble": 0.846}, ensemble_margin=0.02) == "ensemble"
    )
    assert pf.choose_model({"gradient_boosting": 0.87, "ensemble": 0.846}, ensemble_margin=0.02) == (
        "gradient_boosting"  # 0.024 above: beyond the margin
    )
    assert pf.choose_model({"baseline_prior": 0.5, "ensemble": float("nan")}, ensemble_margin=0.02) == (
        "baseline_prior"
    )


def test_ensemble_is_the_mean_of_the_three_families():
    probs = {
        "logistic_regression": np.array([0.2, 0.9]),
        "gradient_boosting": np.array([0.5, 0.6]),
        "mlp": np.array([0.2, 0.3]),
        "baseline_prior": np.array([0.4, 0.4]),  # not a member
    }
    assert pm.ensemble_probability(probs) == pytest.approx([0.3, 0.6])  # (0.2+0.5+0.2)/3, (0.9+0.6+0.3)/3


def test_top_reasons_name_the_features_that_raise_the_probability():
    def predict(x):  # a hand-made model: 0.1 + 0.2 per offer bought + 0.05 per conversation
        return 0.1 + 0.2 * x[:, 0] + 0.05 * x[:, 1]

    x = np.array([[2.0, 3.0], [0.0, 1.0]])
    reasons = pm.top_reasons(predict, x, np.array([0.0, 1.0]), ["offers_bought", "conversations"], 2)
    # row 1: offers 2 -> +0.40, conversations 3 vs median 1 -> +0.10; row 2 is at the medians
    assert reasons == ["offers_bought (+0.40); conversations (+0.10)", ""]


def test_single_class_training_falls_back_to_the_prior():
    fitted = pf.fit_candidate("gradient_boosting", np.array([[1.0], [2.0]]), np.array([1, 1]), 0)
    assert fitted == 1.0 and pm.predict_probability(fitted, np.array([[3.0], [0.0]])).tolist() == [1.0, 1.0]


def test_a_calibrated_family_ranks_as_one_model_fitted_on_every_training_row():
    # Platt scaling is increasing in the model's score, so a family fitted once on every row and
    # calibrated on out-of-fold predictions ranks new rows as that one model does; an average of
    # three fold models fitted on two thirds of the rows each (scikit-learn's default) does not
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] + rng.normal(scale=1.5, size=300) > 0).astype(int)
    new = rng.normal(size=(200, 4))
    calibrated = pm.predict_probability(pf.fit_candidate("gradient_boosting", x, y, 7), new)
    one_model = pf.make_estimator("gradient_boosting", 7).fit(x, y).predict_proba(new)[:, 1]
    assert np.array_equal(np.argsort(calibrated, kind="stable"), np.argsort(one_model, kind="stable"))
    assert not np.allclose(calibrated, one_model, atol=1e-3)  # calibrated, not the model's raw probabilities


def test_purchase_predictions_learn_a_planted_signal_and_score_live_pairs():
    rng = np.random.default_rng(0)
    rows_ = []
    for i in range(400):
        at = pd.Timestamp("2026-06-01") + pd.Timedelta(hours=int(rng.integers(0, 24 * 150)))
        keen = rng.random() < 0.4
        bought = at + pd.Timedelta(days=1) if (rng.random() < (0.85 if keen else 0.1)) else None
        rows_.append(purchase_features(f"k{i}", at, bought_at=bought, offers_bought=float(keen)))
    live = purchase_features("live", "2026-11-14", last_at="2026-11-14 12:00:00", offers_bought=1.0)
    settings = {
        "fan_purchase_validation_share": 0.2,
        "fan_purchase_test_share": 0.2,
        "fan_purchase_seed": 1,
        "fan_active_days": 7,
        "fan_purchase_top_reasons": 3,
        "fan_purchase_score_horizon_days": 30,
    }
    out = purchase_predictions(pd.DataFrame([*rows_, live]), settings, AS_OF)
    assert set(out["split"]) == {"train", "validation", "test", "score"}
    test = out[out["split"] == "test"]
    assert pf.auc_score(test["label"], test["probability"]) > 0.75  # true AUC about 0.87
    score = out[out["split"] == "score"].set_index("fan_model_key")
    assert "live" in score.index and score.loc["live", "top_reasons"].startswith("offers_bought")
    assert out["model_name"].nunique() == 1 and out["model_name"].iloc[0] != "baseline_prior"


def test_a_kept_fit_whose_back_test_names_a_pair_no_longer_in_the_data_is_refitted():
    # a fit of three pairs' back-test rows, kept as text; then the data loses pair "b" (its raw rows
    # deleted or corrected): the fit model counts it and refits instead of reusing
    backtest = pd.DataFrame(
        {"fan_model_key": ["a", "b", "b", "c"], "split": ["train", "train", "test", "test"]}
    )
    fit = kept({"backtest": backtest})
    assert pf.vanished_pairs(fit, pd.Series(["a", "b", "c", "new"])) == 0  # a new pair is no reason
    assert pf.vanished_pairs(fit, pd.Series(["a", "c", "new"])) == 1


def test_churn_metrics_say_why_a_short_log_has_no_test_row():
    settings = {
        "fan_prediction_threshold": 0.5,
        "fan_churn_window_days": 30,
        "fan_churn_horizon_days": 14,
        "fan_purchase_first_n_messages": 10,
    }
    empty = pd.DataFrame(columns=list(pm.OUTPUT_COLUMNS))
    out = mm.compute_metrics(empty, settings, log_days=6.9).set_index("metric_id")
    assert out.loc["churn|test|none", "note"].startswith("horizon does not fit")
    assert (
        "44 days" in out.loc["churn|test|none", "note"] and "6.9 days" in out.loc["churn|test|none", "note"]
    )
    assert out.loc["purchase|test|none", "rows"] == 0


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
