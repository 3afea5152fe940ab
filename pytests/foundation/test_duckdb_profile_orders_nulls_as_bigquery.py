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


def test_a_profile_without_the_setting_stops_the_build_in_one_line(tmp_path, monkeypatch):
    """A profiles.yml made before the setting was added (make copies the example only when there is
    none): the on-run-start hook check_engine_settings stops the command before any node runs, in
    one line naming the setting to add."""
    from sendwise.dbt import run_dbt

    lines = (PROJECT_ROOT / "profiles.example.yml").read_text().splitlines()
    old = [line for line in lines if "default_null_order" not in line]
    assert len(old) == len(lines) - 1
    (tmp_path / "profiles.yml").write_text("\n".join(old) + "\n")
    monkeypatch.setenv("SENDWISE_DBT_IN_PROCESS", "0")  # a dbt process of its own, with that profile
    result = run_dbt(
        ["seed", "--select", "tier_policies"],
        duckdb_path=tmp_path / "old.duckdb",
        target_path=tmp_path / "target",
        env={"DBT_PROFILES_DIR": str(tmp_path)},
        capture=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    expected = (
        "profiles.yml: the DuckDB output orders NULLs 'nulls_last', not as BigQuery does; add"
        " `default_null_order: nulls_first_on_asc_last_on_desc` under its settings (as in profiles.example.yml)"
    )
    assert any(line.strip() == expected for line in output.splitlines()), output[-2000:]
    assert "1 of 1 OK loaded seed" not in output
