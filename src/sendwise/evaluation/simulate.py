"""Forward simulation of the caption ranking on the demo data's hidden truth.

One *world* per seed: the demo data generated with that seed (history up to `end`), its seeds
loaded, the truth read with `load_truth`. For each policy the world is copied to a scratch DuckDB
and played forward one day (`step_days`) at a time:

1. the project's compiled ranking SQL (`CompiledRanking`) is executed with as_of = the day's
   start, on the history so far;
2. every active page sends at fixed local hours (the same for all policies): as many PPV sends a
   day as it averaged over the last 28 history days (at most `daily_quota_max`), spread evenly over
   its active window, each at the slot's price from the ranking's price ladder;
   Prices are frozen at the world's start: every policy, the oracle included, sends a page's slot at
   the ladder price the ranking SQL gave that page-local hour on the first simulated day, so the
   ratio to the oracle is about caption choice alone;
3. the policy picks each send's caption: ucb / greedy / thompson take the best-ranked caption of
   the slot (`rn` order) not already picked for the page that day; `random` draws uniformly from
   the eligible pool; `historical_best` takes the eligible captions with the highest mean revenue
   per send on the page so far (no shrinkage, no exploration; captions the page never sent come
   last, in a seeded random order); `best_category` takes captions of the page's best content
   category by mean revenue per send so far (then the next category), in a seeded random order
   within a category; `oracle` takes the eligible captions with the highest true purchase
   probability (fatigue included). All policies choose from the same eligibility rules (vault,
   cooldown...);
4. the audience and purchases are drawn from the same truth and noise as the demo generator
   (`sendwise.demo.outcomes`): p = `true_purchase_prob` with the caption's decayed earlier uses on
   the page (fatigue, carried over from the generated history); recipients = audience x trend x
   lognormal noise, viewers ~ Binomial(recipients, view rate x lognormal noise), a page-day
   audience shock, buyers ~ BetaBinomial(viewers, p x shock / view rate). Draws are keyed by (seed,
   day, page), so every policy meets the same audiences and day shocks;
5. the sends and their outcomes are appended to the history table, and the next day starts.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sendwise.evaluation.compiled import CompiledRanking
from sendwise.schemas import require

SQL_POLICIES: tuple[str, ...] = ("ucb", "greedy", "thompson")
# non-learning baselines (no model, no exploration) and the oracle
NON_LEARNING: tuple[str, ...] = ("random", "historical_best", "best_category")
BASELINES: tuple[str, ...] = (*NON_LEARNING, "oracle")
ALL_POLICIES: tuple[str, ...] = SQL_POLICIES + BASELINES
DB_NAME = "sim.duckdb"  # every world and scratch file has this name: compiled SQL names catalog "sim"
HISTORY_DAYS_FOR_VOLUME = 28


@dataclass
class World:
    seed: int
    db_path: Path
    end: pd.Timestamp
    truth: object  # sendwise.demo.truth.Truth
    pages: pd.DataFrame  # page_key, page_idx, audience_size, audience_trend_per_day, view_rate, send_hours
    start_date: np.datetime64
    days: int
    uses: pd.DataFrame  # page_key, caption_id, uses_at_end: decayed earlier uses at the end of history
    history: pd.DataFrame  # page_key, caption_id, earnings: every PPV bank send of the history
    restricted: bool = False

    def restrict_pages(self, n: int) -> None:
        """Simulate only the first `n` active pages (the others are removed from the scratch copies)."""
        self.pages = self.pages.iloc[:n].reset_index(drop=True)
        self.pages["page_idx"] = np.arange(len(self.pages))
        self.restricted = True


def build_world(scale: str, seed: int, workdir: Path, end: str, seeds_from: Path | None = None) -> World:
    """Generate the demo data for `seed`, load the dbt seeds (copied from `seeds_from`, a world
    already seeded, when given: `sendwise.dbt.load_seeds`), read the truth."""
    import duckdb

    from sendwise.dbt import load_seeds
    from sendwise.demo.generate import generate
    from sendwise.demo.truth import load_truth

    world_dir = workdir / f"world_{seed}"
    world_dir.mkdir(parents=True, exist_ok=True)
    db = world_dir / DB_NAME
    generate(scale, seed, db, end)
    load_seeds(db, world_dir / "target", seeds_from)
    truth = load_truth(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        start_date, days = con.sql("select start_date, days from ground_truth.generation_meta").fetchone()
        settings = require(con, {"settings_modeling": "seeds"}, db)["settings_modeling"]
        quota_max = float(
            con.sql(
                f"select setting_value from {settings} where setting_name = 'daily_quota_max'"
            ).fetchone()[0]
        )
        pages = con.sql(
            f"""
            select
                pages.page_key, pages.audience_size, pages.audience_trend_per_day, pages.view_rate,
                pages.active_from_hour, pages.active_to_hour,
                coalesce(volume.ppv_sends, 0) / {HISTORY_DAYS_FOR_VOLUME}.0 as ppv_per_day
            from ground_truth.pages as pages
            left join (
                select page_key, count(*) as ppv_sends
                from ground_truth.sends
                where message_type = 'ppv' and day_index >= {int(days) - HISTORY_DAYS_FOR_VOLUME}
                group by 1
            ) as volume on pages.page_key = volume.page_key
            where pages.is_active
            order by pages.page_key
            """
        ).df()
        decay = float(
            con.sql(
                "select value from ground_truth.coefficients where name = 'fatigue_decay_days'"
            ).fetchone()[0]
        )
        end_s = pd.Timestamp(end).timestamp()
        # fatigue: sum over the caption's earlier sends on the page of exp(-age / decay), at the end
        uses = con.execute(
            """
            select page_key, caption_id,
                sum(exp(-(? - epoch(sending_time)) / 86400.0 / ?)) as uses_at_end
            from ground_truth.sends
            where caption_id is not null
            group by 1, 2
            """,
            [end_s, decay],
        ).df()
        history = con.sql(
            "select page_key, caption_id, earnings from ground_truth.sends"
            " where caption_id is not null and message_type = 'ppv'"
        ).df()
    finally:
        con.close()
    pages["page_idx"] = np.arange(len(pages))
    # hours of the active window, both ends inclusive, past midnight when from > to (as staging reads it)
    window = (pages["active_to_hour"] - pages["active_from_hour"]) % 24 + 1
    k = np.clip(np.round(pages["ppv_per_day"]).astype(int), 1, np.minimum(window, quota_max).astype(int))
    pages["send_hours"] = [
        sorted({int(f + np.floor((i + 0.5) * w / n)) % 24 for i in range(n)})
        for f, w, n in zip(pages["active_from_hour"], window, k, strict=True)
    ]
    return World(
        seed=seed,
        db_path=db,
        end=pd.Timestamp(end),
        truth=truth,
        pages=pages,
        start_date=np.datetime64(pd.Timestamp(start_date).date(), "D"),
        days=int(days),
        uses=uses,
        history=history,
    )


def _relation(compiled: CompiledRanking, name: str) -> str:
    return compiled.model(name).relation


def _pick_ranked(ranks: pd.DataFrame, send_slots: pd.DataFrame) -> pd.DataFrame:
    """Best-ranked caption per send slot, never twice for a page within the step."""
    out = []
    ranks = ranks.sort_values(["page_key", "slot_local_at", "rn"])
    by_slot = {key: grp["caption_id"].tolist() for key, grp in ranks.groupby(["page_key", "slot_local_at"])}
    for page_key, grp in send_slots.sort_values(["page_key", "slot_local_at"]).groupby("page_key"):
        used: set[str] = set()
        for slot in grp.itertuples(index=False):
            for caption_id in by_slot.get((page_key, slot.slot_local_at), []):
                if caption_id not in used:
                    used.add(caption_id)
                    out.append((page_key, slot.slot_local_at, caption_id))
                    break
    return pd.DataFrame(out, columns=["page_key", "slot_local_at", "caption_id"])


def _pick_random(pool: pd.DataFrame, send_slots: pd.DataFrame, world: World, seed: int, day: int):
    out = []
    idx = dict(zip(world.pages["page_key"], world.pages["page_idx"], strict=True))
    pools = {k: g["caption_id"].to_numpy() for k, g in pool.groupby("page_key")}
    for page_key, grp in send_slots.sort_values(["page_key", "slot_local_at"]).groupby("page_key"):
        captions = pools.get(page_key)
        if captions is None or captions.size == 0:
            continue
        rng = np.random.default_rng([seed, day, idx[page_key], 11])
        chosen = rng.choice(captions, size=min(len(grp), captions.size), replace=False)
        out.extend(
            zip([page_key] * len(chosen), grp["slot_local_at"].iloc[: len(chosen)], chosen, strict=True)
        )
    return pd.DataFrame(out, columns=["page_key", "slot_local_at", "caption_id"])


def slot_true_p(
    world: World, page_key, caption_id, slot: pd.DataFrame | pd.Series, sends_today, prior_uses=0.0
) -> np.ndarray:
    from sendwise.demo.truth import true_purchase_prob

    return true_purchase_prob(
        world.truth,
        page_key,
        caption_id,
        np.asarray(slot["slot_local_hour"], dtype=float),
        np.asarray(slot["slot_local_dow"], dtype=np.int64),
        np.asarray(slot["slot_price"], dtype=float),
        np.asarray(slot["slot_local_date"], dtype="datetime64[D]"),
        sends_today,
        prior_uses,
    )


def read_slots(con, compiled: CompiledRanking) -> pd.DataFrame:
    """The ranking's next 24 hourly slots of every page (int_ranking_slots) with their ladder price."""
    slots = con.sql(
        "select page_key, slot_local_at, slot_utc_at, slot_local_date, slot_local_hour, slot_local_dow,"
        f" slot_price from {_relation(compiled, 'int_ranking_slots')}"
    ).df()
    return slots.astype({"slot_local_hour": "int64"})


