"""End-to-end: the content bandit's persisted state across runs, and its choice against the truth.

Each test builds the smallest subgraph it needs into its own temporary DuckDB file. dbt runs
in-process (dbtRunner) on a manifest parsed once per module: a parse costs several seconds and
every build here changes the `as_of` var, which would force a full re-parse in a subprocess. The
manifest bakes in the DuckDB catalog name (the file stem), so every database file here is named
`loop.duckdb`, each in its own directory.
"""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pytest

from sendwise.dbt import ensure_profiles, vars_arg
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

pytestmark = pytest.mark.e2e

DB_NAME = "loop.duckdb"
ARMS_SQL = """
    select scope, arm_name, successes, failures, alpha, beta, round(engagement_rate_sum, 9) as er_sum
    from sendwise_marts.content_bandit_arms
    where n_outcomes > 0
    order by scope, arm_name
"""


class InProcessDbt:
    def __init__(self, target_path, parse_db):
        self.target_path = str(target_path)
        self.manifest = None
        ensure_profiles()
        result = self._invoke(parse_db, ["parse", "--quiet", *self._common()])
        self.manifest = result.result

    def _common(self) -> list[str]:
        return [
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            self.target_path,
        ]

    def _invoke(self, db, args: list[str]):
        """Run dbt in-process against `db` (the profile reads $SENDWISE_DUCKDB_PATH; restored after)."""
        from dbt.cli.main import dbtRunner

        assert db.name == DB_NAME, "the parsed manifest expects this catalog name"
        previous = {k: os.environ.get(k) for k in ("SENDWISE_DUCKDB_PATH", "DO_NOT_TRACK")}
        os.environ.update({"SENDWISE_DUCKDB_PATH": str(db), "DO_NOT_TRACK": "1"})
        try:
            result = dbtRunner(manifest=self.manifest).invoke(args)
        finally:
            for key, value in previous.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        assert result.success, f"dbt {' '.join(args)} failed: {result.exception}"
        return result

    def build(self, db, as_of: str, select: str, *extra: str) -> None:
        args = ["build", "--quiet", "--select", *select.split(), *self._common()]
        args += ["--exclude-resource-type", "test", "unit_test", "--vars", vars_arg({"as_of": as_of}), *extra]
        self._invoke(db, args)


@pytest.fixture(scope="module")
def dbt(tmp_path_factory):
    return InProcessDbt(
        tmp_path_factory.mktemp("content_target"), tmp_path_factory.mktemp("content_parse") / DB_NAME
    )


def _query(db, sql: str) -> pd.DataFrame:
    # default configuration: dbt-duckdb may still hold this file open in-process
    con = duckdb.connect(str(db))
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def _execute(db, *statements: tuple[str, list]) -> None:
    con = duckdb.connect(str(db))
    try:
        for sql, params in statements:
            con.execute(sql, params)
    finally:
        con.close()


@pytest.fixture(scope="module")
def small_source(tmp_path_factory):
    path = tmp_path_factory.mktemp("content_src") / DB_NAME
    generate("small", 42, path, DEFAULT_END)
    return path


