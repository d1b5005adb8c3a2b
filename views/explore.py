"""Explore page: find any official, firm, person, tender, department, phone, e-mail or address by
name or key, draw its neighbourhood, and walk the graph: clicking a node adds its neighbours
(a page at a time; "show more" adds the next page)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from graph import app_queries
from graph.app_queries import GraphElements
from graph.db import GraphError, GraphUnavailable
from views.common import load, md, node_key, record_opened, require_database, show_table
from views.graph_view import NODE_CAP, show_graph, with_money

PAGE = 25


def shown_value(value: Any) -> str:
    """A node property as one table cell: a list's items joined, a Neo4j date or time in ISO form."""
    if isinstance(value, (list, tuple)):
        return ", ".join(shown_value(v) for v in value)
    if hasattr(value, "iso_format"):
        return str(value.iso_format())
    return "" if value is None else str(value)

db = require_database()
st.title("Explore")

state = st.session_state
state.setdefault("explore_graph", GraphElements())
state.setdefault("explore_next", {})  # node id → how many neighbours already fetched
state.setdefault("explore_focus", None)


def expand(node_id: str) -> int:
    """Add the next page of ``node_id``'s neighbours to the drawn graph; how many relationships came back."""
    skip = state["explore_next"].get(node_id, 0)
    page = app_queries.neighbours(db, node_id, skip=skip, limit=PAGE)
    state["explore_graph"].add(page)
    state["explore_next"][node_id] = skip + PAGE
    state["explore_focus"] = node_id
    return len(page.edges)


def start_from(node_id: str) -> None:
    found = app_queries.node(db, node_id)
    if found is not None:
        record_opened("explore", chosen=True, **node_key(found["label"], found["props"]))
    state["explore_graph"] = GraphElements()
    state["explore_next"] = {}
    if found is not None:
        state["explore_graph"].add_node(node_id, found["label"], found["props"])
        state["explore_graph"].nodes[node_id].role = "subject"
        expand(node_id)


text = st.text_input("Search by name, title, address, id, registration number, phone or e-mail",
                     key="explore_query", placeholder="e.g. Jade Construction, F0012, 13800138000")
results = None
if text.strip():
    try:
        results = load(app_queries.search, text)
    except GraphUnavailable as error:
        st.error(f"The search could not reach Neo4j: {md(error)}")
    except GraphError:  # the server refused the query (fulltext_query keeps it small): words, not a traceback
        st.warning("The search could not be run on what was typed. Try fewer or shorter words, a name or an id.")
if results is not None:
    if results.empty:
        st.info("Nothing found.")
    else:
        # the record's key beside its name: two officials (firms, persons) of one name are two choices, and
        # the select box tells its options apart by their text alone (the last of a repeated text won)
        keys = [str(next((v for k, v in node_key(label, props).items() if k != "label"), ""))
                for label, props in zip(results["label"], results["props"], strict=True)]
        results = results.assign(key=keys)
        # best match first; the full-text relevance itself is left out: beside the pages' 0–100 risk scores
        # an app review read "1000.0" for an exact id as a score
        shown_results = results[["label", "caption", "key", "degree"]].rename(
            columns={"label": "kind", "caption": "name", "key": "id", "degree": "relationships"})
        show_table(shown_results, hide_index=True, width="stretch", key="explore_results",
                   height=min(38 * (len(results) + 1), 260))
        options = {node_id: f"{label}: {caption}" + (f" ({key})" if key and key != str(caption) else "")
                   for node_id, label, caption, key in zip(results["node_id"], results["label"], results["caption"],
                                                           keys, strict=True)}
        picked = st.selectbox("Start from", list(options), key="explore_pick", format_func=options.get)
        if st.button("Show its neighbourhood", key="explore_start", type="primary"):
            start_from(picked)

graph: GraphElements = state["explore_graph"]
if graph.nodes:
    event = show_graph(graph, key="explore_graph_view", height=560, expandable=True)
    if event is not None and event.node_ids:
        clicked = graph.nodes.get(event.node_ids[0])
        if clicked is not None:
            record_opened("explore", chosen=True, **node_key(clicked.label, clicked.props))
        added = expand(event.node_ids[0])
        if added:
            st.rerun()
    focus = state["explore_focus"]
    if focus in graph.nodes:
        node = graph.nodes[focus]
        details = load(app_queries.node, focus)
        degree = details["degree"] if details else 0
        shown = state["explore_next"].get(focus, 0)
        cols = st.columns([3, 1, 1])
        cols[0].markdown(f"**{md(node.label)}: {md(node.caption)}** — {degree} relationships, "
                         f"{min(shown, degree)} fetched")
        if shown < degree and cols[1].button("Show more", key="explore_more"):
            expand(focus)
            st.rerun()
        if cols[2].button("Clear graph", key="explore_clear"):
            state["explore_graph"] = GraphElements()
            state["explore_next"] = {}
            state["explore_focus"] = None
            st.rerun()
        with st.expander("Properties", expanded=False):
            props = with_money(node.label, node.props)  # a budget or a bid's amount grouped, with its currency
            show_table(pd.DataFrame({"property": list(props),
                                     "value": [shown_value(v) for v in props.values()]}),
                       hide_index=True, width="stretch", key="explore_props")
    if len(graph.nodes) > NODE_CAP:
        st.warning(f"The walk holds {len(graph.nodes)} nodes; only {NODE_CAP} are drawn. Clear the graph and "
                   "start again from a narrower point.")
    st.caption("Click a node to add its neighbours (25 at a time); double-click or the expand button does the "
               "same. Select a node to see its properties in the side panel.")
else:
    st.caption("Search for an entity and show its neighbourhood to start walking the graph.")
