"""The hidden purchase-probability model of the demo data (a pure, vectorised function).

The generator draws every PPV purchase from `true_purchase_prob`, and a replay/simulation can ask
the same function "what would p have been for (page, caption, local send time, price, sends already
made that page-day, earlier uses of the caption on the page)". For one send:

    logit p = base_logit[page]
            + quality[caption] + style_effect[caption] + affinity[page, category(caption)]
            + hour_amplitude[page] * exp(-0.5 * (d / peak_width[page])^2)
                  where d = circular distance (hours) between local_hour and peak_hour[page]
            + dow_effect[isodow]
            + holiday_effect[country(page), page-local date]                 (0 on ordinary days)
            + conv_trend_per_day[page] * (day_index - (days - 1))          (0 on the last history day)
            - price_sensitivity[page] * ln(max(price, 1) / ref_price[page])
            - saturation_per_send[page] * max(0, sends_today + 1 - optimal_daily_sends[page])
            - caption_fatigue * ln(1 + prior_uses)
    p = clip(sigmoid(logit), p_min, p_max)

`sends_today` is the number of sends the page already made earlier that page-local day (0 for the
first). `dow` is the ISO day of week of the page-local send time (1 = Monday ... 7 = Sunday).
`day_index` is page-local date minus `start_date` in days (0 = first history day); dates are accepted
too. `prior_uses` is the decayed count of the caption's earlier sends on the same page,
sum over them of exp(-(days since that send) / fatigue_decay_days) (0 for a caption new to the page;
the generator records it per send in `ground_truth.sends.prior_uses`). Holidays come from
`sendwise.demo.holidays` (table `ground_truth.holidays`) by the page's country (of its time zone). A caption id that is
not in the caption bank (or None) contributes a neutral 0 for quality, style and affinity.
style_effect = coefficient lookups on has_cta, has_urgency, has_question, emoji_bin and length_bin
(see `style_effect`).

p is the expected probability that one *recipient* buys (purchases / sent_count); given a view it
is p / view_rate. Realised outcomes are noisier than p (`sendwise.demo.outcomes`): a page-day
audience shock and beta-binomial purchases, both with mean 1 / mean p, so p x price x sent_count is
the truth's expected revenue of a send.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PAGE_PARAMS: tuple[str, ...] = (
    "base_logit",
    "conv_trend_per_day",
    "price_sensitivity",
    "ref_price",
    "peak_hour",
    "peak_width",
    "hour_amplitude",
    "optimal_daily_sends",
    "saturation_per_send",
)
EMOJI_BINS: tuple[str, ...] = ("0", "1-2", "3+")
LENGTH_BINS: tuple[str, ...] = ("short", "medium", "long")
# length bins in code points: short < 100 <= medium < 130 <= long
LENGTH_BIN_EDGES: tuple[int, int] = (100, 130)

DEFAULT_COEFFICIENTS: dict[str, float] = {
    "style_cta": 0.15,
    "style_urgency": 0.10,
    "style_question": 0.08,
    "emoji_bin_0": -0.06,
    "emoji_bin_1-2": 0.06,
    "emoji_bin_3+": -0.02,
    "length_short": 0.02,
    "length_medium": 0.07,
    "length_long": -0.08,
    "p_min": 0.0005,
    "p_max": 0.60,
    "caption_fatigue": 0.35,  # logit drop per ln(1 + decayed earlier uses on the page)
    "fatigue_decay_days": 30.0,  # e-folding time of an earlier use's fatigue
}
# ISO day of week (1 = Monday) -> logit effect
DEFAULT_DOW_EFFECTS: dict[int, float] = {1: -0.08, 2: -0.10, 3: -0.04, 4: 0.00, 5: 0.08, 6: 0.12, 7: 0.06}


def emoji_bin(n_emoji: np.ndarray) -> np.ndarray:
    n = np.asarray(n_emoji)
    return np.where(n == 0, "0", np.where(n <= 2, "1-2", "3+")).astype(object)


def length_bin(n_chars: np.ndarray) -> np.ndarray:
    n = np.asarray(n_chars)
    lo, hi = LENGTH_BIN_EDGES
    return np.where(n < lo, "short", np.where(n < hi, "medium", "long")).astype(object)


def style_effect(has_cta, has_urgency, has_question, emoji_bins, length_bins, coefficients) -> np.ndarray:
    """Logit effect of a caption's style features (global coefficients)."""
    c = coefficients
    eff = (
        c["style_cta"] * np.asarray(has_cta, dtype=float)
        + c["style_urgency"] * np.asarray(has_urgency, dtype=float)
        + c["style_question"] * np.asarray(has_question, dtype=float)
    )
    eb = np.asarray(emoji_bins, dtype=object)
    lb = np.asarray(length_bins, dtype=object)
    for b in EMOJI_BINS:
        eff = eff + np.where(eb == b, c[f"emoji_bin_{b}"], 0.0)
    for b in LENGTH_BINS:
        eff = eff + np.where(lb == b, c[f"length_{b}"], 0.0)
    return eff


