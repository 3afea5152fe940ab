from __future__ import annotations

import pytest

from sendwise.contracts import INJECTED_DEFECTS, NORMALISED_MESSINESS, SOURCES
from sendwise.demo.keys import page_key

CASES = [(src, d) for src, ds in INJECTED_DEFECTS.items() for d in ds]

# What makes a raw row bad, per defect (SQL over the raw table).
BAD_ROW_SQL = {
    ("agency.mass_messages", "missing_sending_time"): "sending_time is null",
    (
        "agency.mass_messages",
        "future_sending_time",
    ): "sending_time > (select end_at from ground_truth.generation_meta)",
    ("agency.mass_messages", "negative_price"): "price < 0",
    ("agency.mass_messages", "viewed_exceeds_sent"): "viewed_count > sent_count",
    ("agency.mass_messages", "purchased_exceeds_viewed"): "purchased_count > viewed_count",
    ("agency.mass_messages", "missing_page_name"): "page_name is null",
    ("agency.caption_bank", "missing_caption_text"): "caption_text is null",
    ("agency.pages", "invalid_timezone"): "timezone not in (select name from pg_timezone_names())",
    ("agency.pages", "invalid_active_window"): (
        "active_from_hour not between 0 and 23 or active_to_hour not between 0 and 23"
        " or active_from_hour = active_to_hour"
    ),
    ("chat.chat_logs", "invalid_fan_id"): "not regexp_matches(fan_id, '^[A-Za-z0-9][A-Za-z0-9._]+$')",
    ("chat.chat_logs", "system_message"): "fan_message like 'System:%'",
    ("chat.chat_logs", "missing_datetime"): "datetime is null",
    ("content.content_metadata", "quality_score_out_of_range"): "quality_score not between 0 and 1",
    ("content.outcomes", "negative_metric"): "least(likes, retweets, replies, bookmarks) < 0",
    ("content.outcomes", "missing_impressions"): "impressions is null",
}


def _key_match(src: str, alias: str = "r") -> str:
    keys = SOURCES[src].label_key
    parts = []
    for i, k in enumerate(keys, start=1):
        col = f'{alias}."{k}"'
        if {c.name: c.duckdb_type for c in SOURCES[src].columns}[k] == "TIMESTAMP":
            col = f"strftime({col}, '%Y-%m-%d %H:%M:%S')"
        parts.append(f"{col} is not distinct from l.key_{i}")
    return " and ".join(parts)


@pytest.mark.parametrize(("src", "defect"), CASES)
def test_every_defect_is_injected_labelled_and_joins_back(con, src, defect):
    labels = con.execute(
        "select count(*) from ground_truth.injected_defects where source_table = ? and defect_type = ?",
        [src, defect],
    ).fetchone()[0]
    assert labels >= 2
    n_raw = con.sql(f"select count(*) from {src}").fetchone()[0]
    if defect != "superseded_collection" and src not in ("agency.pages", "agency.vault_matrix"):
        assert labels <= max(2, 0.012 * n_raw)
    unmatched = con.execute(
        f"select count(*) from ground_truth.injected_defects l where source_table = ? and defect_type = ?"
        f" and not exists (select 1 from {src} r where {_key_match(src)})",
        [src, defect],
    ).fetchone()[0]
    assert unmatched == 0


@pytest.mark.parametrize(("src", "defect"), list(BAD_ROW_SQL))
def test_bad_rows_are_exactly_the_labelled_ones(con, src, defect):
    cond = BAD_ROW_SQL[(src, defect)]
    bad = con.sql(f"select count(*) from {src} where {cond}").fetchone()[0]
    labelled = con.execute(
        "select count(*) from ground_truth.injected_defects where source_table = ? and defect_type = ?",
        [src, defect],
    ).fetchone()[0]
    assert bad == labelled
    # each labelled key points at a row that really has the defect
    ok = con.execute(
        f"select count(*) from ground_truth.injected_defects l where source_table = ? and defect_type = ?"
        f" and exists (select 1 from {src} r where {_key_match(src)} and ({cond}))",
        [src, defect],
    ).fetchone()[0]
    assert ok == labelled


