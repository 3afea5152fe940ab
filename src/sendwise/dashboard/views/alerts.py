"""Ops alerts: is anything wrong that someone must act on?"""

import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page("Ops alerts", "Whoever runs the build: open alerts by severity (ops_alerts)")
alerts = queries.ops_alerts(data)
if alerts is None:
    st.info("No alerts mart yet: ops_alerts is not built in this warehouse.")
    st.stop()

st.metric("Open alerts", f"{len(alerts):,}")
if alerts.empty:
    st.success("No open alert.")
    st.stop()
if "severity" in alerts.columns:
    counts = alerts.groupby("severity", as_index=False).size().rename(columns={"size": "alerts"})
    cols = st.columns(max(len(counts), 1))
    for col, row in zip(cols, counts.itertuples(), strict=False):
        col.metric(f"{row.severity}", f"{row.alerts:,}")
    st.altair_chart(
        ui.bar(counts, "severity:N", "alerts:Q", "Severity", "Open alerts", y_format=",d"), width="stretch"
    )
if "page_key" in alerts.columns:
    with st.sidebar:
        page = ui.page_filter(["(all pages)", *sorted(alerts["page_key"].dropna().unique())])
    if page != "(all pages)":
        alerts = alerts[alerts["page_key"] == page]
st.dataframe(alerts, hide_index=True, width="stretch")
