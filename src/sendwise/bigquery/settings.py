"""The bq-check limits from the settings seed (seeds/settings_modeling.csv) and the allow-lists."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from sendwise.paths import PROJECT_ROOT

SETTINGS_CSV = PROJECT_ROOT / "seeds" / "settings_modeling.csv"
ALLOWLIST = Path(__file__).with_name("allowlist.yml")
TEMPORARY_ALLOWLIST = Path(__file__).with_name("allowlist_temporary.yml")
TEMPORARY_SECTIONS = ("analyzer", "plan_limits", "partition_filter", "parity")


@dataclass(frozen=True)
class Limits:
    max_cte_evaluations: int
    max_resolved_bytes: int
    max_view_depth: int
    float_digits: int


def read_settings(path: Path = SETTINGS_CSV) -> dict[str, str]:
    with path.open(newline="") as handle:
        return {row["setting_name"]: row["setting_value"] for row in csv.DictReader(handle)}


def limits(path: Path = SETTINGS_CSV) -> Limits:
    values = read_settings(path)
    try:
        return Limits(
            max_cte_evaluations=int(values["bq_max_cte_evaluations"]),
            max_resolved_bytes=int(values["bq_max_resolved_bytes"]),
            max_view_depth=int(values["bq_max_view_depth"]),
            float_digits=int(values["bq_parity_float_digits"]),
        )
    except KeyError as exc:
        raise ValueError(f"{path} has no row {exc.args[0]!r} (bq-check limits)") from exc


def read_allowlist(path: Path, section: str) -> dict[str, str]:
    """model name -> reason, from one section of an allow-list YAML file (a mapping); every entry
    must give a reason."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    entries = data.get(section) or {}
    if not isinstance(entries, dict):
        raise ValueError(f"{path.name}: section {section!r} must map model names to reasons")
    for name, reason in entries.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{path.name}: {section}.{name} has no reason")
    return {str(name): str(reason).strip() for name, reason in entries.items()}


def read_column_allowlist(path: Path, section: str) -> dict[str, dict[str, str]]:
    """model name -> {column: reason}, from one section of an allow-list YAML file."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    entries = data.get(section) or {}
    result: dict[str, dict[str, str]] = {}
    for model, columns in entries.items():
        if not isinstance(columns, dict) or not columns:
            raise ValueError(f"{path.name}: {section}.{model} must map column names to reasons")
        for column, reason in columns.items():
            if not isinstance(reason, str) or not reason.strip():
                raise ValueError(f"{path.name}: {section}.{model}.{column} has no reason")
        result[str(model)] = {str(c).lower(): str(r).strip() for c, r in columns.items()}
    return result


def temporary_allowlist(path: Path = TEMPORARY_ALLOWLIST) -> dict[str, dict[str, str]]:
    return {section: read_allowlist(path, section) for section in TEMPORARY_SECTIONS}
