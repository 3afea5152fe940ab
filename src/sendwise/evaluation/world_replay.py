"""A replay log drawn from the demo world (issue 14), for `sendwise replay --world-log` and
`sendwise evaluate-replay`.

`sendwise replay` (Li et al. 2011, `sendwise.evaluation.replay`) is single-population: its arms
become the library captions of one page, and a matched event becomes a one-recipient PPV send of
that page. So a world log is the log of **one page** of the world:

* **the page**: by default the active page whose sends reach the most recipients a day (audience x
  sends a day), which gives the replay the most events per simulated day;
* **the arms**: `n_arms` captions drawn uniformly (seeded) from the page's eligible pool as the
  project's SQL has it at the world's end (every eligible pair, `CompiledRanking.every_eligible_pair`:
  available, validated, created, category in the page's vault; the cooldown is left out, as the
  replay leaves it out). The whole pool (hundreds of captions) cannot be the arm set: a replay matches
  about one event in n, so with n in the hundreds each policy would learn from a handful of
  sends. A random sample keeps the arms representative of what the page can send;
* **the slots**: the page's fixed local send hours of the forward simulation
  (`World.pages.send_hours`, its PPV volume of the last 28 days) on `days` days after the end of
  the history, each at the ladder price the ranking SQL gives that local hour on the first day
  (frozen, as in `evaluate-ranking`);
* **the logging policy**: at each slot one arm drawn from `logging_probabilities` (uniform, 1/n
  each, with replacement: an arm can be logged twice a day, so every arm keeps a non-zero
  propensity at every slot, which the replay needs), recorded in the `propensity` column;
* **the outcomes**: the generator's own truth and noise through the forward simulation's
  `send_outcomes` (`true_purchase_prob` with the caption's fatigue carried over from the history
  and added by the log's own sends, the page-day audience shock, lognormal audience and view
  noise, beta-binomial purchases);
* **the events**: one event per recipient of a send (the replay adds a matched event as a send to
  one recipient, so a whole send cannot be one event: its purchases are not a 0/1 outcome). The
  recipients of a send share its time (page-local, which is the replay page's UTC), arm and
  price; `purchased` marks the send's buyers, `revenue` = price x purchased. Revenue per event is
  therefore revenue per recipient of a PPV send.

The truth beside the log (`WorldLog.arm_values`): the true expected revenue per event of each arm
had it been sent at every logged slot, price x p_true averaged over the log's recipients, with the
fatigue the log itself left on that arm (what the replay can see), and `sustained_values`, the same
with the fatigue that sending the arm at every slot would cause (what the replay cannot see: replay
assumes an event's reward does not depend on earlier choices, and the world's caption fatigue
breaks that assumption). The uniform logging policy's true value is the mean of `arm_values`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sendwise.demo.truth import HOLIDAY_HORIZON_DAYS
from sendwise.errors import UserError
from sendwise.evaluation.replay import DB_NAME, LOG_COLUMNS, PROPENSITY_COLUMN

DEFAULT_ARMS = 8
DEFAULT_DAYS = 84
MAX_DAYS = HOLIDAY_HORIZON_DAYS  # the truth's holidays are known this far after the history
LOG_STREAM = 1401  # the logging policy's random stream (with the world seed)


def check_arguments(*, n_arms: int, days: int, scale: str | None = None) -> None:
    """Refuse arguments a world log cannot be drawn with (UserError: one line, exit 2)."""
    from sendwise.demo.config import SCALES

    if scale is not None and scale not in SCALES:
        raise UserError(f"--scale must be one of {', '.join(SCALES)}, not {scale!r}")
    if n_arms < 2:
        raise UserError(f"--arms must be at least 2, not {n_arms}")
    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"--days must be between 1 and {MAX_DAYS} (the truth's holiday horizon), not {days}")


def logging_probabilities(n_arms: int, n_slots: int) -> np.ndarray:
    """The logging policy's probability of each arm at each slot, (n_slots, n_arms): uniform."""
    if n_arms < 1:
        raise ValueError("the logging policy needs at least one arm")
    return np.full((n_slots, n_arms), 1.0 / n_arms)


