"""Tenders page: the findings about tenders (tender risk: bids that look rigged; Cardinal's red flags),
highest score first; for a tender its bids against the winning one, the rings and shared bid traces
among its bidders, every fact behind the score, and triage."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from detectors.finding import counted
from graph import app_queries
from views.common import (
    OPEN_PARAM,
    detector_label,
    found_column,
    link_to,
    load,
    md,
    money_column,
    no_longer_found,
    one_currency,
    record_select,
    require_database,
    score_column,
    show_facts,
    show_table,
    status_label,
)
from views.triage import triage_panel

db = require_database()
st.title("Risky tenders")

show_inactive = st.toggle("Include tenders the latest run no longer flagged", key="tenders_inactive")
tenders = load(app_queries.tenders, include_inactive=show_inactive)
if tenders.empty:
    st.info("No tender-risk findings stored. Run the detectors with `python -m detectors run`.")
    st.stop()

filters = st.columns(2)
categories = sorted(str(c) for c in tenders["category"].dropna().unique())
chosen = filters[0].multiselect("Categories (none chosen: all)", categories, key="tenders_categories")
rings_only = filters[1].toggle("Only tenders where members of a ring bid", key="tenders_rings")
shown = tenders
if chosen:
    shown = shown[shown["category"].isin(chosen)]
if rings_only:
    shown = shown[shown["rings"].map(bool)]
st.caption(f"{len(shown)} of {len(tenders)} findings. Tender risk scores the tender's price screens ranked in "
           "its category, raised where a strong ring's members bid or where competing bids share an IP address "
           "or document; red flags (Cardinal's indicators for OCDS data) count 40 points for one flag, 64 for "
           "two, 78 for three.")
if shown.empty:
    st.info("No flagged tender matches the filters.")
    st.stop()

# what scored next to the score, before the long titles: at 1,500 px it sat past the table's right edge (an app review)
table = shown[["tender_id", "score", "key_screens", "detector", "title", "category", "region", "published_at", "bids",
               "status", "assignee"]].copy()
table.insert(9, "winners", shown["winners"].map(lambda names: ", ".join(names)[:80]))
table.insert(10, "rings", shown["rings"].map(", ".join))
table = table.assign(detector=table["detector"].map(detector_label),
                     status=table["status"].map(status_label))
table = found_column(shown, table, show_inactive)
show_table(table, hide_index=True, width="stretch", key="tenders_table",
           column_config={"tender_id": "tender", "score": score_column(), "published_at": "published",
                          "bids": st.column_config.NumberColumn("n bids"), "key_screens": "what scored"})

by_id = shown.set_index("alert_id")
# A link to a tender no finding of the list names (a ring's tenders table links each of its tenders) opens the
# tender's record and bids: it said the tender was not in the list and showed another (an app review)
wanted = st.query_params.get(OPEN_PARAM)
unflagged = None
if wanted is not None and wanted not in set(tenders["alert_id"]) | set(tenders["tender_id"]):
    unflagged = load(app_queries.tender_record, wanted)
options = ([unflagged["tender_id"]] if unflagged else []) + by_id.index.tolist()


def _tender_label(option: str) -> str:
    if unflagged and option == unflagged["tender_id"]:
        return f"{option} — {unflagged['title'] or 'untitled'} — no finding"
    return (f"{by_id.at[option, 'tender_id']} — {by_id.at[option, 'title'] or 'untitled'} — "
            f"{detector_label(by_id.at[option, 'detector'])} {by_id.at[option, 'score']:.0f}")


alert_id = record_select(
    "tenders", "Tender", options, "tender_pick", _tender_label,
    lambda a: {"tender_id": a} if unflagged and a == unflagged["tender_id"]
    else {"finding_id": a, "tender_id": by_id.at[a, "tender_id"]},
    also=dict(zip(by_id["tender_id"][::-1], by_id.index[::-1], strict=True)),  # a tender's id: its top finding
)
flagged = not (unflagged and alert_id == unflagged["tender_id"])
tender = by_id.loc[alert_id] if flagged else pd.Series(unflagged)
if flagged:
    st.markdown(f"### {md(tender['tender_id'])} · {md(detector_label(tender['detector']))} "
                f"score {tender['score']:.0f}")
else:
    st.markdown(f"### {md(tender['tender_id'])} · no finding")
    st.caption("No finding in this list names this tender: here are its record and bids as the detectors read "
               f"them ({counted(int(tender['bids']), 'bid')}"
               + (f", won by {md(', '.join(tender['winners']))}" if tender["winners"] else ", no award recorded")
               + ").")
title = f"**{md(tender['title'])}** · " if tender["title"] else ""
details = f" ({md(tender['award_criteria_details'])})" if tender.get("award_criteria_details") else ""
criteria = f" · awarded by {md(tender['award_criteria'])}{details}" if tender.get("award_criteria") else ""
st.markdown(f"{title}{md(tender['category'] or 'no category')} · {md(tender['region'] or 'no region')} · "
            f"published {md(tender['published_at'] or '?')}{criteria}")
if flagged:
    no_longer_found(tender, "tender")
    if tender["explanation"]:
        st.markdown(f"> {md(tender['explanation'])}")

bids = load(app_queries.tender_bids, tender["tender_id"])
tender_currency = tender.get("currency") if isinstance(tender.get("currency"), str) else None
# the bids' sums (a step between them among the facts) in the one currency they all name, else none said
bid_currency = one_currency(bids["currency"]) if not bids.empty else tender_currency
if bids.empty:
    st.caption("No bids recorded for this tender.")
else:
    st.markdown("**Bids, lowest first** — % above the winning bid; cover bids sit in a narrow band just above it")
    # the currency in the amount's header when every bid names the same one, else a column of its own
    currencies = ["currency"] if bid_currency is None and bids["currency"].notna().any() else []
    view = bids[["firm_name", "firm_id", "amount", *currencies, "pct_above_winner", "is_winner", "status", "rings",
                 "shared_trace", "ip", "document_hash"]].assign(rings=bids["rings"].map(", ".join))
    show_table(view, hide_index=True, width="stretch", key=f"tender_bids_{alert_id}", column_config={
        "firm_name": "firm", "firm_id": "firm id", "ip": "IP address",
        "amount": money_column("amount", bid_currency),
        "pct_above_winner": st.column_config.NumberColumn("% above winner", format="%.2f"),
        "is_winner": "won", "rings": "member of ring",
        "shared_trace": st.column_config.CheckboxColumn(
            "shares IP/document", help="This bid's IP address or document is also on another firm's bid here"),
        "document_hash": "document"})
    budget = tender["budget"]
    valid = bids.loc[bids["valid"], "amount"]
    if budget and budget > 0 and not valid.empty:
        st.caption(f"Budget {md(app_queries.money_text(budget, tender_currency))}: the lowest valid bid is "
                   f"{100 * valid.min() / budget:.1f} % of it.")

for ring_id in tender["rings"]:
    ring = load(app_queries.finding, ring_id)
    if ring is not None:
        # the ring's triage beside it: a tender of a ring under investigation is part of that case (an app review
        # found a ring's 23 tender findings read as 23 cases of their own)
        triage = status_label(ring["status"]) + (f", assigned to {md(ring['assignee'])}" if ring.get("assignee") else "")
        st.markdown(f"**Ring {md(ring_id)}** (score {ring['score']:.0f}; its case: {triage}): "
                    f"{md(ring['explanation'] or '')}")
        link_to("rings", ring_id, f"Open ring {md(ring_id)} on Rings")

if not flagged:
    st.stop()
st.markdown("**Every fact behind the score** (with the thresholds the detector used)")
# the facts name firms (a ring's, the disqualified, the winner) by their ids: the bidders' names read them
bidder_names = {} if bids.empty else dict(zip(bids["firm_id"], bids["firm_name"], strict=True))
show_facts(tender["evidence"], key="tender_facts", currency=bid_currency, names=bidder_names)

st.markdown("#### Triage")
triage_panel(db, alert_id, key="tenders")
