"""`sendwise demo-data`: (re)create the raw demo tables and their ground truth in a DuckDB file."""

from __future__ import annotations

import argparse

from sendwise import paths

HELP = "Generate deterministic demo raw data (agency, chat, content) plus ground truth into DuckDB."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sendwise.demo.config import SCALES

    parser.add_argument("--scale", choices=list(SCALES), default="small", help="data volume (default: small)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument(
        "--end",
        default=paths.DEFAULT_END,
        help=f"UTC end of the history, 'YYYY-MM-DD HH:MM:SS' (default: {paths.DEFAULT_END})",
    )


def run(args: argparse.Namespace) -> int:
    from sendwise.demo.generate import timed_generate

    db = paths.duckdb_path(args.db)
    counts, seconds = timed_generate(args.scale, args.seed, db, args.end)
    print(f"demo-data: scale={args.scale} seed={args.seed} end={args.end} -> {db}")
    width = max(len(k) for k in counts)
    for name, n in counts.items():
        print(f"  {name:<{width}}  {n:>10,}")
    print(f"  generated in {seconds:.1f} s")
    return 0
