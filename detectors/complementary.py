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
1. **Segments.** Tenders of the same market (``Params.market_columns``, the category) and
   the same ``region``; the stratum is the year of publication (an unknown year is its own
   stratum). Tenders without a recorded region are left out: without a region, firms of
   different places never meet for honest reasons, and geography would pass for avoidance.
2. **Candidates.** Firms that won at least ``min_wins`` of the segment's tenders and at
   least ``min_win_rate`` of the segment tenders they bid in.
3. **Groups.** Cliques (``networkx.find_cliques``) of the candidates that keep apart: two
   are joined when they met in at most ``max_meeting_ratio`` of the tenders their activity
   predicts, ``E_ij = Σ_y d_iy d_jy κ_y`` with ``d_iy`` firm *i*'s tenders of the segment in
   year *y* and ``κ_y = Σ_t n_t (n_t − 1) / S_y²`` (the configuration null of
   :mod:`detectors.rings`, per segment and year), or in at most ``max_meetings`` tenders
   (a cartel slips now and then: a member covers, an order is misread).
4. **Partition test.** Were the members to enter independently at their own yearly
   presence rates ``p_iy = d_iy / N_y``, a tender of year *y* would have exactly one member
   with probability ``q_y = Σ_i p_iy Π_{j≠i} (1 − p_jy)``. With ``K`` the segment tenders
   that have exactly one member, the p-value is the upper tail ``P(X ≥ K)`` of
   ``X = Σ_y Binomial(N_y, q_y)`` (:func:`binomial_sum_tail`). The cliques are picked
   for how rarely their members met, so the p-value is multiplied by the number of groups
   of 2 … ``max_group_size`` candidates that *could* have been picked, summed over the
   segments (Bonferroni), and a group is kept at ``max_pvalue``. Firms that meet as often
   as their activity predicts give ``K ≈ E[X]``; one firm taking over from another in a
   later year gives ``q ≈ 1`` and nothing to see.
5. **Turns interleave** (``max_clustering_z``): one firm taking over from another within a
   year is present in one block after the other; along the tenders in publication order
   the same member would come twice in a row far more often than independent turns give.
   Such groups are dropped (a runs test; a cartel that hands out whole quarters looks the
   same and is missed).
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
* member wins [15] — how far the members' win share of those tenders exceeds the
  ``e = mean(1 / n_t)`` equal chances predict: ``(w − e) / (1 − e)``;
* rotation [15] — the normalised entropy of the wins among the members (``H / ln k``)
  times their win share: a cartel shares the wins out;
* shared identifiers [15] — as in :mod:`detectors.rings` (held by ``m`` of the
  ``n`` firms holding it: ``m / n · (m − 1) / (k − 1)``, summed and capped at 1).

Measured (``benchmarks/foreign_markets.py``, seeds 1–6): the bid-suppression cartel, which
the co-bidding rings cannot see, is found in 5 of 6 markets (the sixth holds 11 tenders in
its segment; p = 0.009 before the correction). On 40 markets of honest bidders, on 6 with
hidden sub-markets (three product lines of one category, each with its own specialists and
low-cost leader) and on 6 where a strong local firm hands over to the next each year, no
group is reported; on the demo markets of seeds 1–6 none either.

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

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse, stats

from detectors.finding import Finding, between_tenders, counted, listed, tender_period, yearly
from detectors.market import MarketData

__all__ = ["Params", "WEIGHTS", "binomial_sum_tail", "complementary_groups", "exactly_one_probability", "findings"]

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
#: how identifier kinds read in a sentence
KIND_PHRASE: dict[str, str] = {
    "phone": "a phone number", "email": "an e-mail address", "address": "an address",
    "ip": "an IP address", "document": "a document hash", "person": "a person (owner or officer)",
}


