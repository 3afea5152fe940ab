"""The per-page shortlist and the pre-filter before scoring change no top-N result: the mart built
from the shortlist (ranking_shortlist_size) equals the mart built from every candidate, row for
row, and so does the mart built with the default pre-filter (ranking_prefilter_per_page)
against no pre-filter (ucb and greedy; under thompson the draw is taken over the shortlist, see
docs/ranking.md)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

AS_OF = "2026-11-15 00:00:00"


def _mart(compiled, con, shortlist_size: int, setting: str = "ranking_shortlist_size"):
    settings = compiled.seed_relation("settings_modeling")
    con.execute(
        f"update {settings} set setting_value = ? where setting_name = ?", [str(shortlist_size), setting]
    )
    compiled.execute(con, AS_OF)
    return con.sql(
        "select page_key, slot_local_at, rn, caption_id, score_final"
        f" from {compiled.model('caption_rankings_next24').relation} order by 1, 2, 3"
    ).fetchall()


def _setting(compiled, con, name: str) -> int:
    settings = compiled.seed_relation("settings_modeling")
    return int(
        float(
            con.execute(f"select setting_value from {settings} where setting_name = ?", [name]).fetchone()[0]
        )
    )


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


def _mart_with(compiled, con, values: dict[str, int]):
    settings = compiled.seed_relation("settings_modeling")
    for name, value in values.items():
        con.execute(f"update {settings} set setting_value = ? where setting_name = ?", [str(value), name])
    return _mart(compiled, con, values["ranking_shortlist_size"])


@pytest.mark.e2e
@pytest.mark.parametrize("policy", ["ucb", "greedy"])
def test_prefilter_changes_no_top_n_result(policy, small_world, compiled_policies, tmp_path):
    """The default pre-filter (400 never-sent captions per page) against no pre-filter (10^9); and,
    since a small-scale page has fewer than 400 never-sent captions in some worlds, a pre-filter
    that really cuts: 60 per page with a shortlist of 60 (exact for greedy as the pre-filter >=
    the shortlist) against no pre-filter with the same shortlist. The eligibility applies the
    pre-filter: with none its rows are every eligible pair, with 60 each page keeps every caption
    it has sent and exactly its 60 best never-sent ones by caption lift x style x category lift
    (checked here against every eligible pair), and with one of 1 each row left has the candidate
    flag, fresh count and cooldown rank it has among every pair."""
    compiled = compiled_policies[policy]
    db = tmp_path / small_world.db_path.name
    shutil.copyfile(small_world.db_path, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        compiled.setup(con, AS_OF)
        prefilter, shortlist = "ranking_prefilter_per_page", "ranking_shortlist_size"
        default = {
            prefilter: _setting(compiled, con, prefilter),
            shortlist: _setting(compiled, con, shortlist),
        }
        scores = compiled.model("int_ranking_caption_scores").relation

        def eligibility_rows():
            eligibility = compiled.model("int_ranking_caption_eligibility").relation
            return {
                (page, caption): rest
                for page, caption, *rest in con.sql(
                    "select page_key, caption_id, is_candidate, n_fresh_on_page, cooldown_lru_rank"
                    f" from {eligibility}"
                ).fetchall()
            }

        def shortlist_rows():
            return con.sql(
                f"select page_key, caption_id, shortlist_rank from {scores} order by 1, 3"
            ).fetchall()

        pairs = {
            "default": (
                _mart_with(compiled, con, default),
                _mart_with(compiled, con, {**default, prefilter: 10**9}),
            )
        }
        cut = _mart_with(compiled, con, {prefilter: 60, shortlist: 60})
        cut_pool = eligibility_rows()
        # what the pre-filter of 60 must keep, from every eligible pair: every caption the page has
        # sent and its 60 best never-sent ones by prefilter_key x category_lift, ties by caption_id
        keyed = (
            compiled.every_eligible_pair(con)
            .merge(
                con.sql(
                    "select caption_id, content_category, prefilter_key"
                    f" from {compiled.model('int_ranking_caption_prefilter').relation}"
                ).df(),
                on="caption_id",
            )
            .merge(
                con.sql(
                    "select page_key, content_category, category_lift"
                    f" from {compiled.model('int_ranking_page_category_lift').relation}"
                ).df(),
                on=["page_key", "content_category"],
                how="left",
            )
        )
        keyed["page_key_value"] = keyed["prefilter_key"] * keyed["category_lift"].fillna(1.0)
        never_sent = keyed[keyed["last_used_at"].isna()].sort_values(
            ["page_key", "page_key_value", "caption_id"], ascending=[True, False, True]
        )
        sent = keyed[keyed["last_used_at"].notna()]
        best_never_sent = never_sent.groupby("page_key").head(60)
        expected_cut = set(zip(sent["page_key"], sent["caption_id"], strict=True)) | set(
            zip(best_never_sent["page_key"], best_never_sent["caption_id"], strict=True)
        )
        most_never_sent = int(never_sent.groupby("page_key").size().max())
        pairs["cut"] = (cut, _mart_with(compiled, con, {prefilter: 10**9, shortlist: 60}))
        unfiltered_shortlist = shortlist_rows()
        # with no pre-filter every eligible pair is a row of the eligibility
        unfiltered_pool = eligibility_rows()
        every_pair = compiled.every_eligible_pair(con)
        # a pre-filter of 1 caption per page (plus what the page has sent) does cut into the
        # shortlist of 60: the test could see a pre-filter that drops what it must not
        _mart_with(compiled, con, {prefilter: 1, shortlist: 60})
        too_narrow = shortlist_rows()
        narrow_pool = eligibility_rows()
    finally:
        con.close()
    # the cut run does cut: a page has more than 60 never-sent eligible captions
    assert default[prefilter] >= default[shortlist] and most_never_sent > 60
    assert set(cut_pool) == expected_cut
    for filtered, unfiltered in pairs.values():
        assert len(unfiltered) > 0
        assert [r[:4] for r in filtered] == [r[:4] for r in unfiltered]
        assert max(abs(a[4] - b[4]) for a, b in zip(filtered, unfiltered, strict=True)) < 1e-9
    assert too_narrow != unfiltered_shortlist
    # the eligibility keeps only the pairs that can reach the scores, each as it is among every pair
    assert set(unfiltered_pool) == set(zip(every_pair["page_key"], every_pair["caption_id"], strict=True))
    assert 0 < len(narrow_pool) < len(unfiltered_pool)
    assert all(unfiltered_pool[pair] == rest for pair, rest in narrow_pool.items())
