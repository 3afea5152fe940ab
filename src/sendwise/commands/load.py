"""Bring your own data: load a CSV, Parquet or pickle file into a raw source of the DuckDB target.

A pickle (.pkl, .pickle) must hold one pandas DataFrame: the production chat log arrives in that
form. Reading a pickle runs code the file names, so load only pickles your own systems wrote; a
named index (a datetime index) is read as columns; the columns are checked like Parquet's.

`sendwise load --source chat.chat_logs --file logs.parquet` checks the file against the raw
contract (sendwise.contracts) before touching the database: a missing, unexpected or
mistyped column is a clear error naming it, and nothing is written. The checks run on an
in-memory connection, so a refused file never creates or changes the database. The replacement
then happens in one transaction, so the raw table is either the old one or the new one, never
half-loaded. One more `dbt build` runs the whole pipeline on the new data.

What is refused (one line on stderr, exit code 2, nothing written): a file that is not what its
name says (CSV text named .parquet and the reverse), a truncated Parquet file, text that is not
UTF-8 (UTF-16 included; the line of the first bad byte is named), a CSV record with more or fewer
fields than its header or a quote that is never closed (the line is named), a header-only file in
replace mode (unless --allow-empty), a timestamp that does not parse, a fractional value for an
integer column, a Parquet column whose native type the contract cannot hold (a STRUCT for a text
column), two columns that name the same contract column, and a --db that is not a DuckDB database.
Timestamps with a UTC offset (2026-11-10T23:30:00-05:00) are converted to UTC (04:30 the next day).
Column names are matched as exports write them: case, spaces and punctuation aside
("Chatter Message" is chatter_message); the command prints each column it read under another name.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import gzip
import re
import sys
import zlib
from pathlib import Path

from sendwise.contracts import SOURCES, Column, SourceTable
from sendwise.errors import UserError, check_db_path, connect, table_exists
from sendwise.paths import duckdb_path

HELP = "load a CSV/Parquet/pickle file into a raw source table of the DuckDB target (checked against the contract)"

PARQUET_MAGIC = b"PAR1"
PICKLE_SUFFIXES = {".pkl", ".pickle"}
PICKLE_PROTOCOL_2_PLUS = b"\x80"  # the first byte of every pickle of protocol 2 and later (pandas')
PICKLE_VIEW = "sendwise_load_frame"  # the pickled DataFrame, registered on each connection
INTEGER_TYPES = {"BIGINT", "INTEGER"}
# Native types of a Parquet or pickled column (DuckDB's names, prefix match) each contract type
# accepts. Text is accepted for every type and checked value by value as a CSV's is (numbers kept
# as text by an export); whole numbers are accepted as text ids (fan ids written as numbers).
PARQUET_COMPATIBLE = {
    "VARCHAR": ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT",
                "UTINYINT", "HUGEINT"),
    "DOUBLE": ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
               "UINTEGER", "USMALLINT", "UTINYINT", "VARCHAR"),
    "BIGINT": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT", "DOUBLE", "FLOAT",
               "DECIMAL", "VARCHAR"),
    "INTEGER": ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT", "DOUBLE",
                "FLOAT", "DECIMAL", "VARCHAR"),
    "BOOLEAN": ("BOOLEAN", "VARCHAR"),
    "TIMESTAMP": ("TIMESTAMP", "DATE", "VARCHAR"),
}  # fmt: skip
# Marks a spreadsheet uses in a yes/no column (lower case), read as true / false.
SPREADSHEET_TRUE = ("x", "\u2713", "\u2714", "\u2611")  # x ✓ ✔ ☑
SPREADSHEET_FALSE = ("-", "\u2013", "\u2717", "\u2718")  # - – ✗ ✘
# A UTC offset or Z at the end of a timestamp text.
OFFSET_PATTERN = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
# Field delimiters a CSV export uses; DuckDB's sniffer chooses among the same.
CSV_DELIMITERS = (",", ";", "\t", "|")
TIMESTAMP_HINT = "write them as 2026-05-19 03:04:33 (UTC) or with an offset, 2026-05-19T05:04:33+02:00"


class ContractError(UserError):
    """The file does not match the raw contract; nothing was loaded."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", required=True, choices=sorted(SOURCES), help="raw table, e.g. chat.chat_logs"
    )
    parser.add_argument(
        "--file", required=True, help="a .csv, .parquet or .pkl file (a pickled pandas DataFrame)"
    )
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
        "--ignore-extra-columns",
        action="store_true",
        help="drop columns the contract does not know (of the vault matrix, whose own categories load,"
        " only those that are not yes/no)",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="let a file without data rows replace (empty) the table; refused otherwise",
    )


