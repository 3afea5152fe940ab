"""Mass messages (agency.mass_messages): volumes, local send times, captions, prices, outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sendwise.demo.captions import off_bank_texts
from sendwise.demo.config import OFF_BANK_SHARE
from sendwise.demo.defects import Labels, pick_disjoint, with_copies
from sendwise.demo.pages import name_variants
from sendwise.demo.truth import Truth, true_purchase_prob

_O = object
SRC = "agency.mass_messages"
TYPES = np.array(["ppv", "free", "bump", "tip", "renew"], dtype=_O)
TYPE_P_PAID = np.array([0.74, 0.08, 0.06, 0.05, 0.07])
TYPE_P_FREE = np.array([0.80, 0.08, 0.06, 0.06, 0.00])
TYPE_AUDIENCE = np.array([1.0, 1.0, 0.7, 0.9, 0.4])  # share of the audience each type reaches
TIER_PRICE = {"budget": 0.75, "mid": 1.0, "premium": 1.35}
AGENCY_DOW_VOLUME = np.array([0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.1, 1.05])  # ISO dow -> volume multiplier


def _arrow_replace(values: np.ndarray, pairs: list[tuple[str, str]], max_replacements=None) -> np.ndarray:
    arr = pa.array(values, type=pa.string())
    for a, b in pairs:
        arr = pc.replace_substring(arr, a, b, max_replacements=max_replacements)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=_O)


def html_escape(values: np.ndarray) -> np.ndarray:
    return _arrow_replace(values, [("&", "&amp;"), ("'", "&#39;"), ('"', "&quot;")])


def to_utc(local: np.ndarray, page_idx: np.ndarray, tzs: np.ndarray) -> np.ndarray:
    """Page-local naive datetime64[s] -> naive UTC datetime64[s] (loops over pages, not rows)."""
    out = np.empty(local.shape, dtype="datetime64[s]")
    for p in np.unique(page_idx):
        m = page_idx == p
        idx = pd.DatetimeIndex(local[m])
        utc = idx.tz_localize(tzs[p], ambiguous=np.zeros(m.sum(), bool), nonexistent="shift_forward")
        out[m] = utc.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    return out


def generate_sends(
    rng: np.random.Generator,
    pages: pd.DataFrame,
    affinity: pd.DataFrame,
    bank: pd.DataFrame,
    cap_truth: pd.DataFrame,
    truth: Truth,
    start_date: np.datetime64,
    days: int,
    end: np.datetime64,
) -> pd.DataFrame:
    """One row per send with clean values plus truth columns (row order = row_id order)."""
    n_pages = len(pages)
    first = pages["first_send_day"].to_numpy()
    last = pages["last_send_day"].to_numpy()
    n_days = np.maximum(last - first + 1, 0)
    pd_page = np.repeat(np.arange(n_pages), n_days)
    pd_day = np.concatenate([np.arange(f, e + 1) for f, e in zip(first, last, strict=True)]).astype(np.int64)
    local_date = start_date + pd_day.astype("timedelta64[D]")
    isodow_day = ((local_date.astype(np.int64) + 3) % 7) + 1  # 1970-01-01 was a Thursday
    habit = pages["habit_daily_sends"].to_numpy()[pd_page]
    lam = habit * AGENCY_DOW_VOLUME[isodow_day] * rng.gamma(16.0, 1 / 16.0, pd_page.size)
    counts = rng.poisson(lam)

    page = np.repeat(pd_page, counts)
    day = np.repeat(pd_day, counts)
    isodow = np.repeat(isodow_day, counts)
    n = page.size
    lo = pages["active_from_hour"].to_numpy()[page] * 60
    hi = (pages["active_to_hour"].to_numpy()[page] + 1) * 60
    uni = rng.uniform(lo, hi)
    centre = lo + 0.65 * (hi - lo)
    bump = np.clip(rng.normal(centre, 0.15 * (hi - lo)), lo, hi - 1)
    minute = np.floor(np.where(rng.random(n) < 0.6, uni, bump)).astype(np.int64)
    sec_of_day = minute * 60 + rng.integers(0, 60, n)
    order = np.lexsort((sec_of_day, day, page))
    page, day, isodow, sec_of_day = page[order], day[order], isodow[order], sec_of_day[order]
    # rank within page-day = sends already made that page-local day
    grp_start = np.r_[True, (page[1:] != page[:-1]) | (day[1:] != day[:-1])]
    first_pos = np.maximum.accumulate(np.where(grp_start, np.arange(n), 0))
    sends_today = np.arange(n) - first_pos
    local_at = start_date.astype("datetime64[s]") + (day * 86400 + sec_of_day).astype("timedelta64[s]")
    utc_at = to_utc(local_at, page, pages["timezone"].to_numpy())
    start_utc = (end - np.timedelta64(days, "D")).astype("datetime64[s]")
    keep = (utc_at < end) & (utc_at >= start_utc)
    page, day, isodow, sec_of_day, sends_today, local_at, utc_at = (
        a[keep] for a in (page, day, isodow, sec_of_day, sends_today, local_at, utc_at)
    )
    n = page.size
    local_hour = sec_of_day // 3600

    # message type
    paid = (pages["page_type"].to_numpy() == "paid")[page]
    u = rng.random(n)
    t_paid = np.searchsorted(np.cumsum(TYPE_P_PAID), u, side="right")
    t_free = np.searchsorted(np.cumsum(TYPE_P_FREE), u, side="right")
    mtype = np.minimum(np.where(paid, t_paid, t_free), len(TYPES) - 1)

    # captions: available and vault-compatible, weighted by validation / a little quality; ~5% off-bank
    cap_id = cap_truth["caption_id"].to_numpy()
    cap_cat = cap_truth["content_category"].to_numpy()
    cap_q = cap_truth["quality"].to_numpy()
    if not np.array_equal(bank["caption_id"].to_numpy(), cap_id):
        raise ValueError("caption bank and caption truth must be in the same order")
    cap_created = bank["created_at"].to_numpy().astype("datetime64[s]")
    status_ok = bank["usage_status"].to_numpy() == "available"
    valid = bank["validation_level"].to_numpy()
    # available captions only; low validation ones are used less; the agency favours (unknowingly) good ones
    base_w = np.where(valid == "low", 0.3, 1.0) * np.exp(0.5 * cap_q)
    cats = pd.Index(sorted(affinity["content_category"].unique()))
    vault = (
        affinity.pivot(index="page_key", columns="content_category", values="in_vault")
        .reindex(index=pages["page_key"], columns=cats)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    cap_cat_idx = cats.get_indexer(cap_cat)
    caption = np.full(n, -1, dtype=np.int64)
    off = rng.random(n) < OFF_BANK_SHARE
    start_s = start_date.astype("datetime64[s]")
    page_order = np.argsort(page, kind="stable")
    bounds = np.searchsorted(page[page_order], np.arange(n_pages + 1))
    for p in range(n_pages):
        rows = page_order[bounds[p] : bounds[p + 1]]
        rows = rows[~off[rows]]
        if rows.size == 0:
            continue
        elig = np.flatnonzero(vault[p][cap_cat_idx] & status_ok)
        w = base_w[elig]
        pick = elig[rng.choice(elig.size, size=rows.size, p=w / w.sum())]
        late = cap_created[pick] > utc_at[rows]  # not yet written at send time: use an older caption
        if late.any():
            old = elig[cap_created[elig] < start_s]
            wo = base_w[old]
            pick[late] = old[rng.choice(old.size, size=late.sum(), p=wo / wo.sum())]
        caption[rows] = pick
    n_off = int(off.sum())
    off_pool = off_bank_texts(rng, max(2, n_off // 2), bank["caption_text"].to_numpy())
    text = np.where(caption >= 0, bank["caption_text"].to_numpy()[np.maximum(caption, 0)], None)
    text[off] = off_pool[rng.integers(0, off_pool.size, n_off)]

    # prices
    is_ppv = mtype == 0
    tier = np.where(caption >= 0, cap_truth["price_tier"].to_numpy()[np.maximum(caption, 0)], "mid")
    tier_mult = np.select(
        [tier == "budget", tier == "premium"], [TIER_PRICE["budget"], TIER_PRICE["premium"]], 1.0
    )
    raw = pages["price_habit"].to_numpy()[page] * tier_mult * np.exp(rng.normal(0, 0.28, n))
    raw = np.clip(raw, 5.0, 60.0)
    dollars = (pages["price_ending"].to_numpy() == "whole")[page]  # whole dollars or .99 endings
    price = np.where(dollars, np.round(raw), np.maximum(np.floor(raw), 5.0) + 0.99)
    price = np.where(is_ppv, price, 0.0)

    # true purchase probability (the same function a replay uses)
    page_keys = pages["page_key"].to_numpy()[page]
    cap_ids = np.where(caption >= 0, cap_id[np.maximum(caption, 0)], None)
    p_true = true_purchase_prob(
        truth, page_keys, cap_ids, local_hour, isodow, np.maximum(price, 1.0), day, sends_today
    )
    p_true = np.where(is_ppv, p_true, np.nan)

    # audience and outcomes
    aud = pages["audience_size"].to_numpy()[page] * np.exp(
        pages["audience_trend_per_day"].to_numpy()[page] * (day - (days - 1))
    )
    sent = np.round(aud * TYPE_AUDIENCE[mtype] * np.exp(rng.normal(0, 0.12, n))).astype(np.int64)
    sent[rng.random(n) < 0.003] = 0
    vr = np.clip(pages["view_rate"].to_numpy()[page] * np.exp(rng.normal(0, 0.1, n)), 0.05, 0.95)
    viewed = rng.binomial(sent, vr)
    buy_given_view = np.where(is_ppv, np.clip(np.nan_to_num(p_true) / vr, 0, 1), 0.0)
    purchased = rng.binomial(viewed, buy_given_view)
    earnings = np.round(price * purchased, 2)
    tip_rate = np.where(mtype == 3, 0.004, np.where(is_ppv, 0.0, 0.0008))
    tippers = rng.binomial(viewed, tip_rate)
    tip_amt = np.array([5.0, 10.0, 20.0])[rng.integers(0, 3, n)]
    earnings = np.where(is_ppv, earnings, tippers * tip_amt)

    # row ids in UTC order
    order = np.lexsort((sends_today, page, utc_at))
    width = max(7, len(str(n)))
    row_id = np.char.add("mm_", np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(_O)
    df = pd.DataFrame(
        {
            "row_id": row_id,
            "page_idx": page[order],
            "page_key": page_keys[order],
            "message": text[order],
            "sending_time": utc_at[order],
            "price": price[order],
            "sent_count": sent[order],
            "viewed_count": viewed[order],
            "purchased_count": purchased[order],
            "earnings": earnings[order],
            "message_type": TYPES[mtype[order]],
            "caption_id": cap_ids[order],
            "local_at": local_at[order],
            "local_hour": local_hour[order].astype(np.int64),
            "isodow": isodow[order].astype(np.int64),
            "day_index": day[order].astype(np.int64),
            "sends_today": sends_today[order].astype(np.int64),
            "p_true": p_true[order],
        }
    )
    return df


def finalize_sends(
    rng: np.random.Generator, df: pd.DataFrame, pages: pd.DataFrame, end: np.datetime64, labels: Labels
) -> pd.DataFrame:
    """Raw mass_messages in contract columns: messiness (not defects) then one defect per injected row."""
    n = len(df)
    raw = pd.DataFrame({"row_id": df["row_id"].to_numpy()})
    # page-name spelling variants
    variants = np.array([name_variants(nm) for nm in pages["page_name"]], dtype=_O)
    vi = np.where(rng.random(n) < 0.72, 0, rng.integers(1, variants.shape[1], n))
    page_name = variants[df["page_idx"].to_numpy(), vi]

    msg = df["message"].to_numpy().copy()
    has_ent_chars = pc.match_substring_regex(pa.array(msg, type=pa.string()), "[&'\"]").to_numpy(
        zero_copy_only=False
    )
    ent = has_ent_chars & (rng.random(n) < 0.12)
    msg[ent] = html_escape(msg[ent])
    ws = rng.random(n) < 0.06
    msg[ws] = msg[ws] + np.array([" ", "  ", " \t"], dtype=_O)[rng.integers(0, 3, ws.sum())]
    inner = ws & (rng.random(n) < 0.35)
    msg[inner] = _arrow_replace(msg[inner], [(" ", "  ")], max_replacements=1)

    mtype = df["message_type"].to_numpy().copy()
    case = rng.random(n) < 0.10
    style = rng.integers(0, 2, n)
    up = np.asarray(pc.utf8_upper(pa.array(mtype, type=pa.string())).to_numpy(zero_copy_only=False), dtype=_O)
    cap = np.asarray(
        pc.utf8_capitalize(pa.array(mtype, type=pa.string())).to_numpy(zero_copy_only=False), dtype=_O
    )
    mtype = np.where(case, np.where(style == 0, up, cap), mtype)

    price = df["price"].to_numpy().astype(float).copy()
    free = df["message_type"].to_numpy() != "ppv"
    null_price = free & (rng.random(n) < 0.35)
    price[null_price] = np.nan

    raw["page_name"] = page_name
    raw["message"] = msg
    raw["sending_time"] = df["sending_time"].to_numpy()
    raw["price"] = price
    raw["sent_count"] = df["sent_count"].to_numpy()
    raw["viewed_count"] = df["viewed_count"].to_numpy()
    raw["purchased_count"] = df["purchased_count"].to_numpy()
    raw["earnings"] = df["earnings"].to_numpy()
    raw["message_type"] = mtype

    ppv = df["message_type"].to_numpy() == "ppv"
    sent = raw["sent_count"].to_numpy()
    viewed = raw["viewed_count"].to_numpy()
    picks, _ = pick_disjoint(
        rng,
        n,
        SRC,
        eligible={
            "negative_price": ppv,
            "viewed_exceeds_sent": sent > 0,
            "purchased_exceeds_viewed": ppv & (viewed > 0) & (viewed < sent),
        },
    )
    st = raw["sending_time"].to_numpy().copy()
    st[picks["missing_sending_time"]] = np.datetime64("NaT")
    fut = picks["future_sending_time"]
    st[fut] = end.astype("datetime64[s]") + rng.integers(3600, 20 * 86400, fut.size).astype("timedelta64[s]")
    raw["sending_time"] = st
    raw.loc[picks["negative_price"], "price"] = -raw.loc[picks["negative_price"], "price"]
    i = picks["viewed_exceeds_sent"]
    raw.loc[i, "viewed_count"] = sent[i] + rng.integers(1, np.maximum(2, sent[i] // 5) + 1)
    i = picks["purchased_exceeds_viewed"]
    extra = np.minimum(rng.integers(1, 20, i.size), sent[i] - viewed[i])
    newp = viewed[i] + np.maximum(extra, 1)
    raw.loc[i, "purchased_count"] = newp
    raw.loc[i, "earnings"] = np.round(raw.loc[i, "price"].to_numpy() * newp, 2)
    raw.loc[picks["missing_page_name"], "page_name"] = None
    for defect, idx in picks.items():
        if defect != "duplicate_row_id":
            labels.add(SRC, defect, raw["row_id"].to_numpy()[idx])
    dup = picks["duplicate_row_id"]
    labels.add(SRC, "duplicate_row_id", raw["row_id"].to_numpy()[dup])
    return with_copies(raw, dup)
