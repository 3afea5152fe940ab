"""page_strategy_reports: one strategic report per active page, beside its schedule.

The facts come from int_page_report_facts (tier and health and why, what the learning changed,
the week's bets, the risks), already computed and worded in SQL. The report is written by the
provider chosen by the var `report_provider`:

* `template` (default): `render_report`, a fixed deterministic template over the facts (offline;
  the same facts always give the same text).
* `llm`: the validated report that page_strategy_report_llm_ledger cached for the page's current
  facts (key: prompt version + LLM model + facts hash). A page without one (its call failed, or
  the facts changed since) gets the template's text and says so (`report_source`
  'template_fallback'): every active page has a report, whatever the LLM did.

Self-contained (PyPI imports only); pytest imports this file and tests the pure functions.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

PROMPT_VERSION = 1  # must equal page_strategy_report_llm_ledger.PROMPT_VERSION (a pytest checks)
LIST_SEPARATOR = " || "
REPORT_COLUMNS = [
    "page_key",
    "page_name",
    "generated_for_as_of",
    "report_markdown",
    "report_source",
    "llm_model",
    "facts_hash",
]


def _items(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip()]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _money(value) -> str:
    return "n/a" if _missing(value) else f"${float(value):,.2f}"


def _number(value, decimals: int = 1) -> str:
    return "n/a" if _missing(value) else f"{float(value):.{decimals}f}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def render_report(facts: dict) -> str:
    """The page's report in markdown, from its facts only (deterministic)."""
    name = facts.get("page_name") or facts["page_key"]
    as_of = facts.get("generated_for_as_of")
    as_of_text = str(as_of)[:10] if not _missing(as_of) else "n/a"
    lines = [f"# {name}: strategy for the week after {as_of_text}", ""]

    health = facts.get("health_status") or "unknown"
    change = facts.get("health_change_pct")
    change_text = (
        ""
        if _missing(change)
        else f" ({float(change):+.1f} % decayed revenue, last 30 days vs the 30 before)"
    )
    tier = facts.get("creator_tier") or "unknown"
    eros = facts.get("eros_score")
    eros_text = (
        "no EROS score (no sends in its window)"
        if _missing(eros)
        else f"EROS score {_number(eros)} ({facts.get('eros_label')}; {facts.get('score_basis') or 'four components'})"
    )
    lines.append("**Tier and health.**")
    lines.append(
        f"{tier} tier (decayed average {_money(facts.get('decayed_avg_daily_revenue'))} a day), health {health}"
        f"{change_text}; {eros_text}. Data quality {_number(facts.get('data_quality_score'))} / 100."
    )
    saturation = facts.get("saturation_status")
    if saturation:
        lines.append(
            f"Saturation {saturation}: an extra send earns {_number(facts.get('volume_elasticity'), 2)} of an average send."
        )
    elif facts.get("saturation_unjudged_reason"):
        lines.append(f"Saturation not judged: {facts['saturation_unjudged_reason']}.")
    if not facts.get("is_schedulable"):
        lines.append("No schedule this week: the page is below the data-quality bar.")
    lines.append("")

    lines.append("**What the learning changed.**")
    changes = _items(facts.get("knob_changes")) + _items(facts.get("weight_changes"))
    lines.extend(f"- {change}" for change in changes)
    if not changes:
        lines.append("Nothing changed at this build: the learned knobs and weights held.")
    lines.append("")

    lines.append("**The week's bets.**")
    sends, days = int(facts.get("planned_sends") or 0), int(facts.get("planned_days") or 0)
    lines.append(
        f"- {_plural(sends, 'send')} over {_plural(days, 'day')}, expected revenue "
        f"{_money(facts.get('expected_revenue_week'))} (at the ladder prices)."
    )
    new = int(facts.get("new_captions") or 0)
    if new:
        lines.append(f"- {_plural(new, 'caption')} the page has never sent (exploration).")
    up, down = int(facts.get("price_steps_up") or 0), int(facts.get("price_steps_down") or 0)
    controls = int(facts.get("experiment_controls") or 0)
    if up or down or controls:
        lines.append(
            f"- Price experiment: {_plural(up, 'slot')} one step up, {down} one step down, "
            f"{controls} held-out control(s) at the ladder price."
        )
    if facts.get("price_mode"):
        lines.append(
            f"- Price mode {facts['price_mode']}, ladder {_money(facts.get('optimal_price_min'))}"
            f" to {_money(facts.get('optimal_price_max'))}; prime hours {facts.get('prime_hours') or 'n/a'}."
        )
    lines.append("")

    lines.append("**Risks.**")
    risks = []
    if saturation == "OVERSATURATED":
        risks.append("Oversaturated: extra sends earn well below an average send; more volume will not pay.")
    short = int(facts.get("short_days") or 0)
    if short:
        reason = facts.get("shortfall_reason")
        risks.append(
            f"Short of quota on {_plural(short, 'day')} ({sends} of {int(facts.get('week_quota') or 0)} sends)"
            + (f": {reason}." if reason else ".")
        )
    risks.extend(f"Holiday {holiday}." for holiday in _items(facts.get("holidays")))
    risks.extend(f"Alert, {alert}." for alert in _items(facts.get("page_alerts")))
    risks.extend(f"Agency-wide alert, {alert}." for alert in _items(facts.get("agency_alerts")))
    lines.extend(f"- {risk}" for risk in risks)
    if not risks:
        lines.append("No open risk flags.")
    return "\n".join(lines) + "\n"


