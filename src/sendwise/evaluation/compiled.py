"""The project's own ranking SQL, compiled once by dbt and executed against a scratch DuckDB.

Evaluations must run the real models, not a Python re-implementation. Compiling them for every
simulated day would cost a dbt start-up each time, so `CompiledRanking.compile` runs
`dbt compile` once per policy with `as_of` set to a sentinel timestamp, reads the compiled SQL of
every model the ranking mart needs from `manifest.json`, and `execute` substitutes the real
`as_of` and materialises the models in dependency order (`create or replace table ... as
<compiled sql>`).

Models split in two groups:
* static: everything that neither depends on the send history nor reads `as_of` (staging of
  pages, captions and vault, seeds) plus `int_caption_style_features`, whose rows cannot change
  when simulated sends reuse library texts. Materialised once by `setup`.
* dynamic: `stg_agency__mass_messages`'s descendants (enriched sends, the ranking steps, the
  stub or real price ladder and weights, the mart) and every other model whose SQL reads `as_of`
  (the slot grid: the next 24 page-local hours). Re-run at each step. The history itself is
  the table `stg_agency__mass_messages`, materialised once by `setup` and appended to by the
  caller; it and its parents are never re-run.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sendwise.dbt import run_dbt, vars_arg

AS_OF_SENTINEL = "1999-01-01 00:00:00"
# how the sentinel appears in compiled SQL (the as_of macro's quoted literal)
AS_OF_LITERAL = f"'{AS_OF_SENTINEL}'"
HISTORY_MODEL = "stg_agency__mass_messages"
MART_MODEL = "caption_rankings_next24"
# Downstream of the sends but constant when simulated sends reuse library texts.
STATIC_OVERRIDES = frozenset({"int_caption_style_features"})


@dataclass(frozen=True)
class SqlModel:
    unique_id: str
    name: str
    relation: str  # as compiled: "catalog"."schema"."name"
    sql: str
    depends_on: tuple[str, ...]
    materialized: str = "table"


def _split_relation(relation: str) -> list[str]:
    return [part.strip('"') for part in re.findall(r'"[^"]*"|[^.]+', relation)]


@dataclass
class CompiledRanking:
    policy: str
    models: list[SqlModel]  # topological order
    dynamic: set[str] = field(default_factory=set)  # unique ids re-run at each step (as_of or history)

    @classmethod
    def compile(
        cls,
        db_path: str | Path,
        policy: str,
        *,
        select: str = f"+{MART_MODEL}",
        target_dir: str | Path | None = None,
    ) -> CompiledRanking:
        """`dbt compile` the ranking subgraph once (as_of = sentinel) against `db_path`.

        The compiled relation names carry the DuckDB catalog (the file's stem): execute against
        files with the same stem."""
        target = Path(target_dir or tempfile.mkdtemp(prefix=f"sendwise_compile_{policy}_"))
        run_dbt(
            [
                "compile",
                "--quiet",
                "--select",
                select,
                "--vars",
                vars_arg({"as_of": AS_OF_SENTINEL, "ranking_policy": policy}),
            ],
            duckdb_path=db_path,
            target_path=target,
            capture=True,
        )
        manifest = json.loads((target / "manifest.json").read_text())
        return cls.from_manifest(manifest, policy)

    @classmethod
    def from_manifest(cls, manifest: dict, policy: str) -> CompiledRanking:
        nodes = {
            uid: node
            for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node.get("compiled_code")
        }
        for uid, node in nodes.items():
            if node.get("language", "sql") != "sql":
                raise ValueError(f"{uid}: only SQL models can be replayed (found {node.get('language')})")
        order: list[str] = []
        seen: set[str] = set()

        def visit(uid: str) -> None:
            if uid in seen:
                return
            seen.add(uid)
            for parent in nodes[uid]["depends_on"]["nodes"]:
                if parent in nodes:
                    visit(parent)
            order.append(uid)

        for uid in sorted(nodes):
            visit(uid)
        models = [
            SqlModel(
                unique_id=uid,
                name=nodes[uid]["name"],
                relation=nodes[uid]["relation_name"],
                sql=nodes[uid]["compiled_code"],
                depends_on=tuple(p for p in nodes[uid]["depends_on"]["nodes"] if p in nodes),
                materialized=nodes[uid]["config"].get("materialized", "table"),
            )
            for uid in order
        ]
        by_name = {m.name: m for m in models}
        if HISTORY_MODEL not in by_name:
            raise ValueError(f"the compiled subgraph does not contain {HISTORY_MODEL}")
        # Dynamic = re-run at every step: downstream of the history, or reading as_of itself (a model
        # such as int_ranking_slot_grid reads only the pages and as_of; left static, every simulated
        # day would send at the first day's slots). The history and its parents are the simulation's
        # own state (it inserts the sends into the history table) and are never re-run.
        ranking = cls(policy=policy, models=models)
        history = by_name[HISTORY_MODEL].unique_id
        state = ranking.ancestors({HISTORY_MODEL})
        for model in models:  # topological: parents are classified first
            if model.name in STATIC_OVERRIDES or model.unique_id in state:
                continue
            if AS_OF_LITERAL in model.sql or any(
                p == history or p in ranking.dynamic for p in model.depends_on
            ):
                ranking.dynamic.add(model.unique_id)
        return ranking

    def model(self, name: str) -> SqlModel:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)

    def seed_relation(self, name: str) -> str:
        """The compiled relation of a dbt seed (as the models reference it)."""
        pattern = re.compile(r'"[^"]+"\."[^"]+"\."' + re.escape(name) + '"')
        for m in self.models:
            found = pattern.search(m.sql)
            if found:
                return found.group(0)
        raise KeyError(name)

    def settings_used(self, suffix: str = "", only_dynamic: bool = True) -> set[str]:
        """Names of the settings_modeling rows the (dynamic) compiled SQL reads, ending in `suffix`.

        A setting is read either by a scalar subquery (`setting_name = '...'`) or, for the windows
        that BigQuery prunes with, as a constant the macro window_start marks `/* window: ... */`.
        """
        names: set[str] = set()
        for m in self.models:
            if only_dynamic and m.unique_id not in self.dynamic:
                continue
            names.update(re.findall(r"setting_name = '([a-z0-9_]+)'", m.sql))
            for marked in re.findall(r"/\* window: ([a-z0-9_, ]+) \*/", m.sql):
                names.update(name.strip() for name in marked.split(","))
        return {n for n in names if n.endswith(suffix)}

    def ancestors(self, names: set[str]) -> set[str]:
        """Unique ids of the named models and everything they depend on."""
        by_id = {m.unique_id: m for m in self.models}
        out: set[str] = set()
        stack = [self.model(n).unique_id for n in names]
        while stack:
            uid = stack.pop()
            if uid in out:
                continue
            out.add(uid)
            stack.extend(by_id[uid].depends_on)
        return out

    def every_eligible_pair(self, con):
        """Every eligible (page_key, caption_id) pair, with the last use of its text on the page (null
        if never), as a DataFrame: the active pages x the library (int_ranking_caption_prefilter) of
        the content categories available in their vault. int_ranking_caption_eligibility keeps as
        rows only the pairs that can reach the ranking; evaluations that draw from the whole pool read
        it here. Call after `execute` of the ancestors of int_ranking_caption_eligibility."""
        return con.sql(
            "select pages.page_key, library.caption_id, caption_usage.last_used_at"
            f" from {self.model('stg_agency__pages').relation} as pages"
            f" inner join {self.model('stg_agency__vault_matrix').relation} as vault"
            " on pages.page_key = vault.page_key"
            f" inner join {self.model('int_ranking_caption_prefilter').relation} as library"
            " on vault.content_category = library.content_category"
            f" left join {self.model('int_ranking_caption_page_stats').relation} as caption_usage"
            " on pages.page_key = caption_usage.page_key and library.caption_hash = caption_usage.caption_hash"
            " where pages.is_active and vault.is_available order by 1, 2"
        ).df()

    @staticmethod
    def _sql_for(model: SqlModel, as_of: str) -> str:
        return model.sql.replace(AS_OF_LITERAL, f"'{as_of}'")

    @staticmethod
    def _materialise(con, model: SqlModel, sql: str, as_view: bool = False) -> None:
        catalog, schema, name = _split_relation(model.relation)
        con.execute(f'create schema if not exists "{catalog}"."{schema}"')
        kind = con.execute(
            "select table_type from information_schema.tables"
            " where table_catalog = ? and table_schema = ? and table_name = ?",
            [catalog, schema, name],
        ).fetchone()
        existing = None if kind is None else ("view" if kind[0] == "VIEW" else "table")
        wanted = "view" if as_view else "table"
        if existing is not None and existing != wanted:
            con.execute(f"drop {existing} {model.relation}")
        con.execute(f"create or replace {wanted} {model.relation} as {sql}")

    def setup(self, con, as_of: str) -> None:
        """Materialise every static model (and the history table) once, as tables."""
        for model in self.models:
            if model.unique_id not in self.dynamic:
                self._materialise(con, model, self._sql_for(model, as_of))

    def execute(self, con, as_of: str, only: set[str] | None = None) -> None:
        """Re-run the dynamic models (those in `only`, unique ids, if given) for this as_of."""
        for model in self.models:
            if model.unique_id in self.dynamic and (only is None or model.unique_id in only):
                # dbt's materialisation: a view is computed where it is read (as in a dbt build)
                self._materialise(con, model, self._sql_for(model, as_of), model.materialized == "view")


def compile_policies(db_path: str | Path, policies, workdir: Path) -> dict[str, CompiledRanking]:
    """`CompiledRanking.compile` for each policy, in parallel threads, each against its own copy of
    `db_path` (dbt holds a lock on the file it compiles against; the copy keeps the file's name)."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    policies = list(policies)

    def compile_one(policy: str) -> CompiledRanking:
        directory = workdir / f"compile_{policy}"
        directory.mkdir(parents=True, exist_ok=True)
        copy = directory / Path(db_path).name
        shutil.copyfile(db_path, copy)
        return CompiledRanking.compile(copy, policy, target_dir=workdir / f"target_{policy}")

    with ThreadPoolExecutor(max_workers=max(1, len(policies))) as pool:
        return dict(zip(policies, pool.map(compile_one, policies), strict=True))
