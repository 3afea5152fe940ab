"""sendwise.schemas: the schema holding a model, found by its layer suffix whatever the profile's
prefix (sendwise_marts, analytics_marts, ...), on small DuckDB files made here, and the dashboard's
DuckDB catalogue, which uses it."""

from __future__ import annotations

import duckdb
import pytest

from sendwise.errors import UserError
from sendwise.schemas import AmbiguousSchema, catalog, find_schema, require, target_schema


def make_db(path, tables: dict[str, int]):
    """A DuckDB file holding `schema.table` -> one row whose column `v` is the given value."""
    con = duckdb.connect(str(path))
    for name, value in tables.items():
        con.execute(f"create schema if not exists {name.split('.')[0]}")
        con.execute(f"create table {name} as select {value} as v")
    con.close()
    return path


def write_profile(folder, schema: str, target: str = "duckdb"):
    folder.mkdir(exist_ok=True)
    (folder / "profiles.yml").write_text(
        "sendwise:\n"
        "  target: \"{{ env_var('TEST_TARGET', '" + target + "') }}\"\n"
        "  outputs:\n"
        "    duckdb:\n      type: duckdb\n      path: x.duckdb\n"
        "      schema: \"{{ env_var('TEST_SCHEMA', '" + schema + "') }}\"\n"
        "    bigquery:\n      type: bigquery\n      dataset: bq\n"
    )
    return folder


def test_a_model_is_found_under_any_prefix_by_its_layer(tmp_path):
    db = make_db(
        tmp_path / "a.duckdb",
        {
            "analytics_marts.fan_cluster_metrics": 1,
            "analytics_ml.fan_clusters": 2,
            "analytics_intermediate.int_fan_chat_messages": 3,
            "chat.chat_logs": 4,  # a raw source schema: not a layer
            "marts.orphan": 5,  # no prefix: not what dbt builds
        },
    )
    with duckdb.connect(str(db), read_only=True) as con:
        assert find_schema(con, "fan_cluster_metrics") == "analytics_marts"
        assert find_schema(con, "fan_clusters", "ml") == "analytics_ml"
        assert find_schema(con, "fan_clusters", "marts") is None  # only in the layer asked for
        assert find_schema(con, "int_fan_chat_messages") == "analytics_intermediate"
        assert find_schema(con, "chat_logs") is None and find_schema(con, "orphan") is None
        relations = require(con, {"fan_clusters": "ml", "fan_cluster_metrics": "marts"}, db)
        assert relations == {
            "fan_clusters": '"analytics_ml"."fan_clusters"',
            "fan_cluster_metrics": '"analytics_marts"."fan_cluster_metrics"',
        }
        assert con.sql(f"select v from {relations['fan_clusters']}").fetchone() == (2,)
        with pytest.raises(UserError) as missing:
            require(con, {"fan_model_pairs": "marts", "fan_clusters": "ml", "fan_embeddings": "ml"}, db)
        assert str(missing.value) == (
            f"fan_model_pairs (*_marts), fan_embeddings (*_ml) not found in {db}:"
            " run `dbt build` (make demo) first"
        )


def test_lookup_order_of_the_layers_is_kept(tmp_path):
    """A name in several layers: the first suffix of the lookup order (the dashboard's: marts
    before ops, ml, staging, seeds)."""
    db = make_db(tmp_path / "o.duckdb", {"x_seeds.t": 1, "x_ops.t": 2, "x_marts.t": 3, "x_ml.u": 4})
    with duckdb.connect(str(db), read_only=True) as con:
        assert catalog(con).schema("t") == "x_marts"
        assert catalog(con, ("ops", "seeds")).schema("t") == "x_ops"
        assert catalog(con, ("seeds", "ops")).schema("t") == "x_seeds"
        assert catalog(con, ("marts", "ops")).schema("u") is None  # ml is not looked in


def test_two_prefixes_take_the_profiles_schema_else_refuse(tmp_path, monkeypatch):
    db = make_db(
        tmp_path / "two.duckdb", {"sendwise_marts.t": 1, "analytics_marts.t": 2, "analytics_ml.m": 3}
    )
    profiles = write_profile(tmp_path / "profiles", "analytics")
    monkeypatch.setenv("DBT_PROFILES_DIR", str(profiles))
    with duckdb.connect(str(db), read_only=True) as con:
        assert target_schema() == "analytics"
        assert find_schema(con, "t") == "analytics_marts"
        assert con.sql(f"select v from {catalog(con).relation('t')}").fetchone() == (2,)
        monkeypatch.setenv("TEST_SCHEMA", "sendwise")  # the profile's env_var() is rendered
        assert find_schema(con, "t") == "sendwise_marts"
        monkeypatch.setenv("TEST_SCHEMA", "elsewhere")
        with pytest.raises(AmbiguousSchema) as neither:
            find_schema(con, "t")
        assert str(neither.value) == (
            "t is in both analytics_marts and sendwise_marts (the profile's schema is elsewhere):"
            " keep one build per database file or drop the schemas you do not mean"
        )
        assert find_schema(con, "m") == "analytics_ml"  # one holder: no question
        monkeypatch.setenv("TEST_TARGET", "bigquery")  # not a DuckDB target: no schema to prefer
        assert target_schema() is None
        with pytest.raises(AmbiguousSchema, match="the profile's schema cannot be read"):
            require(con, {"t": "marts"}, db)


def test_the_profile_is_read_only_when_two_schemas_compete(tmp_path):
    db = make_db(tmp_path / "one.duckdb", {"analytics_marts.t": 1})
    asked = []
    with duckdb.connect(str(db), read_only=True) as con:
        found = catalog(con, target=lambda: asked.append(1) or None)
        assert found.schema("t") == "analytics_marts" and asked == []


def test_dashboard_finds_marts_under_a_profiles_prefix(tmp_path, monkeypatch):
    from sendwise.dashboard.warehouse import DuckDBWarehouse, WarehouseError

    db = make_db(tmp_path / "d.duckdb", {"analytics_marts.eros_score": 7, "analytics_ops.rejected_rows": 8})
    warehouse = DuckDBWarehouse(db)
    assert warehouse.relation("eros_score") == '"analytics_marts"."eros_score"'
    assert warehouse.columns("eros_score") == ["v"]
    assert warehouse.query(f"select v from {warehouse.relation('rejected_rows')}")["v"].tolist() == [8]
    warehouse.close()
    make_db(tmp_path / "d.duckdb", {"other_marts.eros_score": 9})  # a second build in the same file
    monkeypatch.setenv("DBT_PROFILES_DIR", str(write_profile(tmp_path / "profiles", "sendwise")))
    warehouse = DuckDBWarehouse(db)
    with pytest.raises(WarehouseError, match="eros_score is in both analytics_marts and other_marts"):
        warehouse.relation("eros_score")
    assert warehouse.relation("rejected_rows") == '"analytics_ops"."rejected_rows"'  # others still read
    monkeypatch.setenv("TEST_SCHEMA", "other")
    assert warehouse.relation("eros_score") == '"other_marts"."eros_score"'
    warehouse.close()
