"""A replay log drawn from the demo world (sendwise.evaluation.world_replay): the logging policy's
propensities, the arms, the recipient events, determinism, and a small replay on a world log
whose estimates are checked against the log and the hidden truth."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sendwise.errors import UserError
from sendwise.evaluation import replay, world_replay


def test_uniform_logging_probabilities_sum_to_one_and_are_one_over_n():
    probs = world_replay.logging_probabilities(n_arms=5, n_slots=7)
    assert probs.shape == (7, 5)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)  # per event, over the eligible set
    assert (probs == 1 / 5).all()


def test_logged_arms_carry_their_propensity_and_are_deterministic_per_seed():
    arms = ["c1", "c2", "c3", "c4"]
    probs = world_replay.logging_probabilities(len(arms), 20_000)
    chosen, propensity = world_replay.draw_logged_arms(np.random.default_rng(3), arms, probs)
    again, _ = world_replay.draw_logged_arms(np.random.default_rng(3), arms, probs)
    other, _ = world_replay.draw_logged_arms(np.random.default_rng(4), arms, probs)
    assert set(chosen) == set(arms) and (propensity == 0.25).all()
    assert (chosen == again).all() and (chosen != other).any()
    shares = pd.Series(chosen).value_counts(normalize=True)
    assert (abs(shares - 0.25) < 0.015).all()  # 5,000 draws an arm: sd 0.003
    # a non-uniform logging policy: the propensity is the chosen arm's own probability
    skewed = np.tile([0.7, 0.1, 0.1, 0.1], (2_000, 1))
    chosen, propensity = world_replay.draw_logged_arms(np.random.default_rng(5), arms, skewed)
    assert ((chosen == "c1") == (propensity == 0.7)).all() and set(propensity) == {0.7, 0.1}
    assert abs((chosen == "c1").mean() - 0.7) < 0.04


def test_arms_are_a_seeded_sample_of_the_pool():
    pool = [f"cap_{i:03d}" for i in range(50)]
    arms = world_replay.sample_arms(pool, 6, np.random.default_rng(1))
    assert len(arms) == 6 and set(arms) <= set(pool) and arms == sorted(arms)
    assert arms == world_replay.sample_arms(pool, 6, np.random.default_rng(1))
    assert world_replay.sample_arms(pool[:3], 6, np.random.default_rng(1)) == pool[:3]  # fewer: all


def test_each_recipient_of_a_send_is_one_event():
    sends = pd.DataFrame(
        {
            "slot_local_at": pd.to_datetime(["2026-11-15 09:00", "2026-11-15 13:00", "2026-11-15 18:00"]),
            "caption_id": ["a", "b", "a"],
            "slot_price": [10.0, 12.5, 10.0],
            "sent_count": [4, 0, 3],
            "purchased_count": [2, 0, 3],
            "propensity": [0.5, 0.5, 0.5],
        }
    )
    events = world_replay.recipient_events(sends, np.random.default_rng(0))
    assert len(events) == 7  # 4 + 0 + 3 recipients
    by_send = events.groupby("send_row")
    assert by_send.size().to_dict() == {0: 4, 2: 3}
    assert by_send["purchased"].sum().to_dict() == {0: 2, 2: 3}
    assert (events["revenue"] == events["price"] * events["purchased"]).all()
    assert events["event_at"].is_monotonic_increasing and (events["propensity"] == 0.5).all()
    assert list(events.columns[:5]) == list(replay.LOG_COLUMNS)


def test_busiest_page_reaches_the_most_recipients_a_day():
    pages = pd.DataFrame(
        {
            "page_key": ["a", "b", "c"],
            "audience_size": [100.0, 40.0, 50.0],
            "send_hours": [[9], [9] * 3, [9, 12]],
        }
    )
    # a: 100 a day, b: 120, c: 100
    assert world_replay.busiest_page(SimpleNamespace(pages=pages)) == "b"


def test_bad_arguments_are_refused_in_one_line():
    for kwargs, words in (
        ({"n_arms": 1, "days": 10}, "--arms"),
        ({"n_arms": 4, "days": 0}, "--days"),
        ({"n_arms": 4, "days": world_replay.MAX_DAYS + 1}, "--days"),
        ({"n_arms": 4, "days": 10, "scale": "huge"}, "--scale"),
    ):
        with pytest.raises(UserError, match=words):
            world_replay.check_arguments(**kwargs)


def test_fatigue_counts_a_caption_sent_twice_in_one_call():
    from sendwise.evaluation.simulate import Fatigue

    end = pd.Timestamp("2026-11-15")
    world = SimpleNamespace(
        truth=SimpleNamespace(coefficients={"fatigue_decay_days": 30.0}),
        end=end,
        uses=pd.DataFrame({"page_key": [], "caption_id": [], "uses_at_end": []}),
    )
    fatigue = Fatigue(world)
    at = [end, end + pd.Timedelta(days=30)]
    before = fatigue.record(["p", "p"], ["k", "k"], at)
    assert before[0] == 0.0 and before[1] == pytest.approx(np.exp(-1.0))  # the first send, decayed


@pytest.mark.e2e
def test_replay_on_a_world_log(small_world, compiled_policies, tmp_path):
    """A 21-day log of 3 arms of the small world's busiest page: its arms are the page's eligible
    captions, the draw is deterministic, the random policy's replay estimate brackets the log's mean,
    always sending the truly best arm beats random, greedy's estimate brackets the truth of the
    events it matched and it ends on the best arm."""
    compiled = compiled_policies["greedy"]
    eligible, slots = world_replay.pools_and_slots(small_world, compiled, tmp_path / "pools")
    options = {"n_arms": 3, "days": 21}
    world_log = world_replay.draw_world_log(small_world, eligible, slots, **options)
    again = world_replay.draw_world_log(small_world, eligible, slots, **options)
    pd.testing.assert_frame_equal(world_log.events, again.events)

    pool = set(eligible.loc[eligible["page_key"] == world_log.page_key, "caption_id"])
    assert len(world_log.arms) == 3 and set(world_log.arms) <= pool
    assert set(world_log.events["arm_id"]) <= set(world_log.arms)
    assert (world_log.events["propensity"] == 1 / 3).all()
    sends = world_log.sends
    assert sends["sent_count"].sum() == len(world_log.events)
    assert sends["purchased_count"].sum() == world_log.events["purchased"].sum()
    # the truth beside the log: the logging policy's value is the mean arm value, near the log's mean
    assert world_log.uniform_value == pytest.approx(world_log.events["revenue"].mean(), rel=0.35)
    assert (world_log.sustained_values <= world_log.arm_values + 1e-12).all()  # more sends, more fatigue

    events = replay.read_log(world_log.write(tmp_path / "log.csv"))
    assert (events["arm_id"].to_numpy() == world_log.events["arm_id"].to_numpy()).all()
    rnd = replay.replay_policy(events, tmp_path, None, "random", tmp_path, batch_size=100, seed=1)
    rnd_summary = replay.summarise(rnd, world_log.best_arm, seed=1)
    assert rnd_summary["ci_low"] <= events["revenue"].mean() <= rnd_summary["ci_high"]
    best = events.loc[events["arm_id"] == world_log.best_arm, "revenue"].mean()  # a fixed-arm replay
    assert best > rnd_summary["ci_high"]  # the truly best arm earns more in the log than random

    replay_db = replay.build_replay_world(events, tmp_path / "replay", seeds_from=small_world.db_path)
    batch = max(1, len(events) // 5)  # about 4 days of events a ranking refresh
    greedy = replay.replay_policy(
        events, replay_db, compiled, "greedy", tmp_path / "g", batch_size=batch, seed=1
    )
    summary = replay.summarise(greedy, world_log.best_arm, seed=1)
    check = world_replay.truth_check(world_log, greedy, summary)
    assert summary["matched_events"] > 0
    # seed 1's three arms are worth $0.71, $0.29 and $0.15 an event: the ranking learns the best
    assert greedy.final_choice == world_log.best_arm and check["final_ranking_pct_of_best_arm"] == 100.0
    assert check["truth_in_interval"]  # the estimate brackets the truth of the events it matched
    assert check["final_choice_true_value"] == world_log.arm_values[greedy.final_choice]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["replay", "--world-log", "{dir}/log.csv", "--scale", "huge"], "--scale"),
        (["replay", "--world-log", "{dir}/log.csv", "--arms", "1"], "--arms"),
        (["replay", "--world-log", "{dir}/log.csv", "--days", "400"], "--days"),
        (["replay", "--world-log", "{dir}/missing/log.csv"], "existing folder"),
        (["replay", "--world-log", "{dir}/log.csv", "--log", "{dir}/x.csv"], "without --log"),
        (["evaluate-replay", "--seeds", "1", "--days", "0", "--out", "{dir}/r.json"], "--days"),
        (["evaluate-replay", "--seeds", "1", "--batch-days", "0", "--out", "{dir}/r.json"], "--batch-days"),
    ],
)
def test_bad_world_log_arguments_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, argv, words):
    from sendwise.cli import main

    assert main([a.format(dir=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert not any(tmp_path.iterdir())


def test_evaluation_file_names_its_seeds():
    from sendwise.commands.evaluate_replay import seeds_label

    assert seeds_label([101, 102, 103, 104, 105]) == "101-105"
    assert seeds_label([1, 3]) == "1_3"  # not consecutive: not to be read as 1, 2, 3
    assert seeds_label([1]) == "1"
