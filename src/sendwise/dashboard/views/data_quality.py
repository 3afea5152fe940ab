"""Data quality: did every raw row land somewhere, and which pages can be scheduled?"""

import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Data quality",
    "Data engineers: raw = clean + rejected per source, the rejected rows by reason, and each page's "
    "data-quality score (quarantine_reconciliation, rejected_rows, data_quality_by_page)",
)
frames = ui.load(lambda: queries.data_quality(data))

recon, by_reason, pages = frames["reconciliation"], frames["by_reason"], frames["pages"]
cols = st.columns(4)
cols[0].metric("Sources reconciled", f"{int(recon['is_reconciled'].sum())} of {len(recon)}")
cols[1].metric("Rejected rows", f"{int(recon['rejected_rows'].sum()):,}")
cols[2].metric("Schedulable pages", f"{int(pages['is_schedulable'].sum())} of {len(pages)}")
cols[3].metric("Lowest data-quality score", ui.number(pages["data_quality_score"].min(), 1))
if not recon["is_reconciled"].all():
    st.error(
        "Some sources do not reconcile: " + ", ".join(recon.loc[~recon["is_reconciled"], "source_table"])
    )

st.subheader("Raw = clean + rejected, per source")
st.dataframe(
    recon.assign(check=recon["raw_rows"] - recon["clean_rows"] - recon["rejected_rows"]),
    hide_index=True,
    width="stretch",
    column_config={"check": st.column_config.NumberColumn("raw - clean - rejected", format="%d")},
)

st.subheader("Rejected rows by reason")
with st.sidebar:
    sources = ["(all sources)", *sorted(by_reason["source_table"].unique())]
    source = st.selectbox("Source", sources, key="source")
reasons = by_reason if source == "(all sources)" else by_reason[by_reason["source_table"] == source]
st.altair_chart(
    ui.bar(
        reasons.assign(reason=reasons["source_table"] + ": " + reasons["rejection_reason"]),
        "reason:N",
        "rejected_rows:Q",
        "Source: reason",
        "Rejected rows",
        y_format=",d",
    ),
    width="stretch",
)

st.subheader("Data-quality score per page")
st.altair_chart(
    ui.bar(
        pages, "page_key:N", "data_quality_score:Q", "Page", "Data-quality score (0-100)", y_format=",.0f"
    ),
    width="stretch",
)
st.dataframe(
    pages,
    hide_index=True,
    width="stretch",
    column_config={
        "completeness": st.column_config.NumberColumn("completeness", format="percent"),
        "validity": st.column_config.NumberColumn("validity", format="percent"),
        "freshness": st.column_config.NumberColumn("freshness", format="percent"),
    },
)
