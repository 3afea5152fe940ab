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
from sendwise.demo.pages import calibrate_volume, generate_pages, generate_vault
from sendwise.demo.sends import finalize_sends, generate_sends
from sendwise.demo.truth import DEFAULT_COEFFICIENTS, DEFAULT_DOW_EFFECTS, PAGE_PARAMS, Truth
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


TRUTH_CASTS: dict[str, dict[str, str]] = {
    "generation_meta": {"start_date": "DATE", "days": "INTEGER"},
    "dow_effects": {"isodow": "INTEGER"},
    "sends": {"local_hour": "INTEGER", "isodow": "INTEGER", "day_index": "INTEGER", "sends_today": "INTEGER"},
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

    # pages, vault, affinity
    rng = rng_for(seed, "pages")
    pages = calibrate_volume(generate_pages(rng, cfg.pages, cfg.days, start_date), cfg.sends)
    vault, affinity = generate_vault(rng_for(seed, "vault"), pages)

    # captions
    bank, cap_truth = generate_captions(
        rng_for(seed, "captions"), cfg.captions, NEAR_DUPLICATE_SHARE, start_at, end_at
    )
    coefficients = dict(DEFAULT_COEFFICIENTS)
    dow = pd.DataFrame({"isodow": list(DEFAULT_DOW_EFFECTS), "effect": list(DEFAULT_DOW_EFFECTS.values())})
    truth = Truth.build(start_date, cfg.days, pages, cap_truth, affinity, dow, coefficients)
    cap_truth["style_effect"] = truth.captions["caption_effect"].to_numpy() - cap_truth["quality"].to_numpy()

    # mass messages
    sends = generate_sends(
        rng_for(seed, "sends"), pages, affinity, bank, cap_truth, truth, start_date, cfg.days, end_at
    )
    mm_raw = finalize_sends(rng_for(seed, "sends_defects"), sends, pages, end_at, labels)

    # caption bank defects: missing text only on captions never sent; duplicates are exact copies
    rng = rng_for(seed, "caption_defects")
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
    bank_raw = with_copies(bank_raw, picks["duplicate_caption_id"])

    # pages: duplicates are exact copies of real pages; bad time zone / window rows are half set-up
    # pages (stub names, no sends) so that no real page is lost to quarantine
    rng = rng_for(seed, "page_defects")
    pages_raw = pages[[c.name for c in PAGES.columns]].copy()
    n_dup = 2
    dup = np.sort(rng.choice(len(pages), n_dup, replace=False))
    labels.add(PAGES.qualified, "duplicate_page_name", pages_raw["page_name"].to_numpy()[dup])
    stub_tz = pd.DataFrame(
        {
            "page_name": ["Test Page Tz", "New Model Setup"],
            "timezone": ["America/NewYork", "GMT+25"],
            "page_type": ["paid", "free"],
            "is_active": [True, True],
            "active_from_hour": [8, 8],
            "active_to_hour": [23, 23],
            "onboarded_at": np.array([end_at - np.timedelta64(2, "D"), end_at - np.timedelta64(1, "D")]),
        }
    )
    stub_win = pd.DataFrame(
        {
            "page_name": ["Draft Page Hours", "Onboarding Window"],
            "timezone": ["Europe/London", "America/Chicago"],
            "page_type": ["paid", "paid"],
            "is_active": [True, False],
            "active_from_hour": [22, -1],
            "active_to_hour": [6, 25],
            "onboarded_at": np.array([end_at - np.timedelta64(3, "D"), end_at - np.timedelta64(5, "D")]),
        }
    )
    labels.add(PAGES.qualified, "invalid_timezone", stub_tz["page_name"].to_numpy())
    labels.add(PAGES.qualified, "invalid_active_window", stub_win["page_name"].to_numpy())
    pages_raw = pd.concat([with_copies(pages_raw, dup), stub_tz, stub_win], ignore_index=True)
    pages_raw["onboarded_at"] = pages_raw["onboarded_at"].to_numpy().astype("datetime64[s]")

    vdup = np.sort(rng.choice(len(vault), 2, replace=False))
    labels.add(VAULT_MATRIX.qualified, "duplicate_page_name", vault["page_name"].to_numpy()[vdup])
    vault_raw = with_copies(vault, vdup)

    # chat and promo content
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
    out["ground_truth.pages"] = pages[
        ["page_key", "page_name", "region", "timezone", "page_type", "is_active", "active_from_hour", "active_to_hour",
         "onboarded_at", "first_send_day", "last_send_day", "audience_size", "audience_trend_per_day", "trend",
         *PAGE_PARAMS, "price_habit", "price_ending", "view_rate", "volume_habit", "habit_ratio",
         "habit_daily_sends"]
    ]  # fmt: skip
    out["ground_truth.page_category_affinity"] = affinity
    out["ground_truth.captions"] = cap_truth
    nd = cap_truth[cap_truth["near_duplicate_of"].notna()]
    out["ground_truth.caption_near_duplicates"] = pd.DataFrame(
        {"caption_id": nd["caption_id"].to_numpy(), "original_caption_id": nd["near_duplicate_of"].to_numpy()}
    )
    out["ground_truth.coefficients"] = pd.DataFrame(
        {"name": list(coefficients), "value": [float(v) for v in coefficients.values()]}
    )
    out["ground_truth.dow_effects"] = dow
    out["ground_truth.sends"] = sends[
        ["row_id", "page_key", "caption_id", "message_type", "local_at", "local_hour", "isodow", "day_index",
         "sends_today", "price", "p_true"]
    ]  # fmt: skip
    out["ground_truth.fans"] = fans
    out["ground_truth.fan_details"] = fan_details.reset_index(drop=True)
    out["ground_truth.content_arms"] = content["content_arms"]
    out["ground_truth.content_posts"] = content["content_posts"]
    out["ground_truth.content_params"] = content["content_params"]
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
