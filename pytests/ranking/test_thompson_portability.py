"""The Thompson draw is portable: its BigQuery compilation (transpiled back by sqlglot) gives the
same hash, uniforms, normal variate and draw on DuckDB as the DuckDB compilation, key by key.

Both compilations come from `make test`'s own steps when they are current (`dbt docs generate`
compiles the analysis for DuckDB into target/, the BigQuery gate for BigQuery into target_bq/full/);
otherwise the test compiles them itself."""

from __future__ import annotations

import json

import duckdb
import pytest

from sendwise.dbt import run_dbt
from sendwise.paths import PROJECT_ROOT

ANALYSIS = "ranking_thompson_draw_portability"
BUILT = {None: "target/manifest.json", "bigquery_offline": "target_bq/full/manifest.json"}


def _compiled_by_make_test(target: str | None) -> str | None:
    """The analysis as `make test` compiled it for `target`, when that manifest is newer than every
    file the compile reads (the project file, analyses/, macros/); else None."""
    path = PROJECT_ROOT / BUILT[target]
    if not path.is_file():
        return None
    sources = [PROJECT_ROOT / "dbt_project.yml"]
    sources += [
        p for folder in ("analyses", "macros") for p in (PROJECT_ROOT / folder).rglob("*") if p.is_file()
    ]
    if path.stat().st_mtime <= max(p.stat().st_mtime for p in sources):
        return None
    node = json.loads(path.read_text())["nodes"].get(f"analysis.sendwise.{ANALYSIS}") or {}
    return node.get("compiled_code")


def _compiled(tmp_path, target: str | None) -> str:
    built = _compiled_by_make_test(target)
    if built:
        return built
    args = ["compile", "--quiet", "--select", ANALYSIS]
    env = {}
    if target:
        args += ["--target", target, "--no-introspect", "--no-populate-cache"]
        env["SENDWISE_TARGET"] = target
    out = tmp_path / (target or "duckdb")
    run_dbt(args, duckdb_path=tmp_path / "empty.duckdb", target_path=out, env=env, capture=True)
    manifest = json.loads((out / "manifest.json").read_text())
    return manifest["nodes"][f"analysis.sendwise.{ANALYSIS}"]["compiled_code"]


@pytest.mark.e2e
def test_bigquery_and_duckdb_draws_are_identical(tmp_path):
    sqlglot = pytest.importorskip("sqlglot")
    duck_sql = _compiled(tmp_path, None)
    bq_sql = _compiled(tmp_path, "bigquery_offline")
    assert "to_hex(md5(" in bq_sql and "int64" in bq_sql  # really the BigQuery rendering
    transpiled = sqlglot.transpile(bq_sql, read="bigquery", write="duckdb")[0]
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    duck = con.sql(duck_sql).df().sort_values("generated_number").reset_index(drop=True)
    bq = con.sql(transpiled).df().sort_values("generated_number").reset_index(drop=True)
    assert len(duck) == len(bq) == 512
    assert (duck["draw_key"] == bq["draw_key"]).all()  # same key text on both engines
    assert (duck["hash_int"] == bq["hash_int"]).all()
    for column in ("uniform", "z", "p_draw"):
        assert (duck[column] - bq[column]).abs().max() < 1e-12, column
    # the key really varies the draw, and the draw respects the truncation bound
    assert duck["hash_int"].nunique() == 512
    sd = (0.25 * 0.75 / 100) ** 0.5
    assert duck["p_draw"].between(0.25 - 4 * sd - 1e-12, 0.25 + 4 * sd + 1e-12).all()
