"""End to end on the small demo data, in its own DuckDB file: the Python models build, a second build
embeds nothing, a changed caption is re-embedded, a rebuild without new data retrains no ML model and
a changed setting retrains only its model, the near-duplicates match the planted ones, the SQL
metrics agree with scikit-learn on the same holdout rows."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest
from built_demo import copy_built_demo

from sendwise.dbt import run_dbt, vars_arg
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END

pytestmark = pytest.mark.e2e

SELECT = [
    "--select",
    "+ml_caption_clusters +ml_revenue_predictions +ml_revenue_model_metrics +ml_embedding_runs"
    " +ml_engagement_model +ml_follow_through_model +fan_clusters +fan_predictions",
]
NO_TESTS = ["--exclude", "resource_type:test resource_type:unit_test"]
VARS = ["--vars", vars_arg({"as_of": DEFAULT_END})]
BUILT = (
    "sendwise_ml.ml_caption_clusters",
    "sendwise_marts.ml_revenue_predictions",
    "sendwise_marts.ml_revenue_model_metrics",
    "sendwise_marts.ml_embedding_runs",
    "sendwise_ml.fan_clusters",
    "sendwise_ml.fan_predictions",
)


def embedding_runs(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            "select texts_embedded, texts_cached, texts_missing, distinct_texts from sendwise_marts.ml_embedding_runs"
            " where text_kind = 'caption' order by run_started_at"
        ).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = tmp_path_factory.mktemp("ml") / "test.duckdb"
    target = tmp_path_factory.mktemp("ml_target")
    copied = copy_built_demo(db.parent / "built", BUILT)  # make dbt-test built them, once, with this as_of
    if copied:
        return copied, target
    generate("small", 42, db, DEFAULT_END)
    run_dbt(["build", "--quiet", *SELECT, *NO_TESTS, *VARS], duckdb_path=db, target_path=target)
    return db, target


def test_second_build_embeds_nothing_and_a_changed_caption_is_reembedded(built):
    db, target = built
    (first,) = embedding_runs(db)
    assert first[0] == first[3] > 2000 and first[1] == 0 and first[2] == 0
    run_dbt(["run", "--quiet", "--select", "ml_text_embeddings ml_embedding_runs", *VARS], duckdb_path=db,
            target_path=target)  # fmt: skip
    assert embedding_runs(db)[-1][:3] == (0, first[3], 0)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update agency.caption_bank set caption_text = caption_text || ' (new cut)'"
            " where caption_id = (select min(caption_id) from sendwise_staging.stg_agency__caption_bank)"
        )
    # staging is a layer of tables: the changed caption reaches the embedding through them
    changed = "base_agency__caption_bank stg_agency__caption_bank int_texts_to_embed"
    run_dbt(["run", "--quiet", "--select", f"{changed} ml_text_embeddings ml_embedding_runs", *VARS],
            duckdb_path=db, target_path=target)  # fmt: skip
    assert embedding_runs(db)[-1][:3] == (1, first[3] - 1, 0)


def test_near_duplicates_match_the_planted_ones(built):
    db, _ = built
    with duckdb.connect(str(db), read_only=True) as con:
        truth = set(
            con.sql(
                "select least(caption_id, original_caption_id), greatest(caption_id, original_caption_id)"
                " from ground_truth.caption_near_duplicates"
                " where caption_id in (select caption_id from sendwise_staging.stg_agency__caption_bank)"
                " and original_caption_id in (select caption_id from sendwise_staging.stg_agency__caption_bank)"
            ).fetchall()
        )
        found = set(
            con.sql(
                "select caption_id, duplicate_caption_id from sendwise_ml.caption_near_duplicates"
            ).fetchall()
        )
        groups = con.sql(
            "select count(*) from sendwise_ml.ml_caption_clusters where near_duplicate_group_size > 1"
        ).fetchone()[0]
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    print(f"near-duplicates (small): {len(found)} found, {len(truth)} planted, precision {precision:.3f}, "
          f"recall {recall:.3f}")  # fmt: skip
    assert len(truth) > 50
    assert precision >= 0.95 and recall >= 0.95
    assert groups >= 2 * len(found & truth) * 0.95


def test_metrics_agree_with_sklearn_and_show_both_predictors(built):
    from sklearn.metrics import mean_absolute_error, r2_score

    db, _ = built
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql(
            "select actual_revenue, predicted_revenue, baseline_revenue, baseline_28d_revenue"
            " from sendwise_ml.ml_revenue_gbm_scores"
            " where score_kind = 'holdout'"
        ).fetchnumpy()
        metrics = {
            r[0]: r[1:]
            for r in con.sql(
                "select predictor, r2, mae, mape, holdout_sends from sendwise_marts.ml_revenue_model_metrics"
                " where metric_scope = 'overall'"
            ).fetchall()
        }
        n_pages = con.sql(
            "select count(*) from sendwise_marts.ml_revenue_model_metrics where metric_scope = 'page'"
        ).fetchone()[0]
        n_pred, n_cand = con.sql(
            "select (select count(*) from sendwise_marts.ml_revenue_predictions),"
            " (select count(*) from sendwise_intermediate.int_revenue_scoring_candidates)"
        ).fetchone()
    actual = rows["actual_revenue"]
    for predictor, column in [
        ("gbm", "predicted_revenue"),
        ("naive_page_hour_mean", "baseline_revenue"),
        ("page_28d_revenue_per_send", "baseline_28d_revenue"),
    ]:
        r2, mae, mape, n = metrics[predictor]
        pred = rows[column]
        positive = actual > 0
        assert n == len(actual) > 100
        assert r2 == pytest.approx(r2_score(actual, pred), rel=1e-9)
        assert mae == pytest.approx(mean_absolute_error(actual, pred), rel=1e-9)
        assert mape == pytest.approx(np.mean(np.abs(actual - pred)[positive] / actual[positive]), rel=1e-9)
    assert n_pages % 3 == 0 and n_pages > 0  # each page: the model and its two baselines
    assert n_pred == n_cand > 0


# The ML Python models that reuse their output when inputs, settings and code are unchanged, and
# the tables of their inputs' fingerprints.
REUSING = ["ml_revenue_gbm_fit", "ml_revenue_gbm_scores", "caption_near_duplicates", "ml_caption_clusters", "ml_engagement_model",
           "ml_follow_through_model", "fan_prediction_fits", "fan_predictions", "fan_embeddings", "fan_clusters"]  # fmt: skip
FINGERPRINTS = "int_ml_input_fingerprints int_fan_input_fingerprints int_fan_embedding_fingerprints"


def fit_modes(db) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            m: sorted(con.sql(f"select distinct fit_mode from sendwise_ml.{m}").fetchall()) for m in REUSING
        }


OUTPUT_PREDICTED = 6  # predicted_revenue in ml_revenue_gbm_scores' column order


def gbm_scores(db) -> list:
    """Every column but fit_mode and built_at (the build stamp: when the model ran, new every run)."""
    return model_rows(db, "ml_revenue_gbm_scores", "score_key")


def model_rows(db, model: str, key: str) -> list:
    """A model's rows in key order, every column but fit_mode and built_at (new every run)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            f"select * exclude (fit_mode, built_at) from sendwise_ml.{model} order by {key}"
        ).fetchall()


