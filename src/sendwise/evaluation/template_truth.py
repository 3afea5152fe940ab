"""The weekly template's expected revenue against the demo generator's hidden truth.

For every planned PPV send of `weekly_template_7d` the truth's expected revenue is the
generator's own (`sendwise.demo.outcomes.draw_outcomes`: expected_revenue = price x sent x p):

    E[recipients] = audience_size x TYPE_AUDIENCE[ppv] x exp(audience_trend_per_day x (day - last_send_day))
                    x exp(audience_noise_sd^2 / 2) x (1 - share of empty sends)
                    (the generator's own _unit_audience, so the two cannot drift apart)
    p             = true_purchase_prob(page, caption, local hour, ISO weekday, price, day,
                    sends the page makes earlier that local day in the plan,
                    decayed earlier uses of the caption on the page: its history and the plan's
                    earlier sends, sum of exp(-age / fatigue_decay_days))

(the page-day shock and the view rate cancel in expectation: E[bought] = sent x p). The plan is
the only thing read from the build; the truth comes from the `ground_truth` schema, which no model
reads. Prediction = the template's `expected_revenue` (the revenue model's, at the slot's ladder
price, so the truth is read at that price too); beside it the
strongest simple baseline the revenue model is measured against: the page's mean revenue per PPV
send over the 28 days before as_of, the same for every planned send of the page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BASELINE_DAYS = 28
EMPTY_SEND_SHARE = 0.003  # the generator sends to nobody this share of the time (draw_outcomes)


def planned_sends_with_truth(con, db_path, template: str) -> pd.DataFrame:
    """Every PPV row of `template` (a relation) with `truth_expected_revenue` and the baseline's
    `baseline_revenue`; `has_truth` is false for a caption the generator does not know (its row is
    kept and counted, never dropped silently)."""
    from sendwise.demo.truth import load_truth

    truth = load_truth(db_path)
    (start_date,) = con.sql("select start_date from ground_truth.generation_meta").fetchone()
    plan = con.sql(
        # the plan's expected revenue is that of the ladder price, also on a slot the price experiment
        # stepped (int_template_planned_sends): the truth is read at the same price
        f"select page_key, caption_id, send_local_at, send_at_utc, plan_date, local_hour,"
        f" coalesce(ladder_price, price) as price,"
        f" expected_revenue, as_of from {template} where message_type = 'PPV'"
        " order by page_key, send_at_utc"
    ).df()
    if plan.empty:
        return plan
    pages = con.sql(
        "select page_key, audience_size, audience_trend_per_day, last_send_day from ground_truth.pages"
    ).df()
    as_of = pd.Timestamp(plan["as_of"].iloc[0])
    history = con.execute(
        "select page_key, caption_id, sending_time, message_type, earnings from ground_truth.sends"
        " where sending_time <= ?",
        [as_of.to_pydatetime()],
    ).df()
    decay = float(truth.coefficients.get("fatigue_decay_days", 30.0))

    plan["day"] = (pd.to_datetime(plan["plan_date"]) - pd.Timestamp(start_date)).dt.days
    plan["isodow"] = pd.to_datetime(plan["send_local_at"]).dt.isocalendar().day.astype(int).to_numpy()
    local_day = pd.to_datetime(plan["send_local_at"]).dt.normalize()
    plan["sends_today"] = plan.assign(local_day=local_day).groupby(["page_key", "local_day"]).cumcount()
    plan["prior_uses"] = _prior_uses(plan, history, decay)

    plan = plan.assign(**true_expected_revenue(truth, pages, plan))
    recent = history[
        (history["message_type"] == "ppv")
        & (pd.to_datetime(history["sending_time"]) > as_of - pd.Timedelta(days=BASELINE_DAYS))
    ]
    baseline = recent.groupby("page_key")["earnings"].mean()
    plan["baseline_revenue"] = plan["page_key"].map(baseline)
    return plan


def true_expected_revenue(truth, pages: pd.DataFrame, sends: pd.DataFrame) -> dict[str, np.ndarray]:
    """The generator's expected revenue of PPV `sends` (page_key, caption_id, local_hour, isodow,
    price, day, sends_today, prior_uses): p_true, expected_recipients, truth_expected_revenue and
    has_truth (false, with NaN figures, for a caption the generator does not know). `pages`:
    ground_truth.pages' page_key, audience_size, audience_trend_per_day, last_send_day."""
    from sendwise.demo.outcomes import _unit_audience
    from sendwise.demo.truth import true_purchase_prob

    known = sends["caption_id"].isin(truth.captions.index).to_numpy()
    p = np.full(len(sends), np.nan)
    rows = sends[known]
    if len(rows):
        p[known] = true_purchase_prob(
            truth,
            rows["page_key"].to_numpy(),
            rows["caption_id"].to_numpy(dtype=object),
            rows["local_hour"].to_numpy(dtype=float),
            rows["isodow"].to_numpy(),
            np.maximum(rows["price"].to_numpy(dtype=float), 1.0),
            rows["day"].to_numpy(),
            rows["sends_today"].to_numpy(),
            rows["prior_uses"].to_numpy(),
        )
    # the generator's own expected recipients per unit of audience (type share x trend x noise mean)
    pages = pages.reset_index(drop=True)
    page = pd.Index(pages["page_key"]).get_indexer(sends["page_key"])
    plan = pd.DataFrame({"page": page, "mtype": 0, "day_index": sends["day"].to_numpy()})
    recipients = (
        pages["audience_size"].to_numpy()[page] * _unit_audience(plan, pages) * (1 - EMPTY_SEND_SHARE)
    )
    return {
        "p_true": p,
        "expected_recipients": recipients,
        "truth_expected_revenue": sends["price"].to_numpy(dtype=float) * recipients * p,
        "has_truth": known,
    }


