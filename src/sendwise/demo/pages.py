"""Creator pages: names, time zones, windows, hidden response parameters and vault contents."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendwise.contracts import VAULT_CATEGORIES
from sendwise.demo import vocab
from sendwise.demo.holidays import TZ_COUNTRY
from sendwise.demo.keys import page_key

_O = object

TIMEZONES: dict[str, tuple[str, ...]] = {
    "us": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"),
    "europe": ("Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Europe/Kyiv"),
    "latam": (
        "America/Bogota",
        "America/Mexico_City",
        "America/Sao_Paulo",
        "America/Argentina/Buenos_Aires",
        "America/Lima",
    ),
    "asia": ("Asia/Manila", "Asia/Tokyo", "Asia/Bangkok", "Asia/Kolkata", "Asia/Singapore"),
}
REGION_SHARE = {"us": 0.40, "europe": 0.25, "latam": 0.20, "asia": 0.15}

FIRST = (
    "Mochi", "Luna", "Bella", "Mia", "Ivy", "Kitty", "Jade", "Ruby", "Stella", "Nova", "Lola", "Cleo",
    "Aria", "Skye", "Daisy", "Roxy", "Zara", "Lexi", "Gigi", "Coco", "Maya", "Nina", "Tess", "Vera",
    "Sasha", "Piper", "Willow", "Amber", "Hazel", "Ember", "Peach", "Honey", "Cherry", "Kira", "Layla",
    "Yuki", "Sofia", "Valentina", "Camila", "Lucia", "Isla", "Freya", "Elle", "Dani", "Remi", "Bree",
    "Sienna", "Talia", "Faye", "Juno", "Poppy", "Rosie", "Mila", "Nyla", "Opal", "Pearl", "Raven",
    "Sunny", "Trixie", "Violet",
)  # fmt: skip
SECOND = (
    "Rae", "Blaze", "Rose", "Kay", "Moon", "Star", "Fox", "Lane", "Belle", "Sky", "Dior", "Vibe",
    "Storm", "Bloom", "Grace", "Love", "Doll", "Bunny", "Kiss", "Snow", "Reign", "West", "Monroe",
    "Sweets", "Angel", "Jolie", "Vixen", "Muse", "Queen", "Dream",
)  # fmt: skip
INITIALS = ("SD", "KK", "LV", "MJ", "BB", "TS", "JV", "AK", "RX", "NY", "LA", "VV", "DD", "XO", "CC")

WINDOWS = ((8, 23), (10, 23), (9, 22), (12, 23), (8, 20), (14, 23), (10, 21), (7, 22))
WINDOW_P = (0.68, 0.06, 0.06, 0.05, 0.04, 0.04, 0.04, 0.03)


def _name(rng: np.random.Generator) -> str:
    f = FIRST[rng.integers(len(FIRST))]
    s = SECOND[rng.integers(len(SECOND))]
    k = rng.choice(6, p=[0.25, 0.30, 0.12, 0.08, 0.15, 0.10])
    if k == 0:
        return f"{INITIALS[rng.integers(len(INITIALS))]} {f}"
    if k == 1:
        return f"{f} {s}"
    if k == 2:
        return f"{f}-{FIRST[rng.integers(len(FIRST))]}"
    if k == 3:
        return f"Miss {f}"
    if k == 4:
        return f"{f} {chr(65 + rng.integers(26))}"
    return f"{f}_{s}"


def page_names(rng: np.random.Generator, n: int) -> list[str]:
    """n display names with distinct page keys (loops over pages, at most a few hundred)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        nm = _name(rng)
        k = page_key(nm)
        if k not in seen:
            seen.add(k)
            names.append(nm)
    return names


def name_variants(name: str) -> list[str]:
    """Spellings of a page name seen in loader files; all normalise to the same page key."""
    key = page_key(name)
    words = name.replace("-", " ").replace("_", " ").split()
    return [
        name,
        f"{key} ",
        " ".join(w.capitalize() for w in words),
        name.upper(),
        name.lower(),
        f" {name}",
        key.replace("_", "-"),
        "  ".join(words),
    ]


