"""Print where a build's results are and how to look at them."""

from __future__ import annotations

import argparse

from sendwise.errors import UserError, connect
from sendwise.paths import duckdb_path

HELP = "show where the results of a build are (DuckDB schemas, tables, exports) and how to look at them"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument("--export", default=None, help="directory of the exported schedules")


def run(args: argparse.Namespace) -> int:
    db = duckdb_path(args.db)
    if not db.exists():
        raise UserError(f"no database at {db}: run `make demo` first")
    con = connect(db, read_only=True)
    rows = con.sql(
        """
        select table_schema, table_name, table_type
        from information_schema.tables
        where table_schema like 'sendwise%'
        order by table_schema, table_name
        """
    ).fetchall()
    print(f"\nResults are in the DuckDB file {db}")
    current = None
    for schema, name, kind in rows:
        if schema != current:
            print(f"  {schema}:")
            current = schema
        count = ""
        if kind == "BASE TABLE" and not schema.endswith(("_staging", "_intermediate")):
            count = f" ({con.sql(f'select count(*) from {schema}.{name}').fetchone()[0]:,} rows)"
        print(f"    {name}{count}")
    con.close()
    print("\nLook at them with:")
    # the example names a mart this database holds (a chat log alone has no caption rankings)
    marts = [name for schema, name, _ in rows if schema.endswith("_marts")]
    example = "caption_rankings_top3" if "caption_rankings_top3" in marts or not marts else marts[0]
    print(f'  .venv/bin/sendwise query "select * from sendwise_marts.{example} limit 10"')
    print(
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{db}', read_only=True).sql('show all tables'))\""
    )
    if args.export:
        print(f"\nOperators' schedules (one CSV per page + summary.csv) are in {args.export}/")
    return 0
