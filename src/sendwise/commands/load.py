"""Bring your own data: load a CSV or Parquet file into a raw source of the DuckDB target.

`sendwise load --source chat.chat_logs --file logs.parquet` checks the file against the raw
contract (sendwise.contracts) before touching the database: a missing, unexpected or
mistyped column is a clear error naming it, and nothing is written. The checks run on an
in-memory connection, so a refused file never creates or changes the database. The replacement
then happens in one transaction, so the raw table is either the old one or the new one, never
half-loaded. One more `dbt build` runs the whole pipeline on the new data.

What is refused (one line on stderr, exit code 2, nothing written): a file that is not what its
name says (CSV text named .parquet and the reverse), a truncated Parquet file, text that is not
UTF-8 (UTF-16 included), a header-only file in replace mode (unless --allow-empty), a timestamp
that does not parse, a fractional value for an integer column, a Parquet column whose native type
the contract cannot hold (a STRUCT for a text column), and a --db that is not a DuckDB database.
Timestamps with a UTC offset (2026-11-10T23:30:00-05:00) are converted to UTC (04:30 the next day).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from pathlib import Path

from sendwise.contracts import SOURCES, SourceTable
from sendwise.errors import UserError, check_db_path, connect
from sendwise.paths import duckdb_path

HELP = "load a CSV/Parquet file into a raw source table of the DuckDB target (checked against the contract)"

PARQUET_MAGIC = b"PAR1"
INTEGER_TYPES = {"BIGINT", "INTEGER"}
# Parquet native types (DuckDB's names, prefix match) each contract type accepts.
PARQUET_COMPATIBLE = {
    "VARCHAR": ("VARCHAR",),
    "DOUBLE": ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
               "UINTEGER", "USMALLINT", "UTINYINT"),
    "BIGINT": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT", "DOUBLE", "FLOAT",
               "DECIMAL"),
    "INTEGER": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT", "DOUBLE",
                "FLOAT", "DECIMAL"),
    "BOOLEAN": ("BOOLEAN", "VARCHAR"),
    "TIMESTAMP": ("TIMESTAMP", "DATE", "VARCHAR"),
}  # fmt: skip
# A UTC offset or Z at the end of a timestamp text.
OFFSET_PATTERN = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


class ContractError(UserError):
    """The file does not match the raw contract; nothing was loaded."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", required=True, choices=sorted(SOURCES), help="raw table, e.g. chat.chat_logs"
    )
    parser.add_argument("--file", required=True, help="a .csv or .parquet file")
    parser.add_argument(
        "--db",
        default=None,
        help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb, from the current directory)",
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
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="let a file without data rows replace (empty) the table; refused otherwise",
    )


def _file_kind(path: Path) -> str:
    """'parquet' or 'csv' from the name, checked against the file's first and last bytes."""
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    if suffix not in {".parquet", ".pq", ".csv", ".csv.gz", ".tsv"}:
        raise ContractError(f"{path.name}: unsupported file type {suffix!r} (use .csv or .parquet)")
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(max(size - 4, 0))
        tail = handle.read(4)
    if suffix in {".parquet", ".pq"}:
        if head != PARQUET_MAGIC:
            raise ContractError(
                f"{path.name}: not a Parquet file (its bytes look like text: a CSV? name it .csv)"
            )
        if size < 12 or tail != PARQUET_MAGIC:
            raise ContractError(f"{path.name}: truncated or corrupt Parquet file (no footer)")
        return "parquet"
    if head == PARQUET_MAGIC:
        raise ContractError(f"{path.name}: a Parquet file named {suffix} (name it .parquet)")
    if head[:2] in {b"\xff\xfe", b"\xfe\xff"}:
        raise ContractError(f"{path.name}: UTF-16 text; save the file as UTF-8")
    return "csv"


def _reader(path: Path) -> str:
    literal = str(path).replace("'", "''")
    if _file_kind(path) == "parquet":
        return f"read_parquet('{literal}')"
    return f"read_csv('{literal}', header = true, all_varchar = true)"


def _column_sql(column, name: str, native: str) -> str:
    """The SQL that turns the file's column into the contract's type (offsets converted to UTC)."""
    quoted = f'"{name}"'
    if column.duckdb_type == "TIMESTAMP" and native == "VARCHAR":
        # timestamptz under the session's UTC zone: a text without offset is read as UTC, one with
        # an offset is converted to UTC; then the naive UTC timestamp the contract stores
        return f"cast(cast(trim({quoted}) as timestamptz) as timestamp)"
    if column.duckdb_type == "TIMESTAMP" and native.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"cast({quoted} as timestamp)"
    return f"cast({quoted} as {column.duckdb_type})"


