"""Caption ranking board: which caption should go out in this hour, and why?"""

import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Caption ranking board",
    "Chatters: the top 3 captions for every slot of the next 24 page-local hours, with the parts of "
    "their score (caption_rankings_top3)",
)
board = ui.load(lambda: queries.ranking_board(data))

with st.sidebar:
    page = ui.page_filter(sorted(board["page_key"].unique()))
    only_active = st.checkbox("Only hours in the page's active window", value=False, key="active")

rows = board[board["page_key"] == page]
if only_active:
    rows = rows[rows["is_in_active_window"].fillna(False).astype(bool)]
best = rows[rows["rn"] == 1]

cols = st.columns(4)
cols[0].metric("Slots ranked", f"{best['slot_local_at'].nunique():,}")
cols[1].metric("Distinct captions in the top 3", f"{rows['caption_id'].nunique():,}")
cols[2].metric("Mean EB purchase probability (rank 1)", ui.pct(best["p_buy_eb"].mean()))
cols[3].metric("Ranking policy", ", ".join(sorted(rows["ranking_policy"].dropna().unique())) or "n/a")

st.subheader("Best caption per hour")
if not best.empty:
    st.altair_chart(
        ui.bar(
            best.assign(hour=best["slot_local_at"].astype(str).str[5:16]),
            "hour:O",
            "score_final:Q",
            "Slot (page-local, MM-DD HH:MM)",
            "Score of the best caption ($ per recipient)",
            y_format="$,.3f",
        ),
        width="stretch",
    )

st.subheader("Top 3 per slot")
st.dataframe(
    rows[
        [
            "slot_local_at",
            "rn",
            "caption_id",
            "caption_text",
            "content_category",
            "p_buy_eb",
            "slot_price",
            "rps_eb_price",
            "se_bonus",
            "style_score",
            "penalty_same_day",
            "penalty_cross_page",
            "score_final",
        ]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "slot_local_at": st.column_config.DatetimeColumn("Slot (local)", format="ddd DD MMM HH:mm"),
        "rn": "Rank",
        "caption_id": st.column_config.NumberColumn("Caption", format="%d"),
        "caption_text": "Caption text",
        "content_category": "Category",
        "p_buy_eb": st.column_config.NumberColumn("EB P(buy)", format="percent"),
        "slot_price": st.column_config.NumberColumn("Price", format="dollar"),
        "rps_eb_price": st.column_config.NumberColumn("EB $/recipient", format="$%.4f"),
        "se_bonus": st.column_config.NumberColumn("Bonus", format="$%.4f"),
        "style_score": st.column_config.NumberColumn("Style", format="$%.4f"),
        "penalty_same_day": st.column_config.NumberColumn("Same-day penalty", format="$%.4f"),
        "penalty_cross_page": st.column_config.NumberColumn("Cross-page penalty", format="$%.4f"),
        "score_final": st.column_config.NumberColumn("Score", format="$%.4f"),
    },
)
st.caption(
    "Score = EB revenue per recipient at the slot's price + bonus + style - penalties (dollars per recipient)."
)
