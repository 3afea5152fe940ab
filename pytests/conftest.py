"""Shared pytest fixtures: the project root, the built test database (from `make dbt-test`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sendwise.paths import PROJECT_ROOT, duckdb_path


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def built_db() -> Path:
    """The DuckDB file `make dbt-test` built ($SENDWISE_DUCKDB_PATH, default data/test.duckdb)."""
    path = duckdb_path(os.environ.get("SENDWISE_DUCKDB_PATH") or "data/test.duckdb")
    if not path.exists():
        pytest.skip(f"no built test database at {path}: run `make dbt-test` first")
    return path


@pytest.fixture(scope="session")
def built_con(built_db):
    import duckdb

    con = duckdb.connect(str(built_db), read_only=True)
    yield con
    con.close()


def load_python_model(relative_path: str):
    """Import a dbt Python model file (python_models/...) as a module, to test its pure functions."""
    import importlib.util

    path = PROJECT_ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
