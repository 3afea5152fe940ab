"""Calibration of the pages to their targets, and the noisy outcomes of every planned send.

Calibration (deterministic given the plan):
* `calibrate_base_logit`: each page's base logit is set so that its PPV sends' mean purchase
  probability per recipient, at the end-of-history level (no trend), equals view_rate x
  conversion_per_view (the earlier system's 8.5 % conversion baseline, page by page);
* `calibrate_audience`: each page's audience (recipients of a full send on the last day) is set so
  that its *expected* decayed average daily revenue, measured like `int_page_performance_state`
  (30-day half-life over 90 days), equals its target_daily_revenue (a tier band of the earlier
  system's $150 / $75 / $30 thresholds).

Outcomes (`draw_outcomes`), over-dispersed like real sends:
    sent      = round(audience x type share x exp(audience_trend x (day - last)) x exp(N(0, audience_noise_sd)))
    viewed    ~ Binomial(sent, view_rate x exp(N(0, view_noise_sd)))
    shock     = exp(N(-s^2 / 2, s)), s = day_shock_sd, one per page-local day (the day's audience mood)
    q         = p_true x shock / view_rate                                        (buy given a view)
    purchased ~ BetaBinomial(viewed, q x k, (1 - q) x k), k = purchase_concentration
so E[purchased | sent] = sent x p_true and expected_revenue = price x sent x p_true.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendwise.demo.pages import decayed_daily_revenue
from sendwise.demo.truth import Truth, true_purchase_logit, true_purchase_prob

TYPE_AUDIENCE = np.array([1.0, 1.0, 0.7, 0.9, 0.4])  # share of the audience each message type reaches
TIP_RATE = np.array([0.0, 0.0008, 0.0008, 0.004, 0.0008])  # tips per viewer by message type
TIP_AMOUNTS = np.array([5.0, 10.0, 20.0])
NOISE: dict[str, float] = {
    "audience_noise_sd": 0.12,
    "view_noise_sd": 0.10,
    "day_shock_sd": 0.30,
    "purchase_concentration": 20.0,
}


def _plan_args(plan: pd.DataFrame) -> tuple:
    return (
        plan["page_key"].to_numpy(),
        plan["caption_id"].to_numpy(dtype=object),
        plan["local_hour"].to_numpy(),
        plan["isodow"].to_numpy(),
        np.maximum(plan["price"].to_numpy(), 1.0),
        plan["day_index"].to_numpy(),
        plan["sends_today"].to_numpy(),
        plan["prior_uses"].to_numpy(),
    )


def calibrate_base_logit(pages: pd.DataFrame, plan: pd.DataFrame, build_truth) -> pd.DataFrame:
    """pages with base_logit solving mean_sends sigmoid(base + offset) = view_rate x conversion_per_view
    over each page's PPV sends (offset = every other term at the end-of-history level)."""
    flat = build_truth(pages.assign(base_logit=0.0, conv_trend_per_day=0.0))
    ppv = plan[plan["mtype"] == 0]
    offset = true_purchase_logit(flat, *_plan_args(ppv))
    idx = ppv["page"].to_numpy()
    n = len(pages)
    count = np.maximum(np.bincount(idx, minlength=n), 1)
    target = pages["view_rate"].to_numpy() * pages["conversion_per_view"].to_numpy()
    base = np.log(target / (1 - target)) - np.bincount(idx, weights=offset, minlength=n) / count
    for _ in range(30):  # Newton steps on the mean probability
        p = 1.0 / (1.0 + np.exp(-(base[idx] + offset)))
        mean = np.bincount(idx, weights=p, minlength=n) / count
        slope = np.bincount(idx, weights=p * (1 - p), minlength=n) / count
        base = base - np.where(slope > 0, (mean - target) / np.maximum(slope, 1e-12), 0.0)
    return pages.assign(base_logit=base)


