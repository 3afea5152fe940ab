"""CTE evaluation counts, resolved size and view depth (src/sendwise/bigquery/plan.py) on hand-written SQL.

Every expectation is counted by hand in the test's comment: the final query is evaluated once, a
non-recursive CTE once per evaluation of each scope that references it.
"""

from __future__ import annotations

import pytest

from sendwise.bigquery.plan import plan_figures, query_shape


def test_single_reference_is_one_evaluation():
    shape = query_shape("with a as (select 1 as x) select * from a")
    assert shape.cte_evaluations == {"a": 1}
    assert shape.total_cte_evaluations == 1


def test_unreferenced_cte_is_never_evaluated():
    shape = query_shape("with a as (select 1 as x), b as (select 2 as y) select * from a")
    assert shape.cte_evaluations == {"a": 1, "b": 0}


def test_chain_multiplies():
    # final reads c twice -> c = 2; c reads b twice -> b = 2 * 2 = 4; b reads a three times -> a = 4 * 3 = 12
    sql = """
    with a as (select 1 as x),
    b as (select a1.x from a as a1 join a as a2 on true join a as a3 on true),
    c as (select b1.x from b as b1 union all select b2.x from b as b2)
    select * from c as c1 cross join c as c2
    """
    shape = query_shape(sql)
    assert shape.cte_evaluations == {"a": 12, "b": 4, "c": 2}
    assert shape.total_cte_evaluations == 18


def test_diamond_adds_paths():
    # final reads b and c once each; b reads a once, c reads a twice -> a = 1 + 2 = 3
    sql = """
    with a as (select 1 as x),
    b as (select x from a),
    c as (select x from a union all select x from a)
    select * from b join c using (x)
    """
    assert query_shape(sql).cte_evaluations == {"a": 3, "b": 1, "c": 1}


def test_references_in_subqueries_belong_to_the_enclosing_cte():
    # b's body holds three references to a (a scalar subquery, its from clause, an IN subquery);
    # the final query reads b 3 times -> b = 3, a = 3 * 3 = 9
    sql = """
    with a as (select 1 as x),
    b as (select (select max(x) from a) as m from a where x in (select x from a) limit 0)
    select * from b, b as b2, b as b3
    """
    assert query_shape(sql).cte_evaluations == {"a": 9, "b": 3}


def test_nested_with_inside_a_cte():
    # outer reads b twice; b defines inner i read twice and reads a once per evaluation of b
    # -> b = 2, i = 2 * 2 = 4, a = 2 (read from b's main query) + 4 (read from i) = 6
    sql = """
    with a as (select 1 as x),
    b as (
        with i as (select x from a)
        select i1.x from i as i1 join i as i2 using (x) join a using (x)
    )
    select * from b union all select * from b
    """
    assert query_shape(sql).cte_evaluations == {"a": 6, "b": 2, "i": 4}


def test_recursive_cte_is_materialised_once():
    # r references itself (recursive: materialised once) and is read three times by the final query;
    # seed is read by r's body, which is evaluated once -> seed = 1, r = 1
    sql = """
    with recursive seed as (select 1 as n),
    r as (select n from seed union all select n + 1 from r where n < 5)
    select * from r as r1 join r as r2 using (n) join r as r3 using (n)
    """
    assert query_shape(sql).cte_evaluations == {"seed": 1, "r": 1}


def test_non_recursive_cte_in_a_recursive_with_is_inlined():
    # `twice` does not reference itself: inlined at each of its 2 references
    sql = """
    with recursive base as (select 1 as n),
    twice as (select n from base),
    r as (select n from twice union all select n + 1 from r where n < 3)
    select * from twice, twice as t2, r
    """
    # base: read once by twice; twice = 2 (final) + 1 (r, evaluated once) = 3 -> base = 3
    assert query_shape(sql).cte_evaluations == {"base": 3, "twice": 3, "r": 1}


def test_external_relations_counted_by_reads_and_references():
    # `p`.`d`.`t` is referenced textually twice: once in a (read 2 times) and once in the final query
    sql = """
    with a as (select * from `p`.`d`.`t`)
    select * from a, a as a2, `p`.`d`.`t` as t3
    """
    shape = query_shape(sql)
    assert shape.relation_refs == {"p.d.t": 2}
    assert shape.relation_reads == {"p.d.t": 3}


def test_view_reads_multiply_the_view_ctes():
    # the view v: with x as (...), y as (select from x, x) select from y, y -> y = 2, x = 2 * 2 = 4, own total 6
    # the query reads v 3 times (cte q read 3 times, q reads v once)
    #   own: q = 3; view reads = 3 -> 3 * (1 + 6) = 21; total = 3 + 21 = 24
    view = "with x as (select * from `p`.`raw`.`t`), y as (select * from x, x as x2) select * from y, y as y2"
    sql = "with q as (select * from `p`.`s`.`v`) select * from q, q as q2, q as q3"
    figures = plan_figures(sql, {"p.s.v": view})
    assert figures.cte_evaluations == 24
    # raw table: read by x, 4 evaluations per view read, 3 view reads -> 12
    assert figures.relation_reads == {"p.s.v": 3, "p.raw.t": 12}
    assert figures.most_read() == ("p.raw.t", 12)
    assert figures.view_depth == 1


def test_resolved_size_counts_each_textual_reference():
    view = "select 1 as x"  # 13 bytes
    sql = "select * from `p`.`s`.`v`, `p`.`s`.`v` as v2"  # two textual references
    figures = plan_figures(sql, {"p.s.v": view})
    assert figures.resolved_bytes == len(sql) + 2 * 13


def test_views_of_views_nest():
    # w reads v twice; the query reads w once -> v read 2 times; depth 2
    # resolved: query + w's text + 2 * v's text
    v = "select 1 as x"
    w = "select * from `p`.`s`.`v` union all select * from `p`.`s`.`v`"
    sql = "select * from `p`.`s`.`w`"
    figures = plan_figures(sql, {"p.s.v": v, "p.s.w": w})
    assert figures.view_depth == 2
    assert figures.relation_reads == {"p.s.w": 1, "p.s.v": 2}
    # w: 1 evaluation of its body; v: 2 evaluations of its body (no CTEs anywhere)
    assert figures.cte_evaluations == 3
    assert figures.resolved_bytes == len(sql) + len(w) + 2 * len(v)


def test_tables_are_not_expanded():
    figures = plan_figures("select * from `p`.`s`.`t`", {})
    assert figures.cte_evaluations == 0
    assert figures.view_depth == 0


def test_view_cycle_is_reported():
    with pytest.raises(ValueError, match="cycle"):
        plan_figures(
            "select * from `p`.`s`.`a`",
            {"p.s.a": "select * from `p`.`s`.`b`", "p.s.b": "select * from `p`.`s`.`a`"},
        )


def test_cte_shadowing_a_table_name_only_when_unqualified():
    # `t` is a CTE; `p`.`d`.`t` is a table: only the unqualified reference reads the CTE
    shape = query_shape("with t as (select 1 as x) select * from t, `p`.`d`.`t` as other")
    assert shape.cte_evaluations == {"t": 1}
    assert shape.relation_reads == {"p.d.t": 1}
