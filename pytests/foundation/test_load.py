"""`sendwise load`: contract errors name the columns and write nothing; good files load atomically."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from sendwise.commands.load import ContractError, load
from sendwise.contracts import CHAT_LOGS


def _chat_frame(n=3):
    return pd.DataFrame(
        {
            "chatter_name": ["ann"] * n,
            "model_name": ["SD Mochi"] * n,
            "fan_message": ["hi", "", "I sent you a $5.00 tip"][:n],
            "chatter_message": ["hey &amp; hi", "pic?", "thanks"][:n],
            "price": [0.0, 12.0, 0.0][:n],
            "purchased": [False, True, False][:n],
            "fan_id": ["fan_000001"] * n,
            "datetime": pd.to_datetime(
                ["2026-11-01 10:00:00", "2026-11-01 10:05:00", "2026-11-01 10:09:00"][:n]
            ),
            "tips": [0.0, 0.0, 5.0][:n],
            "revenue": [0.0, 12.0, 5.0][:n],
        }
    )


def _count(db, table="chat.chat_logs"):
    con = duckdb.connect(str(db))
    try:
        return con.sql(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def test_parquet_and_csv_load_with_contract_types(tmp_path):
    db = tmp_path / "raw.duckdb"
    parquet = tmp_path / "logs.parquet"
    _chat_frame().to_parquet(parquet)
    assert load("chat.chat_logs", parquet, db) == 3
    csv_path = tmp_path / "logs.csv"
    _chat_frame(2).to_csv(csv_path, index=False)
    assert load("chat.chat_logs", csv_path, db, mode="append") == 2
    con = duckdb.connect(str(db))
    types = dict(
        con.sql(
            "select column_name, data_type from information_schema.columns where table_name = 'chat_logs'"
        ).fetchall()
    )
    assert con.sql("select count(*) from chat.chat_logs").fetchone()[0] == 5
    con.close()
    assert types == {c.name: c.duckdb_type for c in CHAT_LOGS.columns}


def test_missing_and_unexpected_columns_are_named_and_nothing_is_written(tmp_path):
    db = tmp_path / "raw.duckdb"
    good = tmp_path / "good.parquet"
    _chat_frame().to_parquet(good)
    load("chat.chat_logs", good, db)
    bad = tmp_path / "bad.parquet"
    _chat_frame().drop(columns=["tips", "fan_id"]).assign(extra_col=1).to_parquet(bad)
    with pytest.raises(ContractError) as err:
        load("chat.chat_logs", bad, db)
    message = str(err.value)
    assert "missing column(s): fan_id, tips" in message
    assert "unexpected column(s): extra_col" in message
    assert _count(db) == 3  # the old table is untouched


def test_mistyped_column_is_named_with_examples(tmp_path):
    db = tmp_path / "raw.duckdb"
    frame = _chat_frame()
    frame["price"] = ["0", "twelve", "0"]
    path = tmp_path / "mistyped.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ContractError, match=r"price \(expected DOUBLE; e.g. row 2 'twelve'\)"):
        load("chat.chat_logs", path, db)
    con = duckdb.connect(str(db))
    assert (
        con.sql("select count(*) from information_schema.tables where table_name = 'chat_logs'").fetchone()[0]
        == 0
    )
    con.close()
