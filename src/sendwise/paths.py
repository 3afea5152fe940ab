"""Where things are: the project root, the DuckDB file, the dbt executable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "data/sendwise.duckdb"
# The demo data ends here unless told otherwise; `make` passes the same value as the dbt var `as_of`.
DEFAULT_END = "2026-11-15 00:00:00"


def duckdb_path(explicit: str | None = None) -> Path:
    """The DuckDB file: an explicit path, else $SENDWISE_DUCKDB_PATH, else data/sendwise.duckdb."""
    raw = explicit or os.environ.get("SENDWISE_DUCKDB_PATH") or DEFAULT_DB
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


def dbt_executable() -> str:
    """The dbt next to the running interpreter (the project's venv), else the one on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"
