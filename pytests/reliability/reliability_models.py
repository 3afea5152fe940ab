"""The provider dbt Python models as modules (pytests/model_loader.py)."""

from __future__ import annotations

from model_loader import load_python_model

profile_ledger = load_python_model("python_models/fans/fan_profile_llm_ledger.py")
report_ledger = load_python_model("python_models/ops/page_strategy_report_llm_ledger.py")
embeddings = load_python_model("python_models/scheduling/ml_text_embeddings.py")
