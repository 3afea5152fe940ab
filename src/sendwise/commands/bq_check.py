"""BigQuery check: Google's ZetaSQL analyzer and reference evaluator, plan limits, partition filters.

Offline, on the project compiled for BigQuery exactly as `sendwise bq-gate` compiles it (both
incremental branches, into target_bq/full and target_bq/incremental; `--skip-compile` reuses a
compile bq-gate just made). Four checks, each failure naming the node:

1. Analyzer: every seed's column types, every SQL model and snapshot (in DAG order, each against a
   catalog holding its parents' analyzed output types) and every data test go through ZetaSQL's
   analyzer with BigQuery's language options. Output types of enforced contracts must match.
2. Plan limits: CTE evaluations once BigQuery inlines CTEs and views, resolved text size and view
   depth (src/sendwise/bigquery/plan.py) against the settings seed's bq_* rows.
3. Partition filters: no model reads a BigQuery-partitioned relation without a prunable filter
   (src/sendwise/bigquery/partitions.py), unless allow-listed with a reason.
4. Parity: each SQL model's BigQuery SQL runs on ZetaSQL's reference evaluator over its inputs'
   rows from the DuckDB build (`make dbt-test`), and must return the same rows as DuckDB built.

Allow-lists (every entry with its reason): src/sendwise/bigquery/allowlist.yml, and the temporary
plan-limit list src/sendwise/bigquery/plan_allowlist_temporary.yml. docs/bigquery-checks.md says more.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sendwise.paths import PROJECT_ROOT, duckdb_path

HELP = "BigQuery checks offline: ZetaSQL analyzer, plan limits, partition filters, reference-evaluator parity"

# BigQuery's documented aliases of INT64 (GoogleSQL data types: integer types)
INT64_ALIASES = ("int", "smallint", "integer", "bigint", "tinyint", "byteint")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default="bigquery_offline", help="profile output to compile for")
    parser.add_argument("--target-path", default="target_bq", help="where the BigQuery compile goes")
    parser.add_argument("--skip-compile", action="store_true", help="reuse the compile of `sendwise bq-gate`")
    parser.add_argument(
        "--db", default=None, help="DuckDB build to compare with (default: $SENDWISE_DUCKDB_PATH)"
    )
    parser.add_argument(
        "--duckdb-manifest",
        default="target/manifest.json",
        help="manifest of the DuckDB build (relation names)",
    )
    parser.add_argument("--no-parity", action="store_true", help="skip the reference-evaluator parity")
    parser.add_argument("--select", nargs="*", default=None, help="only these model names (parity and plan)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds one model may take on the reference evaluator"
    )
    parser.add_argument("--workers", type=int, default=2, help="reference evaluators run at once")
    parser.add_argument("--verbose", action="store_true", help="print every model's figures")


# ---------------------------------------------------------------------------------------------


@dataclass
class Report:
    notes: list[str] = field(default_factory=list)
    analyzed: int = 0
    seeds: int = 0
    tests: int = 0
    plan_checked: int = 0
    partition_allowed: list[tuple[str, str]] = field(default_factory=list)
    parity: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: {"identical": [], "allowed": [], "temporarily allowed": [], "failed": []}
    )
    # (check, node, reason, message): failures the temporary allow-list lets pass until other fixes merge
    temporary: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (unique id, message, check)
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def fail(self, node: str, message: str, check: str = "analyzer") -> None:
        self.failures.append((node, message, check))

    def apply_temporary(self, allowlist: Mapping[str, Mapping[str, str]]) -> None:
        """Move the failures of temporarily allow-listed nodes (by check) out of the failures."""
        kept = []
        used: set[tuple[str, str]] = set()
        for unique_id, message, check in self.failures:
            name = node_name(unique_id)
            reason = allowlist.get(check, {}).get(name)
            if reason is None:
                kept.append((unique_id, message, check))
                continue
            used.add((check, name))
            self.temporary.append((check, name, reason, message))
            if check == "parity":
                self.parity["failed"] = [item for item in self.parity["failed"] if item[0] != name]
                self.parity["temporarily allowed"].append((name, reason))
        self.failures = kept
        for check, entries in allowlist.items():
            for name in sorted(set(entries) - {n for c, n in used if c == check}):
                self.notes.append(
                    f"temporary allow-list entry {check}.{name} is not needed any more: remove it"
                )


def node_name(unique_id: str) -> str:
    """model.sendwise.x -> x; test.sendwise.x.hash -> x; source.sendwise.src.table -> src.table."""
    parts = unique_id.split(".")
    if parts[0] == "source":
        return ".".join(parts[2:])
    return parts[2] if len(parts) > 2 else unique_id


class Analyzer:
    """The ZetaSQL bridge with BigQuery's options and a cache of type names -> TypeProto."""

    def __init__(self, zetasql) -> None:
        from sendwise.bigquery.zetasql import bigquery_language_options

        self.z = zetasql
        maximum = zetasql.call("getLanguageOptions", {"maximum_features": True})
        self.language = bigquery_language_options(maximum)
        self.options = {
            "language_options": self.language,
            # BigQuery's default time zone is UTC (ZetaSQL's own default is America/Los_Angeles)
            "default_timezone": "UTC",
            "error_message_mode": "ERROR_MESSAGE_ONE_LINE",
        }
        # BigQuery's aliases of INT64 (ZetaSQL knows DECIMAL and BIGDECIMAL, not these)
        self.catalog_extras = {
            "builtin_function_options": {"language_options": self.language},
            "named_type": [{"name": alias, "type": {"type_kind": "TYPE_INT64"}} for alias in INT64_ALIASES],
        }
        self._types: dict[str, dict[str, Any]] = {}

    def type_proto(self, type_name: str) -> dict[str, Any]:
        """The TypeProto of a BigQuery type name, as the analyzer reads it (an unknown name raises)."""
        key = type_name.strip().lower()
        if key not in self._types:
            response = self.z.call(
                "analyzeColumns",
                {
                    "options": self.options,
                    "simple_catalog": {"name": "types", **self.catalog_extras},
                    "sql_statement": f"select cast(null as {type_name}) as c",
                },
            )
            self._types[key] = response["columns"][0]["type"]
        return self._types[key]

    def columns(self, sql: str, catalog_id: int) -> list[tuple[str, dict[str, Any]]]:
        response = self.z.call(
            "analyzeColumns",
            {"options": self.options, "registered_catalog_id": catalog_id, "sql_statement": sql},
        )
        if response.get("columns") is None:
            raise ValueError(f"not a query ({response.get('statement_kind')})")
        return [(c["name"], c["type"]) for c in response["columns"]]

    def register(self, catalog_proto: dict[str, Any]) -> int:
        return int(self.z.call("registerCatalog", {"simple_catalog": catalog_proto})["registered_id"])

    def unregister(self, catalog_id: int) -> None:
        self.z.call("unregisterCatalog", {"registered_id": catalog_id})


