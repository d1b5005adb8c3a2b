"""Bid traces: competing bids in one tender sent from one IP address or carrying one document.

Indicator
---------
Firms that compete prepare and submit their bids apart. When the bids of different firms in
the same tender were sent from one IP address, or carry one document file (the same hash),
one hand prepared or submitted them. OECD (2009) lists "bids prepared by the same person"
among the red flags of bid rigging; the PRC Regulation on the Implementation of the Bidding
Law (2011, art. 40) deems bids prepared or handled by the same unit or person collusive, and
e-procurement platforms check the submission address and the file for that reason.

A shared network makes a coincidence possible: a carrier's pool of dynamic addresses, a
business centre's line, a bid-writing service that uploads for many firms, a buyer's form
every bidder returns unchanged. So the question is not whether a value met itself in one
tender once, but whether it did so more often than its use predicts.

Formula
-------
For each kind (``ip``, ``document``): ``B`` bids carry a value of that kind (one per bidder
of a tender, :func:`bidders`: a firm's bids there count once, and so does a consortium's
joint bid, one row per partner firm), ``n_t`` of them are in tender ``t``, and value ``x``
is carried by ``u_x`` bids.
If the ``u_x`` bids were spread over the market's bids at random, tender ``t`` would hold ≥ 2
of them with the hypergeometric probability ``P(K ≥ 2)``, ``K ~ Hypergeom(B, u_x, n_t)``;
the expected number of such tenders is ``E_x = Σ_t P(K_t ≥ 2)``. Chance is reckoned within
each category (``B``, ``u_x`` and the ``n_t`` of that category's tenders, summed over
categories): firms of one trade that share a line meet in that trade's tenders, and on demo
markets whose bids were shuffled within categories (``benchmarks/null_markets.py``) the
market-wide null flagged such a line on 3 of 6 seeds, the per-category null on none.
The observed count ``c_x`` is the number of tenders where bids of ≥ 2 different bidders
carry ``x`` (the partners of one joint bid are one bidder, not rivals), and
``p_x = P(C ≥ c_x)`` for ``C ~ Poisson(E_x)`` — conservative for a sum of independent
Bernoulli trials (Hoeffding 1956). A firm's own address, used by all its bids but never
twice in one tender, only inflates ``E_x``, which makes the test stricter. The q-values are
Benjamini–Hochberg (1995) over every value carried by ≥ 2 bids, one family per kind: the
kinds have their own nulls, and a market's thousands of addresses would otherwise drown a
document file that two firms handed in to one tender (p ≈ 2e-4 among 8 shared files).

References
----------
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement.
Hoeffding, W. (1956). On the distribution of the number of successes in independent trials.
Annals of Mathematical Statistics 27(3), 713–721.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components

from detectors.market import BID_TRACE_COLUMNS, MarketData, stripped
from detectors.memo import memo

__all__ = ["ALPHA", "KIND_COLUMNS", "TOLD", "TRACE_COLUMNS", "at_least_two", "bidders", "chance", "clauses",
           "evidence", "market_traces", "same_tender_traces", "shown", "significant"]

#: the false-discovery rate at which a same-tender trace counts as one hand
ALPHA = 0.05

#: identifier kind → the bids frame's column holding it
KIND_COLUMNS: dict[str, str] = BID_TRACE_COLUMNS

TRACE_COLUMNS = ["kind", "value", "uses", "firms", "co_tenders", "expected", "pvalue", "qvalue",
                 "tied_firms", "tenders", "carriers"]


def bidders(bids: pd.DataFrame) -> np.ndarray:
    """The bidder of each row of ``bids`` (``tender_id, firm_id``, optional ``bid_id``) in its tender,
    as an integer label (−1 where the tender or firm is missing).

    :mod:`graph.readers` writes a consortium's bid as one row per partner firm with the same
    ``bid_id``: the partners are one bidder, not rivals. A firm's bids in one tender (lots,
    variants) are one bidder too. Within a tender, firms joined through a shared bid are one
    bidder (connected components); the labels are distinct across tenders, so rows of one
    tender have one label exactly when they belong to one bidder. Memoised for the last
    ``bids`` (:mod:`detectors.memo`): the traces and the linked-bidders detector both label a
    market's bids.
    """
    return memo("bidders", (bids,), (), lambda: _bidders(bids))


def _bidders(bids: pd.DataFrame) -> np.ndarray:
    known = (bids["tender_id"].notna() & bids["firm_id"].notna()).to_numpy()
    out = np.full(len(bids), -1, dtype=np.int64)
    if not known.any():
        return out
    tender, tenders = pd.factorize(bids["tender_id"].to_numpy()[known])
    firm, firms = pd.factorize(bids["firm_id"].to_numpy()[known])
    seat = pd.factorize(tender.astype(np.int64) * len(firms) + firm)[0]  # one per (tender, firm)
    n_seats = int(seat.max()) + 1
    joint = bids["bid_id"].notna().to_numpy()[known] if "bid_id" in bids.columns else np.zeros(len(seat), bool)
    if not joint.any():
        out[known] = seat
        return out
    bid_code, bid_ids = pd.factorize(bids["bid_id"].to_numpy()[known][joint])
    bid = pd.factorize(tender[joint].astype(np.int64) * len(bid_ids) + bid_code)[0]  # one per (tender, bid)
    size = n_seats + int(bid.max()) + 1
    graph = sparse.coo_matrix((np.ones(len(bid)), (seat[joint], n_seats + bid)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    out[known] = label[seat]
    return out


def at_least_two(total: int, carried_by: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``P(K ≥ 2)`` for ``K ~ Hypergeom(total, u, n)``: rows ``u`` of ``carried_by``, columns ``n`` of ``sizes``.

    ``P(K = 0) = Π_{i<n} (1 − u / (total − i))`` and ``P(K = 1) = P(K = 0) · n u / (total − u − n + 1)``,
    so ``P(K ≥ 2) = −expm1(ln P(K = 0) + log1p(n u / (total − u − n + 1)))``: exact to the last
    digits where the answer is tiny (two bids of a 235 000-bid market sharing one value: 5e-10),
    which ``1 − P(0) − P(1)`` is not, and far faster than scipy's ``hypergeom.sf`` over a
    market's values × tender sizes. Cells with ``u + n > total`` (tiny markets) use scipy.
    """
    u = np.asarray(carried_by, float).reshape(-1, 1)
    n = np.asarray(sizes, int).reshape(1, -1)
    steps = np.arange(max(int(n.max(initial=0)), 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.log1p(-u / (total - steps)[None, :])
        log_none = np.concatenate([np.zeros((len(u), 1)), np.cumsum(terms, axis=1)], axis=1)[:, n[0]]
        ratio = n * u / (total - u - n + 1)
        out = -np.expm1(log_none + np.log1p(ratio))
    easy = (u + n <= total) & (n >= 1)
    if not easy.all():
        hard = np.broadcast_to(~easy, out.shape)
        uu, nn = np.broadcast_arrays(u, n)
        out[hard] = stats.hypergeom.sf(1, total, np.minimum(uu[hard], total), np.minimum(nn[hard], total))
    return np.clip(out, 0.0, 1.0)


def significant(traces: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """The traces that met themselves in some tender with a q-value of at most ``alpha``."""
    return traces.loc[(traces["co_tenders"] > 0) & (traces["qvalue"] <= alpha)].reset_index(drop=True)


def market_traces(data: MarketData, alpha: float = ALPHA) -> pd.DataFrame:
    """The significant traces of a market: :func:`significant` of :func:`same_tender_traces`
    (chance reckoned within the tenders' categories)."""
    return significant(same_tender_traces(data.bids, data.tenders), alpha)


def by_identifier(data: MarketData) -> dict[tuple[str, str], Any]:
    """(kind, value) → its row of :func:`market_traces`, for :func:`evidence` of a shared identifier."""
    return {(t.kind, t.value): t for t in market_traces(data).itertuples(index=False)}


def evidence(trace: Any) -> dict[str, Any]:
    """``{"same_tender": {...}}`` — the facts of a trace (a row of :func:`same_tender_traces`)
    for an identifier's evidence entry; ``{}`` for ``None`` (the identifier is not one)."""
    if trace is None:
        return {}
    return {"same_tender": {"tenders": int(trace.co_tenders), "expected": round(float(trace.expected), 4),
                            "pvalue": float(trace.pvalue), "qvalue": float(trace.qvalue),
                            "bids_carrying_it": int(trace.uses), "firms": list(trace.tied_firms),
                            "tender_ids": list(trace.tenders)}}


#: kind → (what the bids did, the thing in the plural), for sentences
TOLD: dict[str, tuple[str, str]] = {
    "ip": ("were sent from one IP address", "addresses"), "document": ("carried one document file", "files"),
}


def shown(kind: str, value: Any) -> str:
    """A traced value as a sentence quotes it: an IP address whole, a document by its hash's first and
    last 8 characters (``hash 3f1c9a0b…9e2d41c7``; whole when 20 or shorter): a prefix alone can be
    shared by different files (hashes a platform pads with zeros), the two ends together hardly."""
    text = str(value)
    if kind != "document":
        return text
    return f"hash {text}" if len(text) <= 20 else f"hash {text[:8]}…{text[-8:]}"


def chance(expected: float) -> str:
    """The tenders chance alone would give, for a sentence: ``0.68``, or ``fewer than 0.01``."""
    return "fewer than 0.01" if expected < 0.01 else f"{expected:.2f}"


def clauses(identifiers: list[dict[str, Any]], whose: str, where: Callable[[int], str]) -> list[str]:
    """One clause per kind for the identifiers with ``same_tender`` evidence (:func:`evidence`):
    ``in 14 of them bids of two or more of them were sent from one IP address (1.2.3.4; chance
    alone, from how often it is used, would give 0.68 such tenders)``. ``where`` turns the
    number of tenders (of all that kind's values together) into the opening words."""
    out = []
    traced = [i for i in identifiers if "same_tender" in i]
    for kind in sorted({i["kind"] for i in traced}):
        of_kind = [i for i in traced if i["kind"] == kind]
        met = len(set().union(*(i["same_tender"]["tender_ids"] for i in of_kind)))
        did, plural = TOLD.get(kind, (f"carried one {kind}", f"{kind} values"))
        value = shown(kind, of_kind[0]["value"]) if len(of_kind) == 1 else f"{len(of_kind)} such {plural}"
        expected = sum(float(i["same_tender"]["expected"]) for i in of_kind)
        out.append(f"{where(met)} {whose} {did} ({value}; chance alone, from how often "
                   f"{'it is' if len(of_kind) == 1 else 'each is'} used, would give {chance(expected)} such tenders)")
    return out


def same_tender_traces(bids: pd.DataFrame, tenders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every IP or document value carried by ≥ 2 bids, with its same-tender test (memoised
    for the last ``bids`` and ``tenders``: the rings and linked-bidders detectors both read it).

    Parameters
    ----------
    bids : DataFrame
        ``tender_id, firm_id``, ``bid_id`` when present, and the columns of :data:`KIND_COLUMNS`
        (a missing column is a kind without values). Values are compared as their stripped
        text; blank ones carry nothing, and each bidder of a tender (:func:`bidders`: a firm,
        or the partners of a joint bid) carries a value there once.
    tenders : DataFrame, optional
        ``tender_id, category``: chance is reckoned within each category, from the value's
        uses there, so firms of one trade sharing a building's line are compared with that
        trade's tenders, not the whole market's. Tenders without a category form one more
        category; without ``tenders`` the market is one.

    Returns
    -------
    DataFrame
        :data:`TRACE_COLUMNS`, one row per tested value: ``uses`` (bids carrying it, one per
        bidder and tender), ``firms`` (distinct firms), ``co_tenders`` (tenders where bids of
        ≥ 2 bidders carry it),
        ``expected`` (``E_x``), ``pvalue``, ``qvalue``, ``tied_firms`` (the firms whose bids
        carried it in those tenders) and ``tenders`` (those tenders), both sorted tuples, and
        ``carriers`` (each of those tenders → the sorted firms whose bids carried it there);
        sorted by q-value, then kind and value.
    """
    def compute() -> pd.DataFrame:
        segments = None if tenders is None else \
            tenders.drop_duplicates("tender_id").set_index("tender_id")["category"]
        return _traces(bids, segments)

    return memo("same_tender_traces", (bids, tenders), (), compute)


def _traces(bids: pd.DataFrame, segments: pd.Series | None) -> pd.DataFrame:
    columns = [c for c in KIND_COLUMNS.values() if c in bids.columns]
    bids = bids[["tender_id", "firm_id", *columns]].assign(bidder=bidders(bids) if columns else 0)
    out = [frame for kind, column in KIND_COLUMNS.items() if column in bids.columns
           for frame in [_traces_of_kind(kind, bids[["tender_id", "firm_id", column, "bidder"]].dropna(), segments)]
           if len(frame)]
    if not out:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    traces = pd.concat(out, ignore_index=True)
    traces["qvalue"] = traces.groupby("kind")["pvalue"].transform(
        lambda p: stats.false_discovery_control(p.to_numpy(), method="bh"))
    return traces.sort_values(["qvalue", "pvalue", "kind", "value"], kind="stable",
                              ignore_index=True)[TRACE_COLUMNS]


def _traces_of_kind(kind: str, rows: pd.DataFrame, segments: pd.Series | None) -> pd.DataFrame:
    """The rows of :func:`same_tender_traces` for one kind (no q-value), from (tender, firm, value,
    bidder) rows (``bidder``: :func:`bidders`)."""
    text = stripped(rows.iloc[:, 2])
    keep = (text != "").to_numpy()
    tender, tenders = pd.factorize(rows["tender_id"].to_numpy()[keep])
    firm, firms = pd.factorize(rows["firm_id"].to_numpy()[keep])
    value, values = pd.factorize(text.to_numpy()[keep])
    bidder, bidder_ids = pd.factorize(rows["bidder"].to_numpy()[keep])
    if not len(values):
        return pd.DataFrame()
    n_t, n_f, n_v, n_b = len(tenders), len(firms), len(values), len(bidder_ids)
    segment = np.zeros(n_t, dtype=np.int64) if segments is None else \
        pd.factorize(pd.Series(tenders).map(segments).fillna("").astype(str).to_numpy())[0]
    n_s = int(segment.max()) + 1
    # distinct (value, bidder) carriers, a bidder's tender, and one bid per bidder for the totals:
    # the partners of a joint bid, and a firm's bids in one tender, carry a value once
    # pd.unique: numpy 2.4's np.unique hashes int64 codes some 30 times slower
    tender_of_bidder = np.zeros(n_b, dtype=np.int64)
    tender_of_bidder[bidder] = tender
    carrier = pd.unique(value.astype(np.int64) * n_b + bidder)
    value_of, tender_of = carrier // n_b, tender_of_bidder[carrier % n_b]
    size_of = np.bincount(tender_of_bidder, minlength=n_t)
    uses = np.bincount(value_of, minlength=n_v)
    tested = np.flatnonzero(uses >= 2)
    if not tested.size:
        return pd.DataFrame()
    # chance, segment by segment: the value's uses there spread over that segment's bids
    expected = np.zeros(n_v)
    cell_uses = pd.Series(1, index=value_of * n_s + segment[tender_of]).groupby(level=0).size()
    cell_uses = cell_uses.loc[cell_uses.to_numpy() >= 2]
    cell_value, cell_segment = cell_uses.index.to_numpy() // n_s, cell_uses.index.to_numpy() % n_s
    for s in np.unique(cell_segment):
        in_s = cell_segment == s
        sizes = np.bincount(size_of[segment == s])
        sizes[0] = 0
        size_values = np.flatnonzero(sizes)
        chance = at_least_two(int(size_of[segment == s].sum()), cell_uses.to_numpy()[in_s], size_values)
        np.add.at(expected, cell_value[in_s], chance @ sizes[size_values])
    # distinct (value, tender, firm): who holds a value, and whose bids carried it where it met itself
    seen = pd.unique((value.astype(np.int64) * n_t + tender) * n_f + firm)
    seen_value, seen_tender, seen_firm = seen // (n_t * n_f), (seen // n_f) % n_t, seen % n_f
    holders = np.bincount(pd.unique(seen_value * n_f + seen_firm) // n_f, minlength=n_v)
    # (value, tender) cells holding ≥ 2 bidders: the same-tender coincidences
    cells, count = np.unique(value_of * n_t + tender_of, return_counts=True)
    met_cells = cells[count >= 2]
    co = np.bincount(met_cells // n_t, minlength=n_v)
    met = np.isin(seen_value * n_t + seen_tender, met_cells)
    tied = pd.DataFrame({"v": seen_value[met], "tender": tenders[seen_tender[met]], "firm": firms[seen_firm[met]]})
    tied_firms = tied.groupby("v")["firm"].agg(lambda f: tuple(sorted(set(f)))).to_dict()
    tied_tenders = tied.groupby("v")["tender"].agg(lambda t: tuple(sorted(set(t)))).to_dict()
    carriers = {v: {t: tuple(sorted(g["firm"])) for t, g in rows.groupby("tender")} for v, rows in tied.groupby("v")}
    frame = pd.DataFrame({"kind": kind, "value": values[tested], "uses": uses[tested], "firms": holders[tested],
                          "co_tenders": co[tested], "expected": expected[tested]})
    frame["pvalue"] = stats.poisson.sf(frame["co_tenders"] - 1, frame["expected"])
    frame["tied_firms"] = [tied_firms.get(v, ()) for v in tested]
    frame["tenders"] = [tied_tenders.get(v, ()) for v in tested]
    frame["carriers"] = [carriers.get(v, {}) for v in tested]
    return frame