def _file_kind(path: Path) -> str:
    """'parquet', 'pickle' or 'csv' from the name, checked against the file's first and last bytes."""
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    if suffix not in {".parquet", ".pq", ".csv", ".csv.gz", ".tsv", *PICKLE_SUFFIXES}:
        raise ContractError(f"{path.name}: unsupported file type {suffix!r} (use .csv, .parquet or .pkl)")
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
    if suffix in PICKLE_SUFFIXES:
        if head == PARQUET_MAGIC:
            raise ContractError(f"{path.name}: a Parquet file named {suffix} (name it .parquet)")
        if head[:1] != PICKLE_PROTOCOL_2_PLUS:
            raise ContractError(f"{path.name}: not a pickle of a DataFrame (a CSV? name it .csv)")
        return "pickle"
    if head == PARQUET_MAGIC:
        raise ContractError(f"{path.name}: a Parquet file named {suffix} (name it .parquet)")
    if head[:2] in {b"\xff\xfe", b"\xfe\xff"}:
        raise ContractError(f"{path.name}: UTF-16 text; save the file as UTF-8")
    return "csv"


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")


def _check_text(path: Path) -> None:
    """Raise ContractError for an empty file, a broken gzip stream or text that is not UTF-8."""
    try:
        _check_utf8(path)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ContractError(f"{path.name}: not a complete gzip file ({exc})") from exc


def _check_utf8(path: Path) -> None:
    """Raise ContractError naming the line of the first byte that is not UTF-8.

    Checked in Python before DuckDB reads the file: DuckDB's CSV errors mention the encoding among
    their possible fixes whatever went wrong, so their text cannot tell a bad byte from a bad row."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with _open_bytes(path) as handle:
        if not handle.read(1):
            raise ContractError(f"{path.name}: empty file (no header, no rows)")
        handle.seek(0)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: max(exc.start, 0)].count(b"\n")
                raise ContractError(
                    f"{path.name}: not valid UTF-8 text (line {line}); save the file as UTF-8"
                ) from exc
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ContractError(
                f"{path.name}: not valid UTF-8 text (line {line}, cut inside a character); save the file as UTF-8"
            ) from exc


def normalise_name(name: str) -> str:
    """A column name as the contract spells it: lower case, every run of other characters one '_'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _csv_structure_problem(path: Path, expected: list[str]) -> str | None:
    """A header that names a column twice, the first records whose field count differs from the
    header's, or a quote never closed.

    DuckDB's sniffer reads a file with one ragged record early on as a single column and then
    reports every column missing; later ones fail with advice about its own options. Python's csv
    module reads the records one by one (quoted line breaks included), so the line can be named.
    The delimiter is the one that splits the first line into the most contract columns; None when
    no delimiter finds two of them (a preamble line, a file that is not this table's)."""
    wanted = {normalise_name(name) for name in expected}
    with _open_bytes(path) as raw:
        first = raw.readline().decode("utf-8-sig", errors="replace")
    scores = {
        delimiter: len(
            wanted & {normalise_name(f) for f in next(csv.reader([first], delimiter=delimiter), [])}
        )
        for delimiter in CSV_DELIMITERS
    }
    delimiter = max(scores, key=scores.get)
    if scores[delimiter] < 2:
        return None
    with _open_bytes(path) as raw, codecs.getreader("utf-8-sig")(raw) as text:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        header = next(reader)
        # DuckDB renames a repeated header name (price, price_1), which would then read as an
        # unexpected column price_1: name the repetition instead
        seen: dict[str, tuple[int, str]] = {}
        for position, name in enumerate(header, 1):
            key = normalise_name(name)
            if key and key in seen:
                first, spelled = seen[key]
                if spelled.strip() == name.strip():
                    return f"the header names {key} twice (columns {first} and {position}); keep one"
                return (
                    f"columns {spelled.strip()!r} and {name.strip()!r} both name {key}"
                    f" (columns {first} and {position}); keep one"
                )
            seen[key] = (position, name)
        bad = []
        start = reader.line_num + 1
        try:
            for record in reader:
                if record and len(record) != len(header):
                    bad.append(f"line {start} has {len(record)}")
                    if len(bad) == 3:
                        break
                start = reader.line_num + 1
        except csv.Error:
            return f"the record that starts on line {start} opens a quote that is never closed"
    if bad:
        return f"{'; '.join(bad)} fields where the header has {len(header)} (a stray delimiter or quote?)"
    return None


