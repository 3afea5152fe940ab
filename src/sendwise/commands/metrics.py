"""`sendwise metrics`: query the semantic layer's metrics (MetricFlow) on the DuckDB file, offline.

The same engine as `mf query` (dbt-metricflow), called through its Python API: the `mf` command
asks PyPI for a newer version at every start, this one never touches the network. It reads the
semantic manifest that `dbt build` / `dbt parse` wrote to target/semantic_manifest.json, and opens
the DuckDB file through dbt's adapter (read-write: no other process may hold the file meanwhile).

    sendwise metrics --metrics revenue,sends,revenue_per_send --group-by page,metric_time__week
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import pandas as pd

from sendwise.dbt import dbt_env
from sendwise.errors import check_out_file
from sendwise.paths import PROJECT_ROOT, duckdb_path

HELP = "query the semantic layer's metrics (MetricFlow engine, offline) on the DuckDB file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics", required=True, help="comma-separated metric names, e.g. revenue,sends")
    parser.add_argument(
        "--group-by", default="", help="comma-separated group-bys, e.g. page,metric_time__week"
    )
    parser.add_argument("--where", action="append", default=[], help="MetricFlow where filter (repeatable)")
    parser.add_argument("--start-time", default=None, help="metric_time from this date (YYYY-MM-DD)")
    parser.add_argument(
        "--end-time", default=None, help="metric_time up to this date (YYYY-MM-DD, inclusive)"
    )
    parser.add_argument("--order", default="", help="comma-separated order-bys ('-' for descending)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument(
        "--csv", default=None, help="write the result to this CSV file instead of printing it"
    )


SEMANTIC_MANIFEST = PROJECT_ROOT / "target" / "semantic_manifest.json"


def manifest_database(path: Path = SEMANTIC_MANIFEST) -> str | None:
    """The database (DuckDB: the file's stem) the semantic manifest's relations name."""
    import json

    models = json.loads(path.read_text()).get("semantic_models") or []
    return models[0]["node_relation"].get("database") if models else None


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _date(text: str | None, flag: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag} must be a date like 2026-11-15, got {text!r}") from None


def query(
    metrics: list[str],
    group_by: list[str] | None = None,
    where: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    order_by: list[str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Run one MetricFlow query in this process (the project's profile and target/ artifacts)."""
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    config = CLIConfiguration()
    config.setup(dbt_profiles_path=PROJECT_ROOT, dbt_project_path=PROJECT_ROOT, configure_file_logging=False)
    result = config.mf.query(
        MetricFlowQueryRequest.create(
            metric_names=metrics,
            group_by_names=group_by or None,
            where_constraints=where or None,
            time_constraint_start=start,
            time_constraint_end=end,
            order_by_names=order_by or None,
            limit=limit,
        )
    )
    table = result.result_df
    return pd.DataFrame(list(table.rows), columns=list(table.column_names))


def run(args: argparse.Namespace) -> int:
    try:
        start, end = _date(args.start_time, "--start-time"), _date(args.end_time, "--end-time")
    except ValueError as exc:
        print(f"metrics: {exc}", file=sys.stderr)
        return 2
    if args.csv:
        check_out_file(Path(args.csv).resolve(), "--csv")  # resolved: the query runs from the project folder
    db = duckdb_path(args.db)
    if not db.exists():
        print(f"metrics: no database at {db}: run `make demo` first", file=sys.stderr)
        return 2
    if not SEMANTIC_MANIFEST.exists():
        print(
            "metrics: no target/semantic_manifest.json: run `dbt parse` or `make demo` first", file=sys.stderr
        )
        return 2
    database = manifest_database()
    if database not in (None, db.stem):
        print(
            f"metrics: target/semantic_manifest.json names the database {database!r}, not {db.stem!r}:"
            f" run `SENDWISE_DUCKDB_PATH={db} dbt parse` first",
            file=sys.stderr,
        )
        return 2
    csv_path = Path(args.csv).resolve() if args.csv else None
    os.environ.update(dbt_env(db))
    os.chdir(PROJECT_ROOT)
    try:
        frame = query(
            _split(args.metrics),
            _split(args.group_by),
            args.where,
            start,
            end,
            _split(args.order),
            args.limit,
        )
    except Exception as exc:  # MetricFlow's own errors name the unknown metric or dimension
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        message = next((line for line in lines if not line.endswith(":") and "error(s)" not in line), "")
        print(f"metrics: {type(exc).__name__}: {message or (lines[0] if lines else '')}", file=sys.stderr)
        return 2
    if csv_path:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(csv_path, index=False)
    else:
        print(frame.to_string(index=False))
    return 0
