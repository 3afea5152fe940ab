"""The demo world's holiday calendar: a few holidays per time-zone region, each with a purchase effect.

A page's region (us / europe / latam / asia, `ground_truth.pages.region`) decides which holidays it
observes; a holiday moves the logit of every PPV purchase on that page-local date by its `effect`
(positive: fans at home and spending; negative: family days). Fixed-date holidays recur every year;
movable ones follow their rule (US Thanksgiving = fourth Thursday of November, Easter by the
Gregorian computus, ...); lunar holidays are listed for 2025-2027 only. The generator writes the
holidays of the history and of the 13 weeks after it to `ground_truth.holidays`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

REGIONS: tuple[str, ...] = ("us", "europe", "latam", "asia")

# (region, name, rule, effect). Rules: "MM-DD" fixed date; "nth:<weekday 0=Mon>:<n>:<month>[+days]"
# (n = -1: last; +days shifts the date); "easter:<offset days>"; "list:YYYY-MM-DD,..." explicit dates.
HOLIDAY_RULES: tuple[tuple[str, str, str, float], ...] = (
    ("us", "new_year", "01-01", 0.10),
    ("us", "valentines_day", "02-14", 0.30),
    ("us", "memorial_day", "nth:0:-1:5", 0.10),
    ("us", "independence_day", "07-04", -0.20),
    ("us", "labor_day", "nth:0:1:9", 0.10),
    ("us", "halloween", "10-31", 0.15),
    ("us", "thanksgiving", "nth:3:4:11", -0.25),
    ("us", "black_friday", "nth:3:4:11+1", 0.25),  # the day after Thanksgiving
    ("us", "christmas_eve", "12-24", -0.20),
    ("us", "christmas", "12-25", -0.30),
    ("us", "new_years_eve", "12-31", -0.20),
    ("europe", "new_year", "01-01", 0.10),
    ("europe", "valentines_day", "02-14", 0.25),
    ("europe", "easter_monday", "easter:1", 0.10),
    ("europe", "may_day", "05-01", 0.10),
    ("europe", "whit_monday", "easter:50", 0.10),
    ("europe", "assumption_day", "08-15", 0.05),
    ("europe", "all_saints_day", "11-01", 0.05),
    ("europe", "christmas_eve", "12-24", -0.20),
    ("europe", "christmas", "12-25", -0.30),
    ("europe", "boxing_day", "12-26", 0.15),
    ("europe", "new_years_eve", "12-31", -0.20),
    ("latam", "new_year", "01-01", 0.10),
    ("latam", "valentines_day", "02-14", 0.20),
    ("latam", "good_friday", "easter:-2", -0.10),
    ("latam", "labour_day", "05-01", 0.10),
    ("latam", "brazil_independence_day", "09-07", 0.10),
    ("latam", "mexico_independence_day", "09-16", -0.10),
    ("latam", "day_of_the_dead", "11-02", -0.10),
    ("latam", "mexico_revolution_day", "nth:0:3:11", 0.10),
    ("latam", "black_consciousness_day", "11-20", 0.10),
    ("latam", "christmas_eve", "12-24", -0.20),
    ("latam", "christmas", "12-25", -0.30),
    ("latam", "new_years_eve", "12-31", -0.20),
    ("asia", "new_year", "01-01", 0.10),
    ("asia", "lunar_new_year", "list:2025-01-29,2026-02-17,2027-02-06", -0.20),
    ("asia", "valentines_day", "02-14", 0.20),
    ("asia", "philippine_independence_day", "06-12", 0.05),
    ("asia", "japan_culture_day", "11-03", 0.05),
    ("asia", "diwali", "list:2025-10-20,2026-11-08,2027-10-29", -0.20),
    ("asia", "christmas", "12-25", -0.20),
)


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 = last) `weekday` (0 = Monday) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def rule_dates(rule: str, year: int) -> list[dt.date]:
    if rule.startswith("list:"):
        return [d for d in (dt.date.fromisoformat(x) for x in rule[5:].split(",")) if d.year == year]
    if rule.startswith("easter:"):
        return [easter(year) + dt.timedelta(days=int(rule[7:]))]
    if rule.startswith("nth:"):
        spec, _, shift = rule[4:].partition("+")
        weekday, n, month = (int(x) for x in spec.split(":"))
        return [nth_weekday(year, month, weekday, n) + dt.timedelta(days=int(shift or 0))]
    month, day = (int(x) for x in rule.split("-"))
    return [dt.date(year, month, day)]


def holiday_calendar(first: np.datetime64, last: np.datetime64) -> pd.DataFrame:
    """Holidays with a date in [first, last]: region, holiday_date (datetime64[D]), name, effect."""
    lo = pd.Timestamp(first).date()
    hi = pd.Timestamp(last).date()
    rows = [
        (region, d, name, effect)
        for year in range(lo.year, hi.year + 1)
        for region, name, rule, effect in HOLIDAY_RULES
        for d in rule_dates(rule, year)
        if lo <= d <= hi
    ]
    frame = pd.DataFrame(rows, columns=["region", "holiday_date", "name", "effect"])
    frame["holiday_date"] = pd.to_datetime(frame["holiday_date"]).to_numpy().astype("datetime64[D]")
    return frame.sort_values(["region", "holiday_date", "name"], kind="stable").reset_index(drop=True)
