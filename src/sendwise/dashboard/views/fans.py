"""Fans: who are the fans, who is about to leave or buy, who is like this fan, when to message him
and which other creators to introduce him to?"""

import pandas as pd
import streamlit as st

from sendwise.commands.fan_report import choose_method
from sendwise.dashboard import queries, ui

ALL_MODELS = "(all models)"

data, as_of = ui.page(
    "Fans",
    "The chat team: fan clusters in 2D with a playbook per cluster, fans at risk of churn and likely "
    "buyers, the fans most similar to a chosen fan, the best hours to message each fan and the other "
    "creators to introduce him to (fan_clusters, fan_cluster_summary, fan_predictions, fan_embeddings, "
    "fan_message_windows, fan_timing_evaluation, fan_cross_sell). Personal data: access-restricted on "
    "BigQuery.",
)
frames = ui.load(lambda: queries.fans(data))

pairs = frames["pairs"]
with st.sidebar:
    methods = list(frames["metrics"]["method"])
    best = choose_method(frames["metrics"]) if methods else "B"
    method = st.selectbox("Clustering method", methods, index=methods.index(best) if best in methods else 0)
    page = ui.page_filter([ALL_MODELS, *sorted(pairs["page_key"].unique())], label="Model (page)")
one_page = None if page == ALL_MODELS else page  # None: every page

in_page = pairs if one_page is None else pairs[pairs["page_key"] == one_page]
cols = st.columns(4)
cols[0].metric("Fan-model pairs", f"{len(in_page):,}")
cols[1].metric("Revenue from these fans", ui.money(in_page["revenue"].sum()))
cols[2].metric("Active pairs", ui.pct(in_page["is_active"].astype(float).mean()))
metric = frames["metrics"].set_index("method").loc[method] if method in methods else None
cols[3].metric("Silhouette", ui.number(None if metric is None else metric["silhouette"], 3))
if metric is not None and not pd.isna(metric["k_scanned_as_of"]):
    # every k is tried once per fit period (fan_clusters): say which build's scan chose this k
    st.caption(
        f"Method {method}: k = {int(metric['cluster_k'])} clusters, chosen by silhouette in the scan of every k"
        f" at as_of {pd.Timestamp(metric['k_scanned_as_of']):%Y-%m-%d %H:%M} (once per ml_fit_cadence_days, a"
        " week by default); the silhouette above is this build's, at that k."
    )

st.subheader("Clusters in 2D")
points = frames["points"][frames["points"]["method"] == method].merge(
    in_page[["fan_model_key", "revenue", "page_key"]], on="fan_model_key"
)
st.altair_chart(
    ui.scatter(
        points,
        "plot_x:Q",
        "plot_y:Q",
        "PCA 1",
        "PCA 2",
        color="cluster_id",
        tooltip=["fan_model_key", "cluster_id", "revenue"],
        fmt=",.2f",
    ),
    width="stretch",
)
summary = frames["summary"][frames["summary"]["method"] == method]
st.dataframe(
    summary.drop(columns=["method"]),
    hide_index=True,
    width="stretch",
    column_config={
        "revenue": st.column_config.NumberColumn("revenue", format="dollar"),
        "revenue_per_pair": st.column_config.NumberColumn("revenue per fan", format="dollar"),
        "purchase_rate": st.column_config.NumberColumn("purchase rate", format="percent"),
        "buyer_share": st.column_config.NumberColumn("buyers", format="percent"),
        "active_share": st.column_config.NumberColumn("active", format="percent"),
    },
)
if st.toggle(
    "Show the chatter playbook per cluster (best hours, prices that sold, red flags)", key="playbook"
):
    playbook = ui.cached_playbook(data, method)
    st.markdown(
        playbook or "The playbook reads the chat messages: run `sendwise fan-report` on BigQuery data."
    )

predictions = frames["predictions"]
if one_page is not None:
    predictions = predictions[predictions["fan_model_key"].isin(set(in_page["fan_model_key"]))]
left, right = st.columns(2)
shown = ["fan_model_key", "probability", "baseline_probability", "revenue", "days_since_last_message"]
config = {
    "probability": st.column_config.NumberColumn("probability", format="percent"),
    "baseline_probability": st.column_config.NumberColumn("baseline", format="percent"),
    "revenue": st.column_config.NumberColumn("revenue", format="dollar"),
}
with left:
    st.subheader("At risk of churn")
    st.dataframe(queries.at_risk(predictions, pairs, "churn")[shown], hide_index=True, column_config=config)
with right:
    st.subheader("Likely buyers")
    st.dataframe(
        queries.at_risk(predictions, pairs, "purchase")[shown], hide_index=True, column_config=config
    )
