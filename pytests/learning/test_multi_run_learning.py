"""Stateful knob learning over many runs (issue 4, item 6).

On the small demo data with revenue that keeps rising, `as_of` advances 12 hours at a time over
10 learning epochs. Every open page's quota_nudge must rise one step per epoch to its bound
(quota_nudge_max = 3) and stay there, with exactly one learning_changelog row per change; a rerun of
the last epoch and a `dbt build --full-refresh` must change nothing.
"""

from __future__ import annotations

import pytest
from learning_session import EPOCHS, FULL_SELECTION, KNOB_SELECTION, as_of_of

pytestmark = pytest.mark.e2e

QUOTA_BOUND = 3  # settings_modeling quota_nudge_max
# The learned state, every column but built_at: the build stamp's run start time differs by design
# between two builds with one as_of (the marts' as_of stays compared).
STATE_TABLES = {
    "steps": "select * from sendwise_marts.page_knob_learning_steps order by page_key, epoch_index",
    "knobs": "select * exclude (built_at) from sendwise_marts.page_knobs order by page_key",
    "changelog": "select * exclude (built_at) from sendwise_marts.learning_changelog order by learning_change_id",
    "weights_changelog": (
        "select * exclude (built_at) from sendwise_marts.personalization_weights_changelog order by weight_change_id"
    ),
    "knob_versions": (
        "select page_key, quota_nudge, hour_pool_nudge, price_mode_bias, dbt_valid_from, dbt_valid_to "
        "from sendwise_snapshots.page_knobs_snapshot order by page_key, dbt_valid_from"
    ),
    "weight_versions": (
        "select page_key, weight_volume, weight_price, weight_hours, exploration_rate, computed_at "
        "from sendwise_snapshots.page_personalization_weights_snapshot order by page_key, computed_at"
    ),
}


def _state(session) -> dict[str, list[tuple]]:
    return {name: session.query(sql) for name, sql in STATE_TABLES.items()}


@pytest.fixture(scope="module")
def history(rising_dbt):
    """Build every epoch in order; record quota_nudge per open page after each one."""
    quota_by_epoch = []
    for epoch in range(EPOCHS):
        # the weights join in at the last epoch, so the rerun and full-refresh checks cover them too
        rising_dbt.build(as_of_of(epoch), FULL_SELECTION if epoch == EPOCHS - 1 else KNOB_SELECTION)
        quota_by_epoch.append(
            dict(rising_dbt.query("select page_key, quota_nudge from sendwise_marts.page_knobs"))
        )
    return quota_by_epoch


MEASURABLE = (
    "learning_gate = 'open' and earnings_lift is not null and least(sends_recent, sends_previous) >= ("
    "select cast(setting_value as double) from sendwise_seeds.settings_modeling where setting_name = 'knob_min_sends')"
)


def _open_pages(session) -> list[str]:
    """Pages whose every step had an open gate (not frozen, not disabled, confident) and a measurable
    lift (knob_min_sends sends in both 14-day windows: a page onboarded in the last weeks has none)."""
    rows = session.query(
        "select page_key from sendwise_marts.page_knob_learning_steps group by 1 "
        f"having count(*) = count(case when {MEASURABLE} then 1 end)"
    )
    return sorted(r[0] for r in rows)


def test_a_page_without_a_previous_window_holds_its_quota(rising_dbt, history):
    """The demo's recently onboarded page has no previous 14-day window at the first epochs: its lift
    cannot be measured, so its quota_nudge holds (0) however fast its revenue grows."""
    young = rising_dbt.query(
        "select page_key from sendwise_marts.page_knob_learning_steps where learning_gate = 'open' group by 1"
        " having min(sends_previous) = 0"
    )
    assert young, "the demo data should have a page onboarded in the last weeks"
    for (page_key,) in young:
        first = rising_dbt.query(
            "select quota_step, quota_nudge_new from sendwise_marts.page_knob_learning_steps"
            f" where page_key = '{page_key}' and sends_previous = 0 order by epoch_index"
        )
        assert all(step == 0 for step, _ in first), (page_key, first)
        assert first[0][1] == 0


def test_every_epoch_is_one_learning_step(rising_dbt, history):
    counts = rising_dbt.query(
        "select page_key, count(*), count(distinct epoch_index) from sendwise_marts.page_knob_learning_steps group by 1"
    )
    assert counts, "no learning steps were written"
    for page_key, steps, epochs in counts:
        assert steps == epochs == EPOCHS, page_key


