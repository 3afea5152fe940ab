"""The demo world's holiday calendar: the main holidays of each page's country, each with a purchase effect.

A page's country is the one of its time zone (TZ_COUNTRY, the same mapping as an IANA zone table);
a holiday moves the logit of every PPV purchase on that page-local date by its `effect` (positive:
fans at home and spending; negative: family days). Fixed-date holidays recur every year; movable
ones follow their rule (US Thanksgiving = fourth Thursday of November, Mexico's Revolution Day = third
Monday of November, Easter by the Gregorian computus, ...); lunar and observed-date holidays are
listed for 2025-2027. The generator writes the holidays of the history and of the 13 weeks after it
to `ground_truth.holidays`. In the demo's planned week (2026-11-15..21) Brazil has 15 and 20 November,
Colombia and Mexico 16 November.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TZ_COUNTRY: dict[str, str] = {
    "America/New_York": "US", "America/Chicago": "US", "America/Denver": "US", "America/Los_Angeles": "US",
    "America/Phoenix": "US", "Europe/London": "GB", "Europe/Berlin": "DE", "Europe/Madrid": "ES",
    "Europe/Warsaw": "PL", "Europe/Kyiv": "UA", "America/Bogota": "CO", "America/Mexico_City": "MX",
    "America/Sao_Paulo": "BR", "America/Argentina/Buenos_Aires": "AR", "America/Lima": "PE",
    "Asia/Manila": "PH", "Asia/Tokyo": "JP", "Asia/Bangkok": "TH", "Asia/Kolkata": "IN", "Asia/Singapore": "SG",
}  # fmt: skip

# Effects shared by holidays of one kind (logit of a purchase on that day)
FAMILY, EVE, FEAST, DAY_OFF, ROMANCE, SHOPPING = -0.30, -0.20, -0.10, 0.10, 0.25, 0.25

# (country, name, rule, effect). Rules: "MM-DD" fixed date; "nth:<weekday 0=Mon>:<n>:<month>[+days]"
# (n = -1: last; +days shifts the date); "easter:<offset days>"; "list:YYYY-MM-DD,..." explicit dates.
HOLIDAY_RULES: tuple[tuple[str, str, str, float], ...] = (
    ("US", "new_year", "01-01", DAY_OFF), ("US", "valentines_day", "02-14", ROMANCE),
    ("US", "memorial_day", "nth:0:-1:5", DAY_OFF), ("US", "independence_day", "07-04", EVE),
    ("US", "labor_day", "nth:0:1:9", DAY_OFF), ("US", "halloween", "10-31", 0.15),
    ("US", "thanksgiving", "nth:3:4:11", FAMILY), ("US", "black_friday", "nth:3:4:11+1", SHOPPING),
    ("US", "christmas_eve", "12-24", EVE), ("US", "christmas", "12-25", FAMILY), ("US", "new_years_eve", "12-31", EVE),
    ("GB", "new_year", "01-01", DAY_OFF), ("GB", "valentines_day", "02-14", ROMANCE),
    ("GB", "early_may_bank_holiday", "nth:0:1:5", DAY_OFF), ("GB", "spring_bank_holiday", "nth:0:-1:5", DAY_OFF),
    ("GB", "summer_bank_holiday", "nth:0:-1:8", DAY_OFF), ("GB", "christmas", "12-25", FAMILY),
    ("GB", "boxing_day", "12-26", 0.15), ("GB", "new_years_eve", "12-31", EVE),
    ("DE", "new_year", "01-01", DAY_OFF), ("DE", "valentines_day", "02-14", ROMANCE),
    ("DE", "labour_day", "05-01", DAY_OFF), ("DE", "whit_monday", "easter:50", DAY_OFF),
    ("DE", "german_unity_day", "10-03", DAY_OFF), ("DE", "christmas_eve", "12-24", EVE),
    ("DE", "christmas", "12-25", FAMILY), ("DE", "second_day_of_christmas", "12-26", DAY_OFF),
    ("DE", "new_years_eve", "12-31", EVE),
    ("ES", "new_year", "01-01", DAY_OFF), ("ES", "labour_day", "05-01", DAY_OFF),
    ("ES", "assumption_day", "08-15", DAY_OFF), ("ES", "national_day", "10-12", DAY_OFF),
    ("ES", "all_saints_day", "11-01", FEAST), ("ES", "immaculate_conception", "12-08", DAY_OFF),
    ("ES", "christmas", "12-25", FAMILY), ("ES", "new_years_eve", "12-31", EVE),
    ("PL", "new_year", "01-01", DAY_OFF), ("PL", "labour_day", "05-01", DAY_OFF),
    ("PL", "constitution_day", "05-03", DAY_OFF), ("PL", "assumption_day", "08-15", DAY_OFF),
    ("PL", "all_saints_day", "11-01", FEAST), ("PL", "independence_day", "11-11", DAY_OFF),
    ("PL", "christmas_eve", "12-24", EVE), ("PL", "christmas", "12-25", FAMILY),
    ("PL", "second_day_of_christmas", "12-26", DAY_OFF),
    ("UA", "new_year", "01-01", DAY_OFF), ("UA", "valentines_day", "02-14", ROMANCE),
    ("UA", "independence_day", "08-24", DAY_OFF), ("UA", "christmas", "12-25", FAMILY),
    ("CO", "new_year", "01-01", DAY_OFF), ("CO", "labour_day", "05-01", DAY_OFF),
    ("CO", "independence_day", "07-20", DAY_OFF), ("CO", "battle_of_boyaca", "08-07", DAY_OFF),
    ("CO", "independence_of_cartagena", "list:2025-11-17,2026-11-16,2027-11-15", DAY_OFF),
    ("CO", "christmas", "12-25", FAMILY),
    ("MX", "new_year", "01-01", DAY_OFF), ("MX", "valentines_day", "02-14", 0.20),
    ("MX", "labour_day", "05-01", DAY_OFF), ("MX", "independence_day", "09-16", FEAST),
    ("MX", "day_of_the_dead", "11-02", FEAST), ("MX", "revolution_day", "nth:0:3:11", DAY_OFF),
    ("MX", "christmas_eve", "12-24", EVE), ("MX", "christmas", "12-25", FAMILY), ("MX", "new_years_eve", "12-31", EVE),
    ("BR", "new_year", "01-01", DAY_OFF), ("BR", "labour_day", "05-01", DAY_OFF),
    ("BR", "lovers_day", "06-12", ROMANCE), ("BR", "independence_day", "09-07", DAY_OFF),
    ("BR", "our_lady_of_aparecida", "10-12", DAY_OFF), ("BR", "all_souls_day", "11-02", FEAST),
    ("BR", "republic_proclamation_day", "11-15", DAY_OFF), ("BR", "black_awareness_day", "11-20", DAY_OFF),
    ("BR", "christmas", "12-25", FAMILY), ("BR", "new_years_eve", "12-31", EVE),
    ("AR", "new_year", "01-01", DAY_OFF), ("AR", "labour_day", "05-01", DAY_OFF),
    ("AR", "may_revolution_day", "05-25", DAY_OFF), ("AR", "independence_day", "07-09", DAY_OFF),
    ("AR", "christmas", "12-25", FAMILY),
    ("PE", "new_year", "01-01", DAY_OFF), ("PE", "labour_day", "05-01", DAY_OFF),
    ("PE", "independence_day", "07-28", DAY_OFF), ("PE", "great_military_parade_day", "07-29", DAY_OFF),
    ("PE", "all_saints_day", "11-01", FEAST), ("PE", "christmas", "12-25", FAMILY),
    ("PH", "new_year", "01-01", DAY_OFF), ("PH", "valentines_day", "02-14", ROMANCE),
    ("PH", "independence_day", "06-12", DAY_OFF), ("PH", "all_saints_day", "11-01", FEAST),
    ("PH", "all_souls_day", "11-02", FEAST), ("PH", "bonifacio_day", "11-30", DAY_OFF),
    ("PH", "christmas_eve", "12-24", EVE), ("PH", "christmas", "12-25", FAMILY),
    ("PH", "rizal_day", "12-30", DAY_OFF), ("PH", "new_years_eve", "12-31", EVE),
    ("JP", "new_year", "01-01", FAMILY), ("JP", "valentines_day", "02-14", ROMANCE),
    ("JP", "marine_day", "nth:0:3:7", DAY_OFF), ("JP", "culture_day", "11-03", DAY_OFF),
    ("JP", "labour_thanksgiving_day", "11-23", DAY_OFF), ("JP", "christmas_eve", "12-24", ROMANCE),
    ("TH", "new_year", "01-01", DAY_OFF), ("TH", "songkran", "04-13", FAMILY),
    ("TH", "kings_birthday", "07-28", DAY_OFF), ("TH", "new_years_eve", "12-31", EVE),
    ("IN", "new_year", "01-01", DAY_OFF), ("IN", "independence_day", "08-15", DAY_OFF),
    ("IN", "gandhi_jayanti", "10-02", DAY_OFF), ("IN", "diwali", "list:2025-10-20,2026-11-08,2027-10-29", FAMILY),
    ("IN", "christmas", "12-25", DAY_OFF),
    ("SG", "new_year", "01-01", DAY_OFF), ("SG", "lunar_new_year", "list:2025-01-29,2026-02-17,2027-02-06", FAMILY),
    ("SG", "national_day", "08-09", DAY_OFF), ("SG", "diwali", "list:2025-10-20,2026-11-08,2027-10-29", FEAST),
    ("SG", "christmas", "12-25", DAY_OFF),
)  # fmt: skip


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
    """Holidays with a date in [first, last]: country, holiday_date (datetime64[D]), name, effect."""
    lo = pd.Timestamp(first).date()
    hi = pd.Timestamp(last).date()
    rows = [
        (country, d, name, effect)
        for year in range(lo.year, hi.year + 1)
        for country, name, rule, effect in HOLIDAY_RULES
        for d in rule_dates(rule, year)
        if lo <= d <= hi
    ]
    frame = pd.DataFrame(rows, columns=["country", "holiday_date", "name", "effect"])
    frame["holiday_date"] = pd.to_datetime(frame["holiday_date"]).to_numpy().astype("datetime64[D]")
    return frame.sort_values(["country", "holiday_date", "name"], kind="stable").reset_index(drop=True)