def _prior_uses(plan: pd.DataFrame, history: pd.DataFrame, decay_days: float) -> np.ndarray:
    """Each planned send's decayed earlier uses of its caption on its page: the history's sends and
    the plan's own earlier ones (the generator's decayed_prior_uses, one send at a time)."""
    used = history.dropna(subset=["caption_id"])
    earlier: dict[tuple[str, str], list[float]] = {}
    for key, t in zip(
        zip(used["page_key"], used["caption_id"], strict=True), _days(used["sending_time"]), strict=True
    ):
        earlier.setdefault(key, []).append(t)
    out = np.zeros(len(plan))
    for i, (key, t) in enumerate(
        zip(zip(plan["page_key"], plan["caption_id"], strict=True), _days(plan["send_at_utc"]), strict=True)
    ):
        times = earlier.setdefault(key, [])
        out[i] = float(np.exp(-(t - np.asarray(times)) / decay_days).sum()) if times else 0.0
        times.append(t)
    return out


def _days(timestamps) -> np.ndarray:
    """Days since the epoch, whatever the datetime's unit (DuckDB's are microseconds, pandas' own
    nanoseconds: an integer cast would read them 1,000 times apart)."""
    return ((pd.to_datetime(pd.Series(timestamps)) - pd.Timestamp(0)) / pd.Timedelta(days=1)).to_numpy()


def within_page_spearman(rows: pd.DataFrame, column: str, min_sends: int = 3) -> float | None:
    """Mean over pages of the rank correlation between `column` and the true expected revenue of the
    page's own planned sends (pages with at least `min_sends` and neither side constant): how well a
    figure orders one page's sends, which a correlation across pages hides. None without such a page
    (the page baseline is one value per page, so it never has one)."""
    values = []
    for _, page in rows.groupby("page_key"):
        if (
            len(page) < min_sends
            or page[column].nunique() < 2
            or page["truth_expected_revenue"].nunique() < 2
        ):
            continue
        values.append(page[column].corr(page["truth_expected_revenue"], method="spearman"))
    return float(np.mean(values)) if values else None


def truth_figures(plan: pd.DataFrame) -> dict:
    """Sum of predicted over true expected revenue, mean per send, rank correlation per send (across
    the plan and within a page), for the template and for the baseline."""
    if plan.empty:
        return {"ppv_sends": 0}
    rows = plan[plan["has_truth"]]
    truth = rows["truth_expected_revenue"]
    figures = {
        "ppv_sends": len(plan),
        "sends_without_truth": int((~plan["has_truth"]).sum()),
        "mean_true_expected_revenue": float(truth.mean()),
        "mean_predicted_revenue": float(rows["expected_revenue"].mean()),
        "predicted_to_true": float(rows["expected_revenue"].sum() / truth.sum()),
        "spearman_predicted_true": float(rows["expected_revenue"].corr(truth, method="spearman")),
        "spearman_within_page_predicted_true": within_page_spearman(rows, "expected_revenue"),
        "mean_baseline_revenue": float(rows["baseline_revenue"].mean()),
        "baseline_to_true": float(rows["baseline_revenue"].sum() / truth.sum()),
        "spearman_baseline_true": float(rows["baseline_revenue"].corr(truth, method="spearman")),
    }
    return figures
