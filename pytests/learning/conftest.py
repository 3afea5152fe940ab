"""Fixture: the small demo data with revenue that keeps rising, and a dbt session over it."""

from __future__ import annotations

import os

import duckdb
import pytest
from learning_session import DAILY_GROWTH, DbtSession

from sendwise.demo import generate
from sendwise.paths import DEFAULT_END


@pytest.fixture(scope="module")
def rising_dbt(tmp_path_factory):
    """The small demo data with earnings growing DAILY_GROWTH per day, and a dbt session over it."""
    root = tmp_path_factory.mktemp("learning")
    db_path = root / "rising.duckdb"
    generate("small", 42, db_path, DEFAULT_END)
    con = duckdb.connect(str(db_path))
    con.execute(
        "update agency.mass_messages set earnings = earnings * pow(?, date_diff('day', timestamp '2026-09-01', sending_time)) "
        "where sending_time is not null and earnings is not null",
        [DAILY_GROWTH],
    )
    con.close()
    previous = os.environ.get("SENDWISE_DUCKDB_PATH")
    session = DbtSession(db_path, root / "target")
    yield session
    if previous is None:
        os.environ.pop("SENDWISE_DUCKDB_PATH", None)
    else:
        os.environ["SENDWISE_DUCKDB_PATH"] = previous