def page_send_slots(world: World, slots: pd.DataFrame) -> pd.DataFrame:
    """The slots at which each page sends (its fixed local send hours, `World.pages.send_hours`)."""
    hours = world.pages[["page_key", "send_hours"]].explode("send_hours")
    hours = hours.rename(columns={"send_hours": "slot_local_hour"}).astype({"slot_local_hour": "int64"})
    return slots.merge(hours, on=["page_key", "slot_local_hour"], how="inner")


def shift_slots(slots: pd.DataFrame, days: int) -> pd.DataFrame:
    """The same slots `days` later: local and UTC times, local date and weekday (DST ignored)."""
    out = slots.copy()
    if days:
        shift = pd.Timedelta(days=days)
        for col in ("slot_local_at", "slot_utc_at"):
            out[col] = out[col] + shift
        out["slot_local_date"] = pd.to_datetime(out["slot_local_date"]) + shift
        out["slot_local_dow"] = (out["slot_local_dow"] + days - 1) % 7 + 1
    return out


class Fatigue:
    """Each (page, caption)'s decayed earlier uses, sum of exp(-age / decay_days) over its sends on the
    page (the generator's `decayed_prior_uses`), carried forward from the end of the history."""

    def __init__(self, world: World):
        self.decay_days = float(world.truth.coefficients.get("fatigue_decay_days", 30.0))
        self.t_end = world.end.timestamp() / 86400.0
        self.acc = {
            (k, c): (float(u), self.t_end)
            for k, c, u in zip(
                world.uses["page_key"], world.uses["caption_id"], world.uses["uses_at_end"], strict=True
            )
        }

    def _now(self, key, t: float) -> float:
        acc, t_ref = self.acc.get(key, (0.0, t))
        return acc * np.exp(-(t - t_ref) / self.decay_days)

    def at(self, page_keys, caption_ids, utc_at) -> np.ndarray:
        t = _epoch_days(utc_at)
        keys = zip(page_keys, caption_ids, strict=True)
        return np.array([self._now(key, t[i]) for i, key in enumerate(keys)], dtype=float)

    def record(self, page_keys, caption_ids, utc_at) -> np.ndarray:
        """Add sends in time order (each one counts 1 from its send time on); returns each send's
        decayed earlier uses (a caption sent twice in one call: the second counts the first)."""
        t = _epoch_days(utc_at)
        before = np.zeros(len(t))
        for i, key in enumerate(zip(page_keys, caption_ids, strict=True)):
            before[i] = self._now(key, t[i])
            self.acc[key] = (before[i] + 1.0, t[i])
        return before