def validate(con, table: SourceTable, relation_sql: str, ignore_extra: bool, kind: str = "csv") -> list[str]:
    """Raise ContractError naming every missing, unexpected or mistyped column; return the select list."""
    described = con.sql(f"describe select * from {relation_sql}").fetchall()
    present = {row[0].lower(): row[0] for row in described}
    native = {row[0].lower(): str(row[1]).upper() for row in described}
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
    selects = []
    for column in table.columns:
        name = present[column.name.lower()]
        file_type = native[column.name.lower()]
        if kind == "parquet" and not file_type.startswith(PARQUET_COMPATIBLE[column.duckdb_type]):
            mistyped.append(
                f"{column.name} (expected {column.duckdb_type}; the Parquet column is {file_type})"
            )
            continue
        expression = _column_sql(column, name, file_type)
        try_expression = expression.replace("cast(", "try_cast(")
        rows = con.sql(
            f'select row_number, "{name}"::varchar from (select row_number() over () as row_number, * '
            f'from {relation_sql}) where "{name}" is not null and {try_expression} is null limit 3'
        ).fetchall()
        if rows:
            examples = ", ".join(f"row {r} {v!r}" for r, v in rows)
            mistyped.append(f"{column.name} (expected {column.duckdb_type}; e.g. {examples})")
            continue
        if column.duckdb_type in INTEGER_TYPES:
            as_double = f'try_cast("{name}" as double)'
            rows = con.sql(
                f'select row_number, "{name}"::varchar from (select row_number() over () as row_number, * '
                f"from {relation_sql}) where {as_double} <> floor({as_double}) limit 3"
            ).fetchall()
            if rows:
                examples = ", ".join(f"row {r} {v!r}" for r, v in rows)
                mistyped.append(f"{column.name} (expected a whole number; e.g. {examples})")
                continue
        selects.append(f'{expression} as "{column.name}"')
    if mistyped:
        raise ContractError(f"{table.qualified}: mistyped column(s): " + "; ".join(mistyped))
    return selects


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if re.search(r"unicode|utf-?8|encoding", text, re.IGNORECASE):
        return "not valid UTF-8 text; save the file as UTF-8"
    return text[:300]


def load(
    source: str, file: str | Path, db: str | Path | None = None, mode: str = "replace", **options
) -> int:
    """Load `file` into raw table `source`; returns the rows of the file (see load_counts)."""
    return load_counts(source, file, db, mode, **options)[0]


def load_counts(
    source: str,
    file: str | Path,
    db: str | Path | None = None,
    mode: str = "replace",
    ignore_extra=False,
    allow_empty: bool = False,
) -> tuple[int, int, int]:
    """Load `file` into raw table `source`; returns (rows in the file, table rows before, after).

    Raises ContractError (nothing written) for every problem of the file, UserError for a bad --db.
    """
    import duckdb

    table = SOURCES[source]
    path = Path(file)
    if not path.is_file():
        raise ContractError(f"{path}: no such file")
    db_path = check_db_path(duckdb_path(str(db) if db else None), must_exist=False)
    kind = _file_kind(path)
    relation_sql = _reader(path)
    # every check on an in-memory connection: a refused file never creates or touches the database
    probe = duckdb.connect()
    try:
        probe.execute("set TimeZone = 'UTC'")
        selects = validate(probe, table, relation_sql, ignore_extra, kind)
        rows = int(probe.sql(f"select count(*) from {relation_sql}").fetchone()[0])
    except duckdb.Error as exc:
        raise ContractError(f"{path.name}: {_one_line(exc)}") from exc
    finally:
        probe.close()
    if rows == 0 and mode == "replace" and not allow_empty:
        raise ContractError(
            f"{path.name} has no data rows: replacing would empty {table.qualified} (pass --allow-empty to mean it)"
        )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(db_path, must_exist=False)
    try:
        con.execute("set TimeZone = 'UTC'")
        exists = con.sql(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            params=[table.source, table.table],
        ).fetchone()[0]
        # catalog-qualified: a database file named like a schema (chat.duckdb) is not ambiguous
        catalog = con.sql("select current_database()").fetchone()[0].replace('"', '""')
        schema = f'"{catalog}"."{table.source}"'
        target = f'{schema}."{table.table}"'
        before = int(con.sql(f"select count(*) from {target}").fetchone()[0]) if exists else 0
        casts = ", ".join(selects)
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {schema}")
        if mode == "replace":
            con.execute(f"create or replace table {target} as select {casts} from {relation_sql}")
        else:
            if not exists:
                con.execute(f"create table {target} as select {casts} from {relation_sql} limit 0")
            con.execute(f"insert into {target} select {casts} from {relation_sql}")
        after = int(con.sql(f"select count(*) from {target}").fetchone()[0])
        con.execute("commit")
        return rows, before, after
    except Exception:
        with contextlib.suppress(duckdb.Error):  # undo a partial load (no-op outside a transaction)
            con.execute("rollback")
        raise
    finally:
        con.close()


def run(args: argparse.Namespace) -> int:
    try:
        rows, before, after = load_counts(
            args.source,
            args.file,
            args.db,
            args.mode,
            ignore_extra=args.ignore_extra_columns,
            allow_empty=args.allow_empty,
        )
    except ContractError as exc:
        print(f"load refused, nothing written: {exc}", file=sys.stderr)
        return 2
    print(
        f"loaded {rows} rows into {args.source} ({args.mode}) in {duckdb_path(args.db)}: "
        f"{before} rows before, {after} after"
    )
    print(
        "next: dbt build  (rows that break the contract's rules land in the *_rejected models with a reason)"
    )
    return 0
