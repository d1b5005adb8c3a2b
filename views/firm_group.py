"""The drill-down of a group of firms, shared by the Rings page (a ring) and the Cases page (linked
bidders): the members' graph with their tenders and what they share, the list of those tenders (who
of the group bid, who won, for how much), the bids of those tenders as % above the winner, who won
when, and who won where."""

from __future__ import annotations

import streamlit as st

from detectors.finding import counted
from graph import app_queries, findings_store
from views.charts import bid_spread_figure, win_rotation_figure
from views.common import currency_in_header, link_to, load, md, money_column, show_table
from views.graph_view import show_graph

#: the most tenders of a group linked one by one to Tenders
MAX_TENDER_LINKS = 100


def show_firm_group(finding_id: str, tenders: int, noun: str) -> None:
    """Draw the group of finding ``finding_id`` (a ring or a linked-bidders alert), whose facts come from
    ``tenders`` tenders; ``noun`` names it in the captions ("ring", "group")."""
    st.markdown("**Members, their tenders and what they share** (red border: won a tender here; red edge: WON)")
    show_graph(load(app_queries.group_graph, finding_id), key=f"group_graph_{finding_id}", height=520)
    if tenders > app_queries.GROUP_GRAPH_TENDERS:
        st.caption(f"The graph draws the first {app_queries.GROUP_GRAPH_TENDERS} of the {noun}'s {tenders} tenders "
                   "(by publication); its red borders count wins among those. The chart below and the facts read "
                   "them all.")
    show_group_tenders(finding_id, noun)
    bids = load(app_queries.group_bids, finding_id)
    if bids.empty:
        st.caption(f"No bids recorded for this {noun}'s tenders.")
        return
    if bids["pct_above_winner"].notna().any():
        st.markdown(f"**Bids in the {noun}'s tenders: % above the winning bid** — cover bids sit in a narrow "
                    "band just above the winner")
        st.plotly_chart(bid_spread_figure(bids), key=f"group_bids_chart_{finding_id}", width="stretch")
    else:  # e.g. OCDS tender.tenderers without the bids extension: who bid, not at what price
        st.caption(f"No bid of the {noun}'s tenders has both an amount and a winning amount to compare it with "
                   "(the records name the bidders, not their prices): no price chart.")
    rotation = app_queries.win_rotation(bids)
    if not rotation.empty:
        st.markdown("**Who won, over time** — rotation shows as winners taking turns")
        members = tuple(sorted(bids.loc[bids["is_member"].astype(bool), "firm_name"].dropna().unique()))
        st.plotly_chart(win_rotation_figure(rotation, members), key=f"group_rotation_chart_{finding_id}",
                        width="stretch")
    where = app_queries.wins_by_region(bids)
    if not where.empty:
        st.markdown("**Who won where** — market allocation shows as one member winning in each region")
        show_table(where, key=f"group_wins_by_region_{finding_id}", width="stretch")


def show_group_tenders(finding_id: str, noun: str) -> None:
    """The group's tenders as a table, one row each, oldest first, and a link to each on Tenders (its bids): what
    an investigator follows to the records."""
    tenders = load(app_queries.group_tenders, finding_id)
    if tenders.empty:
        st.caption(f"No tenders are stored with this {noun}.")
        return
    where = "where two or more members bid" if noun == "ring" else "where its firms bid against each other"
    st.markdown(f"**The {noun}'s tenders** — the {counted(len(tenders), 'tender')} {where}, oldest first; "
                "open any on Tenders, with its bids, below the table")
    currency, tenders = currency_in_header(tenders, "winning_amount")
    show_table(tenders, hide_index=True, width="stretch", key=f"group_tenders_{finding_id}", column_config={
        "tender_id": st.column_config.TextColumn("tender id"),
        "published_at": st.column_config.TextColumn("published"),
        "category": st.column_config.TextColumn("category"),
        "bids": st.column_config.NumberColumn("bids", format="%d"),
        "members": st.column_config.TextColumn(f"{'members' if noun == 'ring' else 'firms of the group'} who bid"),
        "winner": st.column_config.TextColumn("winner"),
        "winner_id": st.column_config.TextColumn("winner id"),
        "winning_amount": money_column("winning amount", currency),
        "member_won": st.column_config.CheckboxColumn("won by the " + ("ring" if noun == "ring" else "group"))})
    st.caption("Winning amount: the award's amount, else the winner's lowest bid; a tender awarded in lots adds "
               "its winners' amounts up. Bids: members' and outsiders' (an invitation or a withdrawn bid is none).")
    # each tender opens on Tenders with its bids, flagged or not: the ids alone left an investigator to write
    # Cypher to read a ring's bids tender by tender (an app review)
    linked = tenders.head(MAX_TENDER_LINKS)
    with st.expander(f"Open a tender and its bids on Tenders ({len(tenders)})"):
        for row in linked.itertuples():
            winner = f", won by {md(row.winner)}" if isinstance(row.winner, str) and row.winner else ""
            link_to("tenders", row.tender_id, f"{md(row.tender_id)} ({md(row.published_at or 'undated')}{winner})")
        if len(tenders) > len(linked):
            st.caption(f"The {len(linked)} oldest; open another by its id on Explore.")
    if len(tenders) >= findings_store.MAX_RING_TENDERS:  # the store links a finding to so many tenders at most
        st.caption(f"A finding is stored with its first {findings_store.MAX_RING_TENDERS} tenders by id: this "
                   f"{noun} may have more, which its sentence and facts count.")
