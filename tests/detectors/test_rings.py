"""Ring detector: one planted ring, one honest niche market, one business centre, Ohio milk."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from detectors import rings
from detectors.finding import Finding
from detectors.market import COLUMNS, MarketData
from detectors.screens import award_rules

RING = ("F1", "F2", "F3")     # rotate wins with cover bids 1.5–4.5 % above the winner
NICHE = ("F7", "F8", "F9")    # always meet, but bid independently and the cheapest wins


def _market() -> MarketData:
    """A 'roads' market of 30 background firms B01..B30, the ring and the niche trio.

    The ring meets in 18 tenders (T-R01..), rotating the winner F1 → F2 → F3 and placing
    cover bids 1.5–4.5 % above it; the niche trio meets in 18 tenders (T-N01..) with
    independent prices. 150 background tenders (T0001..) have 3–5 random bidders.
    F1 and F2 share a phone; F7, F8 and 20 background firms share a business-centre address.
    """
    rng = np.random.default_rng(11)
    background = [f"B{i:02d}" for i in range(1, 31)]
    bids: list[tuple[str, str, float]] = []
    tenders: list[dict[str, object]] = []
    day = pd.Timestamp("2023-01-01")

    def honest(tender: str, firms: list[str]) -> None:
        cost = float(rng.lognormal(13, 0.5))
        for firm in firms:
            bids.append((tender, firm, cost * float(rng.lognormal(0.05, 0.08))))

    for t in range(150):
        tid = f"T{t + 1:04d}"
        tenders.append({"tender_id": tid, "category": "roads", "published_at": day + pd.Timedelta(days=t)})
        honest(tid, [str(f) for f in rng.choice(background, int(rng.integers(3, 6)), replace=False)])
    for t in range(18):
        tid = f"T-R{t + 1:02d}"
        tenders.append({"tender_id": tid, "category": "roads", "published_at": day + pd.Timedelta(days=7 * t)})
        winner = RING[t % 3]
        price = float(rng.lognormal(13, 0.5)) * 1.1
        bids.append((tid, winner, price))
        for firm in RING:
            if firm != winner:
                bids.append((tid, firm, price * (1 + float(rng.uniform(0.015, 0.045)))))
        if t % 3 == 0:  # an outsider joins now and then, and loses
            bids.append((tid, background[t % 30], price * 1.2))
    for t in range(18):
        tid = f"T-N{t + 1:02d}"
        tenders.append({"tender_id": tid, "category": "roads", "published_at": day + pd.Timedelta(days=7 * t + 3)})
        honest(tid, list(NICHE))
    frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount"])
    frame["bid_id"] = [f"BID{i}" for i in range(len(frame))]
    frame["is_winner"] = frame.groupby("tender_id")["amount"].rank(method="first") == 1
    identifiers = [("F1", "phone", "+86 138 0000 0001"), ("F2", "phone", "+86 138 0000 0001")]
    identifiers += [(f, "address", "1 Business Centre Plaza") for f in ["F7", "F8", *background[:20]]]
    ids = pd.DataFrame(identifiers, columns=["firm_id", "kind", "value"]).assign(via="firm")
    return MarketData.build(tenders=pd.DataFrame(tenders), bids=frame, firm_identifiers=ids)


@pytest.fixture(scope="module")
def market() -> MarketData:
    return _market()


@pytest.fixture(scope="module")
def findings(market: MarketData) -> list:
    return rings.detect(market, seed=0)


def _best(findings: list, firms: tuple[str, ...]):
    def jaccard(f) -> float:
        return len(set(f.firms) & set(firms)) / len(set(f.firms) | set(firms))
    return max(findings, key=jaccard), max((jaccard(f) for f in findings), default=0.0)


def test_planted_ring_is_the_top_finding(findings: list) -> None:
    top = findings[0]
    assert top.kind == "ring" and top.detector == rings.NAME
    assert set(top.firms) == set(RING)
    assert len(top.tenders) >= 18 and all(t in top.tenders for t in ("T-R01", "T-R18"))
    assert top.score >= 50
    comps = top.evidence["components"]
    assert comps["price"]["contribution"] > 0 and comps["identifiers"]["contribution"] > 0
    assert top.evidence["distinct_winners"] == 3
    facts = comps["price"]["facts"]
    # every ring tender is member-won with member covers 1.5–4.5 % above: tight in most
    assert facts["member_won_tenders_with_member_covers"] == 18
    assert facts["tight_member_covers"] >= 9
    assert top.evidence["shared_identifiers"][0]["kind"] == "phone"
    assert 0.0 <= top.evidence["stability"] <= 1.0


def test_explanation_names_the_facts(findings: list) -> None:
    top = findings[0]
    text = top.explanation
    # one short sentence per question (who bid and won, prices, keeping together, what they share)
    sentences = re.split(r"(?<=\.) (?=[A-Z0-9])", text)
    assert len(sentences) == 4 and all(s.endswith(".") and len(s.split()) <= 45 for s in sentences)
    assert text.startswith("3 firms bid together in ")
    # the ring's tenders T-R01..T-R18 are published weekly from 2023-01-01: the period is theirs
    assert (top.evidence["first_tender"], top.evidence["last_tender"]) == ("2023-01-01", "2023-04-30")
    assert top.evidence["dated_tenders"] == top.evidence["shared_tenders"]
    assert f"{top.evidence['shared_tenders']} tenders between 2023-01-01 and 2023-04-30" in text
    assert "took turns winning" in text and "% above the winning member's" in text
    assert re.search(r"their bids were (tighter than|more spread than|as spread as) their category's "
                     r"\(median CV \d\.\d{3} against \d\.\d{3}\)", text)
    assert text.endswith(". 2 members share a phone number no other firm holds.")
    # the price points came from the members' own covers (the larger of the two share tests): the
    # sentence gives that test's count, not the screens'
    price = top.evidence["components"]["price"]["facts"]
    assert price["cover_value"] > price["screens_value"] > 0
    assert (f"among the closest fifth of losing bids in {price['tight_member_covers']} of the "
            f"{price['member_won_tenders_with_member_covers']} tenders a member won") in text
    assert "priced tenders were among the most cover-bid-like fifth" not in text


def test_rings_below_the_null_floor_are_a_weak_tier(findings: list) -> None:
    strong = rings.Params().strong_score
    assert {f.evidence["tier"] for f in findings if f.score >= strong} <= {"strong"}
    assert {f.evidence["tier"] for f in findings if f.score < strong} <= {"weak"}
    assert any(f.evidence["tier"] == "strong" for f in findings) and any(
        f.evidence["tier"] == "weak" for f in findings)


def test_honest_niche_market_scores_low(findings: list) -> None:
    niche, jac = _best(findings, NICHE)
    ring = findings[0]
    if jac >= 0.5:  # the niche trio may well be a candidate: it meets constantly
        assert niche.score < 30 < ring.score
        assert niche.evidence["components"]["price"]["contribution"] < 5


def test_business_centre_address_does_not_raise_a_score(market: MarketData) -> None:
    # F7 and F8 share the business-centre address with 20 other firms: specificity 2/22
    table = rings.ring_screens(market, [frozenset(NICHE)])
    row = table.iloc[0]
    assert row["identifiers"] and row["identifiers"][0]["holders"] == 22
    assert row["id_strength"] < 0.05


def test_cobid_graph_expectation_by_hand() -> None:
    # one market: T1 {F1,F2}, T2 {F1,F2,F3}, T3 {F3,F4}; n = 2, 3, 2; S = 7;
    # κ = (2·1 + 3·2 + 2·1) / 7² = 10/49; E(F1,F2) = d1·d2·κ = 2·2·10/49
    bids = pd.DataFrame({"tender_id": ["T1", "T1", "T2", "T2", "T2", "T3", "T3"],
                         "firm_id": ["F1", "F2", "F1", "F2", "F3", "F3", "F4"], "amount": 1.0})
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3"], "category": "roads"})
    data = MarketData.build(tenders=tenders, bids=bids)
    edges = rings.cobid_graph(data, rings.Params(min_cobids=1, min_lift=0.0, max_pvalue=1.0))
    pair = edges.set_index(["firm_a", "firm_b"]).loc[("F1", "F2")]
    assert pair["cobids"] == 2
    assert pair["expected"] == pytest.approx(40 / 49)
    assert pair["lift"] == pytest.approx(2 / (40 / 49))
    assert pair["weight"] == pytest.approx(2 * np.log(2 / (40 / 49)))



def test_cobid_expectation_is_summed_over_markets() -> None:
    """roads: T1 {F1,F2}, T2 {F1,F2,F3}: n = 2, 3; S = 5; κ = (2·1 + 3·2) / 5² = 8/25.
    bridges: T3 {F1,F2,F4,F5}, T4 {F4,F5}: n = 4, 2; S = 6; κ = (4·3 + 2·1) / 6² = 7/18.
    E(F1,F2) = 2·2·8/25 + 1·1·7/18 = 1.6689; E(F4,F5) = 0 + 2·2·7/18 = 14/9;
    E(F1,F4) = 2·0·8/25 + 1·2·7/18 = 7/9. Pooled as one market (κ = 22/11² = 2/11) these
    would be 3·3·2/11 = 1.636, 2·2·2/11 = 0.727 and 3·2·2/11 = 1.091."""
    bids = pd.DataFrame({"tender_id": ["T1", "T1", "T2", "T2", "T2", "T3", "T3", "T3", "T3", "T4", "T4"],
                         "firm_id": ["F1", "F2", "F1", "F2", "F3", "F1", "F2", "F4", "F5", "F4", "F5"],
                         "amount": 1.0})
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3", "T4"], "category": ["roads", "roads", "bridges", "bridges"]})
    edges = rings.cobid_graph(MarketData.build(tenders=tenders, bids=bids),
                              rings.Params(min_cobids=1, min_lift=0.0, max_pvalue=1.0)).set_index(["firm_a", "firm_b"])
    assert edges.loc[("F1", "F2"), "cobids"] == 3
    assert edges.loc[("F1", "F2"), "expected"] == pytest.approx(2 * 2 * 8 / 25 + 7 / 18)
    assert edges.loc[("F4", "F5"), "expected"] == pytest.approx(14 / 9)
    assert edges.loc[("F1", "F4"), "expected"] == pytest.approx(7 / 9)
    assert edges.loc[("F1", "F3"), "expected"] == pytest.approx(2 * 1 * 8 / 25)


def test_a_significant_pair_below_the_lift_floor_is_no_edge() -> None:
    """Near miss for min_lift: F1 and F2 bid in all 200 tenders, each with two firms of its
    own (B0..B399, seen once). n = 4 everywhere: S = 800, κ = 200·4·3/800² = 3/800,
    E = 200·200·3/800 = 150, C = 200: lift 4/3 < 1.5, though P(X ≥ 200 | 150) ≈ 6e-5 is far
    below max_pvalue. The background pairs meet once (< min_cobids)."""
    rows = [(f"T{t:03d}", f) for t in range(200) for f in ("F1", "F2", f"B{2 * t}", f"B{2 * t + 1}")]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id"]).assign(amount=1.0)
    tenders = pd.DataFrame({"tender_id": [f"T{t:03d}" for t in range(200)], "category": "roads"})
    data = MarketData.build(tenders=tenders, bids=bids)
    assert rings.cobid_graph(data).empty
    # the lift is the only thing between the pair and an edge
    edges = rings.cobid_graph(data, rings.Params(min_lift=1.3))
    assert len(edges) == 1
    pair = edges.iloc[0]
    assert (pair.firm_a, pair.firm_b, pair.cobids) == ("F1", "F2", 200)
    assert pair.expected == pytest.approx(150.0) and pair.lift == pytest.approx(4 / 3)
    assert pair.pvalue < 1e-4


def test_a_pair_meeting_exactly_min_cobids_times_is_an_edge() -> None:
    """F1 and F2 meet in T0..T2 (n = 2); 30 other tenders S00..S29 have two firms each, seen
    once. S = 33·2 = 66, κ = 33·2/66² = 1/66; E = 3·3/66 = 3/22, C = 3 = min_cobids: lift 22,
    P(X ≥ 3 | 3/22) = 1 − e^(−μ)(1 + μ + μ²/2) = 3.8e-4 ≤ 0.01. Near miss: min_cobids 4."""
    rows = [(f"T{t}", f) for t in range(3) for f in ("F1", "F2")]
    rows += [(f"S{t:02d}", f"B{2 * t + k}") for t in range(30) for k in range(2)]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id"]).assign(amount=1.0)
    tenders = pd.DataFrame({"tender_id": bids["tender_id"].unique(), "category": "roads"})
    data = MarketData.build(tenders=tenders, bids=bids)
    mu = 3 / 22
    edges = rings.cobid_graph(data)
    assert len(edges) == 1
    pair = edges.iloc[0]
    assert (pair.firm_a, pair.firm_b, pair.cobids) == ("F1", "F2", 3)
    assert pair.expected == pytest.approx(mu) and pair.lift == pytest.approx(22.0)
    assert pair.pvalue == pytest.approx(1 - math.exp(-mu) * (1 + mu + mu ** 2 / 2))
    assert rings.cobid_graph(data, rings.Params(min_cobids=4)).empty


def _allocation_market(collude: bool = True) -> MarketData:
    """A 'paving' category of six regions: A1..A4 bid in four of them, two are local only.

    With ``collude`` the four split their regions: in its own region (30 tenders each) a
    member bids and wins; each other member covers there with probability ½, 3–10 % above,
    and one or two local firms bid 1–15 % above; in the last two regions 3–5 of 8 local
    firms bid. The members hold about two thirds of the category's bids, so they make up
    most of its co-bidding. Without, the four are busy honest firms: each bids in any
    tender of the category with probability 0.4 at its own price, beside the local firms.
    """
    rng = np.random.default_rng(5)
    members = ["A1", "A2", "A3", "A4"]
    bids: list[tuple[str, str, float]] = []
    tenders: list[dict[str, object]] = []
    day = pd.Timestamp("2022-01-01")
    for region in range(6):
        local = [f"L{region}{i}" for i in range(8)]
        for t in range(30):
            tid = f"T{region}-{t:02d}"
            tenders.append({"tender_id": tid, "category": "paving", "region": f"R{region}",
                            "published_at": day + pd.Timedelta(days=int(rng.integers(0, 365)))})
            price = float(rng.lognormal(13, 0.4))
            if not collude:
                bidders = [m for m in members if rng.random() < 0.4]
                bidders += [str(f) for f in rng.choice(local, int(rng.integers(1, 4)), replace=False)]
                bids.extend((tid, f, price * float(rng.lognormal(0.05, 0.06))) for f in bidders)
            elif region < 4:
                bids.append((tid, members[region], price))
                bids.extend((tid, other, price * (1 + float(rng.uniform(0.03, 0.1))))
                            for other in members if other != members[region] and rng.random() < 0.5)
                bids.extend((tid, str(f), price * float(rng.uniform(1.01, 1.15)))
                            for f in rng.choice(local, int(rng.integers(1, 3)), replace=False))
            else:
                bids.extend((tid, str(f), price * float(rng.lognormal(0.05, 0.06)))
                            for f in rng.choice(local, int(rng.integers(3, 6)), replace=False))
    frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount"])
    frame["bid_id"] = [f"BID{i}" for i in range(len(frame))]
    frame["is_winner"] = frame.groupby("tender_id")["amount"].rank(method="first") == 1
    return MarketData.build(tenders=pd.DataFrame(tenders), bids=frame)


def _member_edges(data: MarketData, params: rings.Params) -> pd.DataFrame:
    edges = rings.cobid_graph(data, params)
    return edges[edges["firm_a"].str.startswith("A") & edges["firm_b"].str.startswith("A")]


def test_ring_that_dominates_its_market_is_found() -> None:
    # the members' own bids inflate their expectation: every member pair is significant but
    # meets less than twice its expectation, so a lift floor of 2 would leave no ring
    data = _allocation_market()
    inside = _member_edges(data, rings.Params())
    assert len(inside) == 6
    assert (inside["lift"] < 2.0).all() and (inside["pvalue"] < 0.01).all()
    top = rings.detect(data)[0]
    assert set(top.firms) == {"A1", "A2", "A3", "A4"}
    # and what makes it a cartel is the division of the wins: each region has its own winner
    facts = top.evidence["components"]["rotation"]["facts"]
    assert facts["segmentation"] > 0.9 and facts["regions_won"] == 4
    assert facts["wins_by_the_regions_usual_winner"] == 1.0
    assert "all 4 of them won 111 of those tenders between them, split by region (in 111 of the 111 with a " \
        "region, that region's usual winner won, across 4 regions)" in top.explanation


def test_segmentation_matches_its_definition_by_permutation() -> None:
    # (I − E[I]) / (H(W) − E[I]) with E[I] the mean mutual information over random deals of
    # the same winners to the same tenders; the closed form must agree with the simulation
    winners, regions = list("AAABBBCCCCAB"), list("xxxyyyzzzzyx")

    def mutual_information(w: list[str], s: list[str]) -> float:
        table = pd.crosstab(pd.Series(w), pd.Series(s)).to_numpy().astype(float)
        n, a, b = table.sum(), table.sum(axis=1), table.sum(axis=0)
        nz = table > 0
        return float((table[nz] / n * np.log(n * table[nz] / np.outer(a, b)[nz])).sum())

    rng = np.random.default_rng(3)
    expected = np.mean([mutual_information(list(rng.permutation(winners)), regions) for _ in range(4000)])
    entropy = math.log(3)   # A, B and C win 4 tenders each
    value, pvalue, home = rings.segmentation(winners, regions)
    assert value == pytest.approx((mutual_information(winners, regions) - expected) / (entropy - expected), abs=0.01)
    assert home == pytest.approx(10 / 12)   # x: A 3 of 4, y: B 3 of 4, z: C 4 of 4
    assert pvalue < 0.01
    # one winner per region: the region names the winner fully
    assert rings.segmentation(list("AAABBBCCC"), list("xxxyyyzzz"))[0] == pytest.approx(1.0)


def test_segmentation_near_miss_winners_independent_of_region() -> None:
    # every winner wins equally in every region: nothing beyond chance, and no test passes
    value, pvalue, home = rings.segmentation(list("ABCABCABCABC"), list("xxxyyyzzzwww"))
    assert value == 0.0 and pvalue == pytest.approx(1.0)
    # a rotation inside one region has no segmentation to speak of
    assert rings.segmentation(list("ABCABC"), ["r"] * 6)[:2] == (0.0, 1.0)
    # tenders without a region (or winner) are left out, not an error
    assert rings.segmentation(["A", "B", None, "A"], ["x", None, "y", "x"])[:2] == (0.0, 1.0)


def test_busy_honest_firms_that_meet_often_are_no_ring() -> None:
    # near miss: the same four firms meet in dozens of tenders, but as often as their
    # activity predicts (lift about 1), so they are no edge and no ring
    data = _allocation_market(collude=False)
    everything = _member_edges(data, rings.Params(min_cobids=1, min_lift=0.0, max_pvalue=1.0))
    assert (everything["cobids"] >= 10).all() and (everything["lift"] < rings.Params().min_lift).all()
    assert _member_edges(data, rings.Params()).empty
    assert not any(len(set(f.firms) & {"A1", "A2", "A3", "A4"}) >= 2 for f in rings.detect(data))


def _edges(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([(a, b, 10.0) for a, b in pairs], columns=["firm_a", "firm_b", "weight"])


def test_a_core_keeps_its_neighbours_and_sheds_a_chain_of_bystanders() -> None:
    # C1..C4 all meet in excess; N1 meets C1; X1 meets N1, and X2, X3 meet X1 (a chain)
    core = [("C1", "C2"), ("C1", "C3"), ("C1", "C4"), ("C2", "C3"), ("C2", "C4"), ("C3", "C4")]
    edges = _edges(core + [("C1", "N1"), ("N1", "X1"), ("X1", "X2"), ("X1", "X3")])
    groups = rings.candidate_rings(edges, seed=0)
    assert sorted(groups, key=min) == [frozenset({"C1", "C2", "C3", "C4", "N1"}), frozenset({"X1", "X2", "X3"})]


def test_a_ring_meeting_in_subsets_stays_one_group() -> None:
    # near miss: a triangle with members hanging directly off it (bid suppression: members
    # meet in subsets), and a path with no core at all, are kept whole
    star = _edges([("A", "B"), ("A", "C"), ("B", "C"), ("A", "D"), ("B", "E")])
    assert rings.candidate_rings(star, seed=0) == [frozenset("ABCDE")]
    path = _edges([("P", "Q"), ("Q", "R"), ("R", "S")])
    assert rings.candidate_rings(path, seed=0) == [frozenset("PQRS")]


def test_peel_drops_a_bystander() -> None:
    # F1–F3 meet in 20 tenders; F9 joined them once
    rows = [(f"T{t}", f) for t in range(20) for f in ("F1", "F2", "F3")] + [("T0", "F9")]
    data = MarketData.build(bids=pd.DataFrame(rows, columns=["tender_id", "firm_id"]).assign(amount=1.0))
    peeled = rings.peel_rings(data, [frozenset({"F1", "F2", "F3", "F9"})], rings.Params(min_relative_ties=0.0))
    assert peeled == [frozenset({"F1", "F2", "F3"})]


def _core_with(bystander_tenders: int) -> MarketData:
    # F1–F3 meet in 10 tenders; B joins them in the first few (one market, no category)
    rows = [(f"T{t}", f) for t in range(10) for f in ("F1", "F2", "F3")]
    rows += [(f"T{t}", "B") for t in range(bystander_tenders)]
    return MarketData.build(bids=pd.DataFrame(rows, columns=["tender_id", "firm_id"]).assign(amount=1.0))


RING_AND_B = [frozenset({"F1", "F2", "F3", "B"})]


def test_peel_drops_a_firm_that_meets_the_core_far_less_beyond_chance_than_the_core_does() -> None:
    # B in 3 of the 10 tenders: κ = (3·4·3 + 7·3·2) / 33² = 0.0716, so B's expected co-bids with
    # the others are 3 · 0.0716 · 30 = 6.44 against 9 met: mean excess (9 − 6.44) / 3 = 0.85.
    # F1 met 23 where 10 · 0.0716 · 23 = 16.47 are expected: (23 − 16.47) / 3 = 2.18 (as F2, F3).
    # 0.85 / 2.18 = 0.39 < 0.4. B is in 30 % of the ring tenders, so min_presence alone keeps it.
    data = _core_with(3)
    assert rings.peel_rings(data, RING_AND_B) == [frozenset({"F1", "F2", "F3"})]
    assert rings.peel_rings(data, RING_AND_B, rings.Params(min_relative_ties=0.0)) == RING_AND_B


def test_peel_by_ties_needs_a_core_that_met_beyond_chance() -> None:
    # a star: A meets B in 15 tenders and C in 15 others, B and C (busy elsewhere) never meet;
    # B's and C's mean excess is below zero, so the second highest is too: no one is peeled by the
    # ratio (0.4 × a negative core would sit above the core itself and empty the group)
    rows = [(f"AB{t}", f) for t in range(15) for f in ("A", "B")] + [(f"AC{t}", f) for t in range(15) for f in ("A", "C")]
    rows += [(f"X{t}", f) for t in range(60) for f in ("B", "C")[t % 2:t % 2 + 1] + (f"O{t % 7}", f"P{t % 5}")]
    data = MarketData.build(bids=pd.DataFrame(rows, columns=["tender_id", "firm_id"]).assign(amount=1.0))
    star = [frozenset("ABC")]
    assert rings.peel_rings(data, star) == star


def test_peel_keeps_a_firm_that_meets_the_core_often_enough() -> None:
    # near miss, B in 4: κ = (4·4·3 + 6·3·2) / 34² = 0.0727; B (12 − 4 · 0.0727 · 30) / 3 = 1.09,
    # F1 (24 − 10 · 0.0727 · 24) / 3 = 2.18: 0.50 ≥ 0.4
    assert rings.peel_rings(_core_with(4), RING_AND_B) == RING_AND_B


def test_a_lower_scoring_ring_that_holds_a_higher_scoring_one_is_not_reported_again() -> None:
    def ring(score: float, firms: str) -> Finding:
        return Finding(detector="rings", kind="ring", score=score, explanation=f"ring {firms}", firms=sorted(firms))
    core, wider = ring(27.3, "ABC"), ring(24.5, "ABCDEFGH")      # Jaccard 3/8, yet all of ABC inside
    # near-misses: a higher-scoring superset keeps its subset; one member outside the core keeps both
    bigger_first, subset = ring(30.0, "PQRSTU"), ring(20.0, "PQ")       # Jaccard 2/6
    overlap = ring(15.0, "ABXYZW")                                # Jaccard 2/7 with ABC, not holding it
    kept = rings._distinct([wider, core, subset, bigger_first, overlap])
    assert [f.firms for f in kept] == [list("PQRSTU"), list("ABC"), list("PQ"), list("ABWXYZ")]


def test_same_seed_same_findings(market: MarketData, findings: list) -> None:
    again = rings.detect(market, seed=0)
    assert [f.to_json() for f in again] == [f.to_json() for f in findings]


def ohio_market(path: Path) -> tuple[MarketData, set[str]]:
    raw = pd.read_csv(path)
    tenders = raw.drop_duplicates("contract_id").assign(
        tender_id=lambda x: x["contract_id"], category="milk",
        published_at=lambda x: pd.to_datetime(x["year"].astype(str) + "-06-01"))
    bids = raw.assign(bid_id=raw.index.astype(str), tender_id=raw["contract_id"], firm_id=raw["firm"],
                      amount=raw["bid"], is_winner=raw["winning_bid"] == 1)
    cartel = set(raw.loc[raw["is_cartel_firm"] == 1, "firm"])
    return MarketData.build(tenders=tenders, bids=bids), cartel


@pytest.mark.slow
def test_ohio_school_milk_cartel_in_top_two_under_every_seed(shared_real: Path) -> None:
    path = shared_real / "ohio_school_milk" / "ohio_milk_data.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    data, cartel = ohio_market(path)
    assert len(cartel) == 3
    for seed in range(5):  # the Louvain seed must not decide it: top two under every seed
        top = rings.detect(data, seed=seed)[:2]
        best = max(len(set(f.firms) & cartel) / len(set(f.firms) | cartel) for f in top)
        assert best >= 0.5, seed


@pytest.mark.slow
def test_same_findings_across_processes() -> None:
    # string hashing differs between processes; the partition must not depend on it.
    # Loose edges and a ring size of 2 force Louvain to re-partition inside components,
    # where a networkx subgraph view would iterate a hash-ordered node set.
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    script = ("import hashlib, sys; sys.path.insert(0, 'tests/detectors'); from test_rings import _market; "
              "from detectors import rings; "
              "p = rings.Params(max_ring_size=2, min_lift=1.0, max_pvalue=0.5); "
              "print(hashlib.sha1(''.join(f.to_json() for f in rings.detect(_market(), p, seed=2)).encode()).hexdigest())")
    digests = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONWARNINGS": "ignore"}
        out = subprocess.run([sys.executable, "-c", script], cwd=repo, env=env, capture_output=True,
                             text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def _anchor_market() -> MarketData:
    """60 'cleaning' tenders T01..T60 among background firms B01..B12 (4 bidders each).

    F1, F2, F3 share a phone and meet in T01..T06 (all three bid); F7 and F8 share
    another phone but are just busy: each bids in every other tender, so they meet in
    the 15 tenders their activity predicts, no more.
    """
    rng = np.random.default_rng(5)
    background = [f"B{i:02d}" for i in range(1, 13)]
    rows: list[tuple[str, str]] = []
    for t in range(60):
        tid = f"T{t + 1:02d}"
        firms = [str(f) for f in rng.choice(background, 4, replace=False)]
        if t < 6:
            firms += ["F1", "F2", "F3"]
        if t % 2 == 0:
            firms.append("F7")
        if t % 4 in (0, 1):
            firms.append("F8")
        rows += [(tid, f) for f in firms]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id"])
    bids["bid_id"] = [f"BID{i}" for i in range(len(bids))]
    bids["amount"] = 100.0 + np.arange(len(bids))
    tenders = pd.DataFrame({"tender_id": [f"T{t + 1:02d}" for t in range(60)], "category": "cleaning"})
    identifiers = pd.DataFrame(
        [("F1", "phone", "+1 555 0001"), ("F2", "phone", "+1 555 0001"), ("F3", "phone", "+1 555 0001"),
         ("F7", "phone", "+1 555 0007"), ("F8", "phone", "+1 555 0007")], columns=["firm_id", "kind", "value"])
    return MarketData.build(tenders=tenders, bids=bids, firm_identifiers=identifiers)


def test_identifier_anchor_keeps_cobidding_sharers_and_drops_busy_ones() -> None:
    data = _anchor_market()
    params = rings.Params()
    excess = rings.group_excess(data, [frozenset({"F1", "F2", "F3"}), frozenset({"F7", "F8"})], params)
    assert excess["cobids"].tolist() == [18.0, 15.0]     # 3 pairs × 6 tenders; F7–F8 in T01, T05, …
    assert excess["pvalue"].iloc[0] <= params.max_anchor_pvalue < excess["pvalue"].iloc[1]
    anchored = rings.identifier_rings(data, rings.cobid_graph(data, params), params)
    assert frozenset({"F1", "F2", "F3"}) in anchored
    assert all(not ({"F7", "F8"} & group) for group in anchored)


def test_excess_outliers_formula_by_hand() -> None:
    # with lift C/E = e the log-likelihood ratio G = C·ln(C/E) − (C − E) equals E exactly
    e = np.array([1.0, 2.0, 4.0, 8.0, 64.0])
    out = rings.excess_outliers(np.e * e, e)
    assert out["llr"].to_numpy() == pytest.approx(e)
    # ln G = (0, 1, 2, 3, 6)·ln 2: median 2 ln 2, MAD ln 2 → robust spread s = 1.4826 ln 2
    s = 1.4826 * np.log(2)
    assert out["z"].to_numpy() == pytest.approx(np.array([-2, -1, 0, 1, 4]) * np.log(2) / s)
    # five candidates: full at the Bonferroni z, Φ⁻¹(1 − 0.05/5) = 2.326 (above the floor of 2)
    full = stats.norm.isf(0.01)
    assert out["full_z"].iloc[0] == pytest.approx(full) and full == pytest.approx(2.326, abs=1e-3)
    # flagged: G = 64 is 16 × the median candidate, z = 4 / 1.4826 ≈ 2.7 ≥ 2.326 → full value
    assert out["value"].iloc[4] == pytest.approx(1.0)
    # near miss: G = 8 is twice the median, z = 1 / 1.4826 → value z / 2.326 ≈ 0.290; the rest 0
    assert out["value"].iloc[3] == pytest.approx(1 / (1.4826 * full))
    assert out["value"].iloc[:3].tolist() == [0.0, 0.0, 0.0]


def test_excess_counts_in_full_further_out_the_more_candidates_there_are() -> None:
    """The most excess of many honest groups is far out by chance alone: full points need the
    Bonferroni z at 5 % for the number of candidates, and never less than 2."""
    def full(m: int) -> float:
        e = np.linspace(1.0, 50.0, m)
        return float(rings.excess_outliers(np.e * e, e)["full_z"].iloc[0])

    assert full(2) == pytest.approx(2.0)  # Φ⁻¹(1 − 0.05/2) = 1.96: the floor of 2 holds
    assert full(3) == pytest.approx(stats.norm.isf(0.05 / 3)) and full(3) == pytest.approx(2.13, abs=0.01)
    assert full(100) == pytest.approx(stats.norm.isf(5e-4)) and full(100) == pytest.approx(3.29, abs=0.01)
    assert full(1000) == pytest.approx(3.89, abs=0.01)


def test_excess_outliers_floor_and_no_excess() -> None:
    # four alike candidates (G = 10, MAD 0): the spread is floored at ln 2, so a group with
    # 3 × their G gets z = ln 3 / ln 2 ≈ 1.58 → 0.79, not an infinite outlier; a group that
    # co-bids less than expected (C ≤ E) has G = 0 and scores 0
    e = np.array([10.0, 10.0, 10.0, 10.0, 30.0, 5.0])
    c = np.append(np.e * e[:5], 4.0)
    out = rings.excess_outliers(c, e)
    assert out["llr"].iloc[5] == 0.0 and out["value"].iloc[5] == 0.0
    assert out["z"].iloc[4] == pytest.approx(np.log(3) / np.log(2))
    assert out["value"].iloc[4] == pytest.approx(np.log(3) / np.log(2) / stats.norm.isf(0.05 / 6))
    assert out["value"].iloc[:4].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_excess_component_in_the_evidence(findings: list) -> None:
    top = findings[0]
    excess = top.evidence["components"]["excess"]
    facts = excess["facts"]
    # the ring's three pairs met in all 18 ring tenders: Σ C = 54
    assert facts["group_cobids"] == 54.0 and facts["group_expected_cobids"] < 54.0
    c, e = facts["group_cobids"], facts["group_expected_cobids"]
    assert facts["log_likelihood_ratio"] == pytest.approx(c * np.log(c / e) - (c - e))
    assert excess["contribution"] == pytest.approx(excess["value"] * excess["weight"], abs=0.01)
    # pairs of background firms that met a few times co-bid far less in excess
    weak = [f for f in findings if len(f.firms) == 2]
    assert all(f.evidence["components"]["excess"]["value"] < excess["value"] for f in weak)


def test_group_excess_by_hand_with_overlapping_groups() -> None:
    # the market of test_cobid_graph_expectation_by_hand: κ = 10/49, d = F1 2, F2 2, F3 2, F4 1.
    # {F1,F2,F3}: C = 2 + 1 + 1 = 4, E = κ (2·2 + 2·2 + 2·2) = 120/49; {F3,F4} (overlapping):
    # C = 1, E = κ · 2 · 1 = 20/49; a group with one bidder has no pairs: C = E = 0, p = 1
    bids = pd.DataFrame({"tender_id": ["T1", "T1", "T2", "T2", "T2", "T3", "T3"],
                         "firm_id": ["F1", "F2", "F1", "F2", "F3", "F3", "F4"], "amount": 1.0})
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3"], "category": "roads"})
    data = MarketData.build(tenders=tenders, bids=bids)
    out = rings.group_excess(data, [frozenset({"F1", "F2", "F3"}), frozenset({"F3", "F4"}),
                                    frozenset({"F4", "F9"})])
    assert out["cobids"].tolist() == [4.0, 1.0, 0.0]
    assert out["expected"].tolist() == pytest.approx([120 / 49, 20 / 49, 0.0])
    assert out["pvalue"].iloc[0] == pytest.approx(1 - sum(np.exp(-120 / 49) * (120 / 49) ** k / math.factorial(k)
                                                          for k in range(4)))
    assert out["pvalue"].iloc[2] == 1.0


def test_identifier_shared_by_firms_that_never_meet_is_no_anchor(market: MarketData) -> None:
    # B01 shares a phone with a firm that never bid: no anchored group, and no failure
    ids = pd.DataFrame([("B01", "phone", "+1 555 0100"), ("Z99", "phone", "+1 555 0100")],
                       columns=["firm_id", "kind", "value"]).assign(via="firm")
    data = MarketData.build(tenders=market.tenders, bids=market.bids, firm_identifiers=ids)
    assert rings.identifier_rings(data, rings.cobid_graph(data)) == []
    found = rings.detect(data, seed=0)
    assert set(found[0].firms) == set(RING)
    assert all(f.evidence["found_by"] == "cobidding communities" for f in found)


def test_explanation_names_the_excess_cobidding(findings: list) -> None:
    top = findings[0]
    facts = top.evidence["components"]["excess"]["facts"]
    assert top.evidence["components"]["excess"]["value"] > 0
    assert (f"their pairs met {facts['group_cobids']:.0f} times where their activity predicts "
            f"{facts['group_expected_cobids']:.1f}") in top.explanation
    quiet = [f for f in findings if f.evidence["components"]["excess"]["value"] == 0]
    assert quiet and all("their activity predicts" not in f.explanation for f in quiet)


@pytest.mark.parametrize("padded", [False, True])
def test_member_identifiers_count_holders_as_the_member_selection(padded: bool) -> None:
    # The screens take the members' rows from the whole market's identifier table; values are
    # compared as their stripped text, so a holder spelt with surrounding blanks still counts.
    phone = " +86 1" if padded else "+86 1"
    ids = pd.DataFrame([("F1", "phone", "+86 1"), ("F2", "phone", "+86 1"), ("B1", "phone", phone),
                        ("F1", "address", "1 Plaza"), ("B2", "address", "1 Plaza"), ("B3", "email", "x@y")],
                       columns=["firm_id", "kind", "value"]).assign(via="firm")
    data = MarketData.build(firm_identifiers=ids)
    members = {"F1", "F2"}
    got = rings._member_identifiers(data, members).sort_values(["firm_id", "kind"]).reset_index(drop=True)
    selection = rings._identifier_table(data, members)
    want = selection.loc[selection["firm_id"].isin(members)].sort_values(["firm_id", "kind"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert got.loc[got["kind"] == "phone", "holders"].tolist() == [3, 3]


def test_ring_identifiers_count_holders_spelt_with_blanks(market: MarketData) -> None:
    # F1 and F2 share 555; eight background firms hold it spelt "555 ": ten holders, so the
    # phone weighs m / n · (m − 1) / (k − 1) = 2/10 · 1/2 = 0.1, not 2/2 · 1/2 = 0.5
    ids = pd.DataFrame([("F1", "phone", "555"), ("F2", "phone", "555")]
                       + [(f"B{i:02d}", "phone", "555 ") for i in range(1, 9)],
                       columns=["firm_id", "kind", "value"]).assign(via="firm")
    data = MarketData.build(tenders=market.tenders, bids=market.bids, firm_identifiers=ids)
    row = rings.ring_screens(data, [frozenset(RING)]).iloc[0]
    assert [(i["value"], i["holders"]) for i in row["identifiers"]] == [("555", 10)]
    assert row["id_strength"] == pytest.approx(0.1)


UNDATED = {"first_tender": None, "last_tender": None, "dated_tenders": 0}


def _sentence_row(**changes: object) -> pd.Series:
    """A scored ring row with just the fields the sentence reads (four members, 20 wins)."""
    row = {"size": 4, "n_tenders": 24, "distinct_winners": 3, "member_wins": 20, "segmentation": 0.0,
           "turn_taking": 0.0, "home_share": 0.0, "repeats": 6, "expected_repeats": 6.4,
           "wins_by_member": {"F1": 12, "F2": 5, "F3": 3}, "cover_tenders": 0, "cover_q10": 0.0, "cover_q90": 0.0,
           "n_priced": 0, "closed_share": 0.0, "identifiers": [], "category": "works"}
    return pd.Series({**row, **changes})


def test_sentence_says_took_turns_only_when_the_runs_test_counts() -> None:
    """Wins shared without fewer repeats than chance are told as who won how many, not as turns."""
    shared = rings._explain(_sentence_row(), {}, UNDATED)
    assert "3 of them won 20 of those tenders between them (F1 12, F2 5, F3 3)" in shared
    assert "turns" not in shared
    turns = rings._explain(_sentence_row(turn_taking=0.6, repeats=1, turn_z=2.4), {}, UNDATED)
    assert "3 of them took turns winning 20 of those tenders (the same member won twice in a row 1 time, " \
           "6.4 expected by chance)" in turns
    # near-miss: a runs test just past where it starts to count (z 1.6, turn-taking 0.009 on an
    # unseen bid table) gives a few points but is no rotation to tell
    faint = rings._explain(_sentence_row(turn_taking=0.009, repeats=4, turn_z=1.6), {}, UNDATED)
    assert "turns" not in faint and "3 of them won 20 of those tenders between them (F1 12, F2 5, F3 3)" in faint
    # the winners as the records name them, the id alone where they do not (an app review read only ids)
    named = rings._explain(_sentence_row(), {}, UNDATED, names={"F1": "Alpha Build (F1)", "F3": "Gamma (F3)"})
    assert "3 of them won 20 of those tenders between them (Alpha Build (F1) 12, F2 5, Gamma (F3) 3)" in named


def test_sentence_says_all_of_them_won_when_every_member_did() -> None:
    """"4 of them won" of a ring of 4 read as if one had not (an app review); 3 of 4 stays "3 of them"."""
    every = {"distinct_winners": 4, "wins_by_member": {"F1": 9, "F2": 5, "F3": 3, "F4": 3}}
    assert "all 4 of them won 20 of those tenders between them (" in rings._explain(
        _sentence_row(**every), {}, UNDATED)
    assert "all 4 of them took turns winning 20 of those tenders" in rings._explain(
        _sentence_row(**every, turn_taking=0.6, repeats=1, turn_z=2.4), {}, UNDATED)
    assert "all " not in rings._explain(_sentence_row(), {}, UNDATED)
    pair = {"size": 2, "distinct_winners": 2, "wins_by_member": {"F1": 12, "F2": 8}}
    assert "both of them won 20 of those tenders between them (" in rings._explain(_sentence_row(**pair), {}, UNDATED)


def test_sentence_says_counts_as_whole_numbers_whatever_dtype_the_table_gave_them() -> None:
    """A count column with a missing value in some ring turns float in the table: "4.0 of them won 33.0"
    (an app review, after a run with another min_presence); and no priced tender flagged is "none"."""
    floats = {name: float(value) for name, value in _sentence_row().items()
              if isinstance(value, int) and name in rings.COUNT_COLUMNS}
    text = rings._explain(_sentence_row(**{**floats, "n_priced": 6.0, "n_flagged": 0.0}, median_cv=0.05,
                                        baseline_cv=0.05), {}, UNDATED)
    assert "4 firms bid together in 24 tenders" in text and "3 of them won 20 of those tenders between them" in text
    assert "none of the 6 priced tenders was among the most cover-bid-like fifth" in text.lower()
    assert ".0 " not in text and "only 0" not in text.lower()
    # near-miss: one flagged of six (1.2 expected) is said as before
    assert ". 1 of 6 priced tenders was among" in rings._explain(
        _sentence_row(n_priced=6, n_flagged=1, median_cv=0.05, baseline_cv=0.05), {}, UNDATED).lower()


def test_sentence_says_how_many_members_a_ring_tender_typically_had() -> None:
    # 9 firms "bid together" in 244 tenders where 3 of them met in the median one (unseen bid table)
    assert "4 firms bid together in 24 tenders (3 of them in the median one)" in \
        rings._explain(_sentence_row(median_members=3), {}, UNDATED)
    # near-miss: where every member bid in the median tender, nothing is added
    assert "4 firms bid together in 24 tenders, " in rings._explain(_sentence_row(median_members=4), {}, UNDATED)


def test_a_ring_spanning_categories_is_compared_with_each_tender_s_own(market: MarketData) -> None:
    # half the ring's tenders and the first 60 background tenders become "bridges": the ring's
    # baseline is the median over its priced tenders of their own category's median CV
    from detectors.screens import category_baselines, tender_screens
    bridges = market.tenders["tender_id"].isin([f"T-R{t:02d}" for t in range(1, 10)] +
                                               [f"T{t:04d}" for t in range(1, 61)])
    mixed = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                                "tenders": market.tenders.assign(category=market.tenders["category"].mask(bridges,
                                                                                                          "bridges"))})
    medians = category_baselines(tender_screens(mixed.bids), mixed.tenders, 20)["median"]
    (row,) = rings.ring_screens(mixed, [frozenset(RING)]).to_dict("records")
    assert row["n_categories"] == 2 and row["baseline"] == "categories"
    # 9 priced ring tenders in each category: the median of 9 × one median and 9 × the other
    assert row["baseline_cv"] == pytest.approx((medians[("roads", "cv")] + medians[("bridges", "cv")]) / 2)
    assert medians[("roads", "cv")] != pytest.approx(medians[("bridges", "cv")])
    text = rings._explain(pd.Series({**row, "intensity": 1.0}), {}, UNDATED)
    assert "than their categories' (median CV" in text and "fifth of their categories (" in text


def test_sentence_dates_the_cover_bid_like_tenders_where_they_leave_a_year_of_the_ring_out() -> None:
    # a cartel that collapsed in 2012 inside a ring active to 2015 (unseen bid table)
    day = pd.Timestamp
    assert rings._concentrated(day("2008-07-15"), day("2013-03-01"), day("2008-01-11"), day("2015-12-08")) == \
        ("2008-07", "2013-03")
    # near-misses: within a year of both ends; a date missing
    assert rings._concentrated(day("2008-07-15"), day("2015-03-01"), day("2008-01-11"), day("2015-12-08")) is None
    assert rings._concentrated(pd.NaT, day("2013-03-01"), day("2008-01-11"), day("2015-12-08")) is None
    text = rings._explain(_sentence_row(n_priced=40, n_flagged=20, median_cv=float("nan"), baseline_cv=float("nan"),
                                        flagged_period=("2008-07", "2013-03")), {}, UNDATED)
    assert "20 of 40 priced tenders were among the most cover-bid-like fifth of their category (8 expected; " \
           "80 % of them from 2008-07 to 2013-03)" in text
    # fewer than chance gives: no period to tell
    few = rings._explain(_sentence_row(n_priced=40, n_flagged=5, median_cv=float("nan"), baseline_cv=float("nan"),
                                       flagged_period=("2008-07", "2013-03")), {}, UNDATED)
    assert "80 %" not in few


def test_sentence_compares_the_cv_it_shows() -> None:
    # 0.0804 against 0.0796 is "0.080 against 0.080": as spread as, not more spread than
    text = rings._explain(_sentence_row(n_priced=10, n_flagged=2, median_cv=0.0804, baseline_cv=0.0796,
                                        baseline="category"), {}, UNDATED)
    assert "as spread as their category's (median CV 0.080 against 0.080)" in text


def test_sentence_cover_margins_read_as_the_bids_were() -> None:
    def cover(q10: float, q90: float) -> str:
        return rings._explain(_sentence_row(cover_tenders=5, cover_q10=q10, cover_q90=q90), {}, UNDATED)

    assert "bids sat 1.5–4.5 % above the winning member's (10th–90th percentile)" in cover(0.015, 0.045)
    assert "bids sat between 0.9 % below and 2.3 % above the winning member's" in cover(-0.009, 0.023)
    one = cover(0.176, 0.176)
    assert "bids sat 17.6 % above the winning member's" in one and "percentile" not in one


def test_sentence_compares_the_excess_with_other_groups_only_when_it_stands_out() -> None:
    def excess(z: float, full: float = 2.0) -> str:
        comps = {"excess": {"value": 0.5, "facts": {"group_cobids": 60, "group_expected_cobids": 12.0,
                                                    "robust_z_among_candidates": z, "full_at_z": full}}}
        return rings._explain(_sentence_row(), comps, UNDATED)

    assert excess(0.1).endswith(" Their pairs met 60 times where their activity predicts 12.0.")
    assert "other groups" not in excess(0.1)
    assert "more than most other groups of the market" in excess(1.2)
    assert "far more than the market's other candidate groups" in excess(2.5)
    # among many candidates 2.5 is not far out: "far more" needs the z that counts in full
    assert "far more" not in excess(2.5, full=3.3) and "more than most other groups" in excess(2.5, full=3.3)


def test_sentence_says_how_many_members_hold_the_identifier() -> None:
    def shared(members: list[str], holders: int) -> str:
        ident = [{"kind": "address", "value": "1 Road", "members": members, "holders": holders}]
        return rings._explain(_sentence_row(identifiers=ident), {}, UNDATED)

    assert shared(["F1", "F2", "F3", "F4"], 4).endswith(" The members share an address held by 4 firms.")
    assert shared(["F1", "F2"], 2).endswith(" 2 members share an address no other firm holds.")
    assert shared(["F1", "F2"], 10).endswith(" 2 members share an address (also held by 8 other firms).")


def test_the_winners_named_do_not_hide_a_tie() -> None:
    wins = {"F5": 2, "F1": 8, "F2": 8, "F3": 8, "F4": 8}
    assert rings._top_winners(wins) == "F1 8, F2 8, F3 8, F4 8, F5 2"  # one left over is named, not "1 more"
    assert rings._top_winners({"F1": 9, "F2": 5, "F3": 4, "F4": 1}) == "F1 9, F2 5, F3 4, F4 1"
    # the rest are counted in wins and members: "F3 4 and 2 more" read as two more wins (an app review)
    assert rings._top_winners({"F1": 9, "F2": 5, "F3": 4, "F4": 2, "F5": 1}) == "F1 9, F2 5, F3 4, and 3 by 2 other members"


def test_sentence_tells_an_identifier_that_competing_bids_carried_in_one_tender() -> None:
    trace = {"tenders": 4, "expected": 0.06, "tender_ids": ["T1", "T2", "T3", "T4"]}
    ident = [{"kind": "ip", "value": "9.9.9.9", "members": ["F1", "F2", "F3", "F4"], "holders": 4,
              "same_tender": trace},
             {"kind": "document", "value": "aa" * 32, "members": ["F1", "F2"], "holders": 2,
              "same_tender": {**trace, "tenders": 1, "expected": 0.0001, "tender_ids": ["T2"]}},
             {"kind": "document", "value": "bb" * 32, "members": ["F3", "F4"], "holders": 2,
              "same_tender": {**trace, "tenders": 1, "expected": 0.0001, "tender_ids": ["T5"]}}]
    text = rings._explain(_sentence_row(identifiers=ident), {}, UNDATED)
    assert text.endswith(
        "members share an IP address held by 4 firms and 2 other identifiers, in 2 tenders bids of two or more "
        "firms carried one document file (2 such files; chance alone, from how often each is used, would give "
        "fewer than 0.01 such tenders), and in 4 tenders bids of two or more firms were sent from one IP address "
        "(9.9.9.9; chance alone, from how often it is used, would give 0.06 such tenders).")
    untraced = [{k: v for k, v in ident[0].items() if k != "same_tender"}]  # near miss: only held
    assert rings._explain(_sentence_row(identifiers=untraced), {}, UNDATED).endswith(
        "members share an IP address held by 4 firms.")


def test_ring_screens_carry_the_same_tender_trace_of_a_shared_address(market: MarketData) -> None:
    """The ring's bids in its first 8 tenders all came from F1's address: the shared IP's entry
    carries the trace's facts; the phone it shares has none."""
    bids = market.bids.assign(ip=[("10.1.1.1" if t.startswith("T-R") and int(t[3:]) <= 8 and f in RING
                                   else f"10.2.{i // 250}.{i % 250}")
                                  for i, (t, f) in enumerate(zip(market.bids["tender_id"], market.bids["firm_id"],
                                                                 strict=True))])
    ids = pd.concat([market.firm_identifiers, pd.DataFrame(
        {"firm_id": list(RING), "kind": "ip", "value": "10.1.1.1", "via": None})], ignore_index=True)
    data = MarketData.build(**{**vars(market), "bids": bids, "firm_identifiers": ids})
    row = rings.ring_screens(data, [frozenset(RING)]).iloc[0]
    by_kind = {i["kind"]: i for i in row["identifiers"]}
    assert "same_tender" not in by_kind["phone"]
    trace = by_kind["ip"]["same_tender"]
    assert trace["tenders"] == 8 and trace["firms"] == sorted(RING) and trace["qvalue"] <= 0.05
    assert trace["tender_ids"] == [f"T-R{t:02d}" for t in range(1, 9)]


