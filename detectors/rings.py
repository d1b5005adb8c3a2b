"""Bid-rigging rings: groups of firms that bid together far more than their markets explain.

Method
------
1. **Co-bidding graph.** With ``A`` the binary tender × firm incidence matrix (sparse), the
   co-bid counts are ``C = Aᵀ A``: ``C_ij`` is the number of tenders firms *i* and *j* both
   bid in, ``C_ii`` firm *i*'s number of tenders (Wachs & Kertész 2019).
2. **Excess over expectation.** Raw co-bid counts mostly measure activity and market
   size: large firms in a large category meet everybody, and Louvain on raw counts leaves
   a small cartel inside a host community of hundreds of firms. Each pair is therefore
   compared with what the firms' activity predicts within each market *m* (category) under
   a configuration null in which firm *i* enters tender *t* with probability
   ``d_im · n_t / S_m`` (``d_im`` its tenders in *m*, ``n_t`` the bidders of *t*,
   ``S_m = Σ_t n_t``)::

       E_ij = Σ_m d_im d_jm κ_m,     κ_m = Σ_{t∈m} n_t (n_t − 1) / S_m²

   A pair becomes an edge when it met at least ``min_cobids`` times, its lift
   ``C_ij / E_ij`` is at least ``min_lift`` and the Poisson upper tail
   ``P(X ≥ C_ij | E_ij)`` is at most ``max_pvalue``. The edge weight is the pair's
   log-likelihood-ratio term ``C_ij · ln(C_ij / E_ij)`` (excess co-bidding measured in
   nats), so frequent *and* surprising meetings weigh most.
3. **Communities.** python-louvain (``community.best_partition``, ``random_state=seed``)
   partitions the excess graph; communities larger than ``max_ring_size`` are partitioned
   again inside themselves, and when Louvain cannot split one its weakest edges are
   pruned until it falls apart (a ring is a small group; a host market is not). A
   connected part of at most ``max_ring_size`` firms is one group, except that firms two
   or more steps from its 2-core are split off (:func:`_core_and_rest`): a cartel's core
   with a chain of bystanders' pairs hanging off it is the core and its neighbours. Members
   present in fewer than ``min_presence`` of the group's ring tenders, or meeting the other
   members beyond chance on average less than ``min_relative_ties`` times as often as the
   group's second most tied member does, are peeled off (:func:`peel_rings`): Louvain
   attaches bystanders that met the core a few times, and local firms of the core's own
   market, who meet it beyond what the category predicts because the category does not
   know where firms work.
   **Identifier anchors** (:func:`identifier_rings`). Pairwise tests miss rings whose
   pairs meet too rarely (bid suppression: members stay away) or that make up most of a
   small category (the ring inflates its own expectation). Firms sharing a specific
   identifier (held by ≤ ``max_anchor_holders`` firms) and meeting in ≥ ``min_cobids``
   tenders are joined, grown by outside firms with excess edges to at least half the
   group, peeled, and kept when the group's co-bids, summed over its pairs, exceed the
   summed expectation (Poisson tail ≤ ``max_anchor_pvalue``, :func:`group_excess`).
   They are screened like the communities; a candidate with Jaccard ≥ 0.5 to a
   higher-scoring one is dropped. ``evidence["found_by"]`` names the source.
   **Complementary groups** (:mod:`detectors.complementary`, ``Params.complementary``). A
   bid-suppression cartel never co-bids: in each tender one member bids and the others
   stay away. Where tenders record a region, groups of a category's winners that keep
   apart yet between them are alone in far more of its tenders than independent entry
   gives, whose turns interleave and who face the same rivals, are rings too; their
   tenders are those where one member bid alone, and they are scored by that module's own
   components (the screens below need tenders where members meet).
4. **Ring screens.** For each candidate (size ≥ 2, ≥ ``min_shared_tenders`` tenders
   where ≥ 2 members bid — the *ring tenders*), weights in brackets:

   * cohesion [15] — Wachs & Kertész (2019): *exclusivity*, the share of the members'
     co-bidding ties (ordered pairs of bidders meeting in a tender) that are ties among
     members, and *tie strength*, the mean number of ring tenders per member pair as a
     percentile among the candidates; value = their mean;
   * win rotation [15] — member win share × normalised winner entropy ``H / ln k`` ×
     (0.25 + 0.75 · division), division = max(turn-taking, segmentation): the two ways a
     cartel divides the wins. Turn-taking is a runs test: consecutive wins by the same
     member against the ``(w − 1) Σ p_i²`` expected when winners are drawn independently
     with the observed shares (OECD 2009, "bid rotation"). Segmentation
     (:func:`segmentation`) is how far the tender's region names the winning member,
     beyond chance (adjusted mutual information; OECD 2009, "market allocation"). Each
     counts from z = 1.5 of its test and in full from z = 4; even shares alone also arise
     among honest equals, so they earn only a quarter;
   * price screens [35] — a ring tender is *cover-bid-like* when the mean of its CV,
     spread and RD suspicion percentiles, and its lowest bid's share of the budget where it
     has one (:func:`detectors.screens.suspicion`: each ranked among the category's tenders
     with as many bids), is in the top fifth of its category.
     Under competition 20 % of ring tenders are; the value is the excess share (full at
     70 %) weighed by the binomial tail p-value, Bonferroni-style over the number of
     candidates m: nothing at ``p·m ≥ 1``, half at 0.1, full at 0.01
     (:func:`share_test_value`; Imhof 2018; Huber & Imhof 2019). A share test is not diluted
     by the honest meetings of a ring the way a mean would be. The same test runs on the
     members' own cover margins (the other members' bids over the winning member's,
     ranked among all losing margins of the category; a member-won tender counts when
     its members' median margin is in the lowest fifth), which outsiders' honest bids
     cannot mask. Both read only the tenders of categories awarded to the lowest bid
     (:func:`detectors.screens.award_rules`: in an average-bid or scored award the lowest does
     not usually win, and cover bidding is not what its bids show). A third test, *regular
     differences*, reads every category: the tenders where ≥ 3 members bid whose bids stood at
     equal steps in money or per cent (:mod:`detectors.bid_steps`; the PRC Bidding Law
     regulation, art. 40(4), deems such bids collusive), against the market's chance rate of
     as many bids of one tender doing so, by a Poisson tail gated like the share tests
     (:func:`steps_test_value`). A fourth, *bid spacing*, reads every category too: in the tenders
     where ≥ 2 members met another bidder, how the members' bids ranked in closeness among every set
     of as many of the tender's bids, each firm's usual level and spread taken out
     (:mod:`detectors.bid_spacing`; Conley & Decarolis 2016, Bajari & Ye 2003): a hand writing
     several bids places them together beyond chance, whatever the award rule (one-sided: far
     apart is what firms whose costs differ by place show too). Its z is read against the spread
     of the market's candidates' z-values (:func:`spacing_null`; Efron 2004) and gated ten times
     more strictly than the share tests (:func:`spacing_test_value`). The price value is the largest of the four. Measured
     (``benchmarks/ocds_meat_markets.py`` seeds 1, 2, declared scored and price-only tenders): the
     cover ring 26.2 / 27.0 → 53.2 / 39.4, the rotation ring 21.8 / 26.2 → 44.9 / 54.8 (rank 6 / 5 →
     2 / 1), the phantom ring 36.5 / 38.0 → 36.5 / 52.2, the scored-only ring 22.2 / 26.7 → 22.2 /
     44.1; ``benchmarks/benchmark_price_markets.py``: a ten-firm net of bids 27.3 / 25.1 → 62.3 /
     60.1; demo seeds 1–6, the foreign markets with their 40 honest ones, the blind and the null
     markets as before;
   * excess co-bidding [15] (:func:`excess_outliers`) — how far the group's co-bidding in
     excess of the configuration null stands out among the market's candidates. With
     ``C = Σ C_ij`` and ``E = Σ E_ij`` over the member pairs, the Poisson log-likelihood
     ratio ``G = C ln(C/E) − (C − E)`` measures the excess in nats; ``x = ln G`` is
     compared with the candidates' median by a robust z, ``z = (x − med) / max(1.4826 ·
     MAD, ln 2)``, and the value is ``clip(z / z_full, 0, 1)`` with ``z_full`` the larger of
     2 and the Bonferroni z at 5 % for the number of candidates. A cartel is the market's
     outlier in cohesion (Wachs & Kertész 2019 recover the Ohio school-milk cartel so);
     an honest niche market is discounted by the per-market null, and a market where all
     groups co-bid alike (regional markets) gives each of them about 0. Relative ranks
     (the tie-strength percentile of the cohesion) cannot tell an outlier from the
     runner-up; the robust z keeps the distance (modified z-scores of Iglewicz & Hoaglin
     1993; 2 robust standard deviations ≈ the 98th percentile of a normal bulk). Its 15
     points came from price, rotation and identifiers (5 each), so no single channel
     carries a ring and a real cartel without price or identifier evidence (Ohio milk:
     no tight covers, no shared identifiers) can still stand out by its co-bidding;
   * shared identifiers [15] — phones, e-mails, addresses, persons, submission IPs and
     document hashes held by ≥ 2 members. Each counts ``m / n · (m − 1) / (k − 1)`` (``m``
     members among its ``n`` holders in the whole market, ``k`` members), summed and
     capped at 1, so a business-centre address shared by dozens of firms adds almost
     nothing while a phone held by exactly the ring counts fully;
   * bid suppression / complementary presence [5] — share of the member-won tenders in
     which the winning member met no other member (the others stayed away).

   The score (0–100) is the sum of the components' contributions, each a value in
   [0, 1] times its weight (``Params.weights``); ``evidence["components"]`` lists value,
   facts, baselines and contribution of each.
5. **Stability.** The partition is repeated with seeds ``seed … seed + n_seeds − 1``;
   ``evidence["stability"]`` is the ring's mean best Jaccard similarity with the
   candidates found under the other seeds.

References
----------
Wachs, J., & Kertész, J. (2019). A network approach to cartel detection in public
auction markets. Scientific Reports, 9, 10818. doi:10.1038/s41598-019-47198-1
Imhof, D. (2018). Empirical methods for detecting bid-rigging cartels. University of
Fribourg. Huber, M., & Imhof, D. (2019). Int. J. Industrial Organization 65, 277–301.
Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast unfolding of
communities in large networks. J. Stat. Mech. P10008. doi:10.1088/1742-5468/2008/10/P10008
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement.
Iglewicz, B., & Hoaglin, D. C. (1993). How to Detect and Handle Outliers. ASQC Quality Press.
Seidman, S. B. (1983). Network structure and minimum degree. Social Networks, 5(3), 269–287.
Vinh, N. X., Epps, J., & Bailey, J. (2010). Information theoretic measures for clusterings
comparison. Journal of Machine Learning Research, 11, 2837–2854.
Conley, T. G., & Decarolis, F. (2016). Detecting bidders groups in collusive auctions. AEJ:
Microeconomics 8(2), 1–38. Bajari, P., & Ye, L. (2003). Deciding between competition and collusion.
Review of Economics and Statistics 85(4), 971–989. Efron, B. (2004). Large-scale simultaneous
hypothesis testing: the choice of a null hypothesis. JASA 99(465), 96–104.
Williams, D. A. (1976). Improved likelihood ratio tests for complete contingency tables.
Biometrika, 63(1), 33–37.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import community as community_louvain
import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse, stats

from detectors import bid_spacing, bid_steps, bid_traces, complementary
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
from detectors.identifiers import KIND_PHRASE, shared_identifiers
from detectors.market import MarketData, stripped
from detectors.memo import memo
from detectors.screens import (
    NO_CATEGORY,
    NOT_LOWEST_PRICE_CAUSES,
    RISK_SCREENS,
    award_groups,
    beyond_draw_told,
    category_baselines,
    decided_shares,
    market_award_rules,
    not_lowest_price,
    suspicion,
    tender_screens,
    uncategorised_market,
    valid_bids,
)

__all__ = ["NAME", "Params", "detect", "cobid_graph", "candidate_rings", "identifier_rings", "group_excess",
           "excess_outliers", "ring_screens", "share_test_value", "steps_test_value", "steps_proven"]

NAME = "rings"


#: share of a category's tenders counted as cover-bid-like (its top fifth on the screens)
FLAG_SHARE = 0.2

DEFAULT_WEIGHTS: dict[str, float] = {
    "price": 35.0,        # cover-bid price screens vs the category baseline
    "rotation": 15.0,     # members take turns winning
    "cohesion": 15.0,     # members meet mostly among themselves, outsiders rarely join
    "excess": 15.0,       # the group co-bids far more than its market's other candidate groups
    "identifiers": 15.0,  # specific phones/addresses/persons/IPs/documents shared
    "suppression": 5.0,   # the winning member meets no other member (complementary presence)
}

#: the excess co-bidding of a group counts in full at least two robust standard deviations
#: above the market's typical candidate (≈ the 98th percentile of a normal bulk: an outlier) …
EXCESS_FULL_Z = 2.0
#: … and, among m candidates, no less than the Bonferroni z at this level, ``Φ⁻¹(1 − 0.05/m)``:
#: the most excess of 100 honest groups reaches z ≈ 2.3 by chance alone
EXCESS_LEVEL = 0.05
#: smallest robust spread of ln(G) used, so that candidates that happen to be alike do not
#: turn a small difference into a large z: a group needs at least e^(2 · ln 2) = 4 × the
#: typical candidate's excess log-likelihood ratio to count in full
EXCESS_MIN_SCALE = math.log(2.0)
# turn-taking and segmentation count from z = 1.5 of their tests and in full from z = 4 (a
# random winner sequence reaches z ≈ 2 by chance in 1 case of 40; a strict rotation of 20
# wins among 4 firms has z ≈ 2.5)
DIVISION_Z = (1.5, 4.0)
#: a ring "took turns winning" in its sentence only where the runs test's z reaches this (one-sided
#: p ≈ 0.023); below it the turn-taking points are small (from z = 1.5) and the sentence says who won
#: how many, as for even shares
TURNS_TOLD_Z = 2.0
# above this p-value segmentation counts 0, and its chance adjustment is skipped (NaN)
SEGMENT_GATE = float(stats.norm.sf(DIVISION_Z[0]))



@dataclass(frozen=True)
class Params:
    """Settings of the ring detector (defaults in brackets).

    min_cobids [3]: an edge needs at least this many tenders both firms bid in.
    min_lift [1.5]: observed / expected co-bids for an edge — a floor on the size of the
        excess beside its significance. Not higher: a ring that makes up much of its market
        inflates its own expectation (its members' bids are most of the market's co-bidding),
        so its pairs' lift stays low while the p-value is tiny. Four firms that split a
        category's regions and cover in each other's meet 1.6–1.9 times their expectation
        when they hold two thirds of the market (``tests/detectors/test_rings.py``); at
        2.0 no such ring was found on the markets of ``benchmarks/foreign_markets.py``.
    max_pvalue [1e-2]: Poisson upper-tail p-value of the observed co-bids for an edge.
    market_columns [("category",)]: tender columns defining a market for the expectation
        (add "region" where firms are regional and regions are recorded).
    max_ring_size [12]: communities above this size are re-partitioned.
    min_presence [0.1]: members must bid in at least this share of the ring tenders
        (peripheral firms are peeled off, see :func:`peel_rings`).
    min_relative_ties [0.4]: members must meet the other members beyond chance (co-bids
        over the configuration null), on average, at least this share as often as the
        group's second most tied member does (:func:`peel_rings`). On an unseen OCDS market
        a road-works rotation ring of 4 carried 5 local firms that met each member 3–9 times
        where the members met each other 30–35 times; a demo ring's member that stays away
        (bid suppression) meets the others about half as often as the most tied member.
    min_ring_size [2]: smallest group reported.
    min_shared_tenders [3]: a ring needs this many tenders where ≥ 2 members bid.
    max_findings [200]: cap on reported rings (highest scores first).
    min_score [0.0]: rings scoring below are not reported.
    strong_score [20.0]: rings scoring at least this are ``tier`` "strong" in the evidence,
        the rest "weak": on null markets, where every planted structure is shuffled away,
        647 of the 664 rings reported on demo seeds 1–6 score below 20
        (``benchmarks/null_markets.py``), so a weak ring is what chance alone produces. Tender
        risk raises only the tenders of strong rings.
    n_seeds [5]: partitions run for the stability estimate (seed … seed + n_seeds − 1).
    resolution [1.0]: Louvain resolution.
    min_category_tenders [20]: smaller categories use the whole market as price baseline.
    max_anchor_holders [5]: identifiers held by at most this many firms anchor candidate
        rings (:func:`identifier_rings`); one held by more is a business centre, a shared
        gateway or a template rather than a tie.
    max_anchor_pvalue [0.05]: an identifier-anchored group is kept when its members'
        co-bids, summed over the pairs, exceed the null at this level
        (:func:`group_excess`); the shared identifier is the prior evidence, so the
        co-bidding only has to confirm it at the conventional level.
    complementary [True]: also look for groups that never bid against each other yet share
        a category's tenders of a region out (bid suppression, :mod:`detectors.complementary`).
    complementary_max_pvalue [0.01]: Bonferroni-adjusted p-value of their partition test.
    complementary_min_tenders [8]: such a group must be alone in at least this many tenders.
    weights: maximum contribution of each score component (sums to 100).
    """

    min_cobids: int = 3
    min_lift: float = 1.5
    max_pvalue: float = 1e-2
    market_columns: tuple[str, ...] = ("category",)
    max_ring_size: int = 12
    min_presence: float = 0.1
    min_relative_ties: float = 0.4
    min_ring_size: int = 2
    min_shared_tenders: int = 3
    max_findings: int = 200
    min_score: float = 0.0
    strong_score: float = 20.0
    n_seeds: int = 5
    resolution: float = 1.0
    min_category_tenders: int = 20
    max_anchor_holders: int = 5
    max_anchor_pvalue: float = 0.05
    complementary: bool = True
    complementary_max_pvalue: float = 0.01
    complementary_min_tenders: int = 8
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    def check(self) -> list[str]:
        """What cannot work in these values together (for a settings file; detectors.settings)."""
        problems = []
        if self.min_ring_size < 2 or self.min_ring_size > self.max_ring_size:
            problems.append(f"min_ring_size {self.min_ring_size} must be at least 2 and at most max_ring_size "
                            f"{self.max_ring_size}")
        if self.n_seeds < 1:
            problems.append("n_seeds must be at least 1")
        if not 0 <= self.min_relative_ties <= 1:
            problems.append(f"min_relative_ties {self.min_relative_ties} must be between 0 and 1 (a share of the "
                            "second most tied member's meetings)")
        if not 0 < self.complementary_max_pvalue <= 1:
            problems.append(f"complementary_max_pvalue {self.complementary_max_pvalue} must be above 0 and at most 1")
        if self.complementary_min_tenders < 1:
            problems.append("complementary_min_tenders must be at least 1")
        unknown = sorted(set(self.weights) - set(DEFAULT_WEIGHTS))
        if unknown:
            problems.append(f"weights {', '.join(unknown)} are no components of a ring's score "
                            f"({', '.join(DEFAULT_WEIGHTS)})")
        negative = sorted(name for name, weight in self.weights.items() if weight < 0)
        if negative:
            problems.append(f"weights {', '.join(negative)} are negative; each must be at least 0")
        total = sum(self.weights.values())
        if not math.isclose(total, 100.0, abs_tol=1e-6):
            problems.append(f"weights sum to {total:g}; they must sum to 100, the most a ring can score (with more, "
                            "rings clip at 100 and the strong tier's floor of 20 means less)")
        return problems


# ---------------------------------------------------------------------------------------
# 1–2. the co-bidding graph with excess weights
# ---------------------------------------------------------------------------------------

def _market_key(tenders: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    key = pd.Series("", index=tenders.index)
    for column in columns:
        if column in tenders.columns:
            key = key + "|" + tenders[column].fillna("(none)").astype(str)
    return key


def cobid_graph(data: MarketData, params: Params | None = None) -> pd.DataFrame:
    """Pairs of firms that co-bid significantly more than their activity predicts.

    Returns
    -------
    DataFrame
        One row per retained pair ``firm_a < firm_b``: ``cobids`` (C_ij), ``expected``
        (E_ij), ``lift``, ``pvalue`` and ``weight = C_ij · ln(C_ij / E_ij)``.
    """
    params = params or Params()
    pairs = _bid_pairs(data)
    empty = pd.DataFrame({"firm_a": pd.Series(dtype=object), "firm_b": pd.Series(dtype=object),
                          **{c: pd.Series(dtype=float) for c in
                             ("cobids", "expected", "lift", "pvalue", "weight")}})
    if pairs.empty:
        return empty
    firms, tender_ids, incidence = _incidence(data)
    cobids = sparse.triu(incidence.T @ incidence, k=1).tocoo()
    keep = cobids.data >= params.min_cobids
    i, j, c = cobids.row[keep], cobids.col[keep], cobids.data[keep]
    if len(c) == 0:
        return empty

    expected = _expected_cobids(data, params, incidence, tender_ids, i, j)
    lift = c / expected
    pvalue = stats.poisson.sf(c - 1, expected)
    keep = (lift >= params.min_lift) & (pvalue <= params.max_pvalue)
    out = pd.DataFrame({"firm_a": firms[i[keep]], "firm_b": firms[j[keep]], "cobids": c[keep],
                        "expected": expected[keep], "lift": lift[keep], "pvalue": pvalue[keep]})
    out["weight"] = out["cobids"] * np.log(out["lift"])
    return out.sort_values(["firm_a", "firm_b"]).reset_index(drop=True)


def _incidence(data: MarketData) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    """Sorted firm ids, sorted tender ids and the binary tender × firm incidence matrix (memoised)."""
    return memo("incidence", (data.bids,), (), lambda: _incidence_of(_bid_pairs(data)))


def _incidence_of(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    firms = np.array(sorted(pairs["firm_id"].unique()), dtype=object)
    tender_ids = np.array(sorted(pairs["tender_id"].unique()), dtype=object)
    f_idx = pd.Index(firms).get_indexer(pairs["firm_id"])      # positions in the sorted ids
    t_idx = pd.Index(tender_ids).get_indexer(pairs["tender_id"])
    incidence = sparse.csr_matrix((np.ones(len(pairs)), (t_idx, f_idx)),
                                  shape=(len(tender_ids), len(firms)))
    return firms, tender_ids, incidence


def _expected_cobids(data: MarketData, params: Params, incidence: sparse.csr_matrix,
                     tender_ids: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """E_ij of the configuration null for firm column pairs ``(i, j)``."""
    degree, scaled = _null(data, params, incidence, tender_ids)
    return _pair_expectation(degree, scaled, i, j)


def _null(data: MarketData, params: Params, incidence: sparse.csr_matrix,
          tender_ids: np.ndarray) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Firm × market tender counts ``d_im`` and ``d_im κ_m`` of the configuration null (memoised)."""
    return memo("null", (data.tenders, incidence, tender_ids), params.market_columns,
                lambda: _null_of(data, params, incidence, tender_ids))


