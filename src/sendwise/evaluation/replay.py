"""Unbiased offline replay (Li, Chu, Langford and Wang, WSDM 2011) of the caption ranking.

A log collected by a uniform-random policy (columns event_at, arm_id, price, purchased, revenue)
is replayed in time order, in batches: before each batch the project's ranking SQL (compiled
once, `CompiledRanking`) ranks the arms on the history of *matched* events so far; an event
whose logged arm is the one the policy picks for it is a match, its reward is counted and it
joins the history; every other event is skipped. Because the logging policy chose uniformly,
the mean reward over matched events is an unbiased estimate of the policy's revenue per event.

The arms become library captions of one page (time zone UTC, all hours active) whose vault
holds their category; a matched event becomes a PPV send to one recipient at the logged price.
Within a batch, an event at hour h after the batch start takes the ranking's rank-1 caption of
slot h mod 24 (the ranking covers 24 hourly slots; a batch longer than a day, as in a sparse log,
reuses them day after day, as `evaluate-ranking` reuses a ranking for the same hour of later days),
so a Thompson policy draws per event hour.
The caption cooldown is a business rule about repeating a caption to the same audience, not
part of the bandit being evaluated: it is switched off (caption_cooldown_days = 0) unless
`keep_cooldown`.

A log that was not collected uniformly (for example weekly_plan_history's sends with the
experiments' logged propensities) carries a `propensity` column: the probability with which the
logging policy chose the logged arm. The matching is the same; the estimate then weights each
matched event by 1 / propensity: self-normalised IPS (sum w r / sum w over matched events, the
reported revenue per event) and plain IPS (sum w r / all events). With uniform propensities the
self-normalised estimate and its bootstrap interval are exactly the uniform replay's.
"""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sendwise.evaluation.compiled import CompiledRanking

SQL_POLICIES: tuple[str, ...] = ("ucb", "greedy", "thompson")
POLICIES: tuple[str, ...] = (*SQL_POLICIES, "random")
LOG_COLUMNS: tuple[str, ...] = ("event_at", "arm_id", "price", "purchased", "revenue")
PROPENSITY_COLUMN = "propensity"
PAGE = "replay"
CATEGORY = "solo"
DB_NAME = "sim.duckdb"
BOOTSTRAP_SAMPLES = 1000


def synthetic_log(path: str | Path, arms: int = 6, events: int = 30_000, seed: int = 7, days: int = 28):
    """A uniform-random log with a known best arm; returns (frame, best_arm).

    Purchase probabilities are evenly spaced from 4 % to 10 %, shuffled over the arms; every arm
    sells at $20, so the best arm by revenue is the one with the highest probability."""
    rng = np.random.default_rng(seed)
    arm_ids = np.array([f"arm_{i:02d}" for i in range(arms)], dtype=object)
    probs = rng.permutation(np.linspace(0.04, 0.10, arms))
    start = pd.Timestamp("2026-10-01 00:00:00")
    offsets = np.sort(rng.uniform(0, days * 86400, events))
    chosen = rng.integers(0, arms, events)
    bought = rng.random(events) < probs[chosen]
    price = np.full(events, 20.0)
    frame = pd.DataFrame(
        {
            "event_at": start + pd.to_timedelta(np.floor(offsets), unit="s"),
            "arm_id": arm_ids[chosen],
            "price": price,
            "purchased": bought.astype(int),
            "revenue": np.where(bought, price, 0.0),
        }
    )
    frame.to_csv(path, index=False)
    return frame, str(arm_ids[int(np.argmax(probs))])


def read_log(path: str | Path) -> pd.DataFrame:
    log = pd.read_csv(path)
    missing = [c for c in LOG_COLUMNS if c not in log.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(LOG_COLUMNS)})")
    has_propensity = PROPENSITY_COLUMN in log.columns
    log = log[list(LOG_COLUMNS) + ([PROPENSITY_COLUMN] if has_propensity else [])].copy()
    if has_propensity:
        propensity = pd.to_numeric(log[PROPENSITY_COLUMN], errors="coerce")
        bad = propensity.isna() | (propensity <= 0) | (propensity > 1)
        if bad.any():
            raise ValueError(
                f"{path}: {int(bad.sum())} row(s) with a propensity that is empty or not in (0, 1]"
            )
        log[PROPENSITY_COLUMN] = propensity.astype(float)
    log["event_at"] = pd.to_datetime(log["event_at"], utc=True).dt.tz_localize(None)
    log["arm_id"] = log["arm_id"].astype(str)
    bad = log["event_at"].isna() | log["price"].isna() | log["revenue"].isna() | log["purchased"].isna()
    if bad.any():
        raise ValueError(
            f"{path}: {int(bad.sum())} row(s) with an empty event_at, price, purchased or revenue"
        )
    return log.sort_values(["event_at", "arm_id"], kind="stable").reset_index(drop=True)


