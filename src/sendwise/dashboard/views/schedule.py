"""Weekly schedule: is this page's week ready to approve, and what exactly goes out when?"""

import streamlit as st

from sendwise.dashboard import queries, ui

data, as_of = ui.page(
    "Weekly schedule",
    "Account managers: is each page's week ready to approve, and what goes out when? "
    "(weekly_template_7d, weekly_template_days, weekly_template_qc_violations)",
)
sends, days, violations = ui.load(lambda: queries.schedule(data))

current_week = sends["generated_for_as_of"].max()
statuses = queries.page_statuses(sends[sends["generated_for_as_of"] == current_week], days, violations)
labels = dict(zip(statuses["page_key"], statuses["page_name"], strict=True))
with st.sidebar:
    page = ui.page_filter(list(statuses["page_key"]), labels=labels)
    weeks = sorted(set(sends.loc[sends["page_key"] == page, "generated_for_as_of"]), reverse=True)
    week = st.selectbox(
        "Week (plan generated for as_of)", weeks, key="week", format_func=lambda w: f"{w:%Y-%m-%d %H:%M}"
    )

page_sends = sends[(sends["page_key"] == page) & (sends["generated_for_as_of"] == week)]
is_current = bool(weeks) and week == weeks[0]
page_days = days[days["page_key"] == page] if is_current else days.iloc[0:0]
page_violations = violations[violations["page_key"] == page] if is_current else violations.iloc[0:0]
if not is_current:
    st.info(
        "An earlier week from weekly_plan_history: quotas and QC rows are kept for the current week only."
    )
status = statuses.set_index("page_key").loc[page]

cols = st.columns(4)
cols[0].metric("Planned sends", f"{len(page_sends):,}")
cols[1].metric("Expected weekly revenue", ui.money(page_sends["expected_revenue"].sum()))
cols[2].metric("Tier-1 QC violations", f"{int(status['tier1'])}")
cols[3].metric("Status", str(status["status"]).split(" (")[0])
if str(status["status"]) != "OK":
    (st.error if str(status["status"]).startswith(("BLOCKED", "NO TEMPLATE")) else st.warning)(
        f"{labels.get(page, page)}: {status['status']}"
    )

st.subheader("The week")
calendar = queries.schedule_calendar(page_sends, page_violations)
if calendar.empty:
    st.info("No sends planned for this page this week.")
else:
    st.caption(
        "Each slot: local time, price → expected revenue (confidence), QC marks, caption; every field below."
    )
    for column, day in zip(st.columns(len(calendar.columns)), calendar.columns, strict=True):
        column.markdown(f"**{day}**")
        for cell in calendar[day]:
            if cell:
                column.caption(cell)
st.download_button(
    "Download the operators' CSV",
    data=queries.schedule_csv(page_sends),
    file_name=f"{page}.csv",
    mime="text/csv",
    key="csv",
)

with st.expander("Every send of the week"):
    st.dataframe(
        page_sends[
            [
                "plan_date",
                "send_local_at",
                "message_type",
                "price",
                "expected_revenue",
                "expected_revenue_low",
                "expected_revenue_high",
                "confidence",
                "content_category",
                "caption_text",
                "strategy_note",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "plan_date": st.column_config.DateColumn("plan day"),
            # the send's own local date and time (after midnight of a window past midnight: the next date)
            "send_local_at": st.column_config.DatetimeColumn("local time", format="ddd MM-DD HH:mm"),
            "price": st.column_config.NumberColumn("price", format="dollar"),
            "expected_revenue": st.column_config.NumberColumn("expected", format="dollar"),
            "expected_revenue_low": st.column_config.NumberColumn("low", format="dollar"),
            "expected_revenue_high": st.column_config.NumberColumn("high", format="dollar"),
        },
    )

st.subheader("Strategic report")
report = queries.strategy_report(data, page) if is_current else None
if report:
    st.markdown(report)
else:
    st.info("No strategic report for this page and week (page_strategy_reports).")

st.subheader("Days: quota, fit and shortfall")
st.dataframe(
    page_days[["plan_date", "daily_quota", "fit_sends", "planned_sends", "shortfall", "shortfall_reason"]],
    hide_index=True,
    width="stretch",
)

st.subheader("QC violations")
if page_violations.empty:
    st.success("No QC violation for this page.")
else:
    st.dataframe(
        page_violations[["tier", "rule_id", "plan_date", "slot_number", "observed", "limit_value", "detail"]],
        hide_index=True,
        width="stretch",
    )

st.subheader("Every page")
st.dataframe(
    statuses.drop(columns=["page_key"]),
    hide_index=True,
    width="stretch",
    column_config={
        "page_name": "Page",
        "sends": st.column_config.NumberColumn("Sends", format="%d"),
        "expected_revenue": st.column_config.NumberColumn("Expected revenue", format="dollar"),
        "tier1": "Tier 1",
        "tier2": "Tier 2",
        "tier3": "Tier 3",
        "status": "Status",
    },
)
