"""Print where a build's results are and how to look at them."""

from __future__ import annotations

import argparse

from sendwise.errors import UserError, connect
from sendwise.paths import duckdb_path
from sendwise.schemas import AmbiguousSchema, catalog, layer_of, target_schema

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
    try:
        # the layer schemas dbt built, whatever the profile's prefix (sendwise_marts, analytics_marts)
        rows = [
            row
            for row in con.sql(
                "select table_schema, table_name, table_type from information_schema.tables"
                " order by table_schema, table_name"
            ).fetchall()
            if layer_of(row[0])
        ]
        print(f"\nResults are in the DuckDB file {db}")
        current = None
        for schema, name, kind in rows:
            if schema != current:
                print(f"  {schema}:")
                current = schema
            count = ""
            if kind == "BASE TABLE" and layer_of(schema) not in ("staging", "intermediate"):
                rows_in = con.sql(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
                count = f" ({rows_in:,} rows)"
            print(f"    {name}{count}")
        examples = example_relations(con, rows)
    finally:
        con.close()
    print("\nLook at them with:")
    for relation in examples:
        print(f'  .venv/bin/sendwise query "select * from {relation} limit 10"')
    print(
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{db}', read_only=True).sql('show all tables'))\""
    )
    if args.export:
        print(f"\nOperators' schedules (one CSV per page + summary.csv) are in {args.export}/")
    return 0


def example_relations(con, rows: list[tuple[str, str, str]]) -> list[str]:
    """`schema.mart` to show in the example query: a mart this database holds (a chat log alone has
    no caption rankings), in the schema sendwise.schemas finds; one per schema when two builds'
    schemas hold it and the profile does not say which; `<profile schema>_marts` without marts."""
    marts = [name for schema, name, _ in rows if layer_of(schema) == "marts"]
    if not marts:
        return [f"{target_schema() or 'sendwise'}_marts.caption_rankings_top3"]
    example = "caption_rankings_top3" if "caption_rankings_top3" in marts else marts[0]
    try:
        return [f"{catalog(con).schema(example, 'marts')}.{example}"]
    except AmbiguousSchema:
        return [
            f"{schema}.{name}" for schema, name, _ in rows if name == example and layer_of(schema) == "marts"
        ]
