"""Every page of the dashboard app under Streamlit's AppTest, on the test database `make dbt-test`
built: it renders without an exception or error, its key figures equal a direct query of the
marts (written here, independently of sendwise.dashboard.queries), and its filters change what is
shown."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from sendwise.dashboard import site

TIMEOUT = 120  # seconds per script run: generous for a loaded CI machine


@pytest.fixture(scope="module")
def app(built_db):
    """One AppTest for the module, on the built test database, already run once."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SENDWISE_DUCKDB_PATH", str(built_db))
    mp.delenv("SENDWISE_TARGET", raising=False)
    at = AppTest.from_file(str(site.APP), default_timeout=TIMEOUT)
    at.run()
    yield at
    mp.undo()


def open_page(at: AppTest, script: str) -> AppTest:
    at.switch_page(script)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Data as of" in m.value for m in at.markdown), (
        "the header with as_of and build time is missing"
    )
    return at


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def money(value: float) -> str:
    return f"${value:,.2f}"


def scalar(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]


WEEKDAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}


def calendar_cells(at: AppTest) -> list[str]:
    """The schedule calendar's slot cells ('HH:MM $price → $expected ...')."""
    return [c.value for c in at.caption if re.match(r"^\d\d:\d\d \$", c.value)]


def page_box(at: AppTest, label: str = "Page"):
    return next(box for box in at.sidebar.selectbox if box.label == label)


def table_with(at: AppTest, column: str):
    """The one table of the page that has `column`."""
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, f"{len(tables)} tables with a column {column!r}"
    return tables[0]


def test_every_page_renders(app):
    for page in site.PAGES:
        at = open_page(app, page.script)
        assert at.title[0].value == page.title


def test_schedule_figures_and_page_filter(app, built_con):
    at = open_page(app, "views/schedule.py")
    box = page_box(at)
    names = dict(
        built_con.sql("select distinct page_key, page_name from sendwise_marts.weekly_template_7d").fetchall()
    )
    assert set(names.values()) <= set(box.options), "the page filter lists every page by name"
    pages = list(names)
    seen = set()
    for page in sorted(pages)[:2]:
        box.set_value(page)
        at.run()
        box = page_box(at)
        sends, revenue = built_con.execute(
            "select count(*), sum(expected_revenue) from sendwise_marts.weekly_template_7d where page_key = ?",
            [page],
        ).fetchone()
        tier1 = scalar(
            built_con,
            "select count(*) from sendwise_marts.weekly_template_qc_violations where page_key = ? and tier = 1",
            page,
        )
        assert metric(at, "Planned sends") == f"{sends:,}"
        assert metric(at, "Expected weekly revenue") == money(revenue)
        assert metric(at, "Tier-1 QC violations") == str(tier1)
        days_shown = [m.value for m in at.markdown if m.value.startswith("**") and m.value[2:5] in WEEKDAYS]
        assert len(days_shown) == scalar(
            built_con,
            "select count(distinct plan_date) from sendwise_marts.weekly_template_7d where page_key = ?",
            page,
        )
        assert len(calendar_cells(at)) == sends
        seen.add((metric(at, "Planned sends"), metric(at, "Expected weekly revenue")))
    assert len(seen) == 2, "choosing another page did not change the figures"


def test_schedule_marks_qc_violations_on_their_slots(app, built_con):
    row = built_con.sql(
        """
        select v.page_key, v.tier, v.rule_id, t.send_time_local
        from sendwise_marts.weekly_template_qc_violations as v
        inner join sendwise_marts.weekly_template_7d as t
            on v.page_key = t.page_key and v.plan_date = t.plan_date and v.slot_number = t.slot_number
        order by v.page_key, v.plan_date, v.slot_number
        limit 1
        """
    ).fetchone()
    if row is None:
        pytest.skip("the test database has no slot-level QC violation")
    page, tier, rule, time = row
    at = open_page(app, "views/schedule.py")
    page_box(at).set_value(page)
    at.run()
    cells = calendar_cells(at)
    assert any(c.startswith(time) and f"⚠ tier {tier} {rule}" in c for c in cells)


