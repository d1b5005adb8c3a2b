"""Complementary presence (bid suppression): the formulas, one cartel, and its honest look-alikes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from detectors import complementary, rings
from detectors.market import MarketData

MEMBERS = ("S1", "S2", "S3", "S4")
RIVALS = [f"B{i:02d}" for i in range(1, 9)]


def _market(kind: str = "suppression", region: str | None = "north", dated: str = "published_at",
            busy_elsewhere: int = 0) -> MarketData:
    """24 'cleaning' tenders of one region (T-S01..), one per week of 2023, and honest background.

    ``suppression``: S1 → S2 → S3 → S4 take turns; the one whose turn it is bids alone among
    them and wins, 1–2 rivals from B01..B08 bid 3–15 % above. ``independent``: each member
    bids with probability 0.35, below the two rivals, and the cheapest wins (members meet).
    ``rare``: S1 and S2 each bid in (and win) 4 of the 24, three rivals bid in every one. ``submarkets``: as suppression,
    but each member meets only its own two rivals (hidden product lines). ``succession``: S1
    bids in the first six weeks' tenders, S2 in the next six, and so on, against rivals of
    the common pool (one firm taking over from another). The background is 80 tenders of
    'roads' in the same region and of 'cleaning' in 'south', 3–4 bidders from B01..B20.
    ``dated``: the tender column that holds the date (None: undated). ``busy_elsewhere``:
    that many firms P01.. each win 3 'paving' tenders of region 'east' against two rivals.
    """
    rng = np.random.default_rng(5)
    bids: list[tuple[str, str, float]] = []
    tenders: list[dict[str, object]] = []
    day = pd.Timestamp("2023-01-02")

    def tender(tid: str, category: str, where: str | None, week: int) -> None:
        tenders.append({"tender_id": tid, "category": category, "region": where,
                        "published_at": day + pd.Timedelta(weeks=week)})

    for t in range(24):
        tid = f"T-S{t + 1:02d}"
        tender(tid, "cleaning", region, t)
        price = float(rng.lognormal(12, 0.4))
        if kind == "independent":  # members undercut the rivals, so each wins unless another member bids
            present = [m for m in MEMBERS if rng.random() < 0.35] or [MEMBERS[t % 4]]
            for firm in present:
                bids.append((tid, firm, price * float(rng.uniform(0.90, 0.99))))
            for rival in rng.choice(RIVALS, 2, replace=False):
                bids.append((tid, str(rival), price * float(rng.uniform(1.03, 1.15))))
            continue
        if kind == "rare":  # S1 and S2 bid in 4 tenders each and win them; 3 rivals bid in every tender
            present = {0: ["S1"], 3: ["S2"]}.get(t % 6, [])
            for firm in [*present, *rng.choice(RIVALS, 3, replace=False)]:
                bids.append((tid, str(firm), price * (0.95 if firm in MEMBERS else float(rng.uniform(1.0, 1.1)))))
            continue
        member = MEMBERS[t // 6] if kind == "succession" else MEMBERS[t % 4]
        pool = RIVALS[2 * (t % 4): 2 * (t % 4) + 2] if kind == "submarkets" else RIVALS
        bids.append((tid, member, price))
        for rival in rng.choice(pool, int(rng.integers(1, 3)), replace=False):
            bids.append((tid, str(rival), price * float(rng.uniform(1.03, 1.15))))
    background = [f"B{i:02d}" for i in range(1, 21)]
    for t in range(80):
        tid = f"T-B{t + 1:02d}"
        tender(tid, "roads" if t % 2 else "cleaning", region if t % 2 else "south", t % 52)
        price = float(rng.lognormal(12, 0.4))
        for firm in rng.choice(background, int(rng.integers(3, 5)), replace=False):
            bids.append((tid, str(firm), price * float(rng.lognormal(0, 0.06))))
    for i in range(busy_elsewhere):
        for j in range(3):
            tid = f"T-P{i:02d}{j}"
            tender(tid, "paving", "east", 3 * i + j)
            bids += [(tid, f"P{i:02d}", 1.0), (tid, f"Q{i % 7}", 1.1), (tid, f"Q{(i + 3) % 7}", 1.2)]
    frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount"])
    frame["bid_id"] = [f"BID{i}" for i in range(len(frame))]
    frame["is_winner"] = frame.groupby("tender_id")["amount"].rank(method="first") == 1
    table = pd.DataFrame(tenders)
    if dated != "published_at":
        table = table.rename(columns={"published_at": dated}) if dated else table.drop(columns="published_at")
    return MarketData.build(tenders=table, bids=frame)


# -- the formulas, by hand ---------------------------------------------------------------

def test_exactly_one_probability_by_hand() -> None:
    q = complementary.exactly_one_probability(np.array([[0.5, 0.5], [0.25, 0.25], [1.0, 0.0], [1.0, 1.0]]))
    # 2 · 0.5 · 0.5; 2 · 0.25 · 0.75; the first surely, the other never; both always
    np.testing.assert_allclose(q, [0.5, 0.375, 1.0, 0.0])
    four = complementary.exactly_one_probability(np.full((1, 4), 0.25))
    assert four[0] == pytest.approx(4 * 0.25 * 0.75 ** 3)  # 0.421875


def test_binomial_sum_tail_is_the_poisson_binomial_tail() -> None:
    def tail(k: int, trials: np.ndarray, probs: np.ndarray) -> float:
        return math.exp(complementary.log_binomial_sum_tail(k, trials, probs))

    assert tail(2, np.array([2]), np.array([0.5])) == pytest.approx(0.25)
    assert tail(0, np.array([3]), np.array([0.1])) == 1.0
    trials, probs = np.array([10, 15]), np.array([0.4, 0.7])
    expected = stats.poisson_binom.sf(19, [0.4] * 10 + [0.7] * 15)
    assert tail(20, trials, probs) == pytest.approx(expected)


def test_the_tail_holds_far_out_where_the_p_value_underflows() -> None:
    assert complementary.log_binomial_sum_tail(400, np.array([500]), np.array([0.2])) == pytest.approx(
        stats.binom.logsf(399, 500, 0.2))  # −418.9: the p-value itself is 0 in double precision
    terms = [stats.binom.logpmf(a, 30, 0.2) + stats.binom.logpmf(b, 40, 0.6)
             for a in range(31) for b in range(41) if a + b >= 60]
    assert complementary.log_binomial_sum_tail(60, np.array([30, 40]), np.array([0.2, 0.6])) == pytest.approx(
        special.logsumexp(terms))
    assert complementary.log_binomial_sum_tail(9, np.array([5, 3]), np.array([1.0, 0.5])) == -np.inf


def test_fixed_count_pmf_by_hand() -> None:
    # two firms with 2 and 3 of 6 tenders: K = 5 when apart (C(4, 3) / C(6, 3) = 0.2), 3 when
    # they share one (C(2, 1) C(4, 2) / C(6, 3) = 0.6), 1 when they share two (0.2)
    np.testing.assert_allclose(complementary.fixed_count_pmf(6, [2, 3]), [0, 0.2, 0, 0.6, 0, 0.2, 0])
    assert complementary.fixed_count_pmf(5, [5]).tolist() == [0, 0, 0, 0, 0, 1.0]
    assert math.exp(complementary.log_fixed_count_tail(9, [(11, [3, 3, 3])])) == pytest.approx(
        sum(complementary.fixed_count_pmf(11, [3, 3, 3])[9:]))
    # a programme too large for the budget leaves the decision to the approximation
    assert complementary.log_fixed_count_tail(10, [(24, [6, 6, 6, 6])], max_work=10) is None


def test_turns_clustering_by_hand() -> None:
    # AABB: 2 repeats; a random order of two A and two B gives (2·1 + 2·1) / 4 = 1, and 2 or
    # more in 2 of the 6 orders (AABB, BBAA)
    repeats, expected, pvalue = complementary.turns_clustering(["A", "A", "B", "B"])
    assert (repeats, expected) == (2, 1.0)
    assert pvalue == pytest.approx(1 / 3, abs=0.03)
    assert complementary.turns_clustering(["A", "B"] * 4)[:2] == (0, 3.0)
    assert complementary.turns_clustering(["A", "B"] * 4)[2] == 1.0
    assert complementary.turns_clustering(["A"] * 6 + ["B"] * 6)[2] < 0.01


def test_shared_rivals_by_hand() -> None:
    # R meets A twice and B twice: all 4 of its bids shared; one market predicts 4 · (1 − 2 · 0.5⁴) = 3.5
    common = pd.DataFrame({"tender_id": ["T1", "T1", "T2", "T2", "T3", "T3", "T4", "T4"],
                           "firm_id": ["A", "R", "A", "R", "B", "R", "B", "R"]})
    assert complementary.shared_rivals(common, ["A", "B"]) == (4, 4, pytest.approx(3.5))
    # R1 meets only A, R2 only B: nothing shared where one market predicts 2 · 2 · (1 − 2 · 0.25) = 2
    apart = common.assign(firm_id=["A", "R1", "A", "R1", "B", "R2", "B", "R2"])
    assert complementary.shared_rivals(apart, ["A", "B"]) == (4, 0, pytest.approx(2.0))
    # a rival met once says nothing about the market: not counted
    once = common.iloc[:4].assign(firm_id=["A", "R1", "B", "R2"])
    assert complementary.shared_rivals(once, ["A", "B"]) == (0, 0, 0.0)


# -- one flagged case and the near-misses ------------------------------------------------

def _candidate_segments(data: MarketData) -> int:
    """Segments (category, region) with ≥ 2 firms that won ≥ 3 of its tenders and half of their bids there."""
    bids = data.bids.merge(data.tenders[["tender_id", "category", "region"]], on="tender_id")
    per = bids.groupby(["category", "region", "firm_id"])["is_winner"].agg(["sum", "size"])
    per = per.loc[(per["sum"] >= 3) & (per["sum"] >= 0.5 * per["size"])]
    return int((per.groupby(level=[0, 1]).size() >= 2).sum())


def _bidders(data: MarketData, tenders: list[str]) -> list[int]:
    return data.bids.loc[data.bids["tender_id"].isin(tenders)].groupby("tender_id").size().tolist()


def test_a_bid_suppression_cartel_is_found_with_its_facts() -> None:
    groups = complementary.complementary_groups(_market())
    assert len(groups) == 1
    row = groups.iloc[0]
    assert row["firms"] == list(MEMBERS)
    assert (row["market"], row["region"]) == ("cleaning", "north")
    assert row["alone"] == row["segment_tenders"] == 24 and row["meetings"] == 0
    # each member present in 6 of 24: q = 4 · 0.25 · 0.75³ of a tender has exactly one of them
    assert row["expected_alone"] == pytest.approx(24 * 0.421875)
    # with each member's 6 tenders placed at random, the four blocks of 6 partition the 24 in
    # 24! / 6!⁴ of the C(24, 6)⁴ placements
    assert row["null"] == "fixed counts"
    assert row["pvalue"] == pytest.approx(math.factorial(24) / math.factorial(6) ** 4 / math.comb(24, 6) ** 4)
    # the segment's candidates are the four members: 6 pairs + 4 triples + 1 quadruple
    assert (row["candidates"], row["segment_groups"]) == (4, 11)
    segments = _candidate_segments(_market())
    assert row["segments"] == segments
    assert row["adjusted"] == pytest.approx(row["pvalue"] * 11 * segments)
    assert row["member_wins"] == 24 and row["wins_by_member"] == {m: 6 for m in MEMBERS}
    assert row["expected_wins"] == pytest.approx(sum(1 / n for n in _bidders(_market(), row["tenders"])))
    assert (row["repeats"], row["expected_repeats"]) == (0, 5.0)  # S1 S2 S3 S4 S1 …: 4 · 6 · 5 / 24
    assert row["clustering_pvalue"] == 1.0
    assert row["shared_rival_bids"] >= 0.5 * row["expected_shared_rival_bids"]


@pytest.mark.parametrize("kind", ["independent", "submarkets", "succession"])
def test_honest_look_alikes_are_not_found(kind: str) -> None:
    """Members who meet as their activity predicts; members of separate sub-markets (own
    rivals); one firm taking over from another every six weeks."""
    assert complementary.complementary_groups(_market(kind)).empty


def test_firms_apart_by_rarity_fail_the_partition_test() -> None:
    """The near-miss of the partition test: S1 and S2 never meet and win all they bid for, but
    they bid so rarely that independent entry gives about as many tenders with one of them."""
    loose = complementary.Params(max_pvalue=1.0, max_clustering_pvalue=-1.0, min_expected_shared=0.0,
                                 min_shared_ratio=0.0)
    tested = complementary.complementary_groups(_market("rare"), loose)
    row = tested.loc[tested["firms"].map(tuple) == ("S1", "S2")].iloc[0]
    # each present in 4 of 24: q = 2 · (1/6) · (5/6) = 0.278, so 6.7 of the 24 expected and 8
    # seen; 8 alone means the two placed their 4 tenders apart, C(20, 4) / C(24, 4) = 0.456
    assert (row["alone"], row["meetings"]) == (8, 0)
    assert row["expected_alone"] == pytest.approx(24 * 10 / 36)
    assert row["pvalue"] == pytest.approx(math.comb(20, 4) / math.comb(24, 4))
    assert row["adjusted"] > 0.01
    assert complementary.complementary_groups(_market("rare")).empty


def test_succession_is_told_from_turns_by_the_tenders_dates() -> None:
    """The near-miss of the runs test: one firm after the other passes the partition test; its
    turns come in blocks (dated by the deadline where the publication is missing), and
    without dates the turns cannot be told from succession, so nothing is reported."""
    loose = complementary.Params(max_clustering_pvalue=-1.0)
    assert complementary.complementary_groups(_market("succession"), loose)["firms"].map(tuple).tolist() == [MEMBERS]
    assert complementary.complementary_groups(_market("succession", dated="deadline_at")).empty
    assert complementary.complementary_groups(_market("succession", dated=None)).empty
    assert complementary.complementary_groups(_market("suppression", dated=None)).empty


def test_a_busy_segment_elsewhere_does_not_hide_the_cartel() -> None:
    """Bonferroni counts the groups of the cartel's own segment, then the segments: 30 winners
    in another segment (10⁹ groups of theirs) leave the cartel's correction as it was."""
    quiet = complementary.complementary_groups(_market()).iloc[0]
    busy = complementary.complementary_groups(_market(busy_elsewhere=30))
    row = busy.loc[busy["market"] == "cleaning"].iloc[0]
    assert row["firms"] == list(MEMBERS)
    assert row["adjusted"] == pytest.approx(quiet["adjusted"] * (quiet["segments"] + 1) / quiet["segments"])


