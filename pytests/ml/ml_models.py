"""`load_python_model` of pytests/conftest.py, importable from this folder's tests (a plain
`from conftest import ...` would pick up whichever conftest module pytest imported last)."""

from __future__ import annotations

import importlib.util

from sendwise.paths import PROJECT_ROOT


def _root_conftest():
    spec = importlib.util.spec_from_file_location(
        "sendwise_pytests_conftest", PROJECT_ROOT / "pytests" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load_python_model = _root_conftest().load_python_model
