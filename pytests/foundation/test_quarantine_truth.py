"""Every injected defect is quarantined with the right reason, and nothing else is (built test DB).

The generator labels each bad row it injects in ground_truth.injected_defects (one label per
bad row, keyed by the source's natural key). The multiset of (key, reason) in each rejected
model must equal the multiset of (key, defect) the generator planted: no defect missed, no
clean row quarantined, and every reason right.
"""

from __future__ import annotations

from collections import Counter

import pytest

from sendwise.contracts import INJECTED_DEFECTS

# source -> (rejected model, SQL expressions of the label key columns in that model)
REJECTED = {
    "agency.mass_messages": ("stg_agency__mass_messages_rejected", ["row_id"]),
    "agency.caption_bank": ("stg_agency__caption_bank_rejected", ["caption_id"]),
    "agency.vault_matrix": ("stg_agency__vault_matrix_rejected", ["page_name_raw"]),
    "agency.pages": ("stg_agency__pages_rejected", ["page_name_raw"]),
    "chat.chat_logs": ("stg_chat__chat_logs_rejected", ["fan_id", "model_name", "message_at"]),
    "content.content_metadata": ("stg_content__content_metadata_rejected", ["decision_id"]),
    "content.outcomes": ("stg_content__outcomes_rejected", ["decision_id", "collected_at"]),
}


def _key_sql(expr: str) -> str:
    # timestamps as the generator writes them; nulls as ''
    return (
        f"coalesce(strftime({expr}, '%Y-%m-%d %H:%M:%S'), '')"
        if expr in {"message_at", "collected_at"}
        else (f"coalesce(cast({expr} as varchar), '')")
    )


@pytest.mark.parametrize("source", sorted(REJECTED))
def test_rejected_rows_are_exactly_the_injected_defects(built_con, source):
    model, key_columns = REJECTED[source]
    keys = ", ".join(_key_sql(c) for c in key_columns)
    rejected = Counter(
        built_con.sql(f"select {keys}, rejection_reason from sendwise_staging.{model}").fetchall()
    )
    n = len(key_columns)
    label_keys = ", ".join(f"coalesce(key_{i + 1}, '')" for i in range(n))
    planted = Counter(
        built_con.sql(
            f"select {label_keys}, defect_type from ground_truth.injected_defects where source_table = ?",
            params=[source],
        ).fetchall()
    )
    if source == "content.outcomes":
        planted = _latest_valid_collection_is_kept(built_con, planted)
    missed = planted - rejected
    extra = rejected - planted
    assert not missed, f"{source}: planted defects not quarantined as labelled: {list(missed.items())[:5]}"
    assert not extra, (
        f"{source}: rows quarantined that were not planted (or wrong reason): {list(extra.items())[:5]}"
    )


def _latest_valid_collection_is_kept(con, planted: Counter) -> Counter:
    """The generator labels every non-latest collection superseded; staging lets the latest
    *valid* collection win (a corrupt newest collection must not erase a good older one). So a
    superseded label on a post's newest collection without a row defect is expected clean."""
    winners = con.sql(
        """
        with labels as (
            select key_1 as decision_id, key_2 as collected_at, defect_type
            from ground_truth.injected_defects
            where source_table = 'content.outcomes' and defect_type <> 'superseded_collection'
        ),
        valid as (
            select o.decision_id, strftime(o.collected_at, '%Y-%m-%d %H:%M:%S') as collected_at
            from content.outcomes as o
            anti join labels as l
                on o.decision_id = l.decision_id
                and strftime(o.collected_at, '%Y-%m-%d %H:%M:%S') = l.collected_at
        )
        select decision_id, max(collected_at) from valid group by 1
        """
    ).fetchall()
    adjusted = Counter(planted)
    for decision_id, collected_at in winners:
        adjusted.pop((decision_id, collected_at, "superseded_collection"), None)
    return adjusted


DEFECT_PAIRS = [(source, defect) for source, defects in INJECTED_DEFECTS.items() for defect in defects]


@pytest.mark.parametrize(("source", "defect"), DEFECT_PAIRS, ids=[f"{s}:{d}" for s, d in DEFECT_PAIRS])
def test_each_defect_type_is_quarantined_with_its_reason(built_con, source, defect):
    model, key_columns = REJECTED[source]
    keys = ", ".join(_key_sql(c) for c in key_columns)
    caught = Counter(
        built_con.sql(
            f"select {keys} from sendwise_staging.{model} where rejection_reason = ?", params=[defect]
        ).fetchall()
    )
    label_keys = ", ".join(f"coalesce(key_{i + 1}, '')" for i in range(len(key_columns)))
    planted = Counter(
        built_con.sql(
            f"select {label_keys} from ground_truth.injected_defects where source_table = ? and defect_type = ?",
            params=[source, defect],
        ).fetchall()
    )
    assert planted, f"the generator planted no {defect} in {source}"
    if defect == "superseded_collection":
        assert set(caught) <= set(planted) and len(caught) >= 0.95 * sum(planted.values())
    else:
        assert caught == planted


def test_counts_reconcile_for_every_source(built_con):
    rows = built_con.sql(
        "select source_table, raw_rows, clean_rows, rejected_rows from sendwise_ops.quarantine_reconciliation"
    ).fetchall()
    assert {r[0] for r in rows} == set(REJECTED)
    for source, raw, clean, rejected in rows:
        assert raw == clean + rejected, source


def test_page_name_variants_normalise_to_one_known_page(built_con):
    unknown = built_con.sql(
        """
        select distinct m.page_name_raw
        from sendwise_staging.stg_agency__mass_messages as m
        anti join sendwise_staging.stg_agency__pages as p on m.page_key = p.page_key
        """
    ).fetchall()
    assert unknown == []
    variants = built_con.sql(
        "select page_key, count(distinct page_name_raw) from sendwise_staging.stg_agency__mass_messages group by 1"
    ).fetchall()
    assert any(n > 1 for _, n in variants), "the demo data should spell page names in several ways"
