"""`sendwise prepare-db`: create the incremental models' tables (empty) before a first `dbt build`."""

from __future__ import annotations

import argparse

from sendwise.dbt import prepare_incremental_tables
from sendwise.errors import check_db_path, ensure_not_locked
from sendwise.paths import DEFAULT_END, duckdb_path

HELP = "create the incremental models' tables empty on a fresh database (their unit tests read them)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="DuckDB file")
    parser.add_argument("--as-of", default=DEFAULT_END, help="the as_of var (default: the demo end)")


def run(args: argparse.Namespace) -> int:
    db = check_db_path(duckdb_path(args.db), must_exist=False)
    ensure_not_locked(db)
    return prepare_incremental_tables(args.as_of, duckdb_path=db).returncode