def _epoch_days(utc_at) -> np.ndarray:
    return pd.to_datetime(pd.Series(utc_at)).map(pd.Timestamp.timestamp).to_numpy() / 86400.0


def _pick_oracle(
    pool: pd.DataFrame, send_slots: pd.DataFrame, world: World, fatigue: Fatigue
) -> pd.DataFrame:
    """The truly best eligible captions (fatigue included), the best one in the most valuable slot."""
    out = []
    pools = {k: g["caption_id"].to_numpy() for k, g in pool.groupby("page_key")}
    for page_key, grp in send_slots.sort_values(["page_key", "slot_local_at"]).groupby("page_key"):
        captions = pools.get(page_key)
        if captions is None or captions.size == 0:
            continue
        ref = grp.iloc[[0]]
        n = captions.size
        keys = np.repeat(page_key, n)
        p = slot_true_p(
            world,
            keys,
            captions,
            ref.loc[ref.index.repeat(n)],
            np.zeros(n),
            fatigue.at(keys, captions, np.repeat(ref["slot_utc_at"].iloc[0], n)),
        )
        best = captions[np.argsort(-p, kind="stable")[: len(grp)]]
        value = grp["slot_price"].to_numpy() * slot_true_p(
            world, np.repeat(page_key, len(grp)), np.repeat(best[0], len(grp)), grp, np.zeros(len(grp))
        )
        slots_by_value = grp["slot_local_at"].to_numpy()[np.argsort(-value, kind="stable")][: best.size]
        out.extend(zip([page_key] * best.size, slots_by_value, best, strict=True))
    return pd.DataFrame(out, columns=["page_key", "slot_local_at", "caption_id"])