def test_submarkets_pass_the_partition_test_and_fail_only_on_their_rivals() -> None:
    """The near-miss of the shared-rivals rule: without it, hidden product lines would pass."""
    loose = complementary.Params(min_expected_shared=0.0, min_shared_ratio=0.0)
    groups = complementary.complementary_groups(_market("submarkets"), loose)
    assert groups["firms"].map(tuple).tolist() == [MEMBERS]
    assert groups.iloc[0]["shared_rival_bids"] == 0


def test_without_a_region_nothing_is_tested() -> None:
    """Without a region, firms of different places never meet for honest reasons."""
    assert complementary.complementary_groups(_market(region=None)).empty


def test_the_ring_detector_reports_the_cartel_with_a_sentence_and_its_tenders() -> None:
    findings = rings.detect(_market(), seed=0)
    found = [f for f in findings if f.evidence["found_by"].startswith("complementary")]
    assert len(found) == 1
    ring = found[0]
    assert ring.kind == "ring" and set(ring.firms) == set(MEMBERS)
    assert sorted(ring.tenders) == [f"T-S{t + 1:02d}" for t in range(24)]
    comps = ring.evidence["components"]
    assert comps["complementary"]["value"] == 1.0 and comps["member_wins"]["value"] == 1.0
    assert ring.score == pytest.approx(sum(c["contribution"] for c in comps.values()))
    assert ring.evidence["tier"] == "strong"
    assert ring.explanation.startswith(
        "4 firms never bid against each other in the tenders of cleaning in region north: exactly one of "
        "them bid in 24 of its 24 tenders (those 24 between 2023-01-02 and 2023-06-12; entering "
        "independently at their own rates, exactly one would have bid in about 10), the one that bid won "
        "24 of the 24 (about 10 at equal chances; S1 6, S2 6, S3 6, S4 6), their turns came in an order a "
        "random draw gives (the same firm twice in a row 0 times, 5.0 at random), and ")
    assert ring.evidence["turns"]["repeats"] == 0 and ring.evidence["rivals"]["shared"] > 0
    for params in (rings.Params(complementary=False), rings.Params(min_ring_size=5)):
        assert not [f for f in rings.detect(_market(), params, seed=0)
                    if f.evidence["found_by"].startswith("complementary")]


