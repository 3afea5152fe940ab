"""What the pages show, computed from the marts: plain functions of a `Reader` returning pandas
frames and numbers, so pytest can check them without Streamlit.

Headline figures follow the metric definitions of models/marts/metrics/_metrics__models.yml
(revenue = sum of revenue, revenue per send = revenue / sends, purchase rate = PPV purchases / PPV
recipients, plan execution rate = executed / planned slots, EROS = mean score); the pytest
pytests/dashboard/test_metrics.py checks that MetricFlow returns the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from sendwise.dashboard import marts
from sendwise.dashboard.similar import similar_fans_sql, sql_literal

HEADLINE_WINDOW_DAYS = 28


class MissingMart(LookupError):
    """A required mart is not built."""


@dataclass
class Reader:
    """Reads marts from a warehouse through an optional cache: cache(key, version, sql) -> frame."""

    warehouse: object
    cache: Callable[[str, str, str], pd.DataFrame] | None = None

    @property
    def engine(self) -> str:
        return self.warehouse.engine

    def sql(self, sql: str) -> pd.DataFrame:
        if self.cache is None:
            return self.warehouse.query(sql)
        return self.cache(self.warehouse.key, self.warehouse.version(), sql)

    def relation(self, name: str) -> str | None:
        return self.warehouse.relation(name)

    def has(self, name: str) -> bool:
        return self.relation(name) is not None

    def mart(
        self,
        name: str,
        only: list[str] | None = None,
        where: str | None = None,
        order_by: str | None = None,
    ) -> pd.DataFrame:
        relation = self.relation(name)
        if relation is None:
            raise MissingMart(f"table {name} is not built: run `make demo` (dbt build)")
        return self.sql(marts.select_sql(relation, marts.columns(name, only), where, order_by))


# ---- header ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """The build stamp of the marts a page reads (macro build_stamp): the oldest as_of and built_at,
    so a mart a failed build left behind shows; `older` names the marts whose as_of is older than
    the newest one (they come from an earlier build)."""

    as_of: pd.Timestamp
    built_at: pd.Timestamp
    marts: int
    older: tuple[str, ...] = ()


def build_stamp(reader: Reader, names: Iterable[str]) -> Stamp | None:
    """The stamp of the built marts among `names` that carry one (marts.ROW_STAMPED left out),
    in one query; None when none does (an older build: the header falls back to data_as_of and
    built_at)."""
    stamped = [
        name
        for name in dict.fromkeys(names)
        if name not in marts.ROW_STAMPED
        and reader.has(name)
        and set(marts.STAMP_COLUMNS) <= set(reader.warehouse.columns(name))
    ]
    if not stamped:
        return None
    sql = "\nunion all\n".join(
        f"select '{name}' as mart, cast(max(as_of) as timestamp) as as_of,"
        f" cast(max(built_at) as timestamp) as built_at from {reader.relation(name)}"
        for name in stamped
    )
    frame = reader.sql(sql).dropna()
    if frame.empty:
        return None
    as_of = pd.to_datetime(frame["as_of"])
    older = tuple(sorted(frame.loc[as_of < as_of.max(), "mart"]))
    return Stamp(
        pd.Timestamp(as_of.min()), pd.Timestamp(pd.to_datetime(frame["built_at"]).min()), len(frame), older
    )


def data_as_of(reader: Reader) -> pd.Timestamp | None:
    """The data's as_of: the first of marts.AS_OF_SOURCES whose column exists."""
    for mart, column in marts.AS_OF_SOURCES:
        if column in reader.warehouse.columns(mart):
            value = reader.sql(f"select max({column}) as as_of from {reader.relation(mart)}")["as_of"].iloc[0]
            if pd.notna(value):
                return pd.Timestamp(value)
    return None


def built_at(reader: Reader) -> pd.Timestamp | None:
    """The build time: a built_at column of the ops marts when present, else the warehouse's own
    (the DuckDB file's modification time, BigQuery's table modification time)."""
    for mart, column in marts.BUILT_AT_SOURCES:
        if column in reader.warehouse.columns(mart):
            value = reader.sql(f"select max({column}) as built_at from {reader.relation(mart)}")[
                "built_at"
            ].iloc[0]
            if pd.notna(value):
                return pd.Timestamp(value)
    value = reader.warehouse.built_at()
    return None if value is None else pd.Timestamp(value)


# ---- weekly schedule ---------------------------------------------------------------------------


