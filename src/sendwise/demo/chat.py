"""Fan chat logs (chat.chat_logs): fan-model pairs with hidden segments, sessions, offers, tips, details.

The hidden world of a pair (ground_truth.fans): its segment (whale / romantic / sampler / ghost), a
spend deviation z ~ N(0, 1) inside the segment, and the fan's preferred UTC hour and regularity
(shared by the fan's pairs). What the log shows of them, only partly:
* text: every fan line comes from one of five phrase stocks (the four segments' and a common one),
  drawn by the pair's own voice, a Dirichlet around its segment's mix (VOICE_*) tilted toward the
  whale stock by z: stocks overlap, and some pairs talk like another segment;
* timing: a share `regularity` of the fan's sessions starts near the preferred hour (spread
  TIMING_SD_HOURS), the rest anywhere; the fan stays silent (a chatter_only row) more often far
  from the preferred hour, and buys an offer more often near it;
* purchases: logit(buy) = logit(BUY_P[segment]) + BUY_SPEND x z - BUY_PRICE_ELASTICITY x
  ln(price / segment median) + BUY_TIMING x (closeness - 0.5); ghosts get no offers;
* several creators: a third of the fans talk to 2-4 models, the later ones starting a few days
  (MULTI_START_DAYS) after the first, so many talk to several in the same week.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sendwise.demo import vocab
from sendwise.demo.defects import Labels, insert_after, pick_disjoint
from sendwise.demo.keys import page_key
from sendwise.demo.sends import html_escape

_O = object
SRC = "chat.chat_logs"
SEGMENTS = np.array(["whale", "romantic", "sampler", "ghost"], dtype=_O)
WHALE, ROMANTIC, SAMPLER, GHOST = range(4)
# per segment: whale, romantic, sampler, ghost
SEG_P_SINGLE = np.array([0.11, 0.24, 0.25, 0.40])
SEG_P_MULTI = np.array([0.07, 0.14, 0.52, 0.27])
SESSIONS_MEAN = np.array([9.0, 8.0, 7.0, 0.3])  # extra sessions beyond the first (Poisson)
MSGS_MEAN = np.array([8.0, 11.0, 3.0, 2.0])  # rows per session (1 + Poisson(m - 1))
CHURN_P = np.array([0.2, 0.3, 0.55, 0.95])
LIFETIME_DAYS = np.array([60.0, 40.0, 20.0, 3.0])  # mean lifetime of churning pairs
EARLY_START = np.array([1.8, 1.5, 1.0, 1.0])  # start = lo + (hi - lo) * U ** k
N_MODELS_P = (0.60, 0.25, 0.11, 0.04)  # a fan talks to 1, 2, 3 or 4 models
MULTI_START_DAYS = 2.0  # mean days between a fan's first model and each later one (and their ends)
MULTI_SESSIONS = 1.5  # a multi-model fan's pairs have this many times the segment's sessions
REGULARITY = (0.45, 0.85)  # range of the share of a fan's sessions started near the preferred hour
TIMING_SD_HOURS = 2.0  # spread of those sessions around the preferred hour (and of closeness)
SILENCE_OFF_HOURS = 1.2  # logit shift of staying silent far from the preferred hour ...
SILENCE_TIMING = 2.2  # ... minus this x closeness (1 at the preferred hour)
# Phrase stocks of a pair's voice: own segment, each other segment, the common stock (sum 1)
VOICE_OWN, VOICE_OTHER, VOICE_COMMON = 0.50, 0.25, 0.25
VOICE_CONCENTRATION = 5.0  # Dirichlet concentration of a pair's voice around its segment's mix
VOICE_SPEND_TILT = 0.5  # log weight of the whale stock per unit of the spend deviation z
BUY_SPEND = 0.9  # buy logit per unit of z
BUY_PRICE_ELASTICITY = 0.5
BUY_TIMING = 1.0
# row kinds: fan_text, chatter_only, media, tip, offer
KINDS = ("fan_text", "chatter_only", "media", "tip", "offer")
KIND_P = np.array(
    [
        [0.45, 0.14, 0.08, 0.08, 0.25],  # whale
        [0.66, 0.10, 0.05, 0.04, 0.15],  # romantic
        [0.52, 0.25, 0.06, 0.01, 0.16],  # sampler
        [0.58, 0.40, 0.02, 0.00, 0.00],  # ghost
    ]
)
BUY_P = np.array([0.70, 0.38, 0.07, 0.0])  # base buy probability of an offer at the segment's median price
PRICE_MEDIAN = np.array([40.0, 18.0, 10.0, 8.0])
TIP_AMOUNTS = (
    np.array([20.0, 25.0, 50.0, 100.0, 200.0]),
    np.array([5.0, 10.0, 15.0, 20.0, 25.0]),
    np.array([5.0, 10.0]),
    np.array([5.0]),
)
DETAIL_SHARE = np.array([0.35, 0.80, 0.12, 0.05])  # chance that a pair mentions each detail type
EXACT_4H = 4 * 3600
# (segment, detail_type) -> value weights (default 1): profiles differ by segment
DETAIL_BIAS: dict[tuple[str, str], dict[str, float]] = {
    ("romantic", "emotional_need"): {"lonely": 4.0, "comfort": 3.0, "attention": 2.0},
    ("romantic", "motivation"): {"personal connection": 5.0, "supporting creator": 2.0},
    ("romantic", "personality"): {"romantic": 4.0, "shy": 2.0},
    ("whale", "motivation"): {"exclusive content": 4.0, "custom content": 4.0},
    ("whale", "emotional_need"): {"escape": 3.0, "validation": 2.0},
    ("whale", "job"): {"lawyer": 3.0, "software engineer": 3.0, "sales manager": 3.0},
    ("sampler", "motivation"): {"deals": 5.0},
    ("sampler", "personality"): {"introvert": 2.0, "funny": 2.0},
}


def _gcumsum(x: np.ndarray, start_mask: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each True of start_mask (inclusive)."""
    cs = np.cumsum(x)
    starts = np.flatnonzero(start_mask)
    lengths = np.diff(np.r_[starts, x.size])
    return cs - np.repeat(cs[starts] - x[starts], lengths)