@dataclass(frozen=True)
class Params:
    """Settings of the complementary-presence search (defaults in brackets).

    min_wins [3]: a candidate won at least this many tenders of the segment.
    min_win_rate [0.5]: … and at least this share of the segment tenders it bid in.
    max_meeting_ratio [0.25]: two candidates keep apart when they met in at most this share
        of the tenders their activity predicts.
    max_meetings [1]: … or in at most this many (a cartel slips: a member covers now and then).
    min_tenders [8]: a group must be alone in at least this many tenders.
    max_pvalue [0.01]: Bonferroni-adjusted p-value of the partition test for a group.
    max_group_size [12]: larger cliques are not tested (a ring is a small group).
    max_clustering_z [2.0]: a group is kept only when its members' turns interleave in time:
        along the tenders in publication order, the same member comes twice in a row no
        more often than ``z`` standard deviations above the ``(K − 1) Σ s_i²`` that
        independent turns with the members' shares ``s_i`` give (a runs test). One firm
        taking over from another within a year (a successor, a renamed firm) is present
        in one block after the other.
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
    max_clustering_z: float = 2.0
    min_expected_shared: float = 5.0
    min_shared_ratio: float = 0.5
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))


def exactly_one_probability(rates: np.ndarray) -> np.ndarray:
    """Per row of ``rates`` (members' presence probabilities), P(exactly one is present).

    ``q = Σ_i p_i Π_{j≠i} (1 − p_j)``, computed without dividing by ``1 − p_i`` (a rate of 1
    is allowed: then q is the probability that no other member is present).
    """
    rates = np.atleast_2d(np.asarray(rates, dtype=float))
    k = rates.shape[1]
    q = np.zeros(rates.shape[0])
    for i in range(k):
        others = np.prod(1.0 - np.delete(rates, i, axis=1), axis=1) if k > 1 else np.ones(rates.shape[0])
        q += rates[:, i] * others
    return q


def _segments(data: MarketData, market_columns: tuple[str, ...]) -> pd.DataFrame:
    """Distinct (tender, firm) bids of tenders with a region: their ``market`` (the values of
    ``market_columns``, joined by " / "), ``region``, ``year``, ``bidders`` and winner flag."""
    data = data.with_winners()
    tenders = data.tenders.drop_duplicates("tender_id").set_index("tender_id")
    region = tenders["region"].astype("string").str.strip()
    parts = [tenders[c].astype("string").str.strip().fillna("") for c in market_columns if c in tenders.columns]
    market = pd.Series("", index=tenders.index, dtype="string")
    for i, part in enumerate(parts):
        market = market + (" / " if i else "") + part
    keep = region.notna() & (region != "")
    bids = data.bids[["tender_id", "firm_id", "is_winner"]].dropna(subset=["tender_id", "firm_id"])
    bids = bids.sort_values("is_winner", ascending=False, kind="mergesort").drop_duplicates(["tender_id", "firm_id"])
    bids = bids.loc[bids["tender_id"].isin(keep.index[keep])].copy()
    bids["market"] = bids["tender_id"].map(market).astype(str)
    bids["region"] = bids["tender_id"].map(region).astype(str)
    published = pd.to_datetime(bids["tender_id"].map(tenders["published_at"]), errors="coerce")
    bids["year"] = published.dt.year.fillna(-1).astype(int)
    bids["published"] = published
    bids["bidders"] = bids.groupby("tender_id")["firm_id"].transform("size")
    return bids


def binomial_sum_tail(k: int, trials: np.ndarray, probs: np.ndarray) -> float:
    """``P(X ≥ k)`` for ``X = Σ_y Binomial(trials_y, probs_y)``: the Poisson-binomial of the
    partition test, whose probabilities take one value per year (the pmfs convolved)."""
    if k <= 0:
        return 1.0
    pmf = np.ones(1)
    for n, p in zip(trials, probs, strict=True):
        pmf = np.convolve(pmf, stats.binom.pmf(np.arange(n + 1), n, p))
    return float(np.clip(pmf[k:].sum(), 0.0, 1.0))


def _segment_tests(segment: pd.DataFrame, candidates: list[str], params: Params) -> list[dict[str, Any]]:
    """The partition test of each group of one segment: cliques of its ``candidates`` (winners)
    that keep apart (module docstring, steps 3–4)."""
    tender_ids, tender = np.unique(segment["tender_id"].to_numpy(dtype=str), return_inverse=True)
    first = np.unique(tender, return_index=True)[1]
    # tender codes in publication order (undated last, then by id) for the runs test
    published = segment["published"].to_numpy()[first]
    order = np.lexsort((np.arange(len(tender_ids)), published.astype("datetime64[ns]").astype(np.int64),
                        pd.isna(published)))
    years, year_of = np.unique(segment["year"].to_numpy()[first], return_inverse=True)
    n = segment["bidders"].to_numpy(dtype=float)[first]
    kappa = np.bincount(year_of, n * (n - 1)) / np.maximum(np.bincount(year_of, n), 1.0) ** 2
    n_year = np.bincount(year_of, minlength=len(years)).astype(float)

    mine = segment["firm_id"].isin(candidates).to_numpy()
    firm, firms = pd.factorize(segment["firm_id"].to_numpy()[mine])
    t_mine, won = tender[mine], segment["is_winner"].to_numpy(dtype=bool)[mine]
    presence = np.zeros((len(firms), len(years)))
    np.add.at(presence, (firm, year_of[t_mine]), 1.0)
    expected = (presence * kappa) @ presence.T
    incidence = sparse.csr_matrix((np.ones(len(firm)), (firm, t_mine)), shape=(len(firms), len(tender_ids)))
    met = (incidence @ incidence.T).toarray()
    apart = nx.Graph()
    for i, j in itertools.combinations(range(len(firms)), 2):
        if met[i, j] <= max(params.max_meeting_ratio * expected[i, j], params.max_meetings):
            apart.add_edge(i, j)

    tests = []
    for clique in nx.find_cliques(apart):
        if not 2 <= len(clique) <= params.max_group_size:
            continue
        group = np.array(sorted(clique, key=lambda i: str(firms[i])))
        in_group = np.isin(firm, group)
        members_in = np.bincount(t_mine[in_group], minlength=len(tender_ids))
        q_year = exactly_one_probability((presence[group] / n_year).T)
        q = q_year[year_of]
        alone = members_in == 1
        k = int(alone.sum())
        solo = in_group & alone[t_mine]
        wins = pd.Series(firms[firm[solo & won]]).value_counts()
        present = np.full(len(tender_ids), -1)
        present[t_mine[solo]] = firm[solo]
        sequence = present[order][present[order] >= 0]
        repeats = int(np.sum(sequence[1:] == sequence[:-1]))
        shares = np.bincount(sequence, minlength=len(firms))[group] / max(k, 1)
        expected_repeats = max(k - 1, 0) * float(np.sum(shares ** 2))
        tests.append({
            "firms": [str(firms[i]) for i in group], "tenders": sorted(tender_ids[alone].tolist()), "alone": k,
            "expected_alone": float(q.sum()), "segment_tenders": len(tender_ids),
            "meetings": int((members_in >= 2).sum()), "absent": int((members_in == 0).sum()),
            "member_wins": int(wins.sum()),
            "equal_chance": float(np.mean(1.0 / n[t_mine[solo]])) if k else 0.0,
            "wins_by_member": {str(f): int(c) for f, c in sorted(wins.items(), key=lambda kv: (-kv[1], str(kv[0])))},
            "repeats": repeats, "expected_repeats": expected_repeats,
            "clustering_z": (repeats - expected_repeats) / math.sqrt(max(expected_repeats * (1.0 - float(
                np.sum(shares ** 2))), 1e-12)),
            "pvalue": binomial_sum_tail(k, n_year.astype(int), q_year),
        })
    return tests


def complementary_groups(data: MarketData, params: Params | None = None,
                         market_columns: tuple[str, ...] = ("category",)) -> pd.DataFrame:
    """Groups that share a segment out between them, most significant first (see module docstring).

    Columns: ``market`` (category), ``region``, ``firms`` (sorted), ``tenders`` (segment tenders with exactly one
    member, sorted), ``alone`` (K), ``expected_alone`` (E[X]), ``segment_tenders`` (N),
    ``meetings`` (tenders with ≥ 2 members), ``absent`` (tenders with none),
    ``member_wins`` (of the K), ``equal_chance`` (mean 1/n_t over the K), ``wins_by_member``,
    ``pvalue`` (raw), ``adjusted`` (Bonferroni over ``tested``), ``tested``.
    """
    params = params or Params()
    bids = _segments(data, market_columns)
    keys = ["market", "region"]
    per = bids.groupby([*keys, "firm_id"]).agg(entered=("tender_id", "size"), won=("is_winner", "sum"))
    per = per.loc[(per["won"] >= params.min_wins) & (per["won"] >= params.min_win_rate * per["entered"])].reset_index()
    per = per.loc[per.groupby(keys)["firm_id"].transform("size") >= 2]
    candidates = per.groupby(keys)["firm_id"].agg(list).to_dict()
    bids = bids.loc[pd.MultiIndex.from_frame(bids[keys]).isin(list(candidates))]
    tested: list[dict[str, Any]] = []
    for (market, region), segment in bids.groupby(keys, sort=True):
        tested += [{"market": market, "region": region, **test}
                   for test in _segment_tests(segment, candidates[(market, region)], params)]
    table = pd.DataFrame(tested, columns=["market", "region", "firms", "tenders", "alone", "expected_alone",
                                          "segment_tenders", "meetings", "absent", "member_wins",
                                          "equal_chance", "wins_by_member", "repeats", "expected_repeats",
                                          "clustering_z", "pvalue"])
    # every group of 2 … max_group_size candidates of a segment could have been picked: the
    # cliques are chosen by how rarely their members met, so Bonferroni counts them all
    sizes = per.groupby(keys).size()
    table["tested"] = int(sum(math.comb(int(c), k) for c in sizes for k in range(2, min(int(c), params.max_group_size) + 1)))
    table["adjusted"] = np.minimum(table["pvalue"] * table["tested"], 1.0)
    table = table.loc[(table["alone"] >= params.min_tenders) & (table["adjusted"] <= params.max_pvalue)
                      & (table["clustering_z"] <= params.max_clustering_z)].copy()
    rivals = [shared_rivals(bids.loc[bids["tender_id"].isin(row.tenders)], row.firms) for row in table.itertuples()]
    table["rival_bids"] = [r[0] for r in rivals]
    table["shared_rival_bids"] = [r[1] for r in rivals]
    table["expected_shared_rival_bids"] = [r[2] for r in rivals]
    one_market = (table["expected_shared_rival_bids"] >= params.min_expected_shared) & (
        table["shared_rival_bids"] >= params.min_shared_ratio * table["expected_shared_rival_bids"])
    table = table.loc[one_market]
    return table.sort_values(["adjusted", "market", "region"], kind="mergesort").reset_index(drop=True)


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


def _identifiers(members: list[str], identifiers: pd.DataFrame) -> tuple[list[dict[str, Any]], float]:
    """Identifiers ≥ 2 members hold, strongest first, and their summed strength capped at 1
    (``m / n · (m − 1) / (k − 1)``; ``identifiers`` has firm_id, kind, value, holders)."""
    mine = identifiers.loc[identifiers["firm_id"].isin(members)]
    shared: list[dict[str, Any]] = []
    strength = 0.0
    for (kind, value), rows in mine.groupby(["kind", "value"], sort=True):
        held = sorted(rows["firm_id"].unique())
        if len(held) < 2:
            continue
        holders = int(rows["holders"].iloc[0])
        weight = len(held) / holders * (len(held) - 1) / max(len(members) - 1, 1)
        strength += weight
        shared.append({"kind": kind, "value": value, "members": held, "holders": holders,
                       "specificity": round(len(held) / holders, 3), "weight": round(weight, 3)})
    shared.sort(key=lambda x: -x["weight"])
    return shared, min(1.0, strength)


def components(row: pd.Series, shared_strength: float, weights: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Each component's value in [0, 1], the facts behind it and its contribution to the score."""
    z = float(stats.norm.isf(max(row["adjusted"], 1e-300)))
    k, wins = int(row["alone"]), int(row["member_wins"])
    share = wins / k if k else 0.0
    chance = float(row["equal_chance"])
    member_wins = float(np.clip((share - chance) / (1.0 - chance), 0.0, 1.0)) if chance < 1 else 0.0
    counts = np.array(list(row["wins_by_member"].values()), dtype=float)
    size = len(row["firms"])
    evenness = float(stats.entropy(counts) / math.log(size)) if counts.sum() and size > 1 else 0.0
    values = {
        "complementary": (_ramp(z), {"tenders_with_one_member": k, "expected_with_independent_entry":
                                     round(float(row["expected_alone"]), 2),
                                     "segment_tenders": int(row["segment_tenders"]),
                                     "tenders_with_two_or_more_members": int(row["meetings"]),
                                     "pvalue": float(row["pvalue"]), "groups_tested": int(row["tested"]),
                                     "adjusted_pvalue": float(row["adjusted"]), "z": round(z, 2),
                                     "counts_from_z": Z_RAMP[0], "full_at_z": Z_RAMP[1]}),
        "member_wins": (member_wins, {"won_by_the_member_present": wins, "share": round(share, 4),
                                      "equal_chance_share": round(chance, 4)}),
        "rotation": (evenness * share, {"winner_evenness": round(evenness, 4), "member_win_share": round(share, 4)}),
        "identifiers": (shared_strength, {}),
    }
    return {name: {"value": round(float(v), 4), "weight": weights.get(name, 0.0),
                   "contribution": round(float(v) * weights.get(name, 0.0), 2), "facts": facts}
            for name, (v, facts) in values.items()}


def _explain(row: pd.Series, dates: dict[str, Any], shared: list[dict[str, Any]]) -> str:
    """One sentence of the group's facts."""
    where = f"region {row['region']}" if not row["market"] else f"{row['market']} in region {row['region']}"
    k, n = int(row["alone"]), int(row["segment_tenders"])
    met = int(row["meetings"])
    meetings = "they never met" if not met else f"two or more of them met in {counted(met, 'tender')}"
    ranked = sorted(row["wins_by_member"].items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [
        f"{len(row['firms'])} firms shared out the tenders of {where}{between_tenders(dates, k)}: exactly one "
        f"of them bid in {k} of its {n} tenders ({meetings}; entering independently at their own rates "
        f"they would have been alone in about {row['expected_alone']:.0f})",
        f"the one that bid won {row['member_wins']} of those {k} (equal chances give "
        f"{100 * row['equal_chance']:.0f} %; wins {listed([f'{f} {c}' for f, c in ranked])})",
    ]
    if shared:
        top = shared[0]
        kind = KIND_PHRASE.get(str(top["kind"]), f"a {top['kind']}")
        parts.append(f"{len(top['members'])} of them share {kind} held by {counted(top['holders'], 'firm')}")
    text = ", and ".join(parts) + "."
    return text[0].upper() + text[1:]


def findings(data: MarketData, table: pd.DataFrame, identifiers: pd.DataFrame, params: Params,
             strong_score: float, detector: str) -> list[Finding]:
    """One ring Finding per group of :func:`complementary_groups` (kind ``ring``, tenders = those
    with exactly one member); ``identifiers`` = firm_id, kind, value, holders of the members."""
    tender_day = data.tender_days()
    by_year = yearly(tender_day)
    out: list[Finding] = []
    for _, row in table.iterrows():
        members = [str(f) for f in row["firms"]]
        shared, strength = _identifiers(members, identifiers)
        comps = components(row, strength, params.weights)
        score = float(np.clip(sum(c["contribution"] for c in comps.values()), 0.0, 100.0))
        dates = tender_period(tender_day, row["tenders"], by_year)
        evidence = {
            "members": members, "size": len(members), "category": row["market"] or None, "region": row["region"],
            **dates,
            "segment_tenders": int(row["segment_tenders"]), "tenders_with_one_member": int(row["alone"]),
            "expected_with_independent_entry": round(float(row["expected_alone"]), 2),
            "tenders_with_two_or_more_members": int(row["meetings"]),
            "tenders_with_no_member": int(row["absent"]),
            "member_wins": int(row["member_wins"]), "wins_by_member": dict(row["wins_by_member"]),
            "equal_chance_win_share": round(float(row["equal_chance"]), 4),
            "shared_identifiers": shared, "components": comps, "stability": None,
            "found_by": "complementary presence (members never bid against each other)",
            "tier": "strong" if score >= strong_score else "weak",
            "thresholds": {"max_adjusted_pvalue": params.max_pvalue, "min_tenders": params.min_tenders,
                           "min_wins": params.min_wins, "min_win_rate": params.min_win_rate,
                           "max_meeting_ratio": params.max_meeting_ratio, "strong_score": strong_score},
        }
        out.append(Finding(detector=detector, kind="ring", score=round(score, 2),
                           explanation=_explain(row, dates, shared), evidence=evidence,
                           firms=tuple(members), tenders=tuple(str(t) for t in row["tenders"])))
    return out