# ---------------------------------------------------------------------------------------------


def _load_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def manifest_database_problem(manifest: Mapping[str, Any], catalog: str) -> str | None:
    """Why the DuckDB build's manifest does not describe the attached database (its models live in
    another catalog: a manifest of another build, such as `make demo`'s), or None."""
    databases = sorted({n["database"] for n in _sql_nodes(manifest).values() if n.get("database")})
    if databases and catalog not in databases:
        return f"was compiled for the DuckDB database {', '.join(databases)}"
    return None


def _sql_nodes(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "snapshot"} and node.get("config", {}).get("enabled", True)
    }


def _duckdb_columns(con, database: str, schema: str, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [database, schema, table],
    ).fetchall()
    return [(name, kind) for name, kind in rows]


def build_sources(analyzer: Analyzer, manifest, catalog, report: Report) -> None:
    from sendwise import contracts
    from sendwise.bigquery.catalog import node_relation
    from sendwise.bigquery.values import bigquery_type_from_duckdb

    for uid, source in manifest["sources"].items():
        contract = contracts.SOURCES.get(f"{source['source_name']}.{source['name']}")
        if contract is not None:
            declared = [(c.name, c.duckdb_type) for c in contract.columns]
        else:
            declared = [(name, col.get("data_type")) for name, col in source.get("columns", {}).items()]
        missing = [name for name, kind in declared if not kind]
        if not declared or missing:
            report.fail(
                uid, f"no column types for {', '.join(missing) or 'any column'} (contracts.py or data_type)"
            )
            continue
        columns = []
        for name, kind in declared:
            try:
                columns.append((name, analyzer.type_proto(bigquery_type_from_duckdb(kind))))
            except Exception as exc:
                report.fail(uid, f"column {name}: {exc}")
        catalog.add(node_relation(source), columns)


