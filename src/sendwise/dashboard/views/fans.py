"""Fans: who are the fans, who is about to leave or buy, and who is like this fan?"""

import streamlit as st

from sendwise.commands.fan_report import choose_method
from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Fans",
    "The chat team: fan clusters in 2D with a playbook per cluster, fans at risk of churn and likely "
    "buyers, and the fans most similar to a chosen fan (fan_clusters, fan_cluster_summary, "
    "fan_predictions, fan_embeddings). Personal data: access-restricted on BigQuery.",
)
frames = ui.load(lambda: queries.fans(data))

pairs = frames["pairs"]
with st.sidebar:
    methods = list(frames["metrics"]["method"])
    best = choose_method(frames["metrics"]) if methods else "B"
    method = st.selectbox("Clustering method", methods, index=methods.index(best) if best in methods else 0)
    page = ui.page_filter(["(all models)", *sorted(pairs["page_key"].unique())], label="Model (page)")

in_page = pairs if page == "(all models)" else pairs[pairs["page_key"] == page]
cols = st.columns(4)
cols[0].metric("Fan-model pairs", f"{len(in_page):,}")
cols[1].metric("Revenue from these fans", ui.money(in_page["revenue"].sum()))
cols[2].metric("Active pairs", ui.pct(in_page["is_active"].astype(float).mean()))
metric = frames["metrics"].set_index("method").loc[method] if method in methods else None
cols[3].metric("Silhouette", ui.number(None if metric is None else metric["silhouette"], 3))

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
if page != "(all models)":
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
st.caption(
    "Probabilities of the current score rows of fan_predictions; test-split AUC beside the baselines: "
    + "; ".join(
        f"{r.task} {r.model_name} {ui.number(r.auc, 3)}"
        for r in frames["prediction_metrics"].itertuples()
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
