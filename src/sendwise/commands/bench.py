"""Benchmark whole `dbt build` runs on a demo scale (a measurement, not a test).

Generates the scale's demo data into its own DuckDB file when missing, runs `dbt build`
`--runs` times (the production build: models and data tests, without dbt's unit tests, which
check the code on fixed inputs and run in `make test` and CI, as dbt Labs recommends; with
`--unit-tests` they run too, as in `make dbt-test`), and prints the median and spread of the wall time, the peak resident memory of
each dbt process (its own rusage: DuckDB and the Python models run inside it), the median time per
model group and the execution time of data tests and unit tests (from dbt's run_results.json).
Results are appended to benchmarks/results.csv with a description of the machine and the DuckDB
limits of the profile (env SENDWISE_DUCKDB_MEMORY_LIMIT / SENDWISE_DUCKDB_THREADS).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sendwise.dbt import parse_for_build, prepare_incremental_tables, run_dbt_peak_memory, vars_arg
from sendwise.errors import UserError
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

HELP = "time `dbt build` on a demo scale: median and spread of several runs, peak memory, per-group times"

# The scheduled daily build leaves out dbt's unit tests: their inputs are fixed, so they check the
# code, not the day's data; they run in `make test` (dbt Labs' advice for production builds).
PRODUCTION_BUILD_FLAGS = ["--exclude-resource-type", "unit_test"]

# Model groups reported separately are dbt tags (set per folder in dbt_project.yml):
# staging, ranking, learning, template, performance, ml, fans, content, ops.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="seed", choices=("small", "seed", "x10"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--select", default=None, help="dbt selector (default: the whole project)")
    parser.add_argument("--db", default=None, help="DuckDB file (default: data/bench_<scale>.duckdb)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the demo data first")
    parser.add_argument("--no-record", action="store_true", help="do not append to benchmarks/results.csv")
    parser.add_argument(
        "--ml-retrain",
        action="store_true",
        help="every run refits the ML Python models (var ml_retrain) and rebuilds every incremental"
        " model that may be rebuilt (--full-refresh): a full build; without it the runs after the first"
        " measure a rebuild with no new data (the ML models reuse their output)",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="time the daily build after one more day of raw data (a build at as_of + 1 day on the"
        " state of a build at as_of) against a full build at as_of + 1 day on a fresh database, and"
        " compare their marts (sendwise.evaluation.incremental_build)",
    )
    parser.add_argument(
        "--as-of",
        default=None,
        help="with --incremental: the as_of of the state ('YYYY-MM-DD HH:MM:SS'; default the demo's end,"
        " a Sunday); the daily build is at as_of + 1 day, its world generated to that day",
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (as make dbt-test does); by default the production build"
        " (models and data tests) is timed",
    )


def machine_description() -> dict:
    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            mem_gib = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpus": os.cpu_count(),
        "mem_gib": mem_gib,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "commit": commit,
    }


def group_times(run_results: Path, tags_by_model: dict[str, list[str]]) -> dict[str, float]:
    """Execution time summed per model tag, over all models (models_total), data tests
    (tests_total) and unit tests (unit_tests_total), from dbt's run_results.json."""
    data = json.loads(run_results.read_text())
    totals: dict[str, float] = defaultdict(float)
    for result in data["results"]:
        uid = result["unique_id"]
        if uid.startswith("test."):
            totals["tests_total"] += result["execution_time"]
            continue
        if uid.startswith("unit_test."):
            totals["unit_tests_total"] += result["execution_time"]
            continue
        if not uid.startswith("model."):
            continue
        totals["models_total"] += result["execution_time"]
        for tag in tags_by_model.get(uid, []):
            totals[tag] += result["execution_time"]
    return dict(totals)


def model_tags(manifest: Path) -> dict[str, list[str]]:
    data = json.loads(manifest.read_text())
    return {
        uid: node.get("tags", []) for uid, node in data["nodes"].items() if node["resource_type"] == "model"
    }


def build_command(args: argparse.Namespace) -> list[str]:
    """The `dbt build` arguments one timed run uses."""
    build_vars = {"as_of": DEFAULT_END, **({"ml_retrain": True} if args.ml_retrain else {})}
    build = ["build", "--quiet", "--vars", vars_arg(build_vars)]
    if args.ml_retrain:
        # a full build: the models built by day or kept between builds (the base facts,
        # int_caption_embeddings) rebuild everything too, as every other table does; the learning
        # state, the as_of histories and the paid caches keep their rows (full_refresh=false)
        build += ["--full-refresh"]
    if not args.unit_tests:
        build += PRODUCTION_BUILD_FLAGS
    if args.select:
        build += ["--select", args.select]
    return build


