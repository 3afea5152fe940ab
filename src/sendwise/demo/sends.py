"""Mass messages (agency.mass_messages): volumes, local send times, captions, prices (`plan_sends`),
then, once outcomes are drawn (`sendwise.demo.outcomes`), row ids and the raw messy rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sendwise.demo.captions import off_bank_texts
from sendwise.demo.config import OFF_BANK_SHARE
from sendwise.demo.defects import Labels, pick_disjoint, with_copies
from sendwise.demo.pages import name_variants

_O = object
SRC = "agency.mass_messages"
TYPES = np.array(["ppv", "free", "bump", "tip", "renew"], dtype=_O)
TYPE_P_PAID = np.array([0.74, 0.08, 0.06, 0.05, 0.07])
TYPE_P_FREE = np.array([0.80, 0.08, 0.06, 0.06, 0.00])
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


REUSE_SHARE = 0.40  # share of bank sends that repeat a caption the page sent before
REUSE_MEAN_GAP = 40  # mean distance, in the page's sends, back to the repeated send
NEW_CAPTION_SHARE = 0.15  # share of fresh picks taken from captions written in the last NEW_CAPTION_DAYS
NEW_CAPTION_DAYS = 14


def plan_sends(
    rng: np.random.Generator,
    pages: pd.DataFrame,
    affinity: pd.DataFrame,
    bank: pd.DataFrame,
    cap_truth: pd.DataFrame,
    start_date: np.datetime64,
    days: int,
    end: np.datetime64,
    fatigue_decay_days: float,
) -> pd.DataFrame:
    """Every send's page, local and UTC time, type, caption, text, price and the caption's decayed earlier
    uses on the page (no outcomes yet), in (page, local time) order."""
    plan = _send_times(rng, pages, start_date, days, end)
    plan["mtype"] = _message_types(rng, pages, plan["page"])
    plan["caption"], plan["text"] = _choose_captions(rng, plan, pages, affinity, bank, cap_truth, start_date)
    plan["price"] = _prices(rng, plan, pages, cap_truth)
    t_days = (plan["utc_at"] - start_date.astype("datetime64[s]")).astype(np.int64) / 86400.0
    plan["prior_uses"] = decayed_prior_uses(plan["page"], plan["caption"], t_days, fatigue_decay_days)
    frame = pd.DataFrame(plan)
    frame["page_key"] = pages["page_key"].to_numpy()[frame["page"].to_numpy()]
    cap_ids = cap_truth["caption_id"].to_numpy()
    frame["caption_id"] = np.where(frame["caption"] >= 0, cap_ids[np.maximum(frame["caption"], 0)], None)
    return frame


def _send_times(
    rng: np.random.Generator, pages: pd.DataFrame, start_date: np.datetime64, days: int, end: np.datetime64
) -> dict[str, np.ndarray]:
    """Sends per page-day (habit x weekday x gamma noise, Poisson) at local minutes inside the window."""
    first = pages["first_send_day"].to_numpy()
    last = pages["last_send_day"].to_numpy()
    n_days = np.maximum(last - first + 1, 0)
    pd_page = np.repeat(np.arange(len(pages)), n_days)
    pd_day = np.concatenate([np.arange(f, e + 1) for f, e in zip(first, last, strict=True)]).astype(np.int64)
    local_date = start_date + pd_day.astype("timedelta64[D]")
    isodow_day = ((local_date.astype(np.int64) + 3) % 7) + 1  # 1970-01-01 was a Thursday
    habit = pages["habit_daily_sends"].to_numpy()[pd_page]
    lam = habit * AGENCY_DOW_VOLUME[isodow_day] * rng.gamma(16.0, 1 / 16.0, pd_page.size)
    counts = rng.poisson(lam)
    page, day, isodow = (np.repeat(a, counts) for a in (pd_page, pd_day, isodow_day))
    n = page.size
    lo = pages["active_from_hour"].to_numpy()[page] * 60
    hi = (pages["active_to_hour"].to_numpy()[page] + 1) * 60
    uni = rng.uniform(lo, hi)
    bump = np.clip(rng.normal(lo + 0.65 * (hi - lo), 0.15 * (hi - lo)), lo, hi - 1)
    minute = np.floor(np.where(rng.random(n) < 0.6, uni, bump)).astype(np.int64)
    sec_of_day = minute * 60 + rng.integers(0, 60, n)
    order = np.lexsort((sec_of_day, day, page))
    page, day, isodow, sec_of_day = page[order], day[order], isodow[order], sec_of_day[order]
    grp_start = np.r_[True, (page[1:] != page[:-1]) | (day[1:] != day[:-1])]
    first_pos = np.maximum.accumulate(np.where(grp_start, np.arange(n), 0))
    local_at = start_date.astype("datetime64[s]") + (day * 86400 + sec_of_day).astype("timedelta64[s]")
    utc_at = to_utc(local_at, page, pages["timezone"].to_numpy())
    start_utc = (end - np.timedelta64(days, "D")).astype("datetime64[s]")
    keep = (utc_at < end) & (utc_at >= start_utc)
    out = {
        "page": page,
        "day_index": day,
        "isodow": isodow,
        "local_hour": sec_of_day // 3600,
        "sends_today": np.arange(n) - first_pos,  # sends the page already made that local day
        "local_at": local_at,
        "utc_at": utc_at,
    }
    return {k: v[keep] for k, v in out.items()}


def _message_types(rng: np.random.Generator, pages: pd.DataFrame, page: np.ndarray) -> np.ndarray:
    paid = (pages["page_type"].to_numpy() == "paid")[page]
    u = rng.random(page.size)
    t_paid = np.searchsorted(np.cumsum(TYPE_P_PAID), u, side="right")
    t_free = np.searchsorted(np.cumsum(TYPE_P_FREE), u, side="right")
    return np.minimum(np.where(paid, t_paid, t_free), len(TYPES) - 1)


def _vault_matrix(pages: pd.DataFrame, affinity: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    cats = pd.Index(sorted(affinity["content_category"].unique()))
    vault = (
        affinity.pivot(index="page_key", columns="content_category", values="in_vault")
        .reindex(index=pages["page_key"], columns=cats)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    return vault, cats


def _choose_captions(
    rng, plan, pages, affinity, bank, cap_truth, start_date
) -> tuple[np.ndarray, np.ndarray]:
    """Caption index per send (-1 = off-bank text) and the text sent.

    A fresh pick is an available, vault-compatible caption already written at send time, weighted by
    validation and (unknowingly) quality, or with NEW_CAPTION_SHARE one written in the last
    NEW_CAPTION_DAYS; REUSE_SHARE of sends repeat the caption of an earlier send of the page instead."""
    cap_id = cap_truth["caption_id"].to_numpy()
    if not np.array_equal(bank["caption_id"].to_numpy(), cap_id):
        raise ValueError("caption bank and caption truth must be in the same order")
    created = bank["created_at"].to_numpy().astype("datetime64[s]").astype(np.int64)
    valid = bank["validation_level"].to_numpy()
    base_w = np.where(valid == "low", 0.3, 1.0) * np.exp(0.5 * cap_truth["quality"].to_numpy())
    base_w = np.where(bank["usage_status"].to_numpy() == "available", base_w, 0.0)
    vault, cats = _vault_matrix(pages, affinity)
    cap_cat = cats.get_indexer(cap_truth["content_category"].to_numpy())
    page, utc = plan["page"], plan["utc_at"].astype(np.int64)
    off = rng.random(page.size) < OFF_BANK_SHARE
    caption = np.full(page.size, -1, dtype=np.int64)
    bounds = np.searchsorted(page, np.arange(len(pages) + 1))  # plan rows are in page order
    for p in range(len(pages)):
        rows = np.arange(bounds[p], bounds[p + 1])
        rows = rows[~off[rows]]
        if rows.size:
            elig = np.flatnonzero(vault[p][cap_cat] & (base_w > 0))
            fresh = _fresh_picks(rng, elig, base_w, created, utc[rows])
            caption[rows] = fresh[_reuse_sources(rng, rows.size)]
    n_off = int(off.sum())
    off_pool = off_bank_texts(rng, max(2, n_off // 2), bank["caption_text"].to_numpy())
    text = np.where(caption >= 0, bank["caption_text"].to_numpy()[np.maximum(caption, 0)], None)
    text[off] = off_pool[rng.integers(0, off_pool.size, n_off)]
    return caption, text


def _fresh_picks(rng, elig: np.ndarray, weight: np.ndarray, created: np.ndarray, t: np.ndarray) -> np.ndarray:
    """One eligible caption per send time t (seconds), written before t."""
    w = weight[elig]
    pick = elig[rng.choice(elig.size, size=t.size, p=w / w.sum())]
    by_age = elig[np.argsort(created[elig], kind="stable")]
    c_sorted = created[by_age]
    hi = np.searchsorted(c_sorted, t, side="right")  # captions written before t: by_age[:hi]
    lo = np.searchsorted(c_sorted, t - NEW_CAPTION_DAYS * 86400, side="left")
    new = (rng.random(t.size) < NEW_CAPTION_SHARE) & (hi > lo)
    pick[new] = by_age[lo[new] + (rng.random(int(new.sum())) * (hi[new] - lo[new])).astype(np.int64)]
    late = created[pick] > t  # not yet written at send time: an older caption instead
    if late.any():
        pick[late] = by_age[
            np.minimum((rng.random(int(late.sum())) * hi[late]).astype(np.int64), hi[late] - 1)
        ]
    return pick


def _reuse_sources(rng: np.random.Generator, n: int) -> np.ndarray:
    """For each of a page's n sends (time order), the earlier send whose caption it repeats (itself
    when it is a fresh pick); chains of repeats resolve to their first, fresh, send."""
    back = 1 + rng.geometric(1.0 / REUSE_MEAN_GAP, n)
    src = np.arange(n) - back
    src = np.where((rng.random(n) < REUSE_SHARE) & (src >= 0), src, np.arange(n))
    while True:
        nxt = src[src]
        if np.array_equal(nxt, src):
            return src
        src = nxt


def _prices(rng, plan, pages: pd.DataFrame, cap_truth: pd.DataFrame) -> np.ndarray:
    """PPV price: the page's habit x the caption's price tier x noise, in whole dollars or .99 endings."""
    page, caption = plan["page"], plan["caption"]
    tier = np.where(caption >= 0, cap_truth["price_tier"].to_numpy()[np.maximum(caption, 0)], "mid")
    tier_mult = np.select(
        [tier == "budget", tier == "premium"], [TIER_PRICE["budget"], TIER_PRICE["premium"]], 1.0
    )
    raw = pages["price_habit"].to_numpy()[page] * tier_mult * np.exp(rng.normal(0, 0.28, page.size))
    raw = np.clip(raw, 5.0, 60.0)
    dollars = (pages["price_ending"].to_numpy() == "whole")[page]
    price = np.where(dollars, np.round(raw), np.maximum(np.floor(raw), 5.0) + 0.99)
    return np.where(plan["mtype"] == 0, price, 0.0)


def decayed_prior_uses(
    page: np.ndarray, caption: np.ndarray, t_days: np.ndarray, decay_days: float
) -> np.ndarray:
    """For every send, sum over the earlier sends of the same caption on the same page of
    exp(-(days between them) / decay_days); 0 for off-bank sends (caption -1)."""
    key = page.astype(np.int64) * (int(caption.max(initial=0)) + 2) + caption + 1
    order = np.lexsort((t_days, key))
    k, t = key[order], t_days[order]
    start = np.r_[True, k[1:] != k[:-1]]
    t0 = np.maximum.accumulate(np.where(start, t, -np.inf))
    e = np.exp((t - t0) / decay_days)
    cs = np.cumsum(e)
    first = np.maximum.accumulate(np.where(start, np.arange(k.size), 0))
    before = cs - e - np.where(first > 0, cs[first - 1], 0.0)  # sum over earlier rows of the group
    out = np.empty(k.size)
    out[order] = np.exp(-(t - t0) / decay_days) * before
    return np.where(caption >= 0, out, 0.0)


def send_rows(plan: pd.DataFrame) -> pd.DataFrame:
    """Sends in UTC order with row ids (mm_0000001, ...) and the clean columns `finalize_sends` reads."""
    order = np.lexsort((plan["sends_today"].to_numpy(), plan["page"].to_numpy(), plan["utc_at"].to_numpy()))
    df = plan.iloc[order].reset_index(drop=True)
    n = len(df)
    width = max(7, len(str(n)))
    row_id = np.char.add("mm_", np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(_O)
    return df.assign(
        row_id=row_id,
        page_idx=df["page"].to_numpy(),
        message=df["text"].to_numpy(),
        sending_time=df["utc_at"].to_numpy(),
        message_type=TYPES[df["mtype"].to_numpy()],
    )


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
