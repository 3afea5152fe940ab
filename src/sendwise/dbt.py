"""Run dbt as a subprocess of the project's venv, with the project's profile directory."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from sendwise.paths import PROJECT_ROOT, dbt_executable, project_dir


def dbt_env(duckdb_path: str | os.PathLike | None = None, extra: Mapping[str, str] | None = None) -> dict:
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(project_dir()))
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    if duckdb_path is not None:
        env["SENDWISE_DUCKDB_PATH"] = str(Path(duckdb_path).resolve())
    if extra:
        env.update(extra)
    ensure_profiles()
    return env


def ensure_profiles() -> None:
    """profiles.yml is not committed: copy the example (which works as is for DuckDB) when absent."""
    folder = project_dir()
    target = folder / "profiles.yml"
    example = folder / "profiles.example.yml"
    if not target.exists():
        target.write_text(
            (example if example.exists() else PROJECT_ROOT / "profiles.example.yml").read_text()
        )


class ProfileError(ValueError):
    """profiles.yml cannot be rendered: an env_var() without a value or a default."""


def profiles_file(profiles_dir: str | os.PathLike | None = None) -> Path:
    """The profiles.yml the commands' dbt reads: in `profiles_dir`, else $DBT_PROFILES_DIR, else the
    project folder (dbt_env); the example when there is none (what ensure_profiles would copy)."""
    folder = Path(profiles_dir or os.environ.get("DBT_PROFILES_DIR") or project_dir())
    for path in (folder / "profiles.yml", project_dir() / "profiles.example.yml"):
        if path.is_file():
            return path
    return PROJECT_ROOT / "profiles.example.yml"


def read_profile(path: str | os.PathLike) -> dict:
    """The `sendwise` profile of a profiles.yml, rendered as dbt renders it (env_var() with its
    default): {"target": ..., "outputs": {name: output}}. ProfileError for an env_var() that has
    neither a value nor a default."""
    import jinja2
    import yaml

    def env_var(name: str, default: str | None = None) -> str:
        value = os.environ.get(name, default)
        if value is None:
            raise ProfileError(f"profiles.yml needs the environment variable {name}")
        return value

    text = jinja2.Environment().from_string(Path(path).read_text()).render(env_var=env_var)
    loaded = yaml.safe_load(text)
    profile = loaded.get("sendwise") if isinstance(loaded, dict) else None
    return profile if isinstance(profile, dict) else {}


def vars_arg(values: Mapping[str, object]) -> str:
    return json.dumps(dict(values))


def _command(
    args: Sequence[str],
    duckdb_path: str | os.PathLike | None,
    target_path: str | os.PathLike | None,
    env: Mapping[str, str] | None,
) -> tuple[list[str], dict]:
    full_env = dbt_env(duckdb_path, env)
    if target_path is not None:
        full_env["DBT_TARGET_PATH"] = str(target_path)
        full_env.setdefault("DBT_LOG_PATH", str(Path(target_path) / "logs"))
    return [dbt_executable(), *args], full_env


def run_dbt(
    args: Sequence[str],
    *,
    duckdb_path: str | os.PathLike | None = None,
    target_path: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    check: bool = True,
) -> subprocess.CompletedProcess:
    cmd, full_env = _command(args, duckdb_path, target_path, env)
    if os.environ.get("SENDWISE_DBT_IN_PROCESS") == "1":  # the test suite: see sendwise.dbt_in_process
        from sendwise.dbt_in_process import run_in_process

        return run_in_process(cmd, full_env, project_dir(), capture=capture, check=check)
    return subprocess.run(
        cmd,
        cwd=project_dir(),  # the user's project folder, never the install's (its target/ stays untouched)
        env=full_env,
        check=check,
        text=True,
        capture_output=capture,
    )


def load_seeds(
    db_path: str | os.PathLike, target_path: str | os.PathLike, seeds_from: str | os.PathLike | None = None
) -> None:
    """Load the dbt seeds into a DuckDB file: `dbt seed`, or, given `seeds_from` (a file `dbt seed`
    already loaded), a copy of its seed tables (the same rows, without dbt's start-up of ~10-30 s)."""
    if seeds_from is None:
        run_dbt(["seed", "--quiet"], duckdb_path=db_path, target_path=target_path, capture=True)
        return
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        quoted = str(Path(seeds_from).resolve()).replace("'", "''")
        con.execute(f"attach '{quoted}' as seeded (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'seeded'"
            " and table_schema = (select table_schema from information_schema.tables"
            " where table_catalog = 'seeded' and table_name = 'settings_modeling')"
        ).fetchall()
        if not tables:
            raise ValueError(f"{seeds_from}: no dbt seeds to copy (settings_modeling is missing)")
        for schema, name in tables:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create or replace table "{schema}"."{name}" as select * from seeded."{schema}"."{name}"'
            )
    finally:
        con.close()


def parse_for_build(
    build_args: Sequence[str],
    *,
    duckdb_path: str | os.PathLike | None = None,
    target_path: str | os.PathLike | None = None,
) -> None:
    """An untimed `dbt parse` with the vars of `build_args` and the same database and target, so
    the build after it starts from a parsed project (dbt's partial parsing), as a scheduled build
    does: it runs without --vars against the same profile and keeps target/ between runs. A new
    --vars value or database path makes dbt parse the whole project again (12 s at the seed scale
    on the 2-core machine, 3.8 s when it can parse partially; docs/build_performance.md,
    section 19), which the scheduled build does not pay."""
    args = ["parse", "--quiet"]
    if "--vars" in build_args:
        args += ["--vars", build_args[list(build_args).index("--vars") + 1]]
    run_dbt(args, duckdb_path=duckdb_path, target_path=target_path, capture=True)


def run_dbt_peak_memory(
    args: Sequence[str],
    *,
    duckdb_path: str | os.PathLike | None = None,
    target_path: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
) -> float:
    """Run dbt like run_dbt(check=True) and return the peak resident memory (MiB) of that one dbt
    process (DuckDB and the Python models run inside it), from wait4's rusage."""
    cmd, full_env = _command(args, duckdb_path, target_path, env)
    process = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=full_env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, cmd)
    return usage.ru_maxrss / 1024


def prepare_incremental_tables(
    as_of: str,
    *,
    duckdb_path: str | os.PathLike | None = None,
    target_path: str | os.PathLike | None = None,
) -> subprocess.CompletedProcess:
    """Create the incremental models' tables (empty) on a fresh database.

    dbt unit tests of an incremental model read the columns of `this`, so a first `dbt build` on a
    fresh database would fail those tests. `--empty` builds the incremental models and what they
    need with zero rows, which is cheap. Not below the Python ML models, which reject empty input
    (nothing incremental there has a unit test). Existing tables keep their rows: an empty
    incremental run inserts nothing.
    """
    return run_dbt(
        [
            "build",
            "--empty",
            "--quiet",
            "--vars",
            vars_arg({"as_of": as_of}),
            "--select",
            "+config.materialized:incremental",
            "--exclude",
            "ml_caption_clusters+",
            "ml_revenue_gbm_fit+",
            "--exclude-resource-type",
            "test",
            "unit_test",
        ],
        duckdb_path=duckdb_path,
        target_path=target_path,
    )
