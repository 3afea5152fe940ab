"""Promo content planner: what promo post to make next, and when to post it?"""

import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Promo content planner",
    "The promo team: the next post to make (Thompson draw over content arms), when to post it (UCB1 "
    "over posting hours), and the predictors beside their baselines (content_next_post_recommendation, "
    "content_model_metrics)",
)
frames = ui.load(lambda: queries.content(data))

arms = frames["arms"]
content_arms = arms[arms["scope"] == "content"]
timing_arms = arms[arms["scope"] == "timing"]
pick = content_arms[content_arms["is_recommended"].fillna(False).astype(bool)]
hour = timing_arms[timing_arms["is_recommended"].fillna(False).astype(bool)]

cols = st.columns(3)
cols[0].metric("Next post: content type", str(pick["content_type"].iloc[0]) if len(pick) else "n/a")
cols[1].metric(
    "Post at (hour)",
    f"{int(hour['posting_hour'].iloc[0]):02d}:00"
    if len(hour) and hour["posting_hour"].notna().iloc[0]
    else "n/a",
)
cols[2].metric(
    "Posterior mean success (chosen type)", ui.pct(pick["posterior_mean"].iloc[0] if len(pick) else None)
)

st.subheader("Content arms")
st.altair_chart(
    ui.bar(
        content_arms,
        "arm_name:N",
        "posterior_mean:Q",
        "Content type",
        "Posterior mean success rate",
        y_format=".0%",
    ),
    width="stretch",
)
config = {
    "posterior_mean": st.column_config.NumberColumn("posterior mean", format="percent"),
    "mean_engagement_rate": st.column_config.NumberColumn("mean engagement", format="percent"),
    "thompson_draw": st.column_config.NumberColumn("Thompson draw", format="%.3f"),
    "ucb_score": st.column_config.NumberColumn("UCB score", format="%.3f"),
}
st.dataframe(
    content_arms.drop(columns=["scope", "posting_hour", "ucb_score"]),
    hide_index=True,
    width="stretch",
    column_config=config,
)

st.subheader("Posting hours")
st.altair_chart(
    ui.bar(timing_arms, "posting_hour:O", "ucb_score:Q", "Posting hour", "UCB1 score", y_format=".2f"),
    width="stretch",
)
st.dataframe(
    timing_arms.drop(columns=["scope", "content_type", "thompson_draw"]),
    hide_index=True,
    width="stretch",
    column_config=config,
)

st.subheader("Predictors vs baselines")
st.dataframe(frames["models"], hide_index=True, width="stretch")
