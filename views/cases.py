"""Cases page: every ring, official–firm pair, linked-bidders, risky-tender and red-flag finding is a case with a status,
an assignee and comments; each change is an append-only CaseEvent (who, when). A ring or a group of linked bidders is
drawn with its tenders and bids, as on the Rings page (linked bidders have no page of their own)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from graph import app_queries
from graph.app_queries import CASE_KINDS, TRIAGE_STATUSES
from views.common import (
    current_user,
    kind_label,
    link_to,
    linked,
    load,
    md,
    record_select,
    require_database,
    score_column,
    show_facts,
    show_table,
    status_label,
    triaged,
    without_weak,
)
from views.firm_group import show_firm_group
from views.triage import triage_panel

GROUP_KINDS = ("ring", "linked_bidders")  # a group of firms and their tenders: drawn as on the Rings page


def pages_of(kind: str, finding_id: str, subjects: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The pages that show a case in full, as ``(page, record id, link label)``: a ring on Rings, a pair on
    Closeness (and its official and firm), a tender on Tenders, an official on Officials, a firm on Firms."""
    by_label = {label: [s for s in subjects if s.get("label") == label] for label in ("Official", "Firm")}
    links = {"ring": [("rings", finding_id, f"Open ring {md(finding_id)} on Rings")],
             "pair": [("closeness", finding_id, f"Open the pair {md(finding_id)} on Closeness")],
             "tender": [("tenders", finding_id, f"Open {md(finding_id)} on Tenders")]}.get(kind, [])
    if kind in ("pair", "official"):
        links += [("officials", s["id"], f"Official {md(s['name'])} ({md(s['id'])}) on Officials")
                  for s in by_label["Official"][:1]]
    if kind in ("pair", "firm"):
        links += [("firms", s["id"], f"Firm {md(s['name'])} ({md(s['id'])}) on Firms") for s in by_label["Firm"][:1]]
    return links


db = require_database()
st.title("Cases")

filters = st.columns(2)  # the multiselects on a row of their own: five columns cut the chosen kinds off
kinds = filters[0].multiselect("Kinds", CASE_KINDS, default=list(CASE_KINDS), key="cases_kinds",
                               format_func=kind_label)
statuses = filters[1].multiselect("Status", TRIAGE_STATUSES, default=list(TRIAGE_STATUSES), key="cases_status",
                                  format_func=status_label)
filters = st.columns(3)
mine = filters[0].toggle(f"Assigned to me ({current_user()})", key="cases_mine")
new_only = filters[1].toggle("Only new: first found by the latest run", key="cases_new")
inactive = filters[2].toggle("Include findings no longer produced", key="cases_inactive")

cases = load(app_queries.cases, tuple(kinds), include_inactive=inactive)
if cases.empty:
    st.info("No cases: no ring, pair, linked-bidders, tender, red-flag or official-profile findings are stored yet." if inactive else
            "No active cases of these kinds. Switch on “Include findings no longer produced” for older ones.")
    st.stop()
shown = cases[cases["status"].isin(statuses)]
if mine:
    shown = shown[shown["assignee"] == current_user()]
if new_only:
    shown = shown[shown["new"]]
shown = without_weak(shown, "rings and pairs", key="cases_weak",
                     weak_means="scoring no higher than markets without collusion; those already triaged stay listed",
                     keep=triaged(shown) | linked(shown["finding_id"]))
show_table(
    shown.assign(about=shown["about"].map(lambda about: ", ".join(about[:8]) + (" …" if len(about) > 8 else "")),
                 status=shown["status"].map(status_label),
                 kind=shown["kind"].map(kind_label)),
    hide_index=True, width="stretch", key="cases_table", column_config={
        "finding_id": "finding", "score": score_column(), "active": "found by the latest run",
        "first_seen": "first found", "new": "new in the latest run", "events": "case events",
        "last_event_at": "last case event"},
)
if shown.empty:
    st.caption("No case matches the filters.")
    st.stop()

labels = {row.finding_id: f"{row.finding_id} · {kind_label(row.kind)} · score {row.score:.0f} · "
                         f"{status_label(row.status)}"
          for row in shown.itertuples()}
finding_id = record_select("cases", "Case", list(labels), "cases_pick", labels.get, lambda f: {"finding_id": f})
case = app_queries.finding(db, finding_id)
if case is not None:
    st.markdown(f"### {md(finding_id)} ({md(kind_label(case['kind']))})")
    if case.get("explanation"):
        st.markdown(f"> {md(case['explanation'])}")
    subjects = case.get("subjects") or []
    if subjects:
        st.caption("Subjects: " + ", ".join(md(f"{s['label']} {s['name']} ({s['id']})") for s in subjects[:20]))
    for page, record_id, label in pages_of(case["kind"], finding_id, subjects):
        link_to(page, record_id, label)
    if case["kind"] in GROUP_KINDS:
        show_firm_group(finding_id, int(case.get("tenders") or 0), "ring" if case["kind"] == "ring" else "group")
    with st.expander("Every fact behind the score"):
        show_facts(case.get("evidence"), key="case_facts", height="auto",
                   names={s["id"]: s["name"] for s in subjects if isinstance(s, dict)})
    triage_panel(db, finding_id, key="cases")
