"""Iron Cage — the investigator app: ``streamlit run app.py``.

A thin router: ``st.navigation`` over one module per page in
``views/``. Pages read the graph through :mod:`graph.app_queries` (named queries in
``cypher/app_*.cypher``) and write only triage events. Neo4j is whatever ``NEO4J_*``
points to, else the project's local server (:func:`graph.settings.from_environment`).
"""

import streamlit as st

from views.auth import logout_button, require_login, signed_in
from views.common import start_warm_up

st.set_page_config(page_title="Iron Cage", page_icon=":material/policy:", layout="wide")
start_warm_up()

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/rings.py", title="Rings", icon=":material/group_work:"),
    st.Page("views/tenders.py", title="Tenders", icon=":material/gavel:"),
    st.Page("views/firms.py", title="Firms", icon=":material/domain:"),
    st.Page("views/officials.py", title="Officials", icon=":material/badge:"),
    st.Page("views/closeness.py", title="Closeness", icon=":material/link:"),
    st.Page("views/explore.py", title="Explore", icon=":material/travel_explore:"),
    st.Page("views/console.py", title="Cypher", icon=":material/terminal:"),
    st.Page("views/cases.py", title="Cases", icon=":material/assignment:"),
]
# the page is read from the address before the sign-in, so a link or a bookmark (/firms?open=F12) opens
# its page once signed in, not the Overview; the menu shows only once someone is signed in
page = st.navigation(PAGES, position="sidebar" if signed_in() else "hidden")
require_login()
logout_button()

page.run()
