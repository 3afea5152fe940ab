"""Shared pytest fixtures: the project root, the built test database (from `make dbt-test`)."""

from __future__ import annotations

import fcntl
import os
import pickle
from pathlib import Path

import pytest

from sendwise.paths import PROJECT_ROOT, duckdb_path

# dbt commands of the tests (sendwise.dbt.run_dbt) run inside the test process, the parsed project kept
# between them (sendwise.dbt_in_process): dozens of short commands would each start and parse dbt.
# SENDWISE_DBT_IN_PROCESS=0 in the environment runs each as its own dbt process, as users' commands do.
os.environ.setdefault("SENDWISE_DBT_IN_PROCESS", "1")


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def built_db() -> Path:
    """The DuckDB file `make dbt-test` built ($SENDWISE_DUCKDB_PATH, default data/test.duckdb)."""
    path = duckdb_path(os.environ.get("SENDWISE_DUCKDB_PATH") or "data/test.duckdb")
    if not path.exists():
        pytest.skip(f"no built test database at {path}: run `make dbt-test` first")
    return path


@pytest.fixture(scope="session")
def built_con(built_db):
    import duckdb

    con = duckdb.connect(str(built_db), read_only=True)
    yield con
    con.close()


def _built_once(tmp_path_factory, worker_id: str, name: str, produce):
    """produce(directory) once per test session, also across xdist workers: the first worker to ask
    builds it under a file lock in the session's shared temporary directory, the others load the
    pickled result."""
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
    """A small demo world (raw data + dbt seeds, seed 1) in a temporary DuckDB file named sim.duckdb,
    shared by the ranking and replay end-to-end tests; every test copies the file before writing to
    it. The seeds are copied from the built test database when it is current (else `dbt seed`)."""
    from built_demo import seeded_database

    from sendwise.evaluation.simulate import build_world
    from sendwise.paths import DEFAULT_END

    def produce(directory):
        return build_world("small", 1, directory, DEFAULT_END, seeds_from=seeded_database())

    return _built_once(tmp_path_factory, worker_id, "ranking_world", produce)


@pytest.fixture(scope="session")
def compiled_policies(small_world, tmp_path_factory, worker_id):
    """The ranking SQL compiled against the small world once per policy the tests replay (ucb and
    greedy)."""
    from sendwise.evaluation.compiled import compile_policies

    def compile_all(base):
        return compile_policies(small_world.db_path, ("ucb", "greedy"), base)

    return _built_once(tmp_path_factory, worker_id, "ranking_compile", compile_all)


# Seconds each end-to-end module took in `make test` (pytest --durations, 2-core machine, 2026-12-03,
# commit 51b0139): the longest are handed out first (longest-processing-time-first), so the run does
# not end with one worker on a long module while the other idles. Only the order depends on these.
MODULE_SECONDS = {
    "pytests/ops/test_experiment_sim.py": 60,
    "pytests/ml/test_ml_e2e.py": 110,
    "pytests/ranking/test_world_replay.py": 75,
    "pytests/learning/test_multi_run_learning.py": 75,
    "pytests/fans/test_fans_e2e.py": 70,
    "pytests/ops/test_report_llm.py": 60,
    "pytests/ranking/test_replay.py": 50,
    "pytests/ops/test_replay_propensity.py": 10,
    "pytests/ops/test_alerts_e2e.py": 45,
    "pytests/reliability/test_build_faults.py": 40,
    "pytests/content/test_content_loop_e2e.py": 40,
    "pytests/template/test_legacy_equivalence.py": 35,
    "pytests/ranking/test_shortlist_exact.py": 35,
    "pytests/ranking/test_evaluate_ranking.py": 30,
    "pytests/fans/test_fans_short_log.py": 25,
    "pytests/template_captions/test_plan_history.py": 20,
}


def pytest_collection_modifyitems(config, items):
    """Modules with an end-to-end test run first, the longest first (MODULE_SECONDS), each module's
    tests in their own order: with xdist's --dist loadfile a module runs whole on one worker, and a
    long module handed out last keeps one worker busy while the other has nothing left to do."""
    heavy = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("e2e")}

    def order(item) -> tuple[bool, int]:
        module = item.nodeid.split("::")[0]
        return module not in heavy, -MODULE_SECONDS.get(module, 0)

    items.sort(key=order)
