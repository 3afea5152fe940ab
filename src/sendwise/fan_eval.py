"""Evaluations of the fan models against the demo generator's hidden truth (schema ground_truth).

Models never read ground_truth; these functions (used by pytest and for docs/fans.md) do.
"""

from __future__ import annotations

import pandas as pd

# fan_profiles column per ground_truth.fan_details detail_type
PROFILE_COLUMNS = {
    "age": "age",
    "relationship": "relationship_status",
    "job": "job",
    "hobby": "hobbies",
    "location": "location_hints",
    "life_event": "life_events",
    "personality": "personality_traits",
    "emotional_need": "emotional_needs",
    "motivation": "purchase_motivations",
}
# truth value -> the extractor's (more general) name for it
VALUE_ALIASES = {
    ("relationship", "girlfriend"): "partnered",
    ("life_event", "dog died"): "pet died",
}


def _profile_facts(profiles: pd.DataFrame) -> set[tuple[str, str, str]]:
    facts = set()
    for detail, column in PROFILE_COLUMNS.items():
        for key, value in zip(profiles["fan_model_key"], profiles[column], strict=True):
            if value is None or pd.isna(value) or value == "":
                continue
            for item in (
                str(value).split(", ") if detail not in {"age", "relationship", "job"} else [str(value)]
            ):
                facts.add((key, detail, item))
    return facts


def profile_precision_recall(con, profiles_table: str = "sendwise_ml.fan_profiles") -> pd.DataFrame:
    """Per detail type: truth facts, extracted facts, true positives, precision, recall. A fact is
    (fan_model_key, detail type, value); only pairs present in the profiles table are scored."""
    profiles = con.sql(f"select * from {profiles_table}").df()
    truth = con.sql(
        """
        select fans.fan_model_key, details.detail_type, details.detail_value
        from ground_truth.fan_details as details
        inner join ground_truth.fans as fans
            on details.fan_id = fans.fan_id and details.model_name = fans.model_name
        """
    ).df()
    truth = truth[truth["fan_model_key"].isin(set(profiles["fan_model_key"]))]
    truth_facts = {
        (k, d, VALUE_ALIASES.get((d, v), v)) for k, d, v in truth.itertuples(index=False, name=None)
    }
    extracted = _profile_facts(profiles)
    rows = []
    for detail in PROFILE_COLUMNS:
        t = {f for f in truth_facts if f[1] == detail}
        p = {f for f in extracted if f[1] == detail}
        hit = len(t & p)
        rows.append(
            {
                "detail_type": detail,
                "truth": len(t),
                "extracted": len(p),
                "true_positives": hit,
                "precision": hit / len(p) if p else float("nan"),
                "recall": hit / len(t) if t else float("nan"),
            }
        )
    return pd.DataFrame(rows)