def build_replay_world(log: pd.DataFrame, directory: Path, seeds_from: Path | None = None) -> Path:
    """A DuckDB file with the raw agency tables for one page whose captions are the log's arms (the
    dbt seeds copied from `seeds_from`, a file already seeded, when given; `dbt seed` otherwise)."""
    import duckdb

    from sendwise.contracts import CAPTION_BANK, MASS_MESSAGES, PAGES, VAULT_CATEGORIES, VAULT_MATRIX
    from sendwise.dbt import load_seeds
    from sendwise.demo.writer import write_source

    directory.mkdir(parents=True, exist_ok=True)
    db = directory / DB_NAME
    arms = sorted(log["arm_id"].unique())
    created = log["event_at"].min() - pd.Timedelta(days=1)
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema if not exists agency")
        write_source(
            con,
            PAGES,
            pd.DataFrame(
                {
                    "page_name": [PAGE],
                    "timezone": ["UTC"],
                    "page_type": ["paid"],
                    "is_active": [True],
                    "active_from_hour": [0],
                    "active_to_hour": [23],
                    "onboarded_at": np.array([created.to_datetime64()]),
                }
            ),
        )
        vault = {c.name: [None] for c in VAULT_MATRIX.columns}
        vault["page_name"] = [PAGE]
        vault[CATEGORY] = [True]
        assert CATEGORY in VAULT_CATEGORIES
        write_source(con, VAULT_MATRIX, pd.DataFrame(vault)[VAULT_MATRIX.column_names()])
        write_source(
            con,
            CAPTION_BANK,
            pd.DataFrame(
                {
                    "caption_id": arms,
                    "caption_text": [f"replay arm {a}" for a in arms],
                    "content_category": CATEGORY,
                    "price_tier": "mid",
                    "tone": "playful",
                    "usage_status": "available",
                    "validation_level": "high",
                    "created_at": np.full(len(arms), created.to_datetime64()),
                }
            ),
        )
        columns = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in MASS_MESSAGES.columns)
        con.execute(f"create or replace table {MASS_MESSAGES.qualified} ({columns})")  # no sends yet
    finally:
        con.close()
    load_seeds(db, directory / "target_seed", seeds_from)
    return db


@dataclass
class ReplayResult:
    policy: str
    rewards: np.ndarray  # revenue of the matched events
    matched_arms: list[str]
    final_choice: str | None
    propensities: np.ndarray | None = None  # logged propensities of the matched events (if the log has them)
    events: int | None = None  # events in the log (the IPS denominator)
    matched_index: np.ndarray | None = None  # positions of the matched events in the log
    # the final ranking's rank-1 arm by hour of day (the slot's hour in the replay page's UTC)
    final_by_hour: dict[int, str] | None = None


def _choose(compiled, con, as_of: pd.Timestamp) -> dict[int, str]:
    """Rank-1 arm per slot index (0..23) of the ranking at as_of."""
    compiled.execute(con, as_of.strftime("%Y-%m-%d %H:%M:%S"))
    mart = compiled.model("caption_rankings_next24").relation
    slots = compiled.model("int_ranking_slots").relation
    rows = con.sql(
        f"select slots.slot_index, mart.caption_id from {mart} as mart"
        f" inner join {slots} as slots on mart.page_key = slots.page_key"
        " and mart.slot_local_at = slots.slot_local_at"
        " where mart.rn = 1"
    ).fetchall()
    return {int(i): str(c) for i, c in rows}