def test_a_member_that_won_a_lot_beside_an_outsider_won_the_tender(market: MarketData) -> None:
    # the outsiders in T-R01, T-R04, … (F1's turns) win a lot too, and are listed first
    bids = market.bids.copy()
    outsider = bids["tender_id"].str.startswith("T-R") & ~bids["firm_id"].isin(RING)
    bids.loc[outsider, "is_winner"] = True
    data = MarketData.build(tenders=market.tenders, bids=pd.concat([bids.loc[outsider], bids.loc[~outsider]]),
                            firm_identifiers=market.firm_identifiers)
    row = rings.ring_screens(data, [frozenset(RING)]).iloc[0]
    assert (row["member_wins"], row["outsider_wins"]) == (18, 6)
    assert row["wins_by_member"] == {"F1": 6, "F2": 6, "F3": 6}
    # the members' rotation and covers read as in the fixture, where each tender has one winner
    plain = rings.ring_screens(market, [frozenset(RING)]).iloc[0]
    assert (plain["member_wins"], plain["outsider_wins"]) == (18, 0)
    for column in ("turn_taking", "cover_tenders", "cover_q10", "cover_q90"):
        assert row[column] == pytest.approx(plain[column])


def test_members_sharing_every_tenders_lots_out_are_not_taking_turns(market: MarketData) -> None:
    """F1 and F2 both win (lots of) every ring tender: side by side in the sequence their wins read
    F1, F2, F1, F2 … with no repeat, which the runs test took for perfect rotation."""
    bids = market.bids.copy()
    ring_tender = bids["tender_id"].str.startswith("T-R")
    bids.loc[ring_tender, "is_winner"] = bids.loc[ring_tender, "firm_id"].isin(["F1", "F2"])
    row = rings.ring_screens(MarketData.build(tenders=market.tenders, bids=bids,
                                              firm_identifiers=market.firm_identifiers), [frozenset(RING)]).iloc[0]
    assert row["wins_by_member"] == {"F1": 18, "F2": 18}
    assert row["turn_taking"] == 0.0


