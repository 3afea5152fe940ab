"""Run one read-only SQL query against the DuckDB file and print the result."""

from __future__ import annotations

import argparse

from sendwise.paths import duckdb_path

HELP = "run a read-only SQL query on the DuckDB results and print it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", help='the query, e.g. "select * from sendwise_marts.eros_score"')
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument("--max-rows", type=int, default=40)


def run(args: argparse.Namespace) -> int:
    import duckdb

    con = duckdb.connect(str(duckdb_path(args.db)), read_only=True)
    try:
        con.sql(args.sql).show(max_rows=args.max_rows, max_width=200)
    finally:
        con.close()
    return 0