def _null_of(data: MarketData, params: Params, incidence: sparse.csr_matrix,
             tender_ids: np.ndarray) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    tenders = data.tenders.drop_duplicates("tender_id").set_index("tender_id")
    market = _market_key(tenders.reset_index(), params.market_columns)
    market.index = tenders.index
    t_market = market.reindex(tender_ids).fillna("|(none)").to_numpy()
    m_codes, m_names = pd.factorize(t_market)
    n_t = np.asarray(incidence.sum(axis=1)).ravel()
    s_m = np.bincount(m_codes, weights=n_t, minlength=len(m_names))
    kappa = np.bincount(m_codes, weights=n_t * (n_t - 1), minlength=len(m_names)) / np.maximum(s_m, 1) ** 2
    onehot = sparse.csr_matrix((np.ones(len(tender_ids)), (np.arange(len(tender_ids)), m_codes)),
                               shape=(len(tender_ids), len(m_names)))
    degree = (incidence.T @ onehot).tocsr()              # firm × market tender counts
    scaled = (degree @ sparse.diags(kappa)).tocsr()
    return degree, scaled


def _pair_expectation(degree: sparse.csr_matrix, scaled: sparse.csr_matrix,
                      i: np.ndarray, j: np.ndarray) -> np.ndarray:
    expected = np.zeros(len(i))
    chunk = 200_000
    for start in range(0, len(i), chunk):
        sl = slice(start, start + chunk)
        expected[sl] = np.asarray(scaled[i[sl]].multiply(degree[j[sl]]).sum(axis=1)).ravel()
    return np.maximum(expected, 1e-9)


# ---------------------------------------------------------------------------------------
# 3. communities → candidate rings
# ---------------------------------------------------------------------------------------

def _louvain_groups(graph: nx.Graph, seed: int, resolution: float) -> list[frozenset[str]]:
    if graph.number_of_edges() == 0:
        return [frozenset([n]) for n in graph.nodes]
    partition = community_louvain.best_partition(graph, weight="weight", random_state=seed,
                                                 resolution=resolution)
    groups: dict[int, set[str]] = {}
    for node, label in partition.items():
        groups.setdefault(label, set()).add(node)
    return [frozenset(g) for g in groups.values()]


def _induced(graph: nx.Graph, nodes: frozenset[str]) -> nx.Graph:
    """The subgraph on ``nodes`` with nodes and edges in sorted order.

    networkx subgraph views may iterate a node *set*, whose order changes with Python's
    string hashing between processes; Louvain's result depends on node order, so the
    subgraph is rebuilt in a fixed order to keep results identical run to run.
    """
    sub = nx.Graph()
    ordered = sorted(nodes)
    sub.add_nodes_from(ordered)
    sub.add_weighted_edges_from(sorted((a, b, w) for a in ordered for b, w in
                                       ((b, d["weight"]) for b, d in graph[a].items()) if b in nodes and a < b))
    return sub


def _split_large(graph: nx.Graph, group: frozenset[str], seed: int, params: Params,
                 depth: int = 0) -> list[frozenset[str]]:
    """Re-partition ``group`` until every part has at most ``max_ring_size`` firms."""
    if len(group) <= params.max_ring_size:
        return [group]
    if depth > 8:
        return []
    sub = _induced(graph, group)
    parts = _louvain_groups(sub, seed, params.resolution)
    if len(parts) <= 1:
        # Louvain sees one block: drop the weakest quarter of its edges and take the pieces
        weights = np.array([w for _, _, w in sub.edges(data="weight")])
        if len(weights) == 0:
            return []
        cut = np.quantile(weights, 0.25)
        weak = [(a, b) for a, b, w in sub.edges(data="weight") if w <= cut]
        sub.remove_edges_from(weak)
        parts = [frozenset(p) for p in nx.connected_components(sub)]
        graph = sub
    out: list[frozenset[str]] = []
    for part in parts:
        out.extend(_split_large(graph, part, seed, params, depth + 1))
    return out


def candidate_rings(edges: pd.DataFrame, seed: int, params: Params | None = None) -> list[frozenset[str]]:
    """Louvain communities of the excess co-bidding graph, split down to ring size.

    Canonical form: a list of frozensets, sorted by their smallest member.
    """
    params = params or Params()
    graph = nx.Graph()
    graph.add_weighted_edges_from(edges[["firm_a", "firm_b", "weight"]].itertuples(index=False))
    rings: list[frozenset[str]] = []
    for component in sorted(nx.connected_components(graph), key=min):
        component = frozenset(component)
        if len(component) <= params.max_ring_size:
            groups = _core_and_rest(graph, component)
        else:
            groups = []
            for group in _louvain_groups(_induced(graph, component), seed, params.resolution):
                groups.extend(_split_large(graph, group, seed, params))
        rings.extend(g for g in groups if len(g) >= params.min_ring_size)
    return sorted(rings, key=lambda g: (min(g), len(g)))


def _core_and_rest(graph: nx.Graph, component: frozenset[str]) -> list[frozenset[str]]:
    """A small component as one group, unless it is a dense core with chains attached.

    The core is the component's 2-core (the firms with excess edges to at least two others
    of it, after peeling the rest; Seidman 1983). A ring member meets a core member in
    excess, so the group is the core and its direct neighbours; firms two or more steps
    away from the core — a pair of other firms met through a bystander — form their own
    groups (their connected parts). Without a core (a tree: a path or a star), the component
    stays whole: a ring whose members meet in subsets (bid suppression) can be one. Two
    cores joined by a chain of firms stay one group (the chain is inside the 2-core), and a
    true member two steps from the core is split off.
    """
    sub = graph.subgraph(component)
    core = set(nx.k_core(sub, 2))  # empty, or at least a triangle's three firms
    if not core:
        return [component]
    group = core | {n for c in core for n in sub.neighbors(c)}
    if len(group) == len(component):
        return [component]
    rest = sub.subgraph(component - group)
    return [frozenset(group), *(frozenset(c) for c in sorted(nx.connected_components(rest), key=min))]


