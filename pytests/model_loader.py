"""The one loader of dbt Python model files for pytest: a dbt Python model is a plain file under
python_models/ (no package, self-contained for BigQuery), so its pure functions are tested by
importing the file by path. Imported as `from model_loader import load_python_model` (pytests/ is
on the path: pyproject's `pythonpath`); a module of its own because several test folders have a
conftest.py, so `from conftest import ...` would find whichever pytest imported first."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from sendwise.paths import PROJECT_ROOT


def load_python_model(relative_path: str) -> ModuleType:
    """Import a dbt Python model file (python_models/...) as a module, to test its pure functions."""
    path = PROJECT_ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