def run(args: argparse.Namespace) -> int:
    from sendwise.demo.generate import generate

    if args.incremental:
        return run_incremental(args)
    if args.as_of is not None:
        raise UserError("bench --as-of places the state of --incremental: add --incremental")

    db = Path(args.db) if args.db else PROJECT_ROOT / "data" / f"bench_{args.scale}.duckdb"
    if args.regenerate or not db.exists():
        t0 = time.perf_counter()
        generate(args.scale, args.seed, db, DEFAULT_END)
        print(f"generated {args.scale} demo data in {time.perf_counter() - t0:.1f} s -> {db}")
    target = PROJECT_ROOT / "target_bench"
    build = build_command(args)
    if args.unit_tests:  # not timed: on a fresh database the incremental models' unit tests need their tables
        prepare_incremental_tables(DEFAULT_END, duckdb_path=db, target_path=target)
    parse_for_build(build, duckdb_path=db, target_path=target)  # every run starts from a parsed project
    walls: list[float] = []
    peaks: list[float] = []
    groups: dict[str, list[float]] = defaultdict(list)
    for i in range(args.runs):
        t0 = time.perf_counter()
        peaks.append(run_dbt_peak_memory(build, duckdb_path=db, target_path=target))
        walls.append(time.perf_counter() - t0)
        tags = model_tags(target / "manifest.json")
        for label, seconds in group_times(target / "run_results.json", tags).items():
            groups[label].append(seconds)
        print(f"run {i + 1}/{args.runs}: {walls[-1]:.1f} s, peak memory {peaks[-1]:.0f} MiB")
    peak_mib = max(peaks)
    median = statistics.median(walls)
    limits = duckdb_limits()
    print(
        f"dbt build, {args.scale} scale, {args.runs} runs: median {median:.1f} s "
        f"(min {min(walls):.1f}, max {max(walls):.1f}); peak memory {peak_mib:.0f} MiB "
        f"(DuckDB memory_limit {limits['duckdb_memory_limit']}, threads {limits['duckdb_threads']})"
    )
    for label, values in sorted(groups.items()):
        print(f"  {label:>16}: median {statistics.median(values):.2f} s of execution time")
    share = share_of_tests({k: statistics.median(v) for k, v in groups.items()})
    if share is not None:
        print(f"  tests and unit tests: {share:.0%} of the summed execution time")
    if not args.no_record:
        out = PROJECT_ROOT / "benchmarks" / "results.csv"
        machine = machine_description()
        row = {
            "recorded_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "scale": args.scale,
            "select": args.select or "all",
            "ml_retrain": args.ml_retrain,
            "unit_tests": args.unit_tests,
            "runs": args.runs,
            "median_s": round(median, 2),
            "min_s": round(min(walls), 2),
            "max_s": round(max(walls), 2),
            "peak_mib": round(peak_mib),
            "group_medians_s": json.dumps(
                {k: round(statistics.median(v), 2) for k, v in sorted(groups.items())}
            ),
            **machine,
            **limits,
        }
        append_row(out, row)
        print(f"recorded in {out.relative_to(PROJECT_ROOT)}")
    return 0


def run_incremental(args: argparse.Namespace) -> int:
    """`--incremental`: time the daily build against the full build and compare their marts; exit 1
    when a mart differs."""
    from sendwise.evaluation import incremental_build

    if args.select or args.unit_tests or args.ml_retrain or args.db:
        raise UserError(
            "bench --incremental times the whole daily build: no --select, --unit-tests, --ml-retrain or --db"
        )
    as_of = incremental_build.state_as_of(args.as_of)
    result = incremental_build.run(args)
    incremental, full = result["incremental"], result["full"]
    if not args.no_record:
        out = PROJECT_ROOT / "benchmarks" / "results.csv"
        row = {
            "recorded_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "scale": args.scale,
            "select": "all",
            "build": "incremental",
            "ml_retrain": False,
            "unit_tests": False,
            "runs": args.runs,
            "median_s": round(statistics.median(incremental), 2),
            "min_s": round(min(incremental), 2),
            "max_s": round(max(incremental), 2),
            "peak_mib": round(result["peak_mib"]),
            "full_median_s": round(statistics.median(full), 2),
            "incremental_share": round(statistics.median(incremental) / statistics.median(full), 3),
            "marts_compared": result["marts_compared"],
            "marts_differing": len(result["marts_differing"]),
            "as_of": incremental_build.next_day(as_of),
            **machine_description(),
            **duckdb_limits(),
        }
        append_row(out, row)
        print(f"recorded in {out.relative_to(PROJECT_ROOT)}")
    return 1 if result["marts_differing"] else 0


def duckdb_limits() -> dict[str, str]:
    """The DuckDB limits the profile gives the build (profiles.example.yml: env var or default)."""
    return {
        "duckdb_memory_limit": os.environ.get("SENDWISE_DUCKDB_MEMORY_LIMIT", "8GB"),
        "duckdb_threads": os.environ.get("SENDWISE_DUCKDB_THREADS", "2"),
    }


def share_of_tests(medians: dict[str, float]) -> float | None:
    """Share of data tests + unit tests in the summed execution time of models and tests."""
    tests = medians.get("tests_total", 0.0) + medians.get("unit_tests_total", 0.0)
    total = tests + medians.get("models_total", 0.0)
    return tests / total if total > 0 else None


def append_row(out: Path, row: dict) -> None:
    """Append a row to the CSV; when the row has columns the file lacks, the file is rewritten with
    the union of the columns (older rows get empty cells), so the header always matches."""
    out.parent.mkdir(exist_ok=True)
    if not out.exists():
        with out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        return
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    if set(row) <= set(header):
        with out.open("a", newline="") as fh:
            csv.DictWriter(fh, fieldnames=header).writerow(row)
        return
    header += [f for f in row if f not in header]
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows([*rows, row])
