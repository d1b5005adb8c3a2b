"""Linked bidders: "independent" bids from firms that share a phone, an owner or a computer.

Method
------
Firms and their identifiers (phone, e-mail, address, person — legal representative,
shareholder or director —, submission IP, document hash; ``MarketData.firm_identifiers``)
form a bipartite graph. An identifier held by more than ``max_holders`` firms (a
business-centre address, a registered-agent phone, a shared accountant's e-mail) says
little about any one pair and is left out of the linking; it is listed in the evidence as
"common". The connected components of the remaining firm–identifier graph are groups of
firms tied by specific identifiers. A group is reported when at least two of its firms bid
in the same tender (as rivals: the partners of one consortium bid are one bidder), once for
each cluster of the identifiers that tied rivals directly — two such identifiers are one
cluster when a firm that bid in those tenders holds both — so that firms the component
joins only through firms that never met (a chain of five-holder IP addresses) are separate
findings, each scored on its own identifiers: such
bids are presented as competing but come from one hand (OECD 2009 lists "bids prepared by
the same person, submitted from the same address or with the same typographical errors"
among the red flags of bid rigging).

The cap does not apply to an IP address or document file that bids of different firms carried
*in the same tender* more often than its use predicts (:mod:`detectors.bid_traces`,
Benjamini–Hochberg q ≤ ``trace_alpha``): the organiser of a seven-firm cartel who submits
its members' bids from its own line is tied to all of them, while a carrier's pool address
that met itself once by chance is not. Such a trace links the firms whose bids carried it
in those tenders, with the full weight of its kind.

Each linking identifier is weighted by its kind (a shared person or document hash is
stronger than a shared address; ``Params.kind_weights``) times an inverse-document-
frequency factor ``ln(N / n) / ln(N / 2)`` (``N`` firms with identifiers, ``n`` holders)
times the pair specificity ``2 / n`` — both 1 for an identifier held by exactly two
firms; an IP address from a mobile carrier's pool that five unrelated firms happened to
use counts 0.7 · 0.8 · 0.4 ≈ 0.2. The identifier strength of a group is the
noisy-or ``1 − Π (1 − w_i)`` over its linking identifiers. The score (0–100) adds

* identifier strength × ``weights["identifiers"]``;
* co-bidding ``1 − exp(−k / 3)`` for ``k`` tenders where two firms sharing a linking identifier
  directly both bid (a chain A–B–C through other firms' identifiers is context, not a tie: a tender
  where only A and C bid does not count, so ``k`` can be below a ring's count of the same firms'
  tenders) × ``weights["cobids"]``;
* the share of those tenders a linked firm won, times the same co-bidding factor (one
  shared win is little evidence) × ``weights["wins"]``.

References
----------
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement, checklist
"Suspicious documents and statements". Fazekas, M., & Tóth, B. (2016). From corruption to
state capture. Political Research Quarterly 69(2), 320–334 (shared-identifier red flags).
Robertson, S. (2004). Understanding inverse document frequency. J. Documentation 60(5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from detectors import bid_traces
from detectors.bid_traces import ALPHA
from detectors.finding import (
    Finding,
    between_tenders,
    counted,
    joined,
    labels,
    listed,
    tender_period,
    tenders_counted,
    yearly,
)
from detectors.identifiers import KIND_PHRASE
from detectors.market import MarketData, stripped

__all__ = ["NAME", "Params", "detect", "identifier_links"]

NAME = "linked_bidders"

DEFAULT_KIND_WEIGHTS: dict[str, float] = {
    "person": 1.0, "document": 1.0, "phone": 0.9, "email": 0.9, "ip": 0.7, "address": 0.6,
}
DEFAULT_WEIGHTS: dict[str, float] = {"identifiers": 45.0, "cobids": 35.0, "wins": 20.0}


@dataclass(frozen=True)
class Params:
    """Settings of the linked-bidders detector (defaults in brackets).

    max_holders [5]: identifiers held by more firms are "common" and do not link, unless
        they are a same-tender trace.
    trace_alpha [0.05]: an IP or document carried by bids of different firms in one tender
        more often than chance (BH q-value at most this) links those firms.
    min_cobid_tenders [1]: tenders where ≥ 2 linked firms bid, for a finding.
    max_group_size [30]: a finding whose firms that bid against each other (``members``) are more
        than this is still reported but flagged ``large_group`` in the evidence; the identifier
        component around them (``linked_group``) may be larger without the flag, as a chain of
        e-mails reaching 40 other firms says nothing of the members who met.
    kind_weights [person 1, document 1, phone 0.9, email 0.9, ip 0.7, address 0.6]: strength of
        each identifier kind (unknown kinds 0.5).
    weights [identifiers 45, cobids 35, wins 20]: maximum contribution of each score component
        (sums to 100).
    max_findings [500]: cap, highest scores first.
    max_listed_tenders [50]: tenders listed one by one in the evidence.
    """

    max_holders: int = 5
    trace_alpha: float = ALPHA
    min_cobid_tenders: int = 1
    max_group_size: int = 30
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    max_findings: int = 500
    max_listed_tenders: int = 50


def identifier_links(data: MarketData, params: Params | None = None,
                     traces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Firm–identifier links with holder counts, IDF weight and the firm's group.

    ``traces`` are :func:`detectors.bid_traces.market_traces` at ``trace_alpha`` (computed
    when not given); their firms hold
    them even where ``firm_identifiers`` does not list the bids' IPs and documents.

    Returns
    -------
    DataFrame
        ``firm_id, kind, value, holders, traced, linking, weight, group`` — ``traced``
        marks a firm whose bids carried a significant same-tender trace; ``linking`` is
        True for those and for identifiers held by 2 to ``max_holders`` firms; ``group`` is
        the connected component over linking identifiers (−1 for firms with none).
    """
    params = params or Params()
    traces = bid_traces.market_traces(data, params.trace_alpha) if traces is None else traces
    traced_rows = [(f, r.kind, r.value) for r in traces.itertuples(index=False) for f in r.tied_firms]
    ids = pd.concat([data.firm_identifiers[["firm_id", "kind", "value"]],
                     pd.DataFrame(traced_rows, columns=["firm_id", "kind", "value"])], ignore_index=True)
    ids = ids.dropna(subset=["firm_id", "kind", "value"])
    ids = ids.assign(value=stripped(ids["value"]), kind=ids["kind"].astype(str))
    ids = ids.loc[ids["value"] != ""]
    key = ids["kind"] + "\x1f" + ids["value"]
    keep = ~pd.DataFrame({"f": ids["firm_id"], "k": key}).duplicated()
    ids, key = ids.loc[keep, ["firm_id", "kind", "value"]].reset_index(drop=True), key.loc[keep]
    if ids.empty:
        return ids.assign(holders=pd.Series(dtype=int), traced=pd.Series(dtype=bool),
                          linking=pd.Series(dtype=bool), weight=pd.Series(dtype=float),
                          group=pd.Series(dtype=int))
    codes, id_names = pd.factorize(key)
    ids["holders"] = np.bincount(codes)[codes]
    tied = {(f, k, v) for f, k, v in traced_rows}
    maybe = np.flatnonzero(key.isin({f"{k}\x1f{v}" for _, k, v in traced_rows}).to_numpy())  # a traced value
    ids["traced"] = False
    ids.loc[maybe, "traced"] = [(f, k, v) in tied for f, k, v in
                                ids[["firm_id", "kind", "value"]].iloc[maybe].itertuples(index=False)]
    ids["linking"] = ((ids["holders"] >= 2) & (ids["holders"] <= params.max_holders)) | ids["traced"]
    n_firms = max(ids["firm_id"].nunique(), 3)
    idf = np.log(n_firms / ids["holders"]) / math.log(n_firms / 2)
    kind_w = ids["kind"].map(params.kind_weights).fillna(0.5)
    ids["weight"] = np.where(ids["traced"], kind_w,
                             np.clip(idf, 0.0, 1.0) * kind_w * 2.0 / ids["holders"].clip(lower=2))

    linking = ids["linking"].to_numpy()
    firm_codes, firms = pd.factorize(ids["firm_id"])
    f = firm_codes[linking]
    g = len(firms) + codes[linking]
    size = len(firms) + len(id_names)
    adjacency = sparse.coo_matrix((np.ones(len(f)), (f, g)), shape=(size, size))
    _, labels = connected_components(adjacency, directed=False)
    linked = np.zeros(len(firms), dtype=bool)
    linked[f] = True
    ids["group"] = np.where(linked[firm_codes], labels[firm_codes], -1)
    return ids


