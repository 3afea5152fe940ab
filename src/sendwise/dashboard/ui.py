"""Formatting and the shared parts of every page: the reader (cached on the data's version), the
header with the data's as_of and build time, page and week filters, and Altair charts with axis
titles."""

from __future__ import annotations

import math

import pandas as pd

from sendwise.dashboard.queries import MissingMart, Reader, build_stamp, built_at, data_as_of


def money(value) -> str:
    """$1,234.56 (negative: -$1,234.56); an empty string for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    value = float(value)
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def pct(value, digits: int = 1, sign: bool = False) -> str:
    """A share as a percentage: 0.1234 -> '12.3 %' (sign: '+12.3 %', for a change); 'n/a' when
    missing."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{100 * float(value):{'+' if sign else ''}.{digits}f} %"


def number(value, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{float(value):,.{digits}f}"


def fan_window(row) -> str:
    """One fan's message window in words, from a queries.message_windows row."""
    return (
        f"**{row['fan_model_key']}**: message between **{row['fan_window']}** (page-local), response "
        f"rate {pct(row['window_rate'])}, fitted on {number(row['fit_messages'])} of the pair's messages "
        f"({str(row['segment']).replace('_', ' ')} segment); the creator's window: {row['creator_window']} "
        f"({pct(row['creator_window_rate'])})."
    )


def timing_backtest(evaluation: pd.DataFrame, holdout_days: float | None = None) -> str:
    """fan_timing_evaluation in words: the response rate inside the fans' windows against outside
    them and inside the creator's window, each lift with its 95 % interval."""
    rows = {row["comparison"]: row for row in evaluation.to_dict("records")}
    days = f"the held-out last {holdout_days:g} days" if holdout_days else "the held-out days"
    first = next(iter(rows.values()), None)
    if first is None or not first["messages_a"] or pd.isna(first["messages_a"]):
        return f"Back-test on {days}: no held-out message inside a fan's window yet."
    text = (
        f"Back-test on {days} (windows fitted on the messages before them, fan_timing_evaluation, "
        f"{number(first['pairs'])} pairs): fans answered {pct(first['rate_a'])} of the "
        f"{number(first['messages_a'])} messages sent inside their window"
    )
    for comparison, where in (
        ("fan_window_vs_outside", "outside it"),
        ("fan_window_vs_creator_window", "inside the creator's window"),
    ):
        if comparison not in rows:
            continue
        row = rows[comparison]
        interval = (
            f"95 % interval {pct(row['lift_ci_low'], sign=True)} to {pct(row['lift_ci_high'], sign=True)}"
            if pd.notna(row["lift_ci_low"]) and pd.notna(row["lift_ci_high"])
            else "no interval: no response in one group"
        )
        text += (
            f"; vs {pct(row['rate_b'])} of {number(row['messages_b'])} {where}: lift "
            f"{pct(row['lift'], sign=True)} ({interval})"
        )
    return text + ". The intervals count each fan-model pair once: a fan's messages share his habits."


# ---- data --------------------------------------------------------------------------------------


def _cached_query():
    import streamlit as st

    @st.cache_data(show_spinner=False, max_entries=256)
    def run(key: str, version: str, sql: str) -> pd.DataFrame:
        return _warehouse(key).query(sql)

    return run


_WAREHOUSES: dict[str, object] = {}
_CACHE = None


def _warehouse(key: str):
    return _WAREHOUSES[key]


def reader() -> Reader:
    """The Reader of the configured warehouse ($SENDWISE_TARGET / $SENDWISE_DUCKDB_PATH), its
    queries cached per (warehouse, data version, SQL)."""
    global _CACHE
    from sendwise.dashboard.warehouse import open_warehouse

    warehouse = open_warehouse()
    _WAREHOUSES.setdefault(warehouse.key, warehouse)
    if _CACHE is None:
        _CACHE = _cached_query()
    return Reader(_WAREHOUSES[warehouse.key], cache=_CACHE)


def cached_playbook(data: Reader, method: str) -> str | None:
    """sendwise fan-report's playbook markdown, cached per (database, data version, method)."""
    import streamlit as st

    from sendwise.dashboard.queries import playbook_markdown

    @st.cache_data(show_spinner="Reading the chat messages...", max_entries=8)
    def build(key: str, version: str, method: str) -> str | None:
        return playbook_markdown(Reader(_warehouse(key)), method)

    return build(data.warehouse.key, data.warehouse.version(), method)


def page(title: str, question: str) -> tuple[Reader, pd.Timestamp | None]:
    """The page's title, the question it answers and the header line: the oldest as_of and
    built_at of the marts the page reads (their build stamp; site.marts_read), so a mart a failed
    build left behind shows; stops the page with one clear message when the warehouse cannot be
    read."""
    import streamlit as st

    from sendwise.dashboard.site import marts_read
    from sendwise.dashboard.warehouse import WarehouseError

    st.title(title)
    st.caption(question)
    try:
        data = reader()
        stamp = build_stamp(data, marts_read(title))
        if stamp is None:  # a build from before the stamp
            as_of, built = data_as_of(data), built_at(data)
        else:
            as_of, built = stamp.as_of, stamp.built_at
    except (WarehouseError, MissingMart) as exc:
        st.error(str(exc))
        st.stop()
    where = data.warehouse.path.name if data.engine == "duckdb" else data.warehouse.key
    of_marts = f" (oldest of {stamp.marts} marts)" if stamp is not None and stamp.marts > 1 else ""
    st.markdown(
        f"**Data as of** {as_of:%Y-%m-%d %H:%M} UTC · **built** {built:%Y-%m-%d %H:%M} UTC{of_marts} · "
        f"{data.engine}: `{where}`"
        if as_of is not None and built is not None
        else f"**Data as of** unknown · {data.engine}: `{where}`"
    )
    if stamp is not None and stamp.older:
        st.warning(
            f"{', '.join(stamp.older)}: from an earlier build than the page's other marts (an older "
            "as_of): the last build did not rebuild them (it failed or did not select them)."
        )
    return data, as_of


def load(read):
    """read() - the page's frames - or, when a mart it needs is not built, one warning and the
    page stops there (an error when two builds' schemas hold it: sendwise.schemas)."""
    import streamlit as st

    from sendwise.dashboard.warehouse import WarehouseError

    try:
        return read()
    except MissingMart as exc:
        st.warning(str(exc))
        st.stop()
    except WarehouseError as exc:
        st.error(str(exc))
        st.stop()


def page_filter(options: list[str], label: str = "Page", key: str = "page", labels: dict | None = None):
    import streamlit as st

    if not options:
        st.info("No page has data here yet.")
        st.stop()
    return st.selectbox(
        label, options, key=key, format_func=(lambda v: labels.get(v, v)) if labels else (lambda v: v)
    )


# ---- charts ------------------------------------------------------------------------------------


def bar(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str, y_format: str = ",.2f", color=None):
    import altair as alt

    encoding = {
        "x": alt.X(x, title=x_title, sort=None, axis=alt.Axis(labelAngle=-30, labelLimit=220)),
        "y": alt.Y(y, title=y_title, axis=alt.Axis(format=y_format)),
        "tooltip": [x, alt.Tooltip(y, format=y_format)],
    }
    if color:
        encoding["color"] = alt.Color(color, title=color.replace("_", " "))
        encoding["xOffset"] = color
    return alt.Chart(frame).mark_bar().encode(**encoding)


def line(
    frame: pd.DataFrame, x: str, y: str, color: str, x_title: str, y_title: str, y_format: str = "$,.0f"
):
    import altair as alt

    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(x, title=x_title),
            y=alt.Y(y, title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color(color, title=None),
            tooltip=[x, color, alt.Tooltip(y, format=y_format)],
        )
    )


def scatter(
    frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str, color=None, tooltip=None, fmt="$,.0f"
):
    import altair as alt

    encoding = {
        "x": alt.X(x, title=x_title, axis=alt.Axis(format=fmt)),
        "y": alt.Y(y, title=y_title, axis=alt.Axis(format=fmt)),
        "tooltip": tooltip or [x, y],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " "))
    return alt.Chart(frame).mark_circle(size=18, opacity=0.6).encode(**encoding)