def calibrate_audience(pages: pd.DataFrame, plan: pd.DataFrame, end: np.datetime64) -> pd.DataFrame:
    """pages with audience_size = target / expected decayed daily revenue of a one-recipient audience,
    measured at each page's own end (as_of for active pages, its last send for pages that stopped)."""
    page = plan["page"].to_numpy()
    n = len(pages)
    unit = _unit_audience(plan, pages)
    mtype = plan["mtype"].to_numpy()
    view = pages["view_rate"].to_numpy()[page]
    revenue = np.where(
        mtype == 0,
        plan["price"].to_numpy() * unit * plan["p_true"].to_numpy(),
        unit * view * TIP_RATE[mtype] * TIP_AMOUNTS.mean(),
    )
    utc = plan["utc_at"].to_numpy().astype("datetime64[s]").astype(np.int64)
    last = np.zeros(n, dtype=np.int64)
    first = np.full(n, np.iinfo(np.int64).max)
    np.maximum.at(last, page, utc)
    np.minimum.at(first, page, utc)
    end_s = end.astype("datetime64[s]").astype(np.int64)
    ref = np.where(pages["is_active"].to_numpy(), end_s, np.minimum(end_s, last + 1))
    age = (ref[page] - utc) / 86400.0
    span = (ref - first) / 86400.0
    per_unit = decayed_daily_revenue(page, age, revenue, span, n)
    target = pages["target_daily_revenue"].to_numpy()
    audience = np.where(per_unit > 0, target / np.maximum(per_unit, 1e-12), 1.0)
    return pages.assign(audience_size=np.maximum(np.round(audience, 2), 1.0))


def _unit_audience(plan: pd.DataFrame, pages: pd.DataFrame) -> np.ndarray:
    """Expected recipients of each send per unit of audience (type share x trend x noise mean)."""
    page = plan["page"].to_numpy()
    last = pages["last_send_day"].to_numpy()[page]
    trend = np.exp(pages["audience_trend_per_day"].to_numpy()[page] * (plan["day_index"].to_numpy() - last))
    return TYPE_AUDIENCE[plan["mtype"].to_numpy()] * trend * np.exp(NOISE["audience_noise_sd"] ** 2 / 2)


def send_probabilities(truth: Truth, plan: pd.DataFrame) -> np.ndarray:
    """True per-recipient purchase probability of every PPV send (NaN for other types)."""
    p = true_purchase_prob(truth, *_plan_args(plan))
    return np.where(plan["mtype"].to_numpy() == 0, p, np.nan)


def day_shocks(rng: np.random.Generator, page: np.ndarray, day: np.ndarray, sd: float) -> np.ndarray:
    """One mean-1 lognormal multiplier per (page, day), repeated on the day's sends."""
    key = page.astype(np.int64) * 1_000_000 + day
    uniq, inv = np.unique(key, return_inverse=True)
    return np.exp(rng.normal(-(sd**2) / 2, sd, uniq.size))[inv]


def beta_binomial(rng: np.random.Generator, n: np.ndarray, q: np.ndarray, concentration: float) -> np.ndarray:
    q = np.clip(q, 1e-9, 1 - 1e-9)
    rate = rng.beta(q * concentration, (1 - q) * concentration)
    return rng.binomial(n, rate)


def draw_outcomes(rng: np.random.Generator, plan: pd.DataFrame, pages: pd.DataFrame) -> pd.DataFrame:
    """plan + sent_count, viewed_count, purchased_count, earnings, day_shock, expected_revenue."""
    page = plan["page"].to_numpy()
    n = page.size
    mtype = plan["mtype"].to_numpy()
    is_ppv = mtype == 0
    base = pages["audience_size"].to_numpy()[page] * _unit_audience(plan, pages)
    base = base / np.exp(NOISE["audience_noise_sd"] ** 2 / 2)
    sent = np.round(base * np.exp(rng.normal(0, NOISE["audience_noise_sd"], n))).astype(np.int64)
    sent[rng.random(n) < 0.003] = 0
    view = pages["view_rate"].to_numpy()[page]
    viewed = rng.binomial(sent, np.clip(view * np.exp(rng.normal(0, NOISE["view_noise_sd"], n)), 0.02, 0.95))
    shock = day_shocks(rng, page, plan["day_index"].to_numpy(), NOISE["day_shock_sd"])
    p = np.nan_to_num(plan["p_true"].to_numpy())
    q = np.where(is_ppv, np.clip(p * shock / view, 0.0, 0.95), 0.0)
    purchased = np.where(is_ppv, beta_binomial(rng, viewed, q, NOISE["purchase_concentration"]), 0)
    price = plan["price"].to_numpy()
    tippers = rng.binomial(viewed, TIP_RATE[mtype])
    tips = tippers * TIP_AMOUNTS[rng.integers(0, TIP_AMOUNTS.size, n)]
    return plan.assign(
        sent_count=sent,
        viewed_count=viewed,
        purchased_count=purchased,
        earnings=np.where(is_ppv, np.round(price * purchased, 2), tips),
        day_shock=shock,
        expected_revenue=np.where(is_ppv, price * sent * p, np.nan),
    )