def _tiebreak(world: World, page_key: str, captions: np.ndarray, salt: int) -> np.ndarray:
    """A seeded random order of a page's captions (fixed for the world, the same every day)."""
    idx = int(world.pages.index[world.pages["page_key"] == page_key][0])
    return np.random.default_rng([world.seed, idx, salt]).permutation(captions.size)


def _pick_by_history(
    pool: pd.DataFrame, send_slots: pd.DataFrame, world: World, observed: pd.DataFrame, policy: str
) -> pd.DataFrame:
    """historical_best: the eligible captions by their mean revenue per send on the page so far;
    best_category: the eligible captions of the page's best category (mean revenue per send) first.
    No shrinkage, no exploration; ties (and never-sent captions) in a seeded random order."""
    out = []
    pools = dict(list(pool.groupby("page_key")))
    by_caption = observed.groupby(["page_key", "caption_id"])["earnings"].mean()
    by_category = observed.groupby(["page_key", "content_category"])["earnings"].mean()
    for page_key, grp in send_slots.sort_values(["page_key", "slot_local_at"]).groupby("page_key"):
        frame = pools.get(page_key)
        if frame is None or frame.empty:
            continue
        captions = frame["caption_id"].to_numpy()
        table = by_caption if policy == "historical_best" else by_category
        column = "caption_id" if policy == "historical_best" else "content_category"
        keys = pd.MultiIndex.from_arrays([np.repeat(page_key, len(frame)), frame[column].to_numpy()])
        value = table.reindex(keys).to_numpy(dtype=float)
        value = np.where(np.isnan(value), -np.inf, value)
        tie = np.empty(captions.size)
        tie[_tiebreak(world, page_key, captions, 13 if policy == "historical_best" else 17)] = np.arange(
            captions.size
        )
        order = np.lexsort((tie, -value))[: len(grp)]
        out.extend(
            zip(
                [page_key] * order.size, grp["slot_local_at"].iloc[: order.size], captions[order], strict=True
            )
        )
    return pd.DataFrame(out, columns=["page_key", "slot_local_at", "caption_id"])


