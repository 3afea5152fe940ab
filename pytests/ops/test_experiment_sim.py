"""On a simulated week, a planted price effect is recovered by experiment_results within its
interval, and the price ladder moves (bounded) at the next build.

The small demo world (the built test database) plans its week at as_of 2026-11-15 with the
project's SQL, holding out most slots for the price experiment (experiment_slot_share raised to
0.9 in the copy, so a week of 8 pages gives enough slots per arm). Every planned PPV send is then
sent as planned, its revenue drawn from a known truth: the plan's expected revenue at the ladder
price x a multiplier of the arm (control 1, price_up 1.25, price_down 0.90) x lognormal noise
(mean 1). The sends go into the raw table as a loader would deliver them, and the project's SQL
(staging, quarantine, the execution matching, experiment_results) estimates the effects at as_of
2026-11-23. The true effect of an arm on its held-out slots is (multiplier - 1) x their mean
expected revenue; it must lie inside the reported interval, and the +25 % step must be found
significant. A later build (2026-11-29) then reads that result and shifts the ladder up by the
bounded experiment_ladder_max_shift."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END

MULTIPLIER = {"control": 1.0, "price_up": 1.25, "price_down": 0.90}
NOISE_SD = 0.3
RESULTS_AS_OF = "2026-11-23 00:00:00"
LADDER_AS_OF = "2026-11-29 00:00:00"


def _dbt(db, tmp_path, as_of: str, *models: str) -> None:
    run_dbt(
        ["run", "--quiet", "--select", *models, "--vars", vars_arg({"as_of": as_of})],
        duckdb_path=db,
        target_path=tmp_path / "target",
        capture=True,
    )


def simulate_sends(plan: pd.DataFrame, seed: int = 20261115) -> pd.DataFrame:
    """One raw send per planned PPV slot, at the planned time and price, with a known arm effect."""
    rng = np.random.default_rng(seed)
    arm = plan["experiment_arm"].fillna("control")
    noise = rng.lognormal(-(NOISE_SD**2) / 2, NOISE_SD, len(plan))  # mean 1
    earnings = (plan["expected_revenue"] * arm.map(MULTIPLIER) * noise).round(2)
    purchased = np.maximum(1, np.round(earnings / plan["price"])).astype("int64")
    return pd.DataFrame(
        {
            "row_id": [f"sim_{i}" for i in range(len(plan))],
            "page_name": plan["page_name"].to_numpy(),
            "message": plan["caption_text"].to_numpy(),
            "sending_time": plan["send_at_utc"].to_numpy(),
            "price": plan["price"].to_numpy(),
            "sent_count": purchased * 20,
            "viewed_count": purchased * 4,
            "purchased_count": purchased,
            "earnings": earnings.to_numpy(),
            "message_type": "ppv",
        }
    )


@pytest.mark.e2e
def test_planted_price_effect_is_recovered_within_its_interval(built_db, tmp_path):
    db = tmp_path / built_db.name
    shutil.copy(built_db, db)
    con = duckdb.connect(str(db))
    con.execute(
        "update sendwise_seeds.settings_modeling set setting_value = '0.9' where setting_name = 'experiment_slot_share'"
    )
    con.close()
    _dbt(
        db,
        tmp_path,
        DEFAULT_END,
        "int_template_experiment_prices",
        "weekly_template_7d",
        "weekly_plan_history",
    )

    con = duckdb.connect(str(db))
    try:
        plan = con.sql(
            "select page_name, caption_text, send_at_utc, price, expected_revenue, experiment_arm, is_held_out"
            " from (select *, experiment_id is not null as is_held_out from sendwise_marts.weekly_plan_history)"
            " where generated_for_as_of = ? and message_type = 'PPV'",
            params=[DEFAULT_END],
        ).df()
        held = plan[plan["is_held_out"]]
        assert held["experiment_arm"].value_counts().min() >= 60  # enough slots in every arm
        # the raw table holds only what the loader delivered up to the plan; the simulated week follows
        con.execute("delete from agency.mass_messages where sending_time >= ?", [DEFAULT_END])
        sends = simulate_sends(plan)
        con.register("simulated", sends)
        con.execute("insert into agency.mass_messages by name select * from simulated")
        con.unregister("simulated")
    finally:
        con.close()

    _dbt(
        db,
        tmp_path,
        RESULTS_AS_OF,
        # (views compile as_of in: the send staging is rebuilt for the later as_of too)
        "base_agency__mass_messages",
        "stg_agency__mass_messages",
        "int_mass_messages_enriched",
        "int_experiment_slot_outcomes",
        "experiment_results",
        "experiment_results_history",
    )
    con = duckdb.connect(str(db), read_only=True)
    try:
        results = con.sql("select * from sendwise_ops.experiment_results").df().set_index("arm")
    finally:
        con.close()
    for arm in ("price_up", "price_down"):
        slots = held[held["experiment_arm"] == arm]
        truth = (MULTIPLIER[arm] - 1) * slots["expected_revenue"].mean()
        row = results.loc[arm]
        assert (
            row["as_planned_slots"] == len(slots) and row["compliance_rate"] == 1.0
        )  # every send as planned
        assert row["effect_ci_low"] <= truth <= row["effect_ci_high"], (arm, truth, row.to_dict())
    up = results.loc["price_up"]
    assert up["is_significant"] and up["effect_per_send"] > 0
    assert up["conclusion"] == "significantly better than the ladder price"
    assert results.loc["control", "as_planned_slots"] == (held["experiment_arm"] == "control").sum()
    # the ladder reads the recommendation at the next build: bounded at experiment_ladder_max_shift
    assert up["recommended_ladder_shift"] == pytest.approx(0.05)

    _dbt(db, tmp_path, LADDER_AS_OF, "int_experiment_price_feedback", "int_page_price_ladder")
    con = duckdb.connect(str(db), read_only=True)
    try:
        feedback = con.sql("select * from sendwise_intermediate.int_experiment_price_feedback").fetchall()
        shifts = {
            r[0]
            for r in con.sql(
                "select distinct experiment_price_shift from sendwise_intermediate.int_page_price_ladder"
            ).fetchall()
        }
    finally:
        con.close()
    assert [(f[1].isoformat(sep=" "), round(f[2], 6)) for f in feedback] == [(RESULTS_AS_OF, 0.05)]
    assert sorted(round(x, 6) for x in shifts) == [0.05]  # every page's rungs moved up 5 %
