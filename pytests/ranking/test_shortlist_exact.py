"""The per-page shortlist changes no top-N result: the mart built from the shortlist
(ranking_shortlist_size) equals the mart built from every candidate, row for row (ucb and greedy;
under thompson the draw is taken over the shortlist, see docs/ranking.md)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

AS_OF = "2026-11-15 00:00:00"


def _mart(compiled, con, shortlist_size: int):
    settings = compiled.seed_relation("settings_modeling")
    con.execute(
        f"update {settings} set setting_value = ? where setting_name = 'ranking_shortlist_size'",
        [str(shortlist_size)],
    )
    compiled.execute(con, AS_OF)
    return con.sql(
        "select page_key, slot_local_at, rn, caption_id, score_final"
        f" from {compiled.model('caption_rankings_next24').relation} order by 1, 2, 3"
    ).fetchall()


@pytest.mark.e2e
@pytest.mark.parametrize("policy", ["ucb", "greedy"])
def test_shortlist_changes_no_top_n_result(policy, small_world, compiled_policies, tmp_path):
    compiled = compiled_policies[policy]
    db = tmp_path / small_world.db_path.name
    shutil.copyfile(small_world.db_path, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        compiled.setup(con, AS_OF)
        settings = compiled.seed_relation("settings_modeling")
        default = int(
            float(
                con.execute(
                    f"select setting_value from {settings} where setting_name = 'ranking_shortlist_size'"
                ).fetchone()[0]
            )
        )
        top_n = int(
            float(
                con.execute(
                    f"select setting_value from {settings} where setting_name = 'ranking_top_n'"
                ).fetchone()[0]
            )
        )
        with_shortlist = _mart(compiled, con, default)
        every_candidate = _mart(compiled, con, 10**9)
        # a shortlist narrower than the slot terms can reorder does change the result
        too_narrow = _mart(compiled, con, top_n // 2)
    finally:
        con.close()
    assert len(with_shortlist) > 0
    # the same caption at every (page, slot, rank); scores equal up to float summation order
    assert [r[:4] for r in with_shortlist] == [r[:4] for r in every_candidate]
    assert max(abs(a[4] - b[4]) for a, b in zip(with_shortlist, every_candidate, strict=True)) < 1e-9
    assert [r[:4] for r in too_narrow] != [r[:4] for r in every_candidate]
