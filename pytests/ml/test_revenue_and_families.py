"""Pure functions of the revenue GBM, near-duplicate and caption-cluster Python models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn.ensemble  # noqa: F401 - OpenMP loaded before threadpool_limits
from model_loader import load_python_model
from threadpoolctl import threadpool_limits

gbm = load_python_model("python_models/scheduling/ml_revenue_gbm_scores.py")
gbf = load_python_model("python_models/scheduling/ml_revenue_gbm_fit.py")
nd = load_python_model("python_models/scheduling/caption_near_duplicates.py")
cl = load_python_model("python_models/scheduling/ml_caption_clusters.py")

SETTINGS = {
    "gbm_max_iter": "30",
    "gbm_quantile_max_iter": "20",
    "gbm_quantile_learning_rate": "0.1",
    "gbm_quantile_max_leaf_nodes": "7",
    "gbm_quantile_min_samples_leaf": "5",
    "gbm_learning_rate": "0.1",
    "gbm_max_leaf_nodes": "7",
    "gbm_min_samples_leaf": "5",
    "gbm_l2_regularization": "1.0",
    "gbm_quantile_low": "0.1",
    "gbm_quantile_high": "0.9",
    "gbm_seed": "7",
    "gbm_min_train_sends": "50",
    "gbm_page_prior_sends": "20",
}


def fit_and_score(features, candidates, settings):
    """What a build does: ml_revenue_gbm_fit fits and stores the fit as text, ml_revenue_gbm_scores
    loads that text and scores the holdout rows and the candidates."""
    text, sha = gbf.dump_fit(gbf.fit_revenue_model(features, settings))
    fit = gbm.load_fit(pd.Series({"fitted_model": text, "fitted_model_sha256": sha}), "ml_revenue_gbm_fit")
    return gbm.score(fit, features, candidates)


def feature_rows(n, start, split, seed=0):
    rng = np.random.default_rng(seed)
    pages = rng.choice(["a", "b"], n)
    hours = rng.integers(8, 23, n)
    price = rng.choice([10.0, 20.0, 30.0], n)
    audience = np.where(pages == "a", 1000.0, 3000.0)
    earnings = audience * 0.01 * price * (1 + 0.5 * (hours >= 20)) * rng.uniform(0.8, 1.2, n)
    return pd.DataFrame(
        {
            "send_id": [f"{split}{i}" for i in range(n)],
            "sample_split": split,
            "exclusion_reason": None,
            "page_key": pages,
            "sent_at": pd.Timestamp(start) + pd.to_timedelta(np.arange(n), unit="h"),
            "local_hour": hours,
            "local_dow": rng.integers(1, 8, n),
            "price": price,
            "price_band": np.where(price < 20, "mid", "high"),
            "content_category": "solo",
            "length_bin": "short",
            "emoji_bin": "none",
            "has_cta": rng.random(n) < 0.5,
            "has_urgency": False,
            "ends_with_question": pd.array([True, None] * (n // 2) + [True] * (n % 2), dtype="boolean"),
            "send_index_in_day": rng.integers(0, 5, n),
            "caption_page_uses": rng.exponential(0.2, n),
            "caption_prior_sends": rng.integers(0, 4, n),
            "caption_revenue_index": rng.uniform(0.8, 1.2, n),
            "page_hour_revenue_index": rng.uniform(0.8, 1.2, n),
            "revenue_7d": 100.0,
            "revenue_prev_7d": 80.0,
            "revenue_momentum_7d": 0.25,
            "ppv_sends_7d": 10,
            "audience_7d": audience,
            "ppv_revenue_per_send_28d": 50.0,
            "sends_per_day_28d": 3.0,
            "earnings": earnings,
        }
    )


def test_split_train_holdout_is_a_time_split():
    train = feature_rows(5, "2026-10-01", "train")
    holdout = feature_rows(3, "2026-11-02", "holdout")
    excluded = feature_rows(1, "2026-10-01", "train").assign(exclusion_reason="unknown_page", send_id="x")
    tr, ho = gbf.split_train_holdout(pd.concat([train, holdout, excluded]))
    assert len(tr) == 5 and len(ho) == 3 and "x" not in set(tr["send_id"])
    late = feature_rows(1, "2026-11-05", "train").assign(send_id="late")
    with pytest.raises(ValueError, match="not a time split"):
        gbf.split_train_holdout(pd.concat([train, holdout, late]))
    with pytest.raises(ValueError, match="unknown sample_split"):
        gbf.split_train_holdout(train.assign(sample_split="random"))


def test_encode_features_uses_training_categories_and_page_target_encoding():
    train = feature_rows(4, "2026-10-01", "train").assign(
        page_key=["a", "a", "a", "b"],
        earnings=[10.0, 20.0, 30.0, 100.0],
        price_band=["mid", "mid", "high", "x"],
    )
    vocab = gbf.feature_vocabulary(train, page_prior_sends=2.0)
    assert vocab["categories"]["price_band"] == ["high", "mid", "x"]
    other = train.assign(page_key=["a", "zz", None, "b"], price_band=["mid", "new", None, "x"])
    x = gbm.encode_features(other, vocab)
    assert list(x.columns) == gbm.FEATURES
    assert x["price_band"].isna().tolist() == [False, True, True, False]  # unseen and null -> missing
    assert list(x["page_key"].cat.categories) == ["a", "b"] and x["page_key"].isna().tolist() == [
        False, True, True, False
    ]  # fmt: skip
    # global mean 160 / 4 = 40; page a: (60 + 2 x 40) / (3 + 2) = 28; page b: (100 + 80) / 3 = 60;
    # an unseen or missing page: the global mean, ln(1 + 0) sends
    np.testing.assert_allclose(x["page_revenue_per_send"], [28.0, 40.0, 40.0, 60.0])
    np.testing.assert_allclose(x["page_log_train_sends"], [np.log(4), 0.0, 0.0, np.log(2)])
    assert x["ends_with_question"].iloc[0] == 1.0 and np.isnan(x["ends_with_question"].iloc[1])
    assert x["has_cta"].dtype == float and x["price"].dtype == float


def test_frequent_categories_keeps_the_most_frequent_up_to_the_limit():
    values = pd.Series(["c", "b", "b", "a", "a", None, "d"])
    # a and b twice, c and d once (tie: by value, so c)
    assert gbf.frequent_categories(values, limit=3) == ["a", "b", "c"]
    assert gbf.frequent_categories(values) == ["a", "b", "c", "d"]


def test_score_trains_on_300_pages_and_learns_each_page_level():
    """More pages than HistGradientBoosting's 255-category limit (the x10 agency has 400): the fit
    runs, and the level of every page is learned, also of the 70 pages beyond the category cap
    (the target encoding carries them)."""
    rng = np.random.default_rng(5)
    n_pages, per_page = 320, 12
    level = {f"p{i:03d}": 5.0 + 95.0 * i / (n_pages - 1) for i in range(n_pages)}  # $5 .. $100 a send

    def rows(split, start, n_each, seed):
        frame = pd.concat([feature_rows(n_each, start, split, seed + i).assign(page_key=p) for i, p in
                           enumerate(level)], ignore_index=True)  # fmt: skip
        frame["send_id"] = [f"{split}{i}" for i in range(len(frame))]
        frame["sent_at"] = pd.Timestamp(start) + pd.to_timedelta(np.arange(len(frame)), unit="min")
        frame["audience_7d"] = 1000.0  # nothing else tells the pages apart
        frame["earnings"] = frame["page_key"].map(level) * rng.uniform(0.9, 1.1, len(frame))
        return frame

    features = pd.concat([rows("train", "2026-09-01", per_page, 0), rows("holdout", "2026-11-02", 2, 10_000)])
    candidates = rows("c", "2026-11-16", 1, 20_000).rename(columns={"send_id": "scoring_key"})
    settings = {**SETTINGS, "gbm_max_iter": "60", "gbm_min_samples_leaf": "10"}
    with threadpool_limits(limits=1):
        out = fit_and_score(features, candidates, settings)
    assert out["model_version"].eq(gbf.MODEL_VERSION).all()
    cand = out[out["score_kind"] == "candidate"]
    assert cand["page_key"].nunique() == n_pages
    truth = cand["page_key"].map(level)
    assert np.corrcoef(cand["predicted_revenue"], truth)[0, 1] > 0.95
    assert (cand["predicted_revenue"] - truth).abs().mean() < 0.1 * truth.mean()
    beyond_cap = ~cand["page_key"].isin(gbf.frequent_categories(features["page_key"]))
    assert beyond_cap.sum() == n_pages - gbm.MAX_CATEGORIES
    assert np.corrcoef(cand.loc[beyond_cap, "predicted_revenue"], truth[beyond_cap])[0, 1] > 0.95


def test_naive_baseline_falls_back_page_then_global():
    train = pd.DataFrame(
        {"page_key": ["a", "a", "a", "b"], "local_hour": [20, 20, 9, 9], "earnings": [10.0, 30.0, 4.0, 8.0]}
    )
    rows = pd.DataFrame({"page_key": ["a", "a", "b", "c"], "local_hour": [20, 21, 9, 9]})
    # (a,20) = 20; (a,21) unseen -> page a mean 44/3; (b,9) = 8; page c unseen -> global 52/4 = 13
    np.testing.assert_allclose(
        gbm.naive_baseline(gbf.baseline_tables(train), rows), [20.0, 44 / 3, 8.0, 13.0]
    )
    assert np.isnan(gbm.naive_baseline(gbf.baseline_tables(train.iloc[0:0]), rows)).all()


def test_recent_baseline_is_the_28_day_revenue_per_send_else_the_fallback():
    rows = pd.DataFrame({"ppv_revenue_per_send_28d": [12.5, None, 0.0]})
    # a page that sold nothing in 28 days keeps its 0; one without the feature takes the fallback
    np.testing.assert_allclose(gbm.recent_baseline(rows, np.array([1.0, 7.0, 3.0])), [12.5, 7.0, 0.0])


def test_predict_interval_orders_and_clips():
    class Fixed:
        def __init__(self, values):
            self.values = np.asarray(values, dtype=float)

        def predict(self, x):
            return self.values

    models = {"mean": Fixed([-1, 5]), "low": Fixed([3, -2]), "high": Fixed([1, 9])}
    mean, low, high = gbm.predict_interval(models, None)
    assert mean.tolist() == [0, 5] and low.tolist() == [1, 0] and high.tolist() == [3, 9]


def test_score_learns_beyond_the_baseline_and_is_deterministic():
    features = pd.concat(
        [feature_rows(400, "2026-09-01", "train", 1), feature_rows(100, "2026-11-02", "holdout", 2)]
    )
    candidates = feature_rows(6, "2026-11-16", "c", 3).rename(columns={"send_id": "scoring_key"})
    with threadpool_limits(limits=1):  # as the dbt model runs it (no OpenMP spin-waiting)
        out = fit_and_score(features, candidates, SETTINGS)
        again = fit_and_score(features, candidates, SETTINGS)
    assert out.columns.tolist() == gbm.OUTPUT_COLUMNS
    assert (out["score_kind"] == "holdout").sum() == 100 and (out["score_kind"] == "candidate").sum() == 6
    assert out["score_key"].is_unique and out["model_version"].eq(gbf.MODEL_VERSION).all()
    assert (out["predicted_revenue_low"] <= out["predicted_revenue_high"]).all()
    ho = out[out["score_kind"] == "holdout"]
    mae_model = (ho["actual_revenue"] - ho["predicted_revenue"]).abs().mean()
    mae_base = (ho["actual_revenue"] - ho["baseline_revenue"]).abs().mean()
    assert mae_model < mae_base  # price drives revenue here and the page x hour mean ignores it
    pd.testing.assert_frame_equal(out, again)


def test_score_is_the_same_for_rows_in_another_order_with_last_bit_noise():
    # Two builds of the same rows: the warehouse returns them in another order and a parallel sum
    # differs in its last bits. Here revenue_7d takes 200 distinct values, its noisy copy 400 (past
    # the 255 bins of the boosting, so its bin edges move): the fit must not see either change.
    features = pd.concat(
        [feature_rows(600, "2026-09-01", "train", 1), feature_rows(100, "2026-11-02", "holdout", 2)],
        ignore_index=True,
    )
    rng = np.random.default_rng(5)
    features["revenue_7d"] = rng.integers(0, 200, len(features)) * 1.25
    features["earnings"] = features["earnings"] * (1 + features["revenue_7d"] / 100)
    noisy = features.sample(frac=1.0, random_state=3).reset_index(drop=True)
    noisy["revenue_7d"] = noisy["revenue_7d"] * (1 + np.where(np.arange(len(noisy)) % 2, 1e-15, -1e-15))
    assert noisy["revenue_7d"].nunique() > 255 >= features["revenue_7d"].nunique()
    candidates = feature_rows(6, "2026-11-16", "c", 3).rename(columns={"send_id": "scoring_key"})
    with threadpool_limits(limits=1):
        out = fit_and_score(features, candidates, SETTINGS).sort_values("score_key", ignore_index=True)
        again = fit_and_score(noisy, candidates, SETTINGS).sort_values("score_key", ignore_index=True)
    pd.testing.assert_frame_equal(out, again, check_exact=True)


def test_score_falls_back_to_the_baseline_with_too_little_data():
    features = pd.concat([feature_rows(10, "2026-09-01", "train"), feature_rows(3, "2026-11-02", "holdout")])
    candidates = feature_rows(2, "2026-11-16", "c").rename(columns={"send_id": "scoring_key"})
    out = fit_and_score(features, candidates, SETTINGS)
    assert out["model_version"].eq(gbf.FALLBACK_VERSION).all()
    np.testing.assert_allclose(out["predicted_revenue"], out["baseline_revenue"])
    assert str(out["train_last_sent_at"].dtype) == "datetime64[us]"


def test_score_falls_back_when_the_training_sends_earned_nothing():
    """Enough training sends, none sold (a new agency's first PPVs): the Poisson loss cannot fit a
    zero total (scikit-learn raised, and the build skipped the template after it); every row gets
    the page x hour baseline, 0, and model_version names the reason."""
    features = pd.concat([feature_rows(80, "2026-09-01", "train"), feature_rows(5, "2026-11-02", "holdout")])
    features["earnings"] = 0.0
    candidates = feature_rows(2, "2026-11-16", "c").rename(columns={"send_id": "scoring_key"})
    out = fit_and_score(features, candidates, SETTINGS)
    assert out["model_version"].eq(gbf.NO_REVENUE_VERSION).all()
    assert out["predicted_revenue"].eq(0).all() and out["baseline_revenue"].eq(0).all()
    assert out["train_sends"].eq(80).all()


def test_score_without_any_send_history_keeps_the_timestamp_type():
    """A new agency (no sends yet): no training row, every candidate scored by the fallback, and
    train_last_sent_at all null in microseconds, the warehouse's TIMESTAMP (nanoseconds broke the
    contract of ml_revenue_predictions)."""
    features = feature_rows(3, "2026-09-01", "train").iloc[0:0]
    candidates = feature_rows(2, "2026-11-16", "c").rename(columns={"send_id": "scoring_key"})
    out = fit_and_score(features, candidates, SETTINGS)
    assert len(out) == 2 and out["train_sends"].eq(0).all()
    assert out["train_last_sent_at"].isna().all() and str(out["train_last_sent_at"].dtype) == "datetime64[us]"


# ---- the fit kept for a fit period (ml_revenue_gbm_fit) ----------------------------------------


def test_fit_period_start_is_the_iso_week_by_default_and_follows_the_settings():
    # 2026-11-15 is a Sunday, 2026-11-16 a Monday, 2026-11-11 a Wednesday (calendar)
    week = lambda as_of, days=7, dow=1: gbf.fit_period_start(as_of, days, dow)  # noqa: E731
    assert week("2026-11-15 23:59:59") == pd.Timestamp("2026-11-09")
    assert week("2026-11-16 00:00:00") == pd.Timestamp("2026-11-16")
    assert week("2026-11-22 12:00:00") == pd.Timestamp("2026-11-16")
    assert week("2026-11-16 00:00:00", dow=3) == pd.Timestamp("2026-11-11")  # weeks from Wednesday
    assert week("2026-11-16 05:00:00", days=1) == pd.Timestamp("2026-11-16")  # every day a period
    # 14-day periods from Monday 1970-01-05: 2026-11-16 is 20,769 days later = 1,483 x 14 + 7, so
    # its period started 7 days earlier, and 2026-11-23 starts the next one
    assert week("2026-11-16", days=14) == pd.Timestamp("2026-11-09")
    assert week("2026-11-23", days=14) == pd.Timestamp("2026-11-23")
    # an aware timestamp is read in UTC: 00:30 on Monday in Berlin (UTC+1 in November) is 23:30
    # on Sunday in UTC
    assert week(pd.Timestamp("2026-11-16 00:30", tz="Europe/Berlin")) == pd.Timestamp("2026-11-09")
    with pytest.raises(ValueError, match="not a cadence"):
        week("2026-11-16", days=0)
    with pytest.raises(ValueError, match="not a cadence"):
        week("2026-11-16", dow=8)


def test_the_same_rows_give_the_same_stored_fit():
    """A daily build and a full refresh of the same day fit on the same rows, read in any order:
    the stored text must be the same (sendwise bench --incremental compares the tables)."""
    features = pd.concat(
        [feature_rows(300, "2026-09-01", "train", 1), feature_rows(50, "2026-11-02", "holdout", 2)],
        ignore_index=True,
    )
    shuffled = features.sample(frac=1.0, random_state=4).reset_index(drop=True)
    with threadpool_limits(limits=1):
        first = gbf.dump_fit(gbf.fit_revenue_model(features, SETTINGS))
        second = gbf.dump_fit(gbf.fit_revenue_model(shuffled, SETTINGS))
        other = gbf.dump_fit(gbf.fit_revenue_model(features, {**SETTINGS, "gbm_seed": "8"}))
    assert first == second and other[1] != first[1]


def test_the_fit_row_holds_utc_timestamps_of_each_engines_type():
    """DuckDB: naive UTC microseconds (TIMESTAMP); BigQuery: UTC-aware (BigQuery DataFrames would
    write naive ones as DATETIME), as the build stamp; an aware as_of is read in UTC."""
    fit = gbf.fit_revenue_model(
        pd.concat([feature_rows(10, "2026-09-01", "train"), feature_rows(3, "2026-11-02", "holdout")]),
        SETTINGS,
    )
    as_of = pd.Timestamp("2026-11-16 01:30", tz="Europe/Berlin")  # 00:30 UTC
    duck = gbf.fit_row(fit, "f", pd.Timestamp("2026-11-16"), as_of, "duckdb")
    bq = gbf.fit_row(fit, "f", pd.Timestamp("2026-11-16"), as_of, "bigquery")
    columns = ["period_start", "fitted_as_of", "train_last_sent_at"]
    assert [str(duck[c].dtype) for c in columns] == ["datetime64[us]"] * 3
    assert [str(bq[c].dtype) for c in columns] == ["datetime64[us, UTC]"] * 3
    assert duck["fitted_as_of"].iloc[0] == pd.Timestamp("2026-11-16 00:30")
    assert bq["fitted_as_of"].iloc[0] == pd.Timestamp("2026-11-16 00:30", tz="UTC")
    # 10 training sends an hour apart from 2026-09-01 00:00: the last at 09:00
    assert duck["train_last_sent_at"].iloc[0] == pd.Timestamp("2026-09-01 09:00")
    assert duck["fit_mode"].iloc[0] == "trained" and duck["train_sends"].iloc[0] == 10


def test_load_fit_refuses_a_text_that_does_not_match_its_hash():
    features = pd.concat([feature_rows(10, "2026-09-01", "train"), feature_rows(3, "2026-11-02", "holdout")])
    text, sha = gbf.dump_fit(gbf.fit_revenue_model(features, SETTINGS))
    assert (
        gbm.load_fit(pd.Series({"fitted_model": text, "fitted_model_sha256": sha}), "ml_revenue_gbm_fit")[
            "train_sends"
        ]
        == 10
    )
    _, other_sha = gbf.dump_fit({"models": None})
    with pytest.raises(ValueError, match="does not match its sha256"):
        gbm.load_fit(
            pd.Series({"fitted_model": text, "fitted_model_sha256": other_sha}), "ml_revenue_gbm_fit"
        )


def test_score_refuses_a_fit_that_trained_on_a_holdout_send():
    """A kept fit scores later builds, whose holdout starts later; a fit whose training reaches into
    this build's holdout (a backfill) would grade itself on sends it learned."""
    fit = gbf.fit_revenue_model(
        pd.concat([feature_rows(60, "2026-10-20", "train"), feature_rows(3, "2026-11-09", "holdout")]),
        SETTINGS,
    )
    candidates = feature_rows(2, "2026-11-16", "c").rename(columns={"send_id": "scoring_key"})
    later = feature_rows(3, "2026-11-10", "holdout")  # after the fit's last training send (2026-10-22 11:00)
    assert len(gbm.score(fit, later, candidates)) == 5
    overlapping = feature_rows(3, "2026-10-22", "holdout")  # from 2026-10-22 00:00
    with pytest.raises(ValueError, match="trained on a send of the holdout"):
        gbm.score(fit, overlapping, candidates)


