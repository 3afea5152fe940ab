"""`sendwise demo-data`: (re)create the raw demo tables and their ground truth in a DuckDB file, and
report the world's calibration figures beside their target ranges (`--report`, `--json`).

* `sendwise demo-data [--scale S] [--seed N] [--db FILE] [--end TS]` generates (defaults: small, 42).
* `sendwise demo-data --report --db FILE` reports on FILE as it is when FILE already holds generated
  data and none of --scale / --seed / --end is given; otherwise it generates first, then reports.
* `--edge NAME` makes the generated world an edge case (`sendwise.demo.edges`: no revenue, free
  messages only, every page inactive, one page, a stale history, no facts yet).
* `--json` prints the report as JSON (the generation summary then goes to stderr); `--check` exits
  with 1 when a figure is outside its target range.
"""

from __future__ import annotations

import argparse
import json
import sys

from sendwise import paths
from sendwise.errors import check_db_path

HELP = (
    "Generate deterministic demo raw data (agency, chat, content) plus ground truth into DuckDB;"
    " --report prints its calibration figures beside their target ranges."
)
DEFAULT_SCALE = "small"
DEFAULT_SEED = 42


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sendwise.demo.config import SCALES
    from sendwise.demo.edges import EDGES

    parser.add_argument(
        "--scale", choices=list(SCALES), default=None, help=f"data volume (default: {DEFAULT_SCALE})"
    )
    parser.add_argument("--seed", type=int, default=None, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument(
        "--end",
        default=None,
        help=f"UTC end of the history, 'YYYY-MM-DD HH:MM:SS' (default: {paths.DEFAULT_END})",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print the calibration figures (of FILE as it is when it holds generated data and no"
        " --scale/--seed/--end is given; else after generating)",
    )
    parser.add_argument("--json", action="store_true", help="the report as JSON (implies --report)")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a figure is outside its range (implies --report)"
    )
    parser.add_argument(
        "--edge",
        choices=sorted(EDGES),
        default=None,
        help="generate, then make the world an edge case (sendwise.demo.edges: builds and BigQuery parity"
        " must hold on it)",
    )


def _has_world(db) -> bool:
    import duckdb

    if not db.exists():
        return False
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return False
    try:
        n = con.sql(
            "select count(*) from information_schema.tables"
            " where table_schema = 'ground_truth' and table_name = 'generation_meta'"
        ).fetchone()[0]
    finally:
        con.close()
    return n > 0


def _generate(args, db, out) -> None:
    from sendwise.demo.generate import timed_generate

    scale, seed, end = args.scale or DEFAULT_SCALE, DEFAULT_SEED if args.seed is None else args.seed, args.end
    end = end or paths.DEFAULT_END
    counts, seconds = timed_generate(scale, seed, db, end)
    print(f"demo-data: scale={scale} seed={seed} end={end} -> {db}", file=out)
    width = max(len(k) for k in counts)
    for name, n in counts.items():
        print(f"  {name:<{width}}  {n:>10,}", file=out)
    print(f"  generated in {seconds:.1f} s", file=out)


def run(args: argparse.Namespace) -> int:
    db = check_db_path(paths.duckdb_path(args.db), must_exist=False)
    report = args.report or args.json or args.check
    given = args.scale is not None or args.seed is not None or args.end is not None or args.edge is not None
    if report and not given and db.exists() and not _has_world(db):
        print(
            f"demo-data: {db} holds no generated demo data; pass --scale to generate it first",
            file=sys.stderr,
        )
        return 2
    if not report or given or not db.exists():
        out = sys.stderr if args.json else sys.stdout
        _generate(args, db, out)
        if args.edge:
            from sendwise.demo.edges import apply_edge

            print(f"  edge case {args.edge}: {apply_edge(db, args.edge)}", file=out)
    if not report:
        return 0
    return _report(db, args.json, args.check)


def _report(db, as_json: bool, check: bool) -> int:
    import duckdb

    from sendwise.demo.calibration import format_text, measure, meta, report_dict

    con = duckdb.connect(str(db), read_only=True)
    try:
        figures, info = measure(con), meta(con)
    finally:
        con.close()
    info["db"] = str(db)
    if as_json:
        print(json.dumps(report_dict(figures, info), indent=2))
    else:
        print(format_text(figures, info))
    return 1 if check and any(f.ok is False for f in figures) else 0
