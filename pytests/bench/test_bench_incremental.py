"""`sendwise bench --incremental`: the split of a world into the state at as_of and the new day, and
the comparison of two builds' marts (real DuckDB files, no dbt); the whole bench on the small demo
is the slow test at the end (`pytest -m slow`)."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from sendwise.errors import run_statements
from sendwise.evaluation.incremental_build import (
    RAW_TIME_COLUMNS,
    append_new_day,
    compare_marts,
    next_day,
    split_raw_world,
    state_as_of,
    state_folder,
)
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

AS_OF = "2026-11-15 00:00:00"


def test_next_day_crosses_a_month_end():
    assert next_day(AS_OF) == "2026-11-16 00:00:00"
    assert next_day("2026-11-30 06:30:00") == "2026-12-01 06:30:00"


def _world(path):
    con = duckdb.connect(str(path))
    for schema in ("agency", "chat", "content"):
        con.execute(f"create schema {schema}")
    for table, column in RAW_TIME_COLUMNS.items():
        # two rows before as_of, one exactly at it (kept: the day up to as_of), two after it
        con.execute(f"create table {table} (id integer, {column} timestamp)")
        con.execute(
            f"insert into {table} values (1, '2026-11-13 10:00'), (2, '2026-11-14 23:59:59'),"
            " (3, '2026-11-15 00:00:00'), (4, '2026-11-15 00:00:01'), (5, '2026-11-15 22:00')"
        )
    con.execute("create table agency.vault_matrix (page_name varchar)")
    con.execute("insert into agency.vault_matrix values ('a'), ('b')")
    con.close()


def _rows(path, table):
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(con.execute(f"select * from {table}").fetchall())


def test_split_keeps_rows_up_to_as_of_and_append_restores_the_world(tmp_path):
    world, state = tmp_path / "world.duckdb", tmp_path / "state.duckdb"
    _world(world)
    removed = split_raw_world(world, state, AS_OF)
    assert removed == dict.fromkeys(RAW_TIME_COLUMNS, 2)
    for table in RAW_TIME_COLUMNS:
        assert [r[0] for r in _rows(state, table)] == [1, 2, 3]
    assert len(_rows(state, "agency.vault_matrix")) == 2  # no date: kept whole
    append_new_day(world, state, AS_OF)
    for table in [*RAW_TIME_COLUMNS, "agency.vault_matrix"]:
        assert _rows(state, table) == _rows(world, table)


def _marts(path, statements):
    schemas = [f"create schema {schema}" for schema in ("sendwise_marts", "sendwise_ml", "sendwise_ops")]
    run_statements(path, [*schemas, *statements])


def test_compare_marts_ignores_stamps_noise_and_older_history_and_reports_real_differences(tmp_path):
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    new, old = "'2026-11-16 00:00:00'", "'2026-11-15 00:00:00'"
    common = [
        "create table sendwise_marts.history (as_of timestamp, page varchar, x double)",
        "create table sendwise_marts.state (as_of timestamp, arm varchar, n integer)",
        "create table sendwise_ml.scores (as_of timestamp, built_at timestamp, fit_mode varchar, k integer, p double)",
        "create table sendwise_ops.counts (k integer, n integer)",
    ]
    _marts(
        incremental,
        [
            *common,
            # history: the older build's row differs (not compared), the new build's row equal
            f"insert into sendwise_marts.history values ({old}, 'a', 1.0), ({new}, 'a', 2.0)",
            # state: arm b last changed by the older build (its stamp), a full refresh restamps it
            f"insert into sendwise_marts.state values ({new}, 'a', 3), ({old}, 'b', 4)",
            # a build stamp, a fit mode and float noise in the 15th digit
            f"insert into sendwise_ml.scores values ({new}, now(), 'reused', 1, 0.1 + 0.2)",
            "insert into sendwise_ops.counts values (1, 10), (2, 20)",
            "create table sendwise_ops.only_incremental (k integer)",
        ],
    )
    _marts(
        full,
        [
            *common,
            f"insert into sendwise_marts.history values ({old}, 'a', 9.0), ({new}, 'a', 2.0)",
            f"insert into sendwise_marts.state values ({new}, 'a', 3), ({new}, 'b', 4)",
            f"insert into sendwise_ml.scores values ({new}, now() - interval 1 hour, 'trained', 1, 0.3)",
            "insert into sendwise_ops.counts values (1, 10), (2, 21)",
        ],
    )
    result = compare_marts(incremental, full, "2026-11-16 00:00:00")
    assert {t for t, detail in result.items() if not detail} == {
        "sendwise_marts.history",
        "sendwise_marts.state",
        "sendwise_ml.scores",
    }
    assert result["sendwise_ops.only_incremental"] == "missing in the full build"
    assert "n: incremental 20 vs full 21" in result["sendwise_ops.counts"]


def test_compare_marts_reads_a_profiles_own_schemas_and_refuses_to_compare_nothing(tmp_path):
    # a profile with `schema: analytics` builds analytics_marts, ...; the raw and seed schemas are not marts
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    for path, n in ((incremental, 1), (full, 2)):
        con = duckdb.connect(str(path))
        for schema in ("analytics_marts", "analytics_seeds", "agency"):
            con.execute(f"create schema {schema}")
            con.execute(f"create table {schema}.t as select {n} as n")
        con.close()
    result = compare_marts(incremental, full, "2026-11-16 00:00:00")
    assert (
        list(result) == ["analytics_marts.t"] and "n: incremental 1 vs full 2" in result["analytics_marts.t"]
    )
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="no table in a \\*_marts, \\*_ml or \\*_ops schema"):
        compare_marts(empty, full, "2026-11-16 00:00:00")


def refused_bench(*args: str) -> str:
    """Run `sendwise bench ARGS`, assert it refused with exit 2 and one line; return that line."""
    done = subprocess.run(
        [sys.executable, "-m", "sendwise.cli", "bench", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.strip().count("\n") == 0
    return done.stderr


def test_incremental_refuses_a_selection_with_one_line():
    assert "--incremental" in refused_bench("--incremental", "--select", "stg_agency__pages")


def test_incremental_refuses_an_as_of_that_is_not_a_timestamp_and_writes_nothing():
    line = refused_bench("--incremental", "--scale", "small", "--as-of", "2026-11-16")
    assert "YYYY-MM-DD HH:MM:SS" in line
    assert not (PROJECT_ROOT / "data" / "bench_incremental_small_20261116").exists()


def test_as_of_without_incremental_is_refused_with_one_line():
    assert "--incremental" in refused_bench("--as-of", "2026-11-16 00:00:00", "--no-record")


def test_a_state_at_another_as_of_has_its_own_folder():
    assert (
        state_as_of(None) == DEFAULT_END
        and state_folder("seed", DEFAULT_END).name == "bench_incremental_seed"
    )
    as_of = state_as_of("2026-11-16 00:00:00")
    assert state_folder("x10", as_of).name == "bench_incremental_x10_20261116"
    assert next_day(as_of) == "2026-11-17 00:00:00"


@pytest.mark.slow
def test_small_demo_daily_build_equals_the_full_build():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sendwise.cli",
            "bench",
            "--incremental",
            "--scale",
            "small",
            "--runs",
            "1",
            "--no-record",
            "--regenerate",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("marts compared:"))
    compared, equal = (int(part.split()[-1]) for part in line.split(","))
    assert compared >= 50 and equal == compared