def test_a_kept_fit_serves_builds_at_or_after_its_as_of_only_and_never_a_fallback():
    kept = pd.DataFrame(
        {"fitted_as_of": [pd.Timestamp("2026-11-16 00:00:00")], "model_version": [gbf.MODEL_VERSION]}
    )
    assert gbf.usable_previous(None, "2026-11-17 00:00:00", gbf.MODEL_VERSION) is None
    assert gbf.usable_previous(kept, "2026-11-16 00:00:00", gbf.MODEL_VERSION) is kept
    assert gbf.usable_previous(kept, "2026-11-18 06:00:00", gbf.MODEL_VERSION) is kept
    assert gbf.usable_previous(kept, "2026-11-15 23:00:00", gbf.MODEL_VERSION) is None  # a backfill: refit
    assert gbf.usable_previous(pd.concat([kept, kept]), "2026-11-17 00:00:00", gbf.MODEL_VERSION) is None
    # a fallback (too few sends) is fitted again by every build until a model can be
    fallback = kept.assign(model_version=gbf.FALLBACK_VERSION)
    assert gbf.usable_previous(fallback, "2026-11-17 00:00:00", gbf.MODEL_VERSION) is None


# ---- near-duplicates ---------------------------------------------------------------------------


def unit(rows):
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_near_duplicate_pairs_within_blocks_and_ordered():
    ids = np.array(["c3", "c1", "c2", "c4"], dtype=object)
    blocks = np.array(["solo", "solo", "solo", "bj"], dtype=object)
    m = unit([[1, 0], [1, 0.1], [0, 1], [1, 0.05]])
    pairs = nd.near_duplicate_pairs(ids, blocks, m, threshold=0.9, chunk=1)
    # c1~c3 (cos 0.995); c4 is as close but in another block; c2 is orthogonal
    assert pairs[["caption_id", "duplicate_caption_id"]].values.tolist() == [["c1", "c3"]]
    assert pairs["cosine"].iloc[0] == pytest.approx(1 / np.sqrt(1.01), abs=1e-6)
    assert nd.near_duplicate_pairs(ids, blocks, m, threshold=0.999).empty