def hour_effect(local_hour, peak_hour, peak_width, amplitude) -> np.ndarray:
    h = np.asarray(local_hour, dtype=float)
    d = np.abs(h - np.asarray(peak_hour, dtype=float)) % 24.0
    d = np.minimum(d, 24.0 - d)
    return np.asarray(amplitude, dtype=float) * np.exp(-0.5 * (d / np.asarray(peak_width, dtype=float)) ** 2)


def saturation_penalty(sends_today, optimal, per_send) -> np.ndarray:
    extra = np.maximum(0.0, np.asarray(sends_today, dtype=float) + 1.0 - np.asarray(optimal, dtype=float))
    return np.asarray(per_send, dtype=float) * extra


# Holiday effects are kept for this many days after the history (forward simulations, the planned week).
HOLIDAY_HORIZON_DAYS = 91


@dataclass(frozen=True)
class Truth:
    """Everything `true_purchase_prob` needs; build with `Truth.build` or `load_truth`."""

    start_date: np.datetime64  # first history day (day_index 0), page-local date
    days: int
    pages: pd.DataFrame  # index page_key, columns PAGE_PARAMS
    captions: pd.DataFrame  # index caption_id, columns content_category, caption_effect
    categories: pd.Index  # content categories (columns of `affinity`)
    affinity: np.ndarray  # (n_pages, n_categories) logit effects, rows in `pages` order
    dow_effects: np.ndarray  # length 8, index = ISO day of week (index 0 unused)
    coefficients: dict[str, float]
    page_country: np.ndarray  # (n_pages,) row of `holiday_effects` of each page (-1: no country)
    holiday_effects: np.ndarray  # (n_countries, days + HOLIDAY_HORIZON_DAYS) logit effect by day_index

    @classmethod
    def build(
        cls, start_date, days, pages, captions, affinity_long, dow_effects, coefficients, holidays=None
    ) -> Truth:
        """pages: page_key + PAGE_PARAMS (+ country when holidays are given); captions: caption_id,
        content_category, quality, has_cta, has_urgency, has_question, emoji_bin, length_bin;
        affinity_long: page_key, content_category, affinity; dow_effects: isodow, effect;
        coefficients: name -> value; holidays: country, holiday_date, effect (None: no holidays)."""
        start = np.datetime64(pd.Timestamp(start_date).date(), "D")
        page_country, holiday = _holiday_grid(start, int(days), pages, holidays)
        params = pages.set_index("page_key")[list(PAGE_PARAMS)].astype(float)
        cats = pd.Index(sorted(affinity_long["content_category"].unique()))
        aff = affinity_long.pivot(index="page_key", columns="content_category", values="affinity")
        aff = aff.reindex(index=params.index, columns=cats).fillna(0.0).to_numpy(dtype=float)
        dow = np.zeros(8)
        for d, e in zip(dow_effects["isodow"], dow_effects["effect"], strict=True):
            dow[int(d)] = float(e)
        return cls(
            start_date=start,
            days=int(days),
            pages=params,
            captions=_caption_effects(captions, coefficients),
            categories=cats,
            affinity=aff,
            dow_effects=dow,
            coefficients={k: float(v) for k, v in dict(coefficients).items()},
            page_country=page_country,
            holiday_effects=holiday,
        )


def _caption_effects(captions: pd.DataFrame, coefficients) -> pd.DataFrame:
    cap = captions.set_index("caption_id")
    effect = cap["quality"].to_numpy(dtype=float) + style_effect(
        cap["has_cta"].to_numpy(),
        cap["has_urgency"].to_numpy(),
        cap["has_question"].to_numpy(),
        cap["emoji_bin"].to_numpy(),
        cap["length_bin"].to_numpy(),
        coefficients,
    )
    return pd.DataFrame(
        {"content_category": cap["content_category"].to_numpy(), "caption_effect": effect}, index=cap.index
    )


def _holiday_grid(
    start: np.datetime64, days: int, pages: pd.DataFrame, holidays
) -> tuple[np.ndarray, np.ndarray]:
    """(country row per page, country x day_index grid of holiday effects)."""
    width = days + HOLIDAY_HORIZON_DAYS
    if holidays is None or len(holidays) == 0 or "country" not in pages:
        return np.full(len(pages), -1, dtype=np.int64), np.zeros((1, width))
    countries = pd.Index(sorted(set(holidays["country"]) | set(pages["country"])))
    grid = np.zeros((len(countries), width))
    day = (np.asarray(holidays["holiday_date"], dtype="datetime64[D]") - start).astype(np.int64)
    ok = (day >= 0) & (day < width)
    rows = countries.get_indexer(holidays["country"])
    np.add.at(grid, (rows[ok], day[ok]), np.asarray(holidays["effect"], dtype=float)[ok])
    return countries.get_indexer(pages["country"]).astype(np.int64), grid


def _day_index(truth: Truth, day) -> np.ndarray:
    arr = np.asarray(day)
    if arr.dtype.kind == "M":
        return (arr.astype("datetime64[D]") - truth.start_date).astype(np.int64).astype(float)
    if arr.dtype.kind == "O":
        dates = pd.to_datetime(pd.Series(arr.ravel())).to_numpy().astype("datetime64[D]")
        return (dates - truth.start_date).astype(np.int64).astype(float).reshape(arr.shape)
    return arr.astype(float)