def draw_logged_arms(
    rng: np.random.Generator, arms: Sequence[str], probabilities: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One arm per slot (row of `probabilities`) and the probability it had (its propensity)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(probabilities.shape[0]) * cumulative[:, -1]
    chosen = (u[:, None] < cumulative).argmax(axis=1)
    propensity = probabilities[np.arange(chosen.size), chosen]
    return np.asarray(arms, dtype=object)[chosen], propensity


def sample_arms(pool: Sequence[str], n_arms: int, rng: np.random.Generator) -> list[str]:
    """`n_arms` captions drawn uniformly without replacement from a page's pool (all when fewer)."""
    pool = sorted(set(pool))
    if len(pool) <= n_arms:
        return pool
    return sorted(rng.choice(np.asarray(pool, dtype=object), size=n_arms, replace=False).tolist())


def busiest_page(world) -> str:
    """The active page whose sends reach the most recipients a day (ties: the smaller page_key)."""
    pages = world.pages.assign(
        recipients_a_day=world.pages["audience_size"] * world.pages["send_hours"].map(len)
    )
    pages = pages.sort_values(["recipients_a_day", "page_key"], ascending=[False, True])
    return str(pages["page_key"].iloc[0])


def recipient_events(sends: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One event per recipient of each send (in send order), the send's buyers in a random order."""
    sent = sends["sent_count"].to_numpy(dtype=np.int64)
    row = np.repeat(np.arange(len(sends)), sent)
    start = np.concatenate([[0], np.cumsum(sent)[:-1]])
    order = np.lexsort((rng.random(row.size), row))  # by send, then at random
    bought = np.zeros(row.size, dtype=np.int64)
    bought[order] = (np.arange(row.size) - start[row[order]]) < sends["purchased_count"].to_numpy()[
        row[order]
    ]
    price = sends["slot_price"].to_numpy(dtype=float)[row]
    return pd.DataFrame(
        {
            "event_at": pd.to_datetime(sends["slot_local_at"]).to_numpy()[row],
            "arm_id": sends["caption_id"].to_numpy(dtype=object)[row],
            "price": price,
            "purchased": bought,
            "revenue": np.round(price * bought, 2),
            PROPENSITY_COLUMN: sends[PROPENSITY_COLUMN].to_numpy(dtype=float)[row],
            "send_row": row,
        }
    )


@dataclass
class WorldLog:
    seed: int
    page_key: str
    arms: list[str]
    sends: pd.DataFrame  # one row per logged send: slot, caption_id, outcomes, p_true, propensity
    events: pd.DataFrame  # one row per recipient: LOG_COLUMNS + propensity + send_row
    arm_values: pd.Series  # arm -> true expected revenue per event (the log's own fatigue)
    sustained_values: pd.Series  # arm -> the same had the arm been sent at every slot

    @property
    def best_arm(self) -> str:
        """The truly best arm (highest arm value; ties: the smaller caption_id)."""
        values = self.arm_values
        return str(values[values == values.max()].index.min())

    @property
    def uniform_value(self) -> float:
        """The logging (uniform random) policy's true expected revenue per event."""
        return float(self.arm_values.mean())

    def expected_revenue(self) -> np.ndarray:
        """Each event's true expected revenue (price x p_true of its send), in log order."""
        send = self.sends["slot_price"].to_numpy(dtype=float) * self.sends["p_true"].to_numpy(dtype=float)
        return send[self.events["send_row"].to_numpy()]

    def write(self, path: str | Path) -> Path:
        """The log as `sendwise replay --log` reads it (LOG_COLUMNS + propensity)."""
        path = Path(path)
        self.events[[*LOG_COLUMNS, PROPENSITY_COLUMN]].to_csv(path, index=False)
        return path

    def summary(self) -> dict:
        return {
            "seed": self.seed,
            "page": self.page_key,
            "arms": len(self.arms),
            "sends": len(self.sends),
            "events": len(self.events),
            "days": int(self.sends["day"].max()) + 1 if len(self.sends) else 0,
            "best_arm": self.best_arm,
            "best_arm_value": float(self.arm_values.max()),
            "uniform_value": self.uniform_value,
            "log_mean_revenue_per_event": float(self.events["revenue"].mean()),
            "arm_values": {a: float(v) for a, v in self.arm_values.items()},
            "sustained_values": {a: float(v) for a, v in self.sustained_values.items()},
        }


def pools_and_slots(world, compiled, scratch: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The eligible (page_key, caption_id) pairs and every page's first-day slots with their ladder
    price, from the project's ranking SQL at the world's end (on a scratch copy of the world)."""
    import duckdb

    from sendwise.evaluation.simulate import read_slots

    scratch.mkdir(parents=True, exist_ok=True)
    db = scratch / DB_NAME
    shutil.copyfile(world.db_path, db)
    end = world.end.strftime("%Y-%m-%d %H:%M:%S")
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        compiled.setup(con, end)
        compiled.execute(
            con, end, only=compiled.ancestors({"int_ranking_caption_eligibility", "int_ranking_slots"})
        )
        eligible = compiled.every_eligible_pair(con)[["page_key", "caption_id"]]
        slots = read_slots(con, compiled)
    finally:
        con.close()
    return eligible, slots


def draw_world_log(
    world,
    eligible: pd.DataFrame,
    slots: pd.DataFrame,
    *,
    page_key: str | None = None,
    n_arms: int = DEFAULT_ARMS,
    days: int = DEFAULT_DAYS,
) -> WorldLog:
    """Log `days` days of one page's sends under the uniform logging policy (see the module)."""
    from sendwise.evaluation.simulate import Fatigue, page_send_slots, send_outcomes, shift_slots

    check_arguments(n_arms=n_arms, days=days)
    page_key = page_key or busiest_page(world)
    if page_key not in set(world.pages["page_key"]):
        raise UserError(f"--page {page_key}: not an active page of the seed-{world.seed} world")
    rng = np.random.default_rng([int(world.seed), LOG_STREAM])
    arms = sample_arms(eligible.loc[eligible["page_key"] == page_key, "caption_id"], n_arms, rng)
    if len(arms) < 2:
        raise UserError(f"page {page_key} has {len(arms)} eligible caption(s); a replay needs 2 or more")
    first_day = page_send_slots(world, slots[slots["page_key"] == page_key]).sort_values("slot_local_at")
    fatigue = Fatigue(world)
    sends_so_far: dict = {}
    out = []
    for day in range(days):
        day_slots = shift_slots(first_day, day)
        logged, propensity = draw_logged_arms(rng, arms, logging_probabilities(len(arms), len(day_slots)))
        chosen = day_slots.assign(caption_id=logged, **{PROPENSITY_COLUMN: propensity})
        out.append(send_outcomes(chosen, world, world.seed, day, sends_so_far, fatigue).assign(day=day))
    sends = pd.concat(out, ignore_index=True)
    values, sustained = arm_values(world, sends, arms)
    return WorldLog(
        seed=int(world.seed),
        page_key=page_key,
        arms=arms,
        sends=sends,
        events=recipient_events(sends, rng),
        arm_values=values,
        sustained_values=sustained,
    )


def arm_values(world, sends: pd.DataFrame, arms: list[str]) -> tuple[pd.Series, pd.Series]:
    """Each arm's true expected revenue per event over the log's sends (recipient-weighted): with the
    fatigue the log left on the arm, and with the fatigue of sending it at every slot."""
    from sendwise.evaluation.simulate import Fatigue, slot_true_p

    n, k = len(sends), len(arms)
    page = sends["page_key"].to_numpy(dtype=object)
    at = sends["slot_utc_at"].to_numpy()
    logged = Fatigue(world)  # replays the log's own sends
    sustained = {a: Fatigue(world) for a in arms}  # arm a sent at every slot
    uses = np.zeros((n, k))
    own = np.zeros((n, k))
    for i in range(n):
        uses[i] = logged.at([page[i]] * k, arms, [at[i]] * k)
        logged.record([page[i]], [sends["caption_id"].iat[i]], [at[i]])
        for j, arm in enumerate(arms):
            own[i, j] = sustained[arm].record([page[i]], [arm], [at[i]])[0]
    repeated = sends.loc[sends.index.repeat(k)]
    weight = sends["sent_count"].to_numpy(dtype=float) * sends["slot_price"].to_numpy(dtype=float)
    total = max(float(sends["sent_count"].sum()), 1.0)

    def per_event(prior_uses: np.ndarray) -> pd.Series:
        p = slot_true_p(
            world,
            np.repeat(page, k),
            np.tile(np.asarray(arms, dtype=object), n),
            repeated,
            repeated["sends_today"].to_numpy(),
            prior_uses.ravel(),
        ).reshape(n, k)
        return pd.Series((weight[:, None] * p).sum(axis=0) / total, index=arms)

    return per_event(uses), per_event(own)


def draw_from_world(world, compiled, scratch: Path, **options) -> WorldLog:
    """`pools_and_slots` then `draw_world_log` (options: page_key, n_arms, days)."""
    eligible, slots = pools_and_slots(world, compiled, scratch)
    return draw_world_log(world, eligible, slots, **options)


def truth_check(world_log: WorldLog, result, summary: dict) -> dict:
    """The replay's estimate for one policy set beside the hidden truth of the same log.

    * matched_true_revenue_per_event: the true expected revenue (price x p_true) of the very events
      the replay matched, weighted as the estimate weights them: the estimate minus its outcome
      noise (`truth_in_interval`: inside the bootstrap interval);
    * pct_of_best_arm: the estimate as a percentage of the best arm's true value;
    * final_choice_*: the true value of the policy's final choice (the rank-1 arm of the first
      slot after the log; none for random);
    * final_ranking_*: the true value of the final ranking at the hours the page sends, the mean
      of the arm values of each hour's rank-1 arm weighted by the log's events at that hour (the
      ranking's rank-1 differs by hour: the same-day penalty and the per-slot draws)."""
    best_value = float(world_log.arm_values.max())
    expected = world_log.expected_revenue()[result.matched_index]
    weights = np.ones(expected.size) if result.propensities is None else 1.0 / result.propensities
    truth = float((weights * expected).sum() / weights.sum()) if expected.size else None
    estimate = summary["revenue_per_event"]
    final = result.final_choice
    final_value = float(world_log.arm_values[final]) if final in world_log.arm_values.index else None
    low, high = summary["ci_low"], summary["ci_high"]
    ranking_value = None
    if result.final_by_hour:
        hours = pd.to_datetime(world_log.events["event_at"]).dt.hour.value_counts(normalize=True)
        ranking_value = float(
            sum(
                share * world_log.arm_values.get(result.final_by_hour.get(h), np.nan)
                for h, share in hours.items()
            )
        )
    return {
        "matched_true_revenue_per_event": truth,
        "truth_in_interval": None if truth is None or low is None else bool(low <= truth <= high),
        "pct_of_best_arm": None if estimate is None else 100.0 * estimate / best_value,
        "matched_true_pct_of_best_arm": None if truth is None else 100.0 * truth / best_value,
        "share_true_best_arm": summary["share_best_arm"],
        "final_choice_true_value": final_value,
        "final_choice_pct_of_best_arm": None if final_value is None else 100.0 * final_value / best_value,
        "final_choice_is_best": None if final is None else final == world_log.best_arm,
        "final_ranking_true_value": ranking_value,
        "final_ranking_pct_of_best_arm": None
        if ranking_value is None
        else 100.0 * ranking_value / best_value,
        "final_choice_sustained_value": None
        if final_value is None
        else float(world_log.sustained_values[final]),
    }


AGGREGATED = (
    "revenue_per_event",
    "pct_of_best_arm",
    "matched_true_pct_of_best_arm",
    "final_choice_pct_of_best_arm",
    "final_ranking_pct_of_best_arm",
    "share_true_best_arm",
    "matched_events",
)


def aggregate(per_seed: dict[int, dict], policies: Sequence[str]) -> dict:
    """Mean and 95 % t-interval over seeds of each policy's figures, the seeds on which its final
    choice was the best arm and its truth fell in its interval, and its gain over random in points
    of the best arm's value (paired by seed)."""
    from sendwise.evaluation.record import mean_interval

    seeds = list(per_seed)
    out: dict = {
        "uniform_pct_of_best_arm": mean_interval(
            [
                100.0 * per_seed[s]["log"]["uniform_value"] / per_seed[s]["log"]["best_arm_value"]
                for s in seeds
            ]
        ),
        "best_arm_sustained_pct_of_best_arm": mean_interval(
            [
                100.0
                * per_seed[s]["log"]["sustained_values"][per_seed[s]["log"]["best_arm"]]
                / per_seed[s]["log"]["best_arm_value"]
                for s in seeds
            ]
        ),
    }
    for policy in policies:
        rows = [per_seed[s]["policies"][policy] for s in seeds]
        entry = {name: mean_interval([r.get(name) for r in rows]) for name in AGGREGATED}
        entry["seeds_final_choice_is_best"] = sum(bool(r.get("final_choice_is_best")) for r in rows)
        entry["seeds_truth_in_interval"] = sum(bool(r.get("truth_in_interval")) for r in rows)
        if policy != "random" and "random" in policies:
            entry["gain_over_random_points"] = mean_interval(
                [
                    r["pct_of_best_arm"] - per_seed[s]["policies"]["random"]["pct_of_best_arm"]
                    for s, r in zip(seeds, rows, strict=True)
                    if r["pct_of_best_arm"] is not None
                ]
            )
        out[policy] = entry
    return out
