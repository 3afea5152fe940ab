"""Calibration figures of a generated demo world, each beside its target range and the range's source.

`measure(con)` reads a database written by `sendwise demo-data` (raw tables and `ground_truth`) and
returns one `Figure` per row of the report (`sendwise demo-data --report`). Figures are computed the
way the project's models see the data where a model exists (the creator tier as
`int_page_performance_state` computes it, the quota as `int_template_daily_quota` and
`int_template_send_slots` do with the shipped seeds), and simply beside it. docs/demo_world.md
explains every figure and its source.
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sendwise.paths import PROJECT_ROOT

TIERS: tuple[tuple[str, float], ...] = (("ULTRA", 150.0), ("LARGE", 75.0), ("MID", 30.0), ("SMALL", 0.0))
TIER_WINDOW_DAYS = 90.0
TIER_HALF_LIFE_DAYS = 30.0

SOURCES: dict[str, str] = {
    "tiers": "earlier system (EROS Max v2): tiers at $150 / $75 / $30 a day; issue 14: each tier 10-40 % of pages",
    "rps": "earlier system (EROS Max v2): baseline $12.50 revenue per send; issue 14: mean $8-$30",
    "rps_skew": "issue 14: the median PPV send earns less than the mean",
    "conversion": "earlier system (EROS Max v2): baseline conversion 8.5 %; issue 14: 5-12 %",
    "view": "issue 14: viewed / sent 20-60 %",
    "shortfall": "issue 14: SHORTFALL at most 10 % of page-weeks (seeds/tier_policies.csv, min_gap_hours)",
    "noise": "issue 14: the truth's expected revenue explains at most 70 % of per-send variance",
    "onboard": "issue 14: at least one page onboarded in the last 21 days",
    "cold_captions": "issue 14: at as_of at least 10 % of a page's eligible pool has no history",
    "weekly_captions": "issue 14: new captions arrive every week",
    "fatigue": "issue 14: caption fatigue with reuse (conversion of repeats / first uses < 1)",
    "trend": "issue 14: page trends (growing and declining pages both present)",
    "holiday": "issue 17: a holiday in the planned week (2026-11-15..21 at the demo's as_of)",
    "near_dups": "issue 14: planted near-duplicates made by at least four kinds of edit",
    "promo_gap": "issue 14: the best promo arm succeeds 0.03-0.10 more often than the second",
    "multi_model": "fan analytics assessment: 32-34 % of fans talk to several models in a 7-day log",
    "segments": "issue 14: fan segments not trivially separable from their phrases",
    "timing": "fan analytics assessment: a timing model should lift response rate 20 %+",
    "purchase_signal": "issue 19: purchases depend on latent traits the early messages show only partly",
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None
    lo: float | None  # inclusive bounds; None = open
    hi: float | None
    source: str  # key of SOURCES
    unit: str = "num"  # num, pct, usd, int

    @property
    def ok(self) -> bool | None:
        if self.lo is None and self.hi is None:
            return None
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return False
        return (self.lo is None or self.value >= self.lo) and (self.hi is None or self.value <= self.hi)

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok, "source_text": SOURCES[self.source]}


def _q(con, sql: str) -> pd.DataFrame:
    con.execute("set enable_progress_bar = false")
    return con.sql(sql).df()


def meta(con) -> dict:
    row = _q(con, "select scale, seed, end_at, days from ground_truth.generation_meta").iloc[0]
    return {
        "scale": row["scale"],
        "seed": int(row["seed"]),
        "end_at": str(row["end_at"]),
        "days": int(row["days"]),
    }


# ------------------------------------------------------------------------------------------- tiers
def page_daily_revenue(con) -> pd.DataFrame:
    """Per real page: the decayed average daily revenue (as int_page_performance_state) and the plain
    mean daily revenue of the last 90 days (revenue / days the page existed in them)."""
    return _q(
        con,
        f"""
        with meta as (select end_at from ground_truth.generation_meta),
        s as (
            select page_key, earnings, date_diff('second', sending_time, meta.end_at) / 86400.0 as age
            from ground_truth.sends, meta
            where sending_time < meta.end_at
        ),
        agg as (
            select
                page_key,
                max(age) as first_age,
                sum(case when age < {TIER_WINDOW_DAYS} then earnings * power(0.5, age / {TIER_HALF_LIFE_DAYS})
                    else 0 end) as decayed,
                sum(case when age < {TIER_WINDOW_DAYS} then earnings else 0 end) as plain
            from s group by 1
        )
        select
            p.page_key, p.is_active,
            coalesce(agg.decayed, 0) as decayed, coalesce(agg.plain, 0) as plain,
            least(greatest(coalesce(agg.first_age, 0), 0), {TIER_WINDOW_DAYS}) as span
        from ground_truth.pages p left join agg using (page_key)
        order by p.page_key
        """,
    )


def tier_of(revenue: np.ndarray) -> np.ndarray:
    r = np.round(np.asarray(revenue, dtype=float), 2)
    return np.select([r >= t for _, t in TIERS[:-1]], [n for n, _ in TIERS[:-1]], "SMALL")


def tiers(con) -> pd.DataFrame:
    df = page_daily_revenue(con)
    h = TIER_HALF_LIFE_DAYS
    den = h / np.log(2) * (1 - 0.5 ** (df["span"] / h))
    df["decayed_daily"] = np.where(den > 0, df["decayed"] / den.where(den > 0, 1.0), 0.0)
    df["plain_daily"] = np.where(df["span"] > 0, df["plain"] / df["span"].where(df["span"] > 0, 1.0), 0.0)
    df["tier"] = tier_of(df["decayed_daily"])
    df["tier_plain"] = tier_of(df["plain_daily"])
    return df


def tier_figures(con) -> list[Figure]:
    df = tiers(con)
    kinds = (("tier", "", "decayed, as the model"), ("tier_plain", "_plain", "plain 90-day mean"))
    return [
        Figure(f"tier_share_{name.lower()}{suffix}", f"pages in {name} ({how})", float((df[col] == name).mean()),
               0.10, 0.40, "tiers", "pct")
        for col, suffix, how in kinds
        for name, _ in TIERS
    ]  # fmt: skip


# -------------------------------------------------------------------------------------------- sends
def send_figures(con) -> list[Figure]:
    ppv = _q(
        con,
        "select earnings, expected_revenue, sent_count, viewed_count, purchased_count"
        " from ground_truth.sends where message_type = 'ppv'",
    )
    earn = ppv["earnings"].to_numpy()
    mean, median = float(earn.mean()), float(np.median(earn))
    resid = earn - ppv["expected_revenue"].to_numpy()
    r2 = 1.0 - float((resid**2).sum()) / float(((earn - mean) ** 2).sum())
    views = float(ppv["viewed_count"].sum())
    return [
        Figure("ppv_sends", "PPV sends in the history", float(len(ppv)), None, None, "rps", "int"),
        Figure("revenue_per_ppv_send_mean", "mean revenue per PPV send", mean, 8.0, 30.0, "rps", "usd"),
        Figure("revenue_per_ppv_send_median", "median revenue per PPV send", median, None, None, "rps_skew", "usd"),
        Figure("median_over_mean_revenue", "median / mean revenue per PPV send", median / mean, 0.0, 0.999, "rps_skew"),
        Figure("purchases_per_viewed", "purchases / viewed (PPV)", float(ppv["purchased_count"].sum()) / views, 0.05, 0.12, "conversion", "pct"),
        Figure("viewed_per_sent", "viewed / sent (PPV)", views / float(ppv["sent_count"].sum()), 0.20, 0.60, "view", "pct"),
        Figure("expected_revenue_r2", "R2 of the truth's expected revenue per PPV send", r2, None, 0.70, "noise"),
    ]  # fmt: skip


# ----------------------------------------------------------------------------------------- schedule
def _seed_rows(name: str, root: Path) -> list[dict]:
    with open(root / "seeds" / name, newline="") as fh:
        return list(csv.DictReader(fh))


def planned_quotas(con, root: Path = PROJECT_ROOT) -> pd.DataFrame:
    """Active page x ISO weekday of the planned week: the tier policy's quota at weight_volume 1 and no
    learned nudge (round(base_daily_quota x dow_multiplier)), and what the active window fits at
    min_gap_hours (floor((window hours - 1) / min_gap) + 1), as the template computes them."""
    settings = {r["setting_name"]: r["setting_value"] for r in _seed_rows("settings_modeling.csv", root)}
    gap = float(settings["min_gap_hours"])
    policy = pd.DataFrame(_seed_rows("tier_policies.csv", root))
    policy["quota"] = np.floor(
        np.round(policy["base_daily_quota"].astype(float) * policy["dow_multiplier"].astype(float), 6) + 0.5
    )
    pages = tiers(con).merge(
        _q(con, "select page_key, active_from_hour, active_to_hour from ground_truth.pages"), on="page_key"
    )
    pages = pages[pages["is_active"]]
    hours = (pages["active_to_hour"] - pages["active_from_hour"]) % 24 + 1
    pages = pages.assign(fits=np.floor((hours - 1) / gap) + 1)
    out = pages.merge(policy, left_on="tier", right_on="creator_tier")
    return out[["page_key", "tier", "iso_dow", "quota", "fits"]]


def schedule_figures(con, root: Path = PROJECT_ROOT) -> list[Figure]:
    q = planned_quotas(con, root)
    short = q.assign(short=q["quota"] > q["fits"]).groupby("page_key")["short"].any()
    return [
        Figure("shortfall_page_weeks", "page-weeks whose quota exceeds the window (planned week)", float(short.mean()), 0.0, 0.10, "shortfall", "pct"),
    ]  # fmt: skip


# ------------------------------------------------------------------------------------- pages, captions
def page_figures(con) -> list[Figure]:
    row = _q(
        con,
        """
        select
            count(*) filter (where p.is_active and p.first_send_day >= m.days - 21) as recent,
            count(*) filter (where p.trend = 'growing') as growing,
            count(*) filter (where p.trend = 'declining') as declining
        from ground_truth.pages p, ground_truth.generation_meta m
        """,
    ).iloc[0]
    holiday = _q(
        con,
        """
        with m as (select cast(end_at as date) as d0 from ground_truth.generation_meta)
        select count(*) as n
        from ground_truth.pages p join ground_truth.holidays h using (country), m
        where p.is_active and h.holiday_date between m.d0 and m.d0 + 6
        """,
    ).iloc[0]["n"]
    return [
        Figure("recently_onboarded_pages", "active pages onboarded in the last 21 days", float(row["recent"]), 1, None, "onboard", "int"),
        Figure("growing_pages", "growing pages", float(row["growing"]), 1, None, "trend", "int"),
        Figure("declining_pages", "declining pages", float(row["declining"]), 1, None, "trend", "int"),
        Figure("holiday_page_days_planned_week", "active page-days on a holiday in the planned week", float(holiday), 1, None, "holiday", "int"),
    ]  # fmt: skip


def caption_figures(con) -> list[Figure]:
    cold = _q(
        con,
        """
        with m as (select end_at from ground_truth.generation_meta),
        sent as (select distinct caption_id from ground_truth.sends where message_type = 'ppv'),
        by_category as (
            select b.content_category, count(*) as pool, count(*) filter (where s.caption_id is null) as cold
            from (
                select distinct caption_id, content_category from agency.caption_bank, m
                where usage_status = 'available' and validation_level in ('medium', 'high')
                  and created_at <= m.end_at and caption_text is not null
            ) as b
            left join sent s using (caption_id)
            group by 1
        )
        select a.page_key, sum(c.cold) / sum(c.pool) as share
        from ground_truth.pages p
        join ground_truth.page_category_affinity a on a.page_key = p.page_key and a.in_vault
        join by_category c on c.content_category = a.content_category
        where p.is_active
        group by 1
        """,
    )
    weekly = _q(
        con,
        """
        select floor(date_diff('second', c.created_at, m.end_at) / 604800.0) as w, count(distinct caption_id) as n
        from agency.caption_bank c, ground_truth.generation_meta m
        where c.created_at < m.end_at and c.created_at >= m.start_at
        group by 1
        """,
    )
    n_weeks = int(_q(con, "select days // 7 as w from ground_truth.generation_meta").iloc[0]["w"])
    per_week = weekly.set_index("w")["n"].reindex(range(n_weeks), fill_value=0)
    kinds = _q(con, "select edit_kind, count(*) as n from ground_truth.caption_near_duplicates group by 1")
    fatigue = _q(
        con,
        """
        select
            sum(purchased_count) filter (where prior_uses >= 0.5) / sum(sent_count) filter (where prior_uses >= 0.5)
            / (sum(purchased_count) filter (where prior_uses = 0) / sum(sent_count) filter (where prior_uses = 0)) as r,
            avg((prior_uses > 0)::int) as reuse
        from ground_truth.sends where message_type = 'ppv' and caption_id is not null
        """,
    ).iloc[0]
    return [
        Figure("cold_caption_share_min", "least share of a page's eligible pool never sent (at as_of)", float(cold["share"].min()), 0.10, None, "cold_captions", "pct"),
        Figure("new_captions_per_week_min", "fewest captions written in one week of the history", float(per_week.min()), 1, None, "weekly_captions", "int"),
        Figure("ppv_reuse_share", "PPV bank sends repeating a caption the page used before", float(fatigue["reuse"]), None, None, "fatigue", "pct"),
        Figure("fatigue_conversion_ratio", "purchases / sent of repeats (decayed uses >= 0.5) / of first uses", float(fatigue["r"]), 0.0, 0.99, "fatigue"),
        Figure("near_duplicate_pairs", "planted near-duplicate pairs", float(kinds["n"].sum()), None, None, "near_dups", "int"),
        Figure("near_duplicate_edit_kinds", "kinds of edit among them (at least 5 pairs each)", float((kinds["n"] >= 5).sum()), 4, None, "near_dups", "int"),
    ]  # fmt: skip


def content_figures(con) -> list[Figure]:
    probs = np.sort(
        _q(con, "select true_success_prob from ground_truth.content_arms")["true_success_prob"].to_numpy()
    )
    return [
        Figure(
            "promo_best_arm_gap",
            "best promo arm's success probability minus the second's",
            float(probs[-1] - probs[-2]),
            0.03,
            0.10,
            "promo_gap",
        )
    ]


# -------------------------------------------------------------------------------------------- fans
_FAN_ROWS = """
    select c.fan_id, c.model_name, c.datetime, c.fan_message, c.price, c.purchased,
           f.segment, f.spend_z, f.preferred_hour_utc
    from chat.chat_logs c join ground_truth.fans f using (fan_id, model_name)
    where c.datetime is not null and c.fan_message not like 'System:%'
