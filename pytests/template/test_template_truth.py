"""The weekly template's expected revenue against the generator's hidden truth
(sendwise.evaluation.template_truth): the truth formula reproduces the generator's own figures on
the history it generated, the fatigue and the figures by hand, and no planned send is dropped."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sendwise.evaluation import template_truth as tt


def test_the_truth_formula_reproduces_the_generators_own_figures(built_db, built_con):
    """The history's PPV bank sends of the last 7 days, through the same formula as the planned ones: p
    is the generator's p_true exactly, and the expected revenue sums to the generator's
    price x sent x p (realised recipients) within the noise of the audience draws."""
    from sendwise.demo.truth import load_truth

    truth = load_truth(built_db)
    sends = built_con.sql(
        "select page_key, caption_id, local_hour, isodow, price, day_index as day, sends_today, prior_uses,"
        " p_true, expected_revenue, sent_count from ground_truth.sends where message_type = 'ppv'"
        " and caption_id is not null and day_index >= (select days - 7 from ground_truth.generation_meta)"
    ).df()
    pages = built_con.sql(
        "select page_key, audience_size, audience_trend_per_day, last_send_day from ground_truth.pages"
    ).df()
    got = tt.true_expected_revenue(truth, pages, sends)
    assert len(sends) > 100 and got["has_truth"].all()
    np.testing.assert_allclose(got["p_true"], sends["p_true"], rtol=1e-12)
    ratio = got["truth_expected_revenue"].sum() / sends["expected_revenue"].sum()
    recipients = got["expected_recipients"].sum() / sends["sent_count"].sum()
    assert ratio == pytest.approx(1.0, abs=0.05) and recipients == pytest.approx(1.0, abs=0.05)


def test_prior_uses_count_the_history_and_the_plans_earlier_sends():
    day = pd.Timestamp("2026-11-20")
    history = pd.DataFrame(
        {
            "page_key": ["p", "p", "p", "q"],
            "caption_id": ["c", "c", "d", "c"],
            "sending_time": [day - pd.Timedelta(days=30), day - pd.Timedelta(days=60), day, day],
        }
    )
    plan = pd.DataFrame(
        {
            "page_key": ["p", "p", "q"],
            "caption_id": ["c", "c", "e"],
            "send_at_utc": [day, day + pd.Timedelta(days=1), day],
        }
    )
    uses = tt._prior_uses(plan, history, decay_days=30.0)
    # c on p: sends 30 and 60 days before -> e^-1 + e^-2; the next day also the plan's first send
    assert uses[0] == pytest.approx(math.exp(-1) + math.exp(-2))
    assert uses[1] == pytest.approx(math.exp(-31 / 30) + math.exp(-61 / 30) + math.exp(-1 / 30))
    assert uses[2] == 0.0  # e was never sent on q (c on q and d on p are other pairs)


def test_prior_uses_reproduce_the_generators_on_its_history(built_con):
    """The last 7 days of the history's caption sends as if they were planned, on the sends before
    them: their decayed earlier uses equal the generator's own prior_uses (DuckDB's timestamps are
    microseconds; a unit slip shrinks every age a thousandfold)."""
    sends = built_con.sql(
        "select page_key, caption_id, sending_time, prior_uses from ground_truth.sends"
        " where caption_id is not null order by sending_time"
    ).df()
    (decay,) = built_con.sql(
        "select value from ground_truth.coefficients where name = 'fatigue_decay_days'"
    ).fetchone()
    cut = sends["sending_time"].max() - pd.Timedelta(days=7)
    later = sends[sends["sending_time"] > cut].rename(columns={"sending_time": "send_at_utc"})
    uses = tt._prior_uses(later.reset_index(drop=True), sends[sends["sending_time"] <= cut], float(decay))
    assert len(later) > 100 and (later["prior_uses"] > 0).mean() > 0.2
    np.testing.assert_allclose(uses, later["prior_uses"].to_numpy(), atol=1e-9)


def test_truth_figures_by_hand():
    plan = pd.DataFrame(
        {
            "page_key": ["a", "a", "a", "b"],
            "expected_revenue": [10.0, 30.0, 20.0, 5.0],
            "truth_expected_revenue": [20.0, 40.0, 30.0, np.nan],
            "baseline_revenue": [25.0, 15.0, 20.0, 5.0],
            "has_truth": [True, True, True, False],
        }
    )
    figures = tt.truth_figures(plan)
    assert figures["ppv_sends"] == 4 and figures["sends_without_truth"] == 1
    assert figures["predicted_to_true"] == pytest.approx(60 / 90)
    assert figures["mean_true_expected_revenue"] == pytest.approx(30.0)
    assert figures["baseline_to_true"] == pytest.approx(60 / 90)
    assert figures["spearman_predicted_true"] == pytest.approx(1.0)  # same order: 10 < 20 < 30
    # baseline ranks 3 1 2, truth ranks 1 3 2: sum d^2 = 8, rho = 1 - 6 x 8 / (3 x 8) = -1
    assert figures["spearman_baseline_true"] == pytest.approx(-1.0)
    assert figures["spearman_within_page_predicted_true"] == pytest.approx(1.0)  # page a, the only one


def test_within_page_spearman_averages_pages_that_can_be_ranked():
    rows = pd.DataFrame(
        {
            "page_key": ["a"] * 3 + ["b"] * 4 + ["c"] * 2 + ["d"] * 3,
            # a in the truth's order (+1), b reversed (-1), c too few sends, d one value for all
            "expected_revenue": [1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 0.0, 1.0, 2.0, 5.0, 5.0, 5.0],
            "truth_expected_revenue": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 2.0, 1.0, 1.0, 2.0, 3.0],
        }
    )
    assert tt.within_page_spearman(rows, "expected_revenue") == pytest.approx(0.0)
    assert tt.within_page_spearman(rows[rows["page_key"] == "b"], "expected_revenue") == pytest.approx(-1.0)
    assert tt.within_page_spearman(rows[rows["page_key"].isin(["c", "d"])], "expected_revenue") is None


def test_every_planned_send_is_scored(built_db, built_con):
    plan = tt.planned_sends_with_truth(built_con, built_db, "sendwise_marts.weekly_template_7d")
    (ppv,) = built_con.sql(
        "select count(*) from sendwise_marts.weekly_template_7d where message_type = 'PPV'"
    ).fetchone()
    assert len(plan) == ppv > 0 and plan["has_truth"].all()
    assert (plan["truth_expected_revenue"] > 0).all() and plan["baseline_revenue"].notna().all()
    # sends_today numbers each page's planned sends within its local day from 0
    day = pd.to_datetime(plan["send_local_at"]).dt.normalize()
    first = plan.assign(day=day).groupby(["page_key", "day"])["sends_today"].min()
    assert (first == 0).all()
