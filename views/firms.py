"""Firms page: any firm in the graph, found by name, id or registration number, or picked from the firms a
finding names (ranked by their strongest finding); for a firm, all the findings about it (and about the
tenders it bid in) — or plainly none —, its bidding by year and category, the officials who inspected it or
decided its approvals, and the phones, addresses and people it shares with other firms. A link's ``?open=``
naming a firm no finding names opens it through the search."""

from __future__ import annotations

import streamlit as st

from graph import app_queries
from graph.db import GraphError, GraphUnavailable
from views.common import (
    OPEN_PARAM,
    currency_in_header,
    detector_label,
    kind_label,
    link_to,
    link_to_finding,
    load,
    md,
    money_column,
    record_select,
    require_database,
    score_column,
    show_table,
    status_label,
)

#: the most firms a search lists
SEARCH_LIMIT = 25


def _searched() -> None:
    """``on_change`` of the search box: the address's ``?open=`` named the firm shown before the search; left
    there, the results (or the list, the search cleared) would say that firm is not among them. A pick puts
    the new one there (views.common.record_select)."""
    st.query_params.pop(OPEN_PARAM, None)


def _in_graph(firm_id: str) -> bool:
    """Whether a firm of this id exists (through the search, cached)."""
    try:
        return firm_id in set(load(app_queries.firm_search, firm_id, limit=SEARCH_LIMIT)["firm_id"])
    except GraphError:
        return False


require_database()
st.title("Firms")

flagged = load(app_queries.firms_flagged)
wanted = st.query_params.get(OPEN_PARAM)
if wanted is not None and st.session_state.get("firm_search__link") != wanted:
    st.session_state["firm_search__link"] = wanted  # applied once, as record_select applies a link
    # a firm no finding names is not in the list: the link opens it through the search, when it is in the graph
    if wanted not in set(flagged["firm_id"]) and not str(st.session_state.get("firm_search") or "").strip() \
            and _in_graph(wanted):
        st.session_state["firm_search"] = wanted
typed = st.text_input("Open any firm: search by name, id or registration number", key="firm_search",
                      placeholder="e.g. Jade Construction, F0012, 91110108MA01", on_change=_searched)
if typed.strip():
    try:
        found = load(app_queries.firm_search, typed, limit=SEARCH_LIMIT)
    except GraphUnavailable as error:
        st.error(f"The search could not reach Neo4j: {md(error)}")
        st.stop()
    except GraphError:  # the server refused the query (fulltext_query keeps it small): words, not a traceback
        st.warning("The search could not be run on what was typed. Try fewer or shorter words, a name or an id.")
        st.stop()
    if found.empty:
        st.info(f"No firm's name, id or registration number matches “{md(typed.strip())}”. Clear the search to "
                "list the firms a finding names.")
        st.stop()
    st.caption((f"The first {SEARCH_LIMIT} firms found, best match first: type more of the name to narrow them."
                if len(found) >= SEARCH_LIMIT else f"{len(found)} firms found, best match first.")
               + " Clear the search to list the firms a finding names.")
    show_table(found, hide_index=True, width="stretch", key="firm_search_results",
               height=min(38 * (len(found) + 1), 260), column_config={
                   "firm_id": "id", "reg_no": "registration number",
                   "findings": st.column_config.NumberColumn("findings naming it", format="%d")})
    names = dict(zip(found["firm_id"], found["name"], strict=True))
    firm_id = record_select("firms", "Firm found", list(names), "firm_search_pick",
                            lambda f: f"{names[f]} ({f})", lambda f: {"firm_id": f})
else:
    firms = flagged
    if firms.empty:
        st.info("No finding names a firm yet. Run the detectors with `python -m detectors run`, or search for a "
                "firm above.")
        st.stop()
    st.caption(f"{len(firms)} firms named by a finding: a ring member, or the subject of an official–firm pair, "
               "linked bidders or red flags. Ranked by their strongest finding. Search above for any other firm.")
    show_table(firms[["firm_id", "name", "top_score", "findings", "by_kind"]], hide_index=True, width="stretch",
               key="firms_table", column_config={"firm_id": "id", "top_score": score_column("strongest finding"),
                                                 "by_kind": "findings by kind"})
    names = dict(zip(firms["firm_id"], firms["name"], strict=True))
    firm_id = record_select("firms", "Firm", list(names), "firm_pick", lambda f: f"{names[f]} ({f})",
                            lambda f: {"firm_id": f})