def test_quota_nudge_rises_step_by_step_to_its_bound(rising_dbt, history):
    open_pages = _open_pages(rising_dbt)
    assert len(open_pages) >= 4, open_pages
    for page_key in open_pages:
        path = [history[epoch][page_key] for epoch in range(EPOCHS)]
        assert path == [min(epoch + 1, QUOTA_BOUND) for epoch in range(EPOCHS)], (page_key, path)


def test_one_changelog_row_per_change_explained_in_words(rising_dbt, history):
    for page_key in _open_pages(rising_dbt):
        rows = rising_dbt.query(
            "select old_value, new_value, delta, computed_at, reason from sendwise_marts.learning_changelog "
            f"where page_key = '{page_key}' and knob = 'quota_nudge' order by epoch_index"
        )
        assert [(old, new, delta) for old, new, delta, _, _ in rows] == [
            ("0", "1", 1),
            ("1", "2", 1),
            ("2", "3", 1),
        ]
        assert [str(at) for *_, at, _ in rows] == [as_of_of(epoch) for epoch in range(QUOTA_BOUND)]
        for *_, reason in rows:
            assert "lift" in reason and ">= 15.0% (quota +1)" in reason and "quota_nudge" in reason, reason
        # epochs at the bound are logged as steps that held, not as changes
        held = rising_dbt.query(
            "select quota_reason from sendwise_marts.page_knob_learning_steps "
            f"where page_key = '{page_key}' and epoch_index > (select min(epoch_index) + 2 "
            "from sendwise_marts.page_knob_learning_steps)"
        )
        assert len(held) == EPOCHS - QUOTA_BOUND
        assert all("stays 3 (at its bound)" in r[0] for r in held), held


def test_frozen_and_disabled_pages_do_not_move(rising_dbt, history):
    gates = dict(
        rising_dbt.query(
            "select page_key, string_agg(distinct learning_gate, ',') from sendwise_marts.page_knob_learning_steps group by 1"
        )
    )
    assert gates["bb_kira"] == "frozen"  # page_learner_config: frozen until 2026-12-01
    assert gates["sofia_dior"] == "auto_tune_disabled"
    moved = rising_dbt.query(
        "select count(*) from sendwise_marts.learning_changelog where page_key in ('bb_kira', 'sofia_dior')"
    )
    assert moved == [(0,)]


def test_knobs_replay_exactly_from_the_changelog(rising_dbt, history):
    knobs = {
        page: (quota, hours, bias)
        for page, quota, hours, bias in rising_dbt.query(
            "select page_key, quota_nudge, hour_pool_nudge, price_mode_bias from sendwise_marts.page_knobs"
        )
    }
    replayed = {page: [0, 0, "neutral"] for page in knobs}
    for page, knob, new_value, delta in rising_dbt.query(
        "select page_key, knob, new_value, delta from sendwise_marts.learning_changelog order by epoch_index"
    ):
        if knob == "price_mode_bias":
            replayed[page][2] = new_value
        else:
            replayed[page][0 if knob == "quota_nudge" else 1] += delta
    assert {page: tuple(state) for page, state in replayed.items()} == knobs


def test_knob_history_is_snapshotted_in_as_of_time(rising_dbt, history):
    page_key = _open_pages(rising_dbt)[0]
    versions = rising_dbt.query(
        "select quota_nudge, dbt_valid_from from sendwise_snapshots.page_knobs_snapshot "
        f"where page_key = '{page_key}' order by dbt_valid_from"
    )
    quota_changes = [q for q, _ in versions]
    assert quota_changes[:QUOTA_BOUND] == [1, 2, 3]
    assert str(versions[0][1]) == as_of_of(0)


def test_rerun_of_the_last_epoch_changes_nothing(rising_dbt, history):
    before = _state(rising_dbt)
    rising_dbt.build(as_of_of(EPOCHS - 1), FULL_SELECTION)
    assert _state(rising_dbt) == before


def test_full_refresh_keeps_the_learned_state(rising_dbt, history):
    before = _state(rising_dbt)
    assert all(before.values()), {name: len(rows) for name, rows in before.items()}
    rising_dbt.build(as_of_of(EPOCHS - 1), FULL_SELECTION, full_refresh=True)
    after = _state(rising_dbt)
    for name in before:
        assert after[name] == before[name], f"{name} changed on --full-refresh"
