"""Similar fans in SQL: the project's own dbt macro `similar_fans` (macros/sendwise/fans.sql),
rendered with Jinja outside dbt so a page can run it for the fan a user picks.

dbt's `ref()` becomes the warehouse's relation name and `sendwise.cosine_similarity` the engine's
implementation from macros/cross_db/cosine_similarity.sql (default__ on DuckDB, bigquery__ on
BigQuery), so the page runs exactly the SQL that the dbt test tests/fans/assert_similar_fans_ranked_and_filtered.sql
checks, without starting dbt.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import jinja2

from sendwise.paths import PROJECT_ROOT

FANS_MACROS = PROJECT_ROOT / "macros" / "sendwise" / "fans.sql"
COSINE_MACROS = PROJECT_ROOT / "macros" / "cross_db" / "cosine_similarity.sql"


class MacroError(ValueError):
    """The macro refused its arguments (dbt's raise_compiler_error)."""


def _raise(message: str):
    raise MacroError(message)


def sql_literal(value: str, engine: str) -> str:
    """A quoted SQL string literal: DuckDB doubles quotes, BigQuery escapes with a backslash."""
    if engine == "bigquery":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + value.replace("'", "''") + "'"


def similar_fans_sql(
    engine: str,
    relation: Callable[[str], str | None],
    fan_model_key: str,
    k: int = 10,
    method: str = "B",
    page_key: str | None = None,
) -> str:
    """The select statement of macro similar_fans for one fan-model pair (a value, quoted here)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    prefix = "bigquery" if engine == "bigquery" else "default"
    cosine = env.from_string(COSINE_MACROS.read_text()).make_module()
    namespace = SimpleNamespace(cosine_similarity=getattr(cosine, f"{prefix}__cosine_similarity"))

    def ref(name: str) -> str:
        found = relation(name)
        if found is None:
            raise MacroError(f"similar_fans needs the table {name}, which is not built")
        return found

    module = env.from_string(FANS_MACROS.read_text()).make_module(
        vars={"ref": ref, "sendwise": namespace, "exceptions": SimpleNamespace(raise_compiler_error=_raise)}
    )
    return str(
        module.similar_fans(
            sql_literal(fan_model_key, engine),
            k=k,
            method=method,
            page_key=None if page_key is None else sql_literal(page_key, engine),
        )
    ).strip()
