"""The BigQuery gate's SQL check: parses BigQuery, refuses DuckDB-only and unknown functions."""

from __future__ import annotations

from sendwise.commands.bq_gate import check_python, check_sql


def test_valid_bigquery_sql_passes():
    sql = """
        select page_key, safe_divide(sum(x), count(*)) as r,
               percentile_cont(price, 0.35) over (partition by page_key) as p35,
               regexp_contains(t, r'^a') as m, datetime(ts, 'America/New_York') as local_ts
        from `proj`.`ds`.`t` qualify row_number() over (partition by page_key order by ts) = 1
    """
    assert check_sql(sql) is None


def test_duckdb_only_function_is_refused_by_name():
    problem = check_sql("select quantile_cont(price, 0.5) from t")
    assert problem is not None and "QUANTILE_CONT" in problem


def test_unknown_function_is_refused():
    problem = check_sql("select made_up_fn(1) from t")
    assert problem is not None and "MADE_UP_FN" in problem


def test_round_to_places_only_of_an_exact_decimal():
    # a float rounded to places: the engines disagree on ties (round(2.675, 2): 2.67 vs 2.68)
    problem = check_sql("select round(revenue / sends, 2) as rps from t")
    assert problem is not None and "round_float" in problem
    assert check_sql("select round(cast(price as float64), 2) from t") is not None
    # exact_sum's rounding of a NUMERIC sum, round_float's output and rounding to an integer pass
    assert check_sql("select cast(round(sum(cast(x as numeric)), 2) as float64) from t") is None
    assert check_sql("select round(cast(x as bignumeric), 9) from t") is None
    assert check_sql("select (round((x) * 1e2) / 1e2) as r, round(y) as n from t") is None
    # a node that shows the difference on purpose says so
    assert check_sql("-- bq-gate: plain round(x, d) on purpose\nselect round(x, 2) from t") is None


def test_unparseable_sql_is_refused():
    assert "does not parse" in check_sql("select from where (")


def test_python_model_must_parse_and_mention_bigframes():
    assert check_python("def model(dbt, session):\n    return 1\n") is not None
    assert check_python("import bigframes\ndef model(dbt, session):\n    return 1\n") is None
    assert "does not parse" in check_python("def model(:\n")
