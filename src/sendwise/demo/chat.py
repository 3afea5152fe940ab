"""Fan chat logs (chat.chat_logs): fan-model pairs with hidden segments, sessions, offers, tips, details."""

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
BUY_P = np.array([0.70, 0.38, 0.07, 0.0])
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


def _structure(rng, pages, n_fans, start_s, end_s):
    """Pairs, sessions and row times for a pool of fans (no text yet)."""
    n_pages = len(pages)
    n_models = rng.choice([1, 2, 3, 4], size=n_fans, p=[0.66, 0.24, 0.08, 0.02])
    n_models = np.minimum(n_models, n_pages)
    w = np.sqrt(pages["audience_size"].to_numpy())
    keys = np.log(w)[None, :] + rng.gumbel(size=(n_fans, n_pages))
    ranked = np.argsort(-keys, axis=1)
    take = np.arange(n_pages)[None, :] < n_models[:, None]
    fan = np.repeat(np.arange(n_fans), n_models)
    page = ranked[take]
    multi = n_models[fan] > 1
    u = rng.random(fan.size)
    seg = np.where(
        multi,
        np.searchsorted(np.cumsum(SEG_P_MULTI), u, side="right"),
        np.searchsorted(np.cumsum(SEG_P_SINGLE), u, side="right"),
    ).clip(0, 3)
    P = fan.size
    lo = np.maximum(start_s, pages["onboarded_at"].to_numpy().astype("datetime64[s]").astype(np.int64))[page]
    hi = np.minimum(end_s, start_s + (pages["last_send_day"].to_numpy() + 1) * 86400)[page]
    hi = np.maximum(hi, lo + 86400)
    pstart = lo + ((hi - lo - 3600) * rng.random(P) ** EARLY_START[seg]).astype(np.int64)
    life = (rng.exponential(LIFETIME_DAYS[seg]) * 86400 + 3600).astype(np.int64)
    churn_at = pstart + life
    churned = (rng.random(P) < CHURN_P[seg]) & (churn_at < np.minimum(hi, end_s - 7 * 86400))
    span_end = np.where(churned, churn_at, hi)

    n_sess = 1 + rng.poisson(SESSIONS_MEAN[seg])
    s_pair = np.repeat(np.arange(P), n_sess)
    S = s_pair.size
    n_msg = 1 + rng.poisson(MSGS_MEAN[seg][s_pair] - 1)
    r_sess = np.repeat(np.arange(S), n_msg)
    R = r_sess.size
    gaps = np.exp(rng.normal(np.log(90), 1.0, R)).clip(5, 3 * 3600)
    long_gap = rng.random(R) < 0.03
    gaps = np.where(long_gap, rng.uniform(3600, 3.9 * 3600, R), gaps).astype(np.int64)
    r_first = np.r_[True, r_sess[1:] != r_sess[:-1]]
    gaps[r_first] = 0
    offset = _gcumsum(gaps, r_first)
    dur = np.zeros(S, dtype=np.int64)
    dur[r_sess] = offset  # last write wins -> duration of each session
    s_first = np.r_[True, s_pair[1:] != s_pair[:-1]]
    mean_gap = np.maximum((span_end - pstart) / n_sess, 3600.0)[s_pair]
    s_gap = np.where(rng.random(S) < 0.08, EXACT_4H, EXACT_4H + 1 + rng.exponential(mean_gap)).astype(
        np.int64
    )
    prev_dur = np.r_[0, dur[:-1]]
    adv = np.where(s_first, 0, prev_dur + s_gap)
    s_start = pstart[s_pair] + _gcumsum(adv, s_first)
    t = s_start[r_sess] + offset
    r_pair = s_pair[r_sess]
    keep = t < span_end[r_pair]
    return {"fan": fan, "page": page, "seg": seg, "churned": churned, "r_pair": r_pair[keep], "t": t[keep]}


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
    pool = max(40, int(target_rows / 35 / 1.45 * 1.6))
    while True:
        st = _structure(rng, pages, pool, start_s, end_s)
        fan_rows = np.bincount(st["fan"][st["r_pair"]], minlength=pool)
        cum = np.cumsum(fan_rows)
        if cum[-1] >= target_rows:
            n_fans = int(np.searchsorted(cum, target_rows) + 1)
            break
        pool *= 2
    keep_pair = st["fan"] < n_fans
    pair_new = np.cumsum(keep_pair) - 1
    fan, page, seg, churned = (st[k][keep_pair] for k in ("fan", "page", "seg", "churned"))
    rmask = keep_pair[st["r_pair"]]
    r_pair = pair_new[st["r_pair"][rmask]]
    t = st["t"][rmask]
    P, R = fan.size, t.size

    fan_ids = _fan_ids(rng, n_fans)
    model = pages["page_name"].to_numpy()[page]
    pair_fan_id = fan_ids[fan]
    rseg = seg[r_pair]

    # row kinds by segment (loop over 4 segments)
    kind = np.zeros(R, dtype=np.int64)
    for s in range(4):
        m = rseg == s
        kind[m] = rng.choice(len(KINDS), size=m.sum(), p=KIND_P[s])
    first_row = np.r_[True, r_pair[1:] != r_pair[:-1]]
    kind[first_row] = 0  # every relationship opens with the fan writing

    fan_msg = np.full(R, "", dtype=_O)
    chat_msg = np.empty(R, dtype=_O)
    price = np.zeros(R)
    purchased = np.zeros(R, dtype=bool)
    tips = np.zeros(R)

    lines = {s: np.array(vocab.FAN_LINES[SEGMENTS[s]], dtype=_O) for s in range(4)}
    chatter_lines = np.array(vocab.CHATTER_LINES, dtype=_O)
    for s in range(4):
        m = (kind == 0) & (rseg == s)
        k = int(m.sum())
        txt = lines[s][rng.integers(0, lines[s].size, k)]
        if s == ROMANTIC:  # romantics write long messages
            two = rng.random(k) < 0.6
            joiner = np.where(np.char.endswith(txt.astype(str), "?"), " ", ". ")
            txt = np.where(two, txt + joiner + lines[s][rng.integers(0, lines[s].size, k)], txt)
        fan_msg[m] = txt
    chat_msg[:] = chatter_lines[rng.integers(0, chatter_lines.size, R)]

    m = kind == 2
    fan_msg[m] = np.where(rng.random(m.sum()) < 0.7, "Media", "GIF")

    m = kind == 3
    amounts = np.zeros(R)
    for s in range(4):
        ms = m & (rseg == s)
        amounts[ms] = TIP_AMOUNTS[s][rng.integers(0, TIP_AMOUNTS[s].size, ms.sum())]
    tips[m] = amounts[m]
    uniq = np.unique(amounts[m])
    text_of = {a: f"I sent you a ${a:.2f} tip" for a in uniq}
    fan_msg[m] = np.array([text_of[a] for a in uniq], dtype=_O)[np.searchsorted(uniq, amounts[m])]
    thanks = np.array(vocab.CHATTER_THANKS, dtype=_O)
    chat_msg[m] = thanks[rng.integers(0, thanks.size, m.sum())]

    m = kind == 4
    k = int(m.sum())
    offers = np.array(vocab.CHATTER_OFFERS, dtype=_O)
    chat_msg[m] = offers[rng.integers(0, offers.size, k)]
    raw_price = PRICE_MEDIAN[rseg[m]] * np.exp(rng.normal(0, 0.4, k))
    price[m] = np.clip(np.round(raw_price) - 0.01, 4.99, 199.99)
    p_buy = np.clip(BUY_P[rseg[m]] * (price[m] / PRICE_MEDIAN[rseg[m]]) ** -0.5, 0, 0.95)
    purchased[m] = rng.random(k) < p_buy
    react = rng.random(k) < 0.4
    buy_txt = np.array(vocab.FAN_REACTIONS_BUY, dtype=_O)[rng.integers(0, len(vocab.FAN_REACTIONS_BUY), k)]
    skip_txt = np.array(vocab.FAN_REACTIONS_SKIP, dtype=_O)[rng.integers(0, len(vocab.FAN_REACTIONS_SKIP), k)]
    fan_msg[m] = np.where(react, np.where(purchased[m], buy_txt, skip_txt), "")

    # personal details and adversarial lines go into fan_text rows, one per row
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
    n_adv = max(2, round(0.015 * P))
    adv = np.zeros(P, bool)
    adv[rng.choice(np.flatnonzero(seg != GHOST), n_adv, replace=False)] = True
    it_pair = np.concatenate([np.flatnonzero(adv), np.nonzero(share)[0]])
    it_type = np.concatenate([np.full(adv.sum(), -1), np.nonzero(share)[1]])
    it_val = np.concatenate([np.zeros(adv.sum(), np.int64), val_idx[share]])
    it_prio = np.concatenate([np.zeros(adv.sum()), 1 + rng.random(share.sum())])
    o = np.lexsort((it_prio, it_pair))
    it_pair, it_type, it_val = it_pair[o], it_type[o], it_val[o]
    it_rank = _rank_in_group(it_pair)
    cand = np.flatnonzero(kind == 0)
    o = np.lexsort((rng.random(cand.size), r_pair[cand]))
    cand = cand[o]
    c_rank = _rank_in_group(r_pair[cand])
    slots = pd.DataFrame({"pair": r_pair[cand], "rank": c_rank, "row": cand})
    items = pd.DataFrame({"pair": it_pair, "rank": it_rank, "type": it_type, "val": it_val})
    placed = items.merge(slots, on=["pair", "rank"], how="inner")
    special = np.zeros(R, bool)
    special[placed["row"].to_numpy()] = True
    adv_lines = np.array(vocab.ADVERSARIAL_LINES, dtype=_O)
    detail_rows = []
    for ti in range(-1, len(types)):  # loop over detail types (templates), not rows
        sel = placed[placed["type"] == ti]
        if sel.empty:
            continue
        rows = sel["row"].to_numpy()
        if ti < 0:
            fan_msg[rows] = adv_lines[rng.integers(0, adv_lines.size, rows.size)]
            continue
        pool_vals = np.array([v for v, _ in vocab.DETAILS[types[ti]]], dtype=_O)
        pool_txt = np.array([s for _, s in vocab.DETAILS[types[ti]]], dtype=_O)
        vi = sel["val"].to_numpy()
        fan_msg[rows] = pool_txt[vi]
        pr = sel["pair"].to_numpy()
        detail_rows.append(
            pd.DataFrame(
                {
                    "fan_id": pair_fan_id[pr],
                    "model_name": model[pr],
                    "detail_type": types[ti],
                    "detail_value": pool_vals[vi],
                }
            )
        )
    details = pd.concat(detail_rows, ignore_index=True).sort_values(["fan_id", "model_name", "detail_type"])
    adv_placed = np.zeros(P, bool)
    adv_placed[placed.loc[placed["type"] < 0, "pair"].to_numpy()] = True

    # chatter: each page has a three-person team covering UTC shifts 0-8, 8-16, 16-24
    teams = np.array([rng.choice(len(vocab.CHATTERS), 3, replace=False) for _ in range(len(pages))])
    shift = ((t % 86400) // (8 * 3600)).astype(np.int64)
    chatter = np.array(vocab.CHATTERS, dtype=_O)[teams[page[r_pair], shift]]
    # HTML-entity messiness in chatter text (only where there is something to escape)
    esc_cand = pc.match_substring_regex(pa.array(chat_msg, type=pa.string()), "[&'\"]").to_numpy(
        zero_copy_only=False
    )
    ent = esc_cand & (rng.random(R) < 0.15)
    chat_msg[ent] = html_escape(chat_msg[ent])

    revenue = price * purchased + tips
    raw = pd.DataFrame(
        {
            "chatter_name": chatter,
            "model_name": model[r_pair],
            "fan_message": fan_msg,
            "chatter_message": chat_msg,
            "price": price,
            "purchased": purchased,
            "fan_id": pair_fan_id[r_pair],
            "datetime": t.astype("datetime64[s]"),
            "tips": tips,
            "revenue": revenue,
        }
    )
    order = np.lexsort((raw["fan_id"].to_numpy().astype(str), t))
    raw = raw.iloc[order].reset_index(drop=True)
    special = special[order]
    t_sorted = t[order]
    pair_sorted = r_pair[order]

    # pair truth
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
            "segment": SEGMENTS[seg],
            "churned": churned,
            "is_multi_model": np.bincount(fan, minlength=n_fans)[fan] > 1,
            "is_adversarial": adv_placed,
            "first_active_at": first_t.astype("datetime64[s]"),
            "last_active_at": last_t.astype("datetime64[s]"),
            "n_rows": np.bincount(r_pair, minlength=P),
        }
    )
    fans = fans[fans["n_rows"] > 0].sort_values(["fan_id", "model_name"]).reset_index(drop=True)

    # defects: never on rows carrying a personal detail or an adversarial line
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

    raw = insert_after(raw, [(dup, raw.iloc[dup]), (picks["system_message"], sysrows)])
    return raw, fans, details
