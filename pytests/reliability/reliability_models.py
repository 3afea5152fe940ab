"""The provider dbt Python models as modules (loaded by path with the root conftest's helper)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "sendwise_root_conftest_reliability", Path(__file__).parents[1] / "conftest.py"
)
_root_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root_conftest)
load_python_model = _root_conftest.load_python_model

profile_ledger = load_python_model("python_models/fans/fan_profile_llm_ledger.py")
report_ledger = load_python_model("python_models/ops/page_strategy_report_llm_ledger.py")
embeddings = load_python_model("python_models/scheduling/ml_text_embeddings.py")
