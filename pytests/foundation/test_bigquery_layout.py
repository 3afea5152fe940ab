"""What the project becomes on BigQuery, read from the offline BigQuery compile (`sendwise bq-gate`,
which `make test` runs before pytest): personal data in its own dataset, the large facts
partitioned by day and clustered by page, policy tags only where BigQuery keeps them, an INT64
series. And on DuckDB (`make dbt-test`'s manifest) none of it changes the demo's schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendwise.paths import PROJECT_ROOT

BQ_MANIFEST = PROJECT_ROOT / "target_bq" / "full" / "manifest.json"
DUCKDB_MANIFEST = PROJECT_ROOT / "target" / "manifest.json"
# the staging facts are built by day and the fans' chat messages by fan (incremental); the other
# intermediate facts are rebuilt whole (tables)
BUILT_BY_DAY = {"stg_agency__mass_messages", "stg_chat__chat_logs", "int_fan_chat_messages"}
FACTS = {
    "stg_agency__mass_messages": "sent_at",
    "int_mass_messages_enriched": "sent_at",
    "int_ranking_sends_in_context": "sent_at",
    "stg_chat__chat_logs": "message_at",
    "int_fan_chat_messages": "message_at",
}
PII_FOLDERS = (
    "models/staging/chat/",
    "models/intermediate/fans/",
    "models/marts/fans/",
    "python_models/fans/",
)
# aggregates without a fan id (fan_timing_evaluation: one row per comparison)
NOT_PII = {
    "fan_cluster_metrics",
    "fan_prediction_metrics",
    "fan_timing_evaluation",
    "profile_llm_calls",
    # the fan models' reuse keys: hashes of relations, no fan's data
    "int_fan_input_fingerprints",
    "int_fan_embedding_fingerprints",
}


def _models(path: Path) -> dict[str, dict]:
    if not path.exists():
        pytest.skip(f"no {path.relative_to(PROJECT_ROOT)}: run `sendwise bq-gate` / `make dbt-test` first")
    nodes = json.loads(path.read_text())["nodes"].values()
    return {n["name"]: n for n in nodes if n["resource_type"] == "model"}


def _is_pii_folder(node: dict) -> bool:
    return node["original_file_path"].startswith(PII_FOLDERS)


def test_personal_data_models_and_only_they_are_in_the_pii_dataset():
    models = _models(BQ_MANIFEST)
    pii = {name for name, node in models.items() if node["schema"] == "sendwise_pii"}
    expected = {name for name, node in models.items() if _is_pii_folder(node) and name not in NOT_PII}
    assert pii == expected
    assert {"stg_chat__chat_logs", "int_fan_chat_messages", "fan_profiles", "conversations"} <= pii
    for name in NOT_PII:
        assert models[name]["schema"] in {"sendwise_marts", "sendwise_ml", "sendwise_intermediate"}


def test_duckdb_keeps_the_layer_schemas():
    models = _models(DUCKDB_MANIFEST)
    assert not any(node["schema"].endswith("_pii") for node in models.values())
    assert models["int_fan_chat_messages"]["schema"] == "sendwise_intermediate"
    assert models["fan_profiles"]["schema"] == "sendwise_ml"
    # built by day (macros/sendwise/fact_days.sql), not partitioned: DuckDB has no partitions
    assert models["stg_chat__chat_logs"]["config"]["materialized"] == "incremental"
    assert models["stg_chat__chat_logs"]["config"].get("partition_by") is None


def test_large_facts_are_day_partitioned_page_clustered_tables_on_bigquery():
    models = _models(BQ_MANIFEST)
    for name, column in FACTS.items():
        config = models[name]["config"]
        assert config["materialized"] == ("incremental" if name in BUILT_BY_DAY else "table"), name
        assert config["partition_by"] == {"field": column, "data_type": "timestamp", "granularity": "day"}, (
            name
        )
        assert config["cluster_by"] == ["page_key"], name


def test_policy_tags_sit_on_tables_of_personal_data_only():
    models = _models(BQ_MANIFEST)
    tagged = {
        (name, column)
        for name, node in models.items()
        for column, spec in node["columns"].items()
        if "policy_tags" in spec
    }
    assert ("int_fan_chat_messages", "fan_message") in tagged
    assert ("fan_profiles", "fan_id") in tagged
    for name, column in tagged:
        node = models[name]
        # BigQuery keeps policy tags on table columns; a view only reads its table's tagged columns
        assert node["config"]["materialized"] in {"table", "incremental"}, (name, column)
        assert node["schema"] == "sendwise_pii", (name, column)
        assert node["columns"][column]["policy_tags"] == [], "empty by default (var pii_policy_tags)"


def test_generate_series_is_an_int64_array_on_bigquery():
    code = _models(BQ_MANIFEST)["int_ranking_slot_grid"]["compiled_code"]
    assert "unnest(generate_array(1, cast(176 as int64)))" in code
    assert "power(2" not in code


def test_docs_are_persisted_on_bigquery_and_not_on_duckdb():
    # BigQuery keeps the descriptions and applies the policy tags through persist_docs; on DuckDB
    # nothing reads them and writing them cost two statements and two column lookups per model
    # (dbt_project.yml, docs/build_performance.md section 9)
    bigquery = {name: node["config"]["persist_docs"] for name, node in _models(BQ_MANIFEST).items()}
    duckdb = {name: node["config"]["persist_docs"] for name, node in _models(DUCKDB_MANIFEST).items()}
    assert len(bigquery) > 150
    assert set(duckdb) == set(bigquery)
    assert all(docs == {"relation": True, "columns": True} for docs in bigquery.values()), bigquery
    assert all(docs == {"relation": False, "columns": False} for docs in duckdb.values()), duckdb
