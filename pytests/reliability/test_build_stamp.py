"""The build stamp on the test database `make dbt-test` built (one build, one as_of): every mart an
exposure reads (models/_exposures.yml: the dashboard pages and exports) carries as_of and built_at
on every row, and all of them have the build's one as_of (built_at may differ by model: a SQL mart
has the run's start, a Python mart the time it ran). `sendwise rules-check` checks that the
columns exist on every build (pytests/foundation/test_rules_check.py)."""

from __future__ import annotations

from sendwise.dashboard.site import exposure_reads
from sendwise.paths import PROJECT_ROOT


def _marts() -> list[str]:
    """Every model under models/marts or python_models an exposure reads."""
    names = sorted({name for names in exposure_reads().values() for name in names})
    return [
        name
        for name in names
        if list((PROJECT_ROOT / "models" / "marts").rglob(f"{name}.sql"))
        or list((PROJECT_ROOT / "python_models").rglob(f"{name}.py"))
    ]


def test_every_mart_an_exposure_reads_carries_the_builds_stamp(built_con):
    marts = _marts()
    assert len(marts) >= 30 and "stg_agency__caption_bank" not in marts
    as_of_by_mart = {}
    for name in marts:
        schemas = built_con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [name]
        ).fetchall()
        assert len(schemas) == 1, f"{name}: expected one relation, found {schemas}"
        rows, unstamped, as_of_values, as_of = built_con.execute(
            "select count(*), count(*) filter (where as_of is null or built_at is null),"
            f" count(distinct as_of), min(as_of) from {schemas[0][0]}.{name}"
        ).fetchone()
        assert unstamped == 0, f"{name}: {unstamped} of {rows} rows without as_of or built_at"
        assert as_of_values <= 1, f"{name}: {as_of_values} as_of values in one build"
        if rows:
            as_of_by_mart[name] = as_of
    assert len(as_of_by_mart) >= 25, f"most marts are empty: {sorted(set(marts) - set(as_of_by_mart))}"
    assert len(set(as_of_by_mart.values())) == 1, f"the marts disagree on the build's as_of: {as_of_by_mart}"
