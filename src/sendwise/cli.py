"""Command-line entry point: `sendwise <command> ...`.

Each command lives in its own module exposing `HELP`, `add_arguments(parser)`
and `run(args) -> int`; modules are imported only when their command runs, so
a slow import (dbt, scikit-learn) never slows the others.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

COMMANDS: dict[str, str] = {
    "demo-data": "sendwise.commands.demo_data",
    "load": "sendwise.commands.load",
    "prepare-db": "sendwise.commands.prepare_db",
    "bench": "sendwise.commands.bench",
    "bq-gate": "sendwise.commands.bq_gate",
    "bq-dry-run": "sendwise.commands.bq_dry_run",
    "bq-check": "sendwise.commands.bq_check",
    "rules-check": "sendwise.commands.rules_check",
    "where": "sendwise.commands.where",
    "query": "sendwise.commands.query",
    "evaluate-ranking": "sendwise.commands.evaluate_ranking",
    "evaluate-models": "sendwise.commands.evaluate_models",
    "replay": "sendwise.commands.replay",
    "evaluate-replay": "sendwise.commands.evaluate_replay",
    "export-schedule": "sendwise.commands.export_schedule",
    "fan-report": "sendwise.commands.fan_report",
    "evaluate-fans": "sendwise.commands.evaluate_fans",
    "dashboard": "sendwise.commands.dashboard",
    "bench-dashboard": "sendwise.commands.bench_dashboard",
    "metrics": "sendwise.commands.metrics",
}


def _load(name: str):
    return importlib.import_module(COMMANDS[name])


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sendwise", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name, add_help=False)
            continue
        module = _load(name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    module = _load(args.command)
    try:
        return int(module.run(args) or 0)
    except subprocess.CalledProcessError as exc:  # dbt printed its own errors above
        print(
            f"sendwise {args.command}: dbt exited with code {exc.returncode} (its output is above)",
            file=sys.stderr,
        )
        return exc.returncode or 1
    except Exception as exc:  # a user error or a held database: one line, exit 2
        from sendwise.errors import EXIT_USER_ERROR, UserError, lock_message

        message = str(exc) if isinstance(exc, UserError) else lock_message(exc)
        if message is None:
            raise
        print(f"sendwise {args.command}: {message}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
