"""A small demo world (raw data + dbt seeds) in a temporary DuckDB file named sim.duckdb, shared
by the ranking end-to-end tests, and the ranking SQL compiled against it.

`make pytest` runs two xdist workers, and the ranking modules may land on both: the world and the
compiled SQL are then built once, by whichever worker asks first, under a file lock in the
session's shared temporary directory; the other worker loads the pickled result. Every test copies
the world file before writing to it."""

from __future__ import annotations

import fcntl
import pickle

import pytest

from sendwise.paths import DEFAULT_END


def _built_once(tmp_path_factory, worker_id: str, name: str, produce):
    """produce(directory) once per test session, also across xdist workers."""
    if worker_id == "master":  # not distributed
        return produce(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent  # shared by the session's workers
    pickled = root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if pickled.is_file():
            return pickle.loads(pickled.read_bytes())
        value = produce(root / name)
        pickled.write_bytes(pickle.dumps(value))
        return value


@pytest.fixture(scope="session")
def small_world(tmp_path_factory, worker_id):
    from sendwise.evaluation.simulate import build_world

    return _built_once(
        tmp_path_factory, worker_id, "ranking_world", lambda d: build_world("small", 1, d, DEFAULT_END)
    )


@pytest.fixture(scope="session")
def compiled_policies(small_world, tmp_path_factory, worker_id):
    """The ranking SQL compiled once per policy (in parallel; each compile gets its own file copy)."""
    from sendwise.evaluation.compiled import compile_policies

    def compile_all(base):
        return compile_policies(small_world.db_path, ("ucb", "greedy", "thompson"), base)

    return _built_once(tmp_path_factory, worker_id, "ranking_compile", compile_all)
