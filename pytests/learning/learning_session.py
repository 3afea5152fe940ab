"""A dbt session over one DuckDB file, for multi-run learning tests.

dbt runs in-process through its programmatic API (`dbtRunner`): the project is parsed once and the
manifest is reused by every build, so advancing `as_of` (a var, which would otherwise force a full
re-parse) costs only the build itself. Artifacts go to a temporary target path, never to target/.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import duckdb

from sendwise.dbt import ensure_profiles
from sendwise.dbt_in_process import release_duckdb
from sendwise.paths import PROJECT_ROOT

# Daily growth applied to every send's earnings: 1.05 ^ 14 = 1.98, so every 14-day window earns about
# twice the one before - far above the +15 % lift threshold on every page, whatever its own trend.
DAILY_GROWTH = 1.05
FIRST_AS_OF = datetime(2026, 11, 10, 0, 0, 0)
EPOCH = timedelta(hours=12)
EPOCHS = 10

# The knob-learning subgraph (staging -> enriched sends -> signals -> steps -> knobs, changelog,
# snapshot) and, on top of it, the personalization weights with their changelog and snapshot.
KNOB_SELECTION = ["+page_knobs", "+learning_changelog", "page_knobs_snapshot"]
FULL_SELECTION = [
    *KNOB_SELECTION,
    "+personalization_weights_changelog",
    "page_personalization_weights_snapshot",
]


def as_of_of(epoch: int) -> str:
    return (FIRST_AS_OF + epoch * EPOCH).strftime("%Y-%m-%d %H:%M:%S")


class DbtSession:
    """dbt against one DuckDB file, parsed once."""

    def __init__(self, db_path, target_path):
        from dbt.cli.main import dbtRunner

        ensure_profiles()
        self.db_path = db_path
        self.common = [
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target_path),
        ]
        os.environ["SENDWISE_DUCKDB_PATH"] = str(db_path)
        os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        parsed = dbtRunner().invoke(["parse", "--quiet", "--log-level-file", "none", *self.common])
        assert parsed.success, parsed.exception
        self.runner = dbtRunner(manifest=parsed.result)
        self.seeded = False

    def build(self, as_of: str, selection: list[str], *, full_refresh: bool = False) -> None:
        """dbt build of the selection at as_of (no data tests; seeds only on the first build)."""
        os.environ["SENDWISE_DUCKDB_PATH"] = str(self.db_path)
        args = ["build", "--quiet", *self.common, "--vars", f'{{"as_of": "{as_of}"}}', "--select", *selection]
        # no data tests, no JSON artifacts, no file log: twelve builds, only their tables matter here
        args += [
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--no-write-json",
            "--log-level-file",
            "none",
        ]
        if self.seeded:
            args += ["--exclude", "resource_type:seed"]
        if full_refresh:
            args.append("--full-refresh")
        try:
            result = self.runner.invoke(args)
        finally:
            release_duckdb()  # dbt-duckdb keeps its DuckDB instance open in the process
        if not result.success:
            failures = [
                f"{r.node.name}: {r.message}"
                for r in getattr(result.result, "results", [])
                if str(r.status) in {"error", "fail"}
            ]
            raise AssertionError(f"dbt build at {as_of} failed: {result.exception or failures}")
        self.seeded = True

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
