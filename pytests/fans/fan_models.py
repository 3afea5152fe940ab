"""The fan dbt Python models as modules (pytests/model_loader.py)."""

from __future__ import annotations

from model_loader import load_python_model

profiles = load_python_model("python_models/fans/fan_profiles.py")
ledger = load_python_model("python_models/fans/fan_profile_llm_ledger.py")
predictions = load_python_model("python_models/fans/fan_predictions.py")
prediction_fits = load_python_model("python_models/fans/fan_prediction_fits.py")
metrics = load_python_model("python_models/fans/fan_prediction_metrics.py")
embeddings = load_python_model("python_models/fans/fan_embeddings.py")
clusters = load_python_model("python_models/fans/fan_clusters.py")