def test_near_duplicate_chunking_gives_the_same_pairs():
    rng = np.random.default_rng(0)
    m = unit(rng.normal(size=(60, 4)))
    ids = np.array([f"c{i:02d}" for i in range(60)], dtype=object)
    blocks = np.array(["x"] * 60, dtype=object)
    full = nd.near_duplicate_pairs(ids, blocks, m, 0.8, chunk=1000)
    chunked = nd.near_duplicate_pairs(ids, blocks, m, 0.8, chunk=7)
    pd.testing.assert_frame_equal(full, chunked)
    assert len(full) > 0 and (full["caption_id"] < full["duplicate_caption_id"]).all()


def test_embedding_matrix_refuses_missing_vectors():
    with pytest.raises(ValueError, match="1 captions have no embedding"):
        nd.embedding_matrix(pd.Series([[1.0, 0.0], None]))


# ---- clusters ----------------------------------------------------------------------------------


def test_choose_k_and_candidates():
    assert cl.choose_k({4: 0.1, 5: 0.3, 6: 0.3, 7: 0.2}) == 5  # tie -> smaller k
    assert cl.k_candidates(1, 5, 4) == [2, 3]
    with pytest.raises(ValueError):
        cl.choose_k({})


def test_sample_indices_fixed():
    a = cl.sample_indices(100, 10, seed=3)
    assert len(a) == 10 and (np.diff(a) > 0).all()
    np.testing.assert_array_equal(a, cl.sample_indices(100, 10, seed=3))
    np.testing.assert_array_equal(cl.sample_indices(5, 10, seed=3), np.arange(5))


