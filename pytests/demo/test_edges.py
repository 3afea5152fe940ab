"""The edge-case worlds (`sendwise demo-data --edge NAME`, sendwise.demo.edges) are what their names
say, on a generated small world: each one's defining property holds after it is applied, and it
held for none of them before (so a statement that silently matched no row fails here)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from sendwise.demo.edges import EDGES, apply_edge

# edge -> a query that is true of the world exactly when the edge case holds
PROPERTIES = {
    "zero_revenue": "select sum(earnings) = 0 and sum(purchased_count) = 0"
    " and (select sum(revenue) + sum(tips) = 0 and not bool_or(purchased) from chat.chat_logs)"
    " and (select sum(impressions) = 0 from content.outcomes) from agency.mass_messages",
    "free_only": "select max(price) = 0 and bool_and(message_type = 'free')"
    " and (select max(price) = 0 from chat.chat_logs) from agency.mass_messages",
    "all_inactive": "select count(*) > 0 and not bool_or(is_active) from agency.pages",
    "one_page": "select count(distinct page_name) = 1"
    " and (select count(distinct page_name) from agency.mass_messages) = 1"
    " and (select count(distinct model_name) from chat.chat_logs) = 1 from agency.pages",
    # no send or chat row in the 180 days before the history's end (the longest window of the models;
    # the generator's future-dated defect rows, up to three weeks after the end, land just before them)
    "stale": "with m as (select max(end_at) as end_at from ground_truth.generation_meta)"
    " select (select count(*) from agency.mass_messages, m"
    " where sending_time between m.end_at - interval 180 day and m.end_at) = 0"
    " and (select count(*) from chat.chat_logs, m where datetime between m.end_at - interval 180 day and m.end_at) = 0",
    "no_facts": "select count(*) = 0 and (select count(*) from chat.chat_logs) = 0"
    " and (select count(*) from content.outcomes) = 0 and (select count(*) from agency.pages) > 0"
    " from agency.mass_messages",
}


def test_every_edge_has_its_property():
    assert set(PROPERTIES) == set(EDGES)


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_edge_case_world_holds_its_property(small_db, tmp_path, edge):
    db = tmp_path / "edge.duckdb"
    shutil.copyfile(small_db, db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql(PROPERTIES[edge]).fetchone()[0] is False  # the generated world is no edge case
    con.close()
    apply_edge(db, edge)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.sql(PROPERTIES[edge]).fetchone()[0] is True
    finally:
        con.close()