def test_a_small_category_is_compared_with_the_market_and_the_sentence_says_so(market: MarketData) -> None:
    # 186 'roads' tenders: their own baseline by default, the whole market's from 500 up
    small = rings.detect(market, rings.Params(min_category_tenders=500), seed=0)[0]
    assert small.evidence["price"]["baseline"] == "market"
    assert "tighter than the market's (median CV" in small.explanation
    assert "their category" not in small.explanation
    # near miss: a category large enough for its own baseline
    own = rings.detect(market, seed=0)[0]
    assert own.evidence["price"]["baseline"] == "category"
    assert "tighter than their category's (median CV" in own.explanation
    # the ring's tenders without a category, among categorised ones: their own baseline, named as such
    blank = market.tenders["tender_id"].str.startswith("T-R") | (market.tenders.index < 80)  # the rest: roads
    bare = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                               "tenders": market.tenders.assign(category=market.tenders["category"].where(~blank))})
    unnamed = rings.detect(bare, seed=0)[0]
    assert unnamed.evidence["price"]["baseline"] == "uncategorised"
    assert "than those of the tenders without a category (median CV" in unnamed.explanation
    # and where no tender has a category, they are the market
    none = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                               "tenders": market.tenders.assign(category=None)})
    assert rings.detect(none, seed=0)[0].evidence["price"]["baseline"] == "market"


