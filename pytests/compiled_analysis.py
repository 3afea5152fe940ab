"""An analysis's compiled SQL for DuckDB or for BigQuery (offline), for the portability tests.

`make test`'s own steps compile every analysis (`dbt docs generate` for DuckDB into target/, the
BigQuery gate into target_bq/full/): their text is used when that manifest is newer than every file
the compile reads; otherwise the analysis is compiled here."""

from __future__ import annotations

import json
from pathlib import Path

from sendwise.dbt import run_dbt
from sendwise.paths import PROJECT_ROOT

BUILT = {None: "target/manifest.json", "bigquery_offline": "target_bq/full/manifest.json"}


def _compiled_by_make_test(analysis: str, target: str | None) -> str | None:
    path = PROJECT_ROOT / BUILT[target]
    if not path.is_file():
        return None
    sources = [PROJECT_ROOT / "dbt_project.yml"]
    sources += [
        p for folder in ("analyses", "macros") for p in (PROJECT_ROOT / folder).rglob("*") if p.is_file()
    ]
    if path.stat().st_mtime <= max(p.stat().st_mtime for p in sources):
        return None
    node = json.loads(path.read_text())["nodes"].get(f"analysis.sendwise.{analysis}") or {}
    return node.get("compiled_code")


def compiled_analysis(analysis: str, tmp_path: Path, target: str | None = None) -> str:
    """The analysis compiled for DuckDB (target None) or for BigQuery ("bigquery_offline")."""
    built = _compiled_by_make_test(analysis, target)
    if built:
        return built
    args = ["compile", "--quiet", "--select", analysis]
    env = {}
    if target:
        args += ["--target", target, "--no-introspect", "--no-populate-cache"]
        env["SENDWISE_TARGET"] = target
    out = tmp_path / (target or "duckdb")
    run_dbt(args, duckdb_path=tmp_path / "empty.duckdb", target_path=out, env=env, capture=True)
    manifest = json.loads((out / "manifest.json").read_text())
    return manifest["nodes"][f"analysis.sendwise.{analysis}"]["compiled_code"]
