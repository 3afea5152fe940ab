"""End to end: a page whose active window runs past midnight (20 to 3, as a creator who posts for
fans in another time zone keeps it) is a page like any other. Staging keeps it (only from = to, or an
hour outside 0-23, is quarantined), the 24-hour ranking marks its slots in the window by the wrapped
rule, and the 7-day template plans it inside 20:00-03:59 local with no QC violation, its sends after
midnight on the next calendar date of the same plan day.

Built on a copy of the database `make dbt-test` built, with one raw page row changed, then only the
models between agency.pages and the template (and their data tests) rebuilt."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END

pytestmark = pytest.mark.e2e

FROM_HOUR, TO_HOUR = 20, 3
WINDOW = {20, 21, 22, 23, 0, 1, 2, 3}


def _night_page(db) -> str:
    """Set the window of the active page with the most sends to 20-3; return its page_key."""
    with duckdb.connect(str(db)) as con:
        page_key, page_name = con.sql(
            "select pages.page_key, pages.page_name from sendwise_staging.stg_agency__pages as pages"
            " inner join sendwise_staging.stg_agency__mass_messages as sends on sends.page_key = pages.page_key"
            " where pages.is_active group by all order by count(*) desc, pages.page_key limit 1"
        ).fetchone()
        changed = con.execute(
            "update agency.pages set active_from_hour = ?, active_to_hour = ? where trim(page_name) = ?",
            [FROM_HOUR, TO_HOUR, page_name],
        ).fetchone()[0]
        assert changed >= 1
    return page_key


@pytest.fixture(scope="module")
def night_build(built_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("overnight")
    db = folder / built_db.name  # same file name: the database's views name its catalog
    shutil.copy(built_db, db)
    page_key = _night_page(db)
    target = folder / "target"
    result = run_dbt(
        [
            "build",
            "--quiet",
            "--select",
            "base_agency__pages+,+weekly_template_qc_violations",
            "base_agency__pages+,+caption_rankings_next24",
            "stg_agency__pages_rejected",
            "--exclude-resource-type",
            "unit_test",
            "--vars",
            vars_arg({"as_of": DEFAULT_END}),
        ],
        duckdb_path=db,
        target_path=target,
        capture=True,
        check=False,
    )
    failed = [
        r["unique_id"]
        for r in json.loads((target / "run_results.json").read_text())["results"]
        if r["status"] not in {"success", "pass", "warn"}  # tier-2 QC warns on the demo too
    ]
    assert result.returncode == 0 and not failed, (failed, result.stdout[-3000:])
    con = duckdb.connect(str(db), read_only=True)
    yield con, page_key
    con.close()


def test_staging_keeps_the_page_with_its_window(night_build):
    con, page_key = night_build
    rows = con.sql(
        "select active_from_hour, active_to_hour from sendwise_staging.stg_agency__pages where page_key = ?",
        params=[page_key],
    ).fetchall()
    assert rows == [(FROM_HOUR, TO_HOUR)]
    rejected = con.sql(
        "select rejection_reason from sendwise_staging.stg_agency__pages_rejected where page_name_raw = ?",
        params=[
            con.sql(
                "select page_name from sendwise_staging.stg_agency__pages where page_key = ?",
                params=[page_key],
            ).fetchone()[0]
        ],
    ).fetchall()
    assert rejected == []


def _page_rows(night_build, sql: str) -> list[tuple]:
    """The rows of `sql` (one ? parameter: the page) for the page with the window past midnight."""
    con, page_key = night_build
    return con.sql(sql, params=[page_key]).fetchall()


def test_ranking_slots_in_the_window_wrap_past_midnight(night_build):
    slots = _page_rows(
        night_build,
        "select slot_local_hour, is_in_active_window from sendwise_intermediate.int_ranking_slot_grid"
        " where page_key = ?",
    )
    assert len(slots) == 24
    assert {int(hour) for hour, inside in slots if inside} == WINDOW
    assert all(inside == (int(hour) in WINDOW) for hour, inside in slots)


def test_template_plans_the_page_inside_its_window(night_build):
    sends = _page_rows(
        night_build,
        "select plan_date, cast(send_local_at as date) as local_date, local_hour, slot_number, send_at_utc"
        " from sendwise_marts.weekly_template_7d where page_key = ? order by plan_date, slot_number",
    )
    assert sends, "the page gets a template"
    assert {local_hour for _, _, local_hour, _, _ in sends} <= WINDOW
    assert len({plan_date for plan_date, *_ in sends}) == 7
    after_midnight = [(p, d) for p, d, h, _, _ in sends if h <= TO_HOUR]
    assert after_midnight, "an 8-hour window with the gap rules needs hours past midnight"
    # a send after midnight belongs to the plan day it continues, on the next calendar date
    assert all((local_date - plan_date).days == 1 for plan_date, local_date in after_midnight)
    assert all((d - p).days == 0 for p, d, h, _, _ in sends if h >= FROM_HOUR)
    # slots of a plan day are numbered in time order across midnight
    by_day: dict = {}
    for plan_date, _, _, slot, utc in sends:
        by_day.setdefault(plan_date, []).append((slot, utc))
    for day in by_day.values():
        assert [utc for _, utc in sorted(day)] == sorted(utc for _, utc in day)
    violations = _page_rows(
        night_build,
        "select rule_id, detail from sendwise_marts.weekly_template_qc_violations where page_key = ?",
    )
    assert not [v for v in violations if v[0] == "outside_active_window"], violations
