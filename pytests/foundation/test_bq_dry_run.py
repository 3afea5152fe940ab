"""`sendwise bq-dry-run`: a user's mistakes (no project, no credentials, no key) end in one line and
exit code 2 with nothing written; the report and the node selection are pure functions. No test
talks to BigQuery: the dry runs themselves need an operator's credentials (docs/bigquery.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sendwise.commands.bq_dry_run import (
    DryRun,
    UsageError,
    dry_runnable,
    format_report,
    human_bytes,
    resolve_project,
)


def _run_without_credentials(tmp_path: Path, *extra: str, project: str | None = "my-project"):
    """The command in a fresh process with no Google credentials anywhere and no network probe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "SENDWISE_BQ_", "CLOUDSDK_"))}
    env["CLOUDSDK_CONFIG"] = str(tmp_path / "gcloud")  # an empty gcloud config: no ADC file
    env["NO_GCE_CHECK"] = "true"  # google-auth would otherwise probe the GCE metadata server
    if project is not None:
        env["SENDWISE_BQ_PROJECT"] = project
    out = tmp_path / "compiled"
    cmd = [sys.executable, "-m", "sendwise.cli", "bq-dry-run", "--target-path", str(out), *extra]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    return result, out


def test_no_credentials_exits_2_with_one_line_and_writes_nothing(tmp_path):
    result, out = _run_without_credentials(tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Google credentials" in lines[0]
    assert not out.exists()


def test_missing_keyfile_exits_2(tmp_path):
    result, out = _run_without_credentials(tmp_path, "--keyfile", str(tmp_path / "absent.json"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"bq-dry-run: no service-account key at {tmp_path / 'absent.json'}"
    ]
    assert not out.exists()


def test_a_file_that_is_not_a_key_exits_2(tmp_path):
    key = tmp_path / "key.json"
    key.write_text('{"type": "authorized_user"}')
    result, _ = _run_without_credentials(tmp_path, "--keyfile", str(key))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "is not a service-account key" in result.stderr


def test_no_project_exits_2_before_looking_for_credentials(tmp_path):
    result, out = _run_without_credentials(tmp_path, project=None)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bq-dry-run: no BigQuery project: set $SENDWISE_BQ_PROJECT or pass --project"
    ]
    assert not out.exists()


def test_project_from_flag_then_environment_never_the_placeholder():
    assert resolve_project("flag-project", {"SENDWISE_BQ_PROJECT": "env-project"}) == "flag-project"
    assert resolve_project(None, {"SENDWISE_BQ_PROJECT": "env-project"}) == "env-project"
    for environ in ({}, {"SENDWISE_BQ_PROJECT": "  "}, {"SENDWISE_BQ_PROJECT": "my-gcp-project"}):
        with pytest.raises(UsageError):
            resolve_project(None, environ)


def test_only_sql_models_with_their_own_query_are_dry_run():
    def node(
        name, resource_type="model", language="sql", materialized="table", enabled=True, code="select 1"
    ):
        return {
            "unique_id": f"{resource_type}.sendwise.{name}",
            "name": name,
            "resource_type": resource_type,
            "language": language,
            "config": {"materialized": materialized, "enabled": enabled},
            "compiled_code": code,
        }

    nodes = [
        node("b_table"),
        node("a_view", materialized="view", code="select 2"),
        node("inlined", materialized="ephemeral"),
        node("ml_model", language="python", code="def model(dbt, session): ..."),
        node("switched_off", enabled=False),
        node("not_null_x", resource_type="test"),
        node("seed_x", resource_type="seed"),
    ]
    runnable, skipped = dry_runnable({"nodes": {n["unique_id"]: n for n in nodes}})
    assert runnable == [("a_view", "select 2"), ("b_table", "select 1")]
    assert sorted(skipped) == ["inlined", "ml_model"]


def test_human_bytes_uses_binary_units():
    assert human_bytes(0) == "0 B"
    assert human_bytes(1023) == "1023 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(10 * 1024**3) == "10.0 GiB"
    assert human_bytes(3 * 1024**5) == "3072.0 TiB"


def test_report_orders_by_bytes_lists_failures_and_totals():
    results = [
        DryRun("small", 2048),
        DryRun("large", 5 * 1024**3),
        DryRun("missing_input", error="Not found: Table p:sendwise_marts.x was not found in location US"),
        DryRun("empty", 0),
    ]
    lines = format_report(results, skipped=["fan_profiles"]).splitlines()
    assert lines[0].split() == ["5.0", "GiB", "large"]
    assert lines[1].split() == ["2.0", "KiB", "small"]
    assert lines[2].split() == ["0", "B", "empty"]
    assert lines[3].strip().startswith("FAILED  missing_input: Not found")
    assert lines[4] == "not dry-runnable (Python or ephemeral): fan_profiles"
    total = 5 * 1024**3 + 2048
    assert lines[5] == (
        f"bq-dry-run: 4 models, 3 dry-run, 1 failed; total 5.0 GiB ({total:,} bytes) would be scanned"
    )
