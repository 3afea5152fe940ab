"""Orchestration: draw every table, then write them all into DuckDB in one transaction."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sendwise import __version__
from sendwise.contracts import (
    CAPTION_BANK,
    CHAT_LOGS,
    CONTENT_METADATA,
    MASS_MESSAGES,
    OUTCOMES,
    PAGES,
    SOURCES,
    VAULT_MATRIX,
)
from sendwise.demo.captions import generate_captions
from sendwise.demo.chat import generate_chat
from sendwise.demo.config import NEAR_DUPLICATE_SHARE, SCALES, rng_for
from sendwise.demo.content import generate_content
from sendwise.demo.defects import Labels, pick_disjoint, with_copies
from sendwise.demo.holidays import holiday_calendar
from sendwise.demo.outcomes import (
    NOISE,
    calibrate_audience,
    calibrate_base_logit,
    draw_outcomes,
    send_probabilities,
)
from sendwise.demo.pages import generate_pages, generate_vault
from sendwise.demo.sends import finalize_sends, plan_sends, send_rows
from sendwise.demo.truth import (
    DEFAULT_COEFFICIENTS,
    DEFAULT_DOW_EFFECTS,
    HOLIDAY_HORIZON_DAYS,
    PAGE_PARAMS,
    Truth,
)
from sendwise.demo.writer import write_source, write_truth

# Messiness counted on the written raw tables (kinds = contracts.NORMALISED_MESSINESS)
MESSINESS_SQL: dict[tuple[str, str], str] = {
    ("agency.mass_messages", "page_name_variant"): (
        "page_name is not null and page_name not in (select page_name from agency.pages)"
    ),
    ("agency.mass_messages", "html_entities"): "regexp_matches(message, '&(amp|#39|quot);')",
    ("agency.mass_messages", "trailing_whitespace"): "regexp_matches(message, '\\s$')",
    ("agency.mass_messages", "message_type_case"): "message_type <> lower(message_type)",
    ("agency.mass_messages", "null_price_free"): "price is null",
    ("chat.chat_logs", "html_entities"): "regexp_matches(chatter_message, '&(amp|#39|quot);')",
    ("chat.chat_logs", "placeholder_media"): "fan_message in ('Media', 'GIF')",
    ("chat.chat_logs", "tip_text"): "fan_message like 'I sent you a $% tip'",
    ("chat.chat_logs", "empty_fan_message"): "fan_message = ''",
    ("content.outcomes", "null_engagement_rate"): "engagement_rate is null",
}


TRUTH_PAGE_COLUMNS: tuple[str, ...] = (
    "page_key", "page_name", "region", "country", "timezone", "page_type", "is_active", "active_from_hour",
    "active_to_hour", "onboarded_at", "first_send_day", "last_send_day", "audience_size",
    "audience_trend_per_day", "trend", *PAGE_PARAMS, "price_habit", "price_ending", "view_rate",
    "conversion_per_view", "tier_band", "target_daily_revenue", "ppv_daily_sends", "volume_habit",
    "habit_ratio", "habit_daily_sends",
)  # fmt: skip
TRUTH_SEND_COLUMNS: tuple[str, ...] = (
    "row_id", "page_key", "caption_id", "message_type", "sending_time", "local_at", "local_hour", "isodow", "day_index",
    "sends_today", "price", "prior_uses", "p_true", "day_shock", "sent_count", "viewed_count",
    "purchased_count", "earnings", "expected_revenue",
)  # fmt: skip

TRUTH_CASTS: dict[str, dict[str, str]] = {
    "generation_meta": {"start_date": "DATE", "days": "INTEGER"},
    "dow_effects": {"isodow": "INTEGER"},
    "sends": {"local_hour": "INTEGER", "isodow": "INTEGER", "day_index": "INTEGER", "sends_today": "INTEGER"},
    "holidays": {"holiday_date": "DATE"},
    "pages": {"first_send_day": "INTEGER", "last_send_day": "INTEGER"},
    "captions": {"n_emoji": "INTEGER", "length_chars": "INTEGER"},
    "content_posts": {"posted_hour_utc": "INTEGER"},
    "fans": {"n_rows": "INTEGER"},
}


def _parse_end(end) -> np.datetime64:
    """'YYYY-MM-DD HH:MM:SS' (UTC) or any timestamp -> naive UTC datetime64[s]."""
    ts = pd.Timestamp(end)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_datetime64().astype("datetime64[s]")


def build(scale: str, seed: int, end) -> dict[str, pd.DataFrame]:
    """All raw and truth frames (no database involved). Keys: qualified raw names and `ground_truth.*`."""
    cfg = SCALES[scale]
    end_at = _parse_end(end)
    start_at = end_at - np.timedelta64(cfg.days, "D")
    start_date = start_at.astype("datetime64[D]")
    labels = Labels()
    world = _mass_message_world(seed, cfg, start_date, start_at, end_at)
    sends, pages, bank, cap_truth = world["sends"], world["pages"], world["bank"], world["cap_truth"]
    mm_raw = finalize_sends(rng_for(seed, "sends_defects"), sends, pages, end_at, labels)
    bank_raw = _caption_bank_raw(rng_for(seed, "caption_defects"), bank, cap_truth, sends, labels)
    pages_raw, vault_raw = _pages_and_vault_raw(
        rng_for(seed, "page_defects"), pages, world["vault"], end_at, labels
    )
    chat_raw, fans, fan_details = generate_chat(
        rng_for(seed, "chat"), pages, cfg.chat_rows, start_at, end_at, labels
    )
    content = generate_content(rng_for(seed, "content"), cfg.outcomes, start_at, end_at, labels)
    out: dict[str, pd.DataFrame] = {
        MASS_MESSAGES.qualified: mm_raw,
        CAPTION_BANK.qualified: bank_raw,
        VAULT_MATRIX.qualified: vault_raw,
        PAGES.qualified: pages_raw,
        CHAT_LOGS.qualified: chat_raw,
        CONTENT_METADATA.qualified: content["content_metadata"],
        OUTCOMES.qualified: content["outcomes"],
    }
    out.update(_truth_frames(world))
    out["ground_truth.fans"] = fans
    out["ground_truth.fan_details"] = fan_details.reset_index(drop=True)
    for name in ("content_arms", "content_posts", "content_params"):
        out[f"ground_truth.{name}"] = content[name]
    out["ground_truth.injected_defects"] = labels.frame()
    counts = {k: len(v) for k, v in out.items() if k in SOURCES}
    out["ground_truth.generation_meta"] = pd.DataFrame(
        {
            "scale": [scale],
            "seed": [int(seed)],
            "end_at": np.array([end_at]),
            "start_at": np.array([start_at]),
            "start_date": np.array([start_date]),
            "days": [cfg.days],
            "generator_version": [__version__],
            **{f"rows_{k.split('.')[1]}": [v] for k, v in counts.items()},
        }
    )
    return out


def _mass_message_world(seed: int, cfg, start_date, start_at, end_at) -> dict:
    """Pages, vault, captions, the truth and the sends with their outcomes (calibrated, see outcomes.py)."""
    pages = generate_pages(rng_for(seed, "pages"), cfg.pages, cfg.days, start_date)
    vault, affinity = generate_vault(rng_for(seed, "vault"), pages)
    bank, cap_truth = generate_captions(
        rng_for(seed, "captions"), cfg.captions, NEAR_DUPLICATE_SHARE, start_at, end_at
    )
    coefficients = dict(DEFAULT_COEFFICIENTS)
    dow = pd.DataFrame({"isodow": list(DEFAULT_DOW_EFFECTS), "effect": list(DEFAULT_DOW_EFFECTS.values())})
    holidays = holiday_calendar(
        start_date, start_date + np.timedelta64(cfg.days + HOLIDAY_HORIZON_DAYS - 1, "D")
    )

    def build_truth(p: pd.DataFrame) -> Truth:
        return Truth.build(start_date, cfg.days, p, cap_truth, affinity, dow, coefficients, holidays)

    plan = plan_sends(
        rng_for(seed, "sends"), pages, affinity, bank, cap_truth, start_date, cfg.days, end_at,
        coefficients["fatigue_decay_days"],
    )  # fmt: skip
    pages = calibrate_base_logit(pages, plan, build_truth)
    truth = build_truth(pages)
    plan["p_true"] = send_probabilities(truth, plan)
    pages = calibrate_audience(pages, plan, end_at)
    sends = send_rows(draw_outcomes(rng_for(seed, "outcomes"), plan, pages))
    cap_truth = cap_truth.assign(
        style_effect=truth.captions["caption_effect"].to_numpy() - cap_truth["quality"].to_numpy()
    )
    return {
        "pages": pages, "vault": vault, "affinity": affinity, "bank": bank, "cap_truth": cap_truth,
        "coefficients": coefficients, "dow": dow, "holidays": holidays, "sends": sends,
    }  # fmt: skip


def _caption_bank_raw(
    rng, bank: pd.DataFrame, cap_truth: pd.DataFrame, sends: pd.DataFrame, labels
) -> pd.DataFrame:
    """Caption bank defects: missing text only on captions never sent; duplicates are exact copies."""
    sent_ids = set(sends["caption_id"].dropna().unique())
    never_sent = ~bank["caption_id"].isin(sent_ids).to_numpy()
    not_nd = (
        cap_truth["near_duplicate_of"].isna().to_numpy()
        & ~cap_truth["caption_id"].isin(cap_truth["near_duplicate_of"].dropna()).to_numpy()
    )
    picks, _ = pick_disjoint(
        rng, len(bank), CAPTION_BANK.qualified, eligible={"missing_caption_text": never_sent & not_nd}
    )
    bank_raw = bank.copy()
    bank_raw.loc[picks["missing_caption_text"], "caption_text"] = None
    for d, idx in picks.items():
        labels.add(CAPTION_BANK.qualified, d, bank_raw["caption_id"].to_numpy()[idx])
    return with_copies(bank_raw, picks["duplicate_caption_id"])


def _pages_and_vault_raw(rng, pages: pd.DataFrame, vault: pd.DataFrame, end_at, labels):
    """Page duplicates are exact copies of real pages; bad time zone / window rows are half set-up pages
    (stub names, no sends) so that no real page is lost to quarantine. Vault duplicates are copies."""
    pages_raw = pages[[c.name for c in PAGES.columns]].copy()
    dup = np.sort(rng.choice(len(pages), 2, replace=False))
    labels.add(PAGES.qualified, "duplicate_page_name", pages_raw["page_name"].to_numpy()[dup])
    stubs = pd.DataFrame(
        {
            "page_name": ["Test Page Tz", "New Model Setup", "Draft Page Hours", "Onboarding Window"],
            "timezone": ["America/NewYork", "GMT+25", "Europe/London", "America/Chicago"],
            "page_type": ["paid", "free", "paid", "paid"],
            "is_active": [True, True, True, False],
            # 14 to 14: one hour or the whole day? (22 to 6 would be a valid window past midnight)
            "active_from_hour": [8, 8, 14, -1],
            "active_to_hour": [23, 23, 14, 25],
            "onboarded_at": np.array([end_at - np.timedelta64(d, "D") for d in (2, 1, 3, 5)]),
        }
    )
    labels.add(PAGES.qualified, "invalid_timezone", stubs["page_name"].to_numpy()[:2])
    labels.add(PAGES.qualified, "invalid_active_window", stubs["page_name"].to_numpy()[2:])
    pages_raw = pd.concat([with_copies(pages_raw, dup), stubs], ignore_index=True)
    pages_raw["onboarded_at"] = pages_raw["onboarded_at"].to_numpy().astype("datetime64[s]")
    vdup = np.sort(rng.choice(len(vault), 2, replace=False))
    labels.add(VAULT_MATRIX.qualified, "duplicate_page_name", vault["page_name"].to_numpy()[vdup])
    return pages_raw, with_copies(vault, vdup)


def _truth_frames(world: dict) -> dict[str, pd.DataFrame]:
    """ground_truth tables of the mass-message world (pages, captions, coefficients, sends, ...)."""
    cap_truth = world["cap_truth"]
    nd = cap_truth[cap_truth["near_duplicate_of"].notna()]
    coefficients = {**world["coefficients"], **NOISE}
    return {
        "ground_truth.pages": world["pages"][list(TRUTH_PAGE_COLUMNS)],
        "ground_truth.page_category_affinity": world["affinity"],
        "ground_truth.captions": cap_truth,
        "ground_truth.caption_near_duplicates": pd.DataFrame(
            {
                "caption_id": nd["caption_id"].to_numpy(),
                "original_caption_id": nd["near_duplicate_of"].to_numpy(),
                "edit_kind": nd["edit_kind"].to_numpy(),
            }
        ),
        "ground_truth.coefficients": pd.DataFrame(
            {"name": list(coefficients), "value": [float(v) for v in coefficients.values()]}
        ),
        "ground_truth.dow_effects": world["dow"],
        "ground_truth.holidays": world["holidays"],
        "ground_truth.sends": world["sends"][list(TRUTH_SEND_COLUMNS)],
    }


def generate(scale: str, seed: int, db_path, end) -> dict[str, int]:
    """Generate the demo data into `db_path` (one transaction); returns row counts per written table."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    frames = build(scale, seed, end)
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    counts: dict[str, int] = {}
    try:
        con.execute("set TimeZone = 'UTC'")
        con.begin()
        try:
            for schema in ("agency", "chat", "content", "ground_truth"):
                con.execute(f"create schema if not exists {schema}")
            for name, spec in SOURCES.items():
                counts[name] = write_source(con, spec, frames[name])
            for name, df in frames.items():
                if name.startswith("ground_truth."):
                    short = name.split(".", 1)[1]
                    counts[name] = write_truth(con, short, df, TRUTH_CASTS.get(short))
            rows = [
                (src, kind, con.execute(f"select count(*) from {src} where {cond}").fetchone()[0])
                for (src, kind), cond in MESSINESS_SQL.items()
            ]
            messiness = pd.DataFrame(rows, columns=["source_table", "kind", "n_rows"])
            counts["ground_truth.messiness"] = write_truth(con, "messiness", messiness)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        con.close()
    return counts


def timed_generate(scale: str, seed: int, db_path, end) -> tuple[dict[str, int], float]:
    t0 = time.perf_counter()
    counts = generate(scale, seed, db_path, end)
    return counts, time.perf_counter() - t0
