"""weekly_plan_history end to end: a rebuild with the same as_of replaces that week with identical
rows, another as_of adds its week beside it, and --full-refresh keeps the history.

The small demo data is generated into a temporary DuckDB file and the first build runs everything the
template needs at as_of A (or that file is a copy of the database `make dbt-test` built at A); later builds only the template subgraph (int_template_send_slots+), which
regenerates the template (and stamps generated_for_as_of) from the same upstream tables.
"""

from __future__ import annotations

import os

import duckdb
import pytest
from built_demo import copy_built_demo

from sendwise.dbt import ensure_profiles
from sendwise.dbt_in_process import release_duckdb
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

pytestmark = pytest.mark.e2e

AS_OF_A = DEFAULT_END
AS_OF_B = "2026-11-22 00:00:00"
# (the ops models downstream of the template - alerts, reports, experiment results - also read
# tables this partial build never made, such as the source-health history: left out)
TEMPLATE_SUBGRAPH = ["int_template_send_slots+", "--exclude", "tag:ops"]
TEMPLATE_COLUMNS = (
    "page_key, plan_date, slot_number, send_at_utc, caption_id, price, expected_revenue, strategy_note"
)


class _Dbt:
    def __init__(self, db_path, target_path):
        from dbt.cli.main import dbtRunner

        ensure_profiles()
        self.db_path = db_path
        self.common = ["--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
        self.common += ["--target-path", str(target_path)]
        os.environ["SENDWISE_DUCKDB_PATH"] = str(db_path)
        os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        parsed = dbtRunner().invoke(["parse", "--quiet", "--log-level-file", "none", *self.common])
        assert parsed.success, parsed.exception
        self.runner = dbtRunner(manifest=parsed.result)

    def build(self, as_of: str, selection: list[str], *, full_refresh: bool = False) -> None:
        os.environ["SENDWISE_DUCKDB_PATH"] = str(self.db_path)
        args = ["build", "--quiet", *self.common, "--vars", f'{{"as_of": "{as_of}"}}', "--select", *selection]
        args += [
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--no-write-json",
            "--log-level-file",
            "none",
        ]
        if full_refresh:
            args.append("--full-refresh")
        try:
            result = self.runner.invoke(args)
        finally:
            release_duckdb()  # dbt-duckdb keeps its DuckDB instance open in the process
        assert result.success, f"dbt build at {as_of} failed: {result.exception}"

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def history_dbt(tmp_path_factory):
    root = tmp_path_factory.mktemp("plan_history")
    db_path = root / "history.duckdb"
    # make dbt-test built the same subgraph at AS_OF_A; else build it here
    copied = copy_built_demo(
        root / "built", ("sendwise_marts.weekly_plan_history", "sendwise_marts.weekly_template_7d")
    )
    db_path = copied or db_path
    if not copied:
        generate("small", 42, db_path, DEFAULT_END)
    previous = os.environ.get("SENDWISE_DUCKDB_PATH")
    session = _Dbt(db_path, root / "target")
    if not copied:
        # everything the template subgraph reads, QC table included (it reads the vault table stg_agency__vault_matrix)
        session.build(AS_OF_A, ["+weekly_plan_history", "+weekly_template_qc_violations"])
    yield session
    if previous is None:
        os.environ.pop("SENDWISE_DUCKDB_PATH", None)
    else:
        os.environ["SENDWISE_DUCKDB_PATH"] = previous


def _template(session) -> list[tuple]:
    return session.query(f"select {TEMPLATE_COLUMNS} from sendwise_marts.weekly_template_7d order by 1, 2, 3")


def _history_counts(session) -> dict[str, int]:
    rows = session.query(
        "select strftime(generated_for_as_of, '%Y-%m-%d %H:%M:%S'), count(*), count(distinct plan_history_key) "
        "from sendwise_marts.weekly_plan_history group by 1"
    )
    for _, n, distinct_keys in rows:
        assert n == distinct_keys, "duplicate plan_history_key"
    return {as_of: n for as_of, n, _ in rows}


def test_same_as_of_gives_identical_template_and_replaces_the_week(history_dbt):
    first = _template(history_dbt)
    assert first, "the template is empty"
    history_before = _history_counts(history_dbt)
    assert history_before == {AS_OF_A: len(first)}

    history_dbt.build(AS_OF_A, TEMPLATE_SUBGRAPH)

    assert _template(history_dbt) == first
    assert _history_counts(history_dbt) == history_before


def test_another_as_of_keeps_both_weeks_even_after_full_refresh(history_dbt):
    rows_a = _history_counts(history_dbt)[AS_OF_A]

    history_dbt.build(AS_OF_B, TEMPLATE_SUBGRAPH)
    counts = _history_counts(history_dbt)
    assert counts[AS_OF_A] == rows_a
    assert counts[AS_OF_B] == len(_template(history_dbt))

    history_dbt.build(AS_OF_B, TEMPLATE_SUBGRAPH, full_refresh=True)
    assert _history_counts(history_dbt) == counts
