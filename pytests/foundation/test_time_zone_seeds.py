"""The time-zone seeds against the outside references: the tz database (the pinned `tzdata` package),
Python's zoneinfo, DuckDB's ICU and BigQuery's own evaluator (ZetaSQL, tools/zetasql). A page's zone
is valid when it is in iana_time_zones (staging quarantines any other as invalid_timezone), so every
name there must be one both engines accept and read the same way, and no real name may be missing."""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from importlib import resources

import duckdb
from bigquery_evaluator import evaluate_on_bigquery, needs_zetasql

from sendwise.paths import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
# a winter and a summer instant: zones with daylight saving read them with two offsets
INSTANTS = (dt.datetime(2026, 1, 15, 12, 0), dt.datetime(2026, 7, 15, 12, 0))


def seed_column(name: str, column: str) -> list[str]:
    with (SEEDS / f"{name}.csv").open(newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def tz_database_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone as the pinned tzdata package defines it (not the machine's /usr/share/zoneinfo)."""
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as handle:
        return zoneinfo.ZoneInfo.from_file(handle, key=name)


def local_times(name: str) -> list[dt.datetime]:
    zone = tz_database_zone(name)
    return [i.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None) for i in INSTANTS]


def test_the_seed_holds_every_name_of_the_tz_database_but_its_placeholder():
    names = seed_column("iana_time_zones", "time_zone")
    tz_database = set(resources.files("tzdata").joinpath("zones").read_text().split())
    assert len(names) == len({name.lower() for name in names})  # staging matches in any case
    assert set(names) == tz_database - {"Factory"}
    # the names real files carry besides Region/City ones
    assert {"UTC", "Etc/UTC", "GMT", "Etc/GMT+5", "US/Eastern", "Asia/Calcutta", "Japan"} <= set(names)


def test_countries_are_those_of_the_names_places():
    names = set(seed_column("iana_time_zones", "time_zone"))
    countries = dict(
        zip(
            seed_column("calendar_time_zone_countries", "time_zone"),
            seed_column("calendar_time_zone_countries", "country_code"),
            strict=True,
        )
    )
    assert set(countries) <= names
    # links resolved to their place (checked by hand against zone.tab and the tz database's backward file)
    assert countries["Japan"] == "JP" and countries["US/Eastern"] == "US" and countries["Iceland"] == "IS"
    assert countries["Asia/Calcutta"] == "IN" and countries["PRC"] == "CN" and countries["W-SU"] == "RU"
    # offsets and rule names are no place: default weekend, no holidays
    for name in ("UTC", "Etc/UTC", "Etc/GMT+5", "GMT", "CET", "EST", "EST5EDT", "PST8PDT"):
        assert name not in countries, name


def test_duckdb_reads_every_seed_zone_as_the_tz_database_does():
    names = seed_column("iana_time_zones", "time_zone")
    con = duckdb.connect()
    try:
        con.execute("set timezone = 'UTC'")
        rows = con.execute(
            "select name, timezone(name, instant) from unnest(?) as n(name)"
            " cross join unnest(?) as i(instant) order by name, instant",
            [names, [i.replace(tzinfo=dt.UTC) for i in INSTANTS]],
        ).fetchall()
    finally:
        con.close()
    got: dict[str, list[dt.datetime]] = {}
    for name, local in rows:
        got.setdefault(name, []).append(local)
    different = [name for name in names if got[name] != local_times(name)]
    assert different == []


@needs_zetasql
def test_bigquerys_evaluator_accepts_every_seed_zone_and_reads_it_as_the_tz_database_does():
    names = seed_column("iana_time_zones", "time_zone")
    rows = evaluate_on_bigquery(
        # DATETIME(timestamp, zone): the local time BigQuery gives; an unknown zone is an error
        "select tz, datetime(ts, tz) as local_at from t order by tz, ts",
        ["STRING", "DATETIME"],
        table=("t", [("tz", "STRING"), ("ts", "TIMESTAMP")], [(n, i) for n in names for i in INSTANTS]),
    )
    got: dict[str, list[dt.datetime]] = {}
    for name, local_at in rows:
        got.setdefault(name, []).append(local_at)
    different = [name for name in names if got.get(name) != local_times(name)]
    assert different == []
