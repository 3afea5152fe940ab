"""Bring your own data: load a CSV or Parquet file into a raw source of the DuckDB target.

`sendwise load --source chat.chat_logs --file logs.parquet` checks the file against the raw
contract (sendwise.contracts) before touching the database: a missing, unexpected or
mistyped column is a clear error naming it, and nothing is written. The replacement then
happens in one transaction, so the raw table is either the old one or the new one, never
half-loaded. One more `dbt build` runs the whole pipeline on the new data.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from sendwise.contracts import SOURCES, SourceTable
from sendwise.paths import duckdb_path

HELP = "load a CSV/Parquet file into a raw source table of the DuckDB target (checked against the contract)"


class ContractError(ValueError):
    """The file does not match the raw contract; nothing was loaded."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", required=True, choices=sorted(SOURCES), help="raw table, e.g. chat.chat_logs"
    )
    parser.add_argument("--file", required=True, help="a .csv or .parquet file")
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument(
        "--mode",
        choices=("replace", "append"),
        default="replace",
        help="replace the table (default) or append",
    )
    parser.add_argument(
        "--ignore-extra-columns", action="store_true", help="drop columns the contract does not know"
    )


def _reader(path: Path) -> str:
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    literal = str(path).replace("'", "''")
    if suffix in {".parquet", ".pq"}:
        return f"read_parquet('{literal}')"
    if suffix in {".csv", ".csv.gz", ".tsv"}:
        return f"read_csv('{literal}', header = true, all_varchar = true)"
    raise ContractError(f"{path.name}: unsupported file type {suffix!r} (use .csv or .parquet)")


def validate(con, table: SourceTable, relation_sql: str, ignore_extra: bool) -> None:
    """Raise ContractError naming every missing, unexpected or mistyped column."""
    described = con.sql(f"describe select * from {relation_sql}").fetchall()
    present = {row[0].lower(): row[0] for row in described}
    expected = table.column_names()
    missing = [c for c in expected if c.lower() not in present]
    extra = [present[c] for c in present if c not in {e.lower() for e in expected}]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra and not ignore_extra:
        problems.append(f"unexpected column(s): {', '.join(extra)} (--ignore-extra-columns drops them)")
    if problems:
        raise ContractError(f"{table.qualified}: " + "; ".join(problems))
    mistyped = []
    for column in table.columns:
        name = present[column.name.lower()]
        bad = con.sql(
            f'select "{name}"::varchar as value from {relation_sql} '
            f'where "{name}" is not null and try_cast("{name}" as {column.duckdb_type}) is null limit 3'
        ).fetchall()
        if bad:
            examples = ", ".join(repr(v[0]) for v in bad)
            mistyped.append(f"{column.name} (expected {column.duckdb_type}; e.g. {examples})")
    if mistyped:
        raise ContractError(f"{table.qualified}: mistyped column(s): " + "; ".join(mistyped))


def load(
    source: str, file: str | Path, db: str | Path | None = None, mode: str = "replace", ignore_extra=False
) -> int:
    """Load `file` into raw table `source`; returns the rows loaded. Raises ContractError."""
    import duckdb

    table = SOURCES[source]
    path = Path(file)
    if not path.exists():
        raise ContractError(f"{path}: no such file")
    relation_sql = _reader(path)
    db_path = duckdb_path(str(db) if db else None)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("set TimeZone = 'UTC'")
        validate(con, table, relation_sql, ignore_extra)
        casts = ", ".join(f'cast("{c.name}" as {c.duckdb_type}) as "{c.name}"' for c in table.columns)
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {table.source}")
        if mode == "replace":
            con.execute(f"create or replace table {table.qualified} as select {casts} from {relation_sql}")
        else:
            exists = con.sql(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                params=[table.source, table.table],
            ).fetchone()[0]
            if not exists:
                con.execute(f"create table {table.qualified} as select {casts} from {relation_sql} limit 0")
            con.execute(f"insert into {table.qualified} select {casts} from {relation_sql}")
        rows = con.sql(f"select count(*) from {relation_sql}").fetchone()[0]
        con.execute("commit")
        return int(rows)
    except Exception:
        with contextlib.suppress(duckdb.Error):  # undo a partial load (no-op outside a transaction)
            con.execute("rollback")
        raise
    finally:
        con.close()


def run(args: argparse.Namespace) -> int:
    try:
        rows = load(args.source, args.file, args.db, args.mode, args.ignore_extra_columns)
    except ContractError as exc:
        print(f"load refused, nothing written: {exc}", file=sys.stderr)
        return 2
    print(f"loaded {rows} rows into {args.source} ({args.mode}) in {duckdb_path(args.db)}")
    print(
        "next: dbt build  (rows that break the contract's rules land in the *_rejected models with a reason)"
    )
    return 0