def build_seeds(analyzer: Analyzer, manifest, catalog, report: Report) -> None:
    from sendwise.bigquery.catalog import node_relation, seed_inferred_types
    from sendwise.bigquery.zetasql import ZetaSQLError

    for uid, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "seed":
            continue
        report.seeds += 1
        declared = node.get("config", {}).get("column_types") or {}
        types = seed_inferred_types(PROJECT_ROOT / node["original_file_path"], declared)
        columns = []
        for name, kind in types.items():
            try:
                columns.append((name, analyzer.type_proto(kind)))
            except ZetaSQLError as exc:
                report.fail(uid, f"column {name} type {kind!r}: {exc}")
                columns.append((name, analyzer.type_proto("STRING")))
        catalog.add(node_relation(node), columns)


def python_model_columns(analyzer: Analyzer, node, duck_node, con) -> list[tuple[str, dict[str, Any]]]:
    from sendwise.bigquery.values import bigquery_type_from_duckdb

    declared = [(name, col.get("data_type")) for name, col in node.get("columns", {}).items()]
    if declared and all(kind for _, kind in declared):
        return [(name, analyzer.type_proto(kind)) for name, kind in declared]
    if duck_node is None or con is None:
        raise ValueError("no data_type in its YAML and no DuckDB build to read its columns from")
    built = _duckdb_columns(
        con, duck_node["database"], duck_node["schema"], duck_node.get("alias") or node["name"]
    )
    if not built:
        raise ValueError("no data_type in its YAML and no table in the DuckDB build")
    return [(name, analyzer.type_proto(bigquery_type_from_duckdb(kind))) for name, kind in built]


def check_contract(analyzer: Analyzer, node, columns, report: Report, label: str, hint: str = "") -> None:
    from sendwise.bigquery.values import normalise_type_name, type_name

    contract = node.get("config", {}).get("contract", {}) or {}
    if not contract.get("enforced"):
        return
    produced = {name.lower(): kind for name, kind in columns}
    declared = {name.lower(): col.get("data_type") for name, col in node.get("columns", {}).items()}
    for name, kind in declared.items():
        if name not in produced:
            report.fail(node["unique_id"], f"[{label}] contract column {name} is not produced")
            continue
        if not kind:
            continue
        try:
            want = type_name(analyzer.type_proto(kind))
        except Exception as exc:
            report.fail(node["unique_id"], f"[{label}] contract type {kind!r} of {name}: {exc}")
            continue
        got = type_name(produced[name])
        if normalise_type_name(want) != normalise_type_name(got):
            report.fail(
                node["unique_id"], f"[{label}] contract says {name} {want}, the query produces {got}{hint}"
            )
    extra = sorted(set(produced) - set(declared))
    if extra:
        report.fail(node["unique_id"], f"[{label}] columns not in the contract: {', '.join(extra)}")


