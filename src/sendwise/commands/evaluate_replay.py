"""`sendwise evaluate-replay`: the offline replay (Li et al. 2011) on logs drawn from the demo world.

For every seed a demo world is generated (history up to --end) and a uniform-random log of one
page's sends over --days days is drawn from its hidden truth (`sendwise.evaluation.world_replay`:
--arms captions of the page's eligible pool, one event per recipient, the generator's noise and
fatigue). Each policy is replayed on it (`sendwise.evaluation.replay`, the project's ranking SQL
compiled once per policy for all seeds; about --batch-days days of events per ranking refresh),
and its estimate is set beside the truth of the same log: the true expected revenue of the events
it matched, the true value of its final choice and final ranking, the best arm's. Figures per seed
and, over seeds, the mean with a 95 % t-interval (as percentages of each log's best arm, whose
dollar value differs from page to page). `--out` (default benchmarks/evaluations/replay_<scale>_seeds<seeds>.json)
records the command, the commit and the seeds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sendwise.errors import check_run_outputs
from sendwise.paths import DEFAULT_END

HELP = "replay ucb / greedy / thompson / random on uniform-random logs drawn from the demo world's truth"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sendwise.evaluation.replay import POLICIES
    from sendwise.evaluation.world_replay import DEFAULT_ARMS, DEFAULT_DAYS

    parser.add_argument("--scale", default="small", help="demo world scale (default small)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103, 104, 105])
    parser.add_argument("--policies", nargs="+", default=list(POLICIES), choices=POLICIES)
    parser.add_argument(
        "--arms", type=int, default=DEFAULT_ARMS, help=f"captions per log (default {DEFAULT_ARMS})"
    )
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"logged days (default {DEFAULT_DAYS})"
    )
    parser.add_argument(
        "--batch-days", type=float, default=4.0, help="days of events per ranking refresh (default 4)"
    )
    parser.add_argument("--page", default=None, help="log this page (default: the busiest active page)")
    parser.add_argument("--end", default=DEFAULT_END, help="UTC end of the generated history")
    parser.add_argument("--workdir", default=None, help="keep worlds, logs and scratch files here")
    parser.add_argument(
        "--out",
        default=None,
        help="JSON record (default benchmarks/evaluations/replay_<scale>_seeds<seeds>.json)",
    )


def seeds_label(seeds: list[int]) -> str:
    """'101-105' for a run of consecutive seeds, else the seeds joined by '_' ('1_3', not '1-3')."""
    if len(seeds) > 1 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}"
    return "_".join(map(str, seeds))


def run(args: argparse.Namespace) -> int:
    from sendwise.errors import UserError
    from sendwise.evaluation import replay
    from sendwise.evaluation.compiled import compile_policies
    from sendwise.evaluation.record import record, write
    from sendwise.evaluation.simulate import build_world
    from sendwise.evaluation.world_replay import aggregate, check_arguments, draw_from_world, truth_check

    check_arguments(n_arms=args.arms, days=args.days, scale=args.scale)
    if args.batch_days <= 0:
        raise UserError(f"--batch-days must be positive, not {args.batch_days}")
    out = Path(args.out or f"benchmarks/evaluations/replay_{args.scale}_seeds{seeds_label(args.seeds)}.json")
    check_run_outputs(str(out), args.workdir)
    policies = list(dict.fromkeys(args.policies))
    sql_policies = [p for p in policies if p in replay.SQL_POLICIES]
    own = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sendwise_replay_eval_"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    t_start = time.perf_counter()
    try:
        per_seed: dict[int, dict] = {}
        compiled, seeded = None, None
        for seed in args.seeds:
            t0 = time.perf_counter()
            world = build_world(args.scale, seed, workdir, args.end, seeds_from=seeded)
            if compiled is None:  # once for every seed: the SQL does not depend on the world's rows
                compiled = compile_policies(world.db_path, sql_policies or ["greedy"], workdir)
                seeded = world.db_path
                log(f"compiled {', '.join(compiled)}: {time.perf_counter() - t0:.0f} s")
            world_log = draw_from_world(
                world,
                next(iter(compiled.values())),
                workdir / f"pools_{seed}",
                page_key=args.page,
                n_arms=args.arms,
                days=args.days,
            )
            path = world_log.write(workdir / f"log_{seed}.csv")
            events = replay.read_log(path)
            if not (events["arm_id"].to_numpy() == world_log.events["arm_id"].to_numpy()).all():
                raise RuntimeError("the log read back is not in the order it was drawn")
            replay_db = replay.build_replay_world(events, workdir / f"replay_{seed}", seeds_from=seeded)
            batch_size = max(1, round(len(events) * args.batch_days / args.days))
            figures = {}
            for policy in policies:
                t1 = time.perf_counter()
                result = replay.replay_policy(
                    events,
                    replay_db,
                    compiled.get(policy),
                    policy,
                    workdir / f"scratch_{seed}_{policy}",
                    batch_size=batch_size,
                    seed=seed,
                )
                summary = replay.summarise(result, world_log.best_arm, seed)
                figures[policy] = {
                    **summary,
                    **truth_check(world_log, result, summary),
                    "seconds": round(time.perf_counter() - t1, 1),
                }
            per_seed[seed] = {
                "log": world_log.summary(),
                "batch_size": batch_size,
                "policies": figures,
                "seconds": round(time.perf_counter() - t0, 1),
            }
            log(
                f"seed {seed}: page {world_log.page_key}, {len(events):,} events, {per_seed[seed]['seconds']:.0f} s"
            )
            if world.db_path != seeded:  # keep the disk small (the first world lends its dbt seeds)
                shutil.rmtree(world.db_path.parent, ignore_errors=True)
        report = {
            "scale": args.scale,
            "days": args.days,
            "arms": args.arms,
            "batch_days": args.batch_days,
            "policies": aggregate(per_seed, policies),
            "by_seed": per_seed,
            "elapsed_seconds": round(time.perf_counter() - t_start, 1),
        }
        write(out, record("replay", args.seeds, report, scale=args.scale))
        _print_report(report)
        log(f"written {out}")
        return 0
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def _fmt(entry: dict, digits: int = 1) -> str:
    if entry["mean"] is None:
        return "-"
    if entry["ci_low"] is None:
        return f"{entry['mean']:.{digits}f}"
    return f"{entry['mean']:.{digits}f} [{entry['ci_low']:.{digits}f}, {entry['ci_high']:.{digits}f}]"


def _print_report(report: dict) -> None:
    figures = report["policies"]
    seeds = len(report["by_seed"])
    print(
        f"evaluate-replay: {report['scale']} worlds, {seeds} seeds, {report['days']} days, {report['arms']} arms,"
        f" {report['elapsed_seconds']:.0f} s; % of the best arm's true value, mean [95 % t-interval]"
    )
    print(f"uniform logging policy (truth): {_fmt(figures['uniform_pct_of_best_arm'])}")
    print(
        f"{'policy':<9} {'replay estimate':>24} {'truth of matched':>24} {'final ranking':>24} {'final=best':>10}"
    )
    for policy, entry in figures.items():
        if not isinstance(entry, dict) or "pct_of_best_arm" not in entry:
            continue
        print(
            f"{policy:<9} {_fmt(entry['pct_of_best_arm']):>24} {_fmt(entry['matched_true_pct_of_best_arm']):>24}"
            f" {_fmt(entry['final_ranking_pct_of_best_arm']):>24} {entry['seeds_final_choice_is_best']:>5}/{seeds}"
        )
    for policy, entry in figures.items():
        if isinstance(entry, dict) and "gain_over_random_points" in entry:
            print(f"{policy} minus random (points, paired by seed): {_fmt(entry['gain_over_random_points'])}")
