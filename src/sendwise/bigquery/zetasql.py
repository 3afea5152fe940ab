"""A client of Google's ZetaSQL analyzer and reference evaluator, through tools/zetasql/client.js.

The npm package @fivetrandevelopers/zetasql (pinned in tools/zetasql/package-lock.json, installed
by `make` with `npm ci`) ships ZetaSQL's local gRPC service as a Linux executable. The Node bridge
starts it on a free loopback port, waits until it answers and relays JSON requests from this
process (one line each way). Requests use the field names of the service's protos
(tools/zetasql/node_modules/@fivetrandevelopers/zetasql/lib/zetasql/protos/local_service.proto).

`ZetaSQL` is a context manager: on exit (or error) it closes the bridge's stdin, which stops the
server, and then ends the bridge's whole process group, so nothing outlives the check.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sendwise.paths import PROJECT_ROOT

TOOLS_DIR = PROJECT_ROOT / "tools" / "zetasql"
CLIENT = TOOLS_DIR / "client.js"
PACKAGE = TOOLS_DIR / "node_modules" / "@fivetrandevelopers" / "zetasql"


class ZetaSQLUnavailable(RuntimeError):
    """Node or the npm package is missing (run `make zetasql-deps`)."""


class ZetaSQLError(RuntimeError):
    """The service answered a request with an error (e.g. an analyzer error)."""


def bigquery_language_options(maximum: Mapping[str, Any]) -> dict[str, Any]:
    """BigQuery's front end: every released feature, external product mode, default name resolution."""
    options = dict(maximum)
    options["product_mode"] = "PRODUCT_EXTERNAL"
    options["name_resolution_mode"] = "NAME_RESOLUTION_DEFAULT"
    return options


class ZetaSQL:
    def __init__(self, node: str | None = None) -> None:
        self.node = node or shutil.which("node")
        self._process: subprocess.Popen | None = None
        self._next_id = 0

    def __enter__(self) -> ZetaSQL:
        if not self.node:
            raise ZetaSQLUnavailable("node is not on PATH (Node 20 runs the ZetaSQL bridge)")
        if not (PACKAGE / "lib" / "zetasql").is_dir():
            raise ZetaSQLUnavailable(
                f"{PACKAGE} is missing: run `make zetasql-deps` (npm ci in tools/zetasql)"
            )
        self._process = subprocess.Popen(
            [self.node, str(CLIENT)],
            cwd=TOOLS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        ready = self._read(self._process)
        if not ready.get("ok"):
            self.close()
            raise ZetaSQLUnavailable(f"the ZetaSQL bridge did not start: {ready}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin and not process.stdin.closed:
                process.stdin.close()
            process.wait(timeout=10)
        except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
            pass
        finally:
            # the bridge runs in its own session: end every process of its group (bridge + server)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if process.stdout:
                process.stdout.close()

    @staticmethod
    def _read(process: subprocess.Popen) -> dict[str, Any]:
        try:
            line = process.stdout.readline() if process.stdout else ""
        except (OSError, ValueError):  # closed under us (a timeout ended the bridge)
            line = ""
        if not line:
            raise ZetaSQLUnavailable(f"the ZetaSQL bridge stopped (exit code {process.poll()})")
        return json.loads(line)

    def call(self, method: str, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer; a service error raises ZetaSQLError."""
        process = self._process
        if process is None or process.stdin is None:
            raise ZetaSQLUnavailable("the ZetaSQL bridge is not running")
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "request": request}
        try:
            process.stdin.write(json.dumps(message, allow_nan=False, default=_json_default) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise ZetaSQLUnavailable(f"the ZetaSQL bridge stopped: {exc}") from exc
        answer = self._read(process)
        if answer.get("id") != self._next_id:
            raise ZetaSQLUnavailable(f"the ZetaSQL bridge answered out of order: {answer.get('id')}")
        if not answer.get("ok"):
            raise ZetaSQLError(str(answer.get("error")).strip())
        return answer["response"]


def _json_default(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} to ZetaSQL")