def analyze_project(analyzer, full, incremental, duck_manifest, con, report: Report):
    """Analyze seeds, models, snapshots (DAG order) and data tests; return the catalog and each
    model's output columns by branch."""
    from sendwise.bigquery.catalog import SNAPSHOT_META_COLUMNS, Catalog, dag_levels, node_relation
    from sendwise.bigquery.zetasql import ZetaSQLError

    catalog = Catalog()
    build_sources(analyzer, full, catalog, report)
    build_seeds(analyzer, full, catalog, report)
    nodes = _sql_nodes(full)
    levels = dag_levels(nodes)
    outputs: dict[str, dict[str, list]] = {"full": {}, "incremental": {}}
    duck_nodes = duck_manifest["nodes"] if duck_manifest else {}
    # models whose catalog entry comes from the DuckDB build after their own analyzer error
    stand_ins: set[str] = set()

    def hint(uid: str) -> str:
        parents = sorted(
            node_name(p) for p in nodes[uid].get("depends_on", {}).get("nodes", []) if p in stand_ins
        )
        if not parents:
            return ""
        return f" (reads {', '.join(parents)}, typed from the DuckDB build after its own analyzer error)"

    for level in range(max(levels.values(), default=-1) + 1):
        batch = sorted(uid for uid, value in levels.items() if value == level)
        catalog_id = analyzer.register(catalog.to_proto(analyzer.catalog_extras))
        try:
            for uid in batch:
                node = nodes[uid]
                if node.get("language") == "python":
                    try:
                        columns = python_model_columns(analyzer, node, duck_nodes.get(uid), con)
                    except (ValueError, ZetaSQLError) as exc:
                        report.fail(uid, f"Python model output schema: {exc}")
                        continue
                    catalog.add(node_relation(node), columns)
                    outputs["full"][uid] = columns
                    continue
                code = node.get("compiled_code")
                if code is None:
                    report.fail(uid, "[full] was not compiled")
                else:
                    report.analyzed += 1
                    try:
                        columns = analyzer.columns(code, catalog_id)
                        outputs["full"][uid] = columns
                        check_contract(analyzer, node, columns, report, "full", hint(uid))
                    except (ZetaSQLError, ValueError) as exc:
                        report.fail(uid, f"[full] {exc}{hint(uid)}")
                columns = outputs["full"].get(uid)
                if columns is None and duck_nodes.get(uid) is not None and con is not None:
                    # keep analyzing its readers: take the DuckDB build's columns (the failure is reported)
                    try:
                        columns = python_model_columns(
                            analyzer, {**node, "columns": {}}, duck_nodes[uid], con
                        )
                    except (ValueError, ZetaSQLError):
                        columns = None
                if columns is None:
                    continue
                if node["resource_type"] == "snapshot":
                    columns = columns + [(n, analyzer.type_proto(t)) for n, t in SNAPSHOT_META_COLUMNS]
                if node["config"].get("materialized") != "ephemeral":
                    catalog.add(node_relation(node), columns)
        finally:
            analyzer.unregister(catalog_id)

    # incremental branches and data tests: against the whole catalog (an incremental model reads `this`)
    catalog_id = analyzer.register(catalog.to_proto(analyzer.catalog_extras))
    try:
        for uid, node in sorted(nodes.items()):
            inc_node = incremental["nodes"].get(uid)
            if (
                node["config"].get("materialized") != "incremental"
                or inc_node is None
                or node.get("language") == "python"
            ):
                continue
            if inc_node.get("compiled_code") is None:
                report.fail(uid, "[incremental] was not compiled")
                continue
            report.analyzed += 1
            try:
                columns = analyzer.columns(inc_node["compiled_code"], catalog_id)
                outputs["incremental"][uid] = columns
                check_contract(analyzer, inc_node, columns, report, "incremental", hint(uid))
            except (ZetaSQLError, ValueError) as exc:
                report.fail(uid, f"[incremental] {exc}{hint(uid)}")
        seen: set[str] = set()
        for manifest in (full, incremental):
            for uid, node in sorted(manifest["nodes"].items()):
                code = node.get("compiled_code")
                if node["resource_type"] != "test" or code is None or code in seen:
                    continue
                seen.add(code)
                report.tests += 1
                try:
                    analyzer.columns(code, catalog_id)
                except (ZetaSQLError, ValueError) as exc:
                    report.fail(uid, str(exc))
    finally:
        analyzer.unregister(catalog_id)
    return catalog, outputs


# ---------------------------------------------------------------------------------------------


def check_plans(full, incremental, limits, report: Report, select, verbose: bool) -> dict[str, Any]:
    from sendwise.bigquery.plan import plan_figures

    figures_by_model: dict[str, Any] = {}
    for manifest, label in ((full, "full-refresh branch"), (incremental, "incremental branch")):
        views = {
            n["relation_name"].replace("`", "").lower(): n["compiled_code"]
            for n in manifest["nodes"].values()
            if n["resource_type"] == "model"
            and n["config"].get("materialized") == "view"
            and n.get("compiled_code")
        }
        for uid, node in sorted(_sql_nodes(manifest).items()):
            if node.get("language") == "python" or node.get("compiled_code") is None:
                continue
            if label == "incremental branch" and node["config"].get("materialized") != "incremental":
                continue
            if select and node["name"] not in select:
                continue
            figures = plan_figures(node["compiled_code"], views)
            report.plan_checked += 1
            figures_by_model[f"{node['name']} ({label})"] = figures
            over = []
            if figures.cte_evaluations > limits.max_cte_evaluations:
                most = figures.most_read()
                over.append(
                    f"{figures.cte_evaluations:,} CTE evaluations once inlined (limit {limits.max_cte_evaluations:,}"
                    + (f"; most read: {most[0]} x {most[1]:,}" if most else "")
                    + ")"
                )
            if figures.resolved_bytes > limits.max_resolved_bytes:
                over.append(
                    f"{figures.resolved_bytes:,} bytes resolved (limit {limits.max_resolved_bytes:,})"
                )
            if figures.view_depth > limits.max_view_depth:
                over.append(f"{figures.view_depth} nested view levels (limit {limits.max_view_depth})")
            if verbose:
                print(
                    f"plan {node['name']} [{label}]: {figures.cte_evaluations:,} evaluations, "
                    f"{figures.resolved_bytes:,} bytes resolved, view depth {figures.view_depth}"
                )
            if over:
                report.fail(uid, f"[{label}] over the plan limits: " + "; ".join(over), "plan_limits")
    return figures_by_model