def test_a_cartel_sharing_its_segment_with_honest_tenders_is_not_screened_out() -> None:
    """3 members alone in turn in 24 of a segment's 40 tenders, honest firms in the other 16. Where
    a group does not cover its segment the binomial screen's p-value is larger than the exact one
    (0.018 against 0.0052 after × 4 groups): a screen at the level itself dropped this cartel."""
    rng = np.random.default_rng(0)
    members, rivals = ["S1", "S2", "S3"], [f"R{i:02d}" for i in range(1, 9)]
    tenders, bids, turn = [], [], 0
    for t in range(40):
        tender = f"T{t:02d}"
        tenders.append({"tender_id": tender, "category": "cleaning", "region": "north",
                        "published_at": pd.Timestamp("2023-01-02") + pd.Timedelta(weeks=t)})
        if t % 5 in (1, 2, 4) and turn < 24:
            bids.append((tender, members[turn % 3], 100.0, True))
            bids += [(tender, str(r), 110.0, False) for r in rng.choice(rivals, 2, replace=False)]
            turn += 1
        else:
            honest = [f"H{t:02d}a", f"H{t:02d}b", str(rng.choice(rivals))]
            bids += [(tender, firm, 100.0 + i, i == 0) for i, firm in enumerate(honest)]
    frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount", "is_winner"])
    data = MarketData.build(tenders=pd.DataFrame(tenders), bids=frame.assign(bid_id=[f"B{i}" for i in range(len(frame))]))
    [group] = complementary.complementary_groups(data).itertuples()
    assert group.firms == members and group.alone == 24 and group.null == "fixed counts"
    assert group.adjusted == pytest.approx(0.00523, abs=1e-4)
    binomial = math.exp(complementary._Segment.of(complementary._segments(data, ("category",)), members).row(
        (0, 1, 2))["log_pvalue"]) * 4
    assert binomial > complementary.Params().max_pvalue  # what the screen alone would have said


