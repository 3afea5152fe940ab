"""`sendwise evaluate-ranking`: play weeks forward on the demo data's hidden truth.

For every seed a demo world is generated (history up to --end); each policy then plays
--weeks x 7 days forward from it, one day at a time: the project's own ranking SQL (compiled
once by dbt, executed on a scratch copy of the world holding the history so far) ranks the next
24 hours, the chosen captions are sent into audiences drawn from the true purchase
probabilities, and the outcomes are appended to the history (see sendwise.evaluation.simulate).

Reports, per policy, revenue as a percentage of the oracle's (mean over seeds with a 95 %
t-interval; realised revenue, and expected revenue = price x recipients x true p), the cumulative
regret per week (oracle's expected revenue minus the policy's, mean over seeds), the share of
revenue earned by captions no page had sent before the simulation, and the default policy's gain
over the strongest non-learning baseline (paired by seed, 95 % t-interval). `--out FILE` writes the
report as JSON with the command, the commit and the seeds (benchmarks/evaluations/).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sendwise.errors import check_run_outputs
from sendwise.paths import DEFAULT_END

HELP = (
    "simulate weeks of caption ranking on the demo truth: ucb, greedy, thompson vs random,"
    " historical_best, best_category and the oracle"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sendwise.evaluation.simulate import ALL_POLICIES

    parser.add_argument("--scale", default="seed", choices=("small", "seed", "x10"))
    parser.add_argument("--weeks", type=int, default=8, help="simulated weeks (default 8)")
    parser.add_argument("--days", type=int, default=None, help="simulated days (overrides --weeks)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="world seeds (default 1 2 3)")
    parser.add_argument(
        "--policies", nargs="+", default=list(ALL_POLICIES), choices=ALL_POLICIES, help="policies to compare"
    )
    parser.add_argument("--pages", type=int, default=None, help="simulate only the first N active pages")
    parser.add_argument("--jobs", type=int, default=2, help="parallel simulations (default 2)")
    parser.add_argument("--end", default=DEFAULT_END, help="UTC end of the generated history")
    parser.add_argument("--workdir", default=None, help="keep worlds and scratch files here (default: temp)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", default=None, help="also write the JSON report to this file")
    parser.add_argument(
        "--default-policy",
        default=None,
        help="the policy compared with the baselines (default: dbt var ranking_policy)",
    )


def _t_interval(values: list[float]) -> tuple[float, float | None, float | None]:
    from scipy import stats

    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, None, None
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def summarise(sends, policies: list[str], days: int, default_policy: str | None = None) -> dict:
    """Per policy: % of the oracle's revenue (mean and 95 % t-interval over seeds), regret by week,
    revenue share of captions new at the start; and the default policy's paired gain over the
    strongest non-learning baseline (the one with the highest mean % of the oracle)."""
    from sendwise.evaluation.simulate import NON_LEARNING

    weeks = max(1, math.ceil(days / 7))
    totals = sends.groupby(["policy", "seed"])[["earnings", "expected_revenue"]].sum()
    weekly = sends.groupby(["policy", "seed", "week"])["expected_revenue"].sum()
    new = {}
    for flag in ("is_new_caption", "is_new_to_page"):
        if flag in sends:
            new[flag] = sends[sends[flag]].groupby(["policy", "seed"])["earnings"].sum()
    seeds = sorted(sends["seed"].unique().tolist())
    out: dict = {}
    for policy in policies:
        entry: dict = {
            "revenue": statistics.fmean(float(totals.loc[(policy, s), "earnings"]) for s in seeds),
            "expected_revenue": statistics.fmean(
                float(totals.loc[(policy, s), "expected_revenue"]) for s in seeds
            ),
            "sends": int((sends["policy"] == policy).sum() / len(seeds)),
            # per seed, so that runs of one policy under other settings compare seed by seed
            "revenue_by_seed": [float(totals.loc[(policy, s), "earnings"]) for s in seeds],
            "expected_revenue_by_seed": [float(totals.loc[(policy, s), "expected_revenue"]) for s in seeds],
        }
        for flag, name in (("is_new_caption", "new_caption"), ("is_new_to_page", "new_to_page")):
            if flag in new:
                entry[f"revenue_share_{name}_pct"] = statistics.fmean(
                    100.0
                    * float(new[flag].get((policy, s), 0.0))
                    / float(totals.loc[(policy, s), "earnings"])
                    for s in seeds
                )
        if "oracle" in policies:
            pct = [
                100.0
                * float(totals.loc[(policy, s), "earnings"])
                / float(totals.loc[("oracle", s), "earnings"])
                for s in seeds
            ]
            pct_expected = [
                100.0
                * float(totals.loc[(policy, s), "expected_revenue"])
                / float(totals.loc[("oracle", s), "expected_revenue"])
                for s in seeds
            ]
            mean, low, high = _t_interval(pct)
            entry.update(
                pct_of_oracle=mean,
                ci_low=low,
                ci_high=high,
                pct_of_oracle_by_seed=pct,
                expected_pct_of_oracle=_t_interval(pct_expected)[0],
                expected_pct_of_oracle_by_seed=pct_expected,
            )
            regret = []
            for s in seeds:
                cum, row = 0.0, []
                for w in range(weeks):
                    oracle = float(weekly.get(("oracle", s, w), 0.0))
                    mine = float(weekly.get((policy, s, w), 0.0))
                    cum += oracle - mine
                    row.append(cum)
                regret.append(row)
            entry["cumulative_regret_by_week"] = [
                statistics.fmean(r[w] for r in regret) for w in range(weeks)
            ]
            entry["regret_per_week"] = entry["cumulative_regret_by_week"][-1] * 7.0 / days
        out[policy] = entry
    baselines = [p for p in policies if p in NON_LEARNING]
    if default_policy in policies and baselines and "oracle" in policies:
        strongest = max(baselines, key=lambda p: out[p]["pct_of_oracle"])
        gain = [
            a - b
            for a, b in zip(
                out[default_policy]["pct_of_oracle_by_seed"],
                out[strongest]["pct_of_oracle_by_seed"],
                strict=True,
            )
        ]
        gain_expected = [
            a - b
            for a, b in zip(
                out[default_policy]["expected_pct_of_oracle_by_seed"],
                out[strongest]["expected_pct_of_oracle_by_seed"],
                strict=True,
            )
        ]
        mean, low, high = _t_interval(gain)
        rel = [
            100.0
            * (
                float(totals.loc[(default_policy, s), "earnings"])
                / float(totals.loc[(strongest, s), "earnings"])
                - 1.0
            )
            for s in seeds
        ]
        rel_mean, rel_low, rel_high = _t_interval(rel)
        out["_comparison"] = {
            "default_policy": default_policy,
            "strongest_baseline": strongest,
            "gain_points_of_oracle": mean,
            "gain_ci_low": low,
            "gain_ci_high": high,
            "gain_by_seed": gain,
            "expected_gain_points_of_oracle": _t_interval(gain_expected)[0],
            "gain_relative_pct": rel_mean,
            "gain_relative_ci_low": rel_low,
            "gain_relative_ci_high": rel_high,
            "beats_baseline": bool(low is not None and low > 0),
        }
    return out


def _run_task(task):
    from sendwise.evaluation.simulate import simulate_policy

    world, compiled, policy, days, scratch, threads = task
    t0 = time.perf_counter()
    frame, sql_seconds = simulate_policy(world, compiled, policy, days, scratch, threads=threads)
    return policy, world.seed, frame, sql_seconds, time.perf_counter() - t0


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from sendwise.evaluation.compiled import compile_policies
    from sendwise.evaluation.simulate import SQL_POLICIES, build_world

    check_run_outputs(args.out, args.workdir)
    days = args.days if args.days is not None else 7 * args.weeks
    policies = list(dict.fromkeys(args.policies))
    own_workdir = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sendwise_eval_"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    t_start = time.perf_counter()
    try:
        worlds = []
        for seed in args.seeds:
            t0 = time.perf_counter()
            world = build_world(args.scale, seed, workdir, args.end)
            if args.pages:
                world.restrict_pages(args.pages)
            worlds.append(world)
            log(
                f"world seed={seed} ({args.scale}): {len(world.pages)} active pages, {time.perf_counter() - t0:.1f} s"
            )
        to_compile = [p for p in SQL_POLICIES if p in policies]
        if not to_compile:
            to_compile.append("ucb")  # the baselines read eligibility and slots from a ranking compile
        base_compile = to_compile[0]
        t0 = time.perf_counter()
        compiled = compile_policies(worlds[0].db_path, to_compile, workdir)
        log(f"compiled the ranking SQL for {', '.join(to_compile)}: {time.perf_counter() - t0:.1f} s")
        jobs = max(1, args.jobs)
        threads = max(1, (os.cpu_count() or 2) // jobs)
        tasks = [
            (
                world,
                compiled[p if p in SQL_POLICIES else base_compile],
                p,
                days,
                workdir / f"scratch_{world.seed}_{p}",
                threads,
            )
            for world in worlds
            for p in policies
        ]
        results = []
        if jobs == 1:
            for task in tasks:
                results.append(_run_task(task))
                log(
                    f"  {results[-1][0]} seed={results[-1][1]}: {results[-1][4]:.0f} s (SQL {results[-1][3]:.0f} s)"
                )
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for result in pool.map(_run_task, tasks):
                    results.append(result)
                    log(f"  {result[0]} seed={result[1]}: {result[4]:.0f} s (SQL {result[3]:.0f} s)")
        sends = pd.concat([r[2] for r in results], ignore_index=True)
        default_policy = args.default_policy or _default_policy()
        summary = summarise(sends, policies, days, default_policy)
        elapsed = time.perf_counter() - t_start
        sql_days = [r[3] / days for r in results if r[0] in SQL_POLICIES]
        report = {
            "scale": args.scale,
            "days": days,
            "weeks": days / 7,
            "seeds": list(args.seeds),
            "pages": int(statistics.fmean(len(w.pages) for w in worlds)),
            "policies": summary,
            "elapsed_seconds": round(elapsed, 1),
            "ranking_sql_seconds_per_day": round(statistics.median(sql_days), 2) if sql_days else None,
            "best_policy": max(
                (p for p in policies if p in SQL_POLICIES), key=lambda p: summary[p]["revenue"], default=None
            ),
            "default_policy": default_policy,
        }
        if args.out:
            from sendwise.evaluation.record import record, write

            write(args.out, record("ranking", args.seeds, report, scale=args.scale, weeks=days / 7))
        if args.json:
            print(json.dumps(report, indent=2, default=float))
        else:
            _print_report(report)
        return 0
    finally:
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _default_policy() -> str | None:
    """The ranking_policy var of dbt_project.yml (the policy the project ships)."""
    import yaml

    from sendwise.paths import PROJECT_ROOT

    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    return (project.get("vars") or {}).get("ranking_policy")


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _print_report(report: dict) -> None:
    print(
        f"\nevaluate-ranking: {report['scale']} scale, {report['days']} days, seeds {report['seeds']},"
        f" {report['pages']} pages, {report['elapsed_seconds']:.0f} s"
    )
    print(f"{'policy':<16} {'% of oracle':>12} {'95% CI':>17} {'expected %':>11} {'revenue':>14}")
    for policy, entry in report["policies"].items():
        if policy.startswith("_"):
            continue
        ci = f"[{_fmt(entry.get('ci_low'))}, {_fmt(entry.get('ci_high'))}]"
        print(
            f"{policy:<16} {_fmt(entry.get('pct_of_oracle')):>12} {ci:>17}"
            f" {_fmt(entry.get('expected_pct_of_oracle')):>11} {entry['revenue']:>14,.0f}"
        )
    print("\ncumulative regret (oracle expected revenue minus the policy's) by week, mean over seeds:")
    for policy, entry in report["policies"].items():
        if "cumulative_regret_by_week" in entry:
            print(f"  {policy:<16} " + " ".join(f"{v:>12,.0f}" for v in entry["cumulative_regret_by_week"]))
    for policy, entry in report["policies"].items():
        if "revenue_share_new_caption_pct" in entry:
            print(
                f"  {policy:<16} revenue from captions no page had sent: {entry['revenue_share_new_caption_pct']:.1f} %,"
                f" new to the page: {entry.get('revenue_share_new_to_page_pct', float('nan')):.1f} %"
            )
    comp = report["policies"].get("_comparison")
    if comp:
        print(
            f"\n{comp['default_policy']} (default) vs {comp['strongest_baseline']} (strongest non-learning baseline):"
            f" {comp['gain_points_of_oracle']:+.2f} points of the oracle"
            f" [{_fmt(comp['gain_ci_low'])}, {_fmt(comp['gain_ci_high'])}], {comp['gain_relative_pct']:+.1f} % revenue"
        )
    if report.get("best_policy"):
        print(f"\nbest ranking policy: {report['best_policy']}")