def detect(data: MarketData, params: Params | None = None, seed: int = 0) -> list[Finding]:
    """Groups of firms tied by specific identifiers that bid in the same tenders.

    ``seed`` is accepted for the common detector interface; the method is deterministic.

    Returns
    -------
    list of Finding
        Kind ``linked_bidders``: ``firms`` = the firms of one linked group that bid in the
        same tenders (the whole group is in ``evidence["linked_group"]``), ``tenders`` =
        tenders where ≥ 2 of them bid (not as partners of one joint bid); highest score first.
    """
    params = params or Params()
    traces = bid_traces.market_traces(data, params.trace_alpha)
    links = identifier_links(data, params, traces)
    names = labels(data.firms, "firm_id")
    trace_of = {(r.kind, r.value): r for r in traces.itertuples(index=False)}
    if links.empty or not links["linking"].any():
        return []
    # the partners of a consortium's bid (one row per partner firm) are one bidder, not rivals;
    # labelled on the bids the traces labelled (with_winners copies them row for row)
    bidder = bid_traces.bidders(data.bids)
    data = data.with_winners()
    grouped = links.loc[links["group"] >= 0, ["firm_id", "group"]].drop_duplicates("firm_id")
    group_of = grouped.set_index("firm_id")["group"]
    bids = data.bids[["tender_id", "firm_id", "is_winner"]].assign(bidder=bidder)
    bids = bids.dropna(subset=["tender_id", "firm_id"])
    all_bidders = bids.groupby("tender_id")["bidder"].nunique()
    bids = bids.assign(group=bids["firm_id"].map(group_of)).dropna(subset=["group"])
    bids["group"] = bids["group"].astype(int)
    bids = bids.drop_duplicates(["tender_id", "firm_id"])
    bids = bids.loc[bids.groupby(["group", "tender_id"])["bidder"].transform("nunique") >= 2]
    if bids.empty:
        return []
    cobid = bids.sort_values(["group", "tender_id", "firm_id"]).groupby(
        ["group", "tender_id"], sort=False).agg(firm_id=("firm_id", list), bidder=("bidder", list)).reset_index()
    # a tender of several awarded lots has several winners
    winners = data.bids.loc[data.bids["is_winner"], ["tender_id", "firm_id"]].dropna().drop_duplicates()
    winners_of = winners.sort_values("firm_id").groupby("tender_id")["firm_id"].agg(list)
    cobid["winners"] = [winners_of.get(t, []) for t in cobid["tender_id"]]
    cobid["bidders"] = cobid["tender_id"].map(all_bidders)

    active = set(cobid["group"])
    members_of = {g: sorted(v) for g, v in grouped.loc[grouped["group"].isin(active)]
                  .groupby("group")["firm_id"]}
    in_active = links["firm_id"].map(group_of).isin(active)
    held_by_group = dict(tuple(links.loc[in_active].groupby(links.loc[in_active, "firm_id"].map(group_of))))
    findings: list[Finding] = []
    tender_day = data.tender_days()
    lot_of = data.lot_parents()
    by_year = yearly(tender_day)
    for group, rows in cobid.groupby("group", sort=True):
        held = held_by_group[group]
        # a tender counts only when two of its bidders share a linking identifier
        # directly: a chain A–B–C through other firms' identifiers is context, not a tie, and
        # the partners of one joint bid are one bidder
        holders = {key: set(g["firm_id"]) for key, g in held.loc[held["linking"]].groupby(["kind", "value"])}
        direct: list[set[tuple[str, str]]] = []
        for firms, bidder in zip(rows["firm_id"], rows["bidder"], strict=True):
            bidder_of = dict(zip(firms, bidder, strict=True))
            direct.append({key for key, h in holders.items()
                           if len({bidder_of[f] for f in h.intersection(bidder_of)}) >= 2})
        tied = [d for d in direct if d]
        rows_tied = rows.loc[np.array([bool(d) for d in direct])]
        # one finding per cluster of ties: firms the component joins only through a chain of other firms'
        # identifiers are reported apart (five-holder IP addresses chained 13 firms, 9 of them strangers, onto
        # the three that shared an owner and a phone, and lent them the owner's strength: an app review)
        for cluster in _tie_clusters(tied, holders, rows_tied):
            in_cluster = np.array([bool(d & cluster) for d in tied])
            if in_cluster.sum() < max(params.min_cobid_tenders, 1):
                continue
            rows = rows_tied.loc[in_cluster]
            used = set().union(*[d & cluster for d in tied if d & cluster])
            # report the firms that met and share an identifier; the component is context
            members = sorted({f for firms in rows["firm_id"] for f in firms
                              if any(f in holders[key] for key in used)})
            group_firms = members_of[group]
            linking = _collect(held.loc[held["linking"] & pd.Series(
                [(k, v) in used for k, v in zip(held["kind"], held["value"], strict=True)], index=held.index)],
                "firms").sort_values(["weight", "kind", "value"], ascending=[False, True, True])
            by_members = held.loc[held["firm_id"].isin(members)]
            common = _collect(by_members.loc[~by_members["linking"] & (by_members["holders"] > params.max_holders)],
                              "members")
            common = common.loc[common["members"].map(len) >= 2]
            strength = 1.0 - float(np.prod(1.0 - linking["weight"].to_numpy()))
            k = len(rows)
            member_wins = pd.Series([[f for f in won if f in members] for won in rows["winners"]], index=rows.index)
            member_won = member_wins.map(bool)
            won_share = float(member_won.mean())
            volume = 1.0 - math.exp(-k / 3.0)
            parts = {
                "identifiers": (strength, {"identifiers": len(linking)}),
                "cobids": (volume, {"cobid_tenders": k}),
                "wins": (won_share * volume, {"won_by_linked_firm": int(member_won.sum()),
                                              "won_share": won_share}),
            }
            contributions = {n: round(v * params.weights.get(n, 0.0), 2) for n, (v, _) in parts.items()}
            components = {n: {"value": round(v, 4), "weight": params.weights.get(n, 0.0),
                              "contribution": contributions[n], "facts": f}
                          for n, (v, f) in parts.items()}
            score = float(np.clip(sum(contributions.values()), 0, 100))
            rows = rows.sort_values("tender_id")
            # each linked firm that won counts (a tender of several lots can have several)
            wins_by = member_wins.explode().dropna().value_counts()
            dates = tender_period(tender_day, rows["tender_id"], by_year)
            evidence: dict[str, Any] = {
                "members": members,
                "linked_group": group_firms,
                "identifiers": [{"kind": r.kind, "value": r.value, "firms": r.firms,
                                 "holders": int(r.holders), "weight": round(float(r.weight), 3),
                                 **bid_traces.evidence(trace_of.get((r.kind, r.value)))}
                                for r in linking.itertuples(index=False)],
                "common_identifiers_ignored": [{"kind": r.kind, "value": r.value, "holders": int(r.holders),
                                                "members": r.members} for r in common.itertuples(index=False)],
                "cobid_tenders": k,
                **dates,
                "tenders": [{"tender_id": r.tender_id, "linked_bidders": [f for f in r.firm_id if f in members],
                             "bidders": int(r.bidders),
                             "winner": next((f for f in r.winners if f in members), r.winners[0] if r.winners else None)}
                            for r in rows.head(params.max_listed_tenders).itertuples()],
                "won_by_linked_firm": int(member_won.sum()),
                "wins_by_member": {str(f): int(c) for f, c in wins_by.items()},
                "identifier_strength": strength,
                "large_group": len(members) > params.max_group_size,
                "components": components,
                "thresholds": {"max_holders": params.max_holders, "trace_alpha": params.trace_alpha,
                               "min_cobid_tenders": params.min_cobid_tenders},
            }
            findings.append(Finding(detector=NAME, kind="linked_bidders", score=round(score, 2),
                                    explanation=_explain(members, linking, k, wins_by, dates, evidence["identifiers"],
                                                         names, int(member_won.sum()),
                                                         tenders_counted(list(rows["tender_id"]), lot_of)),
                                    evidence=evidence, firms=tuple(members),
                                    tenders=tuple(rows["tender_id"])))
    findings.sort(key=lambda f: (-f.score, f.firms))
    return findings[: params.max_findings]


