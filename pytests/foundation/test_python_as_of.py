"""A scheduled `dbt build` without --vars: every model, SQL or Python, uses the run's own as_of.

Without the var, as_of is the run's start time. dbt renders a Python model's config when it parses
the project, and a later run with the same vars and files reuses that parse (partial parsing), so
the `as_of` config of the Python models stayed the start time of the run that parsed, days old on a
daily schedule, while the SQL models compiled the new one. The project's build_config_dict
(macros/ops/build_config_dict.sql) writes the running invocation's as_of into the Python model's
code. Two dbt processes, as a scheduler starts them, one target folder between them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from sendwise.dbt import run_dbt

pytestmark = pytest.mark.e2e

PYTHON_MODEL = ("fan_embeddings", "python_models/fans/fan_embeddings.py")
SQL_MODEL = ("int_fan_timing_messages", "models/intermediate/fans/int_fan_timing_messages.sql")


def python_as_of(target: Path) -> str:
    """The as_of the compiled Python model's dbt.config.get('as_of') returns."""
    code = (target / "compiled" / "sendwise" / PYTHON_MODEL[1]).read_text()
    block = code[code.index("config_dict = {") : code.index("class config:")]
    namespace: dict = {}
    exec(block, namespace)  # the literal dict dbt writes and the assignments after it, nothing else
    return namespace["config_dict"]["as_of"]


def sql_as_of(target: Path) -> str:
    code = (target / "compiled" / "sendwise" / SQL_MODEL[1]).read_text()
    stamps = set(re.findall(r"cast\('(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)' as timestamp\)", code))
    assert len(stamps) == 1, stamps
    return stamps.pop()


def parsed_as_of(target: Path) -> str:
    import json

    manifest = json.loads((target / "manifest.json").read_text())
    return manifest["nodes"][f"model.sendwise.{PYTHON_MODEL[0]}"]["config"]["as_of"]


def test_a_run_without_the_var_gives_python_models_its_own_as_of(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDWISE_DBT_IN_PROCESS", "0")  # separate processes, as a scheduler runs them
    target = tmp_path / "target"

    def compile_once() -> tuple[str, str]:
        run_dbt(
            ["compile", "--quiet", "--select", PYTHON_MODEL[0], SQL_MODEL[0]],
            duckdb_path=tmp_path / "test.duckdb",
            target_path=target,
            capture=True,
        )
        return python_as_of(target), sql_as_of(target)

    first_python, first_sql = compile_once()
    assert first_python == first_sql
    time.sleep(1.2)  # the next run starts in a later second
    second_python, second_sql = compile_once()
    # the second run reused the first one's parse: the parsed config still holds the first start time
    assert parsed_as_of(target) == first_sql
    assert second_sql > first_sql
    assert second_python == second_sql  # was first_sql: the Python model a run behind