def _cooldown_pool(state: pd.DataFrame, as_of: pd.Timestamp, cooldown_days: float, min_pool: int):
    """The SQL cooldown rule (int_ranking_caption_eligibility) on the baselines' own history, over
    every eligible pair (`CompiledRanking.every_eligible_pair`)."""
    age = (as_of - pd.to_datetime(state["last_used_at"])).dt.total_seconds() / 86400.0
    in_cooldown = age.le(cooldown_days).fillna(False).to_numpy()
    frame = state.assign(in_cooldown=in_cooldown)
    fresh = frame.groupby("page_key")["in_cooldown"].transform(lambda s: int((~s).sum()))
    lru = (
        frame[frame["in_cooldown"]]
        .sort_values(["page_key", "last_used_at", "caption_id"])
        .groupby("page_key")
        .cumcount()
        + 1
    )
    frame["lru_rank"] = lru
    admitted = ~frame["in_cooldown"] | (frame["lru_rank"] <= (min_pool - fresh))
    return frame.loc[admitted, ["page_key", "caption_id"]]


def send_outcomes(
    chosen: pd.DataFrame,
    world: World,
    seed: int,
    day: int,
    sends_so_far: dict[tuple[str, object], int],
    fatigue: Fatigue,
) -> pd.DataFrame:
    """Recipients, viewers, buyers of each chosen send, drawn like the demo generator's outcomes
    (`sendwise.demo.outcomes.draw_outcomes`), keyed by seed/day/page."""
    from sendwise.demo.outcomes import NOISE, beta_binomial

    chosen = chosen.sort_values(["page_key", "slot_local_at"]).reset_index(drop=True)
    pages = world.pages.set_index("page_key")
    sends_today = np.zeros(len(chosen))
    for i, row in enumerate(chosen.itertuples(index=False)):
        key = (row.page_key, row.slot_local_date)
        sends_today[i] = sends_so_far.get(key, 0)
        sends_so_far[key] = sends_so_far.get(key, 0) + 1
    page_keys = chosen["page_key"].to_numpy()
    caption_ids = chosen["caption_id"].to_numpy()
    prior_uses = fatigue.record(page_keys, caption_ids, chosen["slot_utc_at"])
    p = slot_true_p(world, page_keys, caption_ids, chosen, sends_today, prior_uses)
    day_index = (np.asarray(chosen["slot_local_date"], dtype="datetime64[D]") - world.start_date).astype(
        np.int64
    )
    page = pages.loc[chosen["page_key"]]
    audience = page["audience_size"].to_numpy() * np.exp(
        page["audience_trend_per_day"].to_numpy() * (day_index - (world.days - 1))
    )
    sent = np.zeros(len(chosen), dtype=np.int64)
    viewed = np.zeros(len(chosen), dtype=np.int64)
    bought = np.zeros(len(chosen), dtype=np.int64)
    view_rate = page["view_rate"].to_numpy()
    sd = NOISE["day_shock_sd"]
    for page_key, rows in chosen.groupby("page_key").groups.items():
        rows = np.asarray(rows)
        rng = np.random.default_rng([seed, day, int(pages.loc[page_key, "page_idx"]), 7])
        shock = np.exp(rng.normal(-(sd**2) / 2, sd))  # the page-day audience shock
        sent[rows] = np.round(audience[rows] * np.exp(rng.normal(0.0, NOISE["audience_noise_sd"], rows.size)))
        rate = np.clip(
            view_rate[rows] * np.exp(rng.normal(0.0, NOISE["view_noise_sd"], rows.size)), 0.02, 0.95
        )
        viewed[rows] = rng.binomial(sent[rows], rate)
        q = np.clip(p[rows] * shock / view_rate[rows], 0.0, 0.95)
        bought[rows] = beta_binomial(rng, viewed[rows], q, NOISE["purchase_concentration"])
    price = chosen["slot_price"].to_numpy(dtype=float)
    return chosen.assign(
        sends_today=sends_today,
        prior_uses=prior_uses,
        p_true=p,
        sent_count=sent,
        viewed_count=viewed,
        purchased_count=bought,
        earnings=np.round(price * bought, 2),
        expected_revenue=price * sent * p,
    )