def test_ranking_board_figures_and_filter(app, built_con):
    at = open_page(app, "views/ranking.py")
    pages = sorted(
        r[0]
        for r in built_con.sql(
            "select distinct page_key from sendwise_marts.caption_rankings_top3"
        ).fetchall()
    )
    values = set()
    for page in pages[:2]:
        page_box(at).set_value(page)
        at.run()
        slots, captions, p_buy = built_con.execute(
            """
            select count(distinct slot_local_at), count(distinct caption_id),
                avg(case when rn = 1 then p_buy_eb end)
            from sendwise_marts.caption_rankings_top3 where page_key = ?
            """,
            [page],
        ).fetchone()
        assert metric(at, "Slots ranked") == f"{slots:,}"
        assert metric(at, "Distinct captions in the top 3") == f"{captions:,}"
        assert metric(at, "Mean EB purchase probability (rank 1)") == f"{100 * p_buy:.1f} %"
        table = at.dataframe[0].value
        assert set(table["rn"]) <= {1, 2, 3} and table["caption_text"].notna().all()
        values.add(metric(at, "Mean EB purchase probability (rank 1)") + metric(at, "Slots ranked"))
    assert len(values) == 2


def test_creator_headline_equals_the_marts(app, built_con):
    at = open_page(app, "views/creators.py")
    as_of = scalar(built_con, "select max(computed_at) from sendwise_marts.creator_performance")
    end = as_of.date()
    start = end - dt.timedelta(days=28)
    revenue, sends, purchases, recipients = built_con.execute(
        """
        select sum(revenue), sum(sends), sum(ppv_purchases), sum(ppv_recipients)
        from sendwise_marts.page_daily_performance where local_date >= ? and local_date < ?
        """,
        [start, end],
    ).fetchone()
    assert metric(at, "Revenue") == money(revenue)
    assert metric(at, "Sends") == f"{sends:,.0f}"
    assert metric(at, "Revenue per send") == money(revenue / sends)
    assert metric(at, "Purchase rate") == f"{100 * purchases / recipients:.2f} %"
    mean_eros = scalar(built_con, "select avg(eros_score) from sendwise_marts.eros_score")
    assert metric(at, "Mean EROS score") == f"{mean_eros:,.2f}"
    shown = set()
    for page, score in built_con.sql(
        "select page_key, eros_score from sendwise_marts.eros_score where eros_score is not null order by eros_score limit 2"
    ).fetchall()[:2]:
        page_box(at).set_value(page)
        at.run()
        assert metric(at, "EROS score") == f"{score:,.2f}"
        shown.add(metric(at, "EROS score"))
    assert len(shown) == 2


def test_learning_counts_recent_changes(app, built_con):
    at = open_page(app, "views/learning.py")
    as_of = scalar(built_con, "select max(computed_at) from sendwise_marts.creator_performance")
    since = as_of - dt.timedelta(days=7)
    knobs = scalar(
        built_con,
        "select count(*) from sendwise_marts.learning_changelog where computed_at > ? and computed_at <= ?",
        since,
        as_of,
    )
    weights = scalar(
        built_con,
        "select count(*) from sendwise_marts.personalization_weights_changelog"
        " where computed_at > ? and computed_at <= ?",
        since,
        as_of,
    )
    assert metric(at, "Knob changes, last 7 days") == f"{knobs:,}"
    assert metric(at, "Weight changes, last 7 days") == f"{weights:,}"
    page = scalar(built_con, "select min(page_key) from sendwise_marts.personalization_weights_changelog")
    page_box(at).set_value(page)
    at.run()
    one_page = scalar(
        built_con,
        "select count(*) from sendwise_marts.personalization_weights_changelog where page_key = ?",
        page,
    )
    assert metric(at, "Weight changes on record") == f"{one_page:,}"


