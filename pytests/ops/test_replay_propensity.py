"""`sendwise replay` on a log with logged propensities: self-normalised IPS equals the uniform-log
replay when the propensities are uniform (with the project's ranking SQL, and for the random
policy), and corrects the bias of the plain replay when the logging policy was not uniform."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendwise.evaluation import replay


def _with_propensity(frame: pd.DataFrame, path, propensity) -> None:
    frame.assign(propensity=propensity).to_csv(path, index=False)


def test_read_log_keeps_a_valid_propensity_column_and_refuses_bad_ones(tmp_path):
    frame, _ = replay.synthetic_log(tmp_path / "log.csv", arms=3, events=30, seed=2)
    _with_propensity(frame, tmp_path / "p.csv", 1 / 3)
    assert replay.read_log(tmp_path / "p.csv")["propensity"].eq(1 / 3).all()
    assert "propensity" not in replay.read_log(tmp_path / "log.csv").columns
    for bad in (0.0, 1.5, None):
        _with_propensity(frame, tmp_path / "bad.csv", [bad] + [0.5] * (len(frame) - 1))
        with pytest.raises(ValueError, match="propensity"):
            replay.read_log(tmp_path / "bad.csv")


def test_cli_answers_a_bad_log_with_one_line_and_exit_2(tmp_path, capsys):
    from sendwise.cli import main

    pd.DataFrame({"event_at": ["2026-01-01"], "arm_id": ["a"]}).to_csv(tmp_path / "bad.csv", index=False)
    assert main(["replay", "--log", str(tmp_path / "bad.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing column" in err[0]


def test_weighted_summary_with_uniform_propensities_is_the_replay_summary():
    rewards = np.array([0.0, 20.0, 20.0, 0.0, 5.0])
    arms = ["a", "b", "b", "a", "c"]
    plain = replay.summarise(replay.ReplayResult("ucb", rewards, arms, "b"), "b", seed=3)
    uniform = replay.summarise(
        replay.ReplayResult("ucb", rewards, arms, "b", np.full(5, 0.25), events=20), "b", seed=3
    )
    for key in ("revenue_per_event", "ci_low", "ci_high"):
        assert uniform[key] == pytest.approx(plain[key], rel=1e-12)
    assert uniform["estimator"] == "snips" and plain["estimator"] == "replay"
    # IPS = sum(r / p) / N = (45 / 0.25) / 20 = 9
    assert uniform["ips_revenue_per_event"] == pytest.approx(9.0)


def test_ips_removes_the_bias_of_a_non_uniform_logging_policy(tmp_path):
    """Logged with arm probabilities 0.7 / 0.2 / 0.1, the replay of the uniform random policy
    over-weights the often-logged arm; the weighted estimates recover the uniform policy's value."""
    rng = np.random.default_rng(5)
    n, probs, value = 60_000, np.array([0.7, 0.2, 0.1]), np.array([2.0, 6.0, 10.0])
    chosen = rng.choice(3, size=n, p=probs)
    revenue = rng.exponential(value[chosen])
    log = pd.DataFrame(
        {
            "event_at": pd.Timestamp("2026-10-01") + pd.to_timedelta(np.arange(n), unit="s"),
            "arm_id": np.array(["a0", "a1", "a2"], dtype=object)[chosen],
            "price": 20.0,
            "purchased": 1,
            "revenue": revenue,
            "propensity": probs[chosen],
        }
    )
    log.to_csv(tmp_path / "skewed.csv", index=False)
    loaded = replay.read_log(tmp_path / "skewed.csv")
    result = replay.replay_policy(loaded, tmp_path, None, "random", tmp_path, batch_size=100, seed=1)
    out = replay.summarise(result, "a2", seed=1)
    truth = value.mean()  # the uniform policy earns the mean of the arms' values: 6
    naive = result.rewards.mean()
    assert abs(naive - truth) > 1.5  # about 0.7 x 2 + 0.2 x 6 + 0.1 x 10 = 3.6
    assert out["ci_low"] <= truth <= out["ci_high"]
    assert out["revenue_per_event"] == pytest.approx(truth, abs=0.3)
    assert out["ips_revenue_per_event"] == pytest.approx(truth, abs=0.4)


def test_random_policy_replay_is_the_same_with_uniform_propensities(tmp_path):
    frame, best = replay.synthetic_log(tmp_path / "log.csv", arms=4, events=4_000, seed=9)
    _with_propensity(frame, tmp_path / "p.csv", 0.25)
    plain = replay.replay_policy(
        replay.read_log(tmp_path / "log.csv"), tmp_path, None, "random", tmp_path, batch_size=100, seed=4
    )
    weighted = replay.replay_policy(
        replay.read_log(tmp_path / "p.csv"), tmp_path, None, "random", tmp_path, batch_size=100, seed=4
    )
    a, b = replay.summarise(plain, best, 4), replay.summarise(weighted, best, 4)
    assert b["matched_events"] == a["matched_events"]
    for key in ("revenue_per_event", "ci_low", "ci_high", "share_best_arm"):
        assert b[key] == pytest.approx(a[key], rel=1e-12)


@pytest.mark.e2e
def test_ranking_sql_replay_is_the_same_with_uniform_propensities(small_world, compiled_policies, tmp_path):
    """The compiled greedy ranking replayed on the same uniform log, without and with a uniform
    propensity column: the same matched events, the same estimate and interval. (The ranking SQL
    compiled once for the session's tests; the replay world takes its seeds from that world.)"""
    frame, best = replay.synthetic_log(tmp_path / "log.csv", arms=4, events=1_200, seed=13)
    _with_propensity(frame, tmp_path / "p.csv", 0.25)
    plain_log, weighted_log = replay.read_log(tmp_path / "log.csv"), replay.read_log(tmp_path / "p.csv")
    world = replay.build_replay_world(plain_log, tmp_path / "world", seeds_from=small_world.db_path)
    compiled = compiled_policies["greedy"]
    runs = [
        replay.replay_policy(log, world, compiled, "greedy", tmp_path / name, batch_size=400, seed=2)
        for name, log in (("plain", plain_log), ("weighted", weighted_log))
    ]
    a, b = (replay.summarise(r, best, 2) for r in runs)
    assert a["matched_events"] == b["matched_events"] > 0 and runs[0].matched_arms == runs[1].matched_arms
    for key in ("revenue_per_event", "ci_low", "ci_high"):
        assert b[key] == pytest.approx(a[key], rel=1e-12)
    assert a["estimator"] == "replay" and b["estimator"] == "snips"