def replay_policy(
    log: pd.DataFrame,
    world_db: Path,
    compiled: CompiledRanking | None,
    policy: str,
    scratch: Path,
    *,
    batch_size: int,
    seed: int,
    keep_cooldown: bool = False,
) -> ReplayResult:
    import duckdb

    arms = sorted(log["arm_id"].unique())
    rng = np.random.default_rng(seed)
    if policy == "random":  # the baseline needs no SQL: a uniform choice per event
        pick = rng.integers(0, len(arms), len(log))
        matched = log["arm_id"].to_numpy() == np.asarray(arms, dtype=object)[pick]
        return ReplayResult(
            policy,
            log["revenue"].to_numpy()[matched],
            list(log["arm_id"][matched]),
            None,
            _propensities(log, matched),
            len(log),
            np.flatnonzero(matched),
        )

    scratch.mkdir(parents=True, exist_ok=True)
    db = scratch / DB_NAME
    shutil.copyfile(world_db, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        first = log["event_at"].iloc[0]
        compiled.setup(con, first.strftime("%Y-%m-%d %H:%M:%S"))
        settings = compiled.seed_relation("settings_modeling")
        con.execute(
            f"update {settings} set setting_value = cast(cast(setting_value as bigint) + ? as varchar)"
            " where setting_name = 'thompson_seed'",
            [int(seed)],
        )
        if not keep_cooldown:
            con.execute(
                f"update {settings} set setting_value = '0' where setting_name = 'caption_cooldown_days'"
            )
        bank = con.sql(
            "select caption_id, caption_hash, caption_text_normalized from"
            f" {compiled.model('stg_agency__caption_bank').relation}"
        ).df()
        bank = bank.set_index("caption_id")
        history = compiled.model("stg_agency__mass_messages").relation
        rewards: list[float] = []
        matched_arms: list[str] = []
        matched_index: list[int] = []
        for start in range(0, len(log), batch_size):
            batch = log.iloc[start : start + batch_size]
            as_of = batch["event_at"].iloc[0]
            choice = _choose(compiled, con, as_of)
            hours = ((batch["event_at"] - as_of).dt.total_seconds() // 3600 % 24).astype(int)
            picked = hours.map(choice)
            hit = batch[batch["arm_id"].to_numpy() == picked.to_numpy()]
            if hit.empty:
                continue
            rewards.extend(hit["revenue"].astype(float))
            matched_arms.extend(hit["arm_id"])
            matched_index.extend(hit.index)
            frame = pd.DataFrame(
                {
                    "send_id": [f"replay_{i}" for i in hit.index],
                    "page_key": PAGE,
                    "page_name_raw": PAGE,
                    "is_page_name_normalised": False,
                    "message_raw": bank.loc[hit["arm_id"], "caption_text_normalized"].to_numpy(),
                    "caption_text_normalized": bank.loc[hit["arm_id"], "caption_text_normalized"].to_numpy(),
                    "caption_hash": bank.loc[hit["arm_id"], "caption_hash"].to_numpy(),
                    "sent_at": hit["event_at"].to_numpy(),
                    "price": hit["price"].astype(float).to_numpy(),
                    "is_price_missing": False,
                    "is_free": False,
                    "message_type": "ppv",
                    "is_message_type_normalised": False,
                    "sent_count": 1,
                    "viewed_count": 1,
                    "purchased_count": hit["purchased"].astype("int64").to_numpy(),
                    "earnings": hit["revenue"].astype(float).to_numpy(),
                    "is_earnings_missing": False,
                }
            )
            con.register("_replay_sends", frame)
            try:
                con.execute(f"insert into {history} by name select * from _replay_sends")
            finally:
                con.unregister("_replay_sends")
        final_as_of = log["event_at"].iloc[-1] + pd.Timedelta(seconds=1)
        final = _choose(compiled, con, final_as_of)
    finally:
        con.close()
    matched = np.zeros(len(log), dtype=bool)
    matched[matched_index] = True
    return ReplayResult(
        policy,
        np.asarray(rewards, dtype=float),
        matched_arms,
        final.get(0),
        _propensities(log, matched),
        len(log),
        np.flatnonzero(matched),
        # slot i starts i hours after the first full hour at or after as_of
        {(final_as_of.ceil("h").hour + i) % 24: arm for i, arm in final.items()},
    )


def _propensities(log: pd.DataFrame, matched: np.ndarray) -> np.ndarray | None:
    """The matched events' logged propensities, in log order (None when the log has none)."""
    if PROPENSITY_COLUMN not in log.columns:
        return None
    return log[PROPENSITY_COLUMN].to_numpy(dtype=float)[matched]


def summarise(result: ReplayResult, best_arm: str, seed: int) -> dict:
    rewards = result.rewards
    n = int(rewards.size)
    if n == 0:
        return {
            "revenue_per_event": None,
            "ci_low": None,
            "ci_high": None,
            "matched_events": 0,
            "share_best_arm": None,
            "final_choice": result.final_choice,
        }
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=(BOOTSTRAP_SAMPLES, n), replace=True)  # the same draws either way
    out = {"estimator": "replay"}
    if result.propensities is None:
        estimate, boot = float(rewards.mean()), rewards[sample].mean(axis=1)
    else:
        weights = 1.0 / result.propensities
        estimate = float((weights * rewards).sum() / weights.sum())  # self-normalised IPS
        boot = (weights[sample] * rewards[sample]).sum(axis=1) / weights[sample].sum(axis=1)
        out = {
            "estimator": "snips",
            "ips_revenue_per_event": float((weights * rewards).sum() / result.events)
            if result.events
            else None,
        }
    return {
        "revenue_per_event": estimate,
        "ci_low": float(np.quantile(boot, 0.025)),
        "ci_high": float(np.quantile(boot, 0.975)),
        "matched_events": n,
        "share_best_arm": float(statistics.fmean(a == best_arm for a in result.matched_arms)),
        "final_choice": result.final_choice,
        **out,
    }


def best_arm_of(log: pd.DataFrame) -> str:
    """The empirically best arm of a uniform log (highest mean revenue per event; ties: smallest id)."""
    means = log.groupby("arm_id")["revenue"].mean()
    return str(means[means == means.max()].index.min())
