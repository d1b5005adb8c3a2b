"""Rings page: ranked suspected bid-rigging rings; for the selected ring its graph, the bids
that show cover bidding, the win rotation, every fact behind the score, and triage."""

from __future__ import annotations

import streamlit as st

from graph import app_queries
from views.common import (
    found_column,
    link_to,
    linked,
    load,
    md,
    no_longer_found,
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

db = require_database()
st.title("Bid-rigging rings")

show_inactive = st.toggle("Include rings the latest run no longer found", key="rings_inactive")
rings = load(app_queries.rings, include_inactive=show_inactive)
if rings.empty:
    st.info("No rings stored. Run the detectors with `python -m detectors run`.")
    st.stop()
rings = without_weak(rings, "rings", key="rings_weak", keep=triaged(rings) | linked(rings["ring_id"]),
                     weak_means="scoring no higher than shuffled markets without any cartel")

# what scored next to the score, before the long names: at 1,500 px it sat past the table's right edge (an app review)
table = rings[["ring_id", "score", "key_screens", "tier", "members", "tenders", "status", "assignee"]].copy()
table.insert(3, "member_names", rings["member_names"].map(lambda names: ", ".join(sorted(names))[:120]))
table["status"] = table["status"].map(status_label)
table = found_column(rings, table, show_inactive)
show_table(table, hide_index=True, width="stretch", key="rings_table",
             column_config={"ring_id": "ring", "score": score_column(), "member_names": "members (names)",
                            "members": st.column_config.NumberColumn("n members"),
                            "key_screens": "what scored (points)"})
st.caption("Tier: a weak ring scores no higher than shuffled markets without any cartel; a strong ring "
           "stands above that floor.")

ring_ids = rings["ring_id"].tolist()
ring_id = record_select(
    "rings", "Ring", ring_ids, "ring_pick",
    lambda rid: f"{rid} — score {rings.set_index('ring_id').at[rid, 'score']:.0f}", lambda rid: {"finding_id": rid},
)
ring = rings.set_index("ring_id").loc[ring_id]
st.markdown(f"### {md(ring_id)} · score {ring['score']:.0f}")
no_longer_found(ring, "ring")
if ring["explanation"]:
    st.markdown(f"> {md(ring['explanation'])}")
members = sorted(zip(ring["member_ids"], ring["member_names"], strict=True), key=lambda m: str(m[1]))
with st.expander(f"Open a member on Firms ({len(members)})"):
    for firm_id, name in members:
        link_to("firms", firm_id, f"{md(name)} ({md(firm_id)})")
earlier = load(app_queries.ring_predecessors, ring_id) if ring["active"] else None  # a ring found now
if earlier is not None and not earlier.empty:
    st.info("Investigators triaged an earlier ring, which the latest run no longer finds, with members of this one: "
            + "; ".join(f"{md(r.ring_id)} ({r.shared} of its {r.members} members here; {md(r.status)}"
                        + (f", assigned to {md(r.assignee)}" if r.assignee else "")
                        + (f"; last triaged by {md(r.last_event_by)} on {md(str(r.last_event_at)[:10])}"
                           if r.last_event_at else "") + ")"
                        for r in earlier.itertuples())
            + ". A ring whose members changed by half or more is a new ring; turn on \"Include rings the latest "
              "run no longer found\" to read the earlier one, or see Cases.")

show_firm_group(ring_id, int(ring["tenders"]), "ring")

st.markdown("**Every fact behind the score** (with the thresholds the detector used)")
show_facts(ring["evidence"], key="ring_facts", names=dict(zip(ring["member_ids"], ring["member_names"], strict=True)))

st.markdown("#### Triage")
triage_panel(db, ring_id, key="rings")