def check_partitions(full, incremental, report: Report) -> tuple[int, int]:
    """Lint reads of partitioned relations; returns (partitioned relations, queries that read one)."""
    from sendwise.bigquery.partitions import unpruned_reads
    from sendwise.bigquery.plan import query_shape
    from sendwise.bigquery.settings import ALLOWLIST, read_allowlist

    allowed = read_allowlist(ALLOWLIST, "partition_filter")
    relations: set[str] = set()
    readers = 0
    for manifest, label in ((full, "full-refresh branch"), (incremental, "incremental branch")):
        partitioned = {}
        for node in manifest["nodes"].values():
            partition_by = node.get("config", {}).get("partition_by")
            if node["resource_type"] == "model" and partition_by and node.get("relation_name"):
                column = partition_by.get("field") if isinstance(partition_by, dict) else None
                if column:
                    partitioned[node["relation_name"].replace("`", "").lower()] = column
        relations |= set(partitioned)
        if not partitioned:
            continue
        for uid, node in sorted(_sql_nodes(manifest).items()):
            code = node.get("compiled_code")
            if code is None or node.get("language") == "python":
                continue
            if label == "incremental branch" and node["config"].get("materialized") != "incremental":
                continue
            if not set(query_shape(code).relation_refs) & set(partitioned):
                continue
            readers += 1
            # an incremental branch reading its own table (`this`) is its watermark query
            # (max of the partition column): one column, exempt
            own = node["relation_name"].replace("`", "").lower() if label == "incremental branch" else None
            for read in unpruned_reads(code, {k: v for k, v in partitioned.items() if k != own}):
                if node["name"] in allowed:
                    report.partition_allowed.append((node["name"], allowed[node["name"]]))
                else:
                    report.fail(uid, f"[{label}] {read.reason}", "partition_filter")
    return len(relations), readers


class RowSource:
    """Rows of the DuckDB build, encoded as ZetaSQL TableContent; cached (most models read the same
    seeds) and shared by the parity workers."""

    def __init__(self, con) -> None:
        self.con = con
        self._lock = threading.Lock()
        self._rows: dict[tuple, list] = {}
        self._encoded: dict[tuple, dict[str, Any]] = {}

    def rows(self, relation: tuple[str, str, str], names: list[str]) -> list[tuple]:
        key = (relation, tuple(names))
        with self._lock:
            if key not in self._rows:
                database, schema, table = relation
                select = ", ".join(f'"{n}"' for n in names)
                self._rows[key] = self.con.execute(
                    f'select {select} from "{database}"."{schema}"."{table}"'
                ).fetchall()
            return self._rows[key]

    def encoded(self, relation: tuple[str, str, str] | None, columns) -> dict[str, Any]:
        from sendwise.bigquery.values import table_content

        if relation is None:  # the incremental branch's `this`: empty, as prepare-db left it
            return {"table_data": {"row": []}}
        key = (relation, json.dumps(columns, sort_keys=True))
        rows = self.rows(relation, [n for n, _ in columns])
        with self._lock:
            if key not in self._encoded:
                self._encoded[key] = table_content(rows, [t for _, t in columns])
            return self._encoded[key]


class EvaluatorTimeout(RuntimeError):
    pass


@dataclass
class ParityJob:
    name: str
    unique_id: str
    sql: str
    # (relation text in the SQL, flat name, columns, DuckDB relation or None for an empty `this`)
    inputs: list[tuple[str, str, list, tuple[str, str, str] | None]]
    output_columns: list
    expected: tuple[str, str, str]
    ignored: Mapping[str, str]  # this model's allow-listed columns (parity_columns): column -> reason
    # columns of this model that no model compares (parity_ignored_columns, e.g. built_at)
    ignored_everywhere: frozenset[str] = frozenset()

    def compared(self) -> list[int]:
        """Positions of the output columns compared: all but the ignored ones."""
        skip = set(self.ignored) | self.ignored_everywhere
        return [i for i, (name, _) in enumerate(self.output_columns) if name.lower() not in skip]


