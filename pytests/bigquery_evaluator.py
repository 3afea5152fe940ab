"""A query on BigQuery's own evaluator (ZetaSQL's reference implementation, tools/zetasql), for the
tests that check DuckDB against BigQuery's semantics: the rows decoded to Python values."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sendwise.bigquery.zetasql import PACKAGE as ZETASQL_PACKAGE

needs_zetasql = pytest.mark.skipif(
    not (ZETASQL_PACKAGE / "lib" / "zetasql").is_dir(),
    reason="tools/zetasql not installed (make zetasql-deps)",
)


def type_of(kind: str) -> dict:
    """A ZetaSQL type by its kind name, e.g. "TIMESTAMP" -> {"type_kind": "TYPE_TIMESTAMP"}."""
    return {"type_kind": f"TYPE_{kind}"}


def evaluate_on_bigquery(
    sql: str,
    result_types: Sequence[str],
    table: tuple[str, Sequence[tuple[str, str]], Sequence[tuple]] | None = None,
) -> list[tuple]:
    """The rows of `sql` on the evaluator with BigQuery's options, each value decoded by its kind in
    `result_types`; `table` = (name, [(column, kind)], rows) is one table the query reads."""
    from sendwise.bigquery.values import decode_value, table_content
    from sendwise.bigquery.zetasql import ZetaSQL
    from sendwise.commands.bq_check import Analyzer

    request: dict = {"sql": sql}
    catalog: dict = {"name": "e"}
    if table:
        name, columns, rows = table
        catalog["table"] = [{"name": name, "column": [{"name": c, "type": type_of(k)} for c, k in columns]}]
        request["table_content"] = {name: table_content(list(rows), [type_of(k) for _, k in columns])}
    with ZetaSQL() as zetasql:
        analyzer = Analyzer(zetasql)
        response = zetasql.call(
            "evaluateQuery",
            {
                **request,
                "options": analyzer.options,
                "simple_catalog": {**catalog, **analyzer.catalog_extras},
            },
        )
    types = [type_of(kind) for kind in result_types]
    return [
        tuple(decode_value(cell, kind) for cell, kind in zip(row["cell"], types, strict=True))
        for row in response["content"]["table_data"]["row"]
    ]