def _allocate(
    rng: np.random.Generator, n: int, labels: tuple[str, ...], shares: tuple[float, ...]
) -> np.ndarray:
    counts = np.floor(np.array(shares) * n).astype(int)
    rest = n - counts.sum()
    order = np.argsort(-(np.array(shares) * n - counts), kind="stable")
    counts[order[:rest]] += 1
    out = np.repeat(np.array(labels, dtype=_O), counts)
    return out[rng.permutation(n)]


# Creator tiers of the earlier system (EROS Max v2): decayed average daily mass-message revenue
# >= $150 ULTRA, >= $75 LARGE, >= $30 MID, else SMALL, with a 30-day half-life over a 90-day window.
# Each active page gets a target in one band (log-uniform inside it, clear of the thresholds).
TIER_BANDS: dict[str, tuple[float, float]] = {
    "SMALL": (10.0, 24.0),
    "MID": (37.0, 60.0),
    "LARGE": (88.0, 128.0),
    "ULTRA": (180.0, 330.0),
}
TIER_SHARES: dict[str, float] = {"SMALL": 0.20, "MID": 0.30, "LARGE": 0.25, "ULTRA": 0.25}
TIER_WINDOW_DAYS = 90.0
TIER_HALF_LIFE_DAYS = 30.0
PPV_SHARE = {"paid": 0.74, "free": 0.80}  # share of a page's messages that are PPV (sends.TYPE_P_*)
MIN_GAP_HOURS = 2  # the spacing rule the agency plans with (settings_modeling min_gap_hours)
RECENT_ONBOARD_DAYS = (8, 21)  # one active page starts sending this many days before the end
# Logit lost per send beyond the page's optimal daily sends: a page that habitually sends 1.5-2 times
# its optimum (volume_habit 'over') then earns under 70 % of its average revenue per send from its
# last send of the day, the volume elasticity at which creator_performance calls it OVERSATURATED.
SATURATION_PER_SEND = (0.15, 0.35)


def generate_pages(rng: np.random.Generator, n: int, days: int, start: np.datetime64) -> pd.DataFrame:
    """Truth frame of pages (one row per page, all hidden parameters); audiences and base logits are
    calibrated later from the drawn sends (`calibrate_audience`, `sends.calibrate_base_logit`)."""
    frame = _identity(rng, n)
    frame = _lifecycle(rng, frame, days, start)
    frame = _economics(rng, frame)
    frame = _windows(rng, frame)
    return _response(rng, frame)


def _identity(rng: np.random.Generator, n: int) -> pd.DataFrame:
    names = page_names(rng, n)
    region = _allocate(rng, n, tuple(REGION_SHARE), tuple(REGION_SHARE.values()))
    tz = np.array([TIMEZONES[r][rng.integers(len(TIMEZONES[r]))] for r in region], dtype=_O)
    country = np.array([TZ_COUNTRY[z] for z in tz], dtype=_O)
    page_type = np.where(rng.random(n) < 0.7, "paid", "free").astype(_O)
    is_active = np.ones(n, bool)
    is_active[rng.choice(n, max(1, round(0.1 * n)), replace=False)] = False
    return pd.DataFrame(
        {
            "page_key": [page_key(x) for x in names],
            "page_name": np.array(names, dtype=_O),
            "region": region,
            "country": country,
            "timezone": tz,
            "page_type": page_type,
            "is_active": is_active,
        }
    )


