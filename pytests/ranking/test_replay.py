"""Offline replay (Li et al. 2011): the synthetic log has a known best arm, the estimator's
bookkeeping is right, and the replayed ranking SQL recovers the best arm."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sendwise.evaluation import replay


def test_synthetic_log_is_uniform_with_a_known_best_arm(tmp_path):
    path = tmp_path / "log.csv"
    frame, best = replay.synthetic_log(path, arms=4, events=20_000, seed=3)
    assert list(pd.read_csv(path).columns) == list(replay.LOG_COLUMNS)
    counts = frame["arm_id"].value_counts()
    assert counts.min() > 0.9 * 20_000 / 4  # uniform logging policy
    assert (frame["revenue"] == frame["price"] * frame["purchased"]).all()
    assert replay.best_arm_of(frame) == best  # 5,000 events per arm separate 4 % steps
    assert frame["event_at"].is_monotonic_increasing


def test_read_log_refuses_missing_columns_and_empty_values(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"event_at": ["2026-01-01"], "arm_id": ["a"], "price": [5.0]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="missing column"):
        replay.read_log(bad)
    empty = tmp_path / "empty.csv"
    pd.DataFrame(
        {
            "event_at": ["2026-01-01", None],
            "arm_id": ["a", "b"],
            "price": [5.0, 5.0],
            "purchased": [1, 0],
            "revenue": [5.0, 0.0],
        }
    ).to_csv(empty, index=False)
    with pytest.raises(ValueError, match="empty"):
        replay.read_log(empty)


def test_summarise_mean_bootstrap_and_best_arm_share():
    result = replay.ReplayResult("ucb", np.array([0.0, 20.0, 20.0, 0.0]), ["a", "b", "b", "a"], "b")
    out = replay.summarise(result, "b", seed=1)
    assert out["revenue_per_event"] == 10.0  # (0 + 20 + 20 + 0) / 4
    assert out["matched_events"] == 4
    assert out["share_best_arm"] == 0.5
    assert 0.0 <= out["ci_low"] <= 10.0 <= out["ci_high"] <= 20.0
    assert replay.summarise(replay.ReplayResult("ucb", np.array([]), [], None), "b", 1)["matched_events"] == 0


def test_random_policy_matches_about_one_event_in_k(tmp_path):
    frame, _best = replay.synthetic_log(tmp_path / "log.csv", arms=5, events=10_000, seed=5)
    log = replay.read_log(tmp_path / "log.csv")
    result = replay.replay_policy(log, tmp_path, None, "random", tmp_path, batch_size=100, seed=2)
    assert abs(result.rewards.size - 10_000 / 5) < 200
    # the random policy's replay estimate is the log's overall mean revenue
    assert abs(result.rewards.mean() - frame["revenue"].mean()) < 0.15


@pytest.mark.e2e
def test_replay_of_the_ranking_sql_recovers_the_best_arm(tmp_path, capsys):
    from sendwise.cli import main

    log = tmp_path / "log.csv"
    _, best = replay.synthetic_log(log, arms=4, events=6_000, seed=11)
    assert (
        main(["replay", "--log", str(log), "--policy", "ucb", "random", "--batch-size", "500", "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["best_arm"] == best
    ucb, rnd = report["policies"]["ucb"], report["policies"]["random"]
    assert ucb["final_choice"] == best
    assert ucb["share_best_arm"] > 0.6  # most matched events are on the best arm
    assert ucb["matched_events"] > 0 and ucb["ci_low"] <= ucb["revenue_per_event"] <= ucb["ci_high"]
    assert ucb["revenue_per_event"] > rnd["revenue_per_event"]
