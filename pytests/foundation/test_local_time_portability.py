"""Page-local times and UTC on the days the clocks change: DuckDB and BigQuery read them as the tz
database does. The analysis `local_time_portability` (macros/cross_db/local_time.sql on local times
every 30 minutes around each change) compiled for DuckDB runs on DuckDB, compiled for BigQuery on
BigQuery's own evaluator (ZetaSQL, tools/zetasql), and both must equal Python's zoneinfo with fold = 0:
a skipped local time is read with the offset before the change, a repeated one at its first instant
(BigQuery's reading; DuckDB's ICU alone gives the second, which the macro corrects)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import duckdb
import pytest
from bigquery_evaluator import evaluate_on_bigquery, needs_zetasql
from compiled_analysis import compiled_analysis

pytestmark = pytest.mark.e2e

ANALYSIS = "local_time_portability"
ROWS = 11 * 13  # 11 zone-days, local times every 30 minutes from 22:00 to 04:00


def tz_database(time_zone: str, local_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The instant (naive UTC) zoneinfo gives a local time (fold = 0), and that instant's local time."""
    zone = zoneinfo.ZoneInfo(time_zone)
    utc_at = local_at.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)
    return utc_at, utc_at.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)


def check_against_tz_database(rows: list[tuple]) -> None:
    assert len(rows) == ROWS
    different = [
        (time_zone, local_at, (utc_at, local_again), tz_database(time_zone, local_at))
        for time_zone, local_at, utc_at, local_again in rows
        if (utc_at, local_again) != tz_database(time_zone, local_at)
    ]
    assert different == []
    # the cases hold what they are for: a skipped time (read back as another) and a repeated one
    skipped = [r for r in rows if r[3] != r[1]]
    assert {r[0] for r in skipped} >= {"America/New_York", "Europe/Paris", "Australia/Lord_Howe"}
    new_york_fall = {r[1]: r[2] for r in rows if r[0] == "America/New_York" and r[1].month == 11}
    assert new_york_fall[dt.datetime(2026, 11, 1, 1, 30)] == dt.datetime(2026, 11, 1, 5, 30)  # EDT, the first


def test_duckdb_reads_local_times_as_the_tz_database(tmp_path):
    sql = compiled_analysis(ANALYSIS, tmp_path)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        rows = con.sql(sql).fetchall()
    finally:
        con.close()
    check_against_tz_database(rows)


@needs_zetasql
def test_bigquerys_evaluator_reads_local_times_as_the_tz_database(tmp_path):
    sql = compiled_analysis(ANALYSIS, tmp_path, "bigquery_offline")
    assert "timestamp(local_at, time_zone)" in sql.replace("\n", " ")  # really the BigQuery rendering
    check_against_tz_database(evaluate_on_bigquery(sql, ["STRING", "DATETIME", "TIMESTAMP", "DATETIME"]))
