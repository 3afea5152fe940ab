"""The raw contract, the dbt sources and the seeds name the same columns and categories."""

from __future__ import annotations

import csv

import yaml

from sendwise.contracts import INJECTED_DEFECTS, SOURCES, VAULT_CATEGORIES


def _sources(project_root):
    declared = {}
    for path in (project_root / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                declared[f"{source['name']}.{table['name']}"] = table
    return declared


def test_every_contract_table_is_a_declared_source_with_the_same_columns(project_root):
    declared = _sources(project_root)
    assert set(declared) == set(SOURCES)
    for name, table in SOURCES.items():
        columns = [(c["name"], c["data_type"]) for c in declared[name]["columns"]]
        assert columns == [(c.name, c.duckdb_type.lower()) for c in table.columns], name


def test_every_source_has_a_reconciliation_test_and_a_freshness_decision(project_root):
    for name, table in _sources(project_root).items():
        tests = [next(iter(t)) for t in table.get("data_tests", [])]
        assert "quarantine_reconciles" in tests, name
        config = table.get("config", {})
        assert "loaded_at_field" in config or config.get("freshness", "unset") is None, name


def test_vault_categories_match_the_content_categories_seed(project_root):
    with open(project_root / "seeds" / "content_categories.csv") as fh:
        seeded = [row["content_category"] for row in csv.DictReader(fh)]
    assert seeded == list(VAULT_CATEGORIES)
    assert len(VAULT_CATEGORIES) == len(set(VAULT_CATEGORIES)) == 49


def test_every_injected_defect_is_a_reason_staging_can_give(project_root):
    staged = (project_root / "models" / "staging").rglob("base_*.sql")
    reasons_in_sql = "\n".join(p.read_text() for p in staged)
    for source, defects in INJECTED_DEFECTS.items():
        for defect in defects:
            assert f"'{defect}'" in reasons_in_sql, f"{source}: staging never gives reason {defect}"


def test_settings_are_unique_and_described(project_root):
    with open(project_root / "seeds" / "settings_modeling.csv") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["setting_name"] for r in rows]
    assert len(names) == len(set(names))
    for row in rows:
        assert row["description"].strip(), row["setting_name"]
        if row["value_type"] == "number":
            float(row["setting_value"])


def test_every_setting_used_in_sql_exists(project_root):
    import re

    with open(project_root / "seeds" / "settings_modeling.csv") as fh:
        names = {r["setting_name"] for r in csv.DictReader(fh)}
    used = set()
    for folder in ("models", "macros", "tests", "analyses"):
        for path in (project_root / folder).rglob("*.sql"):
            used |= set(re.findall(r"(?<![A-Za-z0-9_])setting(?:_text)?\('([a-z0-9_]+)'\)", path.read_text()))
    assert used - names == set()
