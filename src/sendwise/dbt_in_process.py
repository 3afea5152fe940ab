"""dbt inside this Python process, the parsed project kept between commands (opt-in).

`run_dbt` starts a dbt process per command; each start imports dbt (~4 s) and, whenever `--vars`
differ from the last parse in that target path, parses the whole project again (~16 s of CPU: dbt's
partial parsing starts over when vars change). A caller that runs many short dbt commands in one
process - the test suite does, dozens of times - sets SENDWISE_DBT_IN_PROCESS=1: `run_dbt` then runs
dbt through its programmatic API (`dbtRunner`) and parses the project once per set of parse inputs.

What a parse depends on, and so the cache key: the project and profiles folders, `--target` and
`--profile`, `--vars` (vars are rendered into configs at parse time, e.g. the `as_of` config of the
Python models), the DuckDB file's name (the catalog of every relation), the SENDWISE_* environment
(the profile's target and BigQuery project/dataset), and any environment variable the project's
files read (dbt records them in the manifest; a changed value parses again). A project file changed
since the parse (its modification time) also parses again.

dbt runs one command at a time in a process: commands from several threads take turns (a lock).
dbt-duckdb keeps its DuckDB instance open in the process after a command; it is closed after each
one, so the caller can open the file itself, as after a dbt process.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

# flags that change what a parse produces (with a value), and the ones that only change a command
_PARSE_FLAGS = {"--project-dir", "--profiles-dir", "--target", "-t", "--profile", "--vars"}
_CACHE_SIZE = 6  # parsed manifests kept per process (each ~100-200 MB; a parse costs ~17 s of CPU)
_LOCK = threading.Lock()
_MANIFESTS: OrderedDict[tuple, tuple] = OrderedDict()


def _parse_args(args: Sequence[str]) -> tuple[list[str], tuple]:
    """The arguments a `dbt parse` needs to read the project as `args` would, and their key."""
    parse, key = [], []
    items = list(args)
    for i, arg in enumerate(items):
        name, _, inline = arg.partition("=")
        if name in _PARSE_FLAGS:
            value = inline or (items[i + 1] if i + 1 < len(items) else "")
            parse += [name, value]
            key.append((name, _canonical_vars(value) if name == "--vars" else value))
    return parse, tuple(key)


def _canonical_vars(value: str) -> str:
    """`--vars` as dbt reads it (a YAML mapping), written one way: `{as_of: "x"}` and `{"as_of": "x"}`
    are the same vars and share a parse. The text itself when it does not read as YAML (dbt will say
    why) or holds a value JSON cannot (an unquoted date: dbt sees a date, not the string)."""
    import json

    import yaml

    try:
        return json.dumps(yaml.safe_load(value), sort_keys=True)
    except (yaml.YAMLError, TypeError, ValueError):  # not YAML, or a value JSON cannot hold (a date)
        return value


def _environment_key(env: Mapping[str, str]) -> tuple:
    items = []
    for name, value in sorted(env.items()):
        if name == "SENDWISE_DUCKDB_PATH":
            items.append((name, Path(value).stem))  # only the catalog name reaches the manifest
        elif name.startswith("SENDWISE_") and name != "SENDWISE_DBT_IN_PROCESS":
            items.append((name, value))
    return tuple(items)


def _project_mtime(project_dir: Path) -> float:
    latest = 0.0
    for folder in ("models", "macros", "python_models", "seeds", "snapshots", "analyses", "tests"):
        for path in (project_dir / folder).rglob("*"):
            latest = max(latest, path.stat().st_mtime)
    for name in ("dbt_project.yml", "profiles.yml"):
        if (project_dir / name).exists():
            latest = max(latest, (project_dir / name).stat().st_mtime)
    return latest


@contextlib.contextmanager
def _environment(env: Mapping[str, str]):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def release_duckdb() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open in the process (so the file can be opened)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # no DuckDB adapter installed
        return
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def _manifest(parse_args: list[str], key: tuple, env: Mapping[str, str], project_dir: Path):
    from dbt.cli.main import dbtRunner

    mtime = _project_mtime(project_dir)
    cached = _MANIFESTS.get(key)
    if cached is not None:
        manifest, parsed_mtime = cached
        env_vars = getattr(manifest, "env_vars", {}) or {}
        if parsed_mtime >= mtime and all(env.get(name) == value for name, value in env_vars.items()):
            _MANIFESTS.move_to_end(key)
            return manifest
    result = dbtRunner().invoke(["parse", "--quiet", "--no-write-json", *parse_args])
    if not result.success:
        return None  # the command itself will report the parse error
    _MANIFESTS[key] = (result.result, mtime)
    while len(_MANIFESTS) > _CACHE_SIZE:
        _MANIFESTS.popitem(last=False)
    return result.result


def run_in_process(
    command: list[str], env: Mapping[str, str], cwd: Path, *, capture: bool, check: bool
) -> subprocess.CompletedProcess:
    """`command` ([dbt, *args]) run by dbtRunner in this process, as `subprocess.run` would report it."""
    from dbt.cli.main import dbtRunner

    args = list(command[1:])
    parse_args, flag_key = _parse_args(args)
    project_dir = Path(dict(flag_key).get("--project-dir") or cwd)
    key = (str(project_dir.resolve()), flag_key, _environment_key(env))
    stdout = io.StringIO()
    with _LOCK, _environment(env), contextlib.chdir(cwd):
        try:
            manifest = None
            if args and args[0] not in {"parse", "deps", "debug", "clean", "init", "--version"}:
                manifest = _manifest(parse_args, key, env, project_dir)
            runner = dbtRunner(manifest=manifest) if manifest is not None else dbtRunner()
            with contextlib.redirect_stdout(stdout if capture else _Tee(stdout)):
                result = runner.invoke(args)
        finally:
            release_duckdb()
    returncode = 0 if result.success else (2 if result.exception is not None else 1)
    completed = subprocess.CompletedProcess(command, returncode, stdout.getvalue(), "")
    if check and returncode != 0:
        raise subprocess.CalledProcessError(
            returncode, command, completed.stdout, str(result.exception or "")
        )
    return completed


class _Tee(io.TextIOBase):
    """Write to the real stdout and keep a copy (an uncaptured command still reports its output)."""

    def __init__(self, copy: io.StringIO):
        self._copy = copy
        self._out = sys.stdout

    def write(self, text: str) -> int:
        self._copy.write(text)
        return self._out.write(text)

    def flush(self) -> None:
        self._out.flush()
