"""salesdw dashboard: the router (st.navigation) and the frame around every page.

Run it with `make dashboard` (or `salesdw dashboard`). Pages are thin files in app_pages/: they
read the filters the frame drew, call salesdw.services through dashboard.queries, and draw charts.
The folder is not called pages/: next to the entrypoint, that name switches Streamlit to its
older multipage mode on a process's first run, which opens a page without this frame.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path; the pages import `dashboard.*`
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from dashboard import frame

st.set_page_config(page_title="salesdw", page_icon=":material/monitoring:", layout="wide")

PAGES = Path(__file__).parent / "app_pages"
navigation = st.navigation(
    {
        "Sales": [
            st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:",
                    default=True),
            st.Page(PAGES / "sales.py", title="Sales", icon=":material/trending_up:"),
            st.Page(PAGES / "geography.py", title="Geography", icon=":material/public:"),
            st.Page(PAGES / "products.py", title="Products", icon=":material/inventory_2:"),
        ],
        "Customers": [
            st.Page(PAGES / "customers.py", title="Customers", icon=":material/group:"),
            st.Page(PAGES / "channels.py", title="Channels", icon=":material/campaign:"),
        ],
        "Models": [
            st.Page(PAGES / "forecasts.py", title="Forecasts", icon=":material/query_stats:"),
            st.Page(PAGES / "anomalies.py", title="Anomalies", icon=":material/warning:"),
        ],
        "Data": [
            st.Page(PAGES / "data.py", title="Data", icon=":material/table:"),
            st.Page(PAGES / "import.py", title="Import", icon=":material/upload_file:"),
        ],
    }
)  # fmt: skip

if navigation.url_path == "import":
    # Importing is how an empty warehouse fills: the page needs no data or filters first.
    frame.keep_filters()
    navigation.run()
else:
    options = frame.warehouse()
    st.session_state["salesdw_current_filters"] = frame.sidebar(options)
    navigation.run()