def schedule(reader: Reader) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(sends, days, violations): the sends of the current weekly template and of every earlier
    week kept in weekly_plan_history (column generated_for_as_of tells them apart); the days and
    QC rows of the current week (only the current week has them)."""
    order = "page_key, plan_date, send_local_at, slot_number"
    sends = reader.mart("weekly_template_7d", order_by=order)
    if reader.has("weekly_plan_history"):
        history = reader.mart("weekly_plan_history", order_by=order)
        earlier = history[~history["generated_for_as_of"].isin(set(sends["generated_for_as_of"]))]
        if not earlier.empty:
            sends = pd.concat([sends, earlier], ignore_index=True)
    days = reader.mart("weekly_template_days", order_by="page_key, plan_date")
    violations = reader.mart("weekly_template_qc_violations", order_by="page_key, plan_date, slot_number")
    return sends, days, violations


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (the export's pure functions expect that)."""
    return [
        {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def page_statuses(sends: pd.DataFrame, days: pd.DataFrame, violations: pd.DataFrame) -> pd.DataFrame:
    """Per page: sends, expected weekly revenue, tier-1/2/3 QC rows and the export's status line."""
    from sendwise.commands.export_schedule import page_status

    def by_page(frame: pd.DataFrame) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for row in records(frame):
            grouped.setdefault(row["page_key"], []).append(row)
        return grouped

    sends_by, days_by, violations_by = by_page(sends), by_page(days), by_page(violations)
    rows = []
    for page in sorted(set(sends_by) | set(days_by) | set(violations_by)):
        page_sends, page_violations = sends_by.get(page, []), violations_by.get(page, [])
        tiers = [v["tier"] for v in page_violations]
        rows.append(
            {
                "page_key": page,
                "page_name": next((s["page_name"] for s in page_sends if s.get("page_name")), page),
                "sends": len(page_sends),
                "expected_revenue": float(sum(s["expected_revenue"] or 0.0 for s in page_sends)),
                "tier1": tiers.count(1),
                "tier2": tiers.count(2),
                "tier3": tiers.count(3),
                "status": page_status(page_sends, days_by.get(page, []), page_violations),
            }
        )
    return pd.DataFrame(rows)


def schedule_calendar(sends: pd.DataFrame, violations: pd.DataFrame, caption_chars: int = 28) -> pd.DataFrame:
    """One page's week as a calendar: a column per day ('Mon 11-16'), a row per send in the day's
    time order; each cell 'time price → expected (confidence) caption…' ('01:14 +1d' for a send
    after midnight of a window past midnight: it goes out on the next date), and the QC rows of that
    slot marked '⚠ tier n rule'."""
    if sends.empty:
        return pd.DataFrame()
    from sendwise.commands.export_schedule import send_day
    from sendwise.dashboard.ui import money

    marks: dict[tuple, list[str]] = {}
    for v in records(violations):
        if v.get("slot_number") is not None:
            marks.setdefault((str(pd.Timestamp(v["plan_date"]).date()), int(v["slot_number"])), []).append(
                f"⚠ tier {int(v['tier'])} {v['rule_id']}"
            )
    columns: dict[str, list[str]] = {}
    ordered = sends.sort_values(["plan_date", "send_local_at", "slot_number"])
    for (plan_date, day_name), day in ordered.groupby(["plan_date", "day_name"], sort=True):
        cells = []
        for send in records(day):
            caption = str(send.get("caption_text") or "")
            caption = caption if len(caption) <= caption_chars else caption[: caption_chars - 1] + "…"
            confidence = "" if send["confidence"] is None else f" ({float(send['confidence']):.2f})"
            flags = marks.get((str(pd.Timestamp(plan_date).date()), int(send["slot_number"])), [])
            later = send_day(send)[2]
            when = f"{send['send_time_local']} +{later}d" if later else str(send["send_time_local"])
            cells.append(
                " ".join(
                    [
                        f"{when} {money(send['price'])} → {money(send['expected_revenue'])}{confidence}",
                        *flags,
                        caption,
                    ]
                )
            )
        columns[f"{str(day_name)[:3]} {pd.Timestamp(plan_date):%m-%d}"] = cells
    depth = max(len(c) for c in columns.values())
    return pd.DataFrame(
        {k: v + [""] * (depth - len(v)) for k, v in columns.items()}, index=range(1, depth + 1)
    )


def schedule_csv(sends: pd.DataFrame) -> str:
    """The operators' CSV of the given sends (export-schedule's own format)."""
    from sendwise.commands.export_schedule import schedule_csv as export_csv
    from sendwise.commands.export_schedule import sort_sends

    rows = records(sends)
    for row in rows:  # pandas reads DATE columns as timestamps; the export writes dates
        row["plan_date"] = pd.Timestamp(row["plan_date"]).date()
    return export_csv(sort_sends(rows))


# ---- caption ranking board ---------------------------------------------------------------------


def ranking_board(reader: Reader) -> pd.DataFrame:
    """The top 3 captions of every slot of the next 24 page-local hours, with caption text."""
    top = reader.mart("caption_rankings_top3", order_by="page_key, slot_local_at, rn")
    if top.empty:
        return top.assign(caption_text=pd.Series(dtype="object"))
    ids = ", ".join(sql_literal(str(i), reader.engine) for i in sorted(top["caption_id"].dropna().unique()))
    texts = reader.mart("stg_agency__caption_bank", where=f"caption_id in ({ids})") if ids else None
    if texts is not None and not texts.empty:
        top = top.merge(texts.drop_duplicates("caption_id"), on="caption_id", how="left")
    else:
        top["caption_text"] = None
    return top


# ---- creator scorecard -------------------------------------------------------------------------


def scorecard(reader: Reader) -> pd.DataFrame:
    """creator_performance beside eros_score, one row per page."""
    performance = reader.mart("creator_performance")
    eros = reader.mart("eros_score").drop(columns=["computed_at"])
    return performance.merge(eros, on="page_key", how="left").sort_values("page_key").reset_index(drop=True)


def headline_window(as_of: pd.Timestamp, days: int = HEADLINE_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """[start, end): the `days` page-local dates before as_of's date."""
    end = pd.Timestamp(as_of).date()
    return end - dt.timedelta(days=days), end


def headline(daily: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, float | None]:
    """Sends, revenue, revenue per send and purchase rate over local dates [start, end) - the
    metrics sends, revenue, revenue_per_send and purchase_rate of the semantic layer."""
    dates = pd.to_datetime(daily["local_date"]).dt.date
    window = daily[(dates >= start) & (dates < end)]
    sends = float(window["sends"].sum())
    revenue = float(window["revenue"].sum())
    recipients = float(window["ppv_recipients"].sum())
    return {
        "sends": sends,
        "revenue": revenue,
        "revenue_per_send": revenue / sends if sends else None,
        "purchase_rate": float(window["ppv_purchases"].sum()) / recipients if recipients else None,
    }


def eros_headline(eros: pd.DataFrame) -> dict[str, float | None]:
    """Mean EROS score over scored pages and the pooled plan execution rate (metrics eros_score
    and plan_execution_rate)."""
    scored = eros["eros_score"].dropna()
    planned = float(eros["planned_slots"].fillna(0).sum())
    return {
        "eros_score": float(scored.mean()) if len(scored) else None,
        "plan_execution_rate": float(eros["executed_slots"].fillna(0).sum()) / planned if planned else None,
    }


def weekly_trend(daily: pd.DataFrame) -> pd.DataFrame:
    """Per ISO week (Monday) of page-local dates: sends, revenue, planned sends, expected revenue."""
    frame = daily.assign(week=pd.to_datetime(daily["local_date"]).dt.to_period("W-SUN").dt.start_time)
    return (
        frame.groupby("week", as_index=False)
        .agg(
            sends=("sends", "sum"),
            revenue=("revenue", "sum"),
            planned_sends=("planned_sends", "sum"),
            expected_revenue=("expected_revenue", "sum"),
        )
        .sort_values("week")
    )


# ---- learning audit ----------------------------------------------------------------------------


def learning(reader: Reader) -> dict[str, pd.DataFrame]:
    return {
        "weights": reader.mart("page_personalization_weights", order_by="page_key"),
        "knobs": reader.mart("page_knobs", order_by="page_key"),
        "knob_changes": reader.mart("learning_changelog", order_by="computed_at desc, page_key, knob"),
        "weight_changes": reader.mart(
            "personalization_weights_changelog", order_by="computed_at desc, page_key, weight_name"
        ),
    }


def changes_since(changes: pd.DataFrame, as_of: pd.Timestamp, days: int = 7) -> pd.DataFrame:
    """Changelog rows computed in the `days` before as_of (inclusive of as_of)."""
    when = pd.to_datetime(changes["computed_at"])
    return changes[(when > pd.Timestamp(as_of) - pd.Timedelta(days=days)) & (when <= pd.Timestamp(as_of))]


# ---- revenue model quality ---------------------------------------------------------------------


def model_quality(reader: Reader) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics per predictor and scope, hold-out sends with actual and predicted revenue)."""
    metrics = reader.mart("ml_revenue_model_metrics", order_by="metric_scope, page_key, predictor")
    holdout = reader.mart("ml_revenue_gbm_scores", where="score_kind = 'holdout'", order_by="row_key")
    return metrics, holdout


def nominal_coverage(reader: Reader) -> float | None:
    """The interval's nominal coverage: gbm_quantile_high - gbm_quantile_low (settings)."""
    settings = reader.mart(
        "settings_modeling", where="setting_name in ('gbm_quantile_low', 'gbm_quantile_high')"
    )
    values = dict(zip(settings["setting_name"], settings["setting_value"].astype(float), strict=True))
    if {"gbm_quantile_low", "gbm_quantile_high"} <= set(values):
        return values["gbm_quantile_high"] - values["gbm_quantile_low"]
    return None


def holdout_coverage(holdout: pd.DataFrame) -> float | None:
    """Share of hold-out sends whose actual revenue lies inside the interval."""
    if holdout.empty:
        return None
    inside = (holdout["actual_revenue"] >= holdout["predicted_revenue_low"]) & (
        holdout["actual_revenue"] <= holdout["predicted_revenue_high"]
    )
    return float(inside.mean())


# ---- fans --------------------------------------------------------------------------------------


def fans(reader: Reader) -> dict[str, pd.DataFrame | None]:
    """The Fans page's frames; the message-timing and cross-sell marts (marts.FAN_ACTION_MARTS:
    windows, timing, cross_sell) are None when not built, and the page shows its other sections."""

    def optional(name: str, order_by: str) -> pd.DataFrame | None:
        return reader.mart(name, order_by=order_by) if reader.has(name) else None

    return {
        "metrics": reader.mart("fan_cluster_metrics", order_by="method"),
        "summary": reader.mart("fan_cluster_summary", order_by="method, cluster_id"),
        "points": reader.mart("fan_clusters", order_by="method, fan_model_key"),
        "pairs": reader.mart("fan_model_pairs", order_by="fan_model_key"),
        "predictions": reader.mart(
            "fan_predictions", where="split = 'score'", order_by="task, probability desc, fan_model_key"
        ),
        "prediction_metrics": reader.mart("fan_prediction_metrics", order_by="task, split, model_name"),
        "windows": optional("fan_message_windows", "fan_model_key"),
        "timing": optional("fan_timing_evaluation", "comparison"),
        "cross_sell": optional(
            "fan_cross_sell", "value_per_introduction desc, fan_model_key, candidate_rank"
        ),
    }


def at_risk(predictions: pd.DataFrame, pairs: pd.DataFrame, task: str, n: int = 20) -> pd.DataFrame:
    """The n pairs with the highest current probability for `task` (churn or purchase)."""
    rows = predictions[predictions["task"] == task].sort_values(
        ["probability", "fan_model_key"], ascending=[False, True]
    )
    return rows.head(n).merge(pairs, on="fan_model_key", how="left")


def hour_window(start, end) -> str:
    """Page-local hours from `start` to `end`, the last hour inside the window, as '21:00-23:59';
    it wraps midnight: start 22, end 0 -> '22:00-00:59'. '' when either is missing."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return ""
    start, end = int(start), int(end)
    if not (0 <= start <= 23 and 0 <= end <= 23):
        raise ValueError(f"hours are 0-23: {start}, {end}")
    return f"{start:02d}:00-{end:02d}:59"


def message_windows(windows: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The message windows of `pairs` (fan_model_pairs rows: one page's or all), highest revenue
    first: the fan's window and the creator's as readable hours, their response rates and the
    messages the fan's window is fitted on. The creator's window is as wide as the fan's (both
    fan_timing_window_hours), so it ends that many hours - 1 after its start."""
    rows = pairs[["fan_model_key", "revenue"]].merge(windows, on="fan_model_key", how="inner")
    rows = rows.sort_values(["revenue", "fan_model_key"], ascending=[False, True], ignore_index=True)
    width = (rows["window_end_hour"] - rows["window_start_hour"]) % 24 + 1
    creator_end = (rows["creator_window_start_hour"] + width - 1) % 24
    return pd.DataFrame(
        {
            "fan_model_key": rows["fan_model_key"],
            "page_key": rows["page_key"],
            "segment": rows["segment"],
            "fan_window": [
                hour_window(s, e)
                for s, e in zip(rows["window_start_hour"], rows["window_end_hour"], strict=True)
            ],
            "window_rate": rows["window_rate"],
            "fit_messages": rows["fit_messages"],
            "creator_window": [
                hour_window(s, e) for s, e in zip(rows["creator_window_start_hour"], creator_end, strict=True)
            ],
            "creator_window_rate": rows["creator_window_rate"],
            "revenue": rows["revenue"],
        }
    )


def introductions(cross_sell: pd.DataFrame, page_key: str | None = None) -> pd.DataFrame:
    """fan_cross_sell rows of the fans of `page_key` (every page's when None), highest value per
    introduction first."""
    rows = cross_sell if page_key is None else cross_sell[cross_sell["page_key"] == page_key]
    return rows.sort_values(
        ["value_per_introduction", "fan_model_key", "candidate_rank"],
        ascending=[False, True, True],
        ignore_index=True,
    )


def timing_holdout_days(reader: Reader) -> float | None:
    """The timing back-test's held-out days (setting fan_timing_holdout_days), or None."""
    settings = reader.mart("settings_modeling", where="setting_name = 'fan_timing_holdout_days'")
    return None if settings.empty else float(settings["setting_value"].iloc[0])


def similar_fans(reader: Reader, fan_model_key: str, k: int = 10, method: str = "B") -> pd.DataFrame:
    return reader.sql(similar_fans_sql(reader.engine, reader.relation, fan_model_key, k=k, method=method))


def playbook_markdown(reader: Reader, method: str) -> str | None:
    """sendwise fan-report's playbook (DuckDB only: it reads the chat messages), or None."""
    if reader.engine != "duckdb":
        return None
    import duckdb

    from sendwise.commands.fan_report import load_metrics, load_playbooks, report_relations, write_playbook

    con = duckdb.connect(str(reader.warehouse.path), read_only=True)
    try:
        relations = report_relations(con, reader.warehouse.path)  # the schemas the profile built
        metrics = load_metrics(con, relations)
        playbooks, _ = load_playbooks(con, method, relations)
    finally:
        con.close()
    return write_playbook(playbooks, method, metrics)


# ---- promo content -----------------------------------------------------------------------------


def content(reader: Reader) -> dict[str, pd.DataFrame]:
    return {
        "arms": reader.mart("content_next_post_recommendation", order_by="scope, rank_in_scope, arm_name"),
        "models": reader.mart("content_model_metrics", order_by="model_name, record_type, term"),
    }


# ---- data quality ------------------------------------------------------------------------------


def data_quality(reader: Reader) -> dict[str, pd.DataFrame]:
    relation = reader.relation("rejected_rows")
    if relation is None:
        raise MissingMart("table rejected_rows is not built: run `make demo` (dbt build)")
    spec = marts.columns("rejected_rows")
    by_reason = reader.sql(
        f"select {spec['source_table']} as source_table, {spec['rejection_reason']} as rejection_reason,"
        f" count(*) as rejected_rows from {relation} group by 1, 2 order by 3 desc, 1, 2"
    )
    return {
        "reconciliation": reader.mart("quarantine_reconciliation", order_by="source_table"),
        "by_reason": by_reason,
        "pages": reader.mart("data_quality_by_page", order_by="data_quality_score, page_key"),
    }


# ---- strategic report -------------------------------------------------------------------------


def strategy_report(reader: Reader, page_key: str) -> str | None:
    """The page's strategic report (markdown) from page_strategy_reports, or None when the mart or
    the page's row does not exist."""
    relation = reader.relation("page_strategy_reports")
    if relation is None:
        return None
    frame = reader.sql(
        f"select report_markdown from {relation} where page_key = {sql_literal(page_key, reader.engine)}"
    )
    return None if frame.empty else str(frame["report_markdown"].iloc[0])


# ---- ops alerts --------------------------------------------------------------------------------


def ops_alerts(reader: Reader) -> pd.DataFrame | None:
    """Every column of ops_alerts, or None when the mart does not exist yet."""
    relation = reader.relation("ops_alerts")
    if relation is None:
        return None
    return reader.sql(f"select * from {relation}")
