"""The Thompson draw is portable: its BigQuery compilation (transpiled back by sqlglot) gives the
same hash, uniforms, normal variate and draw on DuckDB as the DuckDB compilation, key by key
(both compilations from `make test`'s own steps when current: pytests/compiled_analysis.py)."""

from __future__ import annotations

import duckdb
import pytest
from compiled_analysis import compiled_analysis

ANALYSIS = "ranking_thompson_draw_portability"


@pytest.mark.e2e
def test_bigquery_and_duckdb_draws_are_identical(tmp_path):
    sqlglot = pytest.importorskip("sqlglot")
    duck_sql = compiled_analysis(ANALYSIS, tmp_path)
    bq_sql = compiled_analysis(ANALYSIS, tmp_path, "bigquery_offline")
    assert "to_hex(md5(" in bq_sql and "int64" in bq_sql  # really the BigQuery rendering
    transpiled = sqlglot.transpile(bq_sql, read="bigquery", write="duckdb")[0]
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    duck = con.sql(duck_sql).df().sort_values("generated_number").reset_index(drop=True)
    bq = con.sql(transpiled).df().sort_values("generated_number").reset_index(drop=True)
    assert len(duck) == len(bq) == 512
    assert (duck["draw_key"] == bq["draw_key"]).all()  # same key text on both engines
    assert (duck["hash_int"] == bq["hash_int"]).all()
    for column in ("uniform", "z", "p_draw"):
        assert (duck[column] - bq[column]).abs().max() < 1e-12, column
    # the key really varies the draw, and the draw respects the truncation bound
    assert duck["hash_int"].nunique() == 512
    sd = (0.25 * 0.75 / 100) ** 0.5
    assert duck["p_draw"].between(0.25 - 4 * sd - 1e-12, 0.25 + 4 * sd + 1e-12).all()
