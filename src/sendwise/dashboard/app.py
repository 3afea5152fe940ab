"""The sendwise dashboard: `sendwise dashboard` (or `make dashboard`) serves it with Streamlit.

Reads the DuckDB file ($SENDWISE_DUCKDB_PATH, default data/sendwise.duckdb) read-only, or the
BigQuery marts when $SENDWISE_TARGET names a BigQuery output of profiles.yml. The overview sits at
the root URL; every other page at its own path (site.PAGES), which the exposures' urls name.
"""

import streamlit as st

from sendwise.dashboard.site import HOME, PAGES

st.set_page_config(page_title="sendwise", page_icon=":material/monitoring:", layout="wide")
navigation = st.navigation(
    [
        st.Page(HOME, title="Overview", icon=":material/home:", default=True),
        *(st.Page(page.script, title=page.title, url_path=page.url_path, icon=page.icon) for page in PAGES),
    ]
)
navigation.run()