def _tie_clusters(tied: list[set[tuple[str, str]]], holders: dict[tuple[str, str], set[str]],
                  rows: pd.DataFrame) -> list[set[tuple[str, str]]]:
    """The linking identifiers that tied bidders in ``rows`` (``tied``: per tender, the identifiers two of its
    bidders share directly), clustered: two identifiers are in one cluster when a firm that bid in those tenders
    holds both. Each cluster is one group of firms tied to each other; sorted by their first identifier."""
    met = {f for firms in rows["firm_id"] for f in firms}
    keys = sorted(set().union(*tied)) if tied else []
    parent = {key: key for key in keys}

    def root(key: tuple[str, str]) -> tuple[str, str]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    by_firm: dict[str, tuple[str, str]] = {}
    for key in keys:
        for firm in sorted(holders[key] & met):
            if firm in by_firm:
                parent[root(key)] = root(by_firm[firm])
            else:
                by_firm[firm] = key
    clusters: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for key in keys:
        clusters.setdefault(root(key), set()).add(key)
    return [clusters[r] for r in sorted(clusters, key=lambda r: min(clusters[r]))]


def _collect(held: pd.DataFrame, name: str) -> pd.DataFrame:
    """One row per identifier: kind, value, the sorted firms holding it, holders, weight."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in held.sort_values("firm_id").itertuples(index=False):
        entry = out.setdefault((r.kind, r.value), {"kind": r.kind, "value": r.value, name: [],
                                                   "holders": r.holders, "weight": r.weight})
        entry[name].append(r.firm_id)
        entry["weight"] = max(entry["weight"], r.weight)  # a traced firm's link is the strongest
    return pd.DataFrame(list(out.values()), columns=["kind", "value", name, "holders", "weight"])


def _trace_phrase(identifiers: list[dict[str, Any]], members: list[str], k: int) -> str:
    """``, and in 14 of them bids of two or more of them were sent from one IP address (…)``."""
    whose = "their bids" if len(members) == 2 else "bids of two or more of them"
    told = bid_traces.clauses(identifiers, whose, lambda met: "in it" if k == 1 else
                              "in every one" if met >= k else f"in {met} of them")
    return ", and " + "; ".join(told)


def _explain(members: list[str], linking: pd.DataFrame, k: int, wins_by: pd.Series,
             dates: dict[str, Any], identifiers: list[dict[str, Any]], names: dict[str, str] | None = None,
             won: int | None = None, where: str | None = None) -> str:
    """``where``: the tenders counted (:func:`detectors.finding.tenders_counted`; ``k`` tenders by default)."""
    names = names or {}
    where = where or counted(k, "tender")
    who = joined([names.get(m, m) for m in members]) if len(members) <= 3 else \
        f"{len(members)} firms ({listed([names.get(m, m) for m in members])})"
    traced = sum("same_tender" in i for i in identifiers)
    if traced:  # bids from one hand in the same tenders: the strongest fact, said first
        text = f"{who} bid against each other in {where}{between_tenders(dates, k)}" \
            + _trace_phrase(identifiers, members, k)
        if len(identifiers) > traced:
            text += f"; they also share {counted(len(identifiers) - traced, 'other specific identifier')}"
        return _won(text, k, wins_by, names, won)
    top = linking.iloc[0]
    kind = KIND_PHRASE.get(top["kind"], "a " + str(top["kind"]))
    holders, here = int(top["holders"]), len(set(top["firms"]) & set(members))
    if here == len(members):  # every named firm holds it
        tie = f"share {kind} held by {counted(holders, 'firm')}"
        if len(linking) > 1:
            tie += f" and {counted(len(linking) - 1, 'other specific identifier')}"
    else:  # a chain: say who holds the strongest link, and that outsiders hold it too
        outside = f" and {counted(holders - here, 'other firm')}" if holders > here else ""
        tie = (f"are tied through {counted(len(linking), 'specific identifier')}, the strongest {kind} held by "
               f"{here} of them{outside},")
    text = f"{who} {tie} yet bid against each other in {where}{between_tenders(dates, k)}"
    return _won(text, k, wins_by, names, won)


def _won(text: str, k: int, wins_by: pd.Series, names: dict[str, str] | None = None,
         won: int | None = None) -> str:
    """The sentence ``text`` closed with who of the linked firms won the ``k`` tenders; ``wins_by``:
    each linked firm's wins, ``won``: the tenders a linked firm won (``wins_by``'s sum by
    default; fewer where two of them won lots of one tender)."""
    if len(wins_by):
        leader, count = (names or {}).get(wins_by.index[0], wins_by.index[0]), int(wins_by.iloc[0])
        total = int(wins_by.sum()) if won is None else won
        if k == 1:
            text += f"; a linked firm won it ({leader})"
        elif len(wins_by) == 1:
            text += f"; {leader} won {total} of them"
        else:
            text += f"; linked firms won {total} of them, {leader} the most ({count})"
    else:
        text += "; none of them won"
    return text + "."
