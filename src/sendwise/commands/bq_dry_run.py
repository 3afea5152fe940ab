"""BigQuery dry run: compile every model for the `bigquery` target and dry-run its SQL on BigQuery.

For operators with Google credentials (Application Default Credentials, e.g. `gcloud auth
application-default login`, or a service-account key with --keyfile). dbt compiles the project for
the profile's `bigquery` output (with introspection: the settings seed and the incremental models'
tables are looked up, so compile after a first `dbt seed`), then each compiled SQL model is sent
to BigQuery with `QueryJobConfig(dry_run=True, use_query_cache=False)`: nothing runs and nothing is
billed; BigQuery answers how many bytes the query would scan (after partition pruning). The report
lists every model by bytes and the total. A model whose inputs do not exist yet (before the first
build) fails its dry run and is listed with BigQuery's message. Python and ephemeral models are not
dry-runnable (no SQL of their own) and are counted separately.

Without a project or credentials the command says so in one line and exits 2, having written
nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sendwise.paths import PROJECT_ROOT

HELP = "compile for the bigquery target and dry-run every model on BigQuery: bytes each would scan, and the total"

# The profile's BigQuery outputs read the project from this variable (profiles.example.yml).
PROJECT_ENV = "SENDWISE_BQ_PROJECT"
# profiles.example.yml's fallback project: a placeholder, never a real one.
PLACEHOLDER_PROJECT = "my-gcp-project"
SCOPES = ["https://www.googleapis.com/auth/bigquery", "https://www.googleapis.com/auth/cloud-platform"]


class UsageError(Exception):
    """A user's mistake: reported in one line, exit code 2, nothing written."""


@dataclass(frozen=True)
class DryRun:
    model: str
    bytes_processed: int | None = None
    error: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target", default="bigquery", help="profile output to compile for (default bigquery)"
    )
    parser.add_argument(
        "--project", default=None, help=f"Google Cloud project of the datasets (default ${PROJECT_ENV})"
    )
    parser.add_argument(
        "--location",
        default=None,
        help="BigQuery location of the datasets (default $SENDWISE_BQ_LOCATION, else US)",
    )
    parser.add_argument(
        "--keyfile", default=None, help="service-account key (JSON); default: Application Default Credentials"
    )
    parser.add_argument(
        "--select", default="resource_type:model", help="dbt selection of the models (default: every model)"
    )
    parser.add_argument("--as-of", default=None, help="the as_of var, 'YYYY-MM-DD HH:MM:SS' (default: now)")
    parser.add_argument(
        "--target-path", default="target_bq_dry_run", help="where dbt writes the compiled SQL"
    )
    parser.add_argument(
        "--skip-compile", action="store_true", help="dry-run the manifest of an earlier compile"
    )


def resolve_project(explicit: str | None, environ: dict | None = None) -> str:
    environ = os.environ if environ is None else environ
    project = (explicit or environ.get(PROJECT_ENV) or "").strip()
    if not project or project == PLACEHOLDER_PROJECT:
        raise UsageError(f"no BigQuery project: set ${PROJECT_ENV} or pass --project")
    return project


def load_credentials(keyfile: str | None):
    """Google credentials from a service-account key or Application Default Credentials."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    if keyfile is not None:
        path = Path(keyfile)
        if not path.is_file():
            raise UsageError(f"no service-account key at {keyfile}")
        from google.oauth2 import service_account

        try:
            return service_account.Credentials.from_service_account_file(str(path), scopes=SCOPES)
        except (ValueError, KeyError) as exc:
            raise UsageError(f"{keyfile} is not a service-account key: {exc}") from None
    try:
        credentials, _ = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError:
        raise UsageError(
            "no Google credentials: run `gcloud auth application-default login` or pass --keyfile"
        ) from None
    return credentials


def dry_runnable(manifest: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, compiled SQL) of every enabled SQL model with its own SQL, and the names skipped.

    Python models run on BigQuery DataFrames and ephemeral models are inlined into their readers:
    neither has a query of its own to dry-run.
    """
    runnable: list[tuple[str, str]] = []
    skipped: list[str] = []
    for node in sorted(manifest.get("nodes", {}).values(), key=lambda n: n["unique_id"]):
        if node.get("resource_type") != "model" or not node.get("config", {}).get("enabled", True):
            continue
        code = node.get("compiled_code")
        if node.get("language") != "sql" or node["config"].get("materialized") == "ephemeral" or not code:
            skipped.append(node["name"])
            continue
        runnable.append((node["name"], code))
    return runnable, skipped


