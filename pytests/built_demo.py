"""The database `make dbt-test` built, copied for an end-to-end test that would otherwise build the
same thing itself (a module of its own: several test folders have a conftest.py, so `from conftest
import ...` would find whichever was imported first)."""

from __future__ import annotations

import os
from pathlib import Path

from sendwise.paths import duckdb_path


def copy_built_demo(folder: Path, relations: tuple[str, ...]) -> Path | None:
    """Copy the database `make dbt-test` built into `folder` (under its own file name: DuckDB names
    the catalog after the file, and the views refer to it) and return the copy's path, when it is what an end-to-end test would
    build itself: the small demo of seed 42 ending at DEFAULT_END, built with `as_of` DEFAULT_END
    (the build stamp of quarantine_reconciliation says so) and holding every one of `relations`
    ("schema.table"). Returns None, copying nothing, otherwise: the caller then generates and
    builds its own (the same data, only slower). Saves each caller a full demo build."""
    import shutil

    import duckdb

    from sendwise.paths import DEFAULT_END

    source = duckdb_path(os.environ.get("SENDWISE_DUCKDB_PATH") or "data/test.duckdb")
    if not source.exists() or Path(f"{source}.wal").exists():  # a file still being written
        return None
    try:
        with duckdb.connect(str(source), read_only=True) as con:
            meta = con.sql(
                "select scale, seed, strftime(end_at, '%Y-%m-%d %H:%M:%S') from ground_truth.generation_meta"
            ).fetchall()
            stamp = con.sql(
                "select distinct strftime(as_of, '%Y-%m-%d %H:%M:%S') from sendwise_ops.quarantine_reconciliation"
            ).fetchall()
            present = {
                f"{schema}.{name}"
                for schema, name in con.sql(
                    "select table_schema, table_name from information_schema.tables"
                ).fetchall()
            }
    except duckdb.Error:
        return None
    if meta != [("small", 42, DEFAULT_END)] or stamp != [(DEFAULT_END,)]:
        return None
    if not set(relations) <= present:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / source.name
    shutil.copyfile(source, dest)
    return dest


def seeded_database() -> Path | None:
    """The database `make dbt-test` built, to copy the dbt seeds from (`sendwise.dbt.load_seeds`),
    when its seeds are current: written after every file under seeds/ last changed. None otherwise
    (the caller then runs `dbt seed`)."""
    from sendwise.paths import PROJECT_ROOT

    source = duckdb_path(os.environ.get("SENDWISE_DUCKDB_PATH") or "data/test.duckdb")
    if not source.exists() or Path(f"{source}.wal").exists():
        return None
    newest_seed = max(path.stat().st_mtime for path in (PROJECT_ROOT / "seeds").rglob("*.csv"))
    return source if source.stat().st_mtime > newest_seed else None


def numeric_settings(con) -> dict[str, float]:
    """The number-typed rows of the built database's settings_modeling seed, by name (what the models
    read with `sendwise.setting()`)."""
    rows = con.sql(
        "select setting_name, setting_value from sendwise_seeds.settings_modeling where value_type = 'number'"
    ).fetchall()
    return {name: float(value) for name, value in rows}


def with_schema_prefix(
    source: Path, dest: Path, relations: tuple[str, ...], prefix: str, keep: tuple[str, ...] = ()
) -> Path:
    """Copy `relations` ("sendwise_<layer>.<table>") of the built database `source` into the DuckDB
    file `dest` (created when absent) as "<prefix>_<layer>.<table>", and `keep` ("schema.table", e.g.
    ground_truth.fans) under their own names: a database as a profile with `schema: <prefix>` builds
    it, holding no sendwise_ schema. Called twice on one `dest`, two builds' schemas side by side."""
    import duckdb

    assert all(name.startswith("sendwise_") for name in relations), relations
    targets = {name: f"{prefix}_{name.removeprefix('sendwise_')}" for name in relations}
    targets.update({name: name for name in keep})
    with duckdb.connect(str(source), read_only=True) as src, duckdb.connect(str(dest)) as out:
        for name, target in targets.items():
            out.register("copied", src.sql(f"select * from {name}").arrow())
            out.execute(f"create schema if not exists {target.split('.')[0]}")
            out.execute(f"create or replace table {target} as select * from copied")
            out.unregister("copied")
    return dest


def altered_copy(built_db: Path, folder: Path, *statements: str) -> Path:
    """A copy of the built database in `folder`, under the same file name (DuckDB names the catalog
    after the file, and the compiled SQL and views name that catalog), with `statements` run on it."""
    import shutil

    from sendwise.errors import run_statements

    db = folder / built_db.name
    shutil.copyfile(built_db, db)
    run_statements(db, statements)
    return db