def test_a_cartel_that_slipped_once_is_still_found_and_told_rarely() -> None:
    """The cartel of :func:`_market` with S1 covering once (a losing bid in T-S02, S2's turn): S1 and
    S2 met in 1 tender, within max_meetings = 1, so they still keep apart; 23 of the 24 have one member."""
    market = _market()
    bids = market.bids
    slip = pd.DataFrame([{"tender_id": "T-S02", "firm_id": "S1", "bid_id": "SLIP", "is_winner": False,
                          "amount": float(bids.loc[bids["tender_id"] == "T-S02", "amount"].max() * 1.05)}])
    data = MarketData.build(tenders=market.tenders, bids=pd.concat([bids, slip], ignore_index=True))
    [row] = complementary.complementary_groups(data).itertuples()
    assert (row.firms, row.alone, row.meetings) == (list(MEMBERS), 23, 1)
    [ring] = [f for f in rings.detect(data, seed=0) if f.evidence["found_by"].startswith("complementary")]
    assert ring.explanation.startswith("4 firms rarely bid against each other (two or more of them in 1 tender) in "
                                       "the tenders of cleaning in region north: exactly one of them bid in 23 of its "
                                       "24 tenders")


def test_a_blank_region_is_no_region() -> None:
    """A region of spaces is as good as none: nothing is tested (near miss: 'north' finds the cartel)."""
    assert complementary.complementary_groups(_market(region="  ")).empty