def _lifecycle(
    rng: np.random.Generator, pages: pd.DataFrame, days: int, start: np.datetime64
) -> pd.DataFrame:
    """Onboarding (a quarter join during the history, one active page in the last weeks), the day an
    inactive page stopped, and the page's trend."""
    n = len(pages)
    is_active = pages["is_active"].to_numpy()
    late = rng.random(n) < 0.25
    onboard_day = np.where(late, rng.integers(1, max(2, int(days * 0.5)), n), 0)
    recent = rng.choice(np.flatnonzero(is_active))
    onboard_day[recent] = days - rng.integers(RECENT_ONBOARD_DAYS[0], RECENT_ONBOARD_DAYS[1] + 1)
    late[recent] = True
    start_s = start.astype("datetime64[s]").astype(np.int64)
    onboarded = np.where(
        late,
        start_s + onboard_day * 86400 - rng.integers(3600, 86400, n),
        start_s - rng.integers(30, 700, n) * 86400 - rng.integers(0, 86400, n),
    )
    off_day = np.where(
        is_active, days, rng.integers(int(days * 0.55), max(int(days * 0.55) + 1, days - 5), n)
    )
    off_day = np.maximum(off_day, onboard_day + 10)
    trend = _allocate(rng, n, ("growing", "stable", "declining"), (0.3, 0.45, 0.25))
    per30 = np.where(trend == "stable", rng.normal(0, 0.015, n), rng.uniform(0.12, 0.25, n))
    per30 = np.where(trend == "declining", -per30, per30)
    aud_share = rng.uniform(0.4, 0.8, n)
    return pages.assign(
        onboarded_at=onboarded.astype("datetime64[s]"),
        first_send_day=onboard_day.astype(np.int64),
        last_send_day=(off_day - 1).astype(np.int64),
        trend=trend,
        audience_trend_per_day=per30 * aud_share / 30.0,
        conv_trend_per_day=per30 * (1 - aud_share) / 30.0,
    )


def _economics(rng: np.random.Generator, pages: pd.DataFrame) -> pd.DataFrame:
    """Target tier revenue, PPV volume, view rate, conversion and prices of every page.

    Bigger pages send more (PPV sends a day grow with revenue as its 0.42 power), so revenue per
    send grows with size too; view rate and conversion per view are drawn around the earlier
    system's baseline (8.5 % conversion, EROS Max v2)."""
    n = len(pages)
    band = np.empty(n, dtype=_O)
    act = pages["is_active"].to_numpy()
    band[act] = _allocate(rng, int(act.sum()), tuple(TIER_SHARES), tuple(TIER_SHARES.values()))
    band[~act] = np.array(tuple(TIER_SHARES), dtype=_O)[rng.integers(0, len(TIER_SHARES), int((~act).sum()))]
    lo = np.array([TIER_BANDS[b][0] for b in band])
    hi = np.array([TIER_BANDS[b][1] for b in band])
    target = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    ppv = np.clip(2.4 * (target / 12.0) ** 0.42, 1.5, 9.5) * np.exp(rng.normal(0, 0.1, n))
    habit = ppv / np.array([PPV_SHARE[t] for t in pages["page_type"]])
    ref_price = np.clip(np.exp(rng.normal(np.log(14), 0.3, n)) * (target / 60.0) ** 0.08, 7, 35).round(2)
    conversion = np.clip(np.exp(rng.normal(np.log(0.085), 0.2, n)), 0.05, 0.13)
    return pages.assign(
        tier_band=band,
        target_daily_revenue=target,
        ppv_daily_sends=ppv,
        habit_daily_sends=habit,
        view_rate=rng.uniform(0.28, 0.55, n),
        conversion_per_view=conversion,
        ref_price=ref_price,
        price_habit=np.clip(ref_price * np.exp(rng.normal(0, 0.25, n)), 6, 45).round(2),
        price_ending=np.where(rng.random(n) < 0.5, "whole", ".99").astype(_O),
    )


def _windows(rng: np.random.Generator, pages: pd.DataFrame) -> pd.DataFrame:
    """Local active windows: the usual agency windows, widened (earlier start, then later end) until
    the page's busiest PPV day (volume x 1.1) plus 25 % headroom fits at the MIN_GAP_HOURS spacing."""
    n = len(pages)
    win = np.array(WINDOWS)[rng.choice(len(WINDOWS), n, p=WINDOW_P)]
    need = np.ceil(pages["ppv_daily_sends"].to_numpy() * 1.1 * 1.25)
    hours = (need - 1) * MIN_GAP_HOURS + 1
    lo = np.where(win[:, 1] - win[:, 0] + 1 < hours, np.maximum(0, win[:, 1] - hours + 1), win[:, 0])
    hi = np.where(win[:, 1] - lo + 1 < hours, np.minimum(23, lo + hours - 1), win[:, 1])
    return pages.assign(active_from_hour=lo.astype(np.int32), active_to_hour=hi.astype(np.int32))


