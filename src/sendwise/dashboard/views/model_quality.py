"""Revenue model quality: can the expected revenue on the schedule be trusted?"""

import pandas as pd
import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Revenue model quality",
    "Analysts: the gradient-boosting revenue model beside its baselines (page x hour mean, the "
    "page's last-28-day revenue per send) on the hold-out sends, overall and per page, and whether "
    "its interval covers what it claims "
    "(ml_revenue_model_metrics, ml_revenue_gbm_scores)",
)
metrics, holdout = ui.load(lambda: queries.model_quality(data))
nominal = ui.load(lambda: queries.nominal_coverage(data))

overall = metrics[metrics["metric_scope"] == "overall"].set_index("predictor")
if "gbm" not in overall.index:
    st.warning("No overall metrics for the GBM yet.")
    st.stop()
gbm = overall.loc["gbm"]
# the strongest baseline (highest hold-out R²) is the one the model must beat
baselines = overall.drop(index="gbm").sort_values("r2", ascending=False)
baseline = baselines.iloc[0] if len(baselines) else None
baseline_name = None if baseline is None else str(baselines.index[0])
cols = st.columns(5)
cols[0].metric(
    "R² (model)",
    ui.number(gbm["r2"], 3),
    delta=None if baseline is None else f"{gbm['r2'] - baseline['r2']:+.3f} vs best baseline",
)
cols[1].metric(
    "R² (best baseline)",
    ui.number(None if baseline is None else baseline["r2"], 3),
    help=None if baseline_name is None else f"the baseline with the highest hold-out R²: {baseline_name}",
)
cols[2].metric("MAE per send (model)", ui.money(gbm["mae"]))
cols[3].metric("MAE per send (best baseline)", ui.money(None if baseline is None else baseline["mae"]))
cols[4].metric(
    "Interval coverage",
    ui.pct(gbm["interval_coverage"]),
    delta=None if nominal is None else f"nominal {ui.pct(nominal, 0)}",
    delta_color="off",
)
# the kept fit is a week old at most (ml_revenue_gbm_fit): say where its training sends end
last_train = holdout["train_last_sent_at"].max() if len(holdout) else None
trained_until = "" if last_train is None or pd.isna(last_train) else f", the last on {last_train:%Y-%m-%d}"
st.caption(
    f"{int(gbm['holdout_sends']):,} hold-out sends; model {gbm['model_version']} trained on "
    f"{int(gbm['train_sends']):,} sends before the hold-out{trained_until} (refitted once per "
    "ml_fit_cadence_days, a week by default)."
)
st.dataframe(
    overall.reset_index()[["predictor", "r2", "mae", "predicted_to_actual", "mape", "interval_coverage"]],
    hide_index=True,
    width="stretch",
    column_config={
        "r2": st.column_config.NumberColumn("R²", format="%.3f"),
        "predicted_to_actual": st.column_config.NumberColumn(
            "predicted / actual",
            format="%.2f",
            help="sum of predicted / sum of actual revenue: 1 = the total is right (a week's expected revenue is a sum)",
        ),
        "mae": st.column_config.NumberColumn("MAE per send", format="dollar"),
        "mape": st.column_config.NumberColumn("MAPE", format="percent"),
        "interval_coverage": st.column_config.NumberColumn("interval coverage", format="percent"),
    },
)

pages = sorted(metrics["page_key"].dropna().unique())
with st.sidebar:
    page = ui.page_filter(["(all pages)", *pages])

st.subheader("Predicted vs actual revenue on the hold-out")
points = holdout if page == "(all pages)" else holdout[holdout["page_key"] == page]
st.altair_chart(
    ui.scatter(
        points,
        "predicted_revenue:Q",
        "actual_revenue:Q",
        "Predicted revenue per send ($)",
        "Actual revenue per send ($)",
        tooltip=["page_key", "predicted_revenue", "actual_revenue", "baseline_revenue"],
    ),
    width="stretch",
)
st.caption(
    f"{len(points):,} sends; {ui.pct(queries.holdout_coverage(points))} of them inside the model's interval."
)

st.subheader("Per page")
per_page = metrics[metrics["metric_scope"] == "page"]
if page != "(all pages)":
    per_page = per_page[per_page["page_key"] == page]
st.altair_chart(
    ui.bar(per_page, "page_key:N", "mae:Q", "Page", "MAE per send ($)", y_format="$,.0f", color="predictor"),
    width="stretch",
)
st.dataframe(
    per_page[["page_key", "predictor", "holdout_sends", "r2", "mae", "mape", "interval_coverage"]],
    hide_index=True,
    width="stretch",
    column_config={
        "r2": st.column_config.NumberColumn("R²", format="%.3f"),
        "mae": st.column_config.NumberColumn("MAE", format="dollar"),
        "mape": st.column_config.NumberColumn("MAPE", format="percent"),
        "interval_coverage": st.column_config.NumberColumn("Coverage", format="percent"),
    },
)