def human_bytes(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def format_report(results: list[DryRun], skipped: list[str]) -> str:
    """The report: models by bytes scanned (largest first), then failures, then the totals."""
    done = sorted((r for r in results if r.error is None), key=lambda r: (-(r.bytes_processed or 0), r.model))
    failed = sorted((r for r in results if r.error is not None), key=lambda r: r.model)
    total = sum(r.bytes_processed or 0 for r in done)
    lines = [f"{human_bytes(r.bytes_processed or 0):>12}  {r.model}" for r in done]
    lines += [f"      FAILED  {r.model}: {r.error}" for r in failed]
    if skipped:
        lines.append(f"not dry-runnable (Python or ephemeral): {', '.join(sorted(skipped))}")
    lines.append(
        f"bq-dry-run: {len(results)} models, {len(done)} dry-run, {len(failed)} failed; "
        f"total {human_bytes(total)} ({total:,} bytes) would be scanned"
    )
    return "\n".join(lines)


def _compile(args: argparse.Namespace, project: str, target_path: Path) -> None:
    from sendwise.dbt import run_dbt, vars_arg

    env = {"SENDWISE_TARGET": args.target, PROJECT_ENV: project}
    if args.location:
        env["SENDWISE_BQ_LOCATION"] = args.location
    if args.keyfile:
        # the profile's `method: oauth` reads Application Default Credentials, which honour this
        env["GOOGLE_APPLICATION_CREDENTIALS"] = str(Path(args.keyfile).resolve())
    dbt_vars = {"as_of": args.as_of} if args.as_of else {}
    run_dbt(
        [
            "compile",
            "--target",
            args.target,
            "--quiet",
            "--select",
            args.select,
            "--vars",
            vars_arg(dbt_vars),
        ],
        target_path=target_path,
        env=env,
    )


def _dry_run(sql: str, client) -> tuple[int | None, str | None]:
    from google.api_core.exceptions import GoogleAPICallError
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)
    try:
        job = client.query(sql, job_config=config)
    except GoogleAPICallError as exc:
        message = getattr(exc, "message", None) or str(exc)
        return None, message.splitlines()[0] if message else type(exc).__name__
    return int(job.total_bytes_processed or 0), None


def run(args: argparse.Namespace) -> int:
    target_path = PROJECT_ROOT / args.target_path
    manifest_path = target_path / "manifest.json"
    try:
        project = resolve_project(args.project)
        credentials = load_credentials(args.keyfile)
        if args.skip_compile and not manifest_path.is_file():
            raise UsageError(f"--skip-compile: no compiled manifest at {manifest_path}")
    except UsageError as exc:
        print(f"bq-dry-run: {exc}", file=sys.stderr)
        return 2

    if not args.skip_compile:
        _compile(args, project, target_path)
    runnable, skipped = dry_runnable(json.loads(manifest_path.read_text()))

    from google.cloud import bigquery

    location = args.location or os.environ.get("SENDWISE_BQ_LOCATION") or "US"
    client = bigquery.Client(project=project, credentials=credentials, location=location)
    results = []
    for name, sql in runnable:
        processed, error = _dry_run(sql, client)
        results.append(DryRun(name, processed, error))
    print(format_report(results, skipped))
    return 1 if any(r.error is not None for r in results) else 0