def _response(rng: np.random.Generator, pages: pd.DataFrame) -> pd.DataFrame:
    """Hour-of-day response, price sensitivity, saturation and the volume habit of every page."""
    n = len(pages)
    lo = pages["active_from_hour"].to_numpy()
    hi = pages["active_to_hour"].to_numpy()
    peak = np.where(rng.random(n) < 0.8, rng.normal(21, 1.5, n), rng.normal(13, 1.5, n))
    peak = np.clip(np.round(peak), lo, hi)
    habit_class = _allocate(rng, n, ("over", "near", "under"), (0.3, 0.4, 0.3))
    ratio = np.select(
        [habit_class == "over", habit_class == "near"],
        [rng.uniform(1.45, 2.0, n), rng.uniform(0.9, 1.1, n)],
        rng.uniform(0.5, 0.75, n),
    )
    habit = pages["habit_daily_sends"].to_numpy()
    return pages.assign(
        base_logit=0.0,  # set by sends.calibrate_base_logit
        audience_size=1.0,  # set by calibrate_audience
        price_sensitivity=rng.uniform(0.5, 1.6, n),
        peak_hour=peak.astype(float),
        peak_width=rng.uniform(1.5, 4.0, n),
        hour_amplitude=rng.uniform(0.3, 0.8, n),
        volume_habit=habit_class,
        habit_ratio=ratio,
        optimal_daily_sends=np.maximum(1.0, np.round(habit / ratio)),
        saturation_per_send=rng.uniform(*SATURATION_PER_SEND, n),
    )


def decayed_daily_revenue(
    page_idx: np.ndarray, age_days: np.ndarray, revenue: np.ndarray, span_days: np.ndarray, n_pages: int
) -> np.ndarray:
    """The creator-performance measure: sum of revenue x 0.5^(age / half-life) over the sends of the
    last TIER_WINDOW_DAYS, divided by the decayed length of the window the page existed in
    (half-life / ln 2 x (1 - 0.5^(span / half-life)), span = min(window, age of its first send))."""
    h = TIER_HALF_LIFE_DAYS
    inside = age_days < TIER_WINDOW_DAYS
    w = np.where(inside, 0.5 ** (age_days / h), 0.0)
    num = np.bincount(page_idx, weights=revenue * w, minlength=n_pages)
    span = np.clip(span_days, 0.0, TIER_WINDOW_DAYS)
    den = h / np.log(2) * (1 - 0.5 ** (span / h))
    return np.divide(num, den, out=np.zeros(n_pages), where=den > 0)


def generate_vault(rng: np.random.Generator, pages: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(vault_matrix wide frame, page x category affinity long frame)."""
    n, k = len(pages), len(VAULT_CATEGORIES)
    w = np.array([vocab.CATEGORY_POPULARITY[c] for c in VAULT_CATEGORIES], dtype=float)
    share = rng.uniform(0.4, 0.7, n)
    n_on = np.round(share * k).astype(int)
    keys = np.log(w)[None, :] + rng.gumbel(size=(n, k))  # Gumbel top-k = weighted sampling w/o replacement
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    has = rank < n_on[:, None]
    vals = np.where(has, True, np.where(rng.random((n, k)) < 0.3, None, False)).astype(_O)
    wide = pd.DataFrame(vals, columns=list(VAULT_CATEGORIES))
    wide.insert(0, "page_name", pages["page_name"].to_numpy())
    aff = rng.normal(0, 0.25, (n, k))
    long = pd.DataFrame(
        {
            "page_key": np.repeat(pages["page_key"].to_numpy(), k),
            "content_category": np.tile(np.array(VAULT_CATEGORIES, dtype=_O), n),
            "in_vault": has.ravel(),
            "affinity": aff.ravel(),
        }
    )
    return wide, long
