"""BigQuery gate: compile every model for the `bigquery` target offline and parse it as BigQuery SQL.

No credentials and no network: the `bigquery_offline` output of the profile uses
`method: oauth-secrets` with a dummy token and dbt runs with `--no-introspect`.
Incremental models are compiled twice (the root `is_incremental()` override answers
`var('offline_is_incremental')` when dbt cannot introspect), so both branches are checked.

Each compiled SQL model, snapshot, data test and analysis is parsed with sqlglot's BigQuery dialect.
sqlglot accepts unknown function names as "anonymous" calls, so the gate also rejects any
anonymous function that is not a known BigQuery function (DuckDB-only functions such as
`quantile_cont` or `regexp_matches` would otherwise slip through). Python models are parsed
as Python and must convert their inputs and output for BigQuery DataFrames.

A two-argument ROUND(x, d) is accepted only of an exact decimal (x holds a CAST to NUMERIC or
BIGNUMERIC, as `exact_sum` does): of a float, BigQuery rounds the exact binary value and DuckDB
scales first, so the engines disagree on values printed as a decimal tie (ROUND(2.675, 2): 2.67 on
BigQuery, 2.68 on DuckDB); the macro `round_float` gives DuckDB's value on both. A node that shows
the difference on purpose says so in a comment holding ROUND_ALLOWED.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

HELP = "compile every model for BigQuery offline and parse it with sqlglot (fails naming the model)"

# BigQuery functions sqlglot (30.x) parses as anonymous calls. Only real BigQuery functions belong here.
BIGQUERY_FUNCTIONS_UNKNOWN_TO_SQLGLOT = {
    "ARRAY_LENGTH",
    "CODE_POINTS_TO_STRING",
    "FORMAT_DATETIME",
    "LOGICAL_OR",
    "LOGICAL_AND",
    "PERCENTILE_CONT",
    "REGEXP_CONTAINS",
    "SAFE_DIVIDE",
    "TO_JSON_STRING",
    "UNIX_MICROS",
    "UNIX_SECONDS",
}
# Functions that exist only on DuckDB: a clear message when one leaks into BigQuery SQL.
DUCKDB_ONLY = {
    "QUANTILE_CONT",
    "QUANTILE_DISC",
    "REGEXP_MATCHES",
    "ISODOW",
    "EPOCH",
    "STRFTIME",
    "TRY_CAST",
    "LIST_VALUE",
    "LEN",
    "BOOL_OR",
    "COUNT_IF",
    "STRUCT_PACK",
    "TIMEZONE",
}


@dataclass
class GateResult:
    checked: int = 0
    python_models: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default="bigquery_offline", help="profile output to compile for")
    parser.add_argument("--target-path", default="target_bq", help="where compiled artifacts go")
    parser.add_argument("--skip-compile", action="store_true", help="only parse an existing compile")


def numeric_settings(seed: Path | None = None) -> dict[str, float]:
    """The numeric rows of the settings seed file, for `setting_constant` in an offline compile
    (production reads the same values from the loaded seed table while compiling)."""
    import csv

    path = seed or PROJECT_ROOT / "seeds" / "settings_modeling.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out: dict[str, float] = {}
    for row in rows:
        if row.get("value_type") != "number":
            continue
        try:
            out[row["setting_name"]] = float(row["setting_value"])
        except (TypeError, ValueError):
            continue
    return out


def _compile(target: str, target_path: Path, incremental: bool) -> None:
    run_dbt(
        [
            "compile",
            "--target",
            target,
            "--no-introspect",
            "--no-populate-cache",
            "--quiet",
            "--select",
            "resource_type:model resource_type:snapshot resource_type:test resource_type:analysis",
            "--exclude",
            "test_type:unit",
            "--vars",
            vars_arg(
                {
                    "as_of": DEFAULT_END,
                    "offline_is_incremental": incremental,
                    "offline_settings": numeric_settings(),
                }
            ),
        ],
        target_path=target_path,
        env={"SENDWISE_TARGET": target},
    )


# A comment holding this lets a node round a float to places (a check that shows the difference).
ROUND_ALLOWED = "bq-gate: plain round(x, d) on purpose"


def check_sql(sql: str) -> str | None:
    """None when `sql` parses as BigQuery and calls only BigQuery functions, else the problem."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = sqlglot.parse(sql, read="bigquery")
    except sqlglot.errors.ParseError as exc:
        return f"does not parse as BigQuery SQL: {str(exc).splitlines()[0]}"
    rounds_checked = ROUND_ALLOWED not in sql
    for statement in statements:
        if statement is None:
            continue
        for node in statement.find_all(exp.Anonymous):
            name = str(node.name).upper()
            if name in DUCKDB_ONLY:
                return f"calls DuckDB-only function {name}()"
            if name not in BIGQUERY_FUNCTIONS_UNKNOWN_TO_SQLGLOT:
                return f"calls {name}(), not a known BigQuery function"
        for node in statement.find_all(exp.Round):
            if rounds_checked and node.args.get("decimals") is not None and not _is_exact_decimal(node.this):
                return (
                    f"rounds a value that is not NUMERIC to decimal places ({node.sql('bigquery')[:80]}): "
                    "the engines round a float's ties differently; use sendwise.round_float"
                )
    return None


def _is_exact_decimal(expression) -> bool:
    """True when `expression` holds a CAST to NUMERIC or BIGNUMERIC (an exact decimal)."""
    from sqlglot import exp

    return any(
        cast.to.this in {exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL}
        for cast in expression.find_all(exp.Cast)
    )


def check_python(code: str) -> str | None:
    try:
        ast.parse(code)
    except SyntaxError as exc:
        return f"compiled Python does not parse: {exc}"
    if "bigframes" not in code:
        return "Python model never converts its output for BigQuery DataFrames (bigframes)"
    return None


def check_manifest(manifest_path: Path, result: GateResult, label: str) -> None:
    manifest = json.loads(manifest_path.read_text())
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] not in {"model", "snapshot", "test", "analysis"}:
            continue
        code = node.get("compiled_code")
        if code is None:
            if node.get("config", {}).get("enabled", True) and node["resource_type"] in {"model", "snapshot"}:
                result.failures.append((unique_id, f"[{label}] was not compiled"))
            continue
        if node.get("language") == "python":
            result.python_models += 1
            problem = check_python(code)
        else:
            problem = check_sql(code)
        result.checked += 1
        if problem:
            result.failures.append((unique_id, f"[{label}] {problem}"))


def run(args: argparse.Namespace) -> int:
    base = PROJECT_ROOT / args.target_path
    result = GateResult()
    for incremental in (False, True):
        label = "incremental branch" if incremental else "full-refresh branch"
        path = base / ("incremental" if incremental else "full")
        if not args.skip_compile:
            _compile(args.target, path, incremental)
        check_manifest(path / "manifest.json", result, label)
    for unique_id, problem in result.failures:
        print(f"FAIL {unique_id}: {problem}", file=sys.stderr)
    print(
        f"bq-gate: {result.checked} compiled nodes checked (2 passes, {result.python_models} Python), "
        f"{len(result.failures)} failure(s)"
    )
    return 1 if result.failures else 0