def _read_pickle(path: Path):
    """The pickled pandas DataFrame, its named index levels as columns."""
    import pickle

    import pandas as pd

    try:
        frame = pd.read_pickle(path)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError) as exc:
        raise ContractError(f"{path.name}: not a readable pickle ({type(exc).__name__}: {exc})") from exc
    if not isinstance(frame, pd.DataFrame):
        raise ContractError(f"{path.name}: holds a {type(frame).__name__}, not a pandas DataFrame")
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame


def _relation(con, path: Path, kind: str, frame) -> str:
    """The SQL relation of the file on `con`: the pickled frame registered there, else a reader."""
    if kind == "pickle":
        con.register(PICKLE_VIEW, frame)
        return PICKLE_VIEW
    return _reader(path)


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
    if column.duckdb_type == "BOOLEAN" and native == "VARCHAR":
        # a spreadsheet's marks (the vault matrix): a check mark or x is true, a dash or cross false;
        # the rest as DuckDB reads it (true/false, t/f, yes/no, y/n, 1/0; an empty cell is null)
        marks_true = ", ".join(f"'{m}'" for m in SPREADSHEET_TRUE)
        marks_false = ", ".join(f"'{m}'" for m in SPREADSHEET_FALSE)
        text = f"lower(trim({quoted}))"
        return (
            f"case when {text} in ({marks_true}) then true when {text} in ({marks_false}) then false"
            f" else cast({quoted} as boolean) end"
        )
    return f"cast({quoted} as {column.duckdb_type})"


def validate(con, table: SourceTable, relation_sql: str, ignore_extra: bool, kind: str = "csv") -> list[str]:
    """Raise ContractError naming every missing, unexpected or mistyped column; return the select list."""
    described = con.sql(f"describe select * from {relation_sql}").fetchall()
    present: dict[str, str] = {}
    for name, *_ in described:
        key = normalise_name(name)
        if key in present:
            raise ContractError(
                f"{table.qualified}: columns {present[key]!r} and {name!r} both name {key}; keep one"
            )
        present[key] = name
    native = {normalise_name(row[0]): str(row[1]).upper() for row in described}
    expected = table.column_names()
    missing = [c for c in (expected if table.required is None else table.required) if c not in present]
    extra = [present[c] for c in present if c not in set(expected)]
    columns = [c for c in table.columns if c.name in present]
    if table.open_type:  # a wide table: the file's other columns are more of the same kind
        columns += [Column(normalise_name(name), table.open_type) for name in extra]
        extra = []
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra and not ignore_extra:
        problems.append(f"unexpected column(s): {', '.join(extra)} (--ignore-extra-columns drops them)")
    if problems:
        raise ContractError(f"{table.qualified}: " + "; ".join(problems))
    mistyped = []
    selects = []
    for column in columns:
        name = present[column.name]
        file_type = native[column.name]
        # a wide table's own column (not in the contract) that is not of its kind: a notes column
        own = column.name not in expected
        own_hint = " (one more column of the table's kind; --ignore-extra-columns drops it)" if own else ""
        if kind != "csv" and not file_type.startswith(PARQUET_COMPATIBLE[column.duckdb_type]):
            if own and ignore_extra:
                continue
            what = "Parquet column" if kind == "parquet" else "pickled column"
            mistyped.append(
                f"{column.name} (expected {column.duckdb_type}; the {what} is {file_type}){own_hint}"
            )
            continue
        expression = _column_sql(column, name, file_type)
        try_expression = expression.replace("cast(", "try_cast(")
        rows = con.sql(
            f'select row_number, "{name}"::varchar from (select row_number() over () as row_number, * '
            f'from {relation_sql}) where "{name}" is not null and {try_expression} is null limit 3'
        ).fetchall()
        if rows:
            if own and ignore_extra:
                continue
            examples = ", ".join(f"row {r} {v!r}" for r, v in rows)
            hint = f"; {TIMESTAMP_HINT}" if column.duckdb_type == "TIMESTAMP" else ""
            mistyped.append(f"{column.name} (expected {column.duckdb_type}; e.g. {examples}{hint}){own_hint}")
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
    """DuckDB's message up to its list of possible fixes (options of DuckDB's, not of this command)."""
    text = " ".join(str(exc).split())
    return text.split(" Possible fixes:")[0][:300]