def test_a_price_share_test_counts_only_beyond_what_the_luckiest_candidate_reaches() -> None:
    """value = effect × clip(−log10(p·m) / 2, 0, 1): nothing at a Bonferroni p of 1, half at 0.1, full at 0.01."""
    # 5 of 5 tight member covers: p = 0.2⁵ = 3.2e-4, effect full (share 1 ≥ 0.7)
    share, p, value = rings.share_test_value(5, 5, n_candidates=1)
    assert (share, p) == (1.0, pytest.approx(0.2 ** 5)) and value == 1.0
    assert rings.share_test_value(5, 5, n_candidates=round(1 / 0.2 ** 5))[2] == pytest.approx(0.0, abs=1e-3)
    assert rings.share_test_value(5, 5, n_candidates=round(0.1 / 0.2 ** 5))[2] == pytest.approx(0.5, abs=1e-3)
    assert rings.share_test_value(5, 5, n_candidates=round(0.01 / 0.2 ** 5))[2] == pytest.approx(1.0, abs=1e-3)
    # 163 candidates (a city market): the luckiest honest group's p ≈ 1/163 counts nothing; 5 of 5
    # (p·m = 0.052) counts 0.64; 9 of 10 (p = 4.2e-6, p·m = 6.8e-4) counts in full
    assert rings.share_test_value(5, 5, n_candidates=163, pvalue=1 / 163)[2] == pytest.approx(0.0, abs=1e-12)
    assert rings.share_test_value(5, 5, n_candidates=163)[2] == pytest.approx(-math.log10(0.2 ** 5 * 163) / 2)
    assert rings.share_test_value(5, 5, n_candidates=163)[2] == pytest.approx(0.641, abs=1e-3)
    assert rings.share_test_value(9, 10, n_candidates=163)[2] == 1.0
    # 4 of 5 among 10 candidates: p = 0.00672, p·m = 0.0672, −log10 / 2 = 0.586
    p45 = float(stats.binom.sf(3, 5, 0.2))
    assert p45 == pytest.approx(5 * 0.2 ** 4 * 0.8 + 0.2 ** 5)
    assert rings.share_test_value(4, 5, n_candidates=10)[2] == pytest.approx(-math.log10(p45 * 10) / 2)
    assert rings.share_test_value(4, 5, n_candidates=10)[2] == pytest.approx(0.586, abs=1e-3)
    # the effect: 2 of 10 is competition's share (nothing), 45 % is half
    assert rings.share_test_value(2, 10, n_candidates=1)[2] == 0.0
    assert rings.share_test_value(45, 100, n_candidates=1)[2] == pytest.approx(0.5)
    assert rings.share_test_value(0, 0, n_candidates=5) == (pytest.approx(float("nan"), nan_ok=True), 1.0, 0.0)
    assert rings.share_test_value(5, 5, n_candidates=1, pvalue=0.5)[1] == 0.5  # a tail computed elsewhere is used


