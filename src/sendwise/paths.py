"""Where things are: the project root, the DuckDB file, the dbt executable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "data/sendwise.duckdb"
# The demo data ends here unless told otherwise; `make` passes the same value as the dbt var `as_of`.
DEFAULT_END = "2026-11-15 00:00:00"


def duckdb_path(explicit: str | os.PathLike | None = None) -> Path:
    """The DuckDB file: an explicit path, else $SENDWISE_DUCKDB_PATH, else data/sendwise.duckdb.

    A relative path (the default too) is resolved from the current directory, as a user expects
    of a command-line tool; never from the package's install folder (a user's `sendwise load`
    run from their own project must not replace the install's demo data).
    """
    raw = explicit or os.environ.get("SENDWISE_DUCKDB_PATH") or DEFAULT_DB
    return (Path.cwd() / Path(raw)).resolve()


def project_dir() -> Path:
    """The dbt project the commands run dbt in: the nearest folder holding dbt_project.yml from the
    current directory upward, else the package's own project (PROJECT_ROOT)."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    return PROJECT_ROOT


def dbt_executable() -> str:
    """The dbt next to the running interpreter (the project's venv), else the one on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"
