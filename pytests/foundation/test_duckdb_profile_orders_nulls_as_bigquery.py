"""The DuckDB profile orders NULLs as BigQuery does. BigQuery sorts NULL as the smallest value (first
ascending, last descending); DuckDB's default puts NULLs last either way, so `row_number() over
(order by x)` over a column with NULLs numbered the rows differently on the two engines. The
profile's `default_null_order` setting (profiles.example.yml, which `make` copies) fixes that for every
model dbt builds on DuckDB. Checked here against BigQuery's own evaluator (ZetaSQL): the same query on
DuckDB with the profile's settings, and without them to show the setting is what makes the difference."""

from __future__ import annotations

import duckdb
import yaml
from bigquery_evaluator import evaluate_on_bigquery, needs_zetasql

from sendwise.paths import PROJECT_ROOT

# ascending and descending, with and without NULLs, in a window and in the final order
QUERY = (
    "select x, row_number() over (order by x) as asc_rank, row_number() over (order by x desc) as desc_rank"
    " from unnest([3, null, 1, 2]) as x order by x"
)
DUCKDB_QUERY = QUERY.replace("unnest([3, null, 1, 2]) as x", "unnest([3, null, 1, 2]) as t(x)")


def profile_settings() -> dict[str, str]:
    profile = yaml.safe_load((PROJECT_ROOT / "profiles.example.yml").read_text())
    return profile["sendwise"]["outputs"]["duckdb"]["settings"]


def duckdb_rows(settings: dict[str, str]) -> list[tuple]:
    con = duckdb.connect()
    try:
        for name, value in settings.items():
            if "{{" not in str(value):  # the env-var driven limits are not about order
                con.execute(f"set {name} = '{value}'")
        return con.sql(DUCKDB_QUERY).fetchall()
    finally:
        con.close()


@needs_zetasql
def test_duckdb_with_the_profile_orders_nulls_as_bigquerys_evaluator():
    bigquery = evaluate_on_bigquery(QUERY, ["INT64", "INT64", "INT64"])
    assert bigquery == [(None, 1, 4), (1, 2, 3), (2, 3, 2), (3, 4, 1)]  # NULL the smallest value
    assert duckdb_rows(profile_settings()) == bigquery
    assert duckdb_rows({}) != bigquery  # DuckDB's own default: NULLs last either way
