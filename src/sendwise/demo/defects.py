"""Defect bookkeeping: disjoint row selection, label rows, messiness counters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendwise.contracts import INJECTED_DEFECTS, SOURCES
from sendwise.demo.config import defect_count


def ts_text(values: np.ndarray) -> np.ndarray:
    """datetime64 -> 'YYYY-MM-DD HH:MM:SS' text (None for NaT)."""
    arr = np.asarray(values).astype("datetime64[s]")
    txt = np.char.replace(np.datetime_as_string(arr, unit="s"), "T", " ").astype(object)
    txt[np.isnat(arr)] = None
    return txt


def key_text(values) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return ts_text(arr)
    return np.array([None if v is None else str(v) for v in arr], dtype=object) if arr.size else arr


class Labels:
    """Collects ground_truth.injected_defects rows."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []

    def add(self, source: str, defect: str, *keys) -> None:
        if defect not in INJECTED_DEFECTS[source]:
            raise ValueError(f"{defect!r} is not a contract defect of {source}")
        if len(keys) != len(SOURCES[source].label_key):
            raise ValueError(f"{source} labels need keys {SOURCES[source].label_key}")
        n = len(keys[0])
        cols = [key_text(k) for k in keys] + [np.full(n, None, dtype=object)] * (3 - len(keys))
        self._frames.append(
            pd.DataFrame(
                {
                    "source_table": np.full(n, source, dtype=object),
                    "defect_type": np.full(n, defect, dtype=object),
                    "key_1": cols[0],
                    "key_2": cols[1],
                    "key_3": cols[2],
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        return pd.concat(self._frames, ignore_index=True)


def pick_disjoint(
    rng: np.random.Generator,
    n_rows: int,
    source: str,
    eligible: dict[str, np.ndarray] | None = None,
    skip: tuple[str, ...] = (),
    used: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Row indices per defect type of `source` (sorted), pairwise disjoint so no row gets two defects.

    `eligible[defect]` restricts the candidates; `used` marks rows that must stay clean."""
    used = np.zeros(n_rows, bool) if used is None else used.copy()
    out: dict[str, np.ndarray] = {}
    for defect in INJECTED_DEFECTS[source]:
        if defect in skip:
            continue
        cand = ~used
        if eligible and defect in eligible:
            cand &= eligible[defect]
        pool = np.flatnonzero(cand)
        k = min(defect_count(n_rows), pool.size)
        if k < 2:
            raise RuntimeError(f"not enough clean rows for {source}:{defect}")
        idx = np.sort(rng.choice(pool, size=k, replace=False))
        used[idx] = True
        out[defect] = idx
    return out, used


def with_copies(df: pd.DataFrame, idx: np.ndarray) -> pd.DataFrame:
    """df with an exact extra copy of each row in idx placed right after the original."""
    return insert_after(df, [(idx, df.iloc[idx])])


def insert_after(df: pd.DataFrame, inserts: list[tuple[np.ndarray, pd.DataFrame]]) -> pd.DataFrame:
    """df with each extra frame's rows placed right after the row positions given with it."""
    frames = [df.reset_index(drop=True)]
    pos = [np.arange(len(df), dtype=float)]
    for k, (idx, extra) in enumerate(inserts, start=1):
        frames.append(extra.reset_index(drop=True))
        pos.append(np.asarray(idx, dtype=float) + k / (len(inserts) + 1))
    out = pd.concat(frames, ignore_index=True)
    return out.iloc[np.argsort(np.concatenate(pos), kind="stable")].reset_index(drop=True)
