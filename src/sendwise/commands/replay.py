"""`sendwise replay --log FILE.csv`: unbiased offline replay of the caption ranking (Li et al. 2011).

The log comes from a uniform-random policy (columns event_at, arm_id, price, purchased, revenue),
or carries a `propensity` column (the logging policy's probability of the logged arm): the estimate
is then self-normalised inverse-propensity weighted (plain IPS reported beside it). Each policy's ranking SQL is compiled once and fed the matched events in batches (see
sendwise.evaluation.replay); the result per policy is the revenue per event with a bootstrap 95 %
interval, the number of matched events and the share of matched events on the log's best arm.
`--synthetic-log FILE` writes a log with a known best arm instead (and prints that arm).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HELP = (
    "offline replay (Li et al. 2011) of ucb / greedy / thompson on a uniform-random or propensity-logged log"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sendwise.evaluation.replay import POLICIES

    parser.add_argument(
        "--log",
        default=None,
        help="CSV with event_at, arm_id, price, purchased, revenue (and optionally propensity)",
    )
    parser.add_argument(
        "--policy", nargs="+", default=["ucb"], choices=POLICIES, help="one or several policies (default ucb)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=200, help="events per ranking refresh (default 200)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seeds the Thompson draw, random policy, bootstrap"
    )
    parser.add_argument("--keep-cooldown", action="store_true", help="keep the caption cooldown rule")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--workdir", default=None, help="keep scratch files here (default: temp)")
    gen = parser.add_argument_group("synthetic log")
    gen.add_argument("--synthetic-log", default=None, metavar="FILE", help="write a synthetic log and exit")
    gen.add_argument("--arms", type=int, default=6)
    gen.add_argument("--events", type=int, default=30_000)


def run(args: argparse.Namespace) -> int:
    from sendwise.evaluation import replay

    if args.synthetic_log:
        frame, best = replay.synthetic_log(
            args.synthetic_log, arms=args.arms, events=args.events, seed=args.seed
        )
        print(
            json.dumps({"log": args.synthetic_log, "events": len(frame), "arms": args.arms, "best_arm": best})
        )
        return 0
    if not args.log:
        print("replay: give --log FILE.csv (or --synthetic-log FILE to make one)", file=sys.stderr)
        return 2
    if args.batch_size < 1:
        print("replay: --batch-size must be at least 1", file=sys.stderr)
        return 2
    from concurrent.futures import ThreadPoolExecutor

    from sendwise.evaluation.compiled import CompiledRanking

    try:
        log = replay.read_log(args.log)
    except (OSError, ValueError) as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    best = replay.best_arm_of(log)
    policies = list(dict.fromkeys(args.policy))
    own = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="sendwise_replay_"))
    try:
        world = replay.build_replay_world(log, workdir / "world")
        sql_policies = [p for p in policies if p in replay.SQL_POLICIES]

        def compile_one(policy: str) -> CompiledRanking:
            copy_dir = workdir / f"compile_{policy}"
            copy_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(world, copy_dir / world.name)
            return CompiledRanking.compile(
                copy_dir / world.name, policy, target_dir=workdir / f"target_{policy}"
            )

        with ThreadPoolExecutor(max_workers=max(1, len(sql_policies))) as pool:
            compiled = dict(zip(sql_policies, pool.map(compile_one, sql_policies), strict=True))
        report = {
            "log": str(args.log),
            "events": len(log),
            "arms": int(log["arm_id"].nunique()),
            "best_arm": best,
            "batch_size": args.batch_size,
            "seed": args.seed,
            "policies": {},
        }
        for policy in policies:
            result = replay.replay_policy(
                log,
                world,
                compiled.get(policy),
                policy,
                workdir / f"scratch_{policy}",
                batch_size=args.batch_size,
                seed=args.seed,
                keep_cooldown=args.keep_cooldown,
            )
            report["policies"][policy] = replay.summarise(result, best, args.seed)
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"replay of {report['log']}: {report['events']} events, {report['arms']} arms, best arm {best}")
        print(f"{'policy':<10} {'rev/event':>10} {'95% CI':>20} {'matched':>8} {'best arm':>9} {'final':>10}")
        for policy, e in report["policies"].items():
            rpe = "-" if e["revenue_per_event"] is None else f"{e['revenue_per_event']:.3f}"
            ci = "-" if e["ci_low"] is None else f"[{e['ci_low']:.3f}, {e['ci_high']:.3f}]"
            share = "-" if e["share_best_arm"] is None else f"{100 * e['share_best_arm']:.0f} %"
            print(
                f"{policy:<10} {rpe:>10} {ci:>20} {e['matched_events']:>8} {share:>9} {e['final_choice'] or '-':>10}"
            )
    return 0
