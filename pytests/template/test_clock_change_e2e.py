"""End to end (slow: a whole build of a fresh small demo): the week the clocks go forward in Sydney,
on pages whose window runs past midnight (20 to 3) over the skipped hour (02:00-02:59 on
2026-10-04). Before real-hour gaps the solver put two sends an hour apart in real time there (1h and
3h by the clock); QC's tier-1 `gap_below_min` caught both pages, and the build stopped with 29 nodes
skipped. Now the whole build is green, no send is planned in the hour that does not exist, and
every gap is at least min_gap_hours in UTC. Run with `pytest -m slow pytests/template`."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import pytest

from sendwise.dbt import run_dbt, vars_arg

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AS_OF = "2026-10-01 00:00:00"  # the plan week holds the night of 2026-10-03 to 04
SYDNEY_PAGES = ("BB Kira", "Coco Z")


@pytest.fixture(scope="module")
def clock_change_build(tmp_path_factory):
    from sendwise.cli import main

    folder = tmp_path_factory.mktemp("clock_change")
    db = folder / "test.duckdb"
    assert main(["demo-data", "--scale", "small", "--seed", "42", "--db", str(db), "--end", AS_OF]) == 0
    with duckdb.connect(str(db)) as con:
        changed = con.execute(
            "update agency.pages set timezone = 'Australia/Sydney', active_from_hour = 20, active_to_hour = 3"
            " where trim(page_name) in (?, ?)",
            list(SYDNEY_PAGES),
        ).fetchone()[0]
        assert changed >= len(SYDNEY_PAGES)
    result = run_dbt(
        ["build", "--exclude-resource-type", "unit_test", "--vars", vars_arg({"as_of": AS_OF})],
        duckdb_path=db,
        target_path=folder / "target",
        check=False,
        capture=True,
    )
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line]
    assert result.returncode == 0 and summary and "ERROR=0 SKIP=0" in summary[-1], result.stdout[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def _sydney_sends(con) -> list[tuple]:
    return con.sql(
        "select template.page_key, template.plan_date, template.send_local_at, template.send_at_utc"
        " from sendwise_marts.weekly_template_7d as template"
        " inner join sendwise_staging.stg_agency__pages as pages on template.page_key = pages.page_key"
        " where pages.time_zone = 'Australia/Sydney' order by 1, 4"
    ).fetchall()


def test_the_night_the_clocks_go_forward_is_planned_in_real_hours(clock_change_build):
    con = clock_change_build
    assert con.sql(
        "select count(*) from sendwise_marts.weekly_template_qc_violations where tier = 1"
    ).fetchone() == (0,)
    sends = _sydney_sends(con)
    night = [s for s in sends if s[1] == dt.date(2026, 10, 3)]
    assert {s[0] for s in night} == {"bb_kira", "coco_z"}  # both pages are planned that night
    skipped = dt.datetime(2026, 10, 4, 2, 0)
    assert [s for s in sends if skipped <= s[2] < skipped + dt.timedelta(hours=1)] == []
    min_gap = dt.timedelta(hours=2)  # settings_modeling min_gap_hours
    for page_key in ("bb_kira", "coco_z"):
        page_days: dict[dt.date, list[dt.datetime]] = {}
        for key, plan_date, _, send_at_utc in sends:
            if key == page_key:
                page_days.setdefault(plan_date, []).append(send_at_utc)
        for plan_date, instants in page_days.items():
            gaps = [later - earlier for earlier, later in itertools.pairwise(instants)]
            assert all(gap >= min_gap for gap in gaps), (page_key, plan_date, gaps)