def test_model_quality_equals_the_metrics_mart(app, built_con):
    at = open_page(app, "views/model_quality.py")
    r2, mae, coverage = built_con.sql(
        "select r2, mae, interval_coverage from sendwise_marts.ml_revenue_model_metrics"
        " where metric_scope = 'overall' and predictor = 'gbm'"
    ).fetchone()
    base_r2, base_mae = built_con.sql(  # the strongest baseline: the highest hold-out R²
        "select r2, mae from sendwise_marts.ml_revenue_model_metrics where metric_scope = 'overall'"
        " and predictor <> 'gbm' order by r2 desc limit 1"
    ).fetchone()
    assert metric(at, "R² (model)") == f"{r2:,.3f}"
    assert metric(at, "R² (best baseline)") == f"{base_r2:,.3f}"
    assert metric(at, "MAE per send (best baseline)") == money(base_mae)
    assert metric(at, "MAE per send (model)") == money(mae)
    assert metric(at, "Interval coverage") == f"{100 * coverage:.1f} %"
    # the table beside them shows each predictor's total against the actual one
    ratios = dict(
        built_con.sql(
            "select predictor, predicted_to_actual from sendwise_marts.ml_revenue_model_metrics"
            " where metric_scope = 'overall'"
        ).fetchall()
    )
    table = at.dataframe[0].value.set_index("predictor")["predicted_to_actual"].to_dict()
    assert table == pytest.approx(ratios) and len(table) == 3
    # the hold-out coverage the page computes from the scored sends agrees with the metrics mart
    inside = scalar(
        built_con,
        "select avg(case when actual_revenue between predicted_revenue_low and predicted_revenue_high"
        " then 1.0 else 0.0 end) from sendwise_ml.ml_revenue_gbm_scores where score_kind = 'holdout'",
    )
    assert inside == pytest.approx(coverage, abs=1e-9)
    # the caption says where the kept fit's training sends end (the fit is refitted once a week)
    last_train = scalar(built_con, "select max(train_last_sent_at) from sendwise_ml.ml_revenue_gbm_fit")
    caption = next(c.value for c in at.caption if "hold-out sends; model" in c.value)
    assert f"the last on {last_train:%Y-%m-%d}" in caption


def test_fans_figures_filter_and_similar_fans(app, built_con):
    at = open_page(app, "views/fans.py")
    assert (
        metric(at, "Fan-model pairs")
        == f"{scalar(built_con, 'select count(*) from sendwise_marts.fan_model_pairs'):,}"
    )
    page = scalar(built_con, "select min(page_key) from sendwise_marts.fan_model_pairs")
    page_box(at, "Model (page)").set_value(page)
    at.run()
    pairs, revenue = built_con.execute(
        "select count(*), sum(revenue) from sendwise_marts.fan_model_pairs where page_key = ?", [page]
    ).fetchone()
    assert metric(at, "Fan-model pairs") == f"{pairs:,}"
    assert metric(at, "Revenue from these fans") == money(revenue)
    # similar fans: the page's top row is the most cosine-similar pair, computed here with numpy
    fan = at.selectbox(key="fan").value
    method = next(box for box in at.sidebar.selectbox if box.label == "Clustering method").value
    vectors = built_con.execute(
        "select fan_model_key, embedding from sendwise_ml.fan_embeddings where method = ?", [method]
    ).fetchall()
    target = np.array(next(v for k, v in vectors if k == fan), dtype=float)
    best = max(
        (
            float(np.dot(target, np.array(v, dtype=float)) / (np.linalg.norm(target) * np.linalg.norm(v))),
            k,
        )
        for k, v in vectors
        if k != fan and np.linalg.norm(v) > 0
    )
    similar = table_with(at, "cosine_similarity")
    assert similar.iloc[0]["fan_model_key"] == best[1]
    assert similar.iloc[0]["cosine_similarity"] == pytest.approx(best[0], abs=1e-6)
    assert len(similar) == min(10, len(vectors) - 1)
    # the clusters' caption says which build's scan of every k chose the method's k
    caption = next(c.value for c in at.caption if c.value.startswith("Method "))
    method = caption.split()[1].rstrip(":")
    k, scanned = built_con.execute(
        "select max(cluster_k), max(k_scanned_as_of) from sendwise_ml.fan_clusters where method = ?", [method]
    ).fetchone()
    assert f"k = {k} clusters" in caption and f"at as_of {scanned:%Y-%m-%d %H:%M}" in caption
    # the predictions' caption says which kept fit its AUCs are the back-test of, and quotes them
    fitted = scalar(built_con, "select fitted_as_of from sendwise_ml.fan_prediction_fits")
    caption = next(
        c.value for c in at.caption if c.value.startswith("Probabilities of the current score rows")
    )
    assert f"fitted on data to {fitted:%Y-%m-%d}" in caption
    churn_auc = scalar(
        built_con,
        "select auc from sendwise_ml.fan_prediction_metrics"
        " where task = 'churn' and split = 'test' and model_name = 'logistic_regression'",
    )
    assert f"churn logistic_regression {churn_auc:.3f}" in caption


