"""The fan dbt Python models as modules, imported with load_python_model of pytests/conftest.py.

(Several folders have a conftest.py, so `from conftest import ...` is ambiguous: the root one is
loaded here by path under its own name.)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "sendwise_root_conftest", Path(__file__).parents[1] / "conftest.py"
)
_root_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root_conftest)
load_python_model = _root_conftest.load_python_model

profiles = load_python_model("python_models/fans/fan_profiles.py")
ledger = load_python_model("python_models/fans/fan_profile_llm_ledger.py")
predictions = load_python_model("python_models/fans/fan_predictions.py")
metrics = load_python_model("python_models/fans/fan_prediction_metrics.py")
embeddings = load_python_model("python_models/fans/fan_embeddings.py")
clusters = load_python_model("python_models/fans/fan_clusters.py")
