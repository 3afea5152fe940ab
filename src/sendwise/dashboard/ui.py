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


def pct(value, digits: int = 1) -> str:
    """A share as a percentage: 0.1234 -> '12.3 %'; 'n/a' when missing."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{100 * float(value):.{digits}f} %"


def number(value, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{float(value):,.{digits}f}"


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
