"""On a simulated week, a planted price effect (a planted caption effect) is recovered by
experiment_results within its interval, and the price ladder (the ranking's exploration) moves,
bounded, at the next build.

Price: the small demo world (the built test database) plans its week at as_of 2026-11-15 with the
project's SQL, holding out most slots for the price experiment (experiment_slot_share raised to
0.9 and experiment_caption_share set to 0 in the copy, so a week of 8 pages gives enough slots per
arm). Every planned PPV send is then
sent as planned, its revenue drawn from a known truth: the plan's expected revenue at the ladder
price x a multiplier of the arm (control 1, price_up 1.25, price_down 0.90) x lognormal noise
(mean 1). The sends go into the raw table as a loader would deliver them, and the project's SQL
(staging, quarantine, the execution matching, experiment_results) estimates the effects at as_of
2026-11-23. The true effect of an arm on its held-out slots is (multiplier - 1) x their mean
expected revenue; it must lie inside the reported interval, and the +25 % step must be found
significant. A later build (2026-11-29) then reads that result and shifts the ladder up by the
bounded experiment_ladder_max_shift.

Caption: the same week planned with every held-out slot in the caption experiment (share 0.9,
experiment_caption_share 1), in a world where the template's own caption (the top-1) is known to
be worse: a send earns the plan's expected revenue x 1 with the top-1 caption and x 1.5 with any
other candidate drawn from the top k, x lognormal noise. The caption_topk arm's true effect is
mean((multiplier - 1) x expected revenue) over its slots; it must lie in the reported interval and be
significant, the inverse-propensity value of the top-1 policy from the randomised slots must lie
within 1.96 standard errors of the truth (the held slots' mean expected revenue), and the ranking
built on 2026-11-29 scales its exploration by the bounded 1 + experiment_exploration_max_shift."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from sendwise.dbt import run_dbt, vars_arg
from sendwise.paths import DEFAULT_END

MULTIPLIER = {"control": 1.0, "price_up": 1.25, "price_down": 0.90}
CAPTION_MULTIPLIER = {"top1": 1.0, "other": 1.5}
CAPTION_EXPERIMENT = "caption_topk_v1"
PLAN_MODELS = (
    "int_template_experiment_prices",
    # the caption experiment's steps: hold-out, spares, deal, draw (docs/operations.md)
    "int_template_experiment_caption_slots",
    "int_template_experiment_caption_spares",
    "int_template_experiment_caption_deals",
    "int_template_experiment_caption_candidates",
    "int_template_experiment_captions",
    "int_template_planned_sends",
    "weekly_template_7d",
    "weekly_plan_history",
)
RESULT_MODELS = (
    # (views compile as_of in: the send staging is rebuilt for the later as_of too)
    "base_agency__mass_messages",
    "stg_agency__mass_messages",
    "int_mass_messages_enriched",
    "int_experiment_slot_outcomes",
    "int_experiment_arm_stats",
    "experiment_results",
    "experiment_results_history",
)
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


def _rows(db, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _copy_with_settings(built_db, tmp_path, **settings: str):
    db = tmp_path / built_db.name
    shutil.copy(built_db, db)
    con = duckdb.connect(str(db))
    for name, value in settings.items():
        con.execute(
            "update sendwise_seeds.settings_modeling set setting_value = ? where setting_name = ?",
            [value, name],
        )
    con.close()
    return db


def _plan_and_deliver(db, tmp_path, multiplier) -> pd.DataFrame:
    """Plan the week at DEFAULT_END and deliver every planned PPV send (revenue from `multiplier`)."""
    _dbt(db, tmp_path, DEFAULT_END, *PLAN_MODELS)
    con = duckdb.connect(str(db))
    try:
        plan = con.sql(
            "select page_name, caption_text, send_at_utc, price, expected_revenue, experiment_id, experiment_arm,"
            " caption_id, control_caption_id, is_held_out"
            " from (select *, experiment_id is not null as is_held_out from sendwise_marts.weekly_plan_history)"
            " where generated_for_as_of = ? and message_type = 'PPV'"
            # in a fixed order: the noise is drawn row by row (without it, DuckDB's scan order decided
            # which send got which draw, and the estimate moved from run to run)
            " order by page_name, send_at_utc, caption_id",
            params=[DEFAULT_END],
        ).df()
        # the raw table holds only what the loader delivered up to the plan; the simulated week follows
        con.execute("delete from agency.mass_messages where sending_time >= ?", [DEFAULT_END])
        sends = simulate_sends(plan, multiplier)
        con.register("simulated", sends)
        con.execute("insert into agency.mass_messages by name select * from simulated")
        con.unregister("simulated")
    finally:
        con.close()
    return plan


def _price_multiplier(plan: pd.DataFrame) -> pd.Series:
    return plan["experiment_arm"].fillna("control").map(MULTIPLIER)


def _caption_multiplier(plan: pd.DataFrame) -> pd.Series:
    is_top1 = plan["caption_id"] == plan["control_caption_id"]
    return is_top1.map({True: CAPTION_MULTIPLIER["top1"], False: CAPTION_MULTIPLIER["other"]})


def simulate_sends(plan: pd.DataFrame, multiplier=_price_multiplier, seed: int = 20261115) -> pd.DataFrame:
    """One raw send per planned PPV slot, at the planned time and price, with the planned caption and a
    known effect: expected revenue x multiplier(plan) x lognormal noise (mean 1)."""
    rng = np.random.default_rng(seed)
    noise = rng.lognormal(-(NOISE_SD**2) / 2, NOISE_SD, len(plan))  # mean 1
    earnings = (plan["expected_revenue"] * multiplier(plan) * noise).round(2)
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
    db = _copy_with_settings(built_db, tmp_path, experiment_slot_share="0.9", experiment_caption_share="0")
    plan = _plan_and_deliver(db, tmp_path, _price_multiplier)
    held = plan[plan["is_held_out"]]
    assert held["experiment_arm"].value_counts().min() >= 60  # enough slots in every arm
    assert set(held["experiment_arm"]) == {"control", "price_down", "price_up"}  # no caption slot

    _dbt(db, tmp_path, RESULTS_AS_OF, *RESULT_MODELS)
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
    feedback = _rows(db, "select * from sendwise_intermediate.int_experiment_price_feedback")
    shifts = {
        r[0]
        for r in _rows(
            db, "select distinct experiment_price_shift from sendwise_intermediate.int_page_price_ladder"
        )
    }
    assert [(f[1].isoformat(sep=" "), round(f[2], 6)) for f in feedback] == [(RESULTS_AS_OF, 0.05)]
    assert sorted(round(x, 6) for x in shifts) == [0.05]  # every page's rungs moved up 5 %


@pytest.mark.e2e
def test_planted_caption_effect_is_recovered_and_moves_the_ranking(built_db, tmp_path):
    db = _copy_with_settings(built_db, tmp_path, experiment_slot_share="0.9", experiment_caption_share="1")
    plan = _plan_and_deliver(db, tmp_path, _caption_multiplier)
    held = plan[plan["is_held_out"]]
    assert set(held["experiment_id"]) == {CAPTION_EXPERIMENT}  # every held slot in the caption experiment
    assert held["experiment_arm"].value_counts().min() >= 60  # enough slots in both arms
    topk = held[held["experiment_arm"] == "caption_topk"]
    assert (topk["caption_id"] != topk["control_caption_id"]).sum() >= 30  # the draw took other captions
    top1 = held[held["experiment_arm"] == "caption_top1"]
    # the control plans the template's caption
    assert (top1["caption_id"] == top1["control_caption_id"]).all()

    _dbt(db, tmp_path, RESULTS_AS_OF, *RESULT_MODELS)
    con = duckdb.connect(str(db), read_only=True)
    try:
        results = (
            con.sql(
                "select * from sendwise_ops.experiment_results where experiment_id = ?",
                params=[CAPTION_EXPERIMENT],
            )
            .df()
            .set_index("arm")
        )
    finally:
        con.close()
    assert set(results.index) == {"caption_top1", "caption_topk"}
    assert (results["experiment_kind"] == "caption").all()
    row = results.loc["caption_topk"]
    truth = ((_caption_multiplier(topk) - 1) * topk["expected_revenue"]).mean()
    assert row["as_planned_slots"] == len(topk) and row["compliance_rate"] == 1.0  # sent as planned
    assert row["effect_ci_low"] <= truth <= row["effect_ci_high"], (truth, row.to_dict())
    assert row["is_significant"] and row["effect_per_send"] > 0
    assert row["conclusion"] == "significantly better than the top-1 caption"
    # the value of always sending the top-1, estimated from the randomised slots by inverse propensity
    control = results.loc["caption_top1"]
    top1_truth = held["expected_revenue"].mean() * CAPTION_MULTIPLIER["top1"]
    assert abs(control["ips_revenue_per_send"] - top1_truth) <= 1.96 * control["ips_se"], control.to_dict()
    # the ranking reads the result at the next build: more exploration, bounded
    assert row["recommended_exploration_shift"] == pytest.approx(0.10)
    assert (results["recommended_ladder_shift"] == 0).all()

    _dbt(db, tmp_path, LADDER_AS_OF, "int_experiment_caption_feedback", "int_ranking_slots")
    feedback = _rows(db, "select * from sendwise_intermediate.int_experiment_caption_feedback")
    multipliers = {
        r[0]
        for r in _rows(
            db, "select distinct exploration_multiplier from sendwise_intermediate.int_ranking_slots"
        )
    }
    assert [(f[0], f[1].isoformat(sep=" "), round(f[2], 6)) for f in feedback] == [
        (CAPTION_EXPERIMENT, RESULTS_AS_OF, 0.1)
    ]
    assert sorted(round(x, 6) for x in multipliers) == [1.1]  # every page's sigma and EB prior x 1.1