def _bid_pairs(data: MarketData) -> pd.DataFrame:
    """Distinct (tender_id, firm_id) pairs of ``data.bids``, memoised for the last frame seen."""
    return memo("pairs", (data.bids,), (),
                lambda: data.bids[["tender_id", "firm_id"]].dropna().drop_duplicates())


def _group_null(data: MarketData, groups: list[frozenset[str]], params: Params) -> SimpleNamespace:
    """The tender × firm ``incidence``, the configuration null's ``degree`` and ``scaled`` (:func:`_null`),
    ``code`` (firm → column) and the firm × group ``member`` matrix of ``groups`` (they may overlap),
    built from the (row, ``cols``) pairs of the members that bid."""
    firms, tender_ids, incidence = _incidence(data)
    degree, scaled = _null(data, params, incidence, tender_ids)
    code = {f: k for k, f in enumerate(firms)}
    rows = [code[f] for group in groups for f in group if f in code]
    cols = [k for k, group in enumerate(groups) for f in group if f in code]
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(firms), len(groups)))
    return SimpleNamespace(incidence=incidence, degree=degree, scaled=scaled, code=code, member=member, cols=cols)


def _member_expectation(data: MarketData, groups: list[frozenset[str]], names: np.ndarray,
                        group_of: np.ndarray, params: Params) -> np.ndarray:
    """``Σ_{j ∈ g, j ≠ i} E_ij`` for each firm ``names[n]`` of group ``group_of[n]`` (0 outside every
    group): the co-bids with its group's other members that the configuration null predicts,
    ``Σ_m d_im κ_m (D_gm − d_im)`` with ``D_gm`` the members' tenders in market *m*."""
    null = _group_null(data, groups, params)
    degree, scaled, code = null.degree, null.scaled, null.code
    totals = (null.member.T @ degree).tocsr()                  # group × market tender counts
    out = np.zeros(len(names))
    at = np.flatnonzero((group_of >= 0) & np.array([name in code for name in names], dtype=bool))
    if len(at):
        i = np.array([code[name] for name in names[at]])
        own = scaled[i]
        out[at] = np.asarray(own.multiply(totals[group_of[at]]).sum(axis=1)).ravel() \
            - np.asarray(own.multiply(degree[i]).sum(axis=1)).ravel()
    return out


def peel_rings(data: MarketData, rings: list[frozenset[str]], params: Params | None = None) -> list[frozenset[str]]:
    """Drop peripheral members, repeated until every member passes: firms present in fewer than
    ``params.min_presence`` of the ring tenders (tenders where ≥ 2 members bid), and firms whose
    mean excess co-bids with the other members, ``Σ_j (C_ij − E_ij) / (k − 1)`` (the
    configuration null of :func:`cobid_graph`), are below ``params.min_relative_ties`` times the
    group's second highest (a pair is the smallest ring, so the two most tied members are its
    core).

    Louvain attaches firms that met the core a few times to the core's community; a firm
    present in 9 of a group's 250 meetings is a bystander, not a member. So is a local firm
    that meets a rotating core in a few of its tenders: the category's null cannot tell it
    from a member (its meetings are far above what its activity in the whole category
    predicts, since the category does not know where firms work), but the core meets itself
    several times more often beyond chance. Excess, not raw, meetings: two national firms
    that meet everywhere would otherwise be the core of any group they fall into. The ratio
    is scale-free: a ring whose members all meet rarely keeps them. ``rings`` must be disjoint.
    """
    params = params or Params()
    pairs = _bid_pairs(data)
    in_rings = {f for ring in rings for f in ring}
    pairs = pairs.loc[pairs["firm_id"].isin(in_rings)]
    if pairs.empty:  # no ring, or no member ever bid: nothing to peel
        return list(rings)
    t_code = pd.factorize(pairs["tender_id"])[0]
    firm_codes, firm_names = pd.factorize(pairs["firm_id"])
    code_of = {name: i for i, name in enumerate(firm_names)}
    current = list(rings)
    for _ in range(10):
        ring_of_firm = np.full(len(firm_names), -1)
        for k, ring in enumerate(current):
            for f in ring:
                if f in code_of:
                    ring_of_firm[code_of[f]] = k
        r = ring_of_firm[firm_codes]
        ok = r >= 0
        key = r[ok].astype(np.int64) * (t_code.max() + 1) + t_code[ok]
        uniq, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
        met = counts[inv] >= 2                                # member rows in ring tenders
        ring_tenders = np.bincount((uniq // (t_code.max() + 1))[counts >= 2], minlength=len(current))
        presence = np.bincount(firm_codes[ok][met], minlength=len(firm_names))
        share = np.zeros(len(firm_names))
        has = ring_of_firm >= 0
        share[has] = presence[has] / np.maximum(ring_tenders[ring_of_firm[has]], 1)
        # each member's mean excess co-bids with the other members, against the group's second highest
        cobids = np.bincount(firm_codes[ok], weights=counts[inv] - 1.0, minlength=len(firm_names))
        sizes = np.array([len(ring) for ring in current])
        mean_ties = np.zeros(len(firm_names))
        if params.min_relative_ties > 0:
            cobids = cobids - _member_expectation(data, current, np.asarray(firm_names), ring_of_firm, params)
        mean_ties[has] = cobids[has] / np.maximum(sizes[ring_of_firm[has]] - 1, 1)
        members = np.flatnonzero(has)
        members = members[np.lexsort((-mean_ties[members], ring_of_firm[members]))]  # by ring, most tied first
        ring_sorted = ring_of_firm[members]
        groups, first = np.unique(ring_sorted, return_index=True)
        has_second = (first + 1 < len(members)) & (ring_sorted[np.minimum(first + 1, len(members) - 1)] == groups)
        core = np.zeros(len(current))
        core[groups[has_second]] = mean_ties[members[first[has_second] + 1]]
        tied = np.zeros(len(firm_names), dtype=bool)
        # only against a core that met beyond chance: below it the ratio would turn around
        floor = np.where(core > 0, params.min_relative_ties * core, -np.inf)
        tied[has] = mean_ties[has] >= floor[ring_of_firm[has]]
        keep = {firm_names[i] for i in np.flatnonzero(tied & (share >= params.min_presence))}
        peeled = [frozenset(f for f in ring if f in keep) for ring in current]
        if peeled == current:
            break
        current = peeled
    return current


def identifier_rings(data: MarketData, edges: pd.DataFrame, params: Params | None = None,
                     exclude: list[frozenset[str]] | None = None) -> list[frozenset[str]]:
    """Candidate rings anchored on specific shared identifiers, grown along excess edges.

    Firms holding the same phone, e-mail, address, person, IP or document hash — an
    identifier held by at most ``max_anchor_holders`` firms in the whole market — and bidding
    together in at least ``min_cobids`` tenders are joined; each connected group is then
    grown by the outside firms with an excess co-bidding edge (``edges``) to at least half
    of its members (and at least two), and peeled like the Louvain candidates. A shared
    identifier plus co-bidding is a red flag on its own (OECD 2009), and it finds rings
    whose pairs meet too rarely, or in too small a category, for the pairwise excess test.
    Groups equal to one of ``exclude`` are dropped; the result is disjoint.
    """
    params = params or Params()
    ids = _market_identifiers(data)
    ids = ids.loc[(ids["holders"] >= 2) & (ids["holders"] <= params.max_anchor_holders)]
    if ids.empty:
        return []
    pairs = _bid_pairs(data)
    holders = set(ids["firm_id"])
    tenders_of = pairs.loc[pairs["firm_id"].isin(holders)].groupby("firm_id")["tender_id"].agg(frozenset).to_dict()
    same = ids.merge(ids, on=["kind", "value"])
    same = same.loc[same["firm_id_x"] < same["firm_id_y"], ["firm_id_x", "firm_id_y"]].drop_duplicates()
    graph = nx.Graph()
    for a, b in sorted(same.itertuples(index=False)):
        if len(tenders_of.get(a, frozenset()) & tenders_of.get(b, frozenset())) >= params.min_cobids:
            graph.add_edge(a, b)
    neighbours: dict[str, set[str]] = {}
    for a, b in edges[["firm_a", "firm_b"]].itertuples(index=False):
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    taken: set[str] = set()
    groups: list[frozenset[str]] = []
    for component in sorted((frozenset(c) for c in nx.connected_components(graph)), key=min):
        if len(component) > params.max_ring_size or component & taken:
            continue
        links: dict[str, int] = {}
        for firm in sorted(component):
            for other in neighbours.get(firm, ()):
                if other not in component and other not in taken:
                    links[other] = links.get(other, 0) + 1
        need = max(2, math.ceil(len(component) / 2))
        grown = component | {f for f, n in links.items() if n >= need}
        if len(grown) > params.max_ring_size:
            grown = component
        taken |= grown
        groups.append(grown)
    peeled = peel_rings(data, groups, params)
    known = set(exclude or [])
    peeled = [g for g in peeled if len(g) >= params.min_ring_size and g not in known]
    pvalues = group_excess(data, peeled, params)["pvalue"].to_numpy()
    return [g for g, p in zip(peeled, pvalues, strict=True) if p <= params.max_anchor_pvalue]


def group_excess(data: MarketData, groups: list[frozenset[str]], params: Params | None = None) -> pd.DataFrame:
    """Co-bidding of each group as a whole against the configuration null of :func:`cobid_graph`.

    ``cobids`` = Σ C_ij and ``expected`` = Σ E_ij over the member pairs, ``pvalue`` the
    Poisson upper tail ``P(X ≥ Σ C | Σ E)``: a group of rarely-meeting pairs can be
    significant together where no single pair is.
    """
    params = params or Params()
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in ("cobids", "expected", "pvalue")})
    if not groups:
        return empty
    # all groups at once (they may overlap): G is the firm × group membership matrix.
    # Observed: Σ_{i<j∈g} C_ij = Σ_t m_gt (m_gt − 1) / 2 with m_gt = (A G)_tg members in t.
    # Expected: Σ_{i<j∈g} Σ_m d_im d_jm κ_m = Σ_m κ_m ((Σ_i d_im)² − Σ_i d_im²) / 2.
    null = _group_null(data, groups, params)
    degree, scaled, member, cols = null.degree, null.scaled, null.member, null.cols
    present = (null.incidence @ member).tocoo()
    observed = np.bincount(present.col, weights=present.data * (present.data - 1) / 2, minlength=len(groups))
    first = member.T @ degree
    expected = np.asarray((first.multiply(member.T @ scaled)).sum(axis=1)).ravel()
    expected = (expected - np.asarray((member.T @ degree.multiply(scaled)).sum(axis=1)).ravel()) / 2
    sizes = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(groups))
    n_pairs = sizes * (sizes - 1) / 2
    expected = np.where(n_pairs > 0, np.maximum(expected, n_pairs * 1e-9), 0.0)   # as the pairwise floor
    pvalue = np.where(expected > 0, stats.poisson.sf(observed - 1, np.where(expected > 0, expected, 1.0)), 1.0)
    return pd.DataFrame({"cobids": observed, "expected": expected, "pvalue": pvalue})


def excess_outliers(cobids: np.ndarray, expected: np.ndarray) -> pd.DataFrame:
    """How far each candidate's excess co-bidding stands out among the market's candidates.

    Indicator: a cartel is the group of its market that co-bids most in excess of what its
    members' activity predicts (Wachs & Kertész 2019 find the Ohio milk and other cartels as
    outliers of cohesion among the market's groups). For a group with co-bids ``C = Σ C_ij``
    and expectation ``E = Σ E_ij`` over its member pairs (:func:`group_excess`), the
    Poisson log-likelihood ratio of its own rate against the null is::

        G = C · ln(C / E) − (C − E)     (0 when C ≤ E)

    — the excess in nats, large when the group meets both often and surprisingly.
    Across the candidates, with ``x = ln G``, ``med`` the median of ``x`` and
    ``s = max(1.4826 · MAD(x), ln 2)`` its robust spread::

        z = (x − med) / s,     value = clip(z / z_full, 0, 1),
        z_full = max(2, Φ⁻¹(1 − 0.05 / m))

    so the typical candidate scores 0 and one two robust standard deviations above it
    (and at least 4 × its G) scores 1 — among ``m`` candidates, one as far out as the
    Bonferroni bound at 5 % (3.3 for 100 candidates, 3.9 for 1,000), as the price screens
    are weighed against the number of candidates: in a market of many groups some group is
    always the most excess, and it should not take full points by that alone (honest
    markets of ``benchmarks/foreign_markets.py``: 37 strong rings of 453 with a fixed 2,
    10 with the bound, 4 once the price tests also count nothing at p·m = 1). Being relative
    to the market's own candidates, the value does not grow with the size of the data set,
    and every group of a market whose groups all co-bid alike (regional or niche markets)
    scores about 0.

    Returns
    -------
    DataFrame
        ``cobids, expected, llr (G), z, full_z, value`` per candidate, in the order given.
    """
    c = np.asarray(cobids, dtype=float)
    e = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = np.where(c > e, c * np.log(np.where(c > 0, c, 1.0) / e) - (c - e), 0.0)
    x = np.log(np.maximum(llr, 1e-9))
    if len(x):
        med = float(np.median(x))
        scale = max(1.4826 * float(np.median(np.abs(x - med))), EXCESS_MIN_SCALE)
        z = (x - med) / scale
    else:
        z = np.zeros(0)
    full = max(EXCESS_FULL_Z, float(stats.norm.isf(EXCESS_LEVEL / max(len(x), 1))))
    value = np.where(llr > 0, np.clip(z / full, 0.0, 1.0), 0.0)
    return pd.DataFrame({"cobids": c, "expected": e, "llr": llr, "z": z, "full_z": full, "value": value})


def _stability(rings: list[frozenset[str]], others: list[list[frozenset[str]]]) -> list[float | None]:
    if not others:
        return [None] * len(rings)
    scores = np.zeros(len(rings))
    for groups in others:
        where: dict[str, frozenset[str]] = {}
        for g in groups:
            for firm in g:
                where[firm] = g
        for k, ring in enumerate(rings):
            best = 0.0
            for g in {where[f] for f in ring if f in where}:
                best = max(best, len(ring & g) / len(ring | g))
            scores[k] += best
    return [float(s / len(others)) for s in scores]


# ---------------------------------------------------------------------------------------
# 4. ring screens
# ---------------------------------------------------------------------------------------

def _market_identifiers(data: MarketData) -> pd.DataFrame:
    """:func:`_identifier_table` of the whole market (memoised)."""
    return memo("identifiers", (data.firm_identifiers,), (), lambda: _identifier_table(data))