def test_fans_best_time_to_message_and_its_back_test(app, built_con):
    at = open_page(app, "views/fans.py")
    assert "Best time to message" in [h.value for h in at.subheader]
    back_test = next(c.value for c in at.caption if c.value.startswith("Back-test"))
    holdout_days = scalar(
        built_con,
        "select cast(setting_value as double) from sendwise_seeds.settings_modeling"
        " where setting_name = 'fan_timing_holdout_days'",
    )
    assert f"held-out last {holdout_days:g} days" in back_test
    pairs, rate_a, messages_a = built_con.sql(
        "select pairs, rate_a, messages_a from sendwise_marts.fan_timing_evaluation"
        " where comparison = 'fan_window_vs_outside'"
    ).fetchone()
    assert (
        f"{pairs:,} pairs): fans answered {100 * rate_a:.1f} % of the {messages_a:,.0f} messages sent inside"
        " their window"
    ) in back_test
    for comparison, where in (
        ("fan_window_vs_outside", "outside it"),
        ("fan_window_vs_creator_window", "inside the creator's window"),
    ):
        rate_b, messages_b, lift, low, high = built_con.execute(
            "select rate_b, messages_b, lift, lift_ci_low, lift_ci_high"
            " from sendwise_marts.fan_timing_evaluation where comparison = ?",
            [comparison],
        ).fetchone()
        assert (
            f"vs {100 * rate_b:.1f} % of {messages_b:,.0f} {where}: lift {100 * lift:+.1f} %"
            f" (95 % interval {100 * low:+.1f} % to {100 * high:+.1f} %)"
        ) in back_test
    # one page (one with a window across midnight when there is one): a row per pair of the page,
    # the windows as hours computed here, the creator's as wide as fan_timing_window_hours
    page = scalar(
        built_con,
        "select coalesce(min(case when window_end_hour < window_start_hour then page_key end), min(page_key))"
        " from sendwise_marts.fan_message_windows",
    )
    page_box(at, "Model (page)").set_value(page)
    at.run()
    width = scalar(
        built_con,
        "select cast(setting_value as integer) from sendwise_seeds.settings_modeling"
        " where setting_name = 'fan_timing_window_hours'",
    )
    expected = {
        key: (f"{start:02d}:00-{end:02d}:59", f"{creator:02d}:00-{(creator + width - 1) % 24:02d}:59", n)
        for key, start, end, creator, n in built_con.execute(
            "select fan_model_key, window_start_hour, window_end_hour, creator_window_start_hour,"
            " fit_messages from sendwise_marts.fan_message_windows where page_key = ?",
            [page],
        ).fetchall()
    }
    table = table_with(at, "fan_window")
    shown = {
        row.fan_model_key: (row.fan_window, row.creator_window, row.fit_messages)
        for row in table.itertuples()
    }
    assert shown == expected and len(table) == len(expected) > 0
    # the fan chosen under Similar fans: his window in words
    fan = at.selectbox(key="fan").value
    start, end, rate, n = built_con.execute(
        "select window_start_hour, window_end_hour, window_rate, fit_messages"
        " from sendwise_marts.fan_message_windows where fan_model_key = ?",
        [fan],
    ).fetchone()
    sentence = (
        f"**{fan}**: message between **{start:02d}:00-{end:02d}:59** (page-local), response rate "
        f"{100 * rate:.1f} %, fitted on {n:,} of the pair's messages"
    )
    assert any(m.value.startswith(sentence) for m in at.markdown), sentence


