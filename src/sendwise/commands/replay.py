"""`sendwise replay --log FILE.csv`: unbiased offline replay of the caption ranking (Li et al. 2011).

The log comes from a uniform-random policy (columns event_at, arm_id, price, purchased, revenue),
or carries a `propensity` column (the logging policy's probability of the logged arm): the estimate
is then self-normalised inverse-propensity weighted (plain IPS reported beside it). Each policy's ranking SQL is compiled once and fed the matched events in batches (see
sendwise.evaluation.replay); the result per policy is the revenue per event with a bootstrap 95 %
interval, the number of matched events and the share of matched events on the log's best arm.
`--synthetic-log FILE` writes a log with a known best arm instead (and prints that arm);
`--world-log FILE --scale small --seed 101` writes a uniform-random log of one page of the demo
world, drawn from its hidden truth, and prints the arms' true values
(`sendwise.evaluation.world_replay`; `sendwise evaluate-replay` replays such logs on many seeds).
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
    gen.add_argument("--arms", type=int, default=None, help="arms of a written log (synthetic 6, world 8)")
    gen.add_argument("--events", type=int, default=30_000)
    world = parser.add_argument_group("log drawn from the demo world (sendwise.evaluation.world_replay)")
    world.add_argument(
        "--world-log",
        default=None,
        metavar="FILE",
        help="generate the demo world of --scale and --seed, write a uniform-random log of one page and exit",
    )
    world.add_argument("--scale", default="small", help="demo world scale (default small)")
    world.add_argument("--days", type=int, default=None, help="logged days (default 84)")
    world.add_argument("--page", default=None, help="the page to log (default: the busiest active page)")
    world.add_argument("--end", default=None, help="UTC end of the generated history (default the demo's)")


def run(args: argparse.Namespace) -> int:
    from sendwise.evaluation import replay

    if args.world_log:
        return _world_log(args)
    if args.synthetic_log:
        arms = 6 if args.arms is None else args.arms
        frame, best = replay.synthetic_log(args.synthetic_log, arms=arms, events=args.events, seed=args.seed)
        print(json.dumps({"log": args.synthetic_log, "events": len(frame), "arms": arms, "best_arm": best}))
        return 0
    if not args.log:
        print("replay: give --log FILE.csv (or --synthetic-log FILE to make one)", file=sys.stderr)
        return 2
    if args.batch_size < 1:
        print("replay: --batch-size must be at least 1", file=sys.stderr)
        return 2
    from sendwise.evaluation.compiled import compile_policies

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
        compiled = compile_policies(world, [p for p in policies if p in replay.SQL_POLICIES], workdir)
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


def _world_log(args: argparse.Namespace) -> int:
    """--world-log FILE: a uniform-random log of one page of the demo world (seed --seed)."""
    from sendwise.errors import UserError
    from sendwise.evaluation.compiled import compile_policies
    from sendwise.evaluation.simulate import build_world
    from sendwise.evaluation.world_replay import DEFAULT_ARMS, DEFAULT_DAYS, check_arguments, draw_from_world
    from sendwise.paths import DEFAULT_END

    if args.log or args.synthetic_log:
        raise UserError("--world-log writes a log: give it without --log or --synthetic-log")
    n_arms = DEFAULT_ARMS if args.arms is None else args.arms
    days = DEFAULT_DAYS if args.days is None else args.days
    check_arguments(n_arms=n_arms, days=days, scale=args.scale)
    target = Path(args.world_log)
    if target.is_dir() or not target.parent.is_dir():
        raise UserError(f"--world-log {target}: give a file name in an existing folder")
    workdir = Path(tempfile.mkdtemp(prefix="sendwise_world_log_"))
    try:
        world = build_world(args.scale, args.seed, workdir, args.end or DEFAULT_END)
        compiled = compile_policies(world.db_path, ["greedy"], workdir)["greedy"]
        world_log = draw_from_world(
            world, compiled, workdir / "pools", page_key=args.page, n_arms=n_arms, days=days
        )
        world_log.write(target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({"log": str(target), "scale": args.scale, **world_log.summary()}, indent=1))
    return 0