FAN_KEYS = {
    "fan_predictions": "prediction_id",
    "fan_embeddings": "fan_embedding_id",
    "fan_clusters": "fan_cluster_row_id",
}


def fan_tables(db) -> dict[str, list]:
    return {model: model_rows(db, model, key) for model, key in FAN_KEYS.items()}


def top_terms(db) -> set:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.sql("select distinct cluster_top_terms from sendwise_ml.fan_clusters").fetchall())


def test_a_rebuild_without_new_data_retrains_nothing_and_a_changed_setting_retrains(built, tmp_path):
    db, target = built
    select = ["--select", FINGERPRINTS + " " + " ".join(REUSING)]
    own = copy_built_demo(tmp_path / "own", BUILT)  # as make dbt-test left it: every model fitted there
    if own is not None:
        db = own
    else:  # settle: the test above changed a caption, so the caption models fit again here
        run_dbt(["run", "--quiet", *select, *VARS], duckdb_path=db, target_path=target)
    trained, fans_trained, terms = gbm_scores(db), fan_tables(db), top_terms(db)

    run_dbt(["run", "--quiet", *select, *VARS], duckdb_path=db, target_path=target)
    assert fit_modes(db) == {m: [("reused",)] for m in REUSING}
    assert gbm_scores(db) == trained  # the same rows and types, not a refit
    assert fan_tables(db) == fans_trained

    with duckdb.connect(str(db)) as con:
        con.execute(
            "update sendwise_seeds.settings_modeling set setting_value = '0.2'"
            " where setting_name = 'gbm_learning_rate'"
        )
        # and one fan setting: the clusters name 2 top terms instead of 6; the vectors they cluster
        # (fan_embeddings) and the predictions do not read it
        con.execute(
            "update sendwise_seeds.settings_modeling set setting_value = '2'"
            " where setting_name = 'fan_cluster_top_terms'"
        )
    run_dbt(["run", "--quiet", *select, *VARS], duckdb_path=db, target_path=target)
    modes = fit_modes(db)
    refitted = ("ml_revenue_gbm_fit", "ml_revenue_gbm_scores", "fan_clusters")
    assert {m: modes.pop(m) for m in refitted} == {m: [("trained",)] for m in refitted}
    assert modes == {m: [("reused",)] for m in REUSING if m not in refitted}
    column = OUTPUT_PREDICTED
    assert [r[column] for r in gbm_scores(db)] != [r[column] for r in trained]  # a new fit, not a copy
    assert max(len(t.split(", ")) for (t,) in terms) == 6
    assert max(len(t.split(", ")) for (t,) in top_terms(db)) == 2

    # a later build of the same fit period keeps the revenue GBM's fit and the fan predictions' fit
    # (2026-11-15 is a Sunday: the ISO week of the default cadence began on Monday the 9th); the fan
    # predictions score the later as_of with it: the same back-test rows, new score rows
    backtest = (
        "select * exclude (fit_mode, built_at, as_of, input_fingerprint) from sendwise_ml.fan_predictions"
    )
    backtest += " where split <> 'score' order by prediction_id"
    # fan_clusters keeps the period's k scan when its vectors change: two pairs fewer here
    scans = (
        "select method, cluster_k, silhouette_by_k, k_scanned_as_of, count(*) from sendwise_ml.fan_clusters"
    )
    scans += " group by all order by method"
    with duckdb.connect(str(db)) as con:
        backtest_before = con.sql(backtest).fetchall()
        scans_before = con.sql(scans).fetchall()
        con.execute(
            "delete from sendwise_ml.fan_embeddings where fan_model_key in"
            " (select distinct fan_model_key from sendwise_ml.fan_embeddings order by 1 limit 2)"
        )
    later = ["--vars", vars_arg({"as_of": "2026-11-15 12:00:00"})]
    kept_fits = (
        "ml_revenue_gbm_fit fan_prediction_fits fan_predictions int_fan_embedding_fingerprints fan_clusters"
    )
    run_dbt(["run", "--quiet", "--select", kept_fits, *later], duckdb_path=db, target_path=target)
    with duckdb.connect(str(db), read_only=True) as con:
        kept = [
            con.sql(f"select fit_mode, period_start, fitted_as_of from sendwise_ml.{fit}").fetchall()
            for fit in ("ml_revenue_gbm_fit", "fan_prediction_fits")
        ]
        scored = con.sql(
            "select distinct fit_mode, task, predicted_at from sendwise_ml.fan_predictions where split = 'score'"
            " and task = 'churn'"
        ).fetchall()
        backtest_after = con.sql(backtest).fetchall()
        scans_after = con.sql(scans).fetchall()
    assert kept == [[("reused", dt.datetime(2026, 11, 9), dt.datetime(2026, 11, 15))]] * 2
    assert scored == [("trained", "churn", dt.datetime(2026, 11, 15, 12))]  # scored at the later as_of
    assert backtest_after == backtest_before and len(backtest_before) > 0
    # the same k, silhouettes and scan (that of the build at 2026-11-15 00:00) per method, two pairs fewer
    assert [row[:4] for row in scans_after] == [row[:4] for row in scans_before]
    assert [row[4] for row in scans_after] == [row[4] - 2 for row in scans_before]
    assert {row[3] for row in scans_before} == {dt.datetime(2026, 11, 15)}
    assert fit_modes(db)["fan_clusters"] == [("trained",)]  # k-means at the kept k on the new vectors
    # the next fit period (Monday the 16th) scans every k again
    next_period = ["--vars", vars_arg({"as_of": "2026-11-16 12:00:00"})]
    run_dbt(["run", "--quiet", "--select", "fan_clusters", *next_period], duckdb_path=db, target_path=target)
    with duckdb.connect(str(db), read_only=True) as con:
        rescanned = con.sql("select distinct k_scanned_as_of from sendwise_ml.fan_clusters").fetchall()
    assert rescanned == [(dt.datetime(2026, 11, 16, 12),)]

    # ml_retrain forces a fit although nothing changed (one cheap model: the var re-parses the project)
    forced = ["--vars", vars_arg({"as_of": DEFAULT_END, "ml_retrain": True})]
    run_dbt(["run", "--quiet", "--select", FINGERPRINTS + " ml_follow_through_model fan_embeddings", *forced],
            duckdb_path=db, target_path=target)  # fmt: skip
    assert fit_modes(db)["ml_follow_through_model"] == fit_modes(db)["fan_embeddings"] == [("trained",)]
