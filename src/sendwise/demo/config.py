"""Scales, rates and deterministic random streams of the demo generator."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scale:
    name: str
    pages: int
    days: int
    captions: int
    # mass messages follow from the pages' economics (about 6 a page-day; docs/demo_world.md)
    chat_rows: int  # target number of chat rows
    outcomes: int  # target number of promo outcome rows


SCALES: dict[str, Scale] = {
    "small": Scale("small", pages=8, days=60, captions=2_500, chat_rows=6_000, outcomes=700),
    "seed": Scale("seed", pages=40, days=180, captions=36_000, chat_rows=100_000, outcomes=4_000),
    "x10": Scale("x10", pages=400, days=180, captions=360_000, chat_rows=1_000_000, outcomes=40_000),
}

# Share of rows that get each injected defect type (at least MIN_DEFECT_ROWS rows per type).
DEFECT_RATE = 0.004
MIN_DEFECT_ROWS = 2
NEAR_DUPLICATE_SHARE = 0.03
OFF_BANK_SHARE = 0.05


def defect_count(n_rows: int, rate: float = DEFECT_RATE) -> int:
    return max(MIN_DEFECT_ROWS, round(n_rows * rate))


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible random stream per generator component."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(stream.encode())])
