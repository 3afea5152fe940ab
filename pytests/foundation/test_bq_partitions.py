"""Partition-filter lint (src/sendwise/bigquery/partitions.py) on hand-written BigQuery SQL."""

from __future__ import annotations

import pytest

from sendwise.bigquery.partitions import is_constant, unpruned_reads

SENDS = "`p`.`marts`.`sends`"
PARTITIONED = {"p.marts.sends": "sent_at"}


@pytest.mark.parametrize(
    "where",
    [
        "sent_at >= timestamp_sub(timestamp '2026-11-15 00:00:00', interval 180 day)",
        "timestamp '2026-01-01' < sends.sent_at",
        "sent_at between timestamp '2026-01-01' and timestamp '2026-02-01'",
        "sent_at in (timestamp '2026-01-01', timestamp '2026-01-02')",
        "page_key = 'a' and (sent_at >= timestamp '2026-01-01')",
    ],
)
def test_constant_filters_on_the_bare_column_prune(where):
    assert unpruned_reads(f"select * from {SENDS} as sends where {where}", PARTITIONED) == []


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("unix_seconds(sent_at) >= 1700000000", "function on the column"),
        ("date_diff(date '2026-11-15', date(sent_at), day) <= 180", "arithmetic on the column"),
        ("sent_at >= (select max(sent_at) from `p`.`marts`.`other`)", "subquery is not a constant"),
        ("sent_at >= created_at", "compared with another column"),
        ("sent_at >= timestamp '2026-01-01' or page_key = 'a'", "an OR keeps every partition"),
        ("page_key = 'a'", "no filter on the partition column"),
    ],
)
def test_filters_that_cannot_prune_are_reported(where, why):
    found = unpruned_reads(f"select * from {SENDS} where {where}", PARTITIONED)
    assert [r.relation for r in found] == ["p.marts.sends"], why
    assert found[0].partition_column == "sent_at"


def test_a_filter_only_in_an_outer_query_does_not_count():
    sql = f"with sends as (select * from {SENDS}) select * from sends where sent_at >= timestamp '2026-01-01'"
    assert len(unpruned_reads(sql, PARTITIONED)) == 1


def test_a_join_condition_prunes_the_joined_table():
    sql = (
        "select * from `p`.`marts`.`pages` as pages "
        f"inner join {SENDS} as s on s.page_key = pages.page_key and s.sent_at >= timestamp '2026-01-01'"
    )
    assert unpruned_reads(sql, PARTITIONED) == []


def test_a_column_of_another_alias_does_not_count():
    sql = f"select * from {SENDS} as s inner join `p`.`x`.`t` as t on true where t.sent_at >= timestamp '2026-01-01'"
    assert len(unpruned_reads(sql, PARTITIONED)) == 1


def test_each_reference_is_checked():
    sql = f"select * from {SENDS} where sent_at > timestamp '2026-01-01' union all select * from {SENDS}"
    assert len(unpruned_reads(sql, PARTITIONED)) == 1


def test_unpartitioned_relations_are_ignored():
    assert unpruned_reads("select * from `p`.`marts`.`pages`", PARTITIONED) == []


def test_constant_expressions():
    import sqlglot

    def parse(text):
        return sqlglot.parse_one(text, read="bigquery")

    assert is_constant(parse("timestamp_sub(timestamp '2026-11-15', interval 3 day)"))
    assert is_constant(parse("cast('2026-01-01' as timestamp)"))
    assert not is_constant(parse("x + 1"))
    assert not is_constant(parse("(select 1)"))
