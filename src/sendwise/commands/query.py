"""Run one read-only SQL query against the DuckDB file and print the result."""

from __future__ import annotations

import argparse

from sendwise.errors import UserError, connect
from sendwise.paths import duckdb_path

HELP = "run a read-only SQL query on the DuckDB results and print it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sql",
        help='the query, e.g. "select * from sendwise_marts.eros_score" (the schemas are the profile\'s'
        " schema + _marts, _ml, ...: `sendwise where` lists them)",
    )
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument("--max-rows", type=int, default=40)


def run(args: argparse.Namespace) -> int:
    import duckdb

    db = duckdb_path(args.db)
    if not args.sql.strip():
        raise UserError(f'no query given, e.g. sendwise query "select * from {example_relation(db)}"')
    con = connect(db, read_only=True)
    try:
        relation = con.sql(args.sql)
        if relation is None:  # a statement that returns no rows (set, pragma): nothing to show
            return 0
        relation.show(max_rows=args.max_rows, max_width=200)
    except duckdb.Error as exc:
        # DuckDB's first line names the error (a table it does not know, a syntax error, a write
        # refused by the read-only connection); its caret drawing and suggestions follow
        raise UserError(str(exc).strip().splitlines()[0]) from exc
    finally:
        con.close()
    return 0


def example_relation(db) -> str:
    """`schema.eros_score` of the database (sendwise.schemas), else `<profile schema>_marts.eros_score`."""
    import duckdb

    from sendwise.schemas import catalog, target_schema

    try:
        con = connect(db, read_only=True)
        try:
            schema = catalog(con).schema("eros_score", "marts")
        finally:
            con.close()
    except (UserError, duckdb.Error, OSError):  # no or a held database, two builds' schemas
        schema = None
    return f"{schema or (target_schema() or 'sendwise') + '_marts'}.eros_score"