class ParityWorker:
    """One ZetaSQL bridge running parity jobs on the reference evaluator."""

    def __init__(self, make_analyzer, rows: RowSource, digits: int, timeout: float) -> None:
        self.make_analyzer = make_analyzer
        self.analyzer = make_analyzer()
        self.rows = rows
        self.digits = digits
        self.timeout = timeout

    def close(self) -> None:
        self.analyzer.z.close()

    def _evaluate(self, request: dict[str, Any]) -> dict[str, Any]:
        from sendwise.bigquery.zetasql import ZetaSQLUnavailable

        fired = threading.Event()

        def stop() -> None:
            fired.set()
            self.analyzer.z.close()

        timer = threading.Timer(self.timeout, stop)
        timer.start()
        try:
            return self.analyzer.z.call("evaluateQuery", request)
        except ZetaSQLUnavailable as exc:
            self.analyzer.z.close()
            self.analyzer = self.make_analyzer()
            if fired.is_set():
                raise EvaluatorTimeout(f"over {self.timeout:.0f} s on the reference evaluator") from exc
            raise
        finally:
            timer.cancel()

    def run(self, job: ParityJob) -> str | None:
        """None when the evaluator returns the DuckDB build's rows, else what differs."""
        from sendwise.bigquery.values import EncodeError, compare_tables, decode_value
        from sendwise.bigquery.zetasql import ZetaSQLError

        sql, tables, contents = job.sql, [], {}
        try:
            for text, flat, columns, duck_relation in job.inputs:
                sql = re.compile(re.escape(text), re.IGNORECASE).sub(f"`{flat}`", sql)
                tables.append({"name": flat, "column": [{"name": n, "type": t} for n, t in columns]})
                contents[flat] = self.rows.encoded(duck_relation, columns)
            request = {
                "sql": sql,
                "options": self.analyzer.options,
                "simple_catalog": {"name": "parity", "table": tables, **self.analyzer.catalog_extras},
                "table_content": contents,
            }
            response = self._evaluate(request)
            out_rows = response.get("content", {}).get("table_data", {}).get("row", [])
            types = [t for _, t in job.output_columns]
            actual = [
                tuple(decode_value(cell, t) for cell, t in zip(row.get("cell", []), types, strict=True))
                for row in out_rows
            ]
        except EvaluatorTimeout as exc:
            return str(exc)
        except (ZetaSQLError, EncodeError) as exc:
            return f"evaluator: {str(exc)[:300]}"
        keep = job.compared()
        names = [job.output_columns[i][0] for i in keep]
        expected = self.rows.rows(job.expected, names)
        actual = [tuple(row[i] for i in keep) for row in actual]
        comparison = compare_tables(expected, actual, names, self.digits)
        return None if comparison.identical else comparison.detail


def parity_jobs(
    full, incremental, duck_manifest, catalog, outputs, report: Report, select
) -> list[ParityJob]:
    """One job per SQL model to compare; what cannot be compared is recorded in the report."""
    from sendwise.bigquery.catalog import node_relation, relation_key
    from sendwise.bigquery.plan import query_shape
    from sendwise.bigquery.settings import ALLOWLIST, read_allowlist, read_column_allowlist

    allowed = read_allowlist(ALLOWLIST, "parity")
    column_allowed = read_column_allowlist(ALLOWLIST, "parity_columns")
    # columns compared in no model, by name (a column-name rule: every model that has one)
    everywhere = {c.lower(): r for c, r in read_allowlist(ALLOWLIST, "parity_ignored_columns").items()}
    by_key = catalog.by_key()
    # BigQuery relation key -> DuckDB relation (database, schema, identifier)
    duck_relation: dict[str, tuple[str, str, str]] = {}
    for uid, node in list(full["nodes"].items()) + list(full["sources"].items()):
        duck = duck_manifest["nodes"].get(uid) or duck_manifest["sources"].get(uid)
        if duck is not None and node.get("relation_name"):
            duck_relation[relation_key(*node_relation(node))] = node_relation(duck)
    jobs = []
    for uid, node in sorted(_sql_nodes(full).items()):
        name = node["name"]
        if node["resource_type"] != "model" or (select and name not in select):
            continue
        if name in allowed:  # not evaluated at all: the allow-list says why it cannot be compared
            report.parity["allowed"].append((name, allowed[name]))
            continue
        materialized = node["config"].get("materialized")
        if node.get("language") == "python" or materialized == "ephemeral":
            report.parity["failed"].append((name, "not a SQL model with a table to compare"))
            report.fail(
                uid, "parity: a Python or ephemeral model must be allow-listed with its reason", "parity"
            )
            continue
        label = "incremental" if materialized == "incremental" else "full"
        branch = incremental["nodes"][uid] if label == "incremental" else node
        this_key = relation_key(*node_relation(node))
        output, expected = outputs[label].get(uid), duck_relation.get(this_key)
        problem = None
        if output is None:
            problem = "not analyzed (see its analyzer error)"
        elif expected is None:
            problem = "no table in the DuckDB build"
        inputs = []
        for key in sorted(query_shape(branch["compiled_code"]).relation_refs) if problem is None else []:
            relation = by_key.get(key)
            source = duck_relation.get(key)
            if relation is None or (source is None and key != this_key):
                problem = (
                    f"reads {key}, which is not in the {'catalog' if relation is None else 'DuckDB build'}"
                )
                break
            text = ".".join(f"`{part}`" for part in relation)
            inputs.append(
                (
                    text,
                    "__".join(relation[1:]),
                    catalog.columns(relation),
                    None if key == this_key else source,
                )
            )
        if problem is not None:
            report.parity["failed"].append((name, problem))
            report.fail(uid, f"parity: {problem}", "parity")
            continue
        produced = {column.lower() for column, _ in output}
        jobs.append(
            ParityJob(
                name,
                uid,
                branch["compiled_code"],
                inputs,
                output,
                expected,
                column_allowed.get(name, {}),
                frozenset(produced & set(everywhere)),
            )
        )
    for column, reason in sorted(everywhere.items()):
        having = sum(1 for job in jobs if column in job.ignored_everywhere)
        report.notes.append(
            f"parity ignores column {column} in every model ({having} models have it): {reason}"
        )
    return jobs


