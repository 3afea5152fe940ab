"""A small demo world (raw data + dbt seeds) in a temporary DuckDB file named sim.duckdb, shared
by the ranking end-to-end tests, and the ranking SQL compiled against it."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from sendwise.paths import DEFAULT_END


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    from sendwise.evaluation.simulate import build_world

    return build_world("small", 1, tmp_path_factory.mktemp("ranking_world"), DEFAULT_END)


@pytest.fixture(scope="session")
def compiled_policies(small_world, tmp_path_factory):
    """The ranking SQL compiled once per policy (in parallel; each compile gets its own file copy)."""
    from sendwise.evaluation.compiled import CompiledRanking

    base = tmp_path_factory.mktemp("ranking_compile")

    def compile_one(policy):
        directory = base / policy
        directory.mkdir()
        shutil.copyfile(small_world.db_path, directory / small_world.db_path.name)
        return CompiledRanking.compile(
            directory / small_world.db_path.name, policy, target_dir=directory / "t"
        )

    policies = ("ucb", "greedy", "thompson")
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(policies, pool.map(compile_one, policies), strict=True))