def _member_identifiers(data: MarketData, firms: set[str]) -> pd.DataFrame:
    """The identifiers of ``firms`` with their market-wide holder counts: their rows of the whole
    market's table (values compared as their stripped text, so ``"555 "`` is held with ``"555"``)."""
    table = _market_identifiers(data)
    return table.loc[table["firm_id"].isin(firms)]


def _identifier_table(data: MarketData, firms: set[str] | None = None) -> pd.DataFrame:
    """Distinct (firm, kind, value) with the number of firms holding each identifier.

    Values are compared as their stripped text. With ``firms`` only identifiers held by at
    least one of them are returned (their holder counts still cover the whole market).
    """
    ids = data.firm_identifiers.dropna(subset=["firm_id", "kind", "value"])
    ids = ids.assign(value=stripped(ids["value"]))
    ids = ids.loc[ids["value"] != ""]
    if firms is not None:  # selected on the stripped values: a padded copy is the same value
        ids = ids.loc[ids["value"].isin(set(ids.loc[ids["firm_id"].isin(firms), "value"]))]
    key = ids["kind"].astype(str) + "\x1f" + ids["value"]
    ids = ids.loc[~pd.DataFrame({"f": ids["firm_id"], "k": key}).duplicated()]
    codes, _ = pd.factorize(key.loc[ids.index])
    holders = np.bincount(codes)[codes] if len(codes) else np.zeros(0, dtype=int)
    return ids.assign(holders=holders)[["firm_id", "kind", "value", "holders"]]


def _screen_tables(data: MarketData, min_category_tenders: int) -> SimpleNamespace:
    """The market-level tables of :func:`ring_screens`, the same for every candidate set (memoised).

    ``bids`` — distinct (tender, firm) bids, a winning bid kept over a losing duplicate;
    ``bidders`` per tender; ``tenders`` by id; ``winners`` (one firm per tender);
    ``screens`` (:func:`detectors.screens.tender_screens`, by tender) and ``percentiles``
    (:func:`detectors.screens.suspicion`: CV, spread, RD and price to budget);
    ``flagged_tenders`` — the cover-bid-like tenders, whose mean suspicion percentile is in the top fifth of their
    category (re-ranked so the share is 20 % under competition); ``baselines`` — category
    medians of the screens, and ``fallback`` — whether a (category, screen) baseline is the
    whole market's (a category with fewer than ``min_category_tenders`` screened tenders);
    ``valid`` bids (positive amount, not disqualified);
    ``loser_margins`` — each losing bid's margin over the winning bid, as a mid-rank
    percentile within its category (low = close to the winner; the whole market's
    percentile where the category has fewer than 5 × ``min_category_tenders`` losing bids);
    ``step_rates`` — :func:`detectors.bid_steps.chance_rates` of the valid bids; ``spacing`` — each
    valid bid's residual of :func:`detectors.bid_spacing.residuals` (firms' usual price levels out);
    ``rules`` (:func:`detectors.screens.award_rules`) and ``unread`` — the tenders of categories
    not awarded to the lowest bid, whose screens and margins are not ranked (they are left out of
    the percentiles, the flagged tenders and the loser margins).
    """
    return memo("screen_tables", (data.bids, data.tenders), min_category_tenders,
                lambda: _screen_tables_of(data, min_category_tenders))


def _screen_tables_of(data: MarketData, min_category_tenders: int) -> SimpleNamespace:
    raw = data.bids
    rules = market_award_rules(data, min_category_tenders)  # shared with tender risk (memoised)
    data = data.with_winners()
    bids = data.distinct_bids()
    tenders = data.tenders.drop_duplicates("tender_id").set_index("tender_id")
    winners = bids.loc[bids["is_winner"]].drop_duplicates("tender_id").set_index("tender_id")["firm_id"]

    screens = tender_screens(raw, min_bids=2)
    unread = not_lowest_price(rules, data.tenders)
    pct = suspicion(screens, data.tenders, min_category_tenders, unread=unread).set_index("tender_id")
    counts = pct.groupby("category")["risk"].transform("count")
    pct["risk_rank"] = np.where(counts >= min_category_tenders,
                                pct.groupby("category")["risk"].rank(pct=True), pct["risk"].rank(pct=True))
    flagged_tenders = pct.index[pct["risk_rank"] > 1 - FLAG_SHARE]
    # the medians a ring's priced tenders are told against: of the tenders that were ranked
    table = category_baselines(screens.loc[~screens["tender_id"].isin(unread)], data.tenders, min_category_tenders)
    baselines, fallback = table["median"].to_dict(), table["fallback"].to_dict()

    priced = valid_bids(raw)  # one row per bid in the tender's currency: the step sets
    valid = data.bids.loc[data.bids["amount"] > 0, ["tender_id", "firm_id", "amount"]]
    if "disqualified" in data.bids.columns:
        valid = valid.loc[~data.bids.loc[valid.index, "disqualified"].astype(bool)]
    winner_bid = valid.merge(winners.rename("winner").reset_index(), on="tender_id")
    win_amount_all = winner_bid.loc[winner_bid["firm_id"] == winner_bid["winner"]].drop_duplicates(
        "tender_id").set_index("tender_id")["amount"]
    losers = winner_bid.loc[winner_bid["firm_id"] != winner_bid["winner"]].copy()
    losers["win"] = losers["tender_id"].map(win_amount_all)
    losers = losers.dropna(subset=["win"])
    losers = losers.loc[~losers["tender_id"].isin(unread)]
    losers["margin"] = losers["amount"] / losers["win"] - 1.0
    losers["category"] = losers["tender_id"].map(tenders["category"]).fillna(NO_CATEGORY).astype(str)
    n_cat = losers.groupby("category")["margin"].transform("size")
    by_cat = (losers.groupby("category")["margin"].rank(method="average") - 0.5) / n_cat
    overall = (losers["margin"].rank(method="average") - 0.5) / max(len(losers), 1)
    losers["p_margin"] = np.where(n_cat >= 5 * min_category_tenders, by_cat, overall)
    return SimpleNamespace(bids=bids, bidders=bids.groupby("tender_id").size(), tenders=tenders,
                           winners=winners, screens=screens.set_index("tender_id"), percentiles=pct,
                           flagged_tenders=flagged_tenders, baselines=baselines, fallback=fallback, valid=valid,
                           loser_margins=losers[["tender_id", "firm_id", "p_margin"]], rules=rules, unread=unread,
                           groups=award_groups(data.tenders)["group"],
                           priced=priced, spacing=bid_spacing.residuals(priced),
                           step_rates=bid_steps.chance_rates(
                               priced, set(range(bid_steps.MIN_BIDS, bid_steps.MAX_SIZE + 1)),
                               category=tenders["category"].fillna(NO_CATEGORY).astype(str)))


def segmentation(winners: Sequence[Any], segments: Sequence[Any],
                 max_pvalue: float = 1.0) -> tuple[float, float, float]:
    """How far the tender's segment (its region) names the winning member, beyond chance.

    Indicator: market allocation (OECD 2009) — the members split the market's regions
    (here the tender's ``region``; buyers are the other common split), each wins where it
    is assigned and covers or stays away elsewhere, so the winning member is predictable
    from the region. Over the member-won ring tenders, with
    ``W`` the winning member and ``S`` the region, the mutual information ``I(W; S)`` is
    corrected for chance with the expected mutual information of the adjusted mutual
    information (Vinh, Epps & Bailey 2010, JMLR 11, eq. 24a) and normalised by the
    winners' entropy — the share of the uncertainty about the winner that the region
    removes (Theil's uncertainty coefficient), rather than one of AMI's symmetric means::

        value = (I − E[I]) / (H(W) − E[I])    clipped to [0, 1]

    ``E[I]`` is the expected mutual information when the same winners are dealt to the
    same tenders at random (hypergeometric cell counts). 1: each region has its own
    winner; 0: the region says nothing beyond what chance gives with so few tenders. The
    p-value is the G-test of independence (``G = 2 N I``, χ² with ``(r − 1)(c − 1)``
    degrees of freedom) with Williams' (1976) correction ``G / q``, ``q = 1 + (N Σ 1/a_i −
    1)(N Σ 1/b_j − 1) / (6 N (r − 1)(c − 1))`` for the small, sparse tables a ring gives
    (still asymptotic); above ``max_pvalue`` the adjustment is skipped and value is NaN.
    Pairs with a missing winner or segment are left out. Fewer than two regions or two
    winners: ``(0, 1, home_share)``.

    Honest firms that each win mostly in their home region also make the region name the
    winner; what makes it a cartel screen is that it is read only on candidate rings —
    firms that co-bid in excess, i.e. that keep bidding, and losing, in each other's
    regions.

    Returns
    -------
    tuple
        ``(value, pvalue, home_share)`` — home_share is the share of the tenders won by
        their region's most frequent winner (the fact an investigator can count).
    """
    pairs = pd.DataFrame({"w": list(winners), "s": list(segments)}, dtype=object).dropna()
    w_codes, w_names = pd.factorize(pairs["w"])
    s_codes, s_names = pd.factorize(pairs["s"])
    n = len(w_codes)
    if n == 0:
        return 0.0, 1.0, 0.0
    table = np.bincount(w_codes * len(s_names) + s_codes, minlength=len(w_names) * len(s_names)).reshape(
        len(w_names), len(s_names)).astype(float)
    home_share = float(table.max(axis=0).sum() / n)
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 0.0, 1.0, home_share
    a, b = table.sum(axis=1), table.sum(axis=0)
    nz = table > 0
    mi = float((table[nz] / n * np.log(n * table[nz] / np.outer(a, b)[nz])).sum())
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    williams = 1.0 + (n * (1.0 / a).sum() - 1.0) * (n * (1.0 / b).sum() - 1.0) / (6.0 * n * dof)
    pvalue = float(stats.chi2.sf(2 * n * mi / williams, dof))
    if pvalue > max_pvalue:
        return float("nan"), pvalue, home_share
    h_w = float(-(a / n * np.log(a / n)).sum())
    # E[I]: every cell (a_i, b_j) and every count k it can hold, hypergeometric weights
    ai, bj = np.meshgrid(a, b, indexing="ij")
    ai, bj = ai.ravel(), bj.ravel()
    lo, hi = np.maximum(1, ai + bj - n), np.minimum(ai, bj)
    reps = np.maximum(hi - lo + 1, 0).astype(int)
    cell = np.repeat(np.arange(len(ai)), reps)
    k = lo[cell] + np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    emi = float((stats.hypergeom.pmf(k, n, ai[cell], bj[cell]) * k / n * np.log(n * k / (ai[cell] * bj[cell]))).sum())
    value = float(np.clip((mi - emi) / (h_w - emi), 0.0, 1.0)) if h_w - emi > 1e-12 else 0.0
    return value, pvalue, home_share


