"""The semantic layer answers on DuckDB and agrees with the marts and with the app's headline.

MetricFlow (dbt-metricflow, the engine behind `mf query`) runs in one subprocess on a copy of the
test database (dbt's DuckDB adapter opens its file read-write, which other test workers holding it
read-only would block), with the semantic manifest `make dbt-test` wrote to target/."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from sendwise.commands.metrics import manifest_database
from sendwise.dashboard import queries
from sendwise.dbt import dbt_env
from sendwise.paths import PROJECT_ROOT

pytestmark = pytest.mark.e2e

SCRIPT = """
import json, sys, datetime as dt
from sendwise.commands.metrics import query
start, end = (dt.datetime.fromisoformat(v) for v in sys.argv[1:3])
out = {
    "window": query(["revenue", "sends", "revenue_per_send", "purchase_rate"], start=start, end=end),
    "pages": query(
        ["revenue", "sends", "revenue_per_send", "purchase_rate", "expected_revenue", "eros_score",
         "plan_execution_rate"],
        group_by=["page"],
    ),
    "agency": query(["eros_score", "plan_execution_rate", "revenue_vs_expected"]),
    "weeks": query(["revenue", "expected_revenue", "revenue_on_planned_days"], group_by=["metric_time__week"]),
}
print(json.dumps({k: v.to_dict("records") for k, v in out.items()}, default=str))
"""


@pytest.fixture(scope="module")
def answers(built_db, built_con, tmp_path_factory):
    if not (PROJECT_ROOT / "target" / "semantic_manifest.json").exists():
        pytest.skip("no target/semantic_manifest.json: run `make dbt-test` first")
    # DuckDB names the catalog after the file: name the copy as the manifest's relations do
    database = manifest_database() or built_db.stem
    copy = tmp_path_factory.mktemp("metrics") / f"{database}.duckdb"
    shutil.copyfile(built_db, copy)
    as_of = built_con.sql("select max(computed_at) from sendwise_marts.creator_performance").fetchone()[0]
    start, end = queries.headline_window(pd.Timestamp(as_of))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, start.isoformat(), (end - dt.timedelta(days=1)).isoformat()],
        cwd=PROJECT_ROOT,
        env=dbt_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    frames = {k: pd.DataFrame(v) for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}
    return frames, start, end


def test_window_totals_equal_the_mart_and_the_app_headline(answers, built_con):
    frames, start, end = answers
    got = frames["window"].iloc[0]
    revenue, sends, purchases, recipients = built_con.execute(
        "select sum(revenue), sum(sends), sum(ppv_purchases), sum(ppv_recipients)"
        " from sendwise_marts.page_daily_performance where local_date >= ? and local_date < ?",
        [start, end],
    ).fetchone()
    assert got["revenue"] == pytest.approx(revenue, rel=1e-9)
    assert got["sends"] == sends
    assert got["revenue_per_send"] == pytest.approx(revenue / sends, rel=1e-9)
    assert got["purchase_rate"] == pytest.approx(purchases / recipients, rel=1e-9)
    daily = built_con.sql("select * from sendwise_marts.page_daily_performance").df()
    app = queries.headline(daily, start, end)  # what the creator page shows
    for name in ("revenue", "sends", "revenue_per_send", "purchase_rate"):
        assert app[name] == pytest.approx(float(got[name]), rel=1e-9), name


def test_per_page_metrics_equal_the_marts(answers, built_con):
    pages = answers[0]["pages"].set_index("page")
    sends = (
        built_con.sql(
            "select page_key, sum(sends) as sends, sum(revenue) as revenue, sum(expected_revenue) as expected"
            " from sendwise_marts.page_daily_performance group by 1"
        )
        .df()
        .set_index("page_key")
    )
    eros = built_con.sql("select * from sendwise_marts.eros_score").df().set_index("page_key")
    # every page of the marts is answered, and every number matches
    assert set(sends.index) <= set(pages.index)
    for page, row in sends.iterrows():
        assert pages.loc[page, "sends"] == row["sends"], page
        assert pages.loc[page, "revenue"] == pytest.approx(row["revenue"], rel=1e-9), page
        if pd.notna(row["expected"]):
            assert pages.loc[page, "expected_revenue"] == pytest.approx(row["expected"], rel=1e-9), page
    for page, row in eros.iterrows():
        if pd.notna(row["eros_score"]):
            assert pages.loc[page, "eros_score"] == pytest.approx(row["eros_score"], abs=1e-9), page
        if row["planned_slots"]:
            assert pages.loc[page, "plan_execution_rate"] == pytest.approx(row["execution_rate"], abs=1e-9), (
                page
            )


def test_agency_scores_equal_the_app_headline(answers, built_con):
    agency = answers[0]["agency"].iloc[0]
    eros = built_con.sql("select * from sendwise_marts.eros_score").df()
    app = queries.eros_headline(eros)
    assert agency["eros_score"] == pytest.approx(app["eros_score"], abs=1e-9)
    if app["plan_execution_rate"] is None:
        assert pd.isna(agency["plan_execution_rate"])  # no planned slot has passed yet
    else:
        assert agency["plan_execution_rate"] == pytest.approx(app["plan_execution_rate"], abs=1e-9)


def test_expected_vs_actual_by_week(answers, built_con):
    weeks = answers[0]["weeks"]
    planned = weeks[weeks["expected_revenue"].notna()]
    expected = built_con.sql(
        "select sum(expected_revenue) from sendwise_marts.page_daily_performance where has_plan"
    ).fetchone()[0]
    actual_on_planned = built_con.sql(
        "select sum(revenue) from sendwise_marts.page_daily_performance where has_plan"
    ).fetchone()[0]
    assert planned["expected_revenue"].sum() == pytest.approx(expected, rel=1e-9)
    assert weeks["revenue_on_planned_days"].fillna(0).sum() == pytest.approx(actual_on_planned, rel=1e-9)
    assert weeks["revenue"].sum() == pytest.approx(
        built_con.sql("select sum(revenue) from sendwise_marts.page_daily_performance").fetchone()[0],
        rel=1e-9,
    )