def _rank_in_group(group: np.ndarray) -> np.ndarray:
    """0-based position within runs of equal (sorted) group values."""
    start = np.r_[True, group[1:] != group[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(group.size), 0))
    return np.arange(group.size) - first


def _fan_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    nums = rng.choice(np.arange(100_000, 1_000_000), size=n, replace=False)
    ids = np.char.add("fan_", nums.astype(str)).astype(_O)
    handle = rng.random(n) < 0.1
    k = int(handle.sum())
    words = np.array(vocab.FAN_HANDLE_WORDS, dtype=_O)[rng.integers(0, len(vocab.FAN_HANDLE_WORDS), k)]
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"), dtype=_O)[rng.integers(0, 26, k)]
    seps = np.array([".", "_", ""], dtype=_O)[rng.integers(0, 3, k)]
    suffix = (nums[handle] % 1000).astype(str).astype(_O)  # unique because nums are unique
    ids[handle] = words + seps + letters + "_" + suffix
    return ids


def _assign_pairs(rng: np.random.Generator, pages: pd.DataFrame, n_fans: int) -> dict[str, np.ndarray]:
    """Fan-model pairs: how many models each fan talks to (a third talk to several), which ones
    (bigger pages attract more fans), the pair's segment and its latent spend deviation z."""
    n_pages = len(pages)
    n_models = np.minimum(rng.choice([1, 2, 3, 4], size=n_fans, p=N_MODELS_P), n_pages)
    w = np.sqrt(pages["audience_size"].to_numpy())
    keys = np.log(w)[None, :] + rng.gumbel(size=(n_fans, n_pages))
    ranked = np.argsort(-keys, axis=1)
    take = np.arange(n_pages)[None, :] < n_models[:, None]
    fan = np.repeat(np.arange(n_fans), n_models)
    u = rng.random(fan.size)
    seg = np.where(
        n_models[fan] > 1,
        np.searchsorted(np.cumsum(SEG_P_MULTI), u, side="right"),
        np.searchsorted(np.cumsum(SEG_P_SINGLE), u, side="right"),
    ).clip(0, 3)
    return {
        "fan": fan,
        "page": ranked[take],
        "rank": _rank_in_group(fan),  # 0 = the fan's first model
        "multi": n_models[fan] > 1,
        "seg": seg,
        "z": rng.normal(0.0, 1.0, fan.size),
        "pref_hour": rng.uniform(0.0, 24.0, n_fans)[fan],  # the fan's own preferred UTC hour
        "regularity": rng.uniform(*REGULARITY, n_fans)[fan],
    }


