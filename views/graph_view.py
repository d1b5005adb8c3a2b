"""The one adapter between the app's graphs and the browser (streamlit-cytoscape).

:func:`show_graph` draws a :class:`graph.app_queries.GraphElements`: nodes coloured by
role (ring member, winner, subject…) or label, sized by score, captioned by name, with
their properties in the side panel when selected. It never sends more than ``cap`` nodes
to the browser: the most important nodes are kept (subjects and members first, then by
score and by how connected they are) and a caption says what was left out. Clicks and
expand actions come back as a :class:`GraphEvent`, each reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit_cytoscape import EdgeStyle, Event, NodeStyle, streamlit_cytoscape

from detectors.finding import counted
from graph.app_queries import GraphElements, GraphNode, money_text
from views.common import WORD_JOINER, shown_text

NODE_CAP = 150

#: colour per style group: a role when the page gives one, else the node's label
COLOURS: dict[str, str] = {
    "winner": "#d62728", "member": "#ff7f0e", "subject": "#9467bd", "tender": "#1f77b4",
    "Official": "#9467bd", "Department": "#7f7f7f", "Firm": "#ff7f0e", "Person": "#2ca02c",
    "Tender": "#1f77b4", "Bid": "#aec7e8", "Inspection": "#17becf", "Approval": "#bcbd22",
    "Phone": "#e377c2", "Email": "#e377c2", "Address": "#8c564b", "IP": "#c49c94", "Document": "#c7c7c7",
    "Ring": "#d62728", "Alert": "#d62728", "DetectorRun": "#7f7f7f", "CaseEvent": "#7f7f7f",
}
ICONS: dict[str, str] = {
    "Official": "badge", "Department": "account_balance", "Firm": "business", "Person": "person",
    "Tender": "description", "Phone": "phone", "Email": "email", "Address": "place", "IP": "router",
    "Document": "folder", "Ring": "group", "Alert": "flag", "winner": "business", "member": "business",
    "tender": "description", "Bid": "request_quote", "Inspection": "science", "Approval": "assured_workload",
}
EDGE_COLOURS: dict[str, str] = {"WON": "#d62728", "AWARDED_TO": "#d62728", "BID_IN": "#9ecae1",
                                "RELATED_TO": "#2ca02c", "HAS_PHONE": "#e377c2", "HAS_ADDRESS": "#8c564b",
                                "BIDS_SENT_FROM": "#c49c94", "BIDS_USE_DOCUMENT": "#a0a0a0"}
_RESERVED = {"id", "label", "source", "target", "parent", "caption"}
#: the properties that are sums of money, by label (a relationship's by type): shown grouped, with the currency
#: the node itself records (a bid's or an award's own, a tender's for its budget); a penalty has none recorded
MONEY_PROPS: dict[str, tuple[str, ...]] = {
    "Tender": ("budget",), "Bid": ("amount",), "Lot": ("value",), "Award": ("amount",), "Contract": ("amount",),
    "Inspection": ("penalty",), "AWARDED_TO": ("amount",),
}
_IFRAME_TITLE = "streamlit_cytoscape.component.streamlit_cytoscape"
#: the layout of every graph but a pair's ties: fcose (bundled with the component), made to keep nodes and their names
#: apart. The component's default, cose, piled a ring's members on one another, since each is tied to the same dozens of
#: tenders, and drew the graph as a narrow column (an app review); these settings spread them over the frame's width.
SPREAD_LAYOUT: dict[str, Any] = {
    "name": "fcose", "quality": "proof", "nodeRepulsion": 30000, "idealEdgeLength": 120, "nodeSeparation": 120,
    "nodeDimensionsIncludeLabels": True, "animate": False, "fit": True, "padding": 20,
}
#: edges drawn without a caption: a group's many tender edges, which their colour and the page's heading explain
#: ("red edge: WON"); "bid in" written on each of a ring's hundreds of them hid the members' names
UNCAPTIONED_EDGES = frozenset({"BID_IN", "WON"})


@dataclass(frozen=True)
class GraphEvent:
    action: str  # "tap" (a click on a node) or "expand" (double-click / expand button)
    node_ids: tuple[str, ...]


def _group(node: GraphNode) -> str:
    """Style group: the role when the page gives one (subjects keep their label for the icon), else the label."""
    if node.role == "subject":
        return f"subject {node.label}"
    return node.role or node.label


def _priority(node: GraphNode, degree: dict[str, int]) -> tuple[int, float, int]:
    role_rank = {"subject": 0, "winner": 1, "member": 1}.get(node.role or "", 2)
    return (role_rank, -(node.score or 0.0), -degree.get(node.id, 0))


def cap_graph(graph: GraphElements, cap: int = NODE_CAP) -> tuple[GraphElements, int]:
    """At most ``cap`` nodes (the most important ones) and the edges among them; how many were dropped."""
    if len(graph.nodes) <= cap:
        return graph, 0
    degree: dict[str, int] = {}
    for edge in graph.edges.values():
        degree[edge.source] = degree.get(edge.source, 0) + 1
        degree[edge.target] = degree.get(edge.target, 0) + 1
    kept = sorted(graph.nodes.values(), key=lambda n: _priority(n, degree))[:cap]
    keep_ids = {n.id for n in kept}
    small = GraphElements(
        nodes={n.id: n for n in kept},
        edges={k: e for k, e in graph.edges.items() if e.source in keep_ids and e.target in keep_ids},
    )
    return small, len(graph.nodes) - cap


def to_elements(graph: GraphElements) -> dict[str, list[dict[str, Any]]]:
    """Cytoscape elements: node data holds the caption, the style group and the properties."""
    nodes = []
    for node in graph.nodes.values():
        data: dict[str, Any] = {f"{k}_" if k in _RESERVED else k: _short(v)
                                for k, v in with_money(node.label, node.props).items()}
        data.update({"id": node.id, "label": _group(node), "name": _inert(str(shown_text(node.caption))[:40]), "type": node.label,
                     "_size": 30.0 if node.score is None else float(node.score)})
        if "id_" in data:
            data["node_key"] = data.pop("id_")
        nodes.append({"data": data})
    edges = [{"data": {"id": e.id, "source": e.source, "target": e.target, "label": e.type,
                       **{f"{k}_" if k in _RESERVED else k: _short(v) for k, v in with_money(e.type, e.props).items()},
                       "caption": _inert(str(shown_text(edge_caption(e.type, e.props))))}}
             for e in graph.edges.values()]
    return {"nodes": nodes, "edges": edges}


#: a relationship drawn in words (an app review read RELATED_TO on the edge where the sentence said "sister")
EDGE_WORDS: dict[str, str] = {
    "RELATED_TO": "relative", "SHAREHOLDER_OF": "shareholder", "LEGAL_REP_OF": "legal representative",
    "DIRECTOR_OF": "director", "HAS_PHONE": "phone", "HAS_EMAIL": "e-mail", "HAS_ADDRESS": "address",
    "SUBMITTED": "submitted", "FOR": "bid for", "AWARDED_TO": "awarded to", "WON": "won", "EVALUATED": "evaluated",
    "CONDUCTED": "inspected", "OF": "of", "APPLIED": "applied", "DECIDED": "decided", "WORKS_IN": "works in",
    "ISSUED": "issued", "MANAGED": "managed", "SENT_FROM": "sent from", "USES_DOCUMENT": "document",
    "MEMBER_OF": "member of", "CONCERNS": "concerns", "RESPONSIBLE_FOR": "case officer of",
}


def edge_caption(rel: str, props: Mapping[str, Any]) -> str:
    """What an edge says in words: the recorded relation of a relative ("sibling"), a shareholder's share, the
    amount of an award ("awarded to · 101,000": the edge records no currency, so none is said), else
    :data:`EDGE_WORDS` (the type in lower case with spaces for one not named there)."""
    if rel == "RELATED_TO" and props.get("relation"):
        return str(props["relation"])
    share = props.get("share")
    if rel == "SHAREHOLDER_OF" and isinstance(share, (int, float)) and not isinstance(share, bool):
        return f"shareholder {share:.0%}"
    words = EDGE_WORDS.get(rel, rel.lower().replace("_", " "))
    amount = props.get("amount")
    if rel == "AWARDED_TO" and isinstance(amount, (int, float)) and not isinstance(amount, bool):
        return f"{words} · {money_text(amount, props.get('currency'))}"
    return words


def with_money(kind: str, props: Mapping[str, Any]) -> Mapping[str, Any]:
    """``props`` of a node of label ``kind`` (or a relationship of that type) with its sums of money
    (:data:`MONEY_PROPS`) as text: "101,000 CNY" with the currency it records, "5,000" without one, not
    101000.0."""
    money = [k for k in MONEY_PROPS.get(kind, ()) if isinstance(props.get(k), (int, float))
             and not isinstance(props.get(k), bool)]
    if not money:
        return props
    return {**props, **{k: money_text(props[k], props.get("currency")) for k in money}}


def _short(value: Any) -> Any:
    """A property for the side panel: cut at 200 characters, and inert (:func:`_inert`)."""
    if isinstance(value, (list, dict)):
        value = str(value)
    if isinstance(value, str):
        value = str(shown_text(value))
        return _inert(value[:200] + "…" if len(value) > 200 else value)
    return value


def _inert(text: str) -> str:
    """Record text as the side panel shows it, with no ``<a href>`` it would make a live link of.

    streamlit-cytoscape's info panel writes values as text but rebuilds ``<a … href="http…">…</a>``
    in them as a real link (its ``_appendLinkified``), so a firm registered under such a name
    would put a link in front of the investigator. A word joiner (U+2060, invisible) after every
    ``<`` breaks the match, and the text still reads as typed.
    """
    return text.replace("<", "<" + WORD_JOINER)


def _styles(graph: GraphElements) -> tuple[list[NodeStyle], list[EdgeStyle]]:
    size = {"width": "mapData(_size, 0, 100, 22, 60)", "height": "mapData(_size, 0, 100, 22, 60)",
            "font-size": 10, "text-valign": "bottom", "text-margin-y": 3}
    groups = sorted({_group(n) for n in graph.nodes.values()})
    node_styles = [
        NodeStyle(g, COLOURS.get(g.split(" ")[0], "#555555"), "name", ICONS.get(g.split(" ")[-1]),
                  custom_styles={**size, **({"border-width": 4, "border-color": "#7f0000"} if g == "winner"
                                            else {})})
        for g in groups
    ]
    types = sorted({e.type for e in graph.edges.values()})
    edge_styles = [EdgeStyle(t, EDGE_COLOURS.get(t), None if t in UNCAPTIONED_EDGES else "caption", directed=True,
                             # cytoscape hides a label drawn smaller than its min-zoomed-font-size (10 in the
                             # component): at 8 no edge ever said "sister" or "shareholder 45 %" (an app review)
                             custom_styles={"font-size": 10, "min-zoomed-font-size": 0,
                                            "width": 3 if t == "WON" else 1.5})
                   for t in types]
    return node_styles, edge_styles


def show_graph(
    graph: GraphElements, *, key: str, height: int = 520, cap: int = NODE_CAP, expandable: bool = False,
    layout: str | Mapping[str, Any] = SPREAD_LAYOUT,
) -> GraphEvent | None:
    """Draw ``graph`` (capped); return a new click/expand event once, else None."""
    if not graph.nodes:
        st.caption("Nothing to draw.")
        return None
    shown, dropped = cap_graph(graph, cap)
    node_styles, edge_styles = _styles(shown)
    events = [Event("tap", "tap", "node")] if expandable else []
    # The component asks Streamlit for its frame height once, sometimes before Streamlit listens, and
    # the iframe then stays 0 px high; pin the height we asked for (one graph per page).
    st.markdown(f"<style>iframe[title='{_IFRAME_TITLE}'] {{ height: {height + 10}px !important; }}</style>",
                unsafe_allow_html=True)
    value = streamlit_cytoscape(
        to_elements(shown), layout=layout if isinstance(layout, str) else dict(layout), node_styles=node_styles,
        edge_styles=edge_styles, height=height,
        key=key, node_actions=["expand"] if expandable else [], events=events,
    )
    counts: dict[str, int] = {}
    for node in shown.nodes.values():
        counts[node.label] = counts.get(node.label, 0) + 1
    summary = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    st.caption(f"{counted(len(shown.nodes), 'node')} ({summary}), {counted(len(shown.edges), 'relationship')}"
               + (f"; {dropped} more nodes not drawn (cap {cap})" if dropped else ""))
    return _new_event(key, value)


def _new_event(key: str, value: Any) -> GraphEvent | None:
    """The component keeps returning its last value on every rerun; report each event once."""
    if not isinstance(value, dict) or "action" not in value:
        return None
    seen_key = f"_graph_event_seen_{key}"
    stamp = value.get("timestamp")
    if st.session_state.get(seen_key) == stamp:
        return None
    st.session_state[seen_key] = stamp
    data = value.get("data") or {}
    ids = data.get("node_ids") or ([data["target_id"]] if data.get("target_id") else [])
    return GraphEvent(str(value["action"]), tuple(str(i) for i in ids))
