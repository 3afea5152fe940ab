"""`sendwise bench --incremental`: the daily build after one more day of data, against a full build.

The scale's demo world is generated to as_of + 1 day once (`data/bench_incremental_<scale>/`). A
copy keeps only the raw rows up to as_of and is built at as_of (not timed): the state a daily
schedule leaves behind. The new day's raw rows are then appended, and each timed run builds a copy
of that state at as_of + 1 day twice: the daily build, and the full build (`--full-refresh`:
every model rebuilt from scratch, while the learning state and the as_of histories, which are full_refresh=false, keep the rows of the earlier build, as
they must: a daily schedule's learning state is the sequence of its builds, which no single fresh
build reproduces). Afterwards every mart of the two (the
marts, ml and ops schemas) is compared row for row: the rows of the new as_of where a table keeps
one set of rows per build (a history: several as_of values after the full build), without the
columns that stamp a build or a fit (and as_of where it stamps the build that last changed a row), and
floats to 9 significant digits (`sendwise.bigquery.values.compare_tables`). The ratio of the two
medians is the figure issue #20 sets at 20 % or less.
"""

from __future__ import annotations

import shutil
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from sendwise.dbt import parse_for_build, run_dbt, run_dbt_peak_memory, vars_arg
from sendwise.errors import UserError
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

# The raw tables of the demo world with the column that dates a row (the loaded_at_field of the
# source's freshness rule); tables without one (the vault matrix) are kept whole.
RAW_TIME_COLUMNS = {
    "agency.caption_bank": "created_at",
    "agency.mass_messages": "sending_time",
    "agency.pages": "onboarded_at",
    "chat.chat_logs": "datetime",
    "content.content_metadata": "created_at",
    "content.outcomes": "collected_at",
}
# Layers whose tables are compared: the marts and the outputs of the ML and ops Python models, in
# the schemas `<profile schema>_marts` etc. (sendwise_marts with the default profile).
MART_LAYERS = ("marts", "ml", "ops")
# Columns that stamp a build, a run or a fit rather than describe the data: left out of the comparison.
STAMP_COLUMNS = frozenset(
    {"built_at", "embedded_at", "fit_mode", "input_fingerprint", "invocation_id", "run_started_at", "run_key"}
)


def state_as_of(text: str | None) -> str:
    """The state's as_of of `bench --incremental --as-of` ('YYYY-MM-DD HH:MM:SS'; None: the demo's
    end); a UserError in one line for anything else."""
    if text is None:
        return DEFAULT_END
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise UserError(f"--as-of {text!r}: expected 'YYYY-MM-DD HH:MM:SS'") from None


def state_folder(scale: str, as_of: str) -> Path:
    """data/bench_incremental_<scale>, with _<YYYYMMDD> for a state at another as_of than the demo's end."""
    suffix = "" if as_of == DEFAULT_END else "_" + as_of[:10].replace("-", "")
    return PROJECT_ROOT / "data" / f"bench_incremental_{scale}{suffix}"


def next_day(as_of: str) -> str:
    return (datetime.fromisoformat(as_of) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")


def split_raw_world(full_db: Path, before_db: Path, as_of: str) -> dict[str, int]:
    """Copy `full_db` to `before_db` and delete there the raw rows dated after `as_of`; returns the
    number of rows removed per table (the new day's rows)."""
    shutil.copyfile(full_db, before_db)
    removed = {}
    with duckdb.connect(str(before_db)) as con:
        for table, column in RAW_TIME_COLUMNS.items():
            n = con.execute(f"select count(*) from {table} where {column} > ?", [as_of]).fetchone()[0]
            con.execute(f"delete from {table} where {column} > ?", [as_of])
            removed[table] = n
    return removed


def append_new_day(full_db: Path, built_db: Path, as_of: str) -> None:
    """Append to `built_db`'s raw tables the rows of `full_db` dated after `as_of`."""
    with duckdb.connect(str(built_db)) as con:
        con.execute(f"attach '{full_db}' as world (read_only)")
        for table, column in RAW_TIME_COLUMNS.items():
            con.execute(f"insert into {table} select * from world.{table} where {column} > ?", [as_of])
        con.execute("detach world")


def mart_tables(con, catalog: str) -> list[str]:
    """schema.table of every base table of the mart layers' schemas in the attached database `catalog`."""
    from sendwise.schemas import layer_of

    rows = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = ? and table_type = 'BASE TABLE' order by 1, 2",
        [catalog],
    ).fetchall()
    return [f"{schema}.{name}" for schema, name in rows if layer_of(schema, MART_LAYERS)]


