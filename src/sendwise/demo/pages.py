"""Creator pages: names, time zones, windows, hidden response parameters and vault contents."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendwise.contracts import VAULT_CATEGORIES
from sendwise.demo import vocab
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


def generate_pages(rng: np.random.Generator, n: int, days: int, start: np.datetime64) -> pd.DataFrame:
    """Truth frame of pages (one row per page, all hidden parameters)."""
    names = page_names(rng, n)
    region = _allocate(rng, n, tuple(REGION_SHARE), tuple(REGION_SHARE.values()))
    tz = np.array([TIMEZONES[r][rng.integers(len(TIMEZONES[r]))] for r in region], dtype=_O)
    page_type = np.where(rng.random(n) < 0.7, "paid", "free").astype(_O)
    n_inactive = max(1, round(0.1 * n))
    is_active = np.ones(n, bool)
    is_active[rng.choice(n, n_inactive, replace=False)] = False
    win = np.array(WINDOWS)[rng.choice(len(WINDOWS), n, p=WINDOW_P)]

    start_s = start.astype("datetime64[s]").astype(np.int64)
    late = rng.random(n) < 0.25
    onboard_day = np.where(late, rng.integers(1, max(2, int(days * 0.5)), n), 0)
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
    audience_trend = per30 * aud_share / 30.0
    conv_trend = per30 * (1 - aud_share) / 30.0

    audience = np.clip(np.exp(rng.normal(np.log(4000), 0.95, n)), 500, 50_000).round()
    base_p = np.clip(np.exp(rng.normal(np.log(0.045), 0.35, n)), 0.012, 0.15)
    ref_price = np.clip(np.exp(rng.normal(np.log(18), 0.35, n)), 8, 40).round(2)
    price_habit = np.clip(ref_price * np.exp(rng.normal(0, 0.3, n)), 6, 55).round(2)
    peak = np.where(rng.random(n) < 0.8, rng.normal(21, 1.5, n), rng.normal(13, 1.5, n))
    peak = np.clip(np.round(peak), win[:, 0], win[:, 1])

    habit_class = _allocate(rng, n, ("over", "near", "under"), (0.3, 0.4, 0.3))
    ratio = np.select(
        [habit_class == "over", habit_class == "near"],
        [rng.uniform(1.45, 2.0, n), rng.uniform(0.9, 1.1, n)],
        rng.uniform(0.5, 0.75, n),
    )
    habit_raw = np.exp(rng.normal(0, 0.3, n))

    return pd.DataFrame(
        {
            "page_key": [page_key(x) for x in names],
            "page_name": np.array(names, dtype=_O),
            "region": region,
            "timezone": tz,
            "page_type": page_type,
            "is_active": is_active,
            "active_from_hour": win[:, 0].astype(np.int32),
            "active_to_hour": win[:, 1].astype(np.int32),
            "onboarded_at": onboarded.astype("datetime64[s]"),
            "first_send_day": onboard_day.astype(np.int64),
            "last_send_day": (off_day - 1).astype(np.int64),
            "audience_size": audience,
            "audience_trend_per_day": audience_trend,
            "trend": trend,
            "base_logit": np.log(base_p / (1 - base_p)),
            "conv_trend_per_day": conv_trend,
            "price_sensitivity": rng.uniform(0.5, 1.6, n),
            "ref_price": ref_price,
            "price_habit": price_habit,
            "peak_hour": peak.astype(float),
            "peak_width": rng.uniform(1.5, 4.0, n),
            "hour_amplitude": rng.uniform(0.3, 0.8, n),
            "view_rate": rng.uniform(0.3, 0.7, n),
            "price_ending": np.where(rng.random(n) < 0.5, "whole", ".99").astype(_O),
            "volume_habit": habit_class,
            "habit_ratio": ratio,
            "habit_raw": habit_raw,
            "saturation_per_send": rng.uniform(0.06, 0.16, n),
        }
    )


def calibrate_volume(pages: pd.DataFrame, target_sends: int) -> pd.DataFrame:
    """Daily habit scaled so the expected number of sends hits the target; optimum = habit / ratio."""
    active_days = (pages["last_send_day"] - pages["first_send_day"] + 1).clip(lower=0).to_numpy()
    raw = pages["habit_raw"].to_numpy()
    scale = target_sends / float((raw * active_days).sum())
    habit = raw * scale
    pages = pages.copy()
    pages["habit_daily_sends"] = habit
    pages["optimal_daily_sends"] = np.maximum(1.0, np.round(habit / pages["habit_ratio"].to_numpy()))
    return pages.drop(columns=["habit_raw"])


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
