"""Creator performance & EROS: how is each creator doing, and why does the score say so?"""

import pandas as pd
import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Creator performance & EROS",
    "Account managers: tier, health, saturation and the EROS score with its four components, and "
    "week by week what was planned and earned (creator_performance, eros_score, page_daily_performance)",
)
cards = ui.load(lambda: queries.scorecard(data))
daily = ui.load(lambda: data.mart("page_daily_performance"))

start, end = queries.headline_window(as_of)
agency = queries.headline(daily, start, end)
scores = queries.eros_headline(cards)
st.subheader(f"Agency, local dates {start:%Y-%m-%d} to {end - pd.Timedelta(days=1):%Y-%m-%d}")
cols = st.columns(3)
cols[0].metric("Revenue", ui.money(agency["revenue"]))
cols[1].metric("Sends", ui.number(agency["sends"]))
cols[2].metric("Revenue per send", ui.money(agency["revenue_per_send"]))
cols = st.columns(3)
cols[0].metric("Purchase rate", ui.pct(agency["purchase_rate"], 2))
cols[1].metric("Mean EROS score", ui.number(scores["eros_score"], 2))
cols[2].metric(
    "Plan execution rate",
    ui.pct(scores["plan_execution_rate"]),
    help="Executed planned slots / planned slots over the EROS window; n/a until a planned week has passed.",
)

labels = dict(zip(cards["page_key"], cards["page_name"].fillna(cards["page_key"]), strict=True))
with st.sidebar:
    page = ui.page_filter(list(cards["page_key"]), labels=labels)
card = cards.set_index("page_key").loc[page]

st.subheader(labels[page])
cols = st.columns(5)
cols[0].metric("EROS score", ui.number(card["eros_score"], 2), help=str(card["score_basis"]))
cols[1].metric("Label", str(card["eros_label"] or "no score"))
cols[2].metric("Tier", str(card["creator_tier"]).title())
cols[3].metric("Health", str(card["health_status"]).title(), delta=ui.pct(card["health_change_pct"]))
cols[4].metric(
    "Saturation",
    {"UNDERSATURATED": "Under", "OPTIMAL": "Optimal", "OVERSATURATED": "Over"}.get(
        card["saturation_status"], "not judged"
    ),
    help=f"{card['saturation_status'] or card['saturation_unjudged_reason']}: volume elasticity "
    f"{ui.number(card['volume_elasticity'], 2)} (marginal revenue of a send / average revenue per send)",
)
st.caption(
    f"Score basis: {card['score_basis']}. Prime hours {card['prime_hours'] or 'n/a'}; price range "
    f"{ui.money(card['optimal_price_min'])} to {ui.money(card['optimal_price_max'])} ({card['price_mode']}); "
    f"data quality {ui.number(card['data_quality_score'], 1)}; confidence {ui.pct(card['confidence'], 0)}."
)

components = pd.DataFrame(
    {
        "component": ["revenue per send", "conversion", "execution", "caption diversity"],
        "points": [
            card["rps_component"],
            card["conversion_component"],
            card["execution_component"],
            card["diversity_component"],
        ],
    }
).dropna()
st.altair_chart(
    ui.bar(components, "component:N", "points:Q", "EROS component", "Points (0-100)", y_format=",.0f"),
    width="stretch",
)

st.subheader("Week by week: planned vs earned")
trend = queries.weekly_trend(daily[daily["page_key"] == page])
long = trend.melt(
    id_vars="week", value_vars=["revenue", "expected_revenue"], var_name="series", value_name="dollars"
).replace({"series": {"revenue": "actual revenue", "expected_revenue": "expected revenue (plan)"}})
st.altair_chart(
    ui.line(long.dropna(), "week:T", "dollars:Q", "series", "Week (Monday, page-local)", "Revenue ($)"),
    width="stretch",
)
plans = trend[trend["planned_sends"] > 0]
st.caption(
    f"{len(plans)} week(s) with a plan in weekly_plan_history; actual revenue appears beside the "
    "expectation once the planned week has passed and the next build has run."
)

st.subheader("Every page")
st.dataframe(
    cards[
        [
            "page_name",
            "creator_tier",
            "health_status",
            "saturation_status",
            "eros_score",
            "eros_label",
            "rps_component",
            "conversion_component",
            "execution_component",
            "diversity_component",
            "revenue_per_send",
            "conversion_rate",
            "sends_in_window",
        ]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "page_name": "Page",
        "creator_tier": "Tier",
        "health_status": "Health",
        "saturation_status": "Saturation",
        "eros_score": st.column_config.NumberColumn("EROS", format="%.2f"),
        "eros_label": "Label",
        "rps_component": st.column_config.NumberColumn("RPS pts", format="%.1f"),
        "conversion_component": st.column_config.NumberColumn("Conversion pts", format="%.1f"),
        "execution_component": st.column_config.NumberColumn("Execution pts", format="%.1f"),
        "diversity_component": st.column_config.NumberColumn("Diversity pts", format="%.1f"),
        "revenue_per_send": st.column_config.NumberColumn("Revenue / send", format="dollar"),
        "conversion_rate": st.column_config.NumberColumn("Purchase rate", format="percent"),
        "sends_in_window": st.column_config.NumberColumn("Sends (window)", format="%d"),
    },
)