def test_three_builds_with_arriving_outcomes_equal_one_build_over_all(dbt, small_source, tmp_path):
    """Outcomes arrive in three tranches by collection time (new posts and re-collections of posts
    already counted); one build after each tranche with as_of at the tranche's end. The arms then
    equal one build over all outcomes; a rerun appends nothing; --full-refresh gives the same."""
    end = pd.Timestamp(DEFAULT_END)
    cut_1, cut_2 = end - pd.Timedelta(days=30), end - pd.Timedelta(days=10)
    (tmp_path / "multi").mkdir()
    (tmp_path / "single").mkdir()
    multi, single = tmp_path / "multi" / DB_NAME, tmp_path / "single" / DB_NAME
    shutil.copy(small_source, multi)
    shutil.copy(small_source, single)

    dbt.build(single, DEFAULT_END, "+content_bandit_arms")
    one_build = _query(single, ARMS_SQL)

    _execute(
        multi,
        ("create table content.outcomes_all as select * from content.outcomes", []),
        ("delete from content.outcomes where collected_at > ?", [cut_1.to_pydatetime()]),
    )
    dbt.build(multi, str(cut_1), "+content_bandit_arms")
    _execute(
        multi,
        (
            "insert into content.outcomes select * from content.outcomes_all"
            " where collected_at > ? and collected_at <= ?",
            [cut_1.to_pydatetime(), cut_2.to_pydatetime()],
        ),
    )
    dbt.build(multi, str(cut_2), "+content_bandit_arms")
    _execute(
        multi,
        (
            "insert into content.outcomes select * from content.outcomes_all where collected_at > ?",
            [cut_2.to_pydatetime()],
        ),
        ("drop table content.outcomes_all", []),
    )
    dbt.build(multi, DEFAULT_END, "+content_bandit_arms")
    after_three = _query(multi, ARMS_SQL)
    ledger = _query(multi, "select * from sendwise_marts.content_bandit_outcome_ledger")

    # the history exercised what it must: outcomes counted in every batch, and posts re-collected
    # after they had been counted (reverse of the old version + count of the new one)
    assert set(ledger["batch_seq"]) == {1, 2, 3}
    recollected = ledger[ledger["change_reason"] == "recollected"]
    assert (recollected["entry_type"] == "reverse").sum() > 10
    assert (recollected["entry_type"] == "count").sum() == (recollected["entry_type"] == "reverse").sum()
    assert set(ledger.groupby("decision_id")["entry_sign"].sum()) == {1}

    pd.testing.assert_frame_equal(after_three, one_build)
    assert after_three["successes"].sum() + after_three["failures"].sum() == 2 * ledger["entry_sign"].sum()

    dbt.build(multi, DEFAULT_END, "+content_bandit_arms")  # rerun, same as_of, nothing new
    assert len(_query(multi, "select * from sendwise_marts.content_bandit_outcome_ledger")) == len(ledger)
    pd.testing.assert_frame_equal(_query(multi, ARMS_SQL), one_build)

    dbt.build(multi, DEFAULT_END, "content_bandit_outcome_ledger content_bandit_arms", "--full-refresh")
    assert len(_query(multi, "select * from sendwise_marts.content_bandit_outcome_ledger")) == len(ledger)
    pd.testing.assert_frame_equal(_query(multi, ARMS_SQL), one_build)


def _recommendation(db) -> pd.DataFrame:
    return _query(
        db,
        "select arm_name, alpha, beta, posterior_mean, thompson_draw, rank_in_scope, is_recommended"
        " from sendwise_marts.content_next_post_recommendation where scope = 'content'"
        " order by rank_in_scope",
    )


def test_arm_posteriors_track_the_true_success_rates(dbt, tmp_path):
    """On the seed demo (about 4,000 outcomes, 300-400 per content arm) every arm's posterior mean is
    within 0.06 of the generator's true P(ER > 3 %) (the observed shares sit within 0.03 of it; the
    prior and the engagement-rate noise around the threshold take the rest). Whether the recommended
    arm is the truly best one is not asserted: the best arm leads the second by only 0.03-0.10
    (issue 14), so a correct bandit may still recommend the second. A rebuild draws the same numbers."""
    db = tmp_path / DB_NAME
    generate("seed", 42, db, DEFAULT_END)
    dbt.build(db, DEFAULT_END, "+content_next_post_recommendation")
    content = _recommendation(db)
    truth = _query(db, "select content_type as arm_name, true_success_prob from ground_truth.content_arms")
    both = content.merge(truth, on="arm_name")
    assert len(both) == len(truth) == 6
    assert ((both["posterior_mean"] - both["true_success_prob"]).abs() <= 0.06).all(), both.to_string()
    assert content["is_recommended"].sum() == 1
    dbt.build(db, DEFAULT_END, "content_next_post_recommendation")
    pd.testing.assert_frame_equal(content, _recommendation(db))