def ring_screens(data: MarketData, rings: list[frozenset[str]],
                 params: Params | None = None) -> pd.DataFrame:
    """Screens of each ring (one row per ring, in the order given), computed vectorised.

    ``rings`` must be disjoint (one partition). Columns: ``n_tenders`` (ring tenders),
    ``exclusivity`` (share of the members' co-bidding ties — ordered pairs of bidders
    meeting in a tender — that are ties among members; Wachs & Kertész 2019),
    ``pair_cobids`` (mean tenders per member pair: tie strength) and ``intensity`` (its
    percentile among the rings given with ≥ ``min_shared_tenders`` ring tenders),
    ``bid_share`` (share of the members' bids placed in ring tenders), ``closed_share``
    (share of ring tenders no outsider bid in), ``member_win_share``,
    ``distinct_winners``, ``winner_entropy`` (normalised), ``turn_taking``, ``price_p``
    (mean suspicion percentile of CV, spread and RD), ``solo_win_share``, ``id_strength``
    and the lists behind them.
    """
    params = params or Params()
    market = _screen_tables(data, params.min_category_tenders)
    label = {firm: k for k, ring in enumerate(rings) for firm in ring}
    bids = market.bids.assign(ring=market.bids["firm_id"].map(label).fillna(-1).astype(int))
    degree_of = bids.loc[bids["ring"] >= 0].groupby("firm_id").size().to_dict()
    tenders = market.tenders

    member = bids.loc[bids["ring"] >= 0]
    per_rt = member.groupby(["ring", "tender_id"]).agg(members=("firm_id", "size"),
                                                         member_won=("is_winner", "any"),
                                                         member_winners=("is_winner", "sum")).reset_index()
    per_rt["bidders"] = per_rt["tender_id"].map(market.bidders).to_numpy()
    per_rt["internal"] = per_rt["members"] * (per_rt["members"] - 1)
    per_rt["all_ties"] = per_rt["members"] * (per_rt["bidders"] - 1)
    ties = per_rt.groupby("ring")[["internal", "all_ties"]].sum()
    solo = per_rt.loc[(per_rt["members"] == 1) & per_rt["member_won"]].groupby("ring").size()
    won_any = per_rt.loc[per_rt["member_won"]].groupby("ring").size()

    rt = per_rt.loc[per_rt["members"] >= 2].copy()
    # a tender of several lots can have several winners: won by a member when any member's bid
    # won, by an outsider when a bid of another firm did
    rt["winner_is_member"] = rt["member_won"]
    winners_in = market.bids.groupby("tender_id")["is_winner"].sum()
    rt["outsider_won"] = rt["tender_id"].map(winners_in) > rt["member_winners"]
    rt["published_at"] = rt["tender_id"].map(tenders["published_at"])
    rt["category"] = rt["tender_id"].map(tenders["category"]).fillna(NO_CATEGORY).astype(str)
    rt["pairs"] = rt["members"] * (rt["members"] - 1) / 2
    rt["unread"] = rt["tender_id"].isin(market.unread)  # not a lowest-price category: screens not read
    rt["award_group"] = rt["tender_id"].map(market.groups).fillna(rt["category"])  # its award rule's group
    for column in ("cv", "spread", "diff_pct", "rd"):
        rt[column] = rt["tender_id"].map(market.screens[column]).where(~rt["unread"])
    percentile_columns = [f"p_{screen}" for screen in RISK_SCREENS]
    for column in percentile_columns:
        rt[column] = rt["tender_id"].map(market.percentiles[column])
    rt["flagged"] = rt["tender_id"].isin(market.flagged_tenders).astype(int)
    rt["rd_finite"] = rt["rd"].replace(np.inf, np.nan)
    baselines = market.baselines
    uncategorised = uncategorised_market(category for category, _ in baselines)  # no tender has a category

    g = rt.groupby("ring")
    agg = g.agg(n_tenders=("tender_id", "size"), member_bids=("members", "sum"), pairs=("pairs", "sum"),
                member_wins=("winner_is_member", "sum"),
                outsider_wins=("outsider_won", "sum"), n_priced=("p_cv", "count"),
                n_flagged=("flagged", "sum"),
                p_cv=("p_cv", "mean"), p_spread=("p_spread", "mean"), p_rd=("p_rd", "mean"),
                median_cv=("cv", "median"), median_spread=("spread", "median"),
                median_rd=("rd_finite", "median"))
    agg["closed"] = (rt["bidders"] == rt["members"]).groupby(rt["ring"]).mean()
    agg["n_unread"] = rt.groupby("ring")["unread"].sum()
    unread_groups = rt.loc[rt["unread"]].groupby("ring")["award_group"].unique()
    agg["median_members"] = rt.groupby("ring")["members"].median()
    p_sum = rt[percentile_columns].sum(axis=1, min_count=1).groupby(rt["ring"]).sum()
    p_n = rt[percentile_columns].notna().sum(axis=1).groupby(rt["ring"]).sum()
    agg["price_p"] = p_sum / p_n.replace(0, np.nan)
    priced = rt.dropna(subset=["p_cv"])
    agg["diff_pct_q10"] = priced.groupby("ring")["diff_pct"].quantile(0.1)
    agg["spread_q90"] = priced.groupby("ring")["spread"].quantile(0.9)
    modes = rt.groupby(["ring", "category"]).size().rename("n").reset_index()
    modes = modes.sort_values(["ring", "n", "category"], ascending=[True, False, True])
    agg["category"] = modes.drop_duplicates("ring").set_index("ring")["category"]
    # each priced ring tender against its own category's median (the market's for a small category):
    # a ring's tenders can span categories, and the modal one's median is not theirs
    priced_rt = rt.loc[rt["cv"].notna()]
    medians = {c: _baseline(market.baselines, c) for c in priced_rt["category"].unique()}
    for screen in ("cv", "rd", "spread"):
        own = priced_rt["category"].map({c: m[screen] for c, m in medians.items()})
        agg[f"base_{screen}"] = own.groupby(priced_rt["ring"]).median()
    agg["n_categories"] = priced_rt.groupby("ring")["category"].nunique()
    # when the cover-bid-like tenders happened (10th–90th percentile), against the ring's whole period
    dated = rt.loc[rt["published_at"].notna()]
    flagged_dates = dated.loc[dated["flagged"] == 1].groupby("ring")["published_at"]
    agg["flagged_from"], agg["flagged_to"] = flagged_dates.quantile(0.1), flagged_dates.quantile(0.9)
    span = dated.groupby("ring")["published_at"].agg(["min", "max"])
    agg["dated_first"], agg["dated_last"] = span["min"], span["max"]

    # every winning member of a member-won ring tender, one row each
    won = rt.loc[rt["winner_is_member"], ["ring", "tender_id", "published_at"]].merge(
        member.loc[member["is_winner"], ["ring", "tender_id", "firm_id"]].rename(columns={"firm_id": "winner"}),
        on=["ring", "tender_id"])

    # cover margins: the other members' bids relative to the winning member's bid (the first
    # winning member's where members won several lots)
    covers = rt.loc[rt["winner_is_member"], ["ring", "tender_id"]].merge(market.valid, on="tender_id")
    covers = covers.loc[covers["firm_id"].map(label).fillna(-2).astype(int) == covers["ring"]]
    covers = covers.merge(won[["ring", "tender_id", "winner"]].rename(columns={"winner": "firm_id"}).assign(
        winning=True), on=["ring", "tender_id", "firm_id"], how="left")
    winning = covers["winning"].eq(True)
    win_amount = covers.loc[winning].drop_duplicates(["ring", "tender_id"])
    covers = covers.loc[~winning].merge(
        win_amount[["ring", "tender_id", "amount"]].rename(columns={"amount": "win"}), on=["ring", "tender_id"])
    covers["margin"] = covers["amount"] / covers["win"] - 1.0
    margins = covers.groupby("ring")["margin"]
    agg["cover_q10"], agg["cover_q90"] = margins.quantile(0.1), margins.quantile(0.9)
    agg["cover_n"] = covers.groupby("ring")["tender_id"].nunique()
    # the tight-cover test reads only tenders of lowest-price categories (market.unread: not ranked)
    covers = covers.loc[~covers["tender_id"].isin(market.unread)]
    agg["cover_read"] = covers.groupby("ring")["tender_id"].nunique()
    # a member-won ring tender is "tight" when the median percentile of its member covers
    # among the market's losing margins (:func:`_screen_tables`) is in the lowest fifth
    covers = covers.merge(market.loser_margins, on=["tender_id", "firm_id"], how="left")
    tight = covers.groupby(["ring", "tender_id"])["p_margin"].median().rename("p").reset_index()
    tight["tight"] = (tight["p"] < FLAG_SHARE).astype(int)
    agg["cover_tight"] = tight.groupby("ring")["tight"].sum()

    # regular differences: the tenders where ≥ 3 members bid whose bids stood at equal steps
    # (one bid per member, its lowest), against how often as many of a tender's bids do by chance
    mine = rt[["ring", "tender_id"]].merge(market.priced, on="tender_id")
    category_of = rt.drop_duplicates("tender_id").set_index("tender_id")["category"]
    mine = mine.loc[mine["firm_id"].map(label).fillna(-2).astype(int) == mine["ring"]]
    mine = mine.groupby(["ring", "tender_id", "firm_id"], as_index=False)["amount"].min()
    sizes = mine.groupby(["ring", "tender_id"]).size()
    sizes = sizes.loc[sizes >= bid_steps.MIN_BIDS]
    if len(sizes):
        mine = mine.set_index(["ring", "tender_id"]).loc[sizes.index].reset_index()
        irregular = bid_steps.set_irregularity(mine, ["ring", "tender_id"]).reindex(sizes.index)
        steps = pd.DataFrame({"k": sizes, "stepped": irregular <= bid_steps.TOLERANCE,
                              "rate": [bid_steps.rate_of(market.step_rates, int(k), category_of.get(t))
                                       for (_, t), k in sizes.items()]}).reset_index()
        agg["steps_n"] = steps.groupby("ring").size()
        agg["steps_hits"] = steps.groupby("ring")["stepped"].sum()
        agg["steps_expected"] = steps.groupby("ring")["rate"].sum()
        # the stepped tenders are listed for the rings whose steps can count (MIN_STEPPED)
        counted_rings = set(agg.index[agg["steps_hits"].fillna(0) >= MIN_STEPPED])
        stepped = steps.loc[steps["stepped"] & steps["ring"].isin(counted_rings)].merge(mine, on=["ring", "tender_id"])
        step_examples = {k: _step_examples(g) for k, g in stepped.groupby("ring")}
    else:
        agg["steps_n"] = agg["steps_hits"] = agg["steps_expected"] = 0
        step_examples = {}

    # bid spacing: how close the members' bids lay to each other among every set of as many of the
    # tender's bids (every award rule: nothing assumes the lowest bid wins)
    spaced = bid_spacing.group_spacing(market.spacing, rt[["ring", "tender_id"]].rename(columns={"ring": "group"})
                                       .assign(members=lambda f: f["group"].map(dict(enumerate(rings)))))
    spacing = {k: _spacing_reading(v) for k, v in spaced.groupby("group")}
    no_spacing = _spacing_reading(spaced.iloc[:0])

    # win rotation among members, in publication order
    won = won.sort_values(["ring", "published_at", "tender_id", "winner"], na_position="last", kind="mergesort")
    wins = won.groupby(["ring", "winner"]).size().rename("wins").reset_index()
    wins["share"] = wins["wins"] / wins.groupby("ring")["wins"].transform("sum")
    wins["plogp"] = -wins["share"] * np.log(wins["share"])
    wins["p2"] = wins["share"] ** 2
    wsum = wins.groupby("ring").agg(distinct=("winner", "size"), entropy=("plogp", "sum"), q=("p2", "sum"))
    # the turns: one winning member per tender (members sharing a tender's lots out win it together,
    # which is no turn-taking: side by side they would read as perfect alternation)
    turns = won.drop_duplicates(["ring", "tender_id"])
    wsum["turns"] = turns.groupby("ring").size()
    same = (turns["winner"].to_numpy()[1:] == turns["winner"].to_numpy()[:-1]) & \
        (turns["ring"].to_numpy()[1:] == turns["ring"].to_numpy()[:-1])
    repeats = pd.Series(same, index=turns["ring"].to_numpy()[1:]).groupby(level=0).sum()
    regions = won.assign(segment=won["tender_id"].map(tenders["region"])).dropna(subset=["segment"])
    segmented = {k: segmentation(v["winner"].to_numpy(), v["segment"].to_numpy(), SEGMENT_GATE)
                 + (v["segment"].nunique(), len(v)) for k, v in regions.groupby("ring")}
    wins_by_ring = {k: dict(zip(v["winner"], v["wins"], strict=True))
                    for k, v in wins.sort_values(["ring", "wins", "winner"], ascending=[True, False, True])
                    .groupby("ring")}

    ids = _member_identifiers(data, set(label))
    ids = ids.loc[ids["holders"] >= 2]
    # an IP or document the members share that competing bids carried in one tender beyond chance
    traced = bid_traces.by_identifier(data)
    ids = ids.assign(ring=ids["firm_id"].map(label)).dropna(subset=["ring"])
    ids["ring"] = ids["ring"].astype(int)
    ids["m"] = ids.groupby(["ring", "kind", "value"])["firm_id"].transform("size")
    ids = ids.loc[ids["m"] >= 2].sort_values(["ring", "kind", "value", "firm_id"])
    shared_by_ring = {k: v for k, v in ids.groupby("ring")}
    ordered = rt.sort_values(["ring", "tender_id"])
    tenders_by_ring = {k: list(v) for k, v in ordered.groupby("ring")["tender_id"]}

    rows: list[dict[str, Any]] = []
    for k, ring in enumerate(rings):
        size = len(ring)
        row: dict[str, Any] = {"ring": k, "firms": sorted(ring), "size": size}
        if k not in agg.index or agg.at[k, "n_tenders"] < params.min_shared_tenders:
            rows.append({**row, "n_tenders": int(agg.at[k, "n_tenders"]) if k in agg.index else 0})
            continue
        a = agg.loc[k]
        n, w = int(a["n_tenders"]), int(a["member_wins"])
        total_bids = float(sum(degree_of.get(f, 0) for f in ring))
        distinct = int(wsum["distinct"].get(k, 0))
        evenness = float(wsum["entropy"].get(k, 0.0)) / math.log(size) if size > 1 else 0.0
        rep = int(repeats.get(k, 0))
        turn_taking, expected_repeats, turn_z = 0.0, 0.0, float("nan")  # NaN: fewer than 3 turns, no test
        runs = int(wsum["turns"].get(k, 0))  # member-won tenders in sequence, one turn each
        if runs >= 3:
            # runs test: consecutive wins by the same member vs independent draws with the
            # observed shares; strength = relative shortfall of repeats, weighed by _division_weight(z)
            q = float(wsum["q"].get(k, 1.0))
            expected_repeats = (runs - 1) * q
            sd = math.sqrt(max((runs - 1) * q * (1 - q), 1e-12))
            turn_z = (expected_repeats - rep) / sd
            if expected_repeats > 0:
                turn_taking = float(np.clip(1.0 - rep / expected_repeats, 0.0, 1.0)) * _division_weight(turn_z)
        seg_value, seg_pvalue, home_share, n_regions, n_regioned = segmented.get(k, (0.0, 1.0, 0.0, 0, 0))
        # like turn-taking, weighed by the G-test's one-sided z
        seg_strength = 0.0 if seg_value != seg_value else \
            seg_value * _division_weight(float(stats.norm.isf(max(seg_pvalue, 1e-300))))
        base = _baseline(baselines, a["category"])
        # the category's medians and ranking, or the whole market's for a small category
        from_market = market.fallback.get((a["category"], "cv"), True)
        identifiers, id_strength = shared_identifiers(size, shared_by_ring.get(k), traced)
        all_ties = float(ties.loc[k, "all_ties"]) if k in ties.index else 0.0
        rows.append({
            **row, "n_tenders": n, "tenders": tenders_by_ring[k], "category": a["category"],
            "bid_share": float(a["member_bids"]) / total_bids if total_bids else 0.0,
            "closed_share": float(a["closed"]),
            "exclusivity": float(ties.loc[k, "internal"]) / all_ties if all_ties else 0.0,
            "pair_cobids": float(a["pairs"]) / (size * (size - 1) / 2),
            "outsider_wins": int(a["outsider_wins"]), "member_wins": w, "member_win_share": w / n,
            "wins_by_member": {str(f): int(c) for f, c in wins_by_ring.get(k, {}).items()},
            "distinct_winners": distinct, "winner_entropy": evenness,
            "repeats": rep, "expected_repeats": expected_repeats, "turn_taking": turn_taking, "turn_z": turn_z,
            "median_members": int(math.floor(float(a["median_members"]) + 0.5)),  # members of a typical ring tender
            "segmentation": seg_strength, "segmentation_ami": seg_value,
            "segmentation_pvalue": seg_pvalue,
            "home_share": home_share, "regions_won": n_regions, "regioned_wins": n_regioned,
            "home_wins": int(round(home_share * n_regioned)),
            "n_priced": int(a["n_priced"]), "price_p": float(a["price_p"]),
            "n_flagged": int(a["n_flagged"]),
            "p_cv": float(a["p_cv"]), "p_rd": float(a["p_rd"]), "p_spread": float(a["p_spread"]),
            "median_cv": float(a["median_cv"]), "median_rd": float(a["median_rd"]),
            "median_spread": float(a["median_spread"]),
            "diff_pct_q10": float(a["diff_pct_q10"]), "spread_q90": float(a["spread_q90"]),
            "cover_q10": float(a["cover_q10"]), "cover_q90": float(a["cover_q90"]),
            "cover_tenders": int(a["cover_n"]) if a["cover_n"] == a["cover_n"] else 0,
            "cover_tight": int(a["cover_tight"]) if a["cover_tight"] == a["cover_tight"] else 0,
            "cover_read": int(a["cover_read"]) if a["cover_read"] == a["cover_read"] else 0,
            "unread_tenders": int(a["n_unread"]),
            "steps_n": _count(a["steps_n"]), "steps_hits": _count(a["steps_hits"]),
            "steps_expected": float(a["steps_expected"]) if a["steps_expected"] == a["steps_expected"] else 0.0,
            "step_examples": step_examples.get(k, []),
            **spacing.get(k, no_spacing),
            **_unread_reading(market.rules, sorted(unread_groups.get(k, []))),
            "baseline_cv": _or(a["base_cv"], base.get("cv")), "baseline_rd": _or(a["base_rd"], base.get("rd")),
            "baseline_spread": _or(a["base_spread"], base.get("spread")),
            "n_categories": int(a["n_categories"]) if a["n_categories"] == a["n_categories"] else 1,
            "flagged_period": _concentrated(a["flagged_from"], a["flagged_to"], a["dated_first"], a["dated_last"]),
            # several categories: each tender against its own (a small one's is the market's)
            "baseline": "categories" if a["n_categories"] == a["n_categories"] and a["n_categories"] > 1
                        and not uncategorised
                        else "market" if from_market or uncategorised else "uncategorised" if a["category"] == NO_CATEGORY
                        else "category",
            "solo_win_share": float(solo.get(k, 0) / won_any.get(k, 1)) if won_any.get(k, 0) else 0.0,
            "identifiers": identifiers, "id_strength": id_strength,
        })
    table = pd.DataFrame(rows)
    if len(table) and "pair_cobids" in table.columns:
        scored = table["n_tenders"] >= params.min_shared_tenders
        table["intensity"] = table.loc[scored, "pair_cobids"].rank(pct=True, method="max")
        table["intensity"] = table["intensity"].fillna(0.0)
    return table