"""


def fan_figures(con) -> list[Figure]:
    weekly = _q(
        con,
        """
        with w as (
            select fan_id, date_trunc('week', datetime) as wk, count(distinct model_name) as n_models
            from chat.chat_logs
            where datetime is not null and fan_id in (select fan_id from ground_truth.fans)
            group by 1, 2
        )
        select wk, avg((n_models > 1)::int) as share, count(*) as fans from w where wk is not null group by 1
        """,
    )
    weekly = weekly[weekly["fans"] >= 20]
    rows = _q(con, _FAN_ROWS)
    return [
        Figure("fans_multi_creator_same_week", "fans active in a week who talk to 2+ creators that week (mean over weeks)", float(weekly["share"].mean()), 0.20, 0.45, "multi_model", "pct"),
        Figure("segment_phrase_accuracy", "segment accuracy of an in-sample naive Bayes on the pair's phrases", _phrase_accuracy(rows), None, 0.90, "segments", "pct"),
        Figure("timing_reply_lift", "fan reply rate within 2 h of the fan's preferred hour / beyond", _timing_lift(rows), 1.2, 3.0, "timing"),
        Figure("purchase_latent_auc", "AUC of the latent spend (segment + z) for a pair buying an offer", _latent_auc(rows), 0.75, 0.97, "purchase_signal"),
    ]  # fmt: skip


_NOT_TEXT = ("", "Media", "GIF")


def _phrase_accuracy(rows: pd.DataFrame) -> float:
    """Accuracy of the best text-only segment guess the truth allows: naive Bayes fitted on all pairs'
    phrases with their true segments (in-sample, add-one smoothing), applied to each pair."""
    text = rows[~rows["fan_message"].isin(_NOT_TEXT) & ~rows["fan_message"].str.startswith("I sent you a $")]
    counts = pd.crosstab(text["fan_message"], text["segment"]) + 1.0
    logp = np.log(counts / counts.sum(axis=0))
    prior = np.log(text.drop_duplicates(["fan_id", "model_name"])["segment"].value_counts(normalize=True))
    scores = text[["fan_id", "model_name", "fan_message"]].join(logp, on="fan_message")
    scores = scores.groupby(["fan_id", "model_name"])[list(logp.columns)].sum() + prior[logp.columns]
    truth = text.drop_duplicates(["fan_id", "model_name"]).set_index(["fan_id", "model_name"])["segment"]
    return float((scores.idxmax(axis=1) == truth.reindex(scores.index)).mean())


def _timing_lift(rows: pd.DataFrame) -> float:
    """Reply rate (the fan wrote something) of non-offer rows within 2 h of the fan's preferred UTC
    hour, divided by the rate beyond 2 h."""
    r = rows[rows["price"] <= 0]
    hour = r["datetime"].dt.hour + r["datetime"].dt.minute / 60.0
    d = (hour - r["preferred_hour_utc"]).abs() % 24.0
    near = np.minimum(d, 24.0 - d) <= 2.0
    replied = r["fan_message"] != ""
    return float(replied[near].mean() / replied[~near].mean())


def _latent_auc(rows: pd.DataFrame) -> float:
    """AUC of segment base logit + z (the hidden spend) for 'the pair bought an offer', over pairs
    that were offered something."""
    offers = rows[rows["price"] > 0]
    pairs = offers.groupby(["fan_id", "model_name"]).agg(
        bought=("purchased", "max"), segment=("segment", "first"), z=("spend_z", "first")
    )
    base = pairs["segment"].map({"whale": 0.85, "romantic": -0.49, "sampler": -2.59, "ghost": -5.0})
    return _auc(pairs["bought"].to_numpy(dtype=bool), (base + 0.9 * pairs["z"]).to_numpy())


def _auc(label: np.ndarray, score: np.ndarray) -> float:
    ranks = pd.Series(score).rank().to_numpy()
    n_pos, n_neg = int(label.sum()), int((~label).sum())
    return float((ranks[label].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# ------------------------------------------------------------------------------------------ report
def measure(con, root: Path = PROJECT_ROOT) -> list[Figure]:
    return [
        *tier_figures(con),
        *send_figures(con),
        *schedule_figures(con, root),
        *page_figures(con),
        *caption_figures(con),
        *content_figures(con),
        *fan_figures(con),
    ]


def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "pct":
        return f"{100 * value:.1f} %"
    if unit == "usd":
        return f"${value:,.2f}"
    if unit == "int":
        return f"{value:,.0f}"
    return f"{value:.3f}"


def _fmt_range(f: Figure) -> str:
    if f.lo is None and f.hi is None:
        return "-"
    if f.lo is None:
        return f"<= {_fmt(f.hi, f.unit)}"
    if f.hi is None:
        return f">= {_fmt(f.lo, f.unit)}"
    return f"{_fmt(f.lo, f.unit)} .. {_fmt(f.hi, f.unit)}"


def format_text(figures: list[Figure], info: dict) -> str:
    lines = [
        f"demo world: scale={info['scale']} seed={info['seed']} as_of={info['end_at']} ({info['days']} days)",
        f"{'figure':<74} {'value':>12}  {'target':<22} {'ok':<4} source",
    ]
    for f in figures:
        ok = {True: "ok", False: "OUT", None: ""}[f.ok]
        lines.append(f"{f.label:<74} {_fmt(f.value, f.unit):>12}  {_fmt_range(f):<22} {ok:<4} {f.source}")
    used = dict.fromkeys(f.source for f in figures)
    lines.append("sources:")
    lines.extend(f"  {key}: {SOURCES[key]}" for key in used)
    n_out = sum(f.ok is False for f in figures)
    lines.append(
        f"{n_out} figure(s) outside their target range"
        if n_out
        else "every figure is within its target range"
    )
    return "\n".join(lines)


def report_dict(figures: list[Figure], info: dict) -> dict:
    return {
        **info,
        "figures": [f.as_dict() for f in figures],
        "all_ok": all(f.ok is not False for f in figures),
    }
