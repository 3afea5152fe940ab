"""User errors of the commands: one line on stderr, exit code 2, nothing written.

`UserError` is what a command raises for a mistake of its user (a bad file, a bad --db, a database
held by a running build); `sendwise.cli.main` prints it as one line and exits 2. `connect` opens
the DuckDB file of a command and turns DuckDB's lock conflict (a 14-line traceback) into "the
database is in use by process N; retry when it ends".
"""

from __future__ import annotations

import re
from pathlib import Path

EXIT_USER_ERROR = 2
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
NOT_A_DATABASE_SUFFIXES = {".csv", ".tsv", ".gz", ".parquet", ".pq", ".json", ".jsonl", ".txt", ".xlsx"}


class UserError(Exception):
    """A mistake of the command's user, reported as one line (exit code 2)."""


def lock_message(exc: BaseException) -> str | None:
    """The one-line message for DuckDB's lock conflict, None for any other error."""
    text = str(exc)
    if "lock" not in text.lower() or "conflicting lock" not in text.lower():
        return None
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another process"
    return f"the database is in use by {holder}; retry when it ends"


def check_db_path(path: Path, *, must_exist: bool) -> Path:
    """Refuse a --db that is a folder, a data file or any file that is not a DuckDB database."""
    if path.is_dir():
        raise UserError(f"--db {path} is a folder, not a DuckDB database file")
    suffixes = {s.lower() for s in path.suffixes}
    if suffixes & NOT_A_DATABASE_SUFFIXES:
        raise UserError(f"--db {path} names a data file, not a DuckDB database (e.g. data/sendwise.duckdb)")
    if path.exists():
        with path.open("rb") as handle:
            head = handle.read(12)
        if not head:  # DuckDB refuses an empty file, even to write a new database into
            raise UserError(
                f"--db {path} is an empty file, not a DuckDB database (delete it to start a new one)"
            )
        if head[8:12] != DUCKDB_MAGIC:
            raise UserError(f"--db {path} is not a DuckDB database file")
    elif must_exist:
        raise UserError(
            f"--db {path}: no such database (build it first: sendwise demo-data or sendwise load)"
        )
    return path


def connect(path: Path, *, read_only: bool = False, must_exist: bool | None = None):
    """duckdb.connect after check_db_path, with the lock conflict as a UserError."""
    import duckdb

    check_db_path(path, must_exist=read_only if must_exist is None else must_exist)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        message = lock_message(exc)
        if message:
            raise UserError(message) from exc
        raise


def run_statements(path: Path, statements) -> None:
    """Run SQL `statements` in order on the DuckDB file `path` (created when missing), then close it."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


def table_exists(con, schema: str, table: str) -> bool:
    """The DuckDB connection's database holds schema.table (a table or a view)."""
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return bool(con.execute(query, [schema, table]).fetchone()[0])


def ensure_not_locked(path: Path) -> None:
    """Raise UserError when another process holds the database (before handing it to dbt)."""
    if path.exists():
        connect(path, read_only=False, must_exist=True).close()


def _folder_problem(path: Path) -> str | None:
    """Why `path` cannot be (or become) a folder this user writes in, None when it can."""
    import os

    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"no permission to write in {existing}"
    return None


def check_out_dir(path: Path, flag: str = "--out") -> Path:
    """Refuse, before any work and without creating anything, an output folder that cannot be made:
    a file where the folder or one of its parents should be, or a folder this user cannot write."""
    problem = _folder_problem(path)
    if problem:
        raise UserError(f"{flag} {path}: {problem}")
    return path


def check_out_file(path: Path, flag: str = "--out") -> Path:
    """Refuse an output file that is a folder or whose folder cannot be made (see check_out_dir)."""
    import os

    if path.is_dir():
        raise UserError(f"{flag} {path} is a folder; give a file name")
    problem = _folder_problem(path.parent)
    if problem:
        raise UserError(f"{flag} {path}: {problem}")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"{flag} {path}: no permission to write it")
    return path


def check_run_outputs(out: str | None, workdir: str | None) -> None:
    """An evaluation's --out file and --workdir folder, checked before minutes of work, not after."""
    if out:
        check_out_file(Path(out))
    if workdir:
        check_out_dir(Path(workdir), "--workdir")