st.markdown(f"### {md(names[firm_id])} ({md(firm_id)})")

findings = load(app_queries.firm_findings, firm_id)
if findings.empty:
    st.info("No finding names this firm, and none concerns a tender it bid in: no detector has flagged it. "
            "Its bidding and ties are below.")
else:
    if findings["how"].str.startswith("bid in ").all():
        st.caption("No finding names this firm itself: those below are about tenders it bid in.")
    st.markdown("**Findings about this firm and the tenders it bid in** — open a ring on Rings, a pair on "
                "Closeness, a tender on Tenders, linked bidders on Cases (drawn there with their tenders and bids); "
                "triage them there or on Cases")
    shown_findings = findings.assign(kind=findings["kind"].map(kind_label),
                                     detector=findings["detector"].fillna("").map(detector_label),
                                     status=findings["status"].map(status_label))
    show_table(shown_findings, hide_index=True, width="stretch", key=f"firm_findings_{firm_id}",
               column_config={"finding_id": "finding", "score": score_column(),
                              "how": "how it concerns the firm", "explanation": "what was found"})
    with st.expander(f"Open a finding on its page ({len(findings)})"):
        for row in findings.head(20).itertuples():
            link_to_finding(row.finding_id, row.kind, md(kind_label(row.kind)))

activity = load(app_queries.firm_activity, firm_id)
if activity.empty:
    st.caption("No bids recorded for this firm.")
else:
    cols = st.columns(4)
    tenders, won = int(activity["tenders"].sum()), int(activity["won"].sum())
    cols[0].metric("Tenders bid in", tenders)
    cols[1].metric("Bids", int(activity["bids"].sum()))
    cols[2].metric("Tenders won", won)
    cols[3].metric("Win share", f"{100 * won / tenders:.0f} %" if tenders else "—")
    st.markdown("**Bidding by year and category**")
    currency, activity = currency_in_header(activity, "amount_awarded")
    show_table(activity.fillna({"category": "(none)"}), hide_index=True, width="stretch",
               key=f"firm_activity_{firm_id}", column_config={
                   "year": st.column_config.NumberColumn("year", format="%d"),
                   "tenders": "tenders bid in", "won": "tenders won",
                   "amount_awarded": money_column("amount awarded", currency),
                   "won_without_amount": st.column_config.NumberColumn("won, no amount recorded")})

supervisors = load(app_queries.firm_officials, firm_id)
if supervisors.empty:
    st.caption("No inspections or approvals recorded for this firm.")
else:
    st.markdown("**Officials who inspected it or decided its approvals** — the pair on Closeness where a finding "
                "names it")
    show_table(supervisors, hide_index=True, width="stretch", key=f"firm_officials_{firm_id}", column_config={
        "official_id": "official id", "passed": "inspections passed",
        "approvals": "approvals decided",
        "median_approval_days": st.column_config.NumberColumn("median approval days", format="%.1f")})
    with st.expander(f"Open one of them on Officials ({len(supervisors)})"):
        for row in supervisors.head(20).itertuples():
            link_to("officials", row.official_id, f"{md(row.official)} ({md(row.official_id)}), {md(row.department)}")

ties = load(app_queries.firm_identifiers, firm_id)
st.markdown("**Phones, e-mails, addresses and people** — and the other firms that share each")
if ties.empty:
    st.caption("None recorded.")
else:
    show_table(ties.assign(shared_with=ties["shared_with"].map(lambda ids: ", ".join(sorted(ids))[:200]),
                           officials=ties["officials"].map(lambda tied: ", ".join(tied)[:200])),
               hide_index=True, width="stretch", key=f"firm_ties_{firm_id}", column_config={
                   "via": "phone, e-mail, address or person", "shared_with": "other firms sharing it",
                   "other_firms": st.column_config.NumberColumn("how many", format="%d"),
                   "officials": "officials tied to it (a relative's relation)"})
