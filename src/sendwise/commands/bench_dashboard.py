"""`sendwise bench-dashboard`: how long each dashboard page takes to render (the target: under 3 s
on the seed demo, median of 3).

Each run renders the page's script to its end in Streamlit's AppTest (every query, frame and chart
spec the server builds; the browser's drawing is not included) with the query cache emptied first,
so a run is what the first visitor after a build waits for; a second, cached render is timed too.
Prints the median and spread per page, and appends them to a CSV with --csv.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from sendwise.paths import duckdb_path

HELP = "time every dashboard page's render (cold and cached; median of --runs) on a built database"
BUDGET_S = 3.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument("--runs", type=int, default=3, help="renders per page (default 3)")
    parser.add_argument("--csv", default=None, help="append the results to this CSV file")


def time_pages(db: Path, runs: int) -> list[dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from sendwise.dashboard.site import APP, PAGES

    os.environ["SENDWISE_DUCKDB_PATH"] = str(db)
    os.environ.pop("SENDWISE_TARGET", None)
    rows = []
    for page in PAGES:
        cold, warm = [], []
        for _ in range(runs):
            at = AppTest.from_file(str(APP), default_timeout=600)
            at.run()
            at.switch_page(page.script)
            st.cache_data.clear()
            start = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - start)
            if at.exception:
                raise RuntimeError(f"{page.title}: {at.exception[0].value}")
            start = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - start)
        rows.append(
            {
                "page": page.url_path,
                "runs": runs,
                "cold_median_s": round(statistics.median(cold), 3),
                "cold_min_s": round(min(cold), 3),
                "cold_max_s": round(max(cold), 3),
                "cached_median_s": round(statistics.median(warm), 3),
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    db = duckdb_path(args.db)
    if not db.exists():
        print(f"bench-dashboard: no database at {db}: run `make demo` first", file=sys.stderr)
        return 2
    if args.runs < 1:
        print(f"bench-dashboard: --runs must be at least 1, got {args.runs}", file=sys.stderr)
        return 2
    rows = time_pages(db, args.runs)
    print(f"{'page':<20} {'cold median':>12} {'(min-max)':>15} {'cached':>8}  budget {BUDGET_S:.0f} s")
    for row in rows:
        flag = "" if row["cold_median_s"] < BUDGET_S else "  OVER BUDGET"
        print(
            f"{row['page']:<20} {row['cold_median_s']:>11.2f}s {row['cold_min_s']:>6.2f}-{row['cold_max_s']:.2f}s"
            f" {row['cached_median_s']:>7.2f}s{flag}"
        )
    if args.csv:
        path = Path(args.csv)
        new = not path.exists()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        with path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["measured_at", "db", *rows[0]])
            if new:
                writer.writeheader()
            writer.writerows({"measured_at": stamp, "db": db.name, **row} for row in rows)
    return 0