def facts_hash(facts: dict) -> str:
    """md5 of the canonical facts JSON (same rule as the ledger's)."""
    canonical = {}
    for key in sorted(facts):
        value = facts[key]
        if _missing(value):
            canonical[key] = None
        elif hasattr(value, "isoformat"):
            canonical[key] = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        elif hasattr(value, "item"):
            canonical[key] = value.item()
        else:
            canonical[key] = value
    return hashlib.md5(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def cache_key(llm_model: str, hashed: str) -> str:
    return hashlib.md5(f"{PROMPT_VERSION}|{llm_model}|{hashed}".encode()).hexdigest()


def build_reports(
    facts: pd.DataFrame, provider: str, ledger: pd.DataFrame, llm_model: str | None
) -> pd.DataFrame:
    """One row per page of `facts`: the LLM's cached report for its current facts when the provider
    is llm and one exists, else the template's."""
    ok = ledger[(ledger["entry_type"] == "report") & (ledger["status"] == "ok")] if len(ledger) else ledger
    cached = (
        dict(zip(ok["cache_key"], ok["report_markdown"], strict=True))
        if provider == "llm" and len(ok)
        else {}
    )
    rows = []
    for record in facts.sort_values("page_key").to_dict("records"):
        hashed = facts_hash(record)
        llm_text = cached.get(cache_key(llm_model, hashed)) if provider == "llm" else None
        rows.append(
            {
                "page_key": record["page_key"],
                "page_name": record.get("page_name"),
                "generated_for_as_of": record.get("generated_for_as_of"),
                "report_markdown": llm_text or render_report(record),
                "report_source": "llm"
                if llm_text
                else ("template_fallback" if provider == "llm" else "template"),
                "llm_model": llm_model if llm_text else None,
                "facts_hash": hashed,
            }
        )
    reports = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    # typed whatever the rows: with no active page (or no LLM text) a column of only None would be
    # written as an integer column, and the timestamp in nanoseconds (DuckDB TIMESTAMP_NS)
    text = [c for c in REPORT_COLUMNS if c != "generated_for_as_of"]
    reports[text] = reports[text].astype("string")
    reports["generated_for_as_of"] = pd.to_datetime(reports["generated_for_as_of"]).astype("datetime64[us]")
    return reports


# >>> shared block adapter: keep every copy the same text (sendwise rules-check)
# --- Adapter (docs/ml.md, "Both adapters"): a dbt relation to pandas, the result back to the engine.
# The same text in every Python model that reads a relation (sendwise rules-check keeps the copies
# equal to the canonical one; dbt Python models cannot import project code on BigQuery).


def to_pandas(
    frame, columns: list[str] | None = None, equals: dict[str, str] | None = None, arrow: bool = False
) -> pd.DataFrame:
    """A DuckDB relation, BigQuery DataFrames, Spark DataFrame or pandas frame as pandas. Only the
    rows whose columns equal `equals` and only `columns` (in that order) leave the warehouse: they
    are selected on the engine before the download (BigQuery DataFrames refuses downloads over
    500 MB by default). arrow=True reads a DuckDB relation through Arrow with pd.ArrowDtype columns,
    so a vector column stays an Arrow list column instead of one numpy object per row (the other
    engines ignore it)."""
    equals = equals or {}
    module = type(frame).__module__
    if isinstance(frame, pd.DataFrame) or module.startswith("bigframes"):
        for name, value in equals.items():
            frame = frame[frame[name] == value]
        frame = frame if columns is None else frame[columns]
        return frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
    if module.startswith("pyspark"):
        for name, value in equals.items():
            frame = frame.filter(frame[name] == value)
        return (frame if columns is None else frame.select(*columns)).toPandas()
    if not hasattr(frame, "project"):
        raise TypeError(f"cannot convert {type(frame).__name__} to pandas")
    for name, value in equals.items():  # a DuckDB relation
        text = str(value).replace("'", "''")
        frame = frame.filter(f"\"{name}\" = '{text}'")
    if columns is not None:
        frame = frame.project(", ".join(f'"{c}"' for c in columns))
    if not arrow:
        return frame.df()
    table = frame.arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # a RecordBatchReader (DuckDB 1.4)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def settings_dict(settings: pd.DataFrame) -> dict[str, str]:
    """settings_modeling as {setting_name: setting_value}. The seed declares setting_value a
    not-null string (seeds/_seeds.yml), so the values are text on every engine and .astype(str)
    changes none of them; it keeps them plain Python str whatever dtype the download gives."""
    return dict(zip(settings["setting_name"], settings["setting_value"].astype(str), strict=True))


def to_engine(frame, target_type: str):
    """The model's result as the engine's DataFrame: on BigQuery a pandas frame becomes BigQuery
    DataFrames (bigframes, bpd.read_pandas) and one that already is (a reused output) stays as it
    is; elsewhere the frame itself: pandas, or the Arrow table of a reused output on DuckDB (its
    column types kept)."""
    if target_type == "bigquery" and isinstance(frame, pd.DataFrame):
        import bigframes.pandas as bpd

        return bpd.read_pandas(frame)
    return frame


# <<< shared block adapter


def model(dbt, session):
    dbt.config(materialized="table", packages=["pandas==2.3.3"])
    provider = dbt.config.get("report_provider") or "template"
    llm_model = dbt.config.get("report_llm_model")
    facts = to_pandas(dbt.ref("int_page_report_facts"))
    ledger = to_pandas(
        dbt.ref("page_strategy_report_llm_ledger"),
        ["entry_type", "status", "cache_key", "report_markdown"],
        {"entry_type": "report", "status": "ok"},
    )
    reports = build_reports(facts, provider, ledger, llm_model)
    return to_engine(reports, dbt.config.get("target_type"))
