"""round_float rounds a float the same way on DuckDB and on BigQuery, where round(x, d) does not. The
analysis `round_float_portability` compiled for DuckDB runs on DuckDB, compiled for BigQuery on
BigQuery's own evaluator (ZetaSQL, tools/zetasql): the portable column must agree row for row, and
the plain round must differ on the floats whose binary value lies just below a decimal tie (the
engine difference the macro exists for; one such value in a one-page world's weekly template made
DuckDB and BigQuery print 10.9888 and 10.9887)."""

from __future__ import annotations

import duckdb
import pytest
from bigquery_evaluator import evaluate_on_bigquery, needs_zetasql
from compiled_analysis import compiled_analysis

pytestmark = pytest.mark.e2e

ANALYSIS = "round_float_portability"
TYPES = ["INT64", "DOUBLE", "INT64", "DOUBLE", "DOUBLE"]


@needs_zetasql
def test_round_float_is_the_same_on_duckdb_and_bigquery(tmp_path):
    con = duckdb.connect()
    duck = con.sql(compiled_analysis(ANALYSIS, tmp_path)).fetchall()
    con.close()
    bigquery = evaluate_on_bigquery(compiled_analysis(ANALYSIS, tmp_path, "bigquery_offline"), TYPES)
    assert len(duck) == len(bigquery) == 11
    assert [row[4] for row in duck] == [row[4] for row in bigquery]
    # the portable value is DuckDB's own round(x, d), half away from zero on the scaled value
    assert all(row[4] == row[3] for row in duck)
    portable = {row[0]: row[4] for row in duck}
    assert portable[1] == 2.68 and portable[2] == -2.68
    # decimals given as a SQL expression (pow(10, d)) round the same way as a literal
    assert portable[11] == portable[1]
    # and BigQuery's plain ROUND really differs on those ties (2.675, -2.675, 10.98875, 1.005 ...)
    differing = sorted(d[0] for d, b in zip(duck, bigquery, strict=True) if d[3] != b[3])
    assert {1, 2, 3, 11} <= set(differing), differing