def test_price_facts_against_cover_bidding_are_said_as_such() -> None:
    """Ohio's top ring: 28 of 278 priced tenders in the most cover-bid-like fifth (56 expected) and
    bids more spread than the market's read as if they were evidence of cover bidding."""
    row = pd.Series({"size": 4, "n_tenders": 278, "distinct_winners": 4, "segmentation": 0.0, "turn_taking": 0.0,
                     "home_share": 0.0, "member_wins": 243, "wins_by_member": {"A": 150, "B": 57, "C": 20, "D": 16},
                     "cover_tenders": 0, "n_priced": 278, "n_flagged": 28, "median_cv": 0.044, "baseline_cv": 0.037,
                     "category": "milk", "baseline": "market", "closed_share": 0.0, "identifiers": []})
    dates = {"first_tender": None, "last_tender": None, "dated_tenders": 0}
    against = rings._explain(row, {}, dates)
    assert ("Only 28 of 278 priced tenders were among the most cover-bid-like fifth of the market (56 expected by "
            "chance), their bids more spread than the market's (median CV 0.044 against 0.037)") in against
    # near miss: more than chance, and tighter
    row["n_flagged"], row["median_cv"] = 90, 0.020
    assert ("90 of 278 priced tenders were among the most cover-bid-like fifth of the market (56 expected), their "
            "bids tighter than the market's (median CV 0.020 against 0.037)") in rings._explain(row, {}, dates)