@pytest.mark.parametrize(
    ("src", "defect", "key"),
    [
        ("agency.mass_messages", "duplicate_row_id", "row_id"),
        ("agency.caption_bank", "duplicate_caption_id", "caption_id"),
        ("agency.pages", "duplicate_page_name", "page_name"),
        ("agency.vault_matrix", "duplicate_page_name", "page_name"),
        ("content.content_metadata", "duplicate_decision_id", "decision_id"),
        ("chat.chat_logs", "exact_duplicate", "fan_id, model_name, datetime"),
    ],
)
def test_duplicates_are_exact_copies_and_all_labelled(con, src, defect, key):
    # (a null datetime is its own defect, not a duplicate key)
    where = "where datetime is not null" if src == "chat.chat_logs" else ""
    extra = con.sql(
        f"select coalesce(sum(n - 1), 0) from (select {key}, count(*) n from {src} {where}"
        " group by all having n > 1)"
    ).fetchone()[0]
    labelled = con.execute(
        "select count(*) from ground_truth.injected_defects where source_table = ? and defect_type = ?",
        [src, defect],
    ).fetchone()[0]
    assert extra == labelled
    distinct_rows = con.sql(f"select count(*) from (select distinct * from {src})").fetchone()[0]
    total = con.sql(f"select count(*) from {src}").fetchone()[0]
    assert total - distinct_rows == labelled  # copies are identical rows


def test_one_defect_per_row(con):
    # no key carries two different defect types (duplicates are copies of clean rows)
    multi = con.sql(
        "select count(*) from (select source_table, key_1, key_2, key_3 from ground_truth.injected_defects"
        " group by all having count(distinct defect_type) > 1)"
    ).fetchone()[0]
    assert multi == 0


def test_superseded_collections_are_all_but_latest(con):
    n_sup = con.sql(
        "select count(*) from content.outcomes o where collected_at < (select max(collected_at)"
        " from content.outcomes i where i.decision_id = o.decision_id)"
    ).fetchone()[0]
    labelled = con.sql(
        "select count(*) from ground_truth.injected_defects where defect_type = 'superseded_collection'"
    ).fetchone()[0]
    assert n_sup == labelled > 0
    unposted = con.sql(
        "select count(*) from content.content_metadata m where posted_at is null"
        " and not exists (select 1 from content.outcomes o where o.decision_id = m.decision_id)"
    ).fetchone()[0]
    orphan = con.sql(
        "select count(*) from content.content_metadata m join content.outcomes o using (decision_id)"
        " where m.posted_at is null"
    ).fetchone()[0]
    assert unposted > 0 and orphan == 0


def test_messiness_present_and_counted(con):
    got = {(s, k): n for s, k, n in con.sql("select * from ground_truth.messiness").fetchall()}
    expected = {(s, k) for s, ks in NORMALISED_MESSINESS.items() for k in ks}
    assert set(got) == expected
    assert all(n >= 2 for n in got.values())


def test_page_name_variants_normalise_to_a_page(con):
    pages = {page_key(n) for (n,) in con.sql("select page_name from agency.pages").fetchall()}
    names = [
        n
        for (n,) in con.sql(
            "select distinct page_name from agency.mass_messages where page_name is not null"
        ).fetchall()
    ]
    names += [n for (n,) in con.sql("select distinct page_name from agency.vault_matrix").fetchall()]
    names += [n for (n,) in con.sql("select distinct model_name from chat.chat_logs").fetchall()]
    assert len(set(names)) > len(pages)  # there are spelling variants
    assert {page_key(n) for n in names} <= pages
    # key rule: lowercase, trim, runs of space/hyphen/underscore -> '_'
    assert page_key("  SD--Mochi ") == page_key("sd_mochi") == page_key("Sd  Mochi") == "sd_mochi"


def test_message_type_and_price_messiness(con):
    types = {
        t.lower() for (t,) in con.sql("select distinct message_type from agency.mass_messages").fetchall()
    }
    assert types == {"ppv", "free", "bump", "tip", "renew"}
    null_ppv = con.sql(
        "select count(*) from agency.mass_messages where price is null and lower(message_type) = 'ppv'"
    ).fetchone()[0]
    assert null_ppv == 0
