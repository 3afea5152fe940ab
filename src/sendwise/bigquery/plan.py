"""How BigQuery plans a query once it inlines CTEs and views: evaluation counts, resolved size, view depth.

BigQuery does not materialise a non-recursive CTE: it evaluates the CTE's body again at every
reference. A chain of CTEs each read several times therefore grows multiplicatively, although the
same SQL is fast on DuckDB (which materialises repeated CTEs). This module counts, for one query:

* **CTE evaluations**: the final query is evaluated once; a CTE is evaluated once per evaluation of
  every scope that references it, so ``evals(c) = sum over references r to c of evals(scope(r))``,
  where ``scope(r)`` is the innermost CTE body holding the reference (or the final query). A CTE
  never referenced is never evaluated. A recursive CTE (a CTE of a ``WITH RECURSIVE`` clause that
  references itself) is materialised: it is evaluated once per evaluation of the scope that
  defines it, however often it is read.
* **Views expanded**: a reference to a view is replaced by the view's query, so every read of a
  view evaluates the view's body once more and multiplies the view's own CTE evaluations. The
  evaluation total with views expanded is
  ``total(q) = own CTE evaluations(q) + sum over views v of reads_q(v) * (1 + total(v))``.
  Ephemeral dbt models are already CTEs (``__dbt__cte__<name>``) in compiled SQL.
* **Resolved size**: the bytes of the query text with each textual view reference replaced by the
  view's resolved text (BigQuery's limits: 1 MB of unresolved and 12 MB of resolved query text).
* **View depth**: how many levels of views a query reads through (BigQuery: at most 16 nested
  view levels).

Pure functions over SQL text (sqlglot, BigQuery dialect); no database, no network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

import sqlglot
from sqlglot import exp

ROOT = "<query>"


def relation_name(table: exp.Table) -> str:
    """`project`.`dataset`.`table` as one lower-case dotted name (the parts that are present)."""
    parts = [table.catalog, table.db, table.name]
    return ".".join(part.lower() for part in parts if part)


@dataclass(frozen=True)
class QueryShape:
    """What one query text references, before views are expanded."""

    cte_evaluations: Mapping[str, int]
    # external relation -> number of evaluations of the scopes that read it
    relation_reads: Mapping[str, int]
    # external relation -> number of textual references
    relation_refs: Mapping[str, int]
    size_bytes: int

    @property
    def total_cte_evaluations(self) -> int:
        return sum(self.cte_evaluations.values())


@dataclass
class _Graph:
    # scope -> list of (referenced CTE id) / (external relation), one entry per reference
    cte_edges: dict[str, list[str]] = field(default_factory=dict)
    relation_edges: dict[str, list[str]] = field(default_factory=dict)
    # CTE id -> the scope whose WITH clause defines it (for recursive CTEs)
    defined_in: dict[str, str] = field(default_factory=dict)
    recursive: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)


def _with_clause(node: exp.Expression) -> exp.With | None:
    value = node.args.get("with_") or node.args.get("with")
    return value if isinstance(value, exp.With) else None


def _references_self(body: exp.Expression, name: str) -> bool:
    return any(not t.db and t.name.lower() == name for t in body.find_all(exp.Table))


class _Walker:
    def __init__(self) -> None:
        self.graph = _Graph()
        self._next = 0

    def _new_id(self, name: str) -> str:
        self._next += 1
        cte_id = f"{name}#{self._next}"
        self.graph.labels[cte_id] = name
        return cte_id

    def walk(self, node: exp.Expression, env: dict[str, str], scope: str) -> None:
        with_clause = _with_clause(node)
        if with_clause is not None:
            env = dict(env)
            for cte in with_clause.expressions:
                name = cte.alias_or_name.lower()
                cte_id = self._new_id(name)
                self.graph.defined_in[cte_id] = scope
                is_recursive = bool(with_clause.args.get("recursive")) and _references_self(cte.this, name)
                body_env = dict(env)
                if is_recursive:
                    self.graph.recursive.add(cte_id)
                    body_env[name] = cte_id
                self.walk(cte.this, body_env, cte_id)
                env[name] = cte_id
        if isinstance(node, exp.Table) and not isinstance(node.this, exp.Func):
            name = node.name.lower()
            if not node.db and not node.catalog and name in env:
                target = env[name]
                if target != scope:  # a recursive CTE reading itself is one materialisation
                    self.graph.cte_edges.setdefault(scope, []).append(target)
            elif node.name:
                self.graph.relation_edges.setdefault(scope, []).append(relation_name(node))
        for key, value in node.args.items():
            if key in ("with_", "with"):
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, exp.Expression):
                    self.walk(child, env, scope)


def _evaluations(graph: _Graph) -> dict[str, int]:
    incoming: dict[str, list[str]] = {}
    for scope, targets in graph.cte_edges.items():
        for target in targets:
            incoming.setdefault(target, []).append(scope)

    memo: dict[str, int] = {ROOT: 1}

    def evals(scope: str) -> int:
        if scope in memo:
            return memo[scope]
        memo[scope] = 0  # guards against a cycle (not valid SQL; counted as zero)
        if scope in graph.recursive:
            value = evals(graph.defined_in[scope]) if incoming.get(scope) else 0
        else:
            value = sum(evals(source) for source in incoming.get(scope, []))
        memo[scope] = value
        return value

    return {cte_id: evals(cte_id) for cte_id in graph.labels} | {ROOT: 1}


@lru_cache(maxsize=4096)
def query_shape(sql: str) -> QueryShape:
    """Count the CTE evaluations and external relation reads of one SQL text (views not expanded)."""
    statements = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    walker = _Walker()
    for statement in statements:
        walker.walk(statement, {}, ROOT)
    graph = walker.graph
    evals = _evaluations(graph)
    cte_evaluations: dict[str, int] = {}
    for cte_id, name in graph.labels.items():
        key = name if name not in cte_evaluations else cte_id
        cte_evaluations[key] = evals[cte_id]
    reads: dict[str, int] = {}
    refs: dict[str, int] = {}
    for scope, relations in graph.relation_edges.items():
        for relation in relations:
            reads[relation] = reads.get(relation, 0) + evals.get(scope, 0)
            refs[relation] = refs.get(relation, 0) + 1
    return QueryShape(cte_evaluations, reads, refs, len(sql.encode()))


@dataclass(frozen=True)
class PlanFigures:
    """One query with its views expanded recursively."""

    cte_evaluations: int  # own CTEs + view bodies and their CTEs, each times its reads
    resolved_bytes: int
    view_depth: int
    # every relation read, directly or through views -> number of evaluations reading it
    relation_reads: Mapping[str, int]

    def most_read(self) -> tuple[str, int] | None:
        if not self.relation_reads:
            return None
        return max(self.relation_reads.items(), key=lambda item: (item[1], item[0]))


def plan_figures(sql: str, view_sql: Callable[[str], str | None] | Mapping[str, str]) -> PlanFigures:
    """Figures of `sql` with views expanded; `view_sql(relation)` is a view's SQL, None for a table."""
    lookup = view_sql.get if isinstance(view_sql, Mapping) else view_sql

    @cache
    def shape_of(relation: str) -> QueryShape | None:
        text = lookup(relation)
        return None if text is None else query_shape(text)

    stack: list[str] = []

    def expand(shape: QueryShape) -> PlanFigures:
        total = shape.total_cte_evaluations
        size = shape.size_bytes
        depth = 0
        reads: dict[str, int] = {}
        for relation, count in shape.relation_reads.items():
            reads[relation] = reads.get(relation, 0) + count
            inner = shape_of(relation)
            if inner is None:
                continue
            if relation in stack:
                raise ValueError(f"views reference each other in a cycle: {' -> '.join([*stack, relation])}")
            stack.append(relation)
            figures = expanded(relation)
            stack.pop()
            total += count * (1 + figures.cte_evaluations)
            size += shape.relation_refs[relation] * figures.resolved_bytes
            depth = max(depth, 1 + figures.view_depth)
            for name, inner_count in figures.relation_reads.items():
                reads[name] = reads.get(name, 0) + count * inner_count
        return PlanFigures(total, size, depth, reads)

    memo: dict[str, PlanFigures] = {}

    def expanded(relation: str) -> PlanFigures:
        if relation not in memo:
            shape = shape_of(relation)
            assert shape is not None
            memo[relation] = expand(shape)
        return memo[relation]

    return expand(query_shape(sql))