def _append_history(con, compiled: CompiledRanking, sends: pd.DataFrame, bank: pd.DataFrame, tag: str):
    rows = sends.merge(bank, on="caption_id", how="left")
    frame = pd.DataFrame(
        {
            "send_id": [f"sim_{tag}_{i}" for i in range(len(rows))],
            "page_key": rows["page_key"],
            "page_name_raw": rows["page_key"],
            "is_page_name_normalised": False,
            "message_raw": rows["caption_text_normalized"],
            "caption_text_normalized": rows["caption_text_normalized"],
            "caption_hash": rows["caption_hash"],
            "sent_at": pd.to_datetime(rows["slot_utc_at"]),
            "price": rows["slot_price"].astype(float),
            "is_price_missing": False,
            "is_free": False,
            "message_type": "ppv",
            "is_message_type_normalised": False,
            "sent_count": rows["sent_count"].astype("int64"),
            "viewed_count": rows["viewed_count"].astype("int64"),
            "purchased_count": rows["purchased_count"].astype("int64"),
            "earnings": rows["earnings"].astype(float),
            "is_earnings_missing": False,
        }
    )
    con.register("_sim_sends", frame)
    try:
        con.execute(
            f"insert into {_relation(compiled, 'stg_agency__mass_messages')} by name select * from _sim_sends"
        )
    finally:
        con.unregister("_sim_sends")


