"""Overview: which board answers my question?"""

import streamlit as st

from sendwise.dashboard import ui
from sendwise.dashboard.site import PAGES

data, as_of = ui.page("sendwise", "The boards the marts exist for: pick the one that answers your question.")
for page in PAGES:
    st.page_link(page.script, label=page.title, icon=page.icon)
    st.caption(page.question)
