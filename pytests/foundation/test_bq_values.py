"""Type mapping, value encoding and the parity comparison of bq-check (src/sendwise/bigquery/values.py,
catalog.py): pure functions, no ZetaSQL server."""

from __future__ import annotations

import datetime as dt

import pytest

from sendwise.bigquery.catalog import Catalog, dag_levels, seed_inferred_types
from sendwise.bigquery.values import (
    EncodeError,
    bigquery_type_from_duckdb,
    compare_tables,
    decode_value,
    encode_value,
    normalise_row,
    normalise_type_name,
    pack_datetime,
    type_name,
    unpack_datetime,
)

INT64 = {"type_kind": "TYPE_INT64"}
DOUBLE = {"type_kind": "TYPE_DOUBLE"}
TIMESTAMP = {"type_kind": "TYPE_TIMESTAMP"}
DATETIME = {"type_kind": "TYPE_DATETIME"}


@pytest.mark.parametrize(
    ("duckdb", "bigquery"),
    [
        ("VARCHAR", "STRING"),
        ("DOUBLE", "FLOAT64"),
        ("HUGEINT", "INT64"),
        ("BOOLEAN", "BOOL"),
        ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"),
        ("DECIMAL(18,3)", "NUMERIC"),
        ("VARCHAR[]", "ARRAY<STRING>"),
        ("STRUCT(a VARCHAR, b DOUBLE[])", "STRUCT<a STRING, b ARRAY<FLOAT64>>"),
    ],
)
def test_duckdb_types_map_to_bigquery(duckdb, bigquery):
    assert bigquery_type_from_duckdb(duckdb) == bigquery


def test_unknown_duckdb_type_is_an_error():
    with pytest.raises(ValueError, match="MAP"):
        bigquery_type_from_duckdb("MAP(VARCHAR, INTEGER)")


def test_type_names_of_type_protos():
    array = {"type_kind": "TYPE_ARRAY", "array_type": {"element_type": DOUBLE}}
    struct = {
        "type_kind": "TYPE_STRUCT",
        "struct_type": {
            "field": [{"field_name": "k", "field_type": INT64}, {"field_name": "v", "field_type": array}]
        },
    }
    assert type_name(array) == "ARRAY<FLOAT64>"
    assert type_name(struct) == "STRUCT<k INT64, v ARRAY<FLOAT64>>"


def test_contract_type_spellings_normalise():
    assert normalise_type_name("float64") == normalise_type_name("FLOAT")
    assert normalise_type_name("array< int64 >") == "ARRAY<INT64>"
    assert normalise_type_name("string") != normalise_type_name("int64")


def test_datetime_bit_field_round_trips():
    # 2026-11-15 10:20:30: the packed value the ZetaSQL evaluator returned for DATETIME '2026-11-15 10:20:30'
    value = dt.datetime(2026, 11, 15, 10, 20, 30)
    assert pack_datetime(value) == 136010704158
    assert unpack_datetime(136010704158, 123456000) == value.replace(microsecond=123456)


def test_values_encode_and_decode():
    stamp = dt.datetime(2026, 11, 15, 0, 0, 1, 500000)
    encoded = encode_value(stamp, TIMESTAMP)
    # 2026-11-15 00:00:01 is 20,772 days x 86,400 s + 1 s after the epoch
    assert encoded == {"timestamp_value": {"seconds": str(20772 * 86400 + 1), "nanos": 500000000}}
    assert decode_value(encoded, TIMESTAMP) == stamp
    assert encode_value(7, INT64) == {"int64_value": "7"}
    assert encode_value(None, INT64) == {}
    assert decode_value({}, INT64) is None
    assert encode_value(float("nan"), DOUBLE) == {"double_value": "NaN"}
    assert encode_value(dt.date(1970, 1, 3), {"type_kind": "TYPE_DATE"}) == {"date_value": 2}
    assert decode_value(encode_value(stamp, DATETIME), DATETIME) == stamp


def test_values_of_the_wrong_kind_are_refused():
    with pytest.raises(EncodeError):
        encode_value("12", INT64)
    with pytest.raises(EncodeError):
        encode_value(1.5, INT64)
    with pytest.raises(EncodeError):
        encode_value(dt.date(2026, 1, 1), TIMESTAMP)


