"""The in-process dbt runner's cache key (sendwise.dbt_in_process): what changes a parse changes the
key, what only changes a command does not."""

from __future__ import annotations

from sendwise.dbt_in_process import _environment_key, _parse_args


def test_parse_key_holds_the_flags_a_parse_reads_and_nothing_else():
    args = ["run", "--quiet", "--select", "a b", "--vars", '{"as_of": "x"}', "--target=bigquery_offline"]
    parse, key = _parse_args(args)
    assert parse == ["--vars", '{"as_of": "x"}', "--target", "bigquery_offline"]
    assert key == (("--vars", '{"as_of": "x"}'), ("--target", "bigquery_offline"))
    # the same vars written another way (YAML flow style, other order) are the same parse
    assert _parse_args(["run", "--vars", "{as_of: x}", "--target", "bigquery_offline"])[1] == key
    assert (
        _parse_args(["run", "--vars", '{"b": 1, "a": 2}'])[1]
        == _parse_args(["run", "--vars", "{a: 2, b: 1}"])[1]
    )
    assert (
        _parse_args(["run", "--vars", "{a: 2, b: 1}"])[1] != _parse_args(["run", "--vars", "{a: 2, b: 2}"])[1]
    )
    # a different selection or command reuses the parse; different vars do not
    assert (
        _parse_args(["build", "--select", "c", "--vars", '{"as_of": "x"}', "--target", "bigquery_offline"])[1]
        == key
    )
    assert _parse_args(["run", "--vars", '{"as_of": "y"}', "--target", "bigquery_offline"])[1] != key


def test_environment_key_keeps_the_duckdb_catalog_name_and_the_project_settings():
    one = {"SENDWISE_DUCKDB_PATH": "/tmp/a/sim.duckdb", "SENDWISE_TARGET": "duckdb", "HOME": "/root"}
    other_folder = {**one, "SENDWISE_DUCKDB_PATH": "/tmp/b/sim.duckdb", "HOME": "/elsewhere"}
    assert _environment_key(one) == _environment_key(other_folder)  # same catalog "sim"
    assert _environment_key(one) != _environment_key({**one, "SENDWISE_DUCKDB_PATH": "/tmp/a/test.duckdb"})
    assert _environment_key(one) != _environment_key({**one, "SENDWISE_TARGET": "bigquery_offline"})
    assert _environment_key(one) == _environment_key({**one, "SENDWISE_DBT_IN_PROCESS": "1"})