def test_fans_introductions_to_other_creators(app, built_con):
    at = open_page(app, "views/fans.py")
    assert "Introductions to other creators" in [h.value for h in at.subheader]
    assert any("upper guide" in c.value and "95 % interval" in c.value for c in at.caption)
    top = built_con.sql(  # the fan's best candidate: rank 1
        "select fan_model_key, candidate_page_key, value_per_introduction, value_ci_low, value_ci_high"
        " from sendwise_marts.fan_cross_sell order by value_per_introduction desc, fan_model_key,"
        " candidate_rank limit 1"
    ).fetchone()
    page_box(at, "Model (page)").set_value("(all models)")  # the module's app keeps an earlier choice
    at.run()
    table = table_with(at, "value_per_introduction")  # every page's fans
    first = table.iloc[0]
    assert (first["fan_model_key"], first["candidate_page_key"]) == top[:2]
    assert (first["value_per_introduction"], first["value_ci_low"], first["value_ci_high"]) == top[2:]
    assert len(table) == scalar(built_con, "select count(*) from sendwise_marts.fan_cross_sell")
    assert table["value_per_introduction"].is_monotonic_decreasing
    # one page: its fans' introductions only, highest value first
    page, rows, best = built_con.sql(
        "select page_key, count(*), max(value_per_introduction) from sendwise_marts.fan_cross_sell"
        " group by 1 order by 1 limit 1"
    ).fetchone()
    page_box(at, "Model (page)").set_value(page)
    at.run()
    table = table_with(at, "value_per_introduction")
    assert len(table) == rows and table["value_per_introduction"].iloc[0] == best
    assert table["fan_model_key"].str.endswith(f"|{page}").all()
    # a page none of whose fans has an introduction: a sentence, no table
    bare = scalar(
        built_con,
        "select min(page_key) from sendwise_marts.fan_model_pairs"
        " where page_key not in (select page_key from sendwise_marts.fan_cross_sell)",
    )
    if bare is not None:
        page_box(at, "Model (page)").set_value(bare)
        at.run()
        assert f"No introduction to suggest for the fans of {bare}." in [i.value for i in at.info]
        assert not [d for d in at.dataframe if "value_per_introduction" in d.value.columns]


def test_fans_without_the_timing_marts_and_with_no_introduction(built_db, tmp_path, monkeypatch):
    """A build without fan_message_windows and fan_timing_evaluation and with an empty fan_cross_sell
    (no fan talks to two creators): the page says so and shows the rest."""
    from built_demo import altered_copy

    db = altered_copy(
        built_db,
        tmp_path,
        "drop table sendwise_marts.fan_message_windows",
        "drop table sendwise_marts.fan_timing_evaluation",
        "delete from sendwise_marts.fan_cross_sell",
    )
    monkeypatch.setenv("SENDWISE_DUCKDB_PATH", str(db))
    at = AppTest.from_file(str(site.APP), default_timeout=TIMEOUT)
    at.run()
    at = open_page(at, "views/fans.py")
    info = [i.value for i in at.info]
    assert "fan_message_windows is not built in this warehouse yet: run `make demo` (dbt build)." in info
    assert any(i.startswith("No introduction to suggest: fan_cross_sell is empty") for i in info)
    assert not any(c.value.startswith("Back-test") for c in at.caption)
    table_with(at, "cosine_similarity")  # the other sections are there


def test_fans_playbook_on_demand(app, built_con):
    at = open_page(app, "views/fans.py")
    assert not any("Chatter playbook by fan cluster" in m.value for m in at.markdown)
    at.toggle(key="playbook").set_value(True)
    at.run()
    assert not at.exception
    method = next(box for box in at.sidebar.selectbox if box.label == "Clustering method").value
    playbook = next(m.value for m in at.markdown if "Chatter playbook by fan cluster" in m.value)
    names = [
        r[0]
        for r in built_con.execute(
            "select cluster_name from sendwise_marts.fan_cluster_summary where method = ?", [method]
        ).fetchall()
    ]
    assert names and all(f": {name}" in playbook for name in names)


