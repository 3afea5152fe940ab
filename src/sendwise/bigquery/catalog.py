"""The ZetaSQL catalog of the project as dbt compiles it for BigQuery, built from the manifest.

Relations are named as dbt renders them for BigQuery, `project`.`dataset`.`table`; the catalog
nests them the same way (a catalog per project holding a catalog per dataset holding the tables),
so the compiled SQL resolves unchanged. Column types are ZetaSQL TypeProtos (JSON).

Where the columns come from:
* sources: the raw contracts (src/sendwise/contracts.py, which a pytest keeps equal to the
  sources' YAML), their DuckDB types mapped to BigQuery by `values.bigquery_type_from_duckdb`;
  a source table missing from the contracts takes its YAML `data_type`s the same way.
* seeds: the CSV header; a column's type is its `column_types` entry when declared (passed to the
  analyzer as written, so a type BigQuery does not have fails there), else what dbt-bigquery infers
  from the CSV with agate (integer -> INT64, other numbers -> FLOAT64, boolean -> BOOL, date ->
  DATE, datetime -> DATETIME, text -> STRING).
* SQL models and snapshots: the analyzer's own output columns, in DAG order (snapshots add dbt's
  four meta columns).
* Python models: their YAML `data_type`s when every column declares one, else the table the DuckDB
  build wrote, mapped to BigQuery types.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Column = tuple[str, dict[str, Any]]  # (name, TypeProto)

SNAPSHOT_META_COLUMNS = (
    ("dbt_scd_id", "STRING"),
    ("dbt_updated_at", "TIMESTAMP"),
    ("dbt_valid_from", "TIMESTAMP"),
    ("dbt_valid_to", "TIMESTAMP"),
)


def relation_key(database: str, schema: str, identifier: str) -> str:
    """The lower-case dotted name plan.relation_name gives the same table in compiled SQL."""
    return f"{database}.{schema}.{identifier}".lower()


def node_relation(node: Mapping[str, Any]) -> tuple[str, str, str]:
    identifier = node.get("identifier") or node.get("alias") or node["name"]
    return node["database"], node["schema"], identifier


def seed_inferred_types(csv_path: Path, declared: Mapping[str, str]) -> dict[str, str]:
    """Each seed column's BigQuery type as dbt-bigquery loads it: the declared type, else agate's inference."""
    import agate
    from dbt_common.clients.agate_helper import from_csv

    table = from_csv(str(csv_path), text_columns=list(declared), delimiter=",")
    declared_lower = {name.lower(): kind for name, kind in declared.items()}
    types: dict[str, str] = {}
    for index, (name, column_type) in enumerate(zip(table.column_names, table.column_types, strict=False)):
        if name.lower() in declared_lower:
            types[name] = declared_lower[name.lower()]
        elif isinstance(column_type, agate.Boolean):
            types[name] = "BOOL"
        elif isinstance(column_type, agate.Number):
            decimals = table.aggregate(agate.MaxPrecision(index))
            types[name] = "FLOAT64" if decimals else "INT64"
        elif isinstance(column_type, agate.DateTime):
            types[name] = "DATETIME"
        elif isinstance(column_type, agate.Date):
            types[name] = "DATE"
        elif isinstance(column_type, agate.TimeDelta):
            types[name] = "TIME"
        else:
            types[name] = "STRING"
    return types


@dataclass
class Catalog:
    """Tables by (project, dataset, table), each a list of (column name, TypeProto)."""

    tables: dict[tuple[str, str, str], list[Column]] = field(default_factory=dict)

    def add(self, relation: tuple[str, str, str], columns: Iterable[Column]) -> None:
        self.tables[relation] = list(columns)

    def columns(self, relation: tuple[str, str, str]) -> list[Column] | None:
        return self.tables.get(relation)

    def by_key(self) -> dict[str, tuple[str, str, str]]:
        return {relation_key(*relation): relation for relation in self.tables}

    def to_proto(self, extras: Mapping[str, Any]) -> dict[str, Any]:
        """A nested SimpleCatalogProto: root -> project -> dataset -> tables; `extras` are root
        fields (builtin_function_options, named_type)."""
        projects: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for (project, dataset, table), columns in sorted(self.tables.items()):
            projects.setdefault(project, {}).setdefault(dataset, []).append(_table_proto(table, columns))
        return {
            "name": "sendwise",
            **copy.deepcopy(dict(extras)),
            "catalog": [
                {
                    "name": project,
                    "catalog": [{"name": ds, "table": tables} for ds, tables in sorted(datasets.items())],
                }
                for project, datasets in sorted(projects.items())
            ],
        }

    def flat_proto(
        self, names: Mapping[tuple[str, str, str], str], extras: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A SimpleCatalogProto with the given tables at the root under flat names (the local
        service sets table contents on root tables only)."""
        return {
            "name": "sendwise",
            **copy.deepcopy(dict(extras)),
            "table": [_table_proto(flat, self.tables[relation]) for relation, flat in names.items()],
        }


def _table_proto(name: str, columns: list[Column]) -> dict[str, Any]:
    return {"name": name, "column": [{"name": col, "type": kind} for col, kind in columns]}


def dag_levels(nodes: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Level of each node: 0 without parents among `nodes`, else 1 + the highest parent level.
    Nodes of one level only read nodes of lower levels, so a level can be analyzed against one
    catalog."""
    levels: dict[str, int] = {}
    visiting: set[str] = set()

    def level(unique_id: str) -> int:
        if unique_id in levels:
            return levels[unique_id]
        if unique_id in visiting:
            raise ValueError(f"the DAG has a cycle through {unique_id}")
        visiting.add(unique_id)
        parents = [
            p
            for p in nodes[unique_id].get("depends_on", {}).get("nodes", [])
            if p in nodes and p != unique_id
        ]
        value = 1 + max((level(p) for p in parents), default=-1)
        visiting.discard(unique_id)
        levels[unique_id] = value
        return value

    for unique_id in nodes:
        level(unique_id)
    return levels
