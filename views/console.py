"""Cypher console for analysts: a saved query from ``cypher/`` with its parameters, or free Cypher.

Everything runs in a READ transaction with a timeout and a row cap
(:meth:`graph.db.Database.run_read_only`): the database itself refuses CREATE, MERGE, SET,
DELETE, writing procedures and schema changes, and the console says so; what a read transaction
would still run on the server (TERMINATE TRANSACTIONS, LOAD CSV, db.clearQueryCaches …) is
refused from the database's plan of the query before it runs (:func:`graph.db.console_refusal`).
Every query run is appended to the access log (:mod:`views.access_log`) with who ran it, and
its result is shown only once that line is written.
"""

from __future__ import annotations

import json

import streamlit as st

from graph import app_queries
from graph.cypher import all_queries
from graph.db import ConsoleRefused, GraphError
from views import access_log
from views.common import current_user, load, md, require_database, show_table
from views.graph_view import show_graph

TIMEOUT_S = 30.0
ROW_CAP = 5000

db = require_database(allow_empty=True)
st.title("Cypher console")
st.caption(f"Read-only: queries run in a read transaction, stop after {TIMEOUT_S:.0f} s and return at most "
           f"{ROW_CAP} rows. Writes are refused by the database.")

mode = st.radio("Query", ["Saved query", "Free Cypher"], horizontal=True, key="console_mode")
params: dict[str, object] = {}
if mode == "Saved query":
    queries = all_queries()
    saved = {q.name: q for q in queries if app_queries.console_lists(q)}
    # analysts' own queries first, then the app's, the detectors' readers and the rest
    order = sorted(saved, key=lambda n: (not n.startswith("analyst_"), not n.startswith("app_"), n))
    name = st.selectbox("Saved query", order, key="console_saved",
                        format_func=lambda n: f"{n} — {saved[n].description[:90]}")
    chosen = saved[name]
    st.markdown(chosen.description.replace("$", "\\$"))  # "$limit … $x" is a parameter, not LaTeX
    st.caption(f"{len(queries) - len(saved)} saved queries that write (the loaders', the findings store's) are not "
               "listed: this console only reads.")
    declared = app_queries.declared_types(chosen.description)
    examples = app_queries.example_values(chosen.description)
    # an id box starts with an id this database holds where the header's example is not in it (one cached read)
    try:
        ids = load(app_queries.console_ids, tuple(chosen.parameters), tuple(sorted(examples.items())))
    except GraphError:  # the examples alone, as before: a console that cannot prefill still runs queries
        ids = {}
    for parameter in chosen.parameters:
        start, source = ids.get(parameter, (examples.get(parameter, ""), None))
        raw = st.text_input(f"${parameter}", key=f"console_param_{name}_{parameter}", value=start,
                            help="JSON (10, true, null, [\"a\",\"b\"], \"text\") or plain text; a parameter "
                                 "named as an id (firm_id, key) takes what is typed as text")
        if source:
            st.caption(f"{md('$' + parameter)} {md(start)} is {md(source)}.")  # "$…$" would be LaTeX
        params[parameter] = app_queries.console_value(raw, app_queries.parameter_type(parameter, declared))
    text = "\n".join(line for line in chosen.text.splitlines() if not line.lstrip().startswith("//"))
    st.code(text, language="cypher")
else:
    text = st.text_area("Cypher", key="console_text", height=180,
                        value="MATCH (f:Firm)-[:MEMBER_OF]->(r:Ring)\nRETURN r.id AS ring, collect(f.id) AS members\n"
                              "LIMIT 25", help="Write values as parameters ($id, $limit …): a box for each appears below")
    for parameter in app_queries.query_parameters(text):  # values go in as parameters, never into the text
        raw = st.text_input(f"${parameter}", key=f"console_free_param_{parameter}",
                            help="JSON (10, true, null, [\"a\",\"b\"], \"text\") or plain text")
        params[parameter] = value = app_queries.console_value(raw)  # free Cypher: JSON, as typed
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                abs(value) >= 100_000 or app_queries.parameter_type(parameter) == "string"):  # an id?
            st.caption(f"${parameter} goes in as the number {value}; an id is text: write it in "
                       "quotes (\"…\") to match one")

