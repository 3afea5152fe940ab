"""A temporary copy of the dbt project (what dbt reads of it: no venv, data, targets or the Python
package's tests), for the tests that build a changed project: legacy models added, a seed edited."""

from __future__ import annotations

import shutil
from pathlib import Path

from sendwise.paths import PROJECT_ROOT

PROJECT_PARTS = [
    "dbt_project.yml",
    "models",
    "macros",
    "seeds",
    "snapshots",
    "tests",
    "analyses",
    "python_models",
]


def copy_project(destination: Path) -> Path:
    """Copy the project's dbt parts into `destination` (created) and return it."""
    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy(source, destination / part)
    return destination