def compare_marts(incremental_db: Path, full_db: Path, as_of: str) -> dict[str, str]:
    """Every mart of the two databases compared: {table: ""} when equal, else what differs."""
    from sendwise.bigquery.values import compare_tables

    result = {}
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{incremental_db}' as incremental_build (read_only)")
        con.execute(f"attach '{full_db}' as full_build (read_only)")
        incremental_tables = mart_tables(con, "incremental_build")
        full_tables = set(mart_tables(con, "full_build"))
        if not incremental_tables:  # never "0 of 0 equal": nothing was compared
            raise RuntimeError(
                f"{incremental_db}: no table in a *_marts, *_ml or *_ops schema to compare (did the build run?)"
            )
        for table in incremental_tables:
            if table not in full_tables:
                result[table] = "missing in the full build"
                continue
            schema, name = table.split(".")
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_catalog = 'incremental_build'"
                    " and table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if r[0] not in STAMP_COLUMNS
            ]
            where = ""
            if "as_of" in columns:
                # a history (rows of several builds even after a full refresh): the new build's rows;
                # otherwise as_of stamps the build that last changed a row (an incremental merge
                # keeps older stamps where a full refresh restamps every row): left out
                builds = con.execute(f"select count(distinct as_of) from full_build.{table}").fetchone()[0]
                if builds > 1:
                    where = f" where as_of = timestamp '{as_of}'"
                else:
                    columns.remove("as_of")
            select = ", ".join(f'"{c}"' for c in columns)
            sides = [
                f"select {select} from {side}.{table}{where}" for side in ("incremental_build", "full_build")
            ]
            # equal rows as multisets in the engine first (seconds for the embedding cache at x10,
            # whose 100M floats took the Python comparison over 20 minutes); the tolerant Python
            # comparison (floats to 9 significant digits) only for a table that is not exactly equal
            exact = con.execute(
                f"select (select count(*) from ({sides[0]} except all {sides[1]}))"
                f" + (select count(*) from ({sides[1]} except all {sides[0]}))"
            ).fetchone()[0]
            if exact == 0:
                result[table] = ""
                continue
            left = con.execute(f"select {select} from incremental_build.{table}{where}").fetchall()
            right = con.execute(f"select {select} from full_build.{table}{where}").fetchall()
            comparison = compare_tables(left, right, columns, names=("incremental", "full"))
            result[table] = "" if comparison.identical else comparison.detail
        for table in sorted(full_tables - set(incremental_tables)):
            result[table] = "missing in the incremental build"
    return result


def timed_build(db: Path, as_of: str, target: Path, full: bool) -> tuple[float, float]:
    """Wall time and peak memory of the daily build of `db` at `as_of`; `full`: with --full-refresh,
    so every model that may be rebuilt from scratch is (the learning state and the as_of histories
    are full_refresh=false and keep their rows). The ML models follow their own reuse rules in both
    builds (docs/ml.md, "Reuse"): the same inputs give the same fit, and the caption clusters'
    approximate update (cluster_refit_share) would otherwise differ from a refit by design.
    Both builds start from a parsed project (parse_for_build, not timed), as the scheduled build."""
    args = ["build", "--quiet", "--vars", vars_arg({"as_of": as_of}), "--exclude-resource-type", "unit_test"]
    args += ["--full-refresh"] if full else []
    parse_for_build(args, duckdb_path=db, target_path=target)
    t0 = time.perf_counter()
    peak = run_dbt_peak_memory(args, duckdb_path=db, target_path=target)
    return time.perf_counter() - t0, peak


def run(args) -> int:
    from sendwise.demo.generate import generate

    as_of = state_as_of(getattr(args, "as_of", None))
    as_of_next = next_day(as_of)
    folder = state_folder(args.scale, as_of)
    folder.mkdir(parents=True, exist_ok=True)
    world, state = folder / "world.duckdb", folder / "built_at_as_of.duckdb"
    target = PROJECT_ROOT / "target_bench"
    if args.regenerate or not world.exists() or not state.exists():
        for path in (world, state):
            path.unlink(missing_ok=True)
        generate(args.scale, args.seed, world, as_of_next)
        removed = split_raw_world(world, state, as_of)
        print("the new day's raw rows: " + ", ".join(f"{t} {n}" for t, n in removed.items()))
        run_dbt(
            [
                "build",
                "--quiet",
                "--vars",
                vars_arg({"as_of": as_of}),
                "--exclude-resource-type",
                "unit_test",
            ],
            duckdb_path=state,
            target_path=target,
        )
        append_new_day(world, state, as_of)
        print(f"built the world up to {as_of} (not timed); state kept in {state}")
    incremental, full = folder / "incremental.duckdb", folder / "full.duckdb"
    walls = {"incremental": [], "full": []}
    peaks = []
    for i in range(args.runs):
        for label, db in (("incremental", incremental), ("full", full)):
            for suffix in ("", ".wal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(state, db)
            wall, peak = timed_build(db, as_of_next, target, full=label == "full")
            walls[label].append(wall)
            peaks.append(peak)
            print(
                f"run {i + 1}/{args.runs}, {label} build at {as_of_next}: {wall:.1f} s, peak {peak:.0f} MiB"
            )
    differences = compare_marts(incremental, full, as_of_next)
    differing = {t: d for t, d in differences.items() if d}
    median_incremental = statistics.median(walls["incremental"])
    median_full = statistics.median(walls["full"])
    print(
        f"{args.scale}: incremental build median {median_incremental:.1f} s, full build median "
        f"{median_full:.1f} s: {median_incremental / median_full:.0%} of the full build"
    )
    print(f"marts compared: {len(differences)}, equal {len(differences) - len(differing)}")
    for table, detail in sorted(differing.items()):
        print(f"  differs: {table}: {detail}")
    return {
        "incremental": walls["incremental"],
        "full": walls["full"],
        "peak_mib": max(peaks),
        "marts_compared": len(differences),
        "marts_differing": sorted(differing),
    }
