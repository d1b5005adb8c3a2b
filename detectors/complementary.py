"""Bid suppression without co-bidding: firms that never meet yet share a market segment out.

Indicator
---------
Bid suppression and market allocation (OECD 2009): the members of a cartel take turns, and
in each tender one of them bids (and wins) while the others stay away. They never bid
against each other, so the co-bidding graph of :mod:`detectors.rings` cannot link them and
the price screens see nothing of them. What shows is their *presence*: in a segment of the
market (the same category and region), exactly one member is present in nearly every
tender, and that member wins it.

Method
------
1. **Segments.** Tenders of the same market (``Params.market_columns`` other than the
   region: the category) and the same ``region``. Tenders without a recorded region are
   left out: without a region, firms of different places never meet for honest reasons,
   and geography would pass for avoidance. (``by_year`` makes each year a stratum of its
   own in steps 3–4.)
2. **Candidates.** Firms that won at least ``min_wins`` of the segment's tenders and at
   least ``min_win_rate`` of the segment tenders they bid in (at most ``max_candidates``).
3. **Groups.** Maximal cliques (``networkx.find_cliques``, at most ``max_cliques``) of the
   candidates that keep apart: two are joined when they met in at most
   ``max_meeting_ratio`` of the tenders their activity predicts, ``E_ij = d_i d_j κ`` with
   ``d_i`` firm *i*'s tenders of the segment and ``κ = Σ_t n_t (n_t − 1) / S²`` (the
   configuration null of :mod:`detectors.rings`, per segment), or in at most
   ``max_meetings`` tenders (a cartel slips now and then: a member covers, an order is
   misread). A clique that passes the screen of step 4 is trimmed to the members that pay
   for themselves (``min_member_gain``).
4. **Partition test.** ``K`` is the number of the segment's ``N`` tenders with exactly one
   member. Under the null each member keeps the number of tenders it bid in, ``d_i``, and
   *which* tenders is left to chance (a permutation null, as for the runs test of step 5);
   the p-value is ``P(K' ≥ K)`` computed exactly by :func:`fixed_count_pmf` (a dynamic
   programme over the members with hypergeometric steps). Cliques are screened and trimmed
   with a fast approximation that lets the counts vary: members entering each tender
   independently at their rates ``p_i = d_i / N``, so that a tender has exactly one of them
   with probability ``q = Σ_i p_i Π_{j≠i} (1 − p_j)`` and ``K' ~ Binomial(N, q)``
   (:func:`log_binomial_sum_tail`, exact far into the tail). Where a group covers its
   segment this p-value is smaller than the exact one (2–8 times on the cartels of
   ``benchmarks/foreign_markets.py``), but where the segment also holds honest firms'
   tenders it can be larger (3.5 times in a review's example), so it only screens, at
   ``SCREEN_SLACK`` (20) times the level; the exact test decides, except where its
   programme would be too large (``evidence["null"]`` says which, and the binomial decides).
   The cliques are picked for how rarely their members met, so the p-value is multiplied
   by the number of groups of 2 … ``max_group_size`` that the segment's candidates *could*
   form, and by the number of segments searched (Bonferroni within the segment, then across
   segments: a busy segment elsewhere does not dilute this one), and a group is kept at
   ``max_pvalue``. Firms that meet as often as their activity predicts give ``K ≈ E[K']``.
5. **Turns interleave** (:func:`turns_clustering`, ``max_clustering_pvalue``): one firm
   taking over from another (a successor, a renamed firm) never meets it and is present in
   one block after the other; along the dated tenders in time order the same member comes
   twice in a row far more often than a random order of the same turns gives. Such groups
   are dropped, and so are groups with fewer than ``min_tenders`` dated turns (they cannot
   be told apart). A cartel that hands out whole quarters looks the same and is missed.
6. **One market** (:func:`shared_rivals`): members of separate sub-markets that one
   category lumps together (product lines, say) also keep apart and each win their own,
   but each meets its own rivals. A group is kept only when its members' rivals bid
   against two or more members at least ``min_shared_ratio`` as often as one common market
   predicts.

Each kept group is a ring (kind ``ring``) whose tenders are the segment tenders where one
member bid alone, scored 0–100 from four components (weights in brackets,
``Params.weights``):

* complementary presence [55] — ``(z − 1.5) / (4 − 1.5)`` clipped to [0, 1], ``z`` the
  normal quantile of the adjusted p-value (as turn-taking in :mod:`detectors.rings`);
* member wins [15] — how far the ``w`` wins of the member present exceed the
  ``e = Σ 1 / n_t`` that equal chances give over those ``K`` tenders: ``(w − e) / (K − e)``;
* rotation [15] — the normalised entropy of the wins among the members (``H / ln k``)
  times their win share: a cartel shares the wins out;
* shared identifiers [15] — as in :mod:`detectors.rings` (:mod:`detectors.identifiers`: held
  by ``m`` of the ``n`` firms holding it: ``m / n · (m − 1) / (k − 1)``, summed and capped at 1).

A reported group has passed the partition test at ``max_pvalue`` after the corrections and
both gates, so it scores at least 18 from presence alone and nearly always lands in the ring
detector's strong tier (≥ 20), which the co-bidding rings reach only above what chance gives
on null markets; here chance is already accounted for by the test.

Measured (``benchmarks/foreign_markets.py --seeds 1 2 3 4 5 6 --honest 40``): the
bid-suppression cartel, which the co-bidding rings cannot see, is found in 5 of 6 markets
(the sixth holds 11 tenders in its segment, 9 of them with one of three members alone:
p = 0.021 before the corrections; adjusted p 2e-8 to 0.002 for the five); no group is
reported on the honest look-alikes planted beside it (hidden sub-markets: three product lines
of one category, each with its own specialists and low-cost leader; a strong local firm
handing over to the next each year), on the 40 markets without any cartel, or on the demo
markets of seeds 1–6 (``benchmarks/quality.py``).

References
----------
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement
("bid suppression", "market allocation"; "certain firms never bid against each other").
Wachs, J., & Kertész, J. (2019). A network approach to cartel detection in public auction
markets. Scientific Reports, 9, 10818 (the configuration null of co-bidding).
Wald, A., & Wolfowitz, J. (1940). On a test whether two samples are from the same
population. Annals of Mathematical Statistics, 11(2), 147–162 (the runs test).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse, special, stats

from detectors.finding import Finding, between_tenders, counted, listed, tender_period, yearly
from detectors.identifiers import KIND_PHRASE, shared_identifiers
from detectors.market import MarketData
from detectors.screens import NO_CATEGORY

__all__ = ["Params", "WEIGHTS", "complementary_groups", "exactly_one_probability", "findings",
           "groups_to_test", "log_binomial_sum_tail", "shared_rivals", "turns_clustering"]

#: maximum contribution of each score component (sums to 100)
WEIGHTS: dict[str, float] = {
    "complementary": 55.0,  # exactly one member present in the segment's tenders, beyond chance
    "member_wins": 15.0,    # the member present wins, beyond equal chances
    "rotation": 15.0,       # the wins are shared out among the members
    "identifiers": 15.0,    # specific phones/addresses/persons/IPs/documents shared
}
#: the partition test's z (of the adjusted p-value) counts from 1.5 and in full from 4, as the
#: ring detector's turn-taking and segmentation
Z_RAMP = (1.5, 4.0)
#: the screen lets groups through at this many times the level: the binomial is smaller than the exact
#: p-value where a group covers its segment, but larger (up to 3.5 times, measured) where the segment
#: also holds tenders of honest firms, and a screen must not drop what the exact test would keep
SCREEN_SLACK = 20.0


@dataclass(frozen=True)
class Params:
    """Settings of the complementary-presence search (defaults in brackets).

    min_wins [3]: a candidate won at least this many tenders of the segment.
    min_win_rate [0.5]: … and at least this share of the segment tenders it bid in.
    max_meeting_ratio [0.25]: two candidates keep apart when they met in at most this share
        of the tenders their activity predicts.
    max_meetings [1]: … or in at most this many (a cartel slips: a member covers now and then).
    min_tenders [8]: a group must be alone in at least this many tenders.
    max_pvalue [0.01]: adjusted p-value of the partition test for a group (Bonferroni over the
        groups the segment's candidates can form, then over the segments).
    max_group_size [12]: larger groups are trimmed (a ring is a small group).
    min_member_gain [10.0]: every member must make its group's p-value at least this many
        times smaller, and at least as many times as the segment has candidates (the cost of
        picking it among them); the member whose leaving weakens the group least goes until
        every one does (:meth:`_Segment.trimmed`). Complementary presence is a group effect
        (each member's tenders are the others' absences), so a firm that only won tenders the
        members left alone, never met them and faced the same rivals does what a member does
        and stays: the sentence lists each member's wins.
    max_candidates [40], max_cliques [2000]: per segment, the candidates with most wins and
        the first maximal cliques taken (the search is exponential in the worst case).
    max_clustering_pvalue [0.01]: a group is kept only when its members' turns interleave in
        time (:func:`turns_clustering`), at least ``min_tenders`` of them dated: one firm
        taking over from another (a successor, a renamed firm) is present in
        one block after the other, and undated turns cannot tell.
    by_year [False]: test within each year (each firm's count fixed per year) rather than over
        the whole period. Off: succession shows in the runs test anyway, and yearly strata
        of a few tenders leave the exact test no power (the bid-suppression cartels of
        ``benchmarks/foreign_markets.py``: 5 of 6 found over the whole period, 3 of 6 by year).
    min_expected_shared [5.0], min_shared_ratio [0.5]: a group is kept only when its members
        face the same rivals (:func:`shared_rivals`): one common market must predict at
        least ``min_expected_shared`` shared rival bids, and at least ``min_shared_ratio`` of
        that many must be observed. Members of separate sub-markets that one category
        lumps together also keep apart and each win their own, but their rivals differ
        (measured: 0.00–0.21 of the expected on such honest markets, 0.88–1.10 for the bid
        suppression cartels of ``benchmarks/foreign_markets.py``).
    """

    min_wins: int = 3
    min_win_rate: float = 0.5
    max_meeting_ratio: float = 0.25
    max_meetings: int = 1
    min_tenders: int = 8
    max_pvalue: float = 0.01
    max_group_size: int = 12
    min_member_gain: float = 10.0
    max_candidates: int = 40
    max_cliques: int = 2000
    max_clustering_pvalue: float = 0.01
    by_year: bool = False
    min_expected_shared: float = 5.0
    min_shared_ratio: float = 0.5
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))


def exactly_one_probability(rates: np.ndarray) -> np.ndarray:
    """Per row of ``rates`` (members' presence probabilities), P(exactly one is present).

    ``q = Σ_i p_i Π_{j≠i} (1 − p_j)``, computed without dividing by ``1 − p_i`` (a rate of 1
    is allowed: then q is the probability that no other member is present).
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=float))
    rows = rates.shape[0]
    absent = 1.0 - rates
    before = np.cumprod(np.hstack([np.ones((rows, 1)), absent[:, :-1]]), axis=1)  # Π_{j<i} (1 − p_j)
    reverse = absent[:, ::-1]
    after = np.cumprod(np.hstack([np.ones((rows, 1)), reverse[:, :-1]]), axis=1)[:, ::-1]  # Π_{j>i} (1 − p_j)
    return np.sum(rates * before * after, axis=1)


def _segments(data: MarketData, market_columns: tuple[str, ...], by_year: bool = False) -> pd.DataFrame:
    """Distinct (tender, firm) bids of tenders with a region: their ``market`` (the values of
    ``market_columns`` other than the region, joined by " / "; :data:`NO_CATEGORY` when blank),
    ``region``, ``day`` (:meth:`MarketData.tender_days`), ``year`` (the stratum: the year with
    ``by_year``, −1 when undated; else 0 for all), ``bidders`` and winner flag."""
    data = data.with_winners()
    tenders = data.tenders.drop_duplicates("tender_id").set_index("tender_id")
    region = tenders["region"].astype("string").str.strip()
    parts = [tenders[c].astype("string").str.strip().fillna("") for c in market_columns
             if c in tenders.columns and c != "region"]
    market = pd.Series("", index=tenders.index, dtype="string")
    for i, part in enumerate(parts):
        market = market + (" / " if i else "") + part
    market = market.where(market.str.strip(" /") != "", NO_CATEGORY)
    keep = region.notna() & (region != "")
    bids = data.distinct_bids()
    bids = bids.loc[bids["tender_id"].isin(keep.index[keep])].copy()
    bids["market"] = bids["tender_id"].map(market).astype(str)
    bids["region"] = bids["tender_id"].map(region).astype(str)
    bids["day"] = pd.to_datetime(bids["tender_id"].map(data.tender_days()), errors="coerce")
    bids["year"] = bids["day"].dt.year.fillna(-1).astype(int) if by_year else 0
    bids["bidders"] = bids.groupby("tender_id")["firm_id"].transform("size")
    return bids


def log_binomial_sum_tail(k: int, trials: np.ndarray, probs: np.ndarray) -> float:
    """``ln P(X ≥ k)`` for ``X = Σ_y Binomial(trials_y, probs_y)``, exact and without underflow.

    The binomials' pmfs are convolved. Far in the upper tail (``k`` above the mean) they are
    first tilted by ``θ^x`` (exponential tilting: ``Binomial(n, p)`` becomes
    ``Binomial(n, pθ / (1 − p + pθ))``) with ``θ`` chosen so that the tilted mean is ``k``,
    where double precision holds the tail; ``P(X = x) = M(θ) θ^(−x) P_θ(X = x)`` with
    ``ln M(θ) = Σ_y n_y ln(1 − p_y + p_y θ)`` brings it back. −inf when ``X`` cannot reach ``k``.
    """
    trials = np.asarray(trials, dtype=int)
    probs = np.clip(np.asarray(probs, dtype=float), 0.0, 1.0)
    if k <= 0:
        return 0.0
    if k > int(trials[probs > 0].sum()):
        return -math.inf
    tilt = 0.0
    if k > float(np.sum(trials * probs)):
        def tilted_mean(t: float) -> float:
            with np.errstate(divide="ignore"):
                return float(np.sum(trials * special.expit(np.log(probs) + t - np.log1p(-probs))))
        low, high = 0.0, 1.0
        while tilted_mean(high) < k and high < 1e4:
            low, high = high, 2 * high
        for _ in range(60):
            mid = (low + high) / 2
            low, high = (mid, high) if tilted_mean(mid) < k else (low, mid)
        tilt = low
    with np.errstate(divide="ignore"):
        log_p, log_q = np.log(probs), np.log1p(-probs)
    pmf = np.ones(1)
    for n, lp, lq in zip(trials, log_p, log_q, strict=True):
        pmf = np.convolve(pmf, _binomial_pmf(int(n), float(special.expit(lp + tilt - lq)) if lq > -np.inf else 1.0))
    log_m = float(np.sum(trials * np.logaddexp(log_q, log_p + tilt)))
    x = np.arange(k, len(pmf))
    with np.errstate(divide="ignore"):
        terms = np.log(pmf[k:]) - x * tilt
    return min(0.0, log_m + float(special.logsumexp(terms)))


def _binomial_pmf(n: int, p: float) -> np.ndarray:
    """Binomial(n, p) probabilities of 0 … n (``scipy.stats.binom.pmf``, without its per-call cost)."""
    x = np.arange(n + 1)
    if p <= 0.0 or p >= 1.0:
        return (x == (n if p >= 1.0 else 0)).astype(float)
    log = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    return np.exp(log + x * math.log(p) + (n - x) * math.log1p(-p))


def fixed_count_pmf(n: int, counts: Sequence[int]) -> np.ndarray:
    """``P(K = k)``, k = 0 … n, for ``K`` the tenders with exactly one of the firms present, when
    firm *i* bids in ``counts[i]`` of the ``n`` tenders, chosen at random (its count fixed).

    The permutation null of the partition test: each firm keeps the number of tenders it bid
    in and only *which* tenders is left to chance. A dynamic programme over the firms on the
    state (tenders with exactly one firm ``a``, with two or more ``b``): the next firm's ``d``
    tenders take ``j`` of the ``a``, ``l`` of the ``b`` and ``r = d − j − l`` of the
    ``u = n − a − b`` empty ones with the hypergeometric probability
    ``C(a, j) C(b, l) C(u, r) / C(n, d)``, leading to ``(a − j + r, b + j)``.
    """
    size = min(n, int(sum(counts))) + 1
    top = max([int(d) for d in counts] + [0])
    x, k = np.arange(n + 1)[:, None], np.arange(top + 1)[None, :]
    with np.errstate(invalid="ignore"):
        log_comb = special.gammaln(x + 1) - special.gammaln(k + 1) - special.gammaln(x - k + 1)
    log_comb = np.where(k <= x, log_comb, -np.inf)  # ln C(x, k), x = 0 … n, k = 0 … top
    state = np.zeros((size, size))
    state[0, 0] = 1.0
    for d in (int(c) for c in counts):
        if d <= 0:
            continue
        rows, cols = np.flatnonzero(state.any(axis=1)), np.flatnonzero(state.any(axis=0))
        a, b = np.arange(rows.max() + 1), np.arange(cols.max() + 1)
        block = state[: len(a), : len(b)]
        empty = n - (a[:, None] + b[None, :])
        log_empty = [np.where(empty >= r, log_comb[np.clip(empty, 0, n), r], -np.inf) for r in range(d + 1)]
        nxt = np.zeros_like(state)
        for j in range(min(d, len(a) - 1) + 1):
            for l_ in range(min(d - j, len(b) - 1) + 1):
                r = d - j - l_
                log_w = log_comb[a, j][:, None] + log_comb[b, l_][None, :] + log_empty[r] - log_comb[n, d]
                moved = block * np.exp(log_w)  # (a, b) → (a − j + r, b + j); rows a < j weigh 0
                src = moved[j:, :]
                stop_row, stop_col = min(size, r + src.shape[0]), min(size, j + src.shape[1])
                nxt[r:stop_row, j:stop_col] += src[: stop_row - r, : stop_col - j]
        state = nxt
    pmf = np.zeros(n + 1)
    pmf[:size] = state.sum(axis=1)
    return pmf


def log_fixed_count_tail(k: int, strata: Sequence[tuple[int, Sequence[int]]], max_work: float = 1e9) -> float | None:
    """``ln P(K ≥ k)`` under :func:`fixed_count_pmf`, ``K`` summed over the strata (years) given as
    (tenders, the members' counts); None when the programme would exceed ``max_work`` steps
    (then the binomial approximation stands) or the tail underflows."""
    work = sum((min(n, sum(c)) + 1) ** 2 * sum((d + 1) * (d + 2) / 2 for d in c) for n, c in strata)  # ~1 s per 1e9
    if work > max_work:
        return None
    total = np.ones(1)
    for n, counts in strata:
        total = np.convolve(total, fixed_count_pmf(int(n), counts))
    tail = float(total[k:].sum()) if k < len(total) else 0.0
    return math.log(min(tail, 1.0)) if tail > 1e-300 else None


def turns_clustering(sequence: Sequence[Any], shuffles: int = 2000, seed: int = 0) -> tuple[int, float, float]:
    """Runs test on the order of turns: (repeats, expected repeats, p-value of that many or more).

    ``repeats`` counts the same member coming twice in a row. With the members' counts
    ``n_i`` fixed (``K`` turns), a random order gives ``E = Σ n_i (n_i − 1) / K`` repeats;
    the p-value is the share of ``shuffles`` seeded random orders with at least as many
    (``(1 + hits) / (1 + shuffles)``). Few: the members alternate; many: they come in blocks.
    """
    codes = pd.factorize(pd.Series(list(sequence), dtype=object))[0]
    k = len(codes)
    if k < 2:
        return 0, 0.0, 1.0
    repeats = int(np.sum(codes[1:] == codes[:-1]))
    counts = np.bincount(codes)
    expected = float(np.sum(counts * (counts - 1)) / k)
    rng, hits = np.random.default_rng(seed), 0
    for start in range(0, shuffles, 100):  # 100 orders at a time: memory stays 100 × K
        orders = rng.permuted(np.tile(codes, (min(100, shuffles - start), 1)), axis=1)
        hits += int(np.sum((orders[:, 1:] == orders[:, :-1]).sum(axis=1) >= repeats))
    return repeats, expected, (1 + hits) / (1 + shuffles)


@dataclass
class _Segment:
    """One segment's tenders and its candidates' bids, as arrays (tender and firm codes)."""

    tender_ids: np.ndarray     # tender code → id
    year_of: np.ndarray        # tender code → year code
    n_year: np.ndarray         # year code → tenders
    bidders: np.ndarray        # tender code → bidders
    order: np.ndarray          # dated tender codes in time order
    firms: np.ndarray          # firm code → id (candidates only)
    firm: np.ndarray           # per candidate bid: firm code
    tender: np.ndarray         # per candidate bid: tender code
    won: np.ndarray            # per candidate bid: won
    presence: np.ndarray       # firm code × year code → tenders bid

    @classmethod
    def of(cls, segment: pd.DataFrame, candidates: list[str]) -> _Segment:
        tender_ids, tender = np.unique(segment["tender_id"].to_numpy(dtype=str), return_inverse=True)
        first = np.unique(tender, return_index=True)[1]
        years, year_of = np.unique(segment["year"].to_numpy()[first], return_inverse=True)
        day = segment["day"].to_numpy()[first]
        dated = np.flatnonzero(~pd.isna(day))
        order = dated[np.lexsort((dated, day[dated].astype("datetime64[ns]").astype(np.int64)))]
        mine = segment["firm_id"].isin(candidates).to_numpy()
        firm, firms = pd.factorize(segment["firm_id"].to_numpy()[mine])
        presence = np.zeros((len(firms), len(years)))
        np.add.at(presence, (firm, year_of[tender[mine]]), 1.0)
        return cls(tender_ids, year_of, np.bincount(year_of, minlength=len(years)).astype(float),
                   segment["bidders"].to_numpy(dtype=float)[first], order, np.asarray(firms, dtype=object), firm,
                   tender[mine], segment["is_winner"].to_numpy(dtype=bool)[mine], presence)

    def apart(self, params: Params) -> nx.Graph:
        """Candidates (codes) joined when they met at most as often as ``params`` allow."""
        n = self.bidders
        kappa = np.bincount(self.year_of, n * (n - 1)) / np.maximum(np.bincount(self.year_of, n), 1.0) ** 2
        expected = (self.presence * kappa) @ self.presence.T
        incidence = sparse.csr_matrix((np.ones(len(self.firm)), (self.firm, self.tender)),
                                      shape=(len(self.firms), len(self.tender_ids)))
        met = (incidence @ incidence.T).toarray()
        graph = nx.Graph()
        graph.add_nodes_from(range(len(self.firms)))
        for i, j in itertools.combinations(range(len(self.firms)), 2):
            if met[i, j] <= max(params.max_meeting_ratio * expected[i, j], params.max_meetings):
                graph.add_edge(i, j)
        return graph

    def pvalue(self, group: Sequence[int]) -> tuple[float, int, np.ndarray]:
        """The partition test of ``group`` (firm codes): (ln p-value, K, members present per tender)."""
        members_in = np.bincount(self.tender[np.isin(self.firm, group)], minlength=len(self.tender_ids))
        q_year = exactly_one_probability((self.presence[list(group)] / self.n_year).T)
        k = int((members_in == 1).sum())
        return log_binomial_sum_tail(k, self.n_year.astype(int), q_year), k, members_in

    def trimmed(self, clique: Sequence[int], params: Params, gain: float) -> tuple[int, ...]:
        """``clique`` less the members that do not pay for themselves (backward elimination):
        while the group is larger than ``max_group_size``, or some member makes its p-value
        fewer than ``gain`` times smaller, the member whose leaving weakens it least goes."""
        group = sorted(clique)
        while len(group) > 2:
            log_p = self.pvalue(group)[0]
            without = [self.pvalue([g for g in group if g != m])[0] for m in group]
            weakest = int(np.argmin(without))
            if len(group) <= params.max_group_size and without[weakest] - log_p >= math.log(gain):
                break
            group.pop(weakest)
        return tuple(group)

    def row(self, group: tuple[int, ...]) -> dict[str, Any]:
        """The facts of one group's partition test."""
        log_p, k, members_in = self.pvalue(group)
        alone = members_in == 1
        in_group = np.isin(self.firm, group)
        solo = in_group & alone[self.tender]
        wins = pd.Series(self.firms[self.firm[solo & self.won]]).value_counts()
        present = np.full(len(self.tender_ids), -1)
        present[self.tender[solo]] = self.firm[solo]
        turns = present[self.order]
        q_year = exactly_one_probability((self.presence[list(group)] / self.n_year).T)
        return {
            "firms": sorted(str(self.firms[i]) for i in group), "tenders": sorted(self.tender_ids[alone].tolist()),
            "alone": k, "expected_alone": float(q_year[self.year_of].sum()),
            "segment_tenders": len(self.tender_ids),
            "meetings": int((members_in >= 2).sum()), "absent": int((members_in == 0).sum()),
            "member_wins": int(wins.sum()),
            "expected_wins": float(np.sum(1.0 / self.bidders[self.tender[solo]])),
            "wins_by_member": {str(f): int(c) for f, c in sorted(wins.items(), key=lambda kv: (-kv[1], str(kv[0])))},
            "turns": [str(self.firms[i]) for i in turns[turns >= 0]],
            "strata": [(int(n), [int(c) for c in self.presence[list(group), y]]) for y, n in enumerate(self.n_year)],
            "log_pvalue": log_p, "pvalue": math.exp(log_p),
        }


def _segment_tests(segment: pd.DataFrame, candidates: list[str], params: Params,
                   max_raw_pvalue: float) -> list[dict[str, Any]]:
    """The partition test of each group of one segment: its ``candidates`` (winners) that keep
    apart (maximal cliques, at most ``max_cliques`` of them); a clique whose p-value is at
    most ``max_raw_pvalue`` is trimmed to the members that pay for themselves (module
    docstring, steps 3–4), one that is not stays as it is and is not reported (a part of it
    that would pass without a weak member is not looked for)."""
    seg = _Segment.of(segment, candidates)
    gain = max(params.min_member_gain, float(len(candidates)))
    groups = set()
    for clique in itertools.islice(nx.find_cliques(seg.apart(params)), params.max_cliques):
        group = tuple(sorted(clique))
        if len(group) >= 2:
            passes = seg.pvalue(group)[0] <= math.log(max_raw_pvalue * SCREEN_SLACK)
            groups.add(seg.trimmed(group, params, gain) if passes else group)
    return [seg.row(group) for group in sorted(groups) if 2 <= len(group) <= params.max_group_size]


def groups_to_test(candidates: int, max_size: int) -> float:
    """How many groups of 2 … ``max_size`` members ``candidates`` firms can form."""
    return float(sum(math.comb(candidates, k) for k in range(2, min(candidates, max_size) + 1)))


def complementary_groups(data: MarketData, params: Params | None = None,
                         market_columns: tuple[str, ...] = ("category",)) -> pd.DataFrame:
    """Groups that share a segment out between them, most significant first (see module docstring).

    Columns: ``market`` (category), ``region``, ``firms`` (sorted), ``tenders`` (segment
    tenders with exactly one member, sorted), ``alone`` (K), ``expected_alone`` (E[X]),
    ``segment_tenders`` (N), ``meetings`` (tenders with ≥ 2 members), ``absent`` (tenders
    with none), ``member_wins`` (of the K), ``expected_wins`` (Σ 1/n_t over the K: equal
    chances), ``wins_by_member``, ``turns`` (the member alone, dated tenders in time order),
    ``pvalue`` (raw) and ``log_pvalue`` (its logarithm, exact where the p-value underflows),
    ``candidates`` (in the segment), ``segment_groups`` (groups its
    candidates can form), ``segments`` (with ≥ 2 candidates), ``adjusted`` (p × segment_groups
    × segments: Bonferroni within the segment, then across segments) and ``log_adjusted``, ``repeats``,
    ``expected_repeats``, ``clustering_pvalue`` (:func:`turns_clustering`), ``rival_bids``,
    ``shared_rival_bids``, ``expected_shared_rival_bids`` (:func:`shared_rivals`).
    """
    params = params or Params()
    bids = _segments(data, market_columns, params.by_year)
    keys = ["market", "region"]
    per = bids.groupby([*keys, "firm_id"]).agg(entered=("tender_id", "size"), won=("is_winner", "sum"))
    per = per.loc[(per["won"] >= params.min_wins) & (per["won"] >= params.min_win_rate * per["entered"])].reset_index()
    # the busiest segments keep their max_candidates firms with most wins
    per = per.sort_values([*keys, "won", "firm_id"], ascending=[True, True, False, True], kind="mergesort")
    per = per.loc[per.groupby(keys).cumcount() < params.max_candidates]
    per = per.loc[per.groupby(keys)["firm_id"].transform("size") >= 2]
    candidates = per.groupby(keys)["firm_id"].agg(list).to_dict()
    bids = bids.loc[pd.MultiIndex.from_frame(bids[keys]).isin(list(candidates))]
    tested: list[dict[str, Any]] = []
    for (market, region), segment in bids.groupby(keys, sort=True):
        names = candidates[(market, region)]
        groups = groups_to_test(len(names), params.max_group_size)
        tested += [{"market": market, "region": region, **test, "candidates": len(names), "segment_groups": groups}
                   for test in _segment_tests(segment, names, params, params.max_pvalue / groups / len(candidates))]
    columns = ["market", "region", "firms", "tenders", "alone", "expected_alone", "segment_tenders", "meetings",
               "absent", "member_wins", "expected_wins", "wins_by_member", "turns", "strata", "log_pvalue", "pvalue",
               "candidates", "segment_groups"]
    table = pd.DataFrame(tested, columns=columns)
    table["segments"] = len(candidates)
    correction = np.log(table["segment_groups"].astype(float)) + math.log(max(len(candidates), 1))
    # screened with the binomial (fast; SCREEN_SLACK times the level, as it can exceed the exact
    # p-value), then tested with the members' counts fixed where the programme is affordable
    table = table.loc[(table["alone"] >= params.min_tenders)
                      & (np.minimum(table["log_pvalue"] + correction, 0.0)
                         <= math.log(params.max_pvalue * SCREEN_SLACK))].copy()
    exact = [log_fixed_count_tail(int(row.alone), row.strata) for row in table.itertuples()]
    table["null"] = ["fixed counts" if e is not None else "independent entry" for e in exact]
    table["log_pvalue"] = [e if e is not None else lp for e, lp in zip(exact, table["log_pvalue"], strict=True)]
    table["pvalue"] = np.exp(table["log_pvalue"])
    table["log_adjusted"] = np.minimum(table["log_pvalue"] + correction.loc[table.index], 0.0)
    table["adjusted"] = np.exp(table["log_adjusted"])
    table = table.loc[table["log_adjusted"] <= math.log(params.max_pvalue)].copy()
    runs = [turns_clustering(turns) for turns in table["turns"]]
    table["repeats"] = [r[0] for r in runs]
    table["expected_repeats"] = [r[1] for r in runs]
    table["clustering_pvalue"] = [r[2] for r in runs]
    rivals = [shared_rivals(bids.loc[bids["tender_id"].isin(row.tenders)], row.firms) for row in table.itertuples()]
    table["rival_bids"] = [r[0] for r in rivals]
    table["shared_rival_bids"] = [r[1] for r in rivals]
    table["expected_shared_rival_bids"] = [r[2] for r in rivals]
    interleaved = (table["turns"].map(len) >= params.min_tenders) & (
        table["clustering_pvalue"] > params.max_clustering_pvalue)
    one_market = (table["expected_shared_rival_bids"] >= params.min_expected_shared) & (
        table["shared_rival_bids"] >= params.min_shared_ratio * table["expected_shared_rival_bids"])
    table = table.loc[interleaved & one_market]
    return table.sort_values(["log_adjusted", "market", "region"], kind="mergesort").reset_index(drop=True)


def shared_rivals(bids: pd.DataFrame, members: list[str]) -> tuple[int, int, float]:
    """Whether the members face the same rivals: (rival bids, shared, expected shared).

    ``bids`` are the bids (tender_id, firm_id) of the tenders where exactly one member bid.
    Counted are the bids of rivals (non-members) that bid in at least two of these tenders;
    a bid is *shared* when its rival also bid against another member. In one common market
    rival ``r`` with ``n_r`` such bids meets the members independently of which one is
    present, in proportion ``p_i`` to the tenders each is alone in, so
    ``E[shared] = Σ_r n_r (1 − Σ_i p_i^{n_r})``. Members in separate sub-markets (hidden
    product lines of one category, say) each face their own rivals: shared ≪ expected.
    """
    member = bids.loc[bids["firm_id"].isin(members), ["tender_id", "firm_id"]]
    present = member.set_index("tender_id")["firm_id"]
    rivals = bids.loc[~bids["firm_id"].isin(members), ["tender_id", "firm_id"]]
    rivals = rivals.assign(member=rivals["tender_id"].map(present))
    counts = rivals.groupby("firm_id").agg(n=("member", "size"), met=("member", "nunique"))
    counts = counts.loc[counts["n"] >= 2]
    share = member["firm_id"].value_counts(normalize=True).to_numpy()
    n = counts["n"].to_numpy()
    expected = float(np.sum(n * (1.0 - (share[None, :] ** n[:, None]).sum(axis=1)))) if len(n) else 0.0
    return int(n.sum()), int(n[counts["met"].to_numpy() >= 2].sum()), expected


def _ramp(z: float) -> float:
    return float(np.clip((z - Z_RAMP[0]) / (Z_RAMP[1] - Z_RAMP[0]), 0.0, 1.0))


def components(row: pd.Series, shared_strength: float, shared_count: int,
               weights: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Each component's value in [0, 1], the facts behind it and its contribution to the score."""
    z = -float(special.ndtri_exp(row["log_adjusted"]))  # the normal quantile, also where p underflows
    k, wins, chance = int(row["alone"]), int(row["member_wins"]), float(row["expected_wins"])
    share = wins / k if k else 0.0
    member_wins = float(np.clip((wins - chance) / (k - chance), 0.0, 1.0)) if k > chance else 0.0
    counts = np.array(list(row["wins_by_member"].values()), dtype=float)
    size = len(row["firms"])
    evenness = float(stats.entropy(counts) / math.log(size)) if counts.sum() and size > 1 else 0.0
    values = {
        "complementary": (_ramp(z), {
            "tenders_with_one_member": k, "expected_with_independent_entry": round(float(row["expected_alone"]), 2),
            "segment_tenders": int(row["segment_tenders"]), "tenders_with_two_or_more_members": int(row["meetings"]),
            "tenders_with_no_member": int(row["absent"]), "null": row["null"], "pvalue": float(row["pvalue"]),
            "log10_pvalue": round(float(row["log_pvalue"]) / math.log(10), 2),
            "candidates_in_segment": int(row["candidates"]), "groups_they_can_form": float(row["segment_groups"]),
            "segments_searched": int(row["segments"]), "adjusted_pvalue": float(row["adjusted"]),
            "log10_adjusted_pvalue": round(float(row["log_adjusted"]) / math.log(10), 2),
            "z": round(z, 2), "counts_from_z": Z_RAMP[0], "full_at_z": Z_RAMP[1],
            "rival_bids": int(row["rival_bids"]), "shared_rival_bids": int(row["shared_rival_bids"]),
            "expected_shared_rival_bids": round(float(row["expected_shared_rival_bids"]), 2)}),
        "member_wins": (member_wins, {"won_by_the_member_present": wins, "tenders": k,
                                      "expected_at_equal_chances": round(chance, 2)}),
        "rotation": (evenness * share, {"winner_evenness": round(evenness, 4), "member_win_share": round(share, 4),
                                        "repeats": int(row["repeats"]),
                                        "expected_repeats": round(float(row["expected_repeats"]), 2),
                                        "clustering_pvalue": float(row["clustering_pvalue"])}),
        "identifiers": (shared_strength, {"identifiers_shared": shared_count}),
    }
    return {name: {"value": round(float(v), 4), "weight": weights.get(name, 0.0),
                   "contribution": round(float(v) * weights.get(name, 0.0), 2), "facts": facts}
            for name, (v, facts) in values.items()}


def _explain(row: pd.Series, dates: dict[str, Any], shared: list[dict[str, Any]]) -> str:
    """One sentence of the group's facts."""
    where = f"region {row['region']}" if row["market"] == NO_CATEGORY else f"{row['market']} in region {row['region']}"
    k, n, met = int(row["alone"]), int(row["segment_tenders"]), int(row["meetings"])
    apart = "never bid against each other" if not met else \
        f"rarely bid against each other (two or more of them in {counted(met, 'tender')})"
    period = between_tenders(dates, k)
    ranked = sorted(row["wins_by_member"].items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [
        f"{len(row['firms'])} firms {apart} in the tenders of {where}: exactly one of them bid in {k} of its {n} "
        f"tenders ({f'those {k}{period}; ' if period else ''}entering independently at their own rates, exactly "
        f"one would have bid in about {row['expected_alone']:.0f})",
        f"the one that bid won {row['member_wins']} of the {k} (about {row['expected_wins']:.0f} at equal chances; "
        f"{listed([f'{f} {c}' for f, c in ranked], len(ranked))})",
        f"their turns came in an order a random draw gives (the same firm twice in a row {counted(row['repeats'], 'time')}, "
        f"{row['expected_repeats']:.1f} at random)",
        f"{row['shared_rival_bids']} of the {row['rival_bids']} bids of their repeat rivals came from firms that "
        f"also bid against another of them ({row['expected_shared_rival_bids']:.0f} in one common market)",
    ]
    if shared:
        top = shared[0]
        kind = KIND_PHRASE.get(str(top["kind"]), f"a {top['kind']}")
        parts.append(f"{len(top['members'])} of them share {kind} held by {counted(top['holders'], 'firm')}")
    text = ", ".join(parts[:-1]) + ", and " + parts[-1] + "."
    return text[0].upper() + text[1:]


def findings(data: MarketData, table: pd.DataFrame, identifiers: pd.DataFrame,
             traced: Mapping[tuple[str, str], Any], params: Params, strong_score: float,
             detector: str) -> list[Finding]:
    """One ring Finding per group of :func:`complementary_groups` (kind ``ring``, tenders = those
    with exactly one member); ``identifiers`` = firm_id, kind, value, holders of the members,
    ``traced`` their same-tender traces (:func:`detectors.bid_traces.by_identifier`)."""
    tender_day = data.tender_days()
    by_year = yearly(tender_day)
    thresholds = {name: value for name, value in dataclasses.asdict(params).items() if name != "weights"}
    out: list[Finding] = []
    for _, row in table.iterrows():
        members = [str(f) for f in row["firms"]]
        shared, strength = shared_identifiers(len(members), identifiers.loc[identifiers["firm_id"].isin(members)],
                                              traced)
        comps = components(row, strength, len(shared), params.weights)
        score = float(np.clip(sum(c["contribution"] for c in comps.values()), 0.0, 100.0))
        dates = tender_period(tender_day, row["tenders"], by_year)
        evidence = {
            "members": members, "size": len(members), "category": row["market"], "region": row["region"],
            **dates,
            "segment_tenders": int(row["segment_tenders"]), "tenders_with_one_member": int(row["alone"]),
            "expected_with_independent_entry": round(float(row["expected_alone"]), 2),
            "tenders_with_two_or_more_members": int(row["meetings"]),
            "tenders_with_no_member": int(row["absent"]),
            "member_wins": int(row["member_wins"]), "wins_by_member": dict(row["wins_by_member"]),
            "expected_wins_at_equal_chances": round(float(row["expected_wins"]), 2),
            "turns": {"repeats": int(row["repeats"]), "expected_repeats": round(float(row["expected_repeats"]), 2),
                      "clustering_pvalue": float(row["clustering_pvalue"]), "dated_turns": len(row["turns"])},
            "rivals": {"repeat_rival_bids": int(row["rival_bids"]), "shared": int(row["shared_rival_bids"]),
                       "expected_shared_in_one_market": round(float(row["expected_shared_rival_bids"]), 2)},
            "shared_identifiers": shared, "components": comps, "stability": None,
            "found_by": "complementary presence (members never bid against each other)",
            "tier": "strong" if score >= strong_score else "weak",
            "thresholds": {**thresholds, "strong_score": strong_score},
        }
        out.append(Finding(detector=detector, kind="ring", score=round(score, 2),
                           explanation=_explain(row, dates, shared), evidence=evidence,
                           firms=tuple(members), tenders=tuple(str(t) for t in row["tenders"])))
    return out
