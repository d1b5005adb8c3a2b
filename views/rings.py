"""Rings page: ranked suspected bid-rigging rings; for the selected ring its graph, the bids
that show cover bidding, the win rotation, every fact behind the score, and triage."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from graph import app_queries
from views.common import facts_table, load, require_database, score_column
from views.graph_view import show_graph
from views.triage import triage_panel

db = require_database()
st.title("Bid-rigging rings")

show_inactive = st.toggle("Include rings the latest run no longer found", key="rings_inactive")
rings = load(app_queries.rings, include_inactive=show_inactive)
if rings.empty:
    st.info("No rings stored. Run the detectors with `python -m detectors run`.")
    st.stop()

table = rings[["ring_id", "score", "members", "tenders", "key_screens", "status", "assignee"]].copy()
table.insert(2, "member_names", rings["member_names"].map(lambda names: ", ".join(sorted(names))[:120]))
st.dataframe(table, hide_index=True, width="stretch", key="rings_table",
             column_config={"score": score_column(), "member_names": "members (names)",
                            "members": st.column_config.NumberColumn("n members")})

ring_ids = rings["ring_id"].tolist()
ring_id = st.selectbox(
    "Ring", ring_ids, key="ring_pick",
    format_func=lambda rid: f"{rid} — score {rings.set_index('ring_id').at[rid, 'score']:.0f}",
)
ring = rings.set_index("ring_id").loc[ring_id]
st.markdown(f"### {ring_id} · score {ring['score']:.0f}")
if ring["explanation"]:
    st.markdown(f"> {ring['explanation']}")

graph_col, facts_col = st.columns([3, 2])
with graph_col:
    st.markdown("**Members, their tenders and what they share** (red border: won a tender here)")
    show_graph(load(app_queries.ring_graph, ring_id), key=f"ring_graph_{ring_id}", height=480)
with facts_col:
    st.markdown("**Every fact behind the score**")
    facts = app_queries.evidence_facts(ring["evidence"])
    if facts.empty:
        st.caption("The finding stores no evidence.")
    else:
        st.dataframe(facts_table(facts), hide_index=True, width="stretch",
                     height=440, key="ring_facts")

bids = load(app_queries.ring_bids, ring_id)
if bids.empty:
    st.caption("No bids recorded for this ring's tenders.")
else:
    st.markdown("**Bids in the ring's tenders: % above the winning bid** — cover bids sit in a narrow band "
                "just above the winner")
    plotted = bids.dropna(subset=["pct_above_winner"]).copy()
    plotted["bidder"] = plotted["firm_name"].where(plotted["is_member"], "outsiders")
    plotted["outcome"] = plotted["is_winner"].map({True: "winner", False: "losing bid"})
    figure = px.scatter(
        plotted, x="published_at", y="pct_above_winner", color="bidder", symbol="outcome",
        symbol_map={"winner": "star", "losing bid": "circle"},
        hover_data=["tender_id", "firm_id", "amount", "winning_amount"],
        labels={"published_at": "tender published", "pct_above_winner": "% above winning bid"},
    )
    figure.update_traces(marker={"size": 10})
    figure.update_layout(height=380, margin={"t": 10, "b": 10}, legend_title_text="")
    st.plotly_chart(figure, key=f"ring_bids_chart_{ring_id}", width="stretch")

    rotation = app_queries.win_rotation(bids)
    if not rotation.empty:
        st.markdown("**Who won, over time** — rotation shows as winners taking turns")
        rotation_figure = px.scatter(rotation, x="published_at", y="winner", color="winner",
                                     hover_data=["tender_id"], labels={"published_at": "tender published"})
        rotation_figure.update_traces(marker={"size": 12, "symbol": "square"})
        rotation_figure.update_layout(height=80 + 40 * rotation["winner"].nunique(), showlegend=False,
                                      margin={"t": 10, "b": 10})
        st.plotly_chart(rotation_figure, key=f"ring_rotation_chart_{ring_id}", width="stretch")

st.markdown("#### Triage")
triage_panel(db, ring_id, key="rings")
