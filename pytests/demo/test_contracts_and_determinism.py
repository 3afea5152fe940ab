from __future__ import annotations

import duckdb
import pytest

from sendwise.cli import main
from sendwise.contracts import SOURCES
from sendwise.demo import generate
from sendwise.paths import DEFAULT_END as END


def _tables(con) -> list[str]:
    rows = con.sql(
        "select table_schema || '.' || table_name from information_schema.tables order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _content(path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.sql(f"select * from {t}").fetchall() for t in _tables(con)}
    finally:
        con.close()


@pytest.mark.parametrize("name", list(SOURCES))
def test_source_columns_and_types_match_contract(con, name):
    spec = SOURCES[name]
    schema, table = name.split(".")
    got = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    assert got == [(c.name, c.duckdb_type) for c in spec.columns]


def test_expected_truth_tables_exist(con):
    tables = set(_tables(con))
    for t in (
        "generation_meta", "pages", "page_category_affinity", "captions", "caption_near_duplicates", "fans",
        "fan_details", "content_arms", "injected_defects", "messiness", "coefficients", "dow_effects", "sends",
    ):  # fmt: skip
        assert f"ground_truth.{t}" in tables


def test_same_seed_is_identical_and_other_seed_differs(small_db, tmp_path):
    again = tmp_path / "again.duckdb"
    other = tmp_path / "other.duckdb"
    generate("small", 42, again, END)
    generate("small", 7, other, END)
    a, b, c = _content(small_db), _content(again), _content(other)
    assert a.keys() == b.keys()
    for t in a:
        assert a[t] == b[t], t
    assert a["agency.mass_messages"] != c["agency.mass_messages"]
    assert a["chat.chat_logs"] != c["chat.chat_logs"]


def test_scale_sizes(con):
    n = dict(
        con.sql(
            "select 'mm', count(*) from agency.mass_messages union all select 'cap', count(*) from"
            " agency.caption_bank union all select 'chat', count(*) from chat.chat_logs union all"
            " select 'posts', count(*) from content.content_metadata union all"
            " select 'cats', count(distinct content_category) from agency.caption_bank union all"
            " select 'pairs', count(*) from ground_truth.fans"
        ).fetchall()
    )
    assert 2000 <= n["mm"] <= 4000  # 8 pages x 60 days x ~6 messages a day (docs/demo_world.md)
    assert 2400 <= n["cap"] <= 2700
    assert 5000 <= n["chat"] <= 7500
    assert 300 <= n["posts"] <= 500
    assert n["cats"] == 49
    assert 100 <= n["pairs"] <= 250
    meta = con.sql(
        "select scale, seed, days, rows_mass_messages from ground_truth.generation_meta"
    ).fetchone()
    assert meta[:3] == ("small", 42, 60) and meta[3] == n["mm"]


def test_cli_writes_and_summarises(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert (
        main(
            ["demo-data", "--scale", "small", "--seed", "3", "--db", str(db), "--end", "2026-06-01 00:00:00"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "agency.mass_messages" in out and "generated in" in out
    con = duckdb.connect(str(db), read_only=True)
    end_at = con.sql("select end_at from ground_truth.generation_meta").fetchone()[0]
    assert str(end_at) == "2026-06-01 00:00:00"
    late = con.sql(
        "select count(*) from agency.mass_messages m where sending_time >= timestamp '2026-06-01'"
        " and row_id not in (select key_1 from ground_truth.injected_defects"
        " where defect_type = 'future_sending_time')"
    ).fetchone()[0]
    con.close()
    assert late == 0


def test_failed_write_leaves_previous_contents(tmp_path, monkeypatch):
    db = tmp_path / "atomic.duckdb"
    generate("small", 1, db, END)
    before = _content(db)
    import sendwise.demo.generate as gen

    def boom(con, name, df, casts=None):
        if name == "fans":
            raise RuntimeError("disk full")
        return real(con, name, df, casts)

    real = gen.write_truth
    monkeypatch.setattr(gen, "write_truth", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        generate("small", 2, db, END)
    assert _content(db) == before