#: the cover-bid-like tenders' period is told where it leaves this much of the ring's period out (a
#: cartel that collapsed, or began, within the ring's years)
CONCENTRATED = pd.Timedelta(days=365)


def _concentrated(start: Any, end: Any, first: Any, last: Any) -> tuple[str, str] | None:
    """``(YYYY-MM, YYYY-MM)``, the 10th–90th percentile of a ring's cover-bid-like tenders' dates, where
    that period leaves a year or more of the ring's period before or after it; else None."""
    if any(pd.isna(v) for v in (start, end, first, last)):
        return None
    if start - first < CONCENTRATED and last - end < CONCENTRATED:
        return None
    return (f"{pd.Timestamp(start):%Y-%m}", f"{pd.Timestamp(end):%Y-%m}")


def _or(value: Any, default: Any) -> Any:
    """``value``, or ``default`` where it is missing (NaN or None)."""
    return default if value is None or value != value else float(value)


def _baseline(baselines: dict[tuple[str, str], float], category: str) -> dict[str, float]:
    """Category medians of CV, RD and spread (the whole market's where the category has none)."""
    return {screen: float(baselines.get((category, screen), baselines.get(("*", screen), float("nan"))))
            for screen in ("cv", "rd", "spread")}


def _division_weight(z: float) -> float:
    """How much a division-of-wins test counts at z: 0 up to ``DIVISION_Z[0]``, 1 from ``DIVISION_Z[1]``."""
    low, full = DIVISION_Z
    return float(np.clip((z - low) / (full - low), 0.0, 1.0))


def _share_counts(row: pd.Series) -> list[tuple[int, int]]:
    """(hits, n) of the two share tests of :func:`_components`: flagged of priced, tight of cover tenders."""
    return [(int(row.get("n_flagged", 0) or 0), int(row.get("n_priced", 0) or 0)),
            (int(row.get("cover_tight", 0) or 0), int(row.get("cover_read", 0) or 0))]