def check_parity(make_analyzer, jobs: list[ParityJob], con, digits: int, report: Report, args) -> None:
    """Run the jobs on `args.workers` bridges at once (the biggest first)."""
    from concurrent.futures import ThreadPoolExecutor

    rows = RowSource(con)
    workers: list[ParityWorker] = []
    local = threading.local()

    def work(job: ParityJob) -> tuple[ParityJob, str | None, float]:
        if not hasattr(local, "worker"):
            local.worker = ParityWorker(make_analyzer, rows, digits, args.timeout)
            workers.append(local.worker)
        started = time.monotonic()
        return job, local.worker.run(job), time.monotonic() - started

    jobs = sorted(jobs, key=lambda job: -len(job.sql) * len(job.inputs))
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
            results = list(pool.map(work, jobs))
    finally:
        for worker in workers:
            worker.close()
    for job, outcome, seconds in sorted(results, key=lambda item: item[0].name):
        if args.verbose:
            print(
                f"parity {job.name}: {'identical' if outcome is None else 'DIFFERENT: ' + outcome} ({seconds:.1f} s)"
            )
        if outcome is None and job.ignored:
            reasons = "; ".join(f"{c}: {r}" for c, r in job.ignored.items())
            report.parity["allowed"].append(
                (job.name, f"identical except the allow-listed columns ({reasons})")
            )
        elif outcome is None:
            report.parity["identical"].append((job.name, ""))
        else:
            report.parity["failed"].append((job.name, outcome))
            report.fail(job.unique_id, f"parity: {outcome}", "parity")


# ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from sendwise.bigquery.settings import limits as read_limits
    from sendwise.bigquery.settings import temporary_allowlist
    from sendwise.bigquery.zetasql import ZetaSQL, ZetaSQLUnavailable
    from sendwise.commands.bq_gate import _compile

    started = time.monotonic()
    base = PROJECT_ROOT / args.target_path
    try:
        limits = read_limits()
    except ValueError as exc:
        print(f"bq-check: {exc}", file=sys.stderr)
        return 2
    if not args.skip_compile:
        for incremental in (False, True):
            _compile(args.target, base / ("incremental" if incremental else "full"), incremental)
    paths = {"full": base / "full" / "manifest.json", "incremental": base / "incremental" / "manifest.json"}
    for path in paths.values():
        if not path.exists():
            print(
                f"bq-check: {path} is missing: run without --skip-compile (or `sendwise bq-gate`)",
                file=sys.stderr,
            )
            return 2
    full, incremental = _load_manifest(paths["full"]), _load_manifest(paths["incremental"])

    db = duckdb_path(args.db or None) if (args.db or not args.no_parity) else None
    duck_manifest_path = PROJECT_ROOT / args.duckdb_manifest
    con = duck_manifest = None
    if db is not None:
        if not db.exists() or not duck_manifest_path.exists():
            print(
                f"bq-check: no DuckDB build at {db} (or {duck_manifest_path}): run `make dbt-test` first",
                file=sys.stderr,
            )
            return 2
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        duck_manifest = _load_manifest(duck_manifest_path)
        problem = manifest_database_problem(
            duck_manifest, con.execute("select current_database()").fetchone()[0]
        )
        if problem:
            print(
                f"bq-check: {duck_manifest_path} {problem}, not for {db}: run `make dbt-test` first",
                file=sys.stderr,
            )
            return 2

    report = Report()

    def make_analyzer() -> Analyzer:
        z = ZetaSQL().__enter__()
        try:
            return Analyzer(z)
        except Exception:
            z.close()
            raise

    analyzer_started = time.monotonic()
    try:
        analyzer = make_analyzer()
    except ZetaSQLUnavailable as exc:
        print(f"bq-check: {exc}", file=sys.stderr)
        return 2
    try:
        catalog, outputs = analyze_project(analyzer, full, incremental, duck_manifest, con, report)
    except ZetaSQLUnavailable as exc:  # the bridge died (once under heavy load): one line, not a traceback
        print(f"bq-check: {exc}; nothing was checked to the end, run it again", file=sys.stderr)
        return 2
    finally:
        analyzer.z.close()
    analyzer_seconds = time.monotonic() - analyzer_started
    plan_started = time.monotonic()
    figures = check_plans(full, incremental, limits, report, args.select, args.verbose)
    partitioned, partition_readers = check_partitions(full, incremental, report)
    plan_seconds = time.monotonic() - plan_started
    parity_started = time.monotonic()
    if not args.no_parity:
        jobs = parity_jobs(full, incremental, duck_manifest, catalog, outputs, report, args.select)
        try:
            check_parity(make_analyzer, jobs, con, limits.float_digits, report, args)
        except ZetaSQLUnavailable as exc:
            print(f"bq-check: {exc} during the parity check; run it again", file=sys.stderr)
            return 2
    parity_seconds = time.monotonic() - parity_started
    if con is not None:
        con.close()

    report.apply_temporary(temporary_allowlist())
    for node, message, _ in report.failures:
        print(f"FAIL {node}: {message}", file=sys.stderr)
    for check, name, reason, message in report.temporary:
        print(f"TEMPORARILY ALLOWED {check} {name}: {message} [{reason}]")
    for name, reason in sorted(set(report.partition_allowed)):
        print(f"allowed partition filter {name}: {reason}")
    if args.verbose:
        for name, reason in report.parity["allowed"]:
            print(f"allowed parity {name}: {reason}")
    for note in report.notes:
        print(f"note: {note}")

    def count(check: str) -> tuple[int, int]:
        failed = sum(1 for _, _, c in report.failures if c == check)
        return failed, sum(1 for t in report.temporary if t[0] == check)

    failed, temporary = count("analyzer")
    print(
        f"bq-check analyzer: {report.seeds} seeds, {report.analyzed} model and snapshot queries (both incremental "
        f"branches), {report.tests} data tests: {failed} failed, {temporary} temporarily allowed ({analyzer_seconds:.0f} s)"
    )
    failed, temporary = count("plan_limits")
    worst = max(figures.items(), key=lambda item: item[1].cte_evaluations, default=None)
    print(
        f"bq-check plan limits: {report.plan_checked} queries (limits {limits.max_cte_evaluations:,} CTE evaluations, "
        f"{limits.max_resolved_bytes:,} bytes resolved, {limits.max_view_depth} view levels): {failed} failed, "
        f"{temporary} temporarily allowed"
        + (f"; most: {worst[0]} {worst[1].cte_evaluations:,}" if worst else "")
    )
    failed, temporary = count("partition_filter")
    print(
        f"bq-check partition filters: {partitioned} partitioned relations, {partition_readers} queries read one: "
        f"{failed} failed, {len(set(report.partition_allowed))} allowed, {temporary} temporarily allowed "
        f"({plan_seconds:.0f} s with the plan limits)"
    )
    if not args.no_parity:
        counts = {key: len(value) for key, value in report.parity.items()}
        columns_only = sum(
            1 for _, reason in report.parity["allowed"] if reason.startswith("identical except")
        )
        print(
            f"bq-check parity: {sum(counts.values())} models: {counts['identical']} identical, {counts['allowed']} "
            f"allowed ({counts['allowed'] - columns_only} not evaluated, {columns_only} identical without "
            f"allow-listed columns), {counts['temporarily allowed']} temporarily allowed, {counts['failed']} failed "
            f"({parity_seconds:.0f} s)"
        )
    print(f"bq-check: {len(report.failures)} failure(s) in {time.monotonic() - started:.0f} s")
    return 1 if report.failures else 0
