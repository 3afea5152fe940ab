"""The JSON record of an evaluation (benchmarks/evaluations/): the command, the commit, the seeds
and the figures, so that every figure the README reports names the run it comes from."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

TUNING_SEEDS: tuple[int, ...] = (1, 2, 3)
REPORTING_SEEDS: tuple[int, ...] = (101, 102, 103, 104, 105)


def git_commit(cwd: Path | None = None) -> str | None:
    """HEAD's commit (with '+dirty' when the work tree has changes), or None outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def seed_role(seeds) -> str:
    """'reporting', 'tuning' or 'mixed' (figures for the README come from reporting seeds only)."""
    seeds = set(seeds)
    if seeds <= set(REPORTING_SEEDS):
        return "reporting"
    if seeds <= set(TUNING_SEEDS):
        return "tuning"
    return "mixed"


def record(evaluation: str, seeds, figures: dict, argv: list[str] | None = None, **extra) -> dict:
    argv = list(sys.argv if argv is None else argv)
    command = " ".join(["sendwise", *argv[1:]]) if argv and argv[0].endswith("sendwise") else " ".join(argv)
    return {
        "evaluation": evaluation,
        "command": command,
        "commit": git_commit(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seeds": list(seeds),
        "seed_role": seed_role(seeds),
        **extra,
        "figures": figures,
    }


def write(path: str | Path, payload: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=float) + "\n")
    return path


def mean_interval(values: list[float]) -> dict:
    """Mean and 95 % t-interval over seeds (None without two values)."""
    from scipy import stats

    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = statistics.fmean(values)
    if len(values) < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": 1}
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": len(values)}
