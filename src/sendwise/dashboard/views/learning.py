"""Learning audit: what did auto-tuning set for each page, and why did it change?"""

import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Learning audit",
    "Account managers approving auto-tuning: each page's learned weights and knobs now, every change "
    "in words, and what changed in the last 7 days (page_personalization_weights, page_knobs, "
    "learning_changelog, personalization_weights_changelog)",
)
frames = ui.load(lambda: queries.learning(data))

pages = sorted(set(frames["weights"]["page_key"]) | set(frames["knobs"]["page_key"]))
with st.sidebar:
    page = ui.page_filter(["(all pages)", *pages])
    days = st.slider("'Recent' means the last ... days", 1, 28, 7, key="days")


def for_page(frame):
    return frame if page == "(all pages)" else frame[frame["page_key"] == page]


recent_knobs = queries.changes_since(for_page(frames["knob_changes"]), as_of, days)
recent_weights = queries.changes_since(for_page(frames["weight_changes"]), as_of, days)
cols = st.columns(4)
cols[0].metric(f"Knob changes, last {days} days", f"{len(recent_knobs):,}")
cols[1].metric(f"Weight changes, last {days} days", f"{len(recent_weights):,}")
cols[2].metric("Knob changes on record", f"{len(for_page(frames['knob_changes'])):,}")
cols[3].metric("Weight changes on record", f"{len(for_page(frames['weight_changes'])):,}")

st.subheader("Now")
st.markdown("**Personalization weights**")
st.dataframe(
    for_page(frames["weights"]),
    hide_index=True,
    width="stretch",
    column_config={"exploration_rate": st.column_config.NumberColumn("exploration rate", format="percent")},
)
st.markdown("**Knobs**")
st.dataframe(for_page(frames["knobs"]), hide_index=True, width="stretch")

st.subheader(f"What changed in the last {days} days")
changes = [
    f"- **{row.page_key}** {row.knob}: {row.old_value} → {row.new_value} ({row.computed_at:%Y-%m-%d}): {row.reason}"
    for row in recent_knobs.itertuples()
] + [
    f"- **{row.page_key}** weight {row.weight_name}: {row.old_value} → {row.new_value}"
    f" ({row.computed_at:%Y-%m-%d}): {row.reason}"
    for row in recent_weights.itertuples()
]
st.markdown("\n".join(changes[:200]) if changes else "Nothing changed in this period.")

st.subheader("Changelog")
st.dataframe(for_page(frames["knob_changes"]), hide_index=True, width="stretch")
st.dataframe(for_page(frames["weight_changes"]), hide_index=True, width="stretch")