def test_a_ring_in_a_category_not_awarded_to_the_lowest_bid_is_not_screened_for_cover_bids(market: MarketData) -> None:
    """The ring's 18 tenders and 60 background tenders become 'works', where the second lowest bid
    wins every tender (the lowest won 0 of 78): none of the ring's tenders is priced, flagged or
    counted in the tight-cover test, and the sentence says why. Near miss: the same ring in
    'roads', where the lowest bid wins, has all 18 priced (the other tests of this module)."""
    works = market.tenders["tender_id"].isin([f"T-R{t:02d}" for t in range(1, 19)] +
                                             [f"T{t:04d}" for t in range(1, 61)])
    tenders = market.tenders.assign(category=market.tenders["category"].mask(works, "works"))
    bids = market.bids.copy()
    second = bids.groupby("tender_id")["amount"].rank(method="first") == 2
    in_works = bids["tender_id"].isin(set(tenders.loc[works, "tender_id"]))
    bids["is_winner"] = np.where(in_works, second, bids["is_winner"])
    moved = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS}, "tenders": tenders, "bids": bids})
    (row,) = rings.ring_screens(moved, [frozenset(RING)]).to_dict("records")
    assert row["unread_tenders"] == 18 and row["n_priced"] == 0 and row["n_flagged"] == 0
    assert row["cover_tenders"] == 18 and row["cover_read"] == 0 and row["cover_tight"] == 0
    assert row["lowest_won_share"] == {"works": 0.0}
    rules = award_rules(moved.with_winners().bids, moved.tenders)
    drawn = rules.loc["works", "drawn"] / rules.loc["works", "awarded"]  # 3 to 5 bidders: about a quarter
    assert 0.15 < drawn < 0.35 and row["drawn_share"] == {"works": pytest.approx(drawn, abs=1e-4)}
    text = rings._explain(pd.Series({**row, "intensity": 1.0}), {}, UNDATED)
    assert ("none of their tenders was screened for cover bids, which presume that the lowest bid wins: the lowest "
            f"valid bid won 0 % of their category's awarded tenders, less than halfway between the "
            f"{math.floor(100 * drawn)} % a draw among each tender's bidders gives and the nearly 100 % of a "
            "lowest-price award (an average-bid or scored award, or lowest bids set aside after the opening)") in text
    assert "priced tenders" not in text and "median CV" not in text
    (same,) = rings.ring_screens(market, [frozenset(RING)]).to_dict("records")
    assert same["unread_tenders"] == 0 and same["n_priced"] == 18 and same["cover_read"] == same["cover_tenders"]
    # the works tenders declaring their award criteria: read as that group, and the sentence names them
    declared = MarketData.build(**{**{f: getattr(moved, f) for f in COLUMNS},
                                   "tenders": tenders.assign(award_criteria=np.where(works, "综合评估法", None))})
    (said,) = rings.ring_screens(declared, [frozenset(RING)]).to_dict("records")
    assert said["unread_tenders"] == 18 and said["lowest_won_share"] == {"works · 综合评估法": 0.0}
    assert said["unread_award_criteria"] == ["综合评估法"] and not said["unread_undeclared"]
    assert ("the lowest valid bid won 0 % of their category's awarded tenders declaring the award criteria “综合评估法”, "
            "less than halfway") in rings._explain(pd.Series({**said, "intensity": 1.0}), {}, UNDATED)
    # half of them (and of the background) declaring it, half none: one category, two award rules
    half = works & (market.tenders["tender_id"].str[-1].isin(list("13579")))
    halved = MarketData.build(**{**{f: getattr(moved, f) for f in COLUMNS},
                                 "tenders": tenders.assign(award_criteria=np.where(half, "综合评估法", None))})
    (both,) = rings.ring_screens(halved, [frozenset(RING)]).to_dict("records")
    assert both["unread_tenders"] == 18 and set(both["lowest_won_share"]) == {"works", "works · 综合评估法"}
    assert both["unread_categories"] == 1 and both["unread_undeclared"]
    assert ("the lowest valid bid won 0 % of their category's awarded tenders declaring the award criteria “综合评估法” "
            "or none, less than halfway") in rings._explain(pd.Series({**both, "intensity": 1.0}), {}, UNDATED)


