from __future__ import annotations

import duckdb
import pytest

from sendwise.demo import generate
from sendwise.paths import DEFAULT_END as END


@pytest.fixture(scope="session")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "small.duckdb"
    generate("small", 42, path, END)
    return path


@pytest.fixture(scope="session")
def con(small_db):
    c = duckdb.connect(str(small_db), read_only=True)
    yield c
    c.close()