def test_rows_normalise_floats_to_nine_digits_and_times_to_utc():
    aware = dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert normalise_row((0.1 + 0.2, 3.0, aware, None)) == (0.3, 3, "2026-01-01 00:00:00", None)
    # 1/3 to 9 significant digits
    assert normalise_row((1 / 3,)) == (0.333333333,)


def test_compare_tables_ignores_order_and_float_noise():
    duck = [(1, "a", 0.1 + 0.2), (2, "b", None)]
    zeta = [(2, "b", None), (1, "a", 0.3)]
    assert compare_tables(duck, zeta, ["id", "k", "x"]).identical


def test_compare_tables_reports_counts_then_values():
    counts = compare_tables([(1,), (2,)], [(1,)], ["id"])
    assert not counts.identical and "row counts differ: DuckDB 2, ZetaSQL 1" in counts.detail
    values = compare_tables([(1, 0.5)], [(1, 0.50001)], ["id", "x"])
    assert not values.identical and "x: DuckDB 0.5 vs ZetaSQL 0.50001" in values.detail


def test_catalog_nests_project_dataset_table():
    catalog = Catalog()
    catalog.add(("my-project", "ds", "t"), [("x", INT64)])
    proto = catalog.to_proto({"named_type": []})
    assert proto["catalog"][0]["name"] == "my-project"
    assert proto["catalog"][0]["catalog"][0]["name"] == "ds"
    assert proto["catalog"][0]["catalog"][0]["table"][0] == {
        "name": "t",
        "column": [{"name": "x", "type": INT64}],
    }
    assert catalog.by_key() == {"my-project.ds.t": ("my-project", "ds", "t")}


def test_dag_levels_follow_parents():
    nodes = {
        "a": {"depends_on": {"nodes": ["seed.x"]}},
        "b": {"depends_on": {"nodes": ["a"]}},
        "c": {"depends_on": {"nodes": ["a", "b"]}},
    }
    assert dag_levels(nodes) == {"a": 0, "b": 1, "c": 2}


def test_seed_types_declared_or_inferred_like_dbt(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("name,count,share,flag,day\nx,1,0.5,true,2026-01-01\ny,2,1.25,false,2026-01-02\n")
    types = seed_inferred_types(path, {"name": "string"})
    assert types == {"name": "string", "count": "INT64", "share": "FLOAT64", "flag": "BOOL", "day": "DATE"}


def test_parity_ignores_built_at_by_name_in_every_model_and_allow_listed_columns_per_model():
    from sendwise.bigquery.settings import ALLOWLIST, read_allowlist, read_column_allowlist
    from sendwise.commands.bq_check import ParityJob

    everywhere = read_allowlist(ALLOWLIST, "parity_ignored_columns")
    assert "built_at" in everywhere  # the build stamp's run start: the two builds ran at different times
    per_model = read_column_allowlist(ALLOWLIST, "parity_columns")
    # a column-name rule, not one entry per mart
    assert not [(m, c) for m, columns in per_model.items() for c in columns if c in everywhere]
    output = [("id", INT64), ("raw_record", INT64), ("as_of", TIMESTAMP), ("BUILT_AT", TIMESTAMP)]
    job = ParityJob("m", "model.m", "select 1", [], output, ("d", "s", "m"), {"raw_record": "why"})
    assert job.compared() == [0, 2, 3]
    job.ignored_everywhere = frozenset({"built_at"})
    assert job.compared() == [0, 2]  # as_of stays compared


def test_a_manifest_of_another_duckdb_build_is_named_not_a_traceback():
    from sendwise.commands.bq_check import manifest_database_problem

    def manifest(database):
        node = {"resource_type": "model", "database": database, "config": {"enabled": True}}
        return {"nodes": {"model.sendwise.a": node, "seed.sendwise.s": {"resource_type": "seed"}}}

    # make demo's manifest (catalog sendwise) against the test build's file (catalog test)
    assert manifest_database_problem(manifest("sendwise"), "test") == (
        "was compiled for the DuckDB database sendwise"
    )
    assert manifest_database_problem(manifest("test"), "test") is None
