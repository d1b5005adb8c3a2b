"""Closeness page: ranked official–firm pairs; for a pair, their inspections and approvals against
the official's others, pass rates and approval times against peers, the committees they met on, and any
path of ties, and triage."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from detectors.finding import counted
from graph import app_queries
from views.charts import pair_timeline_figure
from views.common import (
    currency_in_header,
    link_to,
    linked,
    load,
    md,
    money_column,
    record_select,
    require_database,
    score_column,
    show_facts,
    show_table,
    triaged,
    without_weak,
)
from views.graph_view import show_graph
from views.triage import triage_panel

#: the ties drawn left to right, the official at one end and the firm at the other (dagre, bundled with the graph
#: component): breadthfirst drew them as a thin column whose 7 px names could not be read (an app review)
TIES_LAYOUT = {"name": "dagre", "rankDir": "LR", "nodeSep": 30, "rankSep": 140, "fit": True, "padding": 90,
               "animate": False, "nodeDimensionsIncludeLabels": True}

db = require_database()
st.title("Official–firm closeness")

pairs = load(app_queries.pairs)
if pairs.empty:
    st.info("No official–firm pair findings stored. Run the detectors with `python -m detectors run`.")
    st.stop()
pairs = without_weak(pairs, "pairs", key="pairs_weak", keep=triaged(pairs) | linked(pairs["alert_id"]),
                     weak_means="a modest excess in one channel, such as frequent routine work, too little alone")

show_table(
    pairs[["alert_id", "score", "key_facts", "tier", "official_name", "official_id", "firm_name", "firm_id",
           "status"]],  # what scored next to the score: at 1,500 px it sat past the table's right edge
    hide_index=True, width="stretch", key="pairs_table", column_config={
        "alert_id": "finding", "score": score_column(), "official_name": "official", "official_id": "official id",
        "firm_name": "firm", "firm_id": "firm id", "key_facts": "what scored (points)"},
)
labels = {row.alert_id: f"{row.official_name} ({row.official_id}) ↔ {row.firm_name} ({row.firm_id}) — "
                        f"score {row.score:.0f}" for row in pairs.itertuples()}
by_alert = pairs.set_index("alert_id")
alert_id = record_select("closeness", "Pair", list(labels), "pair_pick", labels.get,
                         lambda a: {"finding_id": a, "official_id": by_alert.at[a, "official_id"],
                                    "firm_id": by_alert.at[a, "firm_id"]})
pair = by_alert.loc[alert_id]
official_id, firm_id = pair["official_id"], pair["firm_id"]
if pair["explanation"]:
    st.markdown(f"> {md(pair['explanation'])}")
links = st.columns(2)
with links[0]:
    link_to("officials", official_id, f"Official {md(pair['official_name'])} ({md(official_id)}) on Officials")
with links[1]:
    link_to("firms", firm_id, f"Firm {md(pair['firm_name'])} ({md(firm_id)}) on Firms")

activity = load(app_queries.official_activity, official_id, load(app_queries.activity_range)[1])
if activity.empty:
    st.caption("No inspections or approvals by this official.")
else:
    st.markdown(f"**{md(pair['official_name'])}'s inspections, approvals and evaluated bids over time** — this firm "
                "(red) against the others")
    st.plotly_chart(pair_timeline_figure(activity, firm_id, pair["firm_name"]), key=f"pair_timeline_{alert_id}",
                    width="stretch")

left, right = st.columns(2)
with left:
    st.markdown("**Inspection outcomes** (other officials = everyone else who inspected this firm, any "
                "department; department peers = the official's colleagues). Plain shares and means over every "
                "inspection: the detector's expectations in the facts below also allow for the kinds of "
                "inspection, how strict each official is and how other officials found this firm, so they "
                "differ from these rows.")
    rates = load(app_queries.pair_inspection_rates, official_id, firm_id)
    if rates.empty:
        st.caption("No inspections in this department.")
    else:
        show_table(rates, hide_index=True, width="stretch", key="pair_rates", column_config={
            "pass_rate": st.column_config.NumberColumn("pass rate", format="percent"),
            "fail_rate": st.column_config.NumberColumn("fail rate", format="percent"),
            "mean_penalty": st.column_config.NumberColumn("mean penalty", format="%,.0f")})
with right:
    st.markdown("**Approval decision times** (days from application to decision)")
    times = load(app_queries.pair_approval_times, official_id, firm_id)
    if times.empty:
        st.caption("No decided approvals in this department.")
    else:
        show_table(times, hide_index=True, width="stretch", key="pair_times", column_config={
            "mean_days": st.column_config.NumberColumn("mean days", format="%.1f"),
            "median_days": st.column_config.NumberColumn("median days", format="%.1f")})

dealings = activity[(activity["firm_id"] == firm_id) & (activity["activity"] != "evaluation")] \
    if not activity.empty else activity
if not dealings.empty:
    counted_ = dealings["activity"].value_counts()
    st.markdown(f"**The records behind the counts** — every inspection ({counted_.get('inspection', 0)}) and "
                f"approval ({counted_.get('approval', 0)}) of this firm by {md(pair['official_name'])}, by id: "
                "search an id on Explore, or `MATCH (n {id: $id})` in the Cypher console")
    # the sentence dates an approval by its decision: the day it was applied for alone did not match it
    dealings = dealings.assign(decided=pd.to_datetime(dealings["decided"], errors="coerce"))
    show_table(
        dealings[["activity", "activity_id", "date", "decided", "kind", "outcome", "days", "statutory_days"]],
        hide_index=True, width="stretch", key="pair_records", column_config={
            "activity_id": st.column_config.TextColumn("record id"),
            "date": st.column_config.DateColumn("date (approval: applied)"),
            "decided": st.column_config.DateColumn("decided"),
            "outcome": st.column_config.TextColumn("result / decision"),
            "days": st.column_config.NumberColumn("approval days", format="%d"),
            "statutory_days": st.column_config.NumberColumn("statutory days", format="%d")})

committees = load(app_queries.pair_committee_tenders, official_id, firm_id)
if not committees.empty:
    won = int(committees["firm_won"].sum())
    st.markdown(f"**Committees** — the {counted(len(committees), 'tender')} "
                f"{md(pair['official_name'])} evaluated and this firm bid in; it won {won}")
    currency, committees = currency_in_header(committees, "amount")
    show_table(committees, hide_index=True, width="stretch", key="pair_committees", column_config={
        "tender_id": "tender", "sat_on": st.column_config.TextColumn("committee sat"),
        "amount": money_column("firm's bid", currency),
        "firm_won": st.column_config.CheckboxColumn("firm won")})

st.markdown("**Ties between them** — shortest paths (≤ 6 steps) through family, firm roles, shared phones, "
            "e-mails and addresses")
ties = load(app_queries.pair_ties, official_id, firm_id)
if not ties.nodes:
    st.caption("No path of declared ties or shared identifiers within 6 steps.")
else:
    show_graph(ties, key=f"pair_ties_{alert_id}", height=380, layout=TIES_LAYOUT)

with st.expander("Every fact behind the score"):
    show_facts(pair["evidence"], key="pair_facts", height="auto",
               names={official_id: pair["official_name"], firm_id: pair["firm_name"]})
st.markdown("#### Triage")
triage_panel(db, alert_id, key="pairs")