def test_relabel_by_size():
    assert cl.relabel_by_size(np.array([7, 3, 3, 7, 7, 1])).tolist() == [1, 2, 2, 1, 1, 3]


def test_silhouette_picks_the_planted_number_of_clusters():
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [10, 0], [0, 10], [10, 10], [5, 20]], dtype=float)
    x = np.vstack([c + rng.normal(scale=0.5, size=(40, 2)) for c in centers])
    scores, labels = cl.cluster_scores(
        x, [2, 3, 4, 5, 6, 7], np.arange(0, len(x), 2), np.arange(len(x)), seed=1
    )
    assert cl.choose_k(scores) == 5 and len(np.unique(labels[5])) == 5


def test_near_duplicate_groups_are_transitive():
    ids = np.array(["a", "b", "c", "d", "e"], dtype=object)
    pairs = pd.DataFrame({"caption_id": ["b", "a", "x"], "duplicate_caption_id": ["c", "b", "y"]})
    group, size = cl.near_duplicate_groups(ids, pairs)
    assert group.tolist() == ["a", "a", "a", "d", "e"] and size.tolist() == [3, 3, 3, 1, 1]


def test_near_duplicate_groups_take_the_smallest_id_whatever_the_order():
    # ids not sorted; the smallest by code point, as Python's min: "B" < "a", "c10" < "c9"
    ids = np.array(["c9", "a", "c10", "B", "z"], dtype=object)
    pairs = pd.DataFrame({"caption_id": ["c9", "a"], "duplicate_caption_id": ["c10", "B"]})
    group, size = cl.near_duplicate_groups(ids, pairs)
    assert group.tolist() == ["c10", "B", "c10", "B", "z"] and size.tolist() == [2, 2, 2, 2, 1]


