"""`sendwise bench` bookkeeping: time shares from run_results.json and the results CSV."""

from __future__ import annotations

import csv
import json

import pytest

from sendwise.commands.bench import add_arguments, append_row, build_command, group_times, share_of_tests


def test_group_times_separates_models_tests_and_unit_tests(tmp_path):
    run_results = tmp_path / "run_results.json"
    run_results.write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.sendwise.a", "execution_time": 2.0},
                    {"unique_id": "model.sendwise.b", "execution_time": 1.0},
                    {"unique_id": "test.sendwise.not_null_a_x", "execution_time": 0.5},
                    {"unique_id": "test.sendwise.unique_a_x", "execution_time": 0.25},
                    {"unique_id": "unit_test.sendwise.a.case", "execution_time": 0.75},
                    {"unique_id": "seed.sendwise.s", "execution_time": 9.0},
                ]
            }
        )
    )
    totals = group_times(run_results, {"model.sendwise.a": ["ranking"], "model.sendwise.b": []})
    assert totals == {"models_total": 3.0, "ranking": 2.0, "tests_total": 0.75, "unit_tests_total": 0.75}
    # tests 0.75 + unit tests 0.75 of 4.5 s in all (the seed is not counted)
    assert share_of_tests(totals) == 1.5 / 4.5
    assert share_of_tests({}) is None


def test_the_timed_build_is_the_daily_one_unless_unit_tests_are_asked_for():
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    daily = build_command(parser.parse_args(["--scale", "seed"]))
    assert daily[:2] == ["build", "--quiet"]
    assert daily[daily.index("--exclude-resource-type") + 1] == "unit_test"
    assert "ml_retrain" not in daily[daily.index("--vars") + 1]
    assert "--full-refresh" not in daily
    full = build_command(parser.parse_args(["--unit-tests", "--ml-retrain", "--select", "tag:fans"]))
    assert "--exclude-resource-type" not in full
    assert json.loads(full[full.index("--vars") + 1])["ml_retrain"] is True
    assert "--full-refresh" in full  # the facts built by day rebuild every day in a full build
    assert full[-2:] == ["--select", "tag:fans"]


def test_append_row_widens_the_header_and_keeps_old_rows(tmp_path):
    out = tmp_path / "results.csv"
    append_row(out, {"scale": "seed", "median_s": 80})
    append_row(out, {"scale": "seed", "median_s": 70})
    append_row(out, {"scale": "x10", "median_s": 300, "duckdb_memory_limit": "8GB"})
    append_row(out, {"scale": "x10", "median_s": 290})
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["median_s"] for r in rows] == ["80", "70", "300", "290"]
    assert [r["duckdb_memory_limit"] for r in rows] == ["", "", "8GB", ""]


@pytest.mark.e2e  # starts dbt twice
def test_run_dbt_peak_memory_measures_that_process_and_fails_loudly():
    import subprocess

    import pytest

    from sendwise.dbt import run_dbt_peak_memory

    # dbt itself (a Python process with dbt imported) holds tens of MiB at least
    assert run_dbt_peak_memory(["--version"]) > 20
    with pytest.raises(subprocess.CalledProcessError):
        run_dbt_peak_memory(["no-such-command"])


@pytest.mark.e2e  # three dbt parses of the project
def test_the_timed_build_starts_from_a_parsed_project(tmp_path):
    """The bench parses with a build's vars and database before timing it, so the build parses only
    what changed (as a scheduled build, which keeps target/); another vars value parses everything."""
    from sendwise.dbt import parse_for_build, run_dbt, vars_arg

    db, target = tmp_path / "bench.duckdb", tmp_path / "target"
    build = ["build", "--quiet", "--vars", vars_arg({"as_of": "2026-11-17 00:00:00"}), "--full-refresh"]
    parse_for_build(build, duckdb_path=db, target_path=target)
    full_parse = "Unable to do partial parsing"
    same = run_dbt(["parse", "--vars", build[3]], duckdb_path=db, target_path=target, capture=True)
    assert same.returncode == 0 and full_parse not in same.stdout
    other = vars_arg({"as_of": "2026-11-18 00:00:00"})
    moved = run_dbt(["parse", "--vars", other], duckdb_path=db, target_path=target, capture=True)
    assert full_parse in moved.stdout  # the control: a new vars value is a full parse