def holiday_effect(truth: Truth, page_idx: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Logit effect of the holidays of each page's country on (fractional) day_index `day`."""
    d = np.floor(day).astype(np.int64)
    country = truth.page_country[page_idx]
    ok = (country >= 0) & (d >= 0) & (d < truth.holiday_effects.shape[1])
    return np.where(
        ok,
        truth.holiday_effects[np.maximum(country, 0), np.clip(d, 0, truth.holiday_effects.shape[1] - 1)],
        0.0,
    )


def fatigue_penalty(prior_uses, coefficient: float) -> np.ndarray:
    return coefficient * np.log1p(np.maximum(np.asarray(prior_uses, dtype=float), 0.0))


def true_purchase_logit(
    truth: Truth, page_key, caption_id, local_hour, dow, price, day_index_or_date, sends_today, prior_uses=0.0
) -> np.ndarray:
    """Vectorised logit of the true per-recipient purchase probability (see module docstring)."""
    args = (page_key, caption_id, local_hour, dow, price, day_index_or_date, sends_today, prior_uses)
    (n,) = np.broadcast_shapes((1,), *(np.shape(a) for a in args))
    page_key = np.broadcast_to(np.asarray(page_key, dtype=object), (n,))
    pi = truth.pages.index.get_indexer(page_key)
    if (pi < 0).any():
        bad = sorted({str(k) for k in page_key[pi < 0]})[:5]
        raise KeyError(f"unknown page_key(s): {bad}")
    pp = truth.pages.to_numpy()[pi]
    col = {c: pp[:, i] for i, c in enumerate(PAGE_PARAMS)}

    cap_ids = np.broadcast_to(np.asarray(caption_id, dtype=object), (n,))
    hours = np.broadcast_to(np.asarray(local_hour, dtype=float), (n,))
    ci = truth.captions.index.get_indexer(pd.Index(cap_ids))
    known = ci >= 0
    cap_effect = np.where(known, truth.captions["caption_effect"].to_numpy()[np.maximum(ci, 0)], 0.0)
    cat_idx = truth.categories.get_indexer(truth.captions["content_category"].to_numpy())[np.maximum(ci, 0)]
    affinity = np.where(known, truth.affinity[pi, np.maximum(cat_idx, 0)], 0.0)

    dow_arr = np.broadcast_to(np.asarray(dow, dtype=np.int64), (n,))
    price_arr = np.broadcast_to(np.asarray(price, dtype=float), (n,))
    day = np.broadcast_to(_day_index(truth, day_index_or_date), (n,))
    uses = np.broadcast_to(np.asarray(prior_uses, dtype=float), (n,))
    return (
        col["base_logit"]
        + cap_effect
        + affinity
        + hour_effect(hours, col["peak_hour"], col["peak_width"], col["hour_amplitude"])
        + truth.dow_effects[dow_arr]
        + holiday_effect(truth, pi, day)
        + col["conv_trend_per_day"] * (day - (truth.days - 1))
        - col["price_sensitivity"] * np.log(np.maximum(price_arr, 1.0) / col["ref_price"])
        - saturation_penalty(
            np.broadcast_to(np.asarray(sends_today, dtype=float), (n,)),
            col["optimal_daily_sends"],
            col["saturation_per_send"],
        )
        - fatigue_penalty(uses, truth.coefficients.get("caption_fatigue", 0.0))
    )


def true_purchase_prob(
    truth: Truth, page_key, caption_id, local_hour, dow, price, day_index_or_date, sends_today, prior_uses=0.0
) -> np.ndarray:
    """Vectorised true purchase probability per recipient (purchases / sent) of a send."""
    logit = true_purchase_logit(
        truth, page_key, caption_id, local_hour, dow, price, day_index_or_date, sends_today, prior_uses
    )
    p = 1.0 / (1.0 + np.exp(-logit))
    return np.clip(p, truth.coefficients["p_min"], truth.coefficients["p_max"])


def load_truth(db_path: str | Path) -> Truth:
    """Read the ground_truth tables written by `sendwise demo-data` into a `Truth`."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        meta = con.sql("select start_date, days from ground_truth.generation_meta").fetchone()
        pages = con.sql(f"select page_key, country, {', '.join(PAGE_PARAMS)} from ground_truth.pages").df()
        captions = con.sql(
            "select caption_id, content_category, quality, has_cta, has_urgency, has_question, emoji_bin,"
            " length_bin from ground_truth.captions"
        ).df()
        affinity = con.sql(
            "select page_key, content_category, affinity from ground_truth.page_category_affinity"
        ).df()
        dow = con.sql("select isodow, effect from ground_truth.dow_effects").df()
        coefs = dict(con.sql("select name, value from ground_truth.coefficients").fetchall())
        holidays = con.sql("select country, holiday_date, effect from ground_truth.holidays").df()
    finally:
        con.close()
    return Truth.build(meta[0], meta[1], pages, captions, affinity, dow, coefs, holidays)