def test_the_score_components_by_hand() -> None:
    """Adjusted p = Φ(−2.75): z 2.75, presence (2.75 − 1.5) / (4 − 1.5) = 0.5. The member present won
    8 of 10 where equal chances give 2.5: (8 − 2.5) / (10 − 2.5) = 0.733. A and B won 4 each, C none:
    evenness ln 2 / ln 3 = 0.631 over the three members, times the win share 0.8: rotation 0.505."""
    row = pd.Series({"log_adjusted": float(special.log_ndtr(-2.75)), "alone": 10, "member_wins": 8,
                     "expected_wins": 2.5, "wins_by_member": {"A": 4, "B": 4}, "firms": ["A", "B", "C"],
                     "expected_alone": 4.0, "segment_tenders": 12, "meetings": 0, "absent": 2, "null": "fixed counts",
                     "pvalue": 1e-3, "log_pvalue": math.log(1e-3), "candidates": 3, "segment_groups": 4.0,
                     "segments": 1, "adjusted": float(special.ndtr(-2.75)), "rival_bids": 10, "shared_rival_bids": 8,
                     "expected_shared_rival_bids": 8.0, "repeats": 2, "expected_repeats": 3.0,
                     "clustering_pvalue": 0.5})
    comps = complementary.components(row, 0.0, 0, complementary.WEIGHTS)
    assert comps["complementary"]["value"] == pytest.approx(0.5, abs=1e-4)
    assert comps["member_wins"]["value"] == pytest.approx(5.5 / 7.5, abs=1e-4)
    assert comps["rotation"]["value"] == pytest.approx(0.8 * math.log(2) / math.log(3), abs=1e-4)
    assert comps["complementary"]["contribution"] == pytest.approx(27.5, abs=0.01)


def test_the_sentence_says_how_many_members_share_an_identifier() -> None:
    """Two of the four members (S1, S2) share a phone: "2 of them share a phone number held by 2 firms"."""
    market = _market()
    phones = pd.DataFrame({"firm_id": ["S1", "S2"], "kind": "phone", "value": "13800000001", "via": "firm"})
    data = MarketData.build(tenders=market.tenders, bids=market.bids, firm_identifiers=phones)
    [ring] = [f for f in rings.detect(data, seed=0) if f.evidence["found_by"].startswith("complementary")]
    assert ring.explanation.endswith(", and 2 of them share a phone number held by 2 firms.")
