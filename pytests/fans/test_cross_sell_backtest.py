"""The leave-one-out back-test of the cross-sell estimate (sendwise.evaluation.fans), by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sendwise.evaluation.fans import cross_sell_backtest, cross_sell_summary


def _world() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fans A, B, C talk to p1 (vector [1, 0]) and p2 ([0, 1]); revenue with p1 1, 2, 3 and with
    p2 10, 20, 30. Fan 0D talks to p1 only ($1,000, vector [1, 0]): a single-creator fan, never a
    neighbour nor in a creator's prior (its id sorts first, so a leak would show)."""
    rows = [("A", 1, 10), ("B", 2, 20), ("C", 3, 30)]
    pairs = [(f"{f}|p1", f, "p1", r1) for f, r1, _ in rows] + [(f"{f}|p2", f, "p2", r2) for f, _, r2 in rows]
    pairs.append(("0D|p1", "0D", "p1", 1000))
    vectors = [(key, [1.0, 0.0] if page == "p1" else [0.0, 1.0]) for key, _, page, _ in pairs]
    return (
        pd.DataFrame(pairs, columns=["fan_model_key", "fan_id", "page_key", "revenue"]),
        pd.DataFrame(vectors, columns=["fan_model_key", "embedding"]),
    )


def test_each_fan_is_held_out_and_estimated_from_the_others():
    pairs, vectors = _world()
    result = cross_sell_backtest(pairs, vectors, neighbours=2, min_fans=2).set_index(
        ["fan_id", "candidate_page_key"]
    )
    # A held out with p2: his source pair A|p1 is nearest (cosine 1) to B and C, who spent 20 and
    # 30 with p2: neighbours' mean 25; p2's other fans (B, C): mean 25, sample variance 50
    a = result.loc[("A", "p2")]
    assert (a["actual"], a["similar_fans"], a["neighbour_mean"]) == (10, 2, 25)
    assert (a["creator_mean"], a["creator_variance"], a["creator_fans"]) == (25, 50, 2)
    b = result.loc[("B", "p1")]  # 0D's $1,000 would raise both means
    assert (b["neighbour_mean"], b["creator_mean"], b["creator_variance"]) == (2, 2, 2)
    assert len(result) == 6 and "0D" not in result.index.get_level_values(0)
    # every neighbourhood is the rest of the fans, so the neighbours' means differ from the
    # creators' by nothing: tau2 = 0 - mean(v) < 0, weight 0, the estimate is the creator's mean
    assert (result["shrink_weight"] == 0).all()
    assert (result["shrunk"] == result["creator_mean"]).all()
    # its interval: 25 -/+ 1.96 sqrt(50 / 2)
    assert a["shrunk_low"] == pytest.approx(25 - 1.96 * 5) and a["shrunk_high"] == pytest.approx(
        25 + 1.96 * 5
    )


def test_summary_errors_by_hand():
    pairs, vectors = _world()
    summary = cross_sell_summary(cross_sell_backtest(pairs, vectors, neighbours=2, min_fans=2))
    # estimates p2: A 25, B 20, C 15 for 10, 20, 30; p1: 2.5, 2, 1.5 for 1, 2, 3
    # absolute errors 15, 0, 15, 1.5, 0, 1.5 -> MAE 33 / 6 = 5.5; RMSE sqrt((225 x 2 + 2.25 x 2) / 6)
    assert summary["rows"] == 6 and summary["fans"] == 3
    assert summary["shrunk_mae"] == pytest.approx(5.5)
    assert summary["creator_mean_rmse"] == pytest.approx(math.sqrt((450 + 4.5) / 6))
    assert summary["shrunk_to_actual"] == pytest.approx(66 / 66)  # 25 + 20 + 15 + 2.5 + 2 + 1.5 = 66
    # ranks of the estimates 6 5 4 3 2 1, of the revenue 4 5 6 1 2 3: sum d^2 = 16, rho = 1 - 6 x 16 /
    # (6 x 35); within a creator the leave-one-out mean runs against the held-out fan
    assert summary["shrunk_spearman"] == pytest.approx(1 - 96 / 210)
    assert summary["shrunk_minus_creator_mean_rmse"] == pytest.approx(0)


def test_too_few_similar_fans_leave_no_row():
    pairs, vectors = _world()
    assert cross_sell_backtest(pairs, vectors, neighbours=2, min_fans=3).empty
    assert cross_sell_summary(pd.DataFrame()) == {"rows": 0}