def _stepped_market(market: MarketData) -> MarketData:
    """The module's market with the ring's two covers at 2 % and 4 % over the winning bid in every
    ring tender: the three members' bids at equal steps (2 % of the winner's)."""
    bids = market.bids.copy()
    ring_tender = bids["tender_id"].str.startswith("T-R") & bids["firm_id"].isin(RING)
    win = bids.loc[ring_tender].groupby("tender_id")["amount"].transform("min")
    rank = bids.loc[ring_tender].groupby("tender_id")["amount"].rank(method="first")
    bids.loc[ring_tender, "amount"] = win * (1 + 0.02 * (rank - 1))
    return MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS}, "bids": bids})


def test_members_bidding_at_equal_steps_count_as_price_evidence_and_are_told(market: MarketData) -> None:
    stepped = _stepped_market(market)
    found, jaccard = _best(rings.detect(stepped, seed=0), RING)
    assert jaccard == 1.0
    facts = found.evidence["components"]["price"]["facts"]
    assert (facts["stepped_tenders"], facts["tenders_with_three_members"]) == (18, 18)
    # the chance rate is drawn from every tender, the ring's 18 stepped ones too (conservative):
    # about 1.4 stepped tenders expected of 18 here, and 18 far beyond it
    assert facts["stepped_expected"] < 2 and facts["stepped_poisson_pvalue"] < 1e-12
    assert facts["steps_value"] == 1.0 and found.evidence["components"]["price"]["value"] == 1.0
    assert [s["tender_id"] for s in facts["stepped"]] == [f"T-R{t:02d}" for t in range(1, 19)]
    assert "step_pct" in facts["stepped"][0] or "step" in facts["stepped"][0]
    assert "In 18 of the 18 tenders where three or more of them bid, their bids stood at equal steps (" \
        in found.explanation
    # near miss: the module's ring, covers 1.5–4.5 % over the winner at random, is not stepped
    plain, _ = _best(rings.detect(market, seed=0), RING)
    plain_facts = plain.evidence["components"]["price"]["facts"]
    assert plain_facts["stepped_tenders"] <= 1 and plain_facts["steps_value"] == 0.0
    assert "equal steps" not in plain.explanation


