"""Partition-filter lint: reads of a partitioned relation that BigQuery cannot prune.

BigQuery prunes partitions only when a query filters the partition column itself against a
constant expression (`sent_at >= timestamp_sub(timestamp '2026-11-15', interval 180 day)`);
arithmetic or a function on the column (`unix_seconds(sent_at)`, an age in days) scans every
partition. For each reference to a partitioned relation, the SELECT that reads it (its FROM or
JOIN) must have such a filter among the AND-ed conditions of its WHERE clause or of the reference's
JOIN ... ON: the partition column (bare, optionally qualified by the reference's alias) compared
with `=`, `<`, `<=`, `>`, `>=`, BETWEEN or IN to expressions without columns or subqueries.
A filter written only in an outer query over a CTE does not count: write it where the table is read.

Pure functions over SQL text (sqlglot, BigQuery dialect).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from sendwise.bigquery.plan import relation_name

_COMPARISONS = (exp.EQ, exp.LT, exp.LTE, exp.GT, exp.GTE)


@dataclass(frozen=True)
class UnprunedRead:
    relation: str
    partition_column: str
    reason: str


def _conjuncts(condition: exp.Expression | None) -> Iterator[exp.Expression]:
    if condition is None:
        return
    if isinstance(condition, exp.Paren):
        yield from _conjuncts(condition.this)
    elif isinstance(condition, exp.And):
        yield from _conjuncts(condition.left)
        yield from _conjuncts(condition.right)
    else:
        yield condition


def is_constant(expression: exp.Expression) -> bool:
    """True when `expression` has no column reference and no subquery (literals, casts, functions of them)."""
    return not any(isinstance(node, exp.Column | exp.Select | exp.Subquery) for node in expression.walk())


def _is_partition_column(node: exp.Expression, column: str, aliases: set[str]) -> bool:
    if not isinstance(node, exp.Column) or node.name.lower() != column:
        return False
    return not node.table or node.table.lower() in aliases


def prunes(condition: exp.Expression, column: str, aliases: set[str]) -> bool:
    """True when one AND-ed conjunct of `condition` compares the bare partition column with a constant."""
    for conjunct in _conjuncts(condition):
        if isinstance(conjunct, _COMPARISONS):
            left, right = conjunct.left, conjunct.right
            if _is_partition_column(left, column, aliases) and is_constant(right):
                return True
            if _is_partition_column(right, column, aliases) and is_constant(left):
                return True
        elif isinstance(conjunct, exp.Between):
            if _is_partition_column(conjunct.this, column, aliases) and all(
                is_constant(conjunct.args[k]) for k in ("low", "high")
            ):
                return True
        elif (
            isinstance(conjunct, exp.In)
            and _is_partition_column(conjunct.this, column, aliases)
            and conjunct.expressions
            and all(is_constant(e) for e in conjunct.expressions)
        ):
            return True
    return False


def unpruned_reads(sql: str, partitioned: Mapping[str, str]) -> list[UnprunedRead]:
    """Every reference in `sql` to a relation of `partitioned` (relation -> partition column) that
    its SELECT does not filter prunably."""
    found: list[UnprunedRead] = []
    wanted = {name.lower(): column.lower() for name, column in partitioned.items()}
    for statement in sqlglot.parse(sql, read="bigquery"):
        if statement is None:
            continue
        for table in statement.find_all(exp.Table):
            name = relation_name(table)
            if name not in wanted:
                continue
            column = wanted[name]
            aliases = {table.alias_or_name.lower(), table.name.lower()}
            select = table.find_ancestor(exp.Select)
            join = table.parent if isinstance(table.parent, exp.Join) else None
            conditions = [select.args.get("where") and select.args["where"].this] if select else []
            if join is not None:
                conditions.append(join.args.get("on"))
            if any(c is not None and prunes(c, column, aliases) for c in conditions):
                continue
            found.append(
                UnprunedRead(
                    name,
                    column,
                    f"reads {name} without a filter comparing {column} with a constant expression",
                )
            )
    return found
