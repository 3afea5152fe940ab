"""`sendwise dashboard`: serve the Streamlit dashboard on the built marts.

DuckDB (default): the file is opened read-only for each query, so a `dbt build` can run while the
app is up (a page load during the build waits for nothing: it shows the error and the next load
works). BigQuery: `--target bigquery` reads the marts with the profile's credentials.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from sendwise.paths import duckdb_path

HELP = "serve the dashboard app (Streamlit) on the built marts: one page per exposure"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $SENDWISE_DUCKDB_PATH or data/sendwise.duckdb)"
    )
    parser.add_argument(
        "--target",
        default=None,
        help="profiles.yml output to read: duckdb (default, or $SENDWISE_TARGET) or a BigQuery output such as bigquery",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")


def streamlit_command(host: str, port: int) -> list[str]:
    from sendwise.dashboard.site import APP

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--theme.base",
        "light",
    ]


def dashboard_env(db: str | None, target: str | None) -> dict[str, str]:
    env = dict(os.environ)
    target = target or env.get("SENDWISE_TARGET") or "duckdb"
    env["SENDWISE_TARGET"] = target
    if target == "duckdb":
        env["SENDWISE_DUCKDB_PATH"] = str(duckdb_path(db))
    return env


def run(args: argparse.Namespace) -> int:
    env = dashboard_env(args.db, args.target)
    if env["SENDWISE_TARGET"] == "duckdb" and not os.path.exists(env["SENDWISE_DUCKDB_PATH"]):
        print(
            f"dashboard: no database at {env['SENDWISE_DUCKDB_PATH']}: run `make demo` first", file=sys.stderr
        )
        return 2
    if not 0 < args.port < 65536:
        print(f"dashboard: --port must be between 1 and 65535, got {args.port}", file=sys.stderr)
        return 2
    print(f"serving the dashboard on http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.run(streamlit_command(args.host, args.port), env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
