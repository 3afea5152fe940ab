"""The sendwise dashboard: `sendwise dashboard` (or `make dashboard`) serves it with Streamlit.

Reads the DuckDB file ($SENDWISE_DUCKDB_PATH, default data/sendwise.duckdb) read-only, or the
BigQuery marts when $SENDWISE_TARGET names a BigQuery output of profiles.yml.
"""

import streamlit as st

from sendwise.dashboard.site import PAGES

st.set_page_config(page_title="sendwise", page_icon="📊", layout="wide")
navigation = st.navigation(
    [
        st.Page(page.script, title=page.title, url_path=page.url_path, icon=page.icon, default=index == 0)
        for index, page in enumerate(PAGES)
    ]
)
navigation.run()
