"""The build stamp of the Python marts a dashboard reads (macro build_stamp for the SQL marts): one
text of `with_build_stamp` in every file (dbt Python models cannot import project code on BigQuery,
so it is copied; `sendwise rules-check` keeps the copies equal: shared block `build_stamp`), every
Python mart calls it, and the columns it writes: as_of and built_at, UTC
timestamps - naive microseconds on DuckDB (TIMESTAMP, as the SQL marts), UTC-aware on BigQuery."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pyarrow as pa
from model_loader import load_python_model

from sendwise.paths import PROJECT_ROOT

FILES = [
    "python_models/fans/fan_clusters.py",
    "python_models/fans/fan_embeddings.py",
    "python_models/fans/fan_prediction_metrics.py",
    "python_models/fans/fan_predictions.py",
    "python_models/scheduling/ml_revenue_gbm_scores.py",
]
stamp = load_python_model(FILES[0]).with_build_stamp
AS_OF = "2026-11-15 00:00:00"
BUILT_AT = pd.Timestamp("2026-12-03 09:16:37.25", tz="UTC")


def test_every_python_mart_carries_the_stamp_function_and_calls_it():
    for path in FILES:
        model = (PROJECT_ROOT / path).read_text().split("\ndef model(dbt, session):")[1]
        assert "with_build_stamp(" in model and 'pd.Timestamp.now(tz="UTC")' in model, path


def test_duckdb_gets_naive_utc_timestamps_as_the_last_columns():
    frame = pd.DataFrame({"k": ["a", "b"]}, index=[5, 7])
    out = stamp(frame, AS_OF, BUILT_AT, "duckdb")
    assert list(out.columns) == ["k", "as_of", "built_at"] and list(frame.columns) == ["k"]
    assert str(out["as_of"].dtype) == str(out["built_at"].dtype) == "datetime64[us]"
    assert out["as_of"].tolist() == [pd.Timestamp(AS_OF)] * 2
    assert out["built_at"].tolist() == [pd.Timestamp("2026-12-03 09:16:37.25")] * 2
    con = duckdb.connect()
    con.register("out", out)
    assert con.sql("select as_of, built_at from out").types == ["TIMESTAMP", "TIMESTAMP"]
    # an as_of given with a time zone or as a date is converted to UTC
    other = stamp(frame, pd.Timestamp("2026-11-15 01:00", tz="Europe/Berlin"), BUILT_AT, None)
    assert other["as_of"].iloc[0] == pd.Timestamp(AS_OF)
    assert stamp(frame, "2026-11-15", BUILT_AT)["as_of"].iloc[0] == pd.Timestamp(AS_OF)


def test_bigquery_gets_utc_aware_timestamps():
    out = stamp(pd.DataFrame({"k": [1]}), AS_OF, BUILT_AT, "bigquery")
    assert str(out["as_of"].dtype) == str(out["built_at"].dtype) == "datetime64[us, UTC]"
    assert out["as_of"].iloc[0] == pd.Timestamp(AS_OF, tz="UTC")


def test_an_empty_frame_and_a_reused_arrow_table_get_the_stamp():
    assert list(stamp(pd.DataFrame({"k": []}), AS_OF, BUILT_AT).columns) == ["k", "as_of", "built_at"]
    old = dt.datetime(2026, 11, 8)
    table = pa.table({"k": [1, 2], "as_of": pa.array([old, old], pa.timestamp("us"))})
    out = stamp(table, AS_OF, BUILT_AT, "duckdb")  # a reused output: its old as_of is replaced
    assert out.column_names == ["k", "as_of", "built_at"]
    assert out.schema.field("built_at").type == pa.timestamp("us")
    assert out.column("as_of").to_pylist() == [dt.datetime(2026, 11, 15)] * 2
    assert out.column("built_at").to_pylist() == [dt.datetime(2026, 12, 3, 9, 16, 37, 250000)] * 2
