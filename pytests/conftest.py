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


def pytest_collection_modifyitems(config, items):
    """Modules with an end-to-end test run first, each module's tests in their own order: with
    xdist's --dist loadfile a module runs whole on one worker, and a long module handed out last
    keeps one worker busy while the other has nothing left to do."""
    heavy = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("e2e")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in heavy)
