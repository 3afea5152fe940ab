"""Project-rules check over target/manifest.json (and target/catalog.json when present).

dbt-project-evaluator cannot be installed here (no dbt hub), so its rules that matter to
this project are checked in Python over dbt's own artifacts:

* sources are read only by base/staging models, and each source table by exactly one model;
* no staging model reads another staging model (base models feed staging: allowed);
* staging never reads intermediate models, marts or Python models; no model other than
  base reads a source;
* naming by layer: models/staging -> base_ / stg_, models/intermediate -> int_, marts have
  no layer prefix; a Python model's name starts with a prefix of its folder (PYTHON_PREFIXES:
  fans -> fan_, ops -> page_, scheduling -> ml_ or caption_, content -> ml_);
* every model has a description and a primary-key test (unique + not_null on one column, either
  possibly folded into the model's column_checks test, a unique combination of columns, or an
  enforced primary_key constraint);
* every documented column has a description, and (with catalog.json) every built column is
  documented (a base model's pass-through raw columns count as documented on their source);
* no hard-coded relation names (a dotted name after from/join in raw SQL);
* every mart an exposure reads (models/_exposures.yml: the dashboard pages and exports; SQL or
  Python) carries the build's stamp, the columns `as_of` and `built_at` (macro build_stamp),
  documented and, with catalog.json, built - so a reader can tell a mart a failed build left
  behind. Seeds and staging models an exposure reads are not marts and carry no stamp;
* every model an exposure reads is `access: public` (dbt-project-evaluator reads a protected
  exposure parent as a missing interface), and every public SQL model enforces its contract; dbt
  enforces contracts on SQL models only, so for a public Python model every documented column must
  be built (with catalog.json; the undocumented-columns rule covers the other direction);
* the blocks the dbt Python models share (copied, since a Python model cannot import project code
  on BigQuery): every copy between `# >>> shared block NAME` and `# <<< shared block NAME` in
  python_models/**/*.py is the same text as the canonical copy (SHARED_BLOCKS: with_build_stamp of
  the Python marts, the ML reuse block, the adapter to_pandas / settings_dict / to_engine, the
  LLM ledgers' clients, the content models' time split and card, the caption models' update, the
  kept fits' period and pickle, the fan predictions' features and rows); a file defining a block's
  signature function outside the markers is reported too;
* no SQL model under models/ is longer than MAX_SQL_MODEL_LINES (250) lines: a longer one is split
  into named intermediate steps (or a documented macro for a reused formula);
* every SQL model whose code holds a case expression or a window function (`case`, `over (`;
  comments and Jinja comments left out) has at least one dbt unit test (the project's standard:
  a unit test for every formula, window and case expression);
* fanout, as dbt-project-evaluator's fct_model_fanout defines it: a model with more than
  `--max-fanout` (3) direct *leaf* children (models nothing else reads) is reported - the sign
  of end-of-DAG logic that should be shared in an intermediate model. A model whose leaves are
  by design more declares its own limit and why, in its YAML (`meta: {max_leaf_children: 4,
  max_leaf_children_reason: ...}`; a limit without a reason is itself reported), so the exception
  sits on the model a reader looks at, not in a command-line flag. A staging model read by
  many intermediate models is normal and not reported. Chained views: no chain of more than
  `--max-view-chain` views/ephemerals.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from sendwise.dbt import run_dbt
from sendwise.paths import PROJECT_ROOT

HELP = "check the dbt project's structure rules over target/manifest.json"

HARD_CODED_RELATION = re.compile(
    r"\b(?:from|join)\s+(?!\{\{|\(|lateral\b)[`\"]?[A-Za-z_][\w$-]*[`\"]?\.[`\"]?[A-Za-z_][\w$]*", re.I
)
JINJA_OR_COMMENT = re.compile(r"\{#.*?#\}|--[^\n]*|/\*.*?\*/", re.S)
# a case expression or a window function in a model's SQL: logic a unit test must pin down
CASE_OR_WINDOW = re.compile(r"\bcase\b|\bover\s*\(", re.I)
# the build's stamp (macro build_stamp) that every mart an exposure reads carries
STAMP_COLUMNS = ("as_of", "built_at")
# shared block name -> (the file holding its canonical text, a function only the block defines)
SHARED_BLOCKS = {
    "build_stamp": ("python_models/fans/fan_clusters.py", "def with_build_stamp("),
    "reuse": ("python_models/scheduling/ml_revenue_gbm_scores.py", "def input_fingerprint("),
    "adapter": ("python_models/scheduling/ml_revenue_gbm_scores.py", "def to_engine("),
    "llm_ledger": ("python_models/fans/fan_profile_llm_ledger.py", "def llm_api_key("),
    "content_card": ("python_models/content/ml_engagement_model.py", "def time_split("),
    "update": ("python_models/scheduling/caption_near_duplicates.py", "def update_fingerprint("),
    "stable_features": ("python_models/scheduling/ml_revenue_gbm_scores.py", "def stable_features("),
    "gbm_encoding": ("python_models/scheduling/ml_revenue_gbm_fit.py", "def encode_features("),
    "kept_fit": ("python_models/scheduling/ml_revenue_gbm_fit.py", "def fit_period_start("),
    "fan_predictions": ("python_models/fans/fan_prediction_fits.py", "def churn_examples("),
}
SHARED_MARKER = re.compile(r"^# (>>>|<<<) shared block (\w+)")
# Longest SQL model (lines of the file, header comments included; issue 18). Past this a model holds
# several steps that each deserve a name, a description and a unit test of their own: split it into
# intermediate models (or move a reused formula into a documented macro). On BigQuery smaller models
# also mean fewer inlined CTE evaluations per query (docs/bigquery-checks.md, plan limits).
MAX_SQL_MODEL_LINES = 250
# Python model names by folder (python_models/<folder>/): the entity its rows describe where a
# dashboard reads it by that name (fan_, page_, caption_), ml_ for the scheduling and content
# models' fitted outputs. Public names are kept as they are: renaming a mart an exposure reads
# breaks its readers.
PYTHON_PREFIXES = {
    "fans": ("fan_",),
    "ops": ("page_",),
    "scheduling": ("ml_", "caption_"),
    "content": ("ml_",),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", default=None, help="path to manifest.json (default: parse the project)")
    parser.add_argument("--catalog", default=None, help="path to catalog.json (optional column check)")
    parser.add_argument("--max-fanout", type=int, default=3)
    parser.add_argument("--max-view-chain", type=int, default=5)


def _layer(node: dict) -> str:
    path = node["original_file_path"]
    if path.startswith("python_models/"):
        return "python"
    parts = path.split("/")
    if parts[0] == "models" and len(parts) > 1:
        if parts[1] == "staging":
            return "base" if "/base/" in path else "staging"
        return parts[1]  # intermediate, marts
    return "other"


def _pk_tested(model_id: str, model: dict, tests_by_model: dict) -> bool:
    constraints = model.get("constraints") or []
    if any(c.get("type") == "primary_key" for c in constraints):
        return True
    for column in (model.get("columns") or {}).values():
        if any(c.get("type") == "primary_key" for c in column.get("constraints") or []):
            return True
    per_column = defaultdict(set)
    for test in tests_by_model.get(model_id, []):
        meta = test.get("test_metadata") or {}
        name = meta.get("name")
        kwargs = meta.get("kwargs") or {}
        if name == "unique_combination_of_columns":
            return True
        column = test.get("column_name")
        if column and name in {"unique", "not_null"}:
            per_column[column].add(name)
        elif name == "column_checks":  # the model's plain rules folded into one test
            if kwargs.get("unique_combinations"):
                return True
            for rule in ("unique", "not_null"):
                for folded in kwargs.get(rule) or []:
                    per_column[folded].add(rule)
    return any(v == {"unique", "not_null"} for v in per_column.values())


def _stamp_problems(manifest: dict, catalog: dict | None, models: dict[str, dict]) -> list[str]:
    """Every mart (models/marts or python_models) an exposure reads has STAMP_COLUMNS, documented
    and, when the catalog lists the mart, built."""
    readers = {
        model_id: names
        for model_id, names in _exposure_readers(manifest, models).items()
        if _layer(models[model_id]) in {"marts", "python"}
    }
    problems = []
    for model_id, exposures in sorted(readers.items()):
        model = models[model_id]
        read_by = f"read by exposure {', '.join(sorted(set(exposures)))}"
        documented = {c.lower() for c in model.get("columns") or {}}
        missing = [c for c in STAMP_COLUMNS if c not in documented]
        if missing:
            problems.append(
                f"{model['name']}: {read_by} but no column {', '.join(missing)} in its YAML "
                "(the build stamp: macro build_stamp)"
            )
        built = (catalog or {}).get("nodes", {}).get(model_id)
        if built:
            not_built = [c for c in STAMP_COLUMNS if c not in {b.lower() for b in built["columns"]}]
            if not_built:
                problems.append(
                    f"{model['name']}: {read_by} but its table has no column {', '.join(not_built)} "
                    "(the build stamp: macro build_stamp)"
                )
    return problems


def _exposure_readers(manifest: dict, models: dict[str, dict]) -> dict[str, list[str]]:
    """model id -> the exposures (of this project) that read it."""
    readers: dict[str, list[str]] = defaultdict(list)
    for exposure in (manifest.get("exposures") or {}).values():
        if exposure.get("package_name", "sendwise") != "sendwise":
            continue
        for parent in (exposure.get("depends_on") or {}).get("nodes") or []:
            if parent in models:
                readers[parent].append(exposure["name"])
    return readers


def _access_problems(manifest: dict, catalog: dict | None, models: dict[str, dict]) -> list[str]:
    """Exposure parents are public; public SQL models enforce their contract; a public Python
    model (no contract in dbt) builds every column its YAML documents."""
    problems = []
    readers = _exposure_readers(manifest, models)
    for model_id, model in sorted(models.items()):
        name = model["name"]
        public = model.get("access") == "public"
        if model_id in readers and not public:
            read_by = ", ".join(sorted(set(readers[model_id])))
            problems.append(f"{name}: read by exposure {read_by} but not `access: public`")
        if not public:
            continue
        if model.get("language", "sql") == "sql":
            if not ((model.get("config") or {}).get("contract") or {}).get("enforced"):
                problems.append(
                    f"{name}: public but its contract is not enforced (config: contract: enforced)"
                )
            continue
        built = (catalog or {}).get("nodes", {}).get(model_id)
        if built:
            made = {c.lower() for c in built["columns"]}
            missing = sorted(c for c in model.get("columns") or {} if c.lower() not in made)
            if missing:
                problems.append(
                    f"{name}: public Python model documents columns it does not build: {', '.join(missing)}"
                )
    return problems


def check(
    manifest: dict,
    catalog: dict | None,
    max_fanout: int,
    max_view_chain: int,
    max_sql_lines: int = MAX_SQL_MODEL_LINES,
) -> list[str]:
    problems: list[str] = []
    nodes = manifest["nodes"]
    models = {
        k: v for k, v in nodes.items() if v["resource_type"] == "model" and v["package_name"] == "sendwise"
    }
    unit_tested = {test["model"] for test in manifest.get("unit_tests", {}).values()}
    tests_by_model: dict[str, list[dict]] = defaultdict(list)
    for node in nodes.values():
        if node["resource_type"] == "test":
            attached = node.get("attached_node")
            if attached:
                tests_by_model[attached].append(node)

    source_readers: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for model_id, model in models.items():
        name, layer = model["name"], _layer(model)
        parents = model["depends_on"]["nodes"]
        for parent in parents:
            children[parent].append(model_id)
        parent_sources = [p for p in parents if p.startswith("source.")]
        parent_models = [p for p in parents if p.startswith("model.")]
        for src in parent_sources:
            source_readers[src].append(name)
        if parent_sources and layer != "base":
            problems.append(f"{name}: reads a source outside a base model ({', '.join(parent_sources)})")
        if layer == "base" and parent_models:
            problems.append(f"{name}: a base model reads other models ({', '.join(parent_models)})")
        if layer in {"staging", "base"}:
            for parent in parent_models:
                parent_layer = _layer(models[parent]) if parent in models else "other"
                if parent_layer == "staging":
                    problems.append(f"{name}: staging reads staging model {models[parent]['name']}")
                elif parent_layer not in {"base"}:
                    problems.append(f"{name}: staging reads {parent_layer} model {models[parent]['name']}")

        # naming by layer
        expected = {"base": ("base_",), "staging": ("stg_",), "intermediate": ("int_",)}
        if layer in expected and not name.startswith(expected[layer]):
            problems.append(f"{name}: a {layer} model must be named {expected[layer][0]}*")
        if layer in {"marts", "python"} and name.startswith(("stg_", "int_", "base_")):
            problems.append(f"{name}: a {layer} model must not carry a staging/intermediate prefix")
        if layer == "python":
            folder = model["original_file_path"].split("/")[1]
            prefixes = PYTHON_PREFIXES.get(folder)
            if prefixes is None:
                problems.append(f"{name}: Python model in a folder without a naming rule ({folder})")
            elif not name.startswith(prefixes):
                problems.append(
                    f"{name}: a Python model in python_models/{folder} must be named {' or '.join(prefixes)}*"
                )
        if layer == "other":
            problems.append(f"{name}: model outside models/staging|intermediate|marts and python_models")

        # documentation and keys
        if not (model.get("description") or "").strip():
            problems.append(f"{name}: no description")
        for column_name, column in (model.get("columns") or {}).items():
            if not (column.get("description") or "").strip():
                problems.append(f"{name}.{column_name}: column without a description")
        if not _pk_tested(model_id, model, tests_by_model):
            problems.append(
                f"{name}: no primary-key test (unique + not_null, unique_combination_of_columns or a constraint)"
            )

        # length of a SQL model's file (its raw code as dbt read it)
        if model.get("language", "sql") == "sql" and model["original_file_path"].startswith("models/"):
            lines = len((model.get("raw_code") or "").splitlines())
            if lines > max_sql_lines:
                problems.append(
                    f"{name}: {lines} lines > {max_sql_lines} (split it into named intermediate models)"
                )

        # hard-coded relations (raw SQL, Jinja and comments removed)
        if model.get("language", "sql") == "sql":
            code = JINJA_OR_COMMENT.sub(" ", model.get("raw_code") or "")
            code = re.sub(r"\{\{.*?\}\}", "REF", code, flags=re.S)
            code = re.sub(r"\{%.*?%\}", " ", code, flags=re.S)
            match = HARD_CODED_RELATION.search(code)
            if match:
                problems.append(f"{name}: hard-coded relation `{match.group(0).strip()}` (use ref/source)")
            logic = CASE_OR_WINDOW.search(JINJA_OR_COMMENT.sub(" ", model.get("raw_code") or ""))
            if logic and name not in unit_tested and model["original_file_path"].startswith("models/"):
                problems.append(
                    f"{name}: a `{logic.group(0).lower()}` without a unit test (add one to its YAML's unit_tests)"
                )

        # built columns documented
        if catalog is not None:
            built = catalog.get("nodes", {}).get(model_id)
            if built:
                documented = {c.lower() for c in (model.get("columns") or {})}
                if layer == "base":  # pass-through raw columns are documented on their source
                    for src in parent_sources:
                        documented |= {c.lower() for c in manifest["sources"][src].get("columns", {})}
                missing = [c for c in built["columns"] if c.lower() not in documented]
                if missing:
                    problems.append(f"{name}: undocumented columns {', '.join(sorted(missing))}")

    problems += _stamp_problems(manifest, catalog, models)
    problems += _access_problems(manifest, catalog, models)

    for source_id, readers in sorted(source_readers.items()):
        if len(readers) > 1:
            problems.append(
                f"{source_id}: read by {len(readers)} models ({', '.join(readers)}); one base model per source"
            )
    for source_id, source in manifest["sources"].items():
        if source["package_name"] == "sendwise" and source_id not in source_readers:
            problems.append(f"{source_id}: declared but never read")

    for parent, kids in children.items():
        if parent not in models:
            continue
        meta = models[parent].get("config", {}).get("meta") or models[parent].get("meta") or {}
        limit = meta.get("max_leaf_children", max_fanout)
        if "max_leaf_children" in meta and not str(meta.get("max_leaf_children_reason") or "").strip():
            problems.append(
                f"{models[parent]['name']}: meta max_leaf_children without max_leaf_children_reason"
            )
        leaves = [kid for kid in kids if not children.get(kid)]
        if len(leaves) > limit:
            problems.append(f"{models[parent]['name']}: fanout {len(leaves)} > {limit} direct leaf children")

    # chained views
    def is_view(model_id: str) -> bool:
        return models[model_id]["config"].get("materialized") in {"view", "ephemeral"}

    memo: dict[str, int] = {}

    def chain(model_id: str) -> int:
        if model_id in memo:
            return memo[model_id]
        if not is_view(model_id):
            memo[model_id] = 0
            return 0
        parents = [p for p in models[model_id]["depends_on"]["nodes"] if p in models]
        memo[model_id] = 1 + max((chain(p) for p in parents), default=0)
        return memo[model_id]

    for model_id in models:
        if chain(model_id) > max_view_chain:
            problems.append(
                f"{models[model_id]['name']}: chain of {chain(model_id)} views > {max_view_chain}"
            )
    return problems


def shared_blocks(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """The shared blocks of one file's text (name -> the text between each pair of markers, in
    order) and the problems of its markers (unbalanced, nested, unknown name)."""
    blocks: dict[str, list[str]] = defaultdict(list)
    problems: list[str] = []
    current: tuple[str, int] | None = None
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        match = SHARED_MARKER.match(line)
        if not match:
            continue
        kind, name = match.groups()
        if name not in SHARED_BLOCKS:
            problems.append(f"line {number + 1}: unknown shared block {name}")
        if kind == ">>>":
            if current is not None:
                problems.append(f"line {number + 1}: shared block {name} opens inside block {current[0]}")
            current = (name, number + 1)
        elif current is None or current[0] != name:
            problems.append(f"line {number + 1}: shared block {name} closes without opening")
        else:
            blocks[name].append("".join(lines[current[1] : number]))
            current = None
    if current is not None:
        problems.append(f"line {current[1]}: shared block {current[0]} never closes")
    return blocks, problems


def shared_block_problems(root: Path = PROJECT_ROOT) -> list[str]:
    """Every copy of a shared block in root/python_models/**/*.py equals its canonical copy."""
    problems: list[str] = []
    files = {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted((root / "python_models").rglob("*.py"))
    }
    found = {}
    for path, text in files.items():
        blocks, marker_problems = shared_blocks(text)
        problems += [f"{path}: {problem}" for problem in marker_problems]
        found[path] = blocks
    for name, (canonical_path, signature) in SHARED_BLOCKS.items():
        canonical = found.get(canonical_path, {}).get(name)
        if not canonical:
            problems.append(f"{canonical_path}: no shared block {name} (its canonical text)")
            continue
        for path, text in files.items():
            copies = found[path].get(name, [])
            for copy in copies:
                if copy != canonical[0]:
                    differing = next(
                        (
                            i + 1
                            for i, (a, b) in enumerate(
                                zip(copy.splitlines(), canonical[0].splitlines(), strict=False)
                            )
                            if a != b
                        ),
                        min(len(copy.splitlines()), len(canonical[0].splitlines())) + 1,
                    )
                    problems.append(
                        f"{path}: shared block {name} differs from its canonical text in {canonical_path}"
                        f" (line {differing} of the block)"
                    )
            outside = text.count(signature) - sum(copy.count(signature) for copy in copies)
            if outside:
                problems.append(f"{path}: `{signature}` outside a shared block {name} (add the markers)")
    return problems


def run(args: argparse.Namespace) -> int:
    if args.manifest:
        manifest_path = Path(args.manifest)
    else:
        run_dbt(["parse", "--quiet"])
        manifest_path = PROJECT_ROOT / "target" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    catalog = None
    catalog_path = Path(args.catalog) if args.catalog else None
    if catalog_path and catalog_path.exists():
        catalog = json.loads(catalog_path.read_text())
    problems = check(manifest, catalog, args.max_fanout, args.max_view_chain) + shared_block_problems()
    for problem in problems:
        print(f"RULE {problem}", file=sys.stderr)
    n_models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
    print(
        f"rules-check: {n_models} models, {len(problems)} problem(s)" + (" (with catalog)" if catalog else "")
    )
    return 1 if problems else 0