def _pair_spans(rng, pairs: dict, pages: pd.DataFrame, start_s: int, end_s: int) -> dict[str, np.ndarray]:
    """Start, churn and end of every pair. A fan's later models start a few days after the first
    (MULTI_START_DAYS on average), so fans talk to several creators in the same weeks."""
    page, seg, fan = pairs["page"], pairs["seg"], pairs["fan"]
    lo = np.maximum(start_s, pages["onboarded_at"].to_numpy().astype("datetime64[s]").astype(np.int64))[page]
    hi = np.minimum(end_s, start_s + (pages["last_send_day"].to_numpy() + 1) * 86400)[page]
    hi = np.maximum(hi, lo + 86400)
    first = pairs["rank"] == 0
    anchor = np.zeros(fan.max(initial=-1) + 1, dtype=np.int64)
    u = rng.random(fan.size) ** EARLY_START[seg]
    anchor[fan[first]] = (lo + (hi - lo - 3600) * u)[first].astype(np.int64)
    later = (rng.exponential(MULTI_START_DAYS, fan.size) * 86400).astype(np.int64)
    pstart = np.clip(anchor[fan] + np.where(first, 0, later), lo, hi - 3600)
    # a fan who leaves leaves every model: later pairs churn with the first, a few days apart
    life = (rng.exponential(LIFETIME_DAYS[seg]) * 86400 + 3600).astype(np.int64)
    leaves = rng.random(fan.size) < CHURN_P[seg]
    churn_at = pstart + life
    first_churn = np.zeros(anchor.size, dtype=np.int64)
    first_churn[fan[first]] = np.where(leaves, churn_at, np.iinfo(np.int64).max // 2)[first]
    lag = (rng.exponential(MULTI_START_DAYS, fan.size) * 86400).astype(np.int64)
    churn_at = np.where(first, churn_at, np.maximum(pstart + 3600, first_churn[fan] + lag))
    churned = np.where(first, leaves, first_churn[fan] < np.iinfo(np.int64).max // 2)
    churned &= churn_at < np.minimum(hi, end_s - 7 * 86400)
    return {"pstart": pstart, "span_end": np.where(churned, churn_at, hi), "churned": churned}


def _next_at_hour(earliest: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """The first time >= earliest whose UTC time of day is `hour` (fractional hours)."""
    target = (hour % 24.0 * 3600).astype(np.int64)
    return earliest + (target - earliest % 86400) % 86400


def _session_hours(rng, pairs: dict, s_pair: np.ndarray) -> np.ndarray:
    """UTC hour each session starts at: near the fan's preferred hour (the fan's regularity share of
    sessions, spread TIMING_SD_HOURS) or anywhere in the day (the chatter reaching out)."""
    n = s_pair.size
    near = rng.random(n) < pairs["regularity"][s_pair]
    return np.where(
        near, pairs["pref_hour"][s_pair] + rng.normal(0.0, TIMING_SD_HOURS, n), rng.uniform(0.0, 24.0, n)
    )


def _sessions(rng, pairs: dict, spans: dict) -> tuple[np.ndarray, np.ndarray]:
    """(row pair, row UTC seconds): sessions of 1 + Poisson rows, consecutive sessions of a pair more
    than 4 h apart (8 % exactly 4 h: the conversation-gap boundary), each starting at its drawn hour."""
    seg = pairs["seg"]
    n_sess = 1 + rng.poisson(SESSIONS_MEAN[seg] * np.where(pairs["multi"], MULTI_SESSIONS, 1.0))
    s_pair = np.repeat(np.arange(seg.size), n_sess)
    s_rank = _rank_in_group(s_pair)
    n_msg = 1 + rng.poisson(MSGS_MEAN[seg][s_pair] - 1)
    r_sess = np.repeat(np.arange(s_pair.size), n_msg)
    gaps = np.exp(rng.normal(np.log(90), 1.0, r_sess.size)).clip(5, 3 * 3600)
    gaps = np.where(rng.random(r_sess.size) < 0.03, rng.uniform(3600, 3.9 * 3600, r_sess.size), gaps)
    gaps = gaps.astype(np.int64)
    r_first = np.r_[True, r_sess[1:] != r_sess[:-1]]
    gaps[r_first] = 0
    offset = _gcumsum(gaps, r_first)
    dur = np.zeros(s_pair.size, dtype=np.int64)
    dur[r_sess] = offset  # last write wins -> duration of each session
    span = spans["span_end"] - spans["pstart"]
    mean_gap = np.maximum(span / n_sess / 2.0, 3600.0)[s_pair]
    exact = rng.random(s_pair.size) < 0.08
    s_gap = np.where(exact, EXACT_4H, EXACT_4H + 1 + rng.exponential(mean_gap)).astype(np.int64)
    hours = _session_hours(rng, pairs, s_pair)
    start = np.zeros(s_pair.size, dtype=np.int64)
    k0 = s_rank == 0
    start[k0] = _next_at_hour(spans["pstart"][s_pair[k0]], hours[k0])
    for k in range(1, int(s_rank.max(initial=0)) + 1):  # loop over session ranks, vectorised over pairs
        idx = np.flatnonzero(s_rank == k)
        earliest = start[idx - 1] + dur[idx - 1] + s_gap[idx]
        start[idx] = np.where(exact[idx], earliest, _next_at_hour(earliest, hours[idx]))
    t = start[r_sess] + offset
    r_pair = s_pair[r_sess]
    keep = t < spans["span_end"][r_pair]
    return r_pair[keep], t[keep]


def _structure(rng, pages, n_fans, start_s, end_s):
    """Pairs, their spans and row times for a pool of fans (no text yet)."""
    pairs = _assign_pairs(rng, pages, n_fans)
    spans = _pair_spans(rng, pairs, pages, start_s, end_s)
    r_pair, t = _sessions(rng, pairs, spans)
    return {**pairs, "churned": spans["churned"], "r_pair": r_pair, "t": t}


def _closeness(t: np.ndarray, pref_hour: np.ndarray) -> np.ndarray:
    """1 at the fan's preferred hour, falling off with the circular distance (TIMING_SD_HOURS)."""
    h = (t % 86400) / 3600.0
    d = np.abs(h - pref_hour) % 24.0
    d = np.minimum(d, 24.0 - d)
    return np.exp(-0.5 * (d / TIMING_SD_HOURS) ** 2)


def _row_kinds(rng, rseg: np.ndarray, closeness: np.ndarray, r_pair: np.ndarray) -> np.ndarray:
    """Kind of every row. Whether the fan stays silent (chatter_only) depends on the segment and on
    how close the row's hour is to the fan's preferred hour; the other kinds keep their segment mix."""
    n = rseg.size
    base = KIND_P[rseg, 1]
    pair_noise = rng.normal(0.0, 0.4, r_pair.max(initial=-1) + 1)[r_pair]
    logit = np.log(base / (1 - base)) + SILENCE_OFF_HOURS - SILENCE_TIMING * closeness + pair_noise
    silent = rng.random(n) < 1 / (1 + np.exp(-logit))
    kind = np.zeros(n, dtype=np.int64)
    others = np.delete(np.arange(len(KINDS)), 1)
    for s in range(4):  # loop over segments
        m = (rseg == s) & ~silent
        p = KIND_P[s, others] / KIND_P[s, others].sum()
        kind[m] = others[rng.choice(others.size, size=int(m.sum()), p=p)]
    kind[silent] = 1
    kind[np.r_[True, r_pair[1:] != r_pair[:-1]]] = 0  # every relationship opens with the fan writing
    return kind


def _voices(rng, seg: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Per pair, the probabilities of drawing a line from each stock (whale, romantic, sampler, ghost,
    common): a Dirichlet around the segment's mix, tilted to the whale stock by the spend deviation z."""
    mix = np.full((4, 5), VOICE_OTHER / 3)
    mix[np.arange(4), np.arange(4)] = VOICE_OWN
    mix[:, 4] = VOICE_COMMON
    voice = rng.gamma(VOICE_CONCENTRATION * mix[seg])
    voice[:, WHALE] *= np.exp(VOICE_SPEND_TILT * z)
    return voice / voice.sum(axis=1, keepdims=True)


def _fan_texts(rng, kind: np.ndarray, rseg: np.ndarray, voice_rows: np.ndarray) -> np.ndarray:
    """Fan text of fan_text rows: a line from a stock drawn by the pair's voice (romantic lines often
    come two at a time); other rows get ''."""
    stocks = [np.array(vocab.FAN_LINES[SEGMENTS[s]], dtype=_O) for s in range(4)]
    stocks.append(np.array(vocab.FAN_LINES_COMMON, dtype=_O))
    m = np.flatnonzero(kind == 0)
    cum = np.cumsum(voice_rows[m], axis=1)
    stock = (rng.random(m.size)[:, None] > cum).sum(axis=1).clip(0, 4)
    txt = np.empty(m.size, dtype=_O)
    for k, pool in enumerate(stocks):  # loop over the five stocks
        sel = stock == k
        txt[sel] = pool[rng.integers(0, pool.size, int(sel.sum()))]
    two = (stock == ROMANTIC) & (rng.random(m.size) < 0.6)
    second = stocks[ROMANTIC][rng.integers(0, stocks[ROMANTIC].size, m.size)]
    joiner = np.where(np.char.endswith(txt.astype(str), "?"), " ", ". ")
    txt = np.where(two, txt + joiner + second, txt)
    out = np.full(kind.size, "", dtype=_O)
    out[m] = txt
    return out


def _offers(rng, rows: np.ndarray, rseg: np.ndarray, z_rows: np.ndarray, closeness: np.ndarray):
    """(price, purchased, fan reaction) of offer rows: the buy logit adds the pair's spend deviation,
    a price elasticity and the timing (offers near the fan's preferred hour sell better)."""
    k = rows.size
    seg = rseg[rows]
    price = np.clip(np.round(PRICE_MEDIAN[seg] * np.exp(rng.normal(0, 0.4, k))) - 0.01, 4.99, 199.99)
    base = np.clip(BUY_P[seg], 0.005, 0.95)
    logit = (
        np.log(base / (1 - base))
        + BUY_SPEND * z_rows[rows]
        - BUY_PRICE_ELASTICITY * np.log(price / PRICE_MEDIAN[seg])
        + BUY_TIMING * (closeness[rows] - 0.5)
    )
    bought = (rng.random(k) < 1 / (1 + np.exp(-logit))) & (BUY_P[seg] > 0)
    react = rng.random(k) < 0.4
    buy_txt = np.array(vocab.FAN_REACTIONS_BUY, dtype=_O)[rng.integers(0, len(vocab.FAN_REACTIONS_BUY), k)]
    skip_txt = np.array(vocab.FAN_REACTIONS_SKIP, dtype=_O)[rng.integers(0, len(vocab.FAN_REACTIONS_SKIP), k)]
    return price, bought, np.where(react, np.where(bought, buy_txt, skip_txt), "")


def _tips(rng, rows: np.ndarray, rseg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(amount, fan text) of tip rows."""
    amounts = np.zeros(rows.size)
    for s in range(4):
        ms = rseg[rows] == s
        amounts[ms] = TIP_AMOUNTS[s][rng.integers(0, TIP_AMOUNTS[s].size, int(ms.sum()))]
    uniq = np.unique(amounts)
    text_of = np.array([f"I sent you a ${a:.2f} tip" for a in uniq], dtype=_O)
    return amounts, text_of[np.searchsorted(uniq, amounts)] if rows.size else np.array([], dtype=_O)


def _place_details(rng, seg, kind, r_pair, fan_msg, pair_fan_id, model):
    """Personal details and adversarial lines, one per fan_text row of their pair (never two in a row's
    text). Returns (details truth frame, rows carrying one, pairs with a placed adversarial line)."""
    P, R = seg.size, kind.size
    types = vocab.DETAIL_TYPES
    share = rng.random((P, len(types))) < DETAIL_SHARE[seg][:, None]
    val_idx = np.zeros((P, len(types)), dtype=np.int64)
    for j, d in enumerate(types):  # loop over detail types x segments (value mix depends on segment)
        values = [v for v, _ in vocab.DETAILS[d]]
        for s in range(4):
            m = seg == s
            bias = DETAIL_BIAS.get((SEGMENTS[s], d), {})
            w = np.array([bias.get(v, 1.0) for v in values])
            val_idx[m, j] = rng.choice(len(values), size=int(m.sum()), p=w / w.sum())
    adv = np.zeros(P, bool)
    adv[rng.choice(np.flatnonzero(seg != GHOST), max(2, round(0.015 * P)), replace=False)] = True
    it_pair = np.concatenate([np.flatnonzero(adv), np.nonzero(share)[0]])
    it_type = np.concatenate([np.full(adv.sum(), -1), np.nonzero(share)[1]])
    it_val = np.concatenate([np.zeros(adv.sum(), np.int64), val_idx[share]])
    it_prio = np.concatenate([np.zeros(adv.sum()), 1 + rng.random(share.sum())])
    o = np.lexsort((it_prio, it_pair))
    items = pd.DataFrame(
        {"pair": it_pair[o], "rank": _rank_in_group(it_pair[o]), "type": it_type[o], "val": it_val[o]}
    )
    cand = np.flatnonzero(kind == 0)
    cand = cand[np.lexsort((rng.random(cand.size), r_pair[cand]))]
    slots = pd.DataFrame({"pair": r_pair[cand], "rank": _rank_in_group(r_pair[cand]), "row": cand})
    placed = items.merge(slots, on=["pair", "rank"], how="inner")
    special = np.zeros(R, bool)
    special[placed["row"].to_numpy()] = True
    detail_rows = []
    for ti in range(-1, len(types)):  # loop over detail types (templates), not rows
        sel = placed[placed["type"] == ti]
        if sel.empty:
            continue
        rows = sel["row"].to_numpy()
        if ti < 0:
            adv_lines = np.array(vocab.ADVERSARIAL_LINES, dtype=_O)
            fan_msg[rows] = adv_lines[rng.integers(0, adv_lines.size, rows.size)]
            continue
        pool = vocab.DETAILS[types[ti]]
        vi = sel["val"].to_numpy()
        fan_msg[rows] = np.array([s for _, s in pool], dtype=_O)[vi]
        pr = sel["pair"].to_numpy()
        detail_rows.append(
            pd.DataFrame(
                {
                    "fan_id": pair_fan_id[pr],
                    "model_name": model[pr],
                    "detail_type": types[ti],
                    "detail_value": np.array([v for v, _ in pool], dtype=_O)[vi],
                }
            )
        )
    details = pd.concat(detail_rows, ignore_index=True).sort_values(["fan_id", "model_name", "detail_type"])
    adv_placed = np.zeros(P, bool)
    adv_placed[placed.loc[placed["type"] < 0, "pair"].to_numpy()] = True
    return details, special, adv_placed


def _sized_structure(rng, pages, target_rows: int, start_s: int, end_s: int) -> dict[str, np.ndarray]:
    """The structure of the smallest prefix of a fan pool whose rows reach target_rows."""
    pool = max(40, int(target_rows / 35 / 1.45 * 1.6))
    while True:
        st = _structure(rng, pages, pool, start_s, end_s)
        cum = np.cumsum(np.bincount(st["fan"][st["r_pair"]], minlength=pool))
        if cum[-1] >= target_rows:
            n_fans = int(np.searchsorted(cum, target_rows) + 1)
            break
        pool *= 2
    keep_pair = st["fan"] < n_fans
    pair_new = np.cumsum(keep_pair) - 1
    out = {k: v[keep_pair] for k, v in st.items() if k not in ("r_pair", "t")}
    rmask = keep_pair[st["r_pair"]]
    out["r_pair"] = pair_new[st["r_pair"][rmask]]
    out["t"] = st["t"][rmask]
    out["n_fans"] = n_fans
    return out


def generate_chat(
    rng: np.random.Generator,
    pages: pd.DataFrame,
    target_rows: int,
    start: np.datetime64,
    end: np.datetime64,
    labels: Labels,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(raw chat_logs, truth fans, truth fan_details)."""
    start_s = start.astype("datetime64[s]").astype(np.int64)
    end_s = end.astype("datetime64[s]").astype(np.int64)
    st = _sized_structure(rng, pages, target_rows, start_s, end_s)
    fan, page, seg, r_pair, t = st["fan"], st["page"], st["seg"], st["r_pair"], st["t"]
    fan_ids = _fan_ids(rng, st["n_fans"])
    model = pages["page_name"].to_numpy()[page]
    pair_fan_id = fan_ids[fan]
    rows = _row_content(rng, st)
    details, special, adv_placed = _place_details(
        rng, seg, rows["kind"], r_pair, rows["fan_message"], pair_fan_id, model
    )
    # chatter: each page has a three-person team covering UTC shifts 0-8, 8-16, 16-24
    teams = np.array([rng.choice(len(vocab.CHATTERS), 3, replace=False) for _ in range(len(pages))])
    shift = ((t % 86400) // (8 * 3600)).astype(np.int64)
    chatter = np.array(vocab.CHATTERS, dtype=_O)[teams[page[r_pair], shift]]
    chat_msg = rows["chatter_message"]
    esc_cand = pc.match_substring_regex(pa.array(chat_msg, type=pa.string()), "[&'\"]").to_numpy(
        zero_copy_only=False
    )  # HTML-entity messiness in chatter text (only where there is something to escape)
    ent = esc_cand & (rng.random(t.size) < 0.15)
    chat_msg[ent] = html_escape(chat_msg[ent])
    raw = pd.DataFrame(
        {
            "chatter_name": chatter,
            "model_name": model[r_pair],
            "fan_message": rows["fan_message"],
            "chatter_message": chat_msg,
            "price": rows["price"],
            "purchased": rows["purchased"],
            "fan_id": pair_fan_id[r_pair],
            "datetime": t.astype("datetime64[s]"),
            "tips": rows["tips"],
            "revenue": rows["price"] * rows["purchased"] + rows["tips"],
        }
    )
    order = np.lexsort((raw["fan_id"].to_numpy().astype(str), t))
    raw = raw.iloc[order].reset_index(drop=True)
    fans = _fans_truth(st, pair_fan_id, model, pages, adv_placed)
    raw = _chat_defects(rng, raw, special[order], t[order], r_pair[order], labels)
    return raw, fans, details


def _row_content(rng, st: dict) -> dict[str, np.ndarray]:
    """Kinds, fan and chatter text, offers, purchases and tips of every row."""
    seg, r_pair, t = st["seg"], st["r_pair"], st["t"]
    R = t.size
    rseg = seg[r_pair]
    close = _closeness(t, st["pref_hour"][r_pair])
    kind = _row_kinds(rng, rseg, close, r_pair)
    fan_msg = _fan_texts(rng, kind, rseg, _voices(rng, seg, st["z"])[r_pair])
    chatter_lines = np.array(vocab.CHATTER_LINES, dtype=_O)
    chat_msg = chatter_lines[rng.integers(0, chatter_lines.size, R)]
    m = kind == 2
    fan_msg[m] = np.where(rng.random(int(m.sum())) < 0.7, "Media", "GIF")
    price = np.zeros(R)
    purchased = np.zeros(R, dtype=bool)
    tips = np.zeros(R)
    m = np.flatnonzero(kind == 3)
    tips[m], fan_msg[m] = _tips(rng, m, rseg)
    thanks = np.array(vocab.CHATTER_THANKS, dtype=_O)
    chat_msg[m] = thanks[rng.integers(0, thanks.size, m.size)]
    m = np.flatnonzero(kind == 4)
    offers = np.array(vocab.CHATTER_OFFERS, dtype=_O)
    chat_msg[m] = offers[rng.integers(0, offers.size, m.size)]
    price[m], purchased[m], fan_msg[m] = _offers(rng, m, rseg, st["z"][r_pair], close)
    return {
        "kind": kind, "fan_message": fan_msg, "chatter_message": chat_msg, "price": price,
        "purchased": purchased, "tips": tips,
    }  # fmt: skip


def _fans_truth(st: dict, pair_fan_id, model, pages: pd.DataFrame, adv_placed) -> pd.DataFrame:
    fan, page, r_pair, t = st["fan"], st["page"], st["r_pair"], st["t"]
    P = fan.size
    first_t = np.full(P, np.iinfo(np.int64).max)
    last_t = np.zeros(P, dtype=np.int64)
    np.minimum.at(first_t, r_pair, t)
    np.maximum.at(last_t, r_pair, t)
    fans = pd.DataFrame(
        {
            "fan_id": pair_fan_id,
            "model_name": model,
            "fan_model_key": pair_fan_id
            + "|"
            + np.array([page_key(x) for x in pages["page_name"]], dtype=_O)[page],
            "segment": SEGMENTS[st["seg"]],
            "spend_z": st["z"],
            "preferred_hour_utc": st["pref_hour"],
            "regularity": st["regularity"],
            "churned": st["churned"],
            "is_multi_model": np.bincount(fan, minlength=st["n_fans"])[fan] > 1,
            "is_adversarial": adv_placed,
            "first_active_at": first_t.astype("datetime64[s]"),
            "last_active_at": last_t.astype("datetime64[s]"),
            "n_rows": np.bincount(r_pair, minlength=P),
        }
    )
    return fans[fans["n_rows"] > 0].sort_values(["fan_id", "model_name"]).reset_index(drop=True)


def _chat_defects(rng, raw: pd.DataFrame, special, t_sorted, pair_sorted, labels: Labels) -> pd.DataFrame:
    """Defects: never on rows carrying a personal detail or an adversarial line."""
    n = len(raw)
    op = np.lexsort((t_sorted, pair_sorted))  # rows of each pair in time order
    same = np.r_[pair_sorted[op][1:] == pair_sorted[op][:-1], False]
    gap_next = np.full(n, 10**9, dtype=np.int64)
    gap_next[op] = np.where(same, np.r_[np.diff(t_sorted[op]), 10**9], 10**9)
    clean = ~special
    picks, _ = pick_disjoint(
        rng,
        n,
        SRC,
        eligible={
            "invalid_fan_id": clean,
            "exact_duplicate": clean,
            "missing_datetime": clean,
            "system_message": clean & (gap_next >= 2),  # +1 s must not hit the pair's next row
        },
    )
    keys = ("fan_id", "model_name", "datetime")
    i = picks["invalid_fan_id"]
    raw.loc[i, "fan_id"] = np.array(["!", "", "??", " "], dtype=_O)[np.arange(i.size) % 4]
    labels.add(SRC, "invalid_fan_id", *(raw[c].to_numpy()[i] for c in keys))

    i = picks["system_message"]
    sysrows = raw.iloc[i].copy().reset_index(drop=True)
    sysrows["datetime"] = sysrows["datetime"].to_numpy() + np.timedelta64(1, "s")
    sys_txt = np.array(vocab.SYSTEM_MESSAGES, dtype=_O)
    sysrows["fan_message"] = sys_txt[rng.integers(0, sys_txt.size, i.size)]
    sysrows["chatter_message"] = ""
    sysrows[["price", "tips", "revenue"]] = 0.0
    sysrows["purchased"] = False
    labels.add(SRC, "system_message", *(sysrows[c].to_numpy() for c in keys))

    dup = picks["exact_duplicate"]
    labels.add(SRC, "exact_duplicate", *(raw[c].to_numpy()[dup] for c in keys))

    i = picks["missing_datetime"]
    labels.add(
        SRC,
        "missing_datetime",
        raw["fan_id"].to_numpy()[i],
        raw["model_name"].to_numpy()[i],
        np.full(i.size, None),
    )
    dt = raw["datetime"].to_numpy().astype("datetime64[s]").copy()
    dt[i] = np.datetime64("NaT")
    raw["datetime"] = dt

    return insert_after(raw, [(dup, raw.iloc[dup]), (picks["system_message"], sysrows)])