def _binomial_tails(counts: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """``P(X ≥ hits)`` for X ~ Binomial(n, FLAG_SHARE) of each (hits, n), in one vectorised call."""
    keys = sorted({(k, n) for k, n in counts if n})
    if not keys:
        return {}
    hits, n = (np.array(v, dtype=np.int64) for v in zip(*keys, strict=True))
    return dict(zip(keys, (float(p) for p in stats.binom.sf(hits - 1, n, FLAG_SHARE)), strict=True))


#: fewer stepped tenders than this give a ring no points for regular differences (:func:`steps_test_value`)
MIN_STEPPED = 3


def candidate_gate(pvalue: float, n_candidates: int) -> float:
    """How far a price test of one candidate ring counts, in [0, 1]: ``clip(−log10(p · m) / 2, 0, 1)``
    for m candidate rings — nothing at a Bonferroni-adjusted ``p · m ≥ 1``, half at 0.1, in full
    from 0.01 (:func:`share_test_value`, :func:`steps_test_value`)."""
    surprise = -math.log10(max(pvalue, 1e-300)) - math.log10(max(n_candidates, 1))
    return float(np.clip(surprise / 2.0, 0.0, 1.0))


def steps_proven(facts: Mapping[str, Any]) -> bool:
    """Whether a ring's price facts (``evidence["components"]["price"]["facts"]``) prove its
    regular differences (its stepped tenders then raise them in tender risk): at least
    :data:`MIN_STEPPED` stepped tenders and a Poisson tail that counts in full among the candidate
    rings (:func:`candidate_gate`: Bonferroni-adjusted p ≤ 0.01)."""
    return int(facts.get("stepped_tenders", 0) or 0) >= MIN_STEPPED and candidate_gate(
        float(facts.get("stepped_poisson_pvalue", 1.0)), int(facts.get("candidates_screened", 1) or 1)) >= 1.0


def _count(value: Any) -> int:
    """A count aggregated over rings, 0 where a ring had none (NaN)."""
    return int(value) if value == value else 0


def _step_examples(stepped: pd.DataFrame) -> list[dict[str, Any]]:
    """The stepped tenders of a ring (rows of the members' bids in them), by tender id: tender,
    members by amount, and the step (:func:`detectors.bid_steps.step_of`)."""
    return [{"tender_id": str(tender), "firms": [str(f) for f in g["firm_id"]], **bid_steps.step_of(g["amount"])}
            for tender, g in stepped.sort_values(["tender_id", "amount"]).groupby("tender_id", sort=True)]


def steps_test_value(hits: int, n: int, expected: float, n_candidates: int) -> tuple[float, float]:
    """The regular-differences test of one candidate ring: ``(p, value)``, value in [0, 1].

    ``hits`` of the ``n`` tenders where ≥ 3 members bid have the members' bids at equal steps
    (:mod:`detectors.bid_steps`) where chance gives ``expected``; ``p`` is the Poisson tail
    ``P(X ≥ hits)``. Effect = ``clip(hits / n / 0.5, 0, 1)`` (full when half of them are
    stepped: a hand that writes covers need not step every time); value = effect ×
    ``clip(−log10(p · m) / 2, 0, 1)`` over m candidates, as in :func:`share_test_value`, and 0
    below :data:`MIN_STEPPED` stepped tenders. One or two stepped tenders are what chance gives
    the luckiest of many small groups: on ``benchmarks/foreign_markets.py``'s 40 honest markets
    five groups drew 0.2–6 points from a single stepped tender (1 of 1, expected 0.009), and on
    its seed 6 a group of 6 three-member tenders drew 10 points from 2 stepped ones.
    """
    p = bid_steps.poisson_tail(hits, expected) if n and hits else 1.0
    if hits < MIN_STEPPED:
        return p, 0.0
    return p, float(np.clip(hits / n / 0.5, 0.0, 1.0)) * candidate_gate(p, n_candidates)


#: the spacing test's effect is full when the members' mean mid-p is this far below ½ (0.2: their bids
#: closer together than four fifths of the tender's sets of as many bids)
SPACING_FULL = 0.3
#: tenders quoted as examples of a ring's spacing
SPACING_EXAMPLES = 3
#: the spacing test counts as if there were this many times the candidates (nothing at p·m ≥ 0.1)
SPACING_GATE = 10
#: the empirical null of the spacing z-values needs this many candidates (else N(0, 1))
SPACING_NULL_MIN = 20


def _spacing_reading(spaced: pd.DataFrame) -> dict[str, Any]:
    """A ring's bid spacing (:func:`detectors.bid_spacing.group_spacing` rows of its tenders):
    ``spacing_n`` tenders read, ``spacing_mean`` (mean mid-p: ½ expected, low = bunched),
    ``spacing_z`` and ``spacing_pvalue`` (:func:`detectors.bid_spacing.spacing_test`) and
    ``spacing_examples``: the tenders where the members' bids were the most bunched, with their mid-p."""
    u, v = spaced["u"].to_numpy(dtype=float), spaced["v"].to_numpy(dtype=float)
    z, p = bid_spacing.spacing_test(u, v)
    ordered = spaced.sort_values(["u", "tender_id"], kind="mergesort")  # the most bunched first
    examples = [{"tender_id": str(t), "members": int(k), "bids": int(n), "rank": round(float(x), 4)}
                for t, k, n, x in zip(ordered["tender_id"], ordered["k"], ordered["n"], ordered["u"], strict=True)
                ][:SPACING_EXAMPLES] if z == z else []
    return {"spacing_n": len(u), "spacing_mean": float(u.mean()) if len(u) else float("nan"),
            "spacing_wider": float(spaced["wider"].mean()) if len(u) else float("nan"),
            "spacing_z": z, "spacing_pvalue": p, "spacing_examples": examples}


def spacing_null(table: pd.DataFrame) -> pd.DataFrame:
    """The candidates' spacing z-values read against the market's own null (Efron 2004).

    Each candidate's z (:func:`detectors.bid_spacing.spacing_test`) assumes its members' bids are
    as exchangeable with the other bids of their tenders as a model of firms' levels and spreads
    makes them; where firms' habits escape the model, honest groups' z spread wider than N(0, 1).
    Most candidates are honest, so their z-values show the spread: z is divided by
    ``max(1, 1.4826 · median |z|)`` over the market's candidates (at least
    :data:`SPACING_NULL_MIN` of them; the median absolute value around 0, the null's centre — a market
    where most candidates bunch is not re-centred onto them), and the one-sided p-value recomputed.
    Measured, reported rings without a planted member: z sd 0.86 and 1.02 on demo seeds 1 and 5,
    1.12 on the blind market's seed 1 (:mod:`detectors.bid_spacing`); the scale over all candidates,
    planted rings among them, 1.31, 1.49 and 1.15 there.
    """
    if not len(table):
        return table
    z = pd.to_numeric(table["spacing_z"], errors="coerce") if "spacing_z" in table else pd.Series(dtype=float)
    finite = z.dropna().to_numpy(dtype=float)
    scale = max(1.0, 1.4826 * float(np.median(np.abs(finite)))) if len(finite) >= SPACING_NULL_MIN else 1.0
    table = table.assign(spacing_z=z / scale, spacing_null_scale=scale)
    table["spacing_pvalue"] = np.where(table["spacing_z"].notna(),
                                       stats.norm.sf(table["spacing_z"].fillna(0.0)), 1.0)
    return table


def spacing_test_value(n: int, mean: float, pvalue: float, n_candidates: int) -> float:
    """The bid-spacing test of one candidate ring, a value in [0, 1].

    In ``n`` tenders the members' bids had the mean mid-p ``mean`` among every set of as many of
    the tender's bids (½ under competition, lower when bunched; :mod:`detectors.bid_spacing`) and the
    one-sided ``pvalue``. Effect = ``clip((½ − mean) / SPACING_FULL, 0, 1)``; value = effect ×
    :func:`candidate_gate` over :data:`SPACING_GATE` × m candidates: nothing at p·m ≥ 0.1, full from
    0.001. The share tests' gate (nothing from p·m = 1) let the luckiest honest groups of some
    markets count: on 40 honest markets (``benchmarks/foreign_markets.py --honest 40``) it lifted
    4 honest groups over the strong tier (35 → 39 strong rings of 1,762); at this gate none (35).
    """
    if not n or mean != mean:
        return 0.0
    return float(np.clip((0.5 - mean) / SPACING_FULL, 0.0, 1.0)) * candidate_gate(pvalue, SPACING_GATE * n_candidates)


def share_test_value(hits: int, n: int, n_candidates: int, pvalue: float | None = None) -> tuple[float, float, float]:
    """A price share test of one candidate ring: ``(share, p, value)``, value in [0, 1].

    ``hits`` of its ``n`` tenders are cover-bid-like (resp. have tight member covers) where
    competition gives :data:`FLAG_SHARE`. Effect = ``clip((share − 0.2) / 0.5, 0, 1)`` (full at
    a 70 % share); ``p`` = the binomial tail ``P(X ≥ hits)``, X ~ Binomial(n, 0.2) (given, or
    computed); value = effect × ``clip(−log10(p · m) / 2, 0, 1)`` for m candidate rings: the
    Bonferroni-adjusted p must be below 1 for the test to count at all, counts half at 0.1
    and fully at 0.01. The best of m honest candidates reaches p ≈ 1/m by chance alone, so
    that level counts nothing (measured: honest foreign markets' strong rings 10 of 453 → 4,
    the blind benchmark's false strong rings in the top k 10 → 5; weighing half there, as
    before, gave the luckiest honest group 17.5 of the 35 price points).
    """
    if not n:
        return float("nan"), 1.0, 0.0
    share = hits / n
    effect = float(np.clip((share - FLAG_SHARE) / 0.5, 0.0, 1.0))
    if pvalue is None:
        pvalue = float(stats.binom.sf(hits - 1, n, FLAG_SHARE))
    return share, pvalue, effect * candidate_gate(pvalue, n_candidates)


def _components(row: pd.Series, weights: dict[str, float], n_candidates: int = 1,
                tails: dict[tuple[int, int], float] | None = None) -> dict[str, dict[str, Any]]:
    """Each component's value in [0, 1], its baseline and its contribution to the score.

    ``tails`` holds binomial tails already computed (:func:`_binomial_tails`); others are
    computed here.
    """
    # price: share of the screened ring tenders that are cover-bid-like (top fifth of their
    # category on the mean suspicion percentile of CV, spread and RD) against the 20 %
    # expected under competition. A ring rigs only some of the tenders where members
    # meet, so a share test is not diluted the way a mean would be. The effect is full at
    # a 70 % share; it is weighed by the binomial tail p-value corrected for the number
    # m of candidate rings screened (:func:`share_test_value`), so that neither a pair that
    # met four times nor the luckiest of many honest groups can carry it.
    #
    # The same test is run on the member-won ring tenders for the cover margins: the
    # other members' bids over the winning member's, ranked among all losing margins of
    # the category (a tender counts when its members' median margin is in the lowest
    # fifth). This looks at the members' own bids only, so outsiders' honest bids in a
    # ring tender cannot hide the cover pattern. The price value is the larger of the two.
    def share_test(hits: int, n: int) -> tuple[float, float, float]:
        return share_test_value(hits, n, n_candidates, tails.get((hits, n)) if tails else None)

    (n_flagged, n_priced), (n_tight, n_cover) = _share_counts(row)
    share, pvalue, screens_value = share_test(n_flagged, n_priced)
    cover_share, cover_pvalue, cover_value = share_test(n_tight, n_cover)
    steps_p, steps_value = steps_test_value(int(row.get("steps_hits", 0) or 0), int(row.get("steps_n", 0) or 0),
                                            float(row.get("steps_expected", 0.0) or 0.0), n_candidates)
    spacing_n, spacing_mean = int(row.get("spacing_n", 0) or 0), float(_or(row.get("spacing_mean"), float("nan")))
    spacing_p = float(_or(row.get("spacing_pvalue"), 1.0))
    spacing_value = spacing_test_value(spacing_n, spacing_mean, spacing_p, n_candidates)
    price = max(screens_value, cover_value, steps_value, spacing_value)
    price_p = row.get("price_p")
    # even shares alone also arise in genuine competition among equals; dividing the wins is
    # what distinguishes a cartel: in time (turn-taking, fewer repeat wins than chance) or by
    # region (segmentation, the region names the winning member: market allocation)
    division = max(row["turn_taking"], row["segmentation"])
    rotation = row["member_win_share"] * row["winner_entropy"] * (0.25 + 0.75 * division) \
        if row["distinct_winners"] >= 2 else 0.0
    cohesion = 0.5 * row["exclusivity"] + 0.5 * row["intensity"]
    suppression = row["solo_win_share"] * (1.0 if row["distinct_winners"] >= 2 else 0.0) * \
        row["member_win_share"]
    excess = float(row.get("excess_value", 0.0) or 0.0)
    values = {
        "price": (price, {"tenders_screened": n_priced, "cover_bid_like": n_flagged,
                          "share": share, "expected_share": FLAG_SHARE, "binomial_pvalue": pvalue,
                          "cover_bid_like_period": row.get("flagged_period"),
                          "candidates_screened": n_candidates, "screens_value": screens_value,
                          "member_won_tenders_with_member_covers": n_cover,
                          "tight_member_covers": n_tight, "tight_share": cover_share,
                          "tight_binomial_pvalue": cover_pvalue, "cover_value": cover_value,
                          "mean_suspicion_percentile": price_p,
                          # tenders of categories not awarded to the lowest bid: not screened
                          "tenders_not_read": int(row.get("unread_tenders", 0) or 0),
                          # by award group: the category, or "category · criteria" (screens.award_groups)
                          "lowest_won_share_by_award_group": row.get("lowest_won_share") or {},
                          # the criteria the unread tenders' award rules were read on (their own or the
                          # market's tenders declaring them), and whether some were read without any
                          "award_criteria_not_read": row.get("unread_award_criteria") or [],
                          "not_read_without_criteria": bool(row.get("unread_undeclared")),
                          # regular differences (detectors.bid_steps): tenders where >= 3 members bid
                          "tenders_with_three_members": int(row.get("steps_n", 0) or 0),
                          "stepped_tenders": int(row.get("steps_hits", 0) or 0),
                          "stepped_expected": round(float(row.get("steps_expected", 0.0) or 0.0), 4),
                          "stepped_poisson_pvalue": steps_p, "steps_value": steps_value,
                          "step_tolerance": bid_steps.TOLERANCE,
                          "stepped": row.get("step_examples") or [],
                          # bid spacing (detectors.bid_spacing): tenders where >= 2 members met another bidder
                          "spacing_tenders": spacing_n,
                          "spacing_mean_rank": None if spacing_mean != spacing_mean else round(spacing_mean, 4),
                          "spacing_expected_rank": 0.5,
                          # the share of the tenders' other sets of as many bids that were wider (½ by chance)
                          "spacing_other_sets_wider": _or(row.get("spacing_wider"), None),
                          "spacing_z": _or(row.get("spacing_z"), None),
                          "spacing_pvalue": spacing_p, "spacing_value": spacing_value,
                          "spacing_null_scale": _or(row.get("spacing_null_scale"), 1.0),
                          "spacing_examples": row.get("spacing_examples") or []}),
        "rotation": (rotation, {"member_win_share": row["member_win_share"],
                                "winner_evenness": row["winner_entropy"],
                                "turn_taking": row["turn_taking"],
                                "repeat_wins": row["repeats"],
                                "expected_repeat_wins": row["expected_repeats"],
                                "runs_test_z": _or(row.get("turn_z"), None),
                                "segmentation": row["segmentation"],
                                "segmentation_adjusted_mi": row["segmentation_ami"],
                                "segmentation_pvalue": row["segmentation_pvalue"],
                                "regions_won": row["regions_won"],
                                "wins_by_the_regions_usual_winner": row["home_share"]}),
        "cohesion": (cohesion, {"exclusivity": row["exclusivity"],
                                "mean_cobids_per_pair": row["pair_cobids"],
                                "tie_strength_percentile": row["intensity"],
                                "share_of_member_bids_in_ring_tenders": row["bid_share"],
                                "share_of_ring_tenders_without_outsiders": row["closed_share"],
                                "members_in_the_median_ring_tender": row.get("median_members")}),
        "excess": (excess, {"group_cobids": row.get("excess_cobids"),
                            "group_expected_cobids": row.get("excess_expected"),
                            "log_likelihood_ratio": row.get("excess_llr"),
                            "robust_z_among_candidates": row.get("excess_z"),
                            "full_at_z": row.get("excess_full_z", EXCESS_FULL_Z)}),
        "identifiers": (row["id_strength"], {"identifiers_shared": len(row["identifiers"])}),
        "suppression": (suppression, {"solo_win_share": row["solo_win_share"]}),
    }
    return {name: {"value": round(float(v), 4), "weight": weights.get(name, 0.0),
                   "contribution": round(float(v) * weights.get(name, 0.0), 2),
                   "facts": facts}
            for name, (v, facts) in values.items()}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _top_winners(wins: dict[str, int], shown: int = 3, names: Mapping[str, str] | None = None) -> str:
    """"Alpha Build (F1) 12, F2 9, F3 4, and 3 by 2 other members": the members who won most, with their
    wins, named as the records name them (:func:`detectors.finding.labels`; the id alone where they do
    not), and the wins of the rest; a member with as many wins as the last one named is named too (a tie
    is not hidden in the rest), and one left over is named as well (:func:`detectors.finding.listed`).
    "… 3 and 3 more" read as three more wins, where it counted members (an app review added it up)."""
    ranked = sorted(wins.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) > shown:
        shown = sum(n >= ranked[shown - 1][1] for _, n in ranked)
    items = [f"{(names or {}).get(firm, firm)} {n}" for firm, n in ranked]
    if len(items) <= shown + 1:
        return listed(items, shown)
    rest = ranked[shown:]
    return f"{', '.join(items[:shown])}, and {sum(n for _, n in rest)} by {len(rest)} other members"


def _stepped(facts: dict[str, Any]) -> str:
    """The regular-differences clause, e.g. "in 59 of the 62 tenders where three or more of them bid,
    their bids stood at equal steps (41,000 apart in T00004: F0148, F0074, F0094 and 2 more), where
    chance alone would give fewer than 0.01"."""
    example = ""
    if facts.get("stepped"):
        first = facts["stepped"][0]
        example = f" ({bid_steps.apart(first)} in {first['tender_id']}: {listed(first['firms'], 3)}, from lowest to highest)"
    return (f"in {facts['stepped_tenders']} of the {counted(facts['tenders_with_three_members'], 'tender')} where "
            f"three or more of them bid, their bids stood at equal steps{example}, where chance alone would give "
            f"{bid_traces.chance(facts['stepped_expected'])}")


def _spaced(facts: dict[str, Any]) -> str:
    """The bid-spacing clause, e.g. "in the 62 tenders where two or more of them bid beside other firms
    with at least 4 bids on record, their bids lay closer together than 82 % of the other sets of as many
    of the tender's bids, on average (half by chance, each firm's usual price level and spread aside;
    most in T00017, T00230 and T00311)"."""
    share = round(100 * float(facts["spacing_other_sets_wider"]))
    examples = [e["tender_id"] for e in facts.get("spacing_examples") or []]
    most = f"; most in {joined(examples)}" if examples else ""
    return (f"in the {counted(int(facts['spacing_tenders']), 'tender')} where two or more of them bid beside other "
            f"firms with at least {bid_spacing.MIN_FIRM_BIDS} bids on record, their bids lay closer together than "
            f"{share} % of the other sets of as many of the tender's bids, on average (half by chance, each firm's "
            f"usual price level and spread aside{most})")


def _unread_reading(rules: pd.DataFrame, groups: list[str]) -> dict[str, Any]:
    """What a ring's unread tenders' award rules (``groups`` of :func:`detectors.screens.award_rules`)
    were read on, for :func:`_not_read`: the shares that decided each group (``lowest_won_share`` and
    ``drawn_share``: its own, or the market's for a small one, ``lowest_won_share_of_market`` where
    every group is small), ``unread_categories`` (how many), ``unread_award_criteria`` (the declared
    criteria of those read on their own tenders or on the market's tenders declaring the same) and
    ``unread_undeclared`` (whether some were read without criteria: declaring none, or too few to read
    by and read with the whole market)."""
    read = rules.loc[groups]
    shares = {str(g): decided_shares(rules, g) for g in groups}
    declared = read["criteria"].notna() & (~read["fallback"] | read["market_criteria"])
    return {"lowest_won_share": {g: round(won, 4) for g, (won, _) in shares.items()},
            "drawn_share": {g: round(drawn, 4) for g, (_, drawn) in shares.items()},
            "lowest_won_share_of_market": bool(len(read) and read["fallback"].all()),
            "unread_categories": int(read["category"].nunique()),
            "unread_award_criteria": sorted(str(c) for c in read.loc[declared, "criteria"].unique()),
            "unread_undeclared": bool(len(read) and not declared.all())}


def _not_read(n: int, total: int, shares: dict[str, float], of_market: bool = False,
              drawn: dict[str, float] | None = None, criteria: Sequence[str] = (), undeclared: bool = False,
              categories: int = 1) -> str:
    """Why ``n`` of a ring's ``total`` tenders were not screened for cover bids: their award rules
    (``shares``: award group — the category, or category and declared criteria — → the share of
    awarded tenders the lowest valid bid won, :func:`detectors.screens.award_rules`; the market's,
    ``of_market``, for groups with too few awards) are not awarded on the lowest price, against what
    a draw among each tender's bidders would give (``drawn``, the same way). ``criteria``: the
    declared criteria those shares were read on, as the record words them (``undeclared``: some
    were read without any); ``categories``: how many categories the tenders are in. Shares are
    floored (499 of 999 is 49 %)."""
    def span(fractions: Iterable[float]) -> str:
        values = sorted(math.floor(100 * v) for v in fractions)
        return f"{values[0]} %" if len(set(values)) <= 1 else f"{values[0]}–{values[-1]} %"

    won = span(shares.values())
    draw = f", {beyond_draw_told(span(drawn.values()))}" if drawn else ""
    which = ("none of their tenders was" if n == total else
             f"{n} of their tenders {'was' if n == 1 else 'were'} not")
    whose = "the market's" if of_market else "their category's" if categories <= 1 else "their categories'"
    named = [f"“{c}”" for c in criteria] + (["none"] if undeclared else [])
    declared = f" declaring the award criteria {' or '.join(named)}" if criteria else ""
    return (f"{which} screened for cover bids, which presume that the lowest bid wins: the lowest valid bid won "
            f"{won} of {whose} awarded tenders{declared}{draw} ({NOT_LOWEST_PRICE_CAUSES})")


def _margins(q10: float, q90: float) -> str:
    """Where the cover bids sat against the winner's, e.g. "sat 1.1–2.9 % above the winning member's
    (10th–90th percentile)"; one value when the two percentiles agree, and "below" where covers
    undercut the winner."""
    low, high = round(100 * q10, 1) + 0.0, round(100 * q90, 1) + 0.0  # + 0.0: no "-0.0"
    if low == high:
        return f"sat {abs(low):.1f} % {'below' if low < 0 else 'above'} the winning member's"
    if low < 0 <= high:
        where = f"between {-low:.1f} % below and {high:.1f} % above"
    elif high < 0:
        where = f"{-high:.1f}–{-low:.1f} % below"
    else:
        where = f"{low:.1f}–{high:.1f} % above"
    return f"sat {where} the winning member's (10th–90th percentile)"


def _sentence(clauses: list[str]) -> str:
    """Clauses joined as one sentence: ``a, b and c.``, its first letter upper-case."""
    text = ", ".join(clauses[:-1]) + (", and " if len(clauses) > 1 else "") + clauses[-1]
    return text[0].upper() + text[1:] + "."


#: the ring table's columns that count (firms, tenders, wins): said as whole numbers, whatever dtype a column
#: took in the table (a count column with a missing value in some ring turns float: "won 33.0 of those")
COUNT_COLUMNS = ("size", "n_tenders", "distinct_winners", "member_wins", "home_wins", "regioned_wins", "regions_won",
                 "repeats", "n_flagged", "n_priced", "cover_tenders", "unread_tenders")


def _whole_counts(row: pd.Series) -> pd.Series:
    """``row`` with each of :data:`COUNT_COLUMNS` it has as an ``int`` where the value is a whole number."""
    row = row.astype(object)  # a copy, and an int stays an int in it
    for column in COUNT_COLUMNS:
        value = row.get(column)
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            row[column] = int(value)
    return row


def _winners(row: pd.Series) -> str:
    """Who of the ring won: "all 4 of them" when every member did ("4 of them won" read as if some had
    not), "both of them" for a pair, else "3 of them"."""
    winners = int(row["distinct_winners"])
    if winners < int(row["size"]):
        return f"{winners} of them"
    return "both of them" if winners == 2 else f"all {winners} of them"


def _explain(row: pd.Series, comps: dict[str, dict[str, Any]], dates: dict[str, Any],
             lot_of: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None) -> str:
    """The ring's facts, one short sentence per question an investigator asks: who bid together
    and who won, how the prices looked, how closely they kept together, what they share.
    ``dates`` = the period of its tenders (:func:`tender_period`); ``lot_of``: the tender of each lot
    competed on its own (:meth:`MarketData.lot_parents`); ``names``: firm id → how a sentence names the firm
    (:func:`detectors.finding.labels`)."""
    row = _whole_counts(row)
    tenders = list(row["tenders"]) if isinstance(row.get("tenders"), (list, tuple)) else []
    counted_tenders = tenders_counted(tenders, lot_of or {}) if len(tenders) == int(row["n_tenders"]) \
        else f"{row['n_tenders']} tenders"
    median = row.get("median_members")
    typical = f" ({median:g} of them in the median one)" if median == median and median is not None \
        and median < row["size"] else ""
    who = [f"{row['size']} firms bid together in {counted_tenders}"
           f"{between_tenders(dates, int(row['n_tenders']))}{typical}"]
    if row["distinct_winners"] >= 2 and row["segmentation"] > row["turn_taking"] \
            and row["segmentation"] >= 0.5 and row["home_share"] >= 0.5:
        who.append(f"{_winners(row)} won {row['member_wins']} of those tenders between them, split by "
                   f"region (in {row['home_wins']} of the {row['regioned_wins']} with a region, that region's "
                   f"usual winner won, across {row['regions_won']} regions)")
    elif row["distinct_winners"] >= 2 and row["turn_taking"] > 0 and _or(row.get("turn_z"), TURNS_TOLD_Z) >= TURNS_TOLD_Z:
        who.append(f"{_winners(row)} took turns winning {row['member_wins']} of those "
                   f"tenders (the same member won twice in a row {counted(row['repeats'], 'time')}, "
                   f"{row['expected_repeats']:.1f} expected by chance)")
    elif row["distinct_winners"] >= 2:
        who.append(f"{_winners(row)} won {row['member_wins']} of those tenders between them "
                   f"({_top_winners(row['wins_by_member'], names=names)})")
    elif row["member_wins"]:
        who.append(f"one member won {row['member_wins']} of them")
    else:
        who.append("no member won any of them")
    sentences = [_sentence(who)]
    prices = []
    if row.get("cover_tenders"):
        prices.append(f"the other members' bids {_margins(row['cover_q10'], row['cover_q90'])}")
    price_facts = comps.get("price", {}).get("facts", {})
    # the price points come from the larger of two share tests: say the one that gave them
    by_covers = price_facts.get("cover_value", 0.0) > price_facts.get("screens_value", 0.0)
    if by_covers:
        n_cover = int(price_facts["member_won_tenders_with_member_covers"])
        prices.append(f"among the closest fifth of losing bids in {price_facts['tight_member_covers']} of the "
                      f"{counted(n_cover, 'tender')} a member won ({FLAG_SHARE * n_cover:.0f} expected)")
    if row.get("n_priced"):
        cv, base = row["median_cv"], row["baseline_cv"]
        verb = "was" if row["n_flagged"] in (0, 1) else "were"  # "none of the 6 … was", "1 of 6 … was"
        market, markets = {"market": ("the market", "the market's"),
                           "uncategorised": ("the tenders without a category", "those of the tenders without a category"),
                           "categories": ("their categories", "their categories'"),  # each tender against its own
                           }.get(row.get("baseline"), ("their category", "their category's"))
        # the fifth whose mean suspicion percentile (low CV and spread, high RD) is highest; fewer
        # there than chance gives, or bids more spread than the market's, is said as the evidence
        # against cover bidding that it is
        expected = FLAG_SHARE * row["n_priced"]
        fewer = row["n_flagged"] < round(expected)
        when = row.get("flagged_period")
        during = f"; 80 % of them from {when[0]} to {when[1]}" if isinstance(when, (tuple, list)) and not fewer \
            and row["n_flagged"] >= 5 else ""
        share = f"none of the {row['n_priced']}" if not row["n_flagged"] else \
            f"{'only ' if fewer else ''}{row['n_flagged']} of {row['n_priced']}"
        phrase = "" if by_covers else (
            f"{share} priced tenders {verb} among the "
            f"most cover-bid-like fifth of {market} ({expected:.0f} expected{' by chance' if fewer else ''}{during})")
        if cv == cv and base == base and base:
            cv, base = round(cv, 3), round(base, 3)  # the side said is the side of the figures shown
            side = "tighter than" if cv < base else "as spread as" if cv == base else "more spread than"
            phrase += f"{', their bids ' if phrase else 'their bids were '}{side} {markets} " \
                f"(median CV {cv:.3f} against {base:.3f})"
        if phrase:
            prices.append(phrase)
    if row.get("unread_tenders"):
        prices.append(_not_read(int(row["unread_tenders"]), int(row["n_tenders"]), row.get("lowest_won_share") or {},
                                bool(row.get("lowest_won_share_of_market")), row.get("drawn_share") or {},
                                row.get("unread_award_criteria") or [], bool(row.get("unread_undeclared")),
                                int(row.get("unread_categories") or 1)))
    if prices:
        sentences.append(_sentence(prices))
    if price_facts.get("steps_value", 0.0) > 0.0:
        sentences.append(_sentence([_stepped(price_facts)]))
    # the spacing is told where it gave the price points (the other tests' are told above) and its gate
    # counts at least half: a faint lead of a test is not said as evidence
    spacing_value = price_facts.get("spacing_value", 0.0)
    if spacing_value > max(price_facts.get(k, 0.0) for k in ("screens_value", "cover_value", "steps_value")) \
            and candidate_gate(price_facts.get("spacing_pvalue", 1.0),
                               SPACING_GATE * price_facts.get("candidates_screened", 1)) >= 0.5:
        sentences.append(_sentence([_spaced(price_facts)]))
    together = []
    if row["closed_share"] >= 0.5:
        together.append(f"no outsider bid in {_pct(row['closed_share'])} % of their tenders")
    if comps.get("excess", {}).get("value", 0.0) > 0:
        facts = comps["excess"]["facts"]
        z = facts["robust_z_among_candidates"]
        than = ", far more than the market's other candidate groups" if z >= facts["full_at_z"] else \
            ", more than most other groups of the market" if z >= 1 else ""
        together.append(f"their pairs met {facts['group_cobids']:.0f} times where their activity predicts "
                        f"{facts['group_expected_cobids']:.1f}{than}")
    if together:
        sentences.append(_sentence(together))
    if row["identifiers"]:
        top = row["identifiers"][0]
        extra = len(row["identifiers"]) - 1
        kind = KIND_PHRASE.get(top["kind"], f"a {top['kind']}")
        holding = len(top["members"])
        if holding == row["size"]:
            phrase = f"the members share {kind} held by {counted(top['holders'], 'firm')}"
        else:  # say how many members hold it, and whether other firms do
            others = top["holders"] - holding
            phrase = f"{holding} members share {kind}" + (
                f" (also held by {counted(others, 'other firm')})" if others else " no other firm holds")
        if extra:
            phrase += f" and {counted(extra, 'other identifier')}"
        sentences.append(_sentence([phrase, *bid_traces.clauses(
            row["identifiers"], "bids of two or more firms", lambda met: f"in {counted(met, 'tender')}")]))
    return " ".join(sentences)


def detect(data: MarketData, params: Params | None = None, seed: int = 0) -> list[Finding]:
    """Candidate bid-rigging rings, highest score first (see the module docstring).

    Parameters
    ----------
    data : MarketData
        Reads ``tenders``, ``bids`` and ``firm_identifiers``.
    params : Params, optional
    seed : int, default 0
        Louvain's ``random_state``; the stability check uses ``seed … seed + n_seeds − 1``.

    Returns
    -------
    list of Finding
        Kind ``ring``: ``firms`` = members, ``tenders`` = tenders where ≥ 2 members bid (for
        a complementary group, the tenders where exactly one member bid).
    """
    params = params or Params()
    found = _complementary(data, params) if params.complementary else []
    edges = cobid_graph(data, params)
    if not edges.empty:
        found += _cobidding(data, edges, params, seed)
    return _distinct(found)[: params.max_findings]


def _cobidding(data: MarketData, edges: pd.DataFrame, params: Params, seed: int) -> list[Finding]:
    """Rings from the excess co-bidding graph: Louvain communities and identifier anchors."""
    def candidates(s: int) -> list[frozenset[str]]:
        peeled = peel_rings(data, candidate_rings(edges, s, params), params)
        return [r for r in peeled if len(r) >= params.min_ring_size]

    rings = candidates(seed)
    others = [candidates(s) for s in range(seed + 1, seed + params.n_seeds)]
    anchored = identifier_rings(data, edges, params, exclude=rings)
    tables = []
    for source, groups, stability in (
            ("cobidding communities", rings, _stability(rings, others)),
            ("shared identifiers and co-bidding", anchored, _stability(anchored, [rings, *others]))):
        if not groups:
            continue
        part = ring_screens(data, groups, params)
        part["stability"] = stability
        part["found_by"] = source
        tables.append(part.loc[part["n_tenders"] >= params.min_shared_tenders])
    if not tables:
        return []
    table = spacing_null(pd.concat(tables, ignore_index=True))
    group = group_excess(data, [frozenset(f) for f in table["firms"]], params)
    excess = excess_outliers(group["cobids"].to_numpy(), group["expected"].to_numpy())
    for column in ("cobids", "expected", "llr", "z", "full_z", "value"):
        table[f"excess_{column}"] = excess[column].to_numpy()
    return _findings(data, table, edges, params, seed)


def _distinct(findings: list[Finding]) -> list[Finding]:
    """Highest score first, without a ring that mostly repeats (Jaccard ≥ 0.5) a higher-scoring one
    (an anchored or complementary candidate found again by another source adds nothing), nor one
    that holds all of a higher-scoring ring's members: the firms it adds lower the score, so the
    ring it holds is the better answer to who is in it (on an unseen OCDS market three shell
    bidders sharing a phone were ring #2, and the 8 firms their phone anchored, them and 5 others
    of their trade, ring #3)."""
    findings = sorted(findings, key=lambda f: (-f.score, f.firms))
    kept: list[Finding] = []
    kept_members: list[frozenset[str]] = []
    kept_with: dict[str, list[int]] = {}  # firm → the kept findings it is a member of
    for finding in findings:
        members = frozenset(finding.firms)
        # only a kept ring sharing a member can have a Jaccard similarity ≥ 0.5
        near = {k for f in members for k in kept_with.get(f, ())}
        if all(len(members & kept_members[k]) / len(members | kept_members[k]) < 0.5
               and not kept_members[k] <= members for k in near):
            for f in members:
                kept_with.setdefault(f, []).append(len(kept))
            kept.append(finding)
            kept_members.append(members)
    return kept


def _complementary(data: MarketData, params: Params) -> list[Finding]:
    """Rings of firms that never meet but share a segment out (:mod:`detectors.complementary`)."""
    settings = complementary.Params(min_tenders=params.complementary_min_tenders,
                                    max_pvalue=params.complementary_max_pvalue, max_group_size=params.max_ring_size)
    groups = complementary.complementary_groups(data, settings, params.market_columns)
    groups = groups.loc[groups["firms"].map(len) >= params.min_ring_size]
    if groups.empty:
        return []
    members = {str(f) for firms in groups["firms"] for f in firms}
    traced = bid_traces.by_identifier(data)
    found = complementary.findings(data, groups, _member_identifiers(data, members), traced, settings,
                                   params.strong_score, NAME)
    return [f for f in found if f.score >= params.min_score]


def _findings(data: MarketData, table: pd.DataFrame, edges: pd.DataFrame, params: Params,
              seed: int) -> list[Finding]:
    """One Finding per screened candidate (rows of :func:`ring_screens` plus stability)."""
    # the edges of each firm as firm_a, then the edges inside a ring from its members' rows
    rows_of = edges.groupby("firm_a", sort=False).indices
    firm_b, lift, pvalue = (edges[c].to_numpy() for c in ("firm_b", "lift", "pvalue"))
    findings: list[Finding] = []
    tails = _binomial_tails([c for _, row in table.iterrows() for c in _share_counts(row)])
    tender_day = data.tender_days()
    by_year = yearly(tender_day)
    lot_of = data.lot_parents()
    names = labels(data.firms, "firm_id")
    for _, row in table.iterrows():
        comps = _components(row, params.weights, len(table), tails)
        score = float(np.clip(sum(c["contribution"] for c in comps.values()), 0.0, 100.0))
        if score < params.min_score:
            continue
        members = [str(f) for f in row["firms"]]
        inside = set(members)
        rows = np.concatenate([rows_of[f] for f in sorted(inside) if f in rows_of] or [np.zeros(0, dtype=np.intp)])
        rows = rows[[b in inside for b in firm_b[rows]]] if len(rows) else rows
        inner_lift, inner_pvalue = lift[rows], pvalue[rows]
        dates = tender_period(tender_day, row["tenders"], by_year)
        evidence = {
            "members": members, "size": int(row["size"]), "shared_tenders": int(row["n_tenders"]),
            **dates,
            "category": row["category"],
            "exclusivity": row["exclusivity"], "mean_cobids_per_pair": row["pair_cobids"],
            "share_of_member_bids_in_ring_tenders": row["bid_share"],
            "share_of_ring_tenders_without_outsiders": row["closed_share"],
            "member_wins": int(row["member_wins"]), "outsider_wins": int(row["outsider_wins"]),
            "wins_by_member": row["wins_by_member"], "distinct_winners": int(row["distinct_winners"]),
            "winner_entropy": row["winner_entropy"], "turn_taking": row["turn_taking"],
            "segmentation": row["segmentation"],
            "price": {"tenders_screened": int(row["n_priced"]), "median_cv": row["median_cv"],
                      "category_median_cv": row["baseline_cv"], "categories": row.get("n_categories", 1),
                      "median_rd": row["median_rd"],
                      "category_median_rd": row["baseline_rd"], "median_spread": row["median_spread"],
                      "category_median_spread": row["baseline_spread"], "baseline": row["baseline"],
                      "mean_percentile_cv": row["p_cv"], "mean_percentile_rd": row["p_rd"],
                      "mean_percentile_spread": row["p_spread"],
                      "losing_bid_gap_q10": row["diff_pct_q10"], "spread_q90": row["spread_q90"],
                      "member_cover_margin_q10": row["cover_q10"], "member_cover_margin_q90": row["cover_q90"],
                      "tenders_won_by_a_member_with_member_covers": row["cover_tenders"]},
            "solo_win_share": row["solo_win_share"],
            "shared_identifiers": row["identifiers"],
            "cobidding": {"pairs_linked": int(len(rows)),
                          "median_lift": float(np.median(inner_lift)) if len(rows) else None,
                          "max_pvalue": float(np.max(inner_pvalue)) if len(rows) else None},
            "components": comps,
            "stability": row["stability"],
            "found_by": row["found_by"],
            "tier": "strong" if score >= params.strong_score else "weak",
            "seeds": list(range(seed, seed + params.n_seeds)),
            "thresholds": {"min_cobids": params.min_cobids, "min_lift": params.min_lift,
                           "max_pvalue": params.max_pvalue, "max_ring_size": params.max_ring_size,
                           "min_shared_tenders": params.min_shared_tenders, "strong_score": params.strong_score},
        }
        findings.append(Finding(detector=NAME, kind="ring", score=round(score, 2),
                                explanation=_explain(row, comps, dates, lot_of, names), evidence=evidence,
                                firms=tuple(str(f) for f in members), tenders=tuple(str(t) for t in row["tenders"])))
    return findings
