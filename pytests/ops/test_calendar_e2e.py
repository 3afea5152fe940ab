"""End to end: the calendar changes a holiday's quota as the seeds say, and the QC and the strategy
note explain it.

On the built test database every page-day the calendar marks as a holiday is checked against the
seeds read here (time zone -> country, the page's local week from zoneinfo, the holiday list), and
its quota against the rule clamp(round(quota without calendar x factor)). Then, so the test does
not depend on which regions the demo's pages use, a holiday is planted on a weekday of one page's
week and the template is rebuilt: that day's quota falls as the factor says, and both the QC
(calendar_adjustment) and the day's strategy notes name it."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

AS_OF = datetime.fromisoformat(DEFAULT_END)
# every model from the calendar to the QC table (a selector, so a model added to the chain is rebuilt
# too), except the revenue model's scoring, which the calendar reaches but the quota does not change
TEMPLATE_SELECT = ["--select", "int_page_calendar_days+,+weekly_template_qc_violations"]
TEMPLATE_EXCLUDE = ["--exclude", "int_revenue_scoring_candidates+,+ml_revenue_predictions"]


def _seed(name: str) -> list[dict]:
    with open(PROJECT_ROOT / "seeds" / f"{name}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def local_week(time_zone: str) -> list:
    local = AS_OF.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(time_zone)).date()
    return [local + timedelta(days=i) for i in range(1, 8)]


def expected_holidays(pages: list[tuple[str, str]]) -> dict[tuple, tuple[str, float]]:
    countries = {r["time_zone"]: r["country_code"] for r in _seed("calendar_time_zone_countries")}
    holidays = {
        (r["country_code"], r["holiday_date"]): (r["holiday_name"], float(r["saturation_factor"]))
        for r in _seed("calendar_holidays")
    }
    out = {}
    for page, zone in pages:
        for day in local_week(zone):
            hit = holidays.get((countries.get(zone), day.isoformat()))
            if hit:
                out[(page, day)] = hit
    return out


def check_holiday_days(con, expected: dict[tuple, tuple[str, float]]) -> None:
    rows = con.sql(
        "select page_key, plan_date, holiday_name, saturation_factor, daily_quota, quota_without_calendar,"
        " quota_min, quota_max, policy_dow, iso_dow from sendwise_intermediate.int_template_daily_quota"
        " where is_holiday"
    ).fetchall()
    assert {(r[0], r[1]): (r[2], r[3]) for r in rows} == expected
    qc = {
        (page, day): (observed, limit, detail)
        for page, day, observed, limit, detail in con.sql(
            "select page_key, plan_date, observed, limit_value, detail from sendwise_marts.weekly_template_qc_violations"
            " where rule_id = 'calendar_adjustment'"
        ).fetchall()
    }
    for page, day, name, factor, quota, plain, low, high, policy_dow, iso_dow in rows:
        assert policy_dow == iso_dow  # Saturday-Sunday regions only in these tests
        # round half away from zero, as both engines do
        assert quota == min(high, max(low, int(plain * factor + 0.5))), (page, day)
        observed, limit, detail = qc[(page, day)]
        assert (observed, limit) == (quota, plain)
        assert f"public holiday {name}" in detail and f"quota {plain} -> {quota}" in detail


@pytest.mark.e2e
def test_holidays_change_the_quota_as_the_calendar_says_and_are_explained(built_db, tmp_path):
    db = tmp_path / built_db.name
    shutil.copy(built_db, db)
    con = duckdb.connect(str(db))
    try:
        pages = con.sql(
            "select page_key, time_zone from sendwise_staging.stg_agency__pages where is_active order by page_key"
        ).fetchall()
        check_holiday_days(con, expected_holidays(pages))  # whatever the demo's regions give
        # plant a holiday on the third planned day of the first schedulable page without one
        zones = dict(pages)
        holiday_days = {(p, d) for p, d in expected_holidays(pages)}
        countries = {r["time_zone"]: r["country_code"] for r in _seed("calendar_time_zone_countries")}
        candidates = con.sql(
            "select page_key, plan_date, daily_quota from sendwise_marts.weekly_template_days"
            " where is_schedulable and daily_quota >= 4 and day_index = 3 order by page_key"
        ).fetchall()
        page, day, quota_before = next(
            (p, d, q) for p, d, q in candidates if countries.get(zones[p]) and (p, d) not in holiday_days
        )
        country = countries[zones[page]]
        con.execute(
            "insert into sendwise_seeds.calendar_holidays values (?, ?, 'Planted Day', 0.5)", [country, day]
        )
    finally:
        con.close()
    run_dbt(
        ["run", "--quiet", *TEMPLATE_SELECT, *TEMPLATE_EXCLUDE, "--vars", vars_arg({"as_of": DEFAULT_END})],
        duckdb_path=db,
        target_path=tmp_path / "target",
        capture=True,
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        expected = expected_holidays(pages) | {(page, day): ("Planted Day", 0.5)}
        check_holiday_days(con, expected)
        quota_after = con.sql(
            "select daily_quota from sendwise_intermediate.int_template_daily_quota where page_key = ? and plan_date = ?",
            params=[page, day],
        ).fetchone()[0]
        assert quota_after == int(quota_before * 0.5 + 0.5)  # the day's quota before, times the factor
        notes = [
            r[0]
            for r in con.sql(
                "select strategy_note from sendwise_marts.weekly_template_7d where page_key = ? and plan_date = ?",
                params=[page, day],
            ).fetchall()
        ]
        assert notes and all(
            f"holiday Planted Day ({country}): quota {quota_before} -> {quota_after}" in n for n in notes
        )
        assert len(notes) <= quota_after
    finally:
        con.close()
