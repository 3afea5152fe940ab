"""Which schema of a DuckDB database holds a model.

dbt puts a model in `<target schema>_<layer>` (macros/ops/generate_schema_name.sql): sendwise_marts,
sendwise_ml, ... with the default profile, analytics_marts, analytics_ml, ... with a profile's
`schema: analytics`. The commands and the dashboard find a model by its name and layer suffix
(`<anything>_marts`) instead of naming the prefix. When schemas of two prefixes hold it with the
same suffix (two profiles built into one file), the one of the profile's target schema is taken;
without it AmbiguousSchema names them all: never a silent guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sendwise.errors import UserError

# Every layer's schema suffix (dbt_project.yml's +schema), in the lookup order of a name without a
# layer: the public tables first.
LAYER_SUFFIXES = ("marts", "ops", "ml", "intermediate", "staging", "seeds", "snapshots")

# the tables and views of the connection's own database (not of an attached one)
_RELATIONS_SQL = (
    "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
    " union all select schema_name, view_name from duckdb_views()"
    " where not internal and database_name = current_database()"
)


class AmbiguousSchema(UserError):
    """Schemas of two prefixes hold the model under the same layer suffix."""


def target_schema() -> str | None:
    """The schema of the profile's target (profiles.yml as the commands' dbt reads it, rendered with
    the env_var() defaults), when that target is DuckDB; None when it cannot be read."""
    import jinja2
    import yaml

    from sendwise.dbt import profiles_file, read_profile

    try:
        profile = read_profile(profiles_file())
    except (OSError, ValueError, jinja2.TemplateError, yaml.YAMLError):
        return None
    outputs = profile.get("outputs")
    output = outputs.get(profile.get("target") or "duckdb") if isinstance(outputs, dict) else None
    if not isinstance(output, dict) or output.get("type") != "duckdb":
        return None
    schema = output.get("schema")
    return str(schema) if schema else None


def layer_of(schema: str, suffixes: Iterable[str] = LAYER_SUFFIXES) -> str | None:
    """The layer suffix of a schema named `<prefix>_<suffix>`, None for any other schema (the raw
    sources' `chat`, `agency`, `ground_truth`)."""
    prefix, _, suffix = schema.rpartition("_")
    return suffix if prefix and suffix in set(suffixes) else None


@dataclass(frozen=True)
class Catalog:
    """The layer schemas of a database: {table: {suffix: schemas holding it}}, looked up in the
    order `suffixes`. `target` is read only when two schemas compete for a name."""

    holders: Mapping[str, Mapping[str, tuple[str, ...]]]
    suffixes: tuple[str, ...] = LAYER_SUFFIXES
    target: Callable[[], str | None] = field(default=target_schema, repr=False)

    def schema(self, name: str, layer: str | None = None) -> str | None:
        """The schema holding `name` under `layer` (else the first suffix of the lookup order that
        holds it); None when none does; AmbiguousSchema when several prefixes do and the profile's
        target schema is not one of them."""
        held = self.holders.get(name, {})
        for suffix in (layer,) if layer else self.suffixes:
            found = held.get(suffix)
            if found:
                return found[0] if len(found) == 1 else self._choose(name, found)
        return None

    def relation(self, name: str, layer: str | None = None) -> str | None:
        """'"schema"."name"' for SQL, None when no layer schema holds `name`."""
        schema = self.schema(name, layer)
        return f'"{schema}"."{name}"' if schema else None

    def _choose(self, name: str, found: tuple[str, ...]) -> str:
        target = self.target()
        for schema in found:
            if target and schema.rpartition("_")[0] == target:
                return schema
        listed = ", ".join(found[:-1]) + " and " + found[-1]
        why = f"the profile's schema is {target}" if target else "the profile's schema cannot be read"
        raise AmbiguousSchema(
            f"{name} is in both {listed} ({why}): keep one build per database file"
            " or drop the schemas you do not mean"
        )


def catalog(
    con, suffixes: Iterable[str] = LAYER_SUFFIXES, target: Callable[[], str | None] = target_schema
) -> Catalog:
    """The Catalog of a DuckDB connection's layer schemas (one query of DuckDB's catalog)."""
    suffixes = tuple(suffixes)
    holders: dict[str, dict[str, list[str]]] = {}
    for schema, name in con.execute(_RELATIONS_SQL).fetchall():
        suffix = layer_of(schema, suffixes)
        if suffix is not None:
            holders.setdefault(name, {}).setdefault(suffix, []).append(schema)
    frozen = {
        name: {suffix: tuple(sorted(schemas)) for suffix, schemas in by_suffix.items()}
        for name, by_suffix in holders.items()
    }
    return Catalog(frozen, suffixes, target)


def find_schema(con, name: str, layer: str | None = None) -> str | None:
    """The schema of the DuckDB connection holding model `name` under `layer` (e.g. "marts"; None:
    the first layer of LAYER_SUFFIXES that holds it). See Catalog.schema."""
    return catalog(con).schema(name, layer)


def require(con, wanted: Mapping[str, str], db: object) -> dict[str, str]:
    """{name: '"schema"."name"'} for every model of `wanted` ({name: layer}); UserError naming
    every model no `<prefix>_<layer>` schema holds (db: the file, for the message)."""
    found = catalog(con)
    relations = {name: found.relation(name, layer) for name, layer in wanted.items()}
    missing = [f"{name} (*_{wanted[name]})" for name, relation in relations.items() if relation is None]
    if missing:
        raise UserError(f"{', '.join(missing)} not found in {db}: run `dbt build` (make demo) first")
    return relations
