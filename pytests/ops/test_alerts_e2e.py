"""End to end: ops_alerts on a built database fires exactly where its conditions hold.

The built test database (small demo) is copied; the alerts it already raises are re-derived here
independently (from the marts, the raw tables and the manifest's freshness rules, in Python). Then
three conditions are planted - one stale source, one page with a vault-violating caption forced into
its template, one page whose EROS score drops by more than 10 points week over week - and the alert
models are rebuilt: the new alerts must be exactly the planted ones, each with its severity, and the
critical-alert test must fail the build only when var fail_on_critical_alerts asks for it."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import duckdb
import pytest
import yaml
from built_demo import numeric_settings

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END, PROJECT_ROOT

AS_OF = datetime.fromisoformat(DEFAULT_END)
STALE_SOURCE = "content.outcomes"
ALERT_MODELS = [
    # the template's QC rules are models of their own (docs/template_qc.md), then their union
    "path:models/intermediate/scheduling/template/qc",
    "weekly_template_qc_violations",
    # the freshness rule reads the base models (tables): rebuilt so the staled source reaches it
    "+int_source_freshness",
    "ops_source_health_history",
    # the alert rules are models of their own too (docs/operations.md), then their union
    "path:models/intermediate/ops/alerts",
    "int_ops_alert_candidates",
    "ops_alert_history",
    "ops_alerts",
]
HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


def source_freshness_rules() -> list[tuple[str, str, str, dict[str, float]]]:
    """(schema, table, loaded-at column, {level: hours}) of every source with a freshness rule, read
    from the sources yml files (table config over source config, as dbt resolves them)."""
    rules = []
    for path in sorted((PROJECT_ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            base = (source.get("config") or {}).get("freshness")
            for table in source["tables"]:
                config = table.get("config") or {}
                freshness = config.get("freshness", base)
                column = config.get("loaded_at_field")
                if not column or not freshness:
                    continue
                limits = {
                    level: freshness[level]["count"] * HOURS[freshness[level]["period"]]
                    for level in ("warn_after", "error_after")
                    if freshness.get(level)
                }
                rules.append((source["schema"], table["name"], column, limits))
    return rules


def expected_alerts(con) -> dict[tuple, str]:
    """(rule_id, page_key, subject) -> severity, derived without the alert SQL (single-build rules)."""
    s = numeric_settings(con)
    out: dict[tuple, str] = {}
    active = {
        r[0]
        for r in con.sql("select page_key from sendwise_staging.stg_agency__pages where is_active").fetchall()
    }
    for page, score in con.sql(
        "select page_key, data_quality_score from sendwise_ops.data_quality_by_page"
    ).fetchall():
        if page in active and score is not None and score < s["alert_data_quality_min"]:
            out[("data_quality_low", page, None)] = "critical"
    for page, rule in con.sql(
        "select distinct page_key, rule_id from sendwise_marts.weekly_template_qc_violations where tier = 1"
    ).fetchall():
        out[("template_tier1_violation", page, rule)] = "critical"
    for page, is_active, score, rate, planned in con.sql(
        "select page_key, is_active, eros_score, execution_rate, planned_slots from sendwise_marts.eros_score"
    ).fetchall():
        if is_active and score is not None and score < s["alert_eros_min"]:
            out[("eros_score_low", page, None)] = "warning"
        if (
            is_active
            and planned >= s["alert_execution_min_slots"]
            and rate is not None
            and rate < s["alert_execution_rate_min"]
        ):
            out[("execution_rate_low", page, None)] = "warning"
    metrics = {
        p: (r2, cov)
        for p, r2, cov in con.sql(
            "select predictor, r2, interval_coverage from sendwise_marts.ml_revenue_model_metrics"
            " where metric_scope = 'overall'"
        ).fetchall()
    }
    gbm_r2, coverage = metrics["gbm"]
    if gbm_r2 < metrics["naive_page_hour_mean"][0]:
        out[("revenue_model_r2_below_baseline", None, "ml_revenue_model")] = "warning"
    nominal = s["gbm_quantile_high"] - s["gbm_quantile_low"]
    if round(abs(coverage - nominal), 6) > s["alert_coverage_tolerance"]:
        out[("revenue_model_coverage_drift", None, "ml_revenue_model")] = "warning"
    # the model's hold-out total against the actual one, from the scored sends themselves
    ratio = con.sql(
        "select sum(predicted_revenue) / nullif(sum(actual_revenue), 0) from sendwise_ml.ml_revenue_gbm_scores"
        " where score_kind = 'holdout'"
    ).fetchone()[0]
    limit = 1 + s["alert_revenue_total_tolerance"]
    if ratio is not None and (round(ratio, 6) > round(limit, 6) or round(ratio * limit, 6) < 1):
        out[("revenue_model_total_off", None, "ml_revenue_model")] = "warning"
    # freshness straight from the raw tables and the sources yml
    for schema, name, column, limits in source_freshness_rules():
        newest = con.sql(
            f"select max({column}) from {schema}.{name} where {column} <= ?", params=[AS_OF]
        ).fetchone()[0]
        age = None if newest is None else (AS_OF - newest).total_seconds() / 3600
        table = f"{schema}.{name}"
        if "error_after" in limits and (age is None or age > limits["error_after"]):
            out[("source_stale", None, table)] = "critical"
        elif "warn_after" in limits and (age is None or age > limits["warn_after"]):
            out[("source_stale", None, table)] = "warning"
    return out


def actual_alerts(con) -> dict[tuple, str]:
    return {
        (rule, page, subject): severity
        for rule, page, subject, severity in con.sql(
            "select rule_id, page_key, subject, severity from sendwise_ops.ops_alerts"
        ).fetchall()
    }


def _plant(db) -> dict[tuple, str]:
    con = duckdb.connect(str(db))
    try:
        # 1. a stale source: the promo outcomes stop arriving 5 days before as_of
        con.execute("update content.outcomes set collected_at = collected_at - interval 5 day")
        # 2. a vault-violating caption forced into one page's template: a library caption, unused in
        #    that page's week, whose category the page's vault does not hold
        page, plan_date, slot = con.sql(
            "select page_key, plan_date, slot_number from sendwise_marts.weekly_template_7d"
            " where message_type = 'PPV' order by page_key, plan_date, slot_number limit 1"
        ).fetchone()
        caption, category, caption_hash = con.sql(
            "select caption_id, content_category, caption_hash from sendwise_staging.stg_agency__caption_bank as bank"
            " where not exists (select 1 from sendwise_staging.stg_agency__vault_matrix as vault"
            "   where vault.page_key = ? and vault.content_category = bank.content_category and vault.is_available)"
            " and not exists (select 1 from sendwise_marts.weekly_template_7d as t"
            "   where t.page_key = ? and (t.caption_id = bank.caption_id or t.caption_hash = bank.caption_hash))"
            " and not exists (select 1 from sendwise_marts.weekly_template_7d as t"
            "   where t.page_key <> ? and t.caption_hash = bank.caption_hash)"
            " order by caption_id limit 1",
            params=[page, page, page],
        ).fetchone()
        con.execute(
            "update sendwise_marts.weekly_template_7d set caption_id = ?, content_category = ?, caption_hash = ?"
            " where page_key = ? and plan_date = ? and slot_number = ?",
            [caption, category, caption_hash, page, plan_date, slot],
        )
        # 3. a page whose EROS score was 15 points higher at the build a week earlier
        dropped, score = con.sql(
            "select page_key, eros_score from sendwise_marts.eros_score"
            " where is_active and eros_score is not null order by page_key desc limit 1"
        ).fetchone()
        con.execute(
            "insert into sendwise_ops.ops_eros_score_history (eros_history_key, recorded_for_as_of, page_key,"
            " eros_score) values ('planted', ?, ?, ?)",
            [AS_OF - timedelta(days=7), dropped, score + 15],
        )
    finally:
        con.close()
    return {
        ("source_stale", None, STALE_SOURCE): "critical",
        ("template_tier1_violation", page, "vault_violation"): "critical",
        ("eros_score_drop", dropped, None): "warning",
    }


@pytest.mark.e2e
def test_alerts_fire_for_planted_conditions_and_nothing_else(built_db, tmp_path):
    db = tmp_path / built_db.name  # same file name: the database's views name its catalog
    shutil.copy(built_db, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        baseline = actual_alerts(con)  # as `make dbt-test` built them
        assert baseline == expected_alerts(con), "the unplanted alerts must be exactly the true conditions"
    finally:
        con.close()

    planted = _plant(db)
    assert not set(planted) & set(baseline)
    target = tmp_path / "target"
    run = ["run", "--quiet", "--select", *ALERT_MODELS, "--vars", vars_arg({"as_of": DEFAULT_END})]
    run_dbt(run, duckdb_path=db, target_path=target, capture=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        after = actual_alerts(con)
        rows = {
            (r[0], r[1], r[2]): r[3:]
            for r in con.sql(
                "select rule_id, page_key, subject, observed, threshold, open_since, detail, look_at"
                " from sendwise_ops.ops_alerts"
            ).fetchall()
        }
        expected_now = expected_alerts(con)
    finally:
        con.close()
    assert after == baseline | planted, "exactly the planted alerts are new"
    assert expected_now == {k: v for k, v in after.items() if k[0] != "eros_score_drop"}
    observed, threshold, since, detail, look_at = rows[("source_stale", None, STALE_SOURCE)]
    assert observed > threshold == 72 and since == AS_OF and look_at == "ops_source_health_history"
    assert "collected_at" in detail and "error after 72 h" in detail
    drop_key = next(k for k in planted if k[0] == "eros_score_drop")
    observed, threshold, _, detail, _ = rows[drop_key]
    assert observed == pytest.approx(15) and threshold == 10 and "down 15.0 points" in detail
    vault_key = next(k for k in planted if k[0] == "template_tier1_violation")
    assert rows[vault_key][0] == 1 and rows[vault_key][4] == "weekly_template_qc_violations"

    # the critical-alert test: a warning by default (as compiled above), an error when the var asks
    manifest = json.loads((target / "manifest.json").read_text())
    (severity,) = [
        n["config"]["severity"]
        for n in manifest["nodes"].values()
        if n["name"] == "ops_alerts_no_critical_alerts"
    ]
    assert severity == "warn"
    paging = run_dbt(
        [
            "test",
            "--quiet",
            "--select",
            "ops_alerts_no_critical_alerts",
            "--vars",
            vars_arg({"as_of": DEFAULT_END, "fail_on_critical_alerts": True}),
        ],
        duckdb_path=db,
        target_path=target,
        capture=True,
        check=False,
    )
    assert paging.returncode != 0 and "ops_alerts_no_critical_alerts" in paging.stdout
