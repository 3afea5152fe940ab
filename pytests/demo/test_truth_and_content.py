from __future__ import annotations

import numpy as np

from sendwise.demo.truth import load_truth, true_purchase_logit, true_purchase_prob


def test_load_truth_reproduces_generated_probabilities(small_db, con):
    truth = load_truth(small_db)
    rows = con.sql(
        "select page_key, caption_id, local_hour, isodow, price, day_index, sends_today, prior_uses, p_true,"
        " local_at from ground_truth.sends where message_type = 'ppv'"
    ).df()
    p = true_purchase_prob(
        truth,
        rows["page_key"].to_numpy(),
        rows["caption_id"].to_numpy(dtype=object),
        rows["local_hour"].to_numpy(),
        rows["isodow"].to_numpy(),
        rows["price"].to_numpy(),
        rows["day_index"].to_numpy(),
        rows["sends_today"].to_numpy(),
        rows["prior_uses"].to_numpy(),
    )
    np.testing.assert_allclose(p, rows["p_true"].to_numpy(), rtol=1e-9)
    by_date = true_purchase_prob(
        truth,
        rows["page_key"].to_numpy(),
        rows["caption_id"].to_numpy(dtype=object),
        rows["local_hour"].to_numpy(),
        rows["isodow"].to_numpy(),
        rows["price"].to_numpy(),
        rows["local_at"].to_numpy(),
        rows["sends_today"].to_numpy(),
        rows["prior_uses"].to_numpy(),
    )
    np.testing.assert_allclose(by_date, p, rtol=1e-9)


def test_truth_function_shape(small_db):
    truth = load_truth(small_db)
    page = truth.pages.index[0]
    cap = truth.captions.index[0]
    prices = np.linspace(5, 100, 40)
    p = true_purchase_prob(truth, page, cap, 20, 5, prices, truth.days - 1, 0)
    assert p.shape == (40,) and (np.diff(p) < 0).all()
    # more sends that day than the optimum lowers p; fewer does not change it
    opt = int(truth.pages.loc[page, "optimal_daily_sends"])
    s = true_purchase_prob(truth, page, cap, 20, 5, 20.0, truth.days - 1, np.arange(opt + 5))
    assert np.allclose(s[:opt], s[0]) and (np.diff(s[opt - 1 :]) < 0).all()
    # unknown captions are neutral: no quality, style or affinity
    neutral = true_purchase_prob(truth, page, ["nope", None], 20, 5, 20.0, 0, 0)
    assert neutral[0] == neutral[1]
    # peak hour beats the opposite hour
    peak = truth.pages.loc[page, "peak_hour"]
    ph = true_purchase_prob(truth, page, cap, [peak, (peak + 12) % 24], 5, 20.0, 0, 0)
    assert ph[0] > ph[1]
    # earlier uses of the caption on the page tire it: logit - caption_fatigue x ln(1 + uses)
    logit = true_purchase_logit(truth, page, cap, 20, 5, 20.0, 0, 0, [0.0, 1.0, 3.0])
    np.testing.assert_allclose(
        logit[0] - logit[1:], truth.coefficients["caption_fatigue"] * np.log([2.0, 4.0])
    )


def test_holidays_move_the_logit_of_their_country_only(small_db, con):
    truth = load_truth(small_db)
    rows = con.sql(
        "select p.page_key, p.country, h.effect, h.holiday_date - m.start_date as day"
        " from ground_truth.holidays h join ground_truth.pages p using (country), ground_truth.generation_meta m"
        " where h.holiday_date between m.start_date and m.start_date + m.days - 1"
    ).df()
    assert len(rows) > 0 and rows["country"].nunique() >= 2
    cap = truth.captions.index[0]
    on = true_purchase_logit(truth, rows["page_key"], cap, 20, 5, 20.0, rows["day"], 0)
    # the day before is no holiday of that country in this calendar unless listed; compare with a day
    # that is not a holiday of the page's country
    holiday_days = set(zip(rows["page_key"], rows["day"], strict=True))
    off_day = [
        d - 1 if (k, d - 1) not in holiday_days else d + 1
        for k, d in zip(rows["page_key"], rows["day"], strict=True)
    ]
    off = true_purchase_logit(truth, rows["page_key"], cap, 20, 5, 20.0, off_day, 0)
    trend = truth.pages.loc[rows["page_key"], "conv_trend_per_day"].to_numpy() * (
        rows["day"].to_numpy() - off_day
    )
    np.testing.assert_allclose(on - off - trend, rows["effect"].to_numpy(), atol=1e-12)


def test_page_trends_and_saturation_are_visible(con):
    trend = dict(
        con.sql(
            "select trend, avg(audience_trend_per_day + conv_trend_per_day) from ground_truth.pages group by 1"
        ).fetchall()
    )
    assert trend["growing"] > 0 > trend["declining"]
    habits = {h for (h,) in con.sql("select distinct volume_habit from ground_truth.pages").fetchall()}
    assert habits == {"over", "near", "under"}


def test_best_content_arm_is_unique_and_learnable_not_certain(con):
    arms = con.sql("select content_type, true_success_prob, is_best from ground_truth.content_arms").df()
    assert arms["is_best"].sum() == 1
    probs = arms.sort_values("true_success_prob", ascending=False)
    assert probs["is_best"].iloc[0]
    # issue 14: the best arm succeeds 0.03-0.10 more often than the second
    assert 0.03 <= probs["true_success_prob"].iloc[0] - probs["true_success_prob"].iloc[1] <= 0.10
    # the observed outcomes follow the truth: each arm's observed success share (latest collection,
    # ER > 3 %) within 4 binomial standard errors (+0.03 for the count noise around the threshold)
    obs = con.sql(
        "with latest as (select * from content.outcomes qualify row_number() over (partition by decision_id"
        " order by collected_at desc) = 1), m as (select distinct decision_id, bandit_arm from content.content_metadata)"
        " select regexp_replace(bandit_arm, '_(single|thread|reply)_(morning|afternoon|evening|night)$', '') as"
        " content_type, avg(((likes + retweets + replies) / impressions > 0.03)::int) as s, count(*) as n"
        " from latest join m using (decision_id) where impressions > 0 and least(likes, retweets, replies) >= 0"
        " group by 1"
    ).df()
    both = obs.merge(arms, on="content_type")
    assert len(both) == len(arms)
    se = np.sqrt(both["true_success_prob"] * (1 - both["true_success_prob"]) / both["n"])
    assert ((both["s"] - both["true_success_prob"]).abs() <= 4 * se + 0.03).all(), both


def test_content_metadata_shape(con):
    arms = [a for (a,) in con.sql("select distinct bandit_arm from content.content_metadata").fetchall()]
    assert all(a.rsplit("_", 2)[1] in ("single", "thread", "reply") for a in arms)
    assert all(a.rsplit("_", 2)[2] in ("morning", "afternoon", "evening", "night") for a in arms)
    er = con.sql(
        "select count(*) filter (engagement_rate is null) / count(*), count(*) filter (engagement_rate is not null"
        " and abs(engagement_rate - (likes + retweets + replies) / impressions) > 1e-12) from content.outcomes"
    ).fetchone()
    assert 0.3 <= er[0] <= 0.5 and er[1] <= 3  # only negative_metric rows may disagree
    share = con.sql(
        "select avg((followers_gained > 0)::int) from (select * from content.outcomes qualify row_number() over"
        " (partition by decision_id order by collected_at desc) = 1)"
    ).fetchone()[0]
    assert 0.1 < share < 0.9
