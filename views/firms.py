"""Firms page: every firm a finding names, ranked by its strongest finding; for a firm, all the
findings about it (and about the tenders it bid in), its bidding by year and category, and the
phones, addresses and people it shares with other firms."""

from __future__ import annotations

import streamlit as st

from graph import app_queries
from views.common import load, md, record_select, require_database, score_column, show_table

require_database()
st.title("Firms")

firms = load(app_queries.firms_flagged)
if firms.empty:
    st.info("No finding names a firm yet. Run the detectors with `python -m detectors run`.")
    st.stop()
st.caption(f"{len(firms)} firms named by a finding: a ring member, or the subject of an official–firm pair, "
           "linked bidders or red flags. Ranked by their strongest finding.")
show_table(firms[["firm_id", "name", "top_score", "findings", "by_kind"]], hide_index=True, width="stretch",
             key="firms_table", column_config={"top_score": score_column("strongest finding"),
                                               "by_kind": "findings by kind"})

names = dict(zip(firms["firm_id"], firms["name"], strict=True))
firm_id = record_select("firms", "Firm", list(names), "firm_pick", lambda f: f"{names[f]} ({f})",
                        lambda f: {"firm_id": f})
st.markdown(f"### {md(names[firm_id])} ({md(firm_id)})")

findings = load(app_queries.firm_findings, firm_id)
st.markdown("**Findings about this firm and the tenders it bid in** — open a ring on Rings, a pair on "
            "Closeness, a tender on Tenders, linked bidders on Cases (drawn there with their tenders and bids); "
            "triage them there or on Cases")
show_table(findings, hide_index=True, width="stretch", key=f"firm_findings_{firm_id}",
             column_config={"score": score_column()})

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
    show_table(activity.fillna({"category": "(none)"}), hide_index=True, width="stretch",
                 key=f"firm_activity_{firm_id}", column_config={
                     "year": st.column_config.NumberColumn("year", format="%d"),
                     "amount_awarded": st.column_config.NumberColumn("amount awarded", format="localized"),
                     "won_without_amount": st.column_config.NumberColumn("won, no amount recorded")})

ties = load(app_queries.firm_identifiers, firm_id)
st.markdown("**Phones, e-mails, addresses and people** — and the other firms that share each")
if ties.empty:
    st.caption("None recorded.")
else:
    show_table(ties.assign(shared_with=ties["shared_with"].map(lambda ids: ", ".join(sorted(ids))[:200])),
                 hide_index=True, width="stretch", key=f"firm_ties_{firm_id}")