def renamed_columns(con, relation_sql: str) -> list[str]:
    """'file name' as contract name, for each column read under another name than the file's
    (beyond its case, which SQL ignores anyway)."""
    names = [row[0] for row in con.sql(f"describe select * from {relation_sql}").fetchall()]
    return [f"{name!r} as {normalise_name(name)}" for name in names if name.lower() != normalise_name(name)]


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
) -> tuple[int, int, int, list[str]]:
    """Load `file` into raw table `source`.

    Returns (rows in the file, table rows before, after, the columns read under another name).

    Raises ContractError (nothing written) for every problem of the file, UserError for a bad --db.
    """
    import duckdb

    table = SOURCES[source]
    path = Path(file)
    if not path.is_file():
        raise ContractError(f"{path}: no such file")
    db_path = check_db_path(duckdb_path(str(db) if db else None), must_exist=False)
    kind = _file_kind(path)
    if kind == "csv":
        _check_text(path)
    frame = _read_pickle(path) if kind == "pickle" else None
    # every check on an in-memory connection: a refused file never creates or touches the database
    probe = duckdb.connect()
    try:
        probe.execute("set TimeZone = 'UTC'")
        relation_sql = _relation(probe, path, kind, frame)
        selects = validate(probe, table, relation_sql, ignore_extra, kind)
        rows = int(probe.sql(f"select count(*) from {relation_sql}").fetchone()[0])
        renamed = renamed_columns(probe, relation_sql)
    except (duckdb.Error, ContractError) as exc:
        # a ragged record or an open quote makes DuckDB misread the whole file: name the line instead
        structure = _csv_structure_problem(path, table.column_names()) if kind == "csv" else None
        if structure:
            raise ContractError(f"{path.name}: {structure}") from exc
        if isinstance(exc, ContractError):
            raise
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
        relation_sql = _relation(con, path, kind, frame)
        exists = table_exists(con, table.source, table.table)
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
            elif table.open_type:  # a wide table: the file's columns the table lacks are added
                held = {row[0].lower() for row in con.sql(f"describe {target}").fetchall()}
                loaded = con.sql(f"describe select {casts} from {relation_sql}").fetchall()
                for name, column_type, *_ in loaded:
                    if name.lower() not in held:
                        con.execute(f'alter table {target} add column "{name}" {column_type}')
            # by name: a file of a wide table may hold fewer or other columns than the table
            con.execute(f"insert into {target} by name select {casts} from {relation_sql}")
        after = int(con.sql(f"select count(*) from {target}").fetchone()[0])
        con.execute("commit")
        return rows, before, after, renamed
    except Exception:
        with contextlib.suppress(duckdb.Error):  # undo a partial load (no-op outside a transaction)
            con.execute("rollback")
        raise
    finally:
        con.close()


def run(args: argparse.Namespace) -> int:
    try:
        rows, before, after, renamed = load_counts(
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
    if renamed:
        print(f"read column(s) {', '.join(renamed)}")
    print(
        f"loaded {rows} rows into {args.source} ({args.mode}) in {duckdb_path(args.db)}: "
        f"{before} rows before, {after} after"
    )
    print(
        "next: dbt build  (rows that break the contract's rules land in the *_rejected models with a reason)"
    )
    return 0