def simulate_policy(
    world: World,
    compiled: CompiledRanking,
    policy: str,
    days: int,
    scratch_dir: Path,
    *,
    step_days: int = 1,
    threads: int | None = None,
) -> tuple[pd.DataFrame, float]:
    """Play `days` days forward for one policy; returns one row per simulated send and the SQL time."""
    import duckdb

    scratch_dir.mkdir(parents=True, exist_ok=True)
    db = scratch_dir / DB_NAME
    shutil.copyfile(world.db_path, db)
    con = duckdb.connect(str(db))
    sql_seconds = 0.0
    try:
        con.execute("set TimeZone = 'UTC'")
        if threads:
            con.execute(f"set threads = {int(threads)}")
        end_text = world.end.strftime("%Y-%m-%d %H:%M:%S")
        compiled.setup(con, end_text)
        settings = compiled.seed_relation("settings_modeling")
        if world.restricted:
            keep = ", ".join(f"'{k}'" for k in world.pages["page_key"])
            for name in ("stg_agency__pages", "stg_agency__mass_messages"):
                con.execute(f"delete from {_relation(compiled, name)} where page_key not in ({keep})")
        con.execute(
            f"update {settings} set setting_value = cast(cast(setting_value as bigint) + ? as varchar)"
            " where setting_name = 'thompson_seed'",
            [int(world.seed)],
        )
        top_n = int(
            float(
                con.execute(
                    f"select setting_value from {settings} where setting_name = 'ranking_top_n'"
                ).fetchone()[0]
            )
        )
        bank = con.sql(
            "select caption_id, caption_hash, caption_text_normalized, content_category"
            f" from {_relation(compiled, 'stg_agency__caption_bank')}"
        ).df()
        category = dict(zip(bank["caption_id"], bank["content_category"], strict=True))
        # what the history-based baselines know: the page's PPV bank sends and their revenue so far
        observed = world.history.assign(content_category=world.history["caption_id"].map(category))
        sent_before = set(world.uses["caption_id"])  # captions any page sent in the history
        page_sent_before = set(zip(world.uses["page_key"], world.uses["caption_id"], strict=True))
        fatigue = Fatigue(world)
        frozen_prices: pd.DataFrame | None = None
        if policy in SQL_POLICIES:
            pool_state = None
        else:
            # baselines are not the ranking: they take every eligible pair of the SQL once (vault,
            # availability, validation, last use) and apply the same cooldown rule as the days go by
            compiled.execute(con, end_text, only=compiled.ancestors({"int_ranking_caption_eligibility"}))
            pool_state = compiled.every_eligible_pair(con)
            cooldown_days = float(
                con.execute(
                    f"select setting_value from {settings} where setting_name = 'caption_cooldown_days'"
                ).fetchone()[0]
            )
            min_pool = int(
                float(
                    con.execute(
                        f"select setting_value from {settings} where setting_name = 'cooldown_min_pool'"
                    ).fetchone()[0]
                )
            )
        # History older than the longest window the ranking SQL reads cannot change a ranking: drop it
        # as the days go by so that each day's SQL reads a bounded history.
        windows = sorted(compiled.settings_used("_window_days"))
        history_days = max(
            (
                float(
                    con.execute(
                        f"select setting_value from {settings} where setting_name = ?", [n]
                    ).fetchone()[0]
                )
                for n in windows
            ),
            default=None,
        )
        history = _relation(compiled, "stg_agency__mass_messages")
        sends_so_far: dict = {}
        out = []
        for step in range(0, days, step_days):
            as_of = world.end + pd.Timedelta(days=step)
            as_of_text = as_of.strftime("%Y-%m-%d %H:%M:%S")
            t0 = time.perf_counter()
            if history_days is not None:
                horizon = as_of - pd.Timedelta(days=history_days + 1)
                con.execute(f"delete from {history} where sent_at < ?", [horizon.to_pydatetime()])
            if policy in SQL_POLICIES:
                compiled.execute(con, as_of_text)
                ranks = con.sql(
                    f"select page_key, slot_local_at, caption_id, rn from {_relation(compiled, 'caption_rankings_next24')}"
                    f" where rn <= {top_n}"
                ).df()
            else:
                compiled.execute(con, as_of_text, only=compiled.ancestors({"int_ranking_slots"}))
                pool = _cooldown_pool(pool_state, as_of, cooldown_days, min_pool)
            slots = read_slots(con, compiled)
            sql_seconds += time.perf_counter() - t0
            if frozen_prices is None:  # the first day's ladder prices, for every policy and every day
                frozen_prices = slots.groupby(["page_key", "slot_local_hour"], as_index=False)[
                    "slot_price"
                ].first()
            slots = slots.drop(columns="slot_price").merge(
                frozen_prices, on=["page_key", "slot_local_hour"], how="inner"
            )
            send_slots = page_send_slots(world, slots)
            # a step longer than the ranking horizon reuses the horizon's hours each day
            for offset in range(step_days):
                if step + offset >= days:
                    break
                day = step + offset
                day_slots = shift_slots(send_slots, offset)
                if policy in SQL_POLICIES:
                    shifted = ranks.assign(slot_local_at=ranks["slot_local_at"] + pd.Timedelta(days=offset))
                    chosen = _pick_ranked(shifted, day_slots)
                elif policy == "random":
                    chosen = _pick_random(pool, day_slots, world, world.seed, day)
                elif policy in ("historical_best", "best_category"):
                    chosen = _pick_by_history(
                        pool.assign(content_category=pool["caption_id"].map(category)),
                        day_slots,
                        world,
                        observed,
                        policy,
                    )
                else:
                    chosen = _pick_oracle(pool, day_slots, world, fatigue)
                chosen = chosen.merge(day_slots, on=["page_key", "slot_local_at"], how="inner")
                sends = send_outcomes(chosen, world, world.seed, day, sends_so_far, fatigue)
                sends["is_new_caption"] = ~sends["caption_id"].isin(sent_before)
                sends["is_new_to_page"] = [
                    (k, c) not in page_sent_before
                    for k, c in zip(sends["page_key"], sends["caption_id"], strict=True)
                ]
                if policy in ("historical_best", "best_category"):
                    observed = pd.concat(
                        [
                            observed,
                            sends[["page_key", "caption_id", "earnings"]].assign(
                                content_category=sends["caption_id"].map(category)
                            ),
                        ],
                        ignore_index=True,
                    )
                if pool_state is not None:
                    used = sends[["page_key", "caption_id", "slot_utc_at"]].rename(
                        columns={"slot_utc_at": "used_at"}
                    )
                    pool_state = pool_state.merge(used, on=["page_key", "caption_id"], how="left")
                    pool_state["last_used_at"] = pool_state["used_at"].combine_first(
                        pool_state["last_used_at"]
                    )
                    pool_state = pool_state.drop(columns="used_at")
                _append_history(con, compiled, sends, bank, f"{policy}_{day}")
                out.append(sends.assign(policy=policy, seed=world.seed, day=day, week=day // 7))
    finally:
        con.close()
    frame = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return frame, sql_seconds
