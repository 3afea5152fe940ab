"""The ZetaSQL bridge of bq-check against the real local service (tools/zetasql, installed by
`make zetasql-deps`): BigQuery's analyzer answers, the evaluator round-trips our value encoding, and
no process outlives the bridge."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from sendwise.bigquery.values import decode_value, table_content
from sendwise.bigquery.zetasql import PACKAGE, ZetaSQL, ZetaSQLError
from sendwise.commands.bq_check import Analyzer

pytestmark = pytest.mark.skipif(
    not (PACKAGE / "lib" / "zetasql").is_dir(), reason="tools/zetasql not installed (make zetasql-deps)"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def analyzer():
    zetasql = ZetaSQL().__enter__()
    try:
        yield Analyzer(zetasql)
    finally:
        zetasql.close()


def _catalog(analyzer, columns):
    table = {"name": "t", "column": [{"name": n, "type": t} for n, t in columns]}
    return {
        "name": "root",
        **analyzer.catalog_extras,
        "catalog": [{"name": "my-project", "catalog": [{"name": "ds", "table": [table]}]}],
    }


def test_bigquery_type_names(analyzer):
    assert analyzer.type_proto("bigint") == {"type_kind": "TYPE_INT64"}  # BigQuery's INT64 alias
    assert analyzer.type_proto("float64") == {"type_kind": "TYPE_DOUBLE"}
    with pytest.raises(ZetaSQLError, match="Type not found: varchar"):
        analyzer.type_proto("varchar")


def test_analyzer_resolves_project_dataset_table_and_reports_errors(analyzer):
    catalog_id = analyzer.register(_catalog(analyzer, [("x", {"type_kind": "TYPE_INT64"})]))
    try:
        columns = analyzer.columns("select x, x / 2 as half from `my-project`.`ds`.`t`", catalog_id)
        assert columns == [("x", {"type_kind": "TYPE_INT64"}), ("half", {"type_kind": "TYPE_DOUBLE"})]
        # BigQuery rejects an INTERVAL of a FLOAT64 (issue 13: generate_series)
        with pytest.raises(ZetaSQLError, match="INT64"):
            analyzer.columns(
                "select timestamp_add(current_timestamp(), interval x / 2 hour) from `my-project`.`ds`.`t`",
                catalog_id,
            )
    finally:
        analyzer.unregister(catalog_id)


def test_evaluator_round_trips_encoded_values(analyzer):
    stamp = dt.datetime(2026, 11, 15, 8, 30, 0, 250000)
    types = [("n", {"type_kind": "TYPE_INT64"}), ("ts", {"type_kind": "TYPE_TIMESTAMP"})]
    table = {"name": "t", "column": [{"name": n, "type": t} for n, t in types]}
    rows = [(1, stamp), (2, None)]
    response = analyzer.z.call(
        "evaluateQuery",
        {
            # DATETIME(ts) in BigQuery's default time zone, UTC; n + 1 stays INT64
            "sql": "select n + 1 as m, datetime(ts) as local_at from t order by m",
            "options": analyzer.options,
            "simple_catalog": {"name": "e", "table": [table], **analyzer.catalog_extras},
            "table_content": {"t": table_content(rows, [t for _, t in types])},
        },
    )
    out = [
        (
            decode_value(row["cell"][0], {"type_kind": "TYPE_INT64"}),
            decode_value(row["cell"][1], {"type_kind": "TYPE_DATETIME"}),
        )
        for row in response["content"]["table_data"]["row"]
    ]
    assert out == [(2, stamp), (3, None)]


def test_closing_the_bridge_ends_every_process():
    bridge = ZetaSQL().__enter__()
    pid = bridge._process.pid
    bridge.call("formatSql", {"sql": "select 1"})
    bridge.close()
    assert not _alive(pid)
    # nothing is left in the bridge's process group (the server is the bridge's child)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