def test_top_terms_are_distinctive():
    texts = pd.Series(["red shoes sale", "red shoes now", "blue sky calm", "blue sky night"])
    terms = cl.top_terms(texts, np.array([1, 1, 2, 2]), 2)
    assert terms[1] == ["red", "shoes"] and terms[2] == ["blue", "sky"]


def test_pca_space_does_not_depend_on_the_number_of_blas_threads():
    # float32 vectors as the embedding cache holds them: in float32 the randomized PCA gave results
    # 2.7e-5 apart with 1 and 2 BLAS threads (seed demo), and the thread limit is process-wide in dbt
    rng = np.random.default_rng(11)
    matrix = (rng.normal(size=(20000, 8)) @ rng.normal(size=(8, 256)) + rng.normal(size=(20000, 256))).astype(
        np.float32
    )
    settings = {"cluster_seed": "7", "cluster_pca_dims": "48"}
    with threadpool_limits(limits=1):
        one = cl.pca_space(matrix, settings)
    with threadpool_limits(limits=2):
        two = cl.pca_space(matrix, settings)
    assert np.abs(one - two).max() < 1e-9


def test_pca_space_is_fitted_on_the_sample_rows_and_applied_to_every_row():
    # the sample rows vary only along the first two axes, the others along all eight: a PCA fitted on
    # the sample keeps those two axes, so every row (past the 50,000-row chunk too) lands at its
    # offset from the sample's mean in those two coordinates, up to a rotation within the plane
    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(60_000, 8)).astype(np.float32)
    fit_rows = np.arange(1000)
    matrix[fit_rows, 2:] = 0.0
    x = cl.pca_space(matrix, {"cluster_seed": "3", "cluster_pca_dims": "2"}, fit_rows)
    offset = matrix[:, :2].astype(np.float64) - matrix[fit_rows, :2].astype(np.float64).mean(axis=0)
    assert x.shape == (60_000, 2)
    assert np.allclose(np.linalg.norm(x, axis=1), np.linalg.norm(offset, axis=1), atol=1e-9)
    # fitted on every row instead, the PCA follows the other six axes too and the norms differ
    everything = cl.pca_space(matrix, {"cluster_seed": "3", "cluster_pca_dims": "2"})
    assert not np.allclose(np.linalg.norm(everything, axis=1), np.linalg.norm(offset, axis=1), atol=1e-3)