def test_steps_test_value_is_gated_by_the_candidates_like_the_share_tests() -> None:
    # 18 of 18 stepped where chance gives 0.2: full; 2 of 18 where chance gives 0.2 (p = 0.0175),
    # among 100 candidates: p·m > 1, nothing
    assert rings.steps_test_value(18, 18, 0.2, 100)[1] == 1.0
    p, value = rings.steps_test_value(2, 18, 0.2, 100)
    assert p == pytest.approx(1 - np.exp(-0.2) * 1.2) and value == 0.0
    assert rings.steps_test_value(0, 18, 0.2, 1) == (1.0, 0.0)
    # two stepped tenders of 2, however unlikely by chance, count nothing (MIN_STEPPED = 3); three do
    p, value = rings.steps_test_value(2, 2, 1e-4, 1)
    assert p == pytest.approx(1 - np.exp(-1e-4) * (1 + 1e-4)) and value == 0.0
    assert rings.steps_test_value(3, 3, 1e-4, 1)[1] == 1.0
    # 6 of 18 (a third: effect 2/3) with p far below 1/m: two thirds of the points
    assert rings.steps_test_value(6, 18, 0.01, 10)[1] == pytest.approx(2 / 3)


def _benchmark_market(bunched: bool) -> MarketData:
    """A works category awarded as by a benchmark price: the winner is any valid bid, not the lowest
    (its tenders are not read by the cover-bid screens). 150 tenders of 4–6 of 30 honest firms, and 20
    where the ring's three members bid beside three of them: the members' bids at 1–2 % over the first
    member's (``bunched``), or each priced on its own like the others (the near miss)."""
    rng = np.random.default_rng(23)
    background = [f"B{i:02d}" for i in range(1, 31)]
    bids: list[tuple[str, str, float]] = []
    tenders: list[dict[str, object]] = []
    for t in range(170):
        tid = f"T{t + 1:04d}"
        tenders.append({"tender_id": tid, "category": "works",
                        "published_at": pd.Timestamp("2023-01-01") + pd.Timedelta(days=t)})
        cost = float(rng.lognormal(13, 0.5))
        firms = [str(f) for f in rng.choice(background, 3 if t >= 150 else int(rng.integers(4, 7)), replace=False)]
        bids += [(tid, f, cost * float(rng.lognormal(0.05, 0.08))) for f in firms]
        if t >= 150:
            lead = cost * float(rng.lognormal(0.05, 0.08))
            bids += [(tid, f, lead * (1 + float(rng.uniform(0.01, 0.02))) if bunched and i
                      else cost * float(rng.lognormal(0.05, 0.08)) if i else lead) for i, f in enumerate(RING)]
    frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount"])
    frame["bid_id"] = [f"BID{i}" for i in range(len(frame))]
    winner = frame.groupby("tender_id").sample(1, random_state=3).index
    frame["is_winner"] = frame.index.isin(winner)
    return MarketData.build(tenders=pd.DataFrame(tenders), bids=frame)


def test_members_bids_bunched_together_count_where_the_lowest_bid_does_not_win() -> None:
    found, jaccard = _best(rings.detect(_benchmark_market(bunched=True), seed=0), RING)
    assert jaccard == 1.0
    price = found.evidence["components"]["price"]
    facts = price["facts"]
    assert facts["tenders_not_read"] == 20 and facts["screens_value"] == 0 and facts["cover_value"] == 0
    # the members' three bids within 2 % are the tightest of the 20 sets of three of six bids in about
    # every tender on amounts (mean mid-p near 1/40); on residuals about 1/8, since members who bid
    # nowhere else have their spreads read from their gaps to each other (bid_spacing.firm_spreads)
    assert facts["spacing_tenders"] == 20 and facts["spacing_mean_rank"] < 0.15 and facts["spacing_z"] > 5
    assert facts["spacing_value"] == 1.0 and price["value"] == 1.0
    assert len(facts["spacing_examples"]) == rings.SPACING_EXAMPLES
    assert "In the 20 tenders where two or more of them bid beside other firms with at least 4 bids on record, " \
        "their bids lay closer together than " in found.explanation
    # "than X % of the other sets": X is the mean share of the other sets that were wider
    told = int(re.search(r"closer together than (\d+) % of the other sets", found.explanation).group(1))
    assert told == round(100 * facts["spacing_other_sets_wider"]) and told > 85
    # near miss: members priced on their own like the others: no spacing evidence, nothing said
    plain, _ = _best(rings.detect(_benchmark_market(bunched=False), seed=0), RING)
    plain_facts = plain.evidence["components"]["price"]["facts"]
    assert plain_facts["spacing_tenders"] == 20 and abs(plain_facts["spacing_z"]) < 2.5
    assert plain_facts["spacing_value"] == 0.0 and "closer together" not in plain.explanation


def test_spacing_test_value_is_gated_by_the_candidates_like_the_share_tests() -> None:
    # mean mid-p 0.2 (0.3 below ½: full effect) with p far below 1/m: full; at p·m ≥ 0.1 (SPACING_GATE
    # times stricter than the share tests): nothing
    assert rings.spacing_test_value(30, 0.2, 1e-8, 100) == 1.0
    assert rings.spacing_test_value(30, 0.2, 0.001, 100) == 0.0
    # half the effect (mean 0.35) at p·m = 0.001: half the value; farther apart (0.8) counts nothing
    assert rings.spacing_test_value(30, 0.35, 1e-5, 1) == pytest.approx(0.5)
    assert rings.spacing_test_value(30, 0.8, 1e-8, 100) == 0.0
    assert rings.spacing_test_value(0, float("nan"), 1.0, 1) == 0.0


def test_spacing_z_values_are_read_against_the_market_s_own_null() -> None:
    # 40 candidates whose z spread 1.5 times wider than N(0, 1): each z is divided by the spread
    # (1.4826 × median |z|), and the p-value follows; NaN (too few tenders) stays untested
    z = np.array([*stats.norm.ppf(np.linspace(0.0125, 0.9875, 40)) * 1.5, np.nan])
    table = rings.spacing_null(pd.DataFrame({"spacing_z": z}))
    scale = 1.4826 * float(np.median(np.abs(z[:-1])))
    assert scale == pytest.approx(1.5, rel=0.05) and table["spacing_null_scale"].iloc[0] == pytest.approx(scale)
    assert table["spacing_z"].iloc[-2] == pytest.approx(z[-2] / scale)
    assert table["spacing_pvalue"].iloc[-2] == pytest.approx(stats.norm.sf(z[-2] / scale))
    assert math.isnan(table["spacing_z"].iloc[-1]) and table["spacing_pvalue"].iloc[-1] == 1.0
    # a market whose honest z are narrower than N(0, 1) is not read more leniently (the scale is ≥ 1),
    # and fewer than SPACING_NULL_MIN candidates are read on N(0, 1)
    assert rings.spacing_null(pd.DataFrame({"spacing_z": z[:-1] / 3}))["spacing_null_scale"].iloc[0] == 1.0
    few = rings.spacing_null(pd.DataFrame({"spacing_z": z[: rings.SPACING_NULL_MIN - 1] * 2}))
    assert few["spacing_null_scale"].iloc[0] == 1.0
