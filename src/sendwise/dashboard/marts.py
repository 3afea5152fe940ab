"""Every mart column the dashboard reads, by mart: {name the pages use: column (SQL expression)}.

The pages only ever see the names on the left. When a model renames a column, change the right-hand
side here and nothing else. `select_sql` builds the query; the SQL is the same on DuckDB and
BigQuery apart from the relation name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


# The columns of the export (src/sendwise/commands/export_schedule.py reads them by these names).
_TEMPLATE_COLUMNS = (
    "template_slot_key",
    "generated_for_as_of",
    "page_key",
    "page_name",
    "plan_date",
    "day_index",
    "day_name",
    "slot_number",
    "send_local_at",
    "send_time_local",
    "local_hour",
    "message_type",
    "price",
    "caption_id",
    "caption_text",
    "content_category",
    "expected_revenue",
    "expected_revenue_low",
    "expected_revenue_high",
    "confidence",
    "is_prime_hour",
    "strategy_note",
)

MARTS: dict[str, dict[str, str]] = {
    # weekly schedule
    "weekly_template_7d": _same(*_TEMPLATE_COLUMNS),
    "weekly_template_days": _same(
        "page_key",
        "plan_date",
        "day_index",
        "daily_quota",
        "fit_sends",
        "planned_sends",
        "shortfall",
        "shortfall_reason",
        "is_schedulable",
    ),
    "weekly_template_qc_violations": _same(
        "violation_key",
        "rule_id",
        "tier",
        "page_key",
        "plan_date",
        "slot_number",
        "observed",
        "limit_value",
        "detail",
    ),
    # caption ranking board
    "caption_rankings_top3": _same(
        "page_key",
        "slot_local_at",
        "slot_local_date",
        "slot_local_hour",
        "is_in_active_window",
        "caption_id",
        "content_category",
        "ranking_policy",
        "slot_price",
        "p_buy_eb",
        "se_bonus",
        "rps_eb_price",
        "style_score",
        "penalty_same_day",
        "penalty_cross_page",
        "score_final",
        "rn",
        "computed_at",
    ),
    "stg_agency__caption_bank": _same("caption_id", "caption_text"),
    # creator scorecard
    "creator_performance": _same(
        "page_key",
        "page_name",
        "is_active",
        "creator_tier",
        "decayed_avg_daily_revenue",
        "health_status",
        "health_change_pct",
        "saturation_status",
        "saturation_unjudged_reason",
        "volume_elasticity",
        "prime_hours",
        "price_mode",
        "optimal_price_min",
        "optimal_price_max",
        "data_quality_score",
        "confidence",
        "computed_at",
    ),
    "eros_score": _same(
        "page_key",
        "eros_score",
        "eros_label",
        "rps_component",
        "conversion_component",
        "execution_component",
        "diversity_component",
        "score_basis",
        "revenue_per_send",
        "conversion_rate",
        "execution_rate",
        "planned_slots",
        "executed_slots",
        "sends_in_window",
        "computed_at",
    ),
    "page_daily_performance": _same(
        "page_key",
        "local_date",
        "sends",
        "ppv_sends",
        "ppv_recipients",
        "ppv_purchases",
        "revenue",
        "has_plan",
        "planned_sends",
        "expected_revenue",
        "computed_at",
    ),
    # every past week's plan (the same columns as the template)
    "weekly_plan_history": _same(*_TEMPLATE_COLUMNS),
    # learning audit
    "page_personalization_weights": _same(
        "page_key",
        "weight_volume",
        "weight_price",
        "weight_hours",
        "exploration_rate",
        "weights_basis",
        "is_history_sufficient",
        "computed_at",
    ),
    "page_knobs": _same(
        "page_key",
        "quota_nudge",
        "hour_pool_nudge",
        "price_mode_bias",
        "confidence",
        "reason",
        "learning_gate",
        "steps_taken",
        "state_changed_at",
        "computed_at",
    ),
    "learning_changelog": _same(
        "learning_change_id", "page_key", "knob", "old_value", "new_value", "delta", "reason", "computed_at"
    ),
    "personalization_weights_changelog": _same(
        "weight_change_id",
        "page_key",
        "weight_name",
        "old_value",
        "new_value",
        "delta",
        "reason",
        "computed_at",
        "previous_computed_at",
    ),
    # revenue model quality
    "ml_revenue_model_metrics": _same(
        "predictor",
        "metric_scope",
        "page_key",
        "holdout_sends",
        "mean_actual_revenue",
        "predicted_to_actual",
        "r2",
        "mae",
        "mape",
        "interval_coverage",
        "model_version",
        "train_sends",
    ),
    "ml_revenue_gbm_scores": _same(
        "score_kind",
        "row_key",
        "page_key",
        "actual_revenue",
        "predicted_revenue",
        "predicted_revenue_low",
        "predicted_revenue_high",
        "baseline_revenue",
        "train_last_sent_at",
    ),
    # fans
    "fan_clusters": _same("fan_model_key", "method", "cluster_id", "plot_x", "plot_y"),
    "fan_cluster_summary": _same(
        "method",
        "cluster_id",
        "cluster_name",
        "spend_tier",
        "pairs",
        "revenue",
        "revenue_per_pair",
        "purchase_rate",
        "buyer_share",
        "active_share",
        "top_terms",
    ),
    "fan_cluster_metrics": _same(
        "method", "cluster_k", "silhouette", "davies_bouldin", "revenue_eta_squared", "k_scanned_as_of"
    ),
    "fan_model_pairs": _same(
        "fan_model_key",
        "fan_id",
        "page_key",
        "model_name",
        "purchases",
        "revenue",
        "is_active",
        "days_since_last_message",
    ),
    "fan_predictions": _same("task", "split", "fan_model_key", "probability", "baseline_probability"),
    "fan_prediction_metrics": _same(
        "task", "split", "model_name", "rows", "auc", "accuracy", "brier", "fitted_as_of"
    ),
    "fan_message_windows": _same(
        "fan_model_key",
        "page_key",
        "segment",
        "fit_messages",
        "window_start_hour",
        "window_end_hour",
        "window_rate",
        "creator_window_start_hour",
        "creator_window_rate",
    ),
    "fan_timing_evaluation": _same(
        "comparison",
        "pairs",
        "messages_a",
        "responses_a",
        "rate_a",
        "messages_b",
        "responses_b",
        "rate_b",
        "lift",
        "lift_ci_low",
        "lift_ci_high",
    ),
    "fan_cross_sell": _same(
        "cross_sell_id",
        "fan_model_key",
        "page_key",
        "candidate_page_key",
        "similar_fans",
        "mean_similarity",
        "value_per_introduction",
        "value_ci_low",
        "value_ci_high",
        "candidate_rank",
    ),
    # promo content
    "content_next_post_recommendation": _same(
        "scope",
        "arm_name",
        "content_type",
        "posting_hour",
        "successes",
        "failures",
        "n_outcomes",
        "alpha",
        "beta",
        "posterior_mean",
        "mean_engagement_rate",
        "thompson_draw",
        "ucb_score",
        "is_untried",
        "rank_in_scope",
        "is_recommended",
        "as_of",
    ),
    "content_model_metrics": _same(
        "model_name",
        "record_type",
        "term",
        "model_value",
        "baseline_value",
        "beats_baseline",
        "fit_status",
        "target",
        "baseline_description",
    ),
    # parameters (the settings seed)
    "settings_modeling": _same("setting_name", "setting_value"),
    # data quality
    "quarantine_reconciliation": _same(
        "source_table", "raw_rows", "clean_rows", "rejected_rows", "is_reconciled"
    ),
    "rejected_rows": _same("source_table", "rejection_reason"),
    "data_quality_by_page": _same(
        "page_key",
        "data_quality_score",
        "completeness",
        "validity",
        "freshness",
        "sample_size",
        "is_schedulable",
        "blocking_reason",
        "raw_rows",
        "rejected_rows",
        "computed_at",
    ),
}

# The Fans page's message-timing and cross-sell marts (issue 19): the page shows its other sections
# without them (a build from before them, or a warehouse they are not deployed to yet).
FAN_ACTION_MARTS = ("fan_message_windows", "fan_timing_evaluation", "fan_cross_sell")
# Marts the dashboard shows when they exist but does not require (built by later work).
OPTIONAL_MARTS = ("ops_alerts", *FAN_ACTION_MARTS)
# The build's stamp (macro build_stamp) on every mart an exposure reads: the header shows, per page,
# the oldest as_of and built_at of the marts the page's exposures read (queries.build_stamp).
STAMP_COLUMNS = ("as_of", "built_at")
# Incremental marts whose rows keep the stamp of the build that wrote them: a build that adds no row
# leaves their newest stamp older, so the header does not read their stamp.
ROW_STAMPED = ("content_bandit_arms", "personalization_weights_changelog", "weekly_plan_history")

# Before the stamp (an older build): columns that carry the data's as_of or the build time, looked
# for in these marts (first found wins).
AS_OF_SOURCES = (
    ("data_quality_by_page", "as_of"),
    ("creator_performance", "computed_at"),
    ("weekly_template_7d", "generated_for_as_of"),
)
BUILT_AT_SOURCES = (("data_quality_by_page", "built_at"), ("rejected_rows", "built_at"))


def columns(mart: str, only: Iterable[str] | None = None) -> dict[str, str]:
    spec = MARTS[mart]
    if only is None:
        return dict(spec)
    missing = [name for name in only if name not in spec]
    if missing:
        raise KeyError(f"{mart}: no column(s) {missing} in sendwise.dashboard.marts.MARTS")
    return {name: spec[name] for name in only}


def select_sql(
    relation: str,
    mapping: Mapping[str, str],
    where: str | None = None,
    order_by: str | None = None,
) -> str:
    """select <column> as <name>, ... from <relation> [where ...] [order by ...]: `where` and
    `order_by` use the mart's own column names (portable SQL only)."""
    select_list = ",\n    ".join(
        expr if expr == name else f"{expr} as {name}" for name, expr in mapping.items()
    )
    sql = f"select\n    {select_list}\nfrom {relation}"
    if where:
        sql += f"\nwhere {where}"
    if order_by:
        sql += f"\norder by {order_by}"
    return sql