def test_content_recommendation_equals_the_mart(app, built_con):
    at = open_page(app, "views/content.py")
    content_type = scalar(
        built_con,
        "select content_type from sendwise_marts.content_next_post_recommendation where scope = 'content' and is_recommended",
    )
    hour = scalar(
        built_con,
        "select posting_hour from sendwise_marts.content_next_post_recommendation where scope = 'timing' and is_recommended",
    )
    assert metric(at, "Next post: content type") == str(content_type)
    assert metric(at, "Post at (hour)") == f"{int(hour):02d}:00"


def test_data_quality_equals_the_marts(app, built_con):
    at = open_page(app, "views/data_quality.py")
    rejected = scalar(built_con, "select count(*) from sendwise_ops.rejected_rows")
    sources, reconciled = built_con.sql(
        "select count(*), count(case when is_reconciled then 1 end) from sendwise_ops.quarantine_reconciliation"
    ).fetchone()
    assert metric(at, "Rejected rows") == f"{rejected:,}"
    assert metric(at, "Sources reconciled") == f"{reconciled} of {sources}"
    source = scalar(built_con, "select min(source_table) from sendwise_ops.rejected_rows")
    box = next(b for b in at.sidebar.selectbox if b.label == "Source")
    box.set_value(source)
    at.run()
    assert not at.exception


def test_ops_alerts_without_and_with_the_mart(app, built_con, tmp_path, monkeypatch):
    at = open_page(app, "views/alerts.py")
    assert (
        metric(at, "Open alerts") == f"{scalar(built_con, 'select count(*) from sendwise_ops.ops_alerts'):,}"
    )
    import duckdb

    bare = tmp_path / "bare.duckdb"  # a warehouse where ops_alerts is not built yet
    con = duckdb.connect(str(bare))
    con.execute("create schema sendwise_ops")
    con.close()
    monkeypatch.setenv("SENDWISE_DUCKDB_PATH", str(bare))
    without = AppTest.from_file(str(site.APP), default_timeout=TIMEOUT)
    without.run()
    without.switch_page("views/alerts.py")
    without.run()
    assert not without.exception
    assert any("no alerts mart yet" in i.value.lower() for i in without.info)

    db = tmp_path / "alerts.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema sendwise_ops")
    con.execute(
        "create table sendwise_ops.ops_alerts as select * from (values"
        " ('a1', 'critical', 'p1', 'vault_violation'), ('a2', 'warning', 'p1', 'eros_drop'),"
        " ('a3', 'warning', 'p2', 'dq_low')) as t(alert_id, severity, page_key, rule_id)"
    )
    con.close()
    monkeypatch.setenv("SENDWISE_DUCKDB_PATH", str(db))
    alerts = AppTest.from_file(str(site.APP), default_timeout=TIMEOUT)
    alerts.run()
    alerts.switch_page("views/alerts.py")
    alerts.run()
    assert not alerts.exception
    assert metric(alerts, "Open alerts") == "3"
    assert metric(alerts, "critical") == "1" and metric(alerts, "warning") == "2"


def test_a_missing_database_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDWISE_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(site.APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"no database at {tmp_path / 'none.duckdb'}: run `make demo` first"
    ]


def test_every_exposure_points_at_its_page(project_root):
    exposures = {
        e["name"]: e
        for e in yaml.safe_load((project_root / "models/_exposures.yml").read_text())["exposures"]
    }
    served = {name: page for page in site.PAGES for name in page.exposures}
    assert set(served) == set(exposures), "every exposure has a page and every page's exposures exist"
    for name, page in served.items():
        assert exposures[name]["url"] == site.url(page), name
    assert len({p.url_path for p in site.PAGES}) == len(site.PAGES)


def test_schedule_shows_the_pages_strategic_report(app, built_con):
    schema = scalar(
        built_con,
        "select table_schema from information_schema.tables where table_name = 'page_strategy_reports'",
    )
    page, report = built_con.sql(
        f"select page_key, report_markdown from {schema}.page_strategy_reports order by page_key limit 1"
    ).fetchone()
    at = open_page(app, "views/schedule.py")
    page_box(at).set_value(page)
    at.run()
    shown = [m.value.strip() for m in at.markdown]  # Streamlit drops the markdown's trailing newline
    assert report.strip() in shown, "the page's report from page_strategy_reports is not on its schedule page"