run = st.button("Run", key="console_run", type="primary")
if run and max(len(text), len(json.dumps(params, default=str, ensure_ascii=False))) > access_log.MAX_TEXT:
    # the access log keeps a string up to MAX_TEXT characters: a longer query (a comment padding it
    # out, say) would be on record without the part that ran
    st.session_state.update(console_result=None, console_error=None, console_log_error=None)
    run = False
    st.error(f"Not run: the query and its parameters may each be at most {access_log.MAX_TEXT:,} characters, so "
             "that the access log records them whole.")
if run:
    ran: app_queries.ConsoleResult | None = None
    failure: Exception | None = None
    try:
        ran = app_queries.run_console(db, text, params, timeout_s=TIMEOUT_S, row_cap=ROW_CAP)
    except Exception as error:  # whatever went wrong, the attempt goes on record first
        failure = error
    refused = isinstance(failure, ConsoleRefused) or (isinstance(failure, GraphError)
                                                      and app_queries.is_write_refusal(failure))
    outcome = "ok" if failure is None else "refused" if refused else "failed"
    try:  # every query is on record before its result is shown (views/access_log.py)
        access_log.record(current_user(), "console_query", mode="saved" if mode == "Saved query" else "free",
                          query=name if mode == "Saved query" else text, params=params, outcome=outcome,
                          rows=len(ran.table) if ran is not None else None,
                          truncated=ran.truncated if ran is not None else None,
                          error=str(failure) if failure is not None else None)
    except access_log.AccessLogError as error:
        ran, failure = None, None
        st.session_state["console_log_error"] = error
    else:
        st.session_state["console_log_error"] = None
    st.session_state["console_result"] = ran
    st.session_state["console_error"] = failure
    if failure is not None and not isinstance(failure, GraphError):
        raise failure  # a bug, not a query the database turned down: show it as one

error = st.session_state.get("console_error")
result = st.session_state.get("console_result")
log_error = st.session_state.get("console_log_error")
if log_error is not None:
    st.error(f"The result is not shown: every console query is recorded in the access log, and {md(log_error)}. "
             "Ask the operator to fix the log (IRONCAGE_ACCESS_LOG, or the state folder's access.log).")
elif error is not None:
    if isinstance(error, ConsoleRefused):
        st.error(f"Refused before it ran: this console only reads the graph, and the database's plan of this "
                 f"query does more — {md(error)}.")
    elif isinstance(error, GraphError) and app_queries.is_write_refusal(error):
        st.error("Refused by the database: this console only reads. CREATE, MERGE, SET, DELETE, REMOVE, "
                 "writing procedures, schema changes and LOAD CSV that writes are not allowed here. "
                 f"(Neo4j said: {md(error)})")
    else:
        message = app_queries.console_failure(error, TIMEOUT_S)
        st.error(f"The query failed: {md(message)}")  # may quote values
        if "\n" in message.strip():  # a syntax error's caret points into the line above it: shown as laid out
            st.code(message.strip(), language=None)
elif result is not None:
    st.caption(f"{len(result.table)} rows in {result.seconds:.2f} s"
               + (f" — stopped at the row cap of {ROW_CAP}" if result.truncated else ""))
    tab_table, tab_graph = st.tabs(["Table", f"Graph ({len(result.graph.nodes)} nodes)"])
    with tab_table:
        show_table(app_queries.display_table(result.table),
                     hide_index=True, width="stretch", key="console_table")
        table = result.table
        st.download_button("Download CSV", access_log.on_download(
                               current_user(), "console_csv_export", lambda: app_queries.console_csv(table),
                               rows=len(table), columns=list(map(str, table.columns))),
                           file_name="iron_cage_query.csv", mime="text/csv", key="console_csv", on_click="ignore")
    with tab_graph:
        if result.graph.nodes:
            show_graph(result.graph, key="console_graph", height=500)
        else:
            st.caption("The query returned no nodes or relationships to draw.")