# the models are refitted once a week (fan_prediction_fits): say which fit the AUCs are the back-test of
prediction_metrics = frames["prediction_metrics"]
fitted = prediction_metrics["fitted_as_of"].dropna()
fit_of = (
    f" (the back-test of the models fitted on data to {fitted.max():%Y-%m-%d}; refitted once per "
    "ml_fit_cadence_days, a week by default)"
    if len(fitted)
    else ""
)
st.caption(
    f"Probabilities of the current score rows of fan_predictions; test-split AUC beside the baselines{fit_of}: "
    + "; ".join(
        f"{r.task} {r.model_name} {ui.number(r.auc, 3)}"
        for r in prediction_metrics.itertuples()
        if r.split == "test"
    )
)

st.subheader("Similar fans")
by_revenue = in_page.sort_values(["revenue", "fan_model_key"], ascending=[False, True])["fan_model_key"]
fan = st.selectbox("Fan-model pair", list(by_revenue), key="fan")
if fan:
    similar = queries.similar_fans(data, fan, k=10, method=method)
    st.dataframe(
        similar,
        hide_index=True,
        width="stretch",
        column_config={
            "revenue": st.column_config.NumberColumn("revenue", format="dollar"),
            "cosine_similarity": st.column_config.NumberColumn("cosine similarity", format="%.3f"),
        },
    )

st.subheader("Best time to message")
if frames["windows"] is None:
    st.info("fan_message_windows is not built in this warehouse yet: run `make demo` (dbt build).")
else:
    windows = queries.message_windows(frames["windows"], in_page)
    chosen = windows[windows["fan_model_key"] == fan]
    if not chosen.empty:  # the fan chosen under Similar fans
        st.markdown(ui.fan_window(chosen.iloc[0]))
    if windows.empty:
        st.info("No fan-model pair here has a message window (no chatter message to fit one on).")
    else:
        st.dataframe(
            windows if one_page is None else windows.drop(columns=["page_key"]),
            hide_index=True,
            width="stretch",
            column_config={
                "fan_window": st.column_config.TextColumn("fan's window"),
                "window_rate": st.column_config.NumberColumn("response rate", format="percent"),
                "fit_messages": st.column_config.NumberColumn("messages fitted on"),
                "creator_window": st.column_config.TextColumn("creator's window"),
                "creator_window_rate": st.column_config.NumberColumn("creator's rate", format="percent"),
                "revenue": st.column_config.NumberColumn("revenue", format="dollar"),
            },
        )
    st.caption(
        "Page-local hours; the window's last hour is inside it, and it may wrap midnight. Each hour's "
        "response rate is shrunk to the fan's segment (bought / never bought) and then to the creator: "
        "a window fitted on few messages is mostly the segment's and the creator's hours."
    )
    if frames["timing"] is not None:
        st.caption(ui.timing_backtest(frames["timing"], ui.load(lambda: queries.timing_holdout_days(data))))

st.subheader("Introductions to other creators")
intros = None if frames["cross_sell"] is None else queries.introductions(frames["cross_sell"], one_page)
if intros is None:
    st.info("fan_cross_sell is not built in this warehouse yet: run `make demo` (dbt build).")
elif frames["cross_sell"].empty:
    st.info(
        "No introduction to suggest: fan_cross_sell is empty (it needs fans active with one creator "
        "only and similar fans who talk to two or more creators)."
    )
elif intros.empty:
    st.info(f"No introduction to suggest for the fans of {page}.")
else:
    columns = [
        "fan_model_key",
        *(["page_key"] if one_page is None else []),
        "candidate_page_key",
        "value_per_introduction",
        "value_ci_low",
        "value_ci_high",
        "similar_fans",
        "mean_similarity",
        "candidate_rank",
    ]
    st.dataframe(
        intros[columns],
        hide_index=True,
        width="stretch",
        column_config={
            "candidate_page_key": st.column_config.TextColumn("introduce to"),
            "value_per_introduction": st.column_config.NumberColumn(
                "value per introduction", format="dollar"
            ),
            "value_ci_low": st.column_config.NumberColumn("95 % low", format="dollar"),
            "value_ci_high": st.column_config.NumberColumn("95 % high", format="dollar"),
            "similar_fans": st.column_config.NumberColumn("similar fans"),
            "mean_similarity": st.column_config.NumberColumn("mean similarity", format="%.3f"),
            "candidate_rank": st.column_config.NumberColumn("rank for the fan"),
        },
    )
    st.caption(
        "For each fan active with one creator only: value per introduction = the mean revenue, with "
        "that creator, of his most similar fans (Method B embeddings, among fans of two or more "
        "creators) who talk to it, shrunk toward what all of the creator's fans of two or more "
        "creators spend, as far as a few similar fans are noise; 95 % interval, low end floored at "
        "$0. Those fans chose the creator themselves and an introduced fan may spend less: read it "
        "as an upper guide."
    )
