"""Complementary presence (bid suppression): the formulas, one cartel, and its honest look-alikes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from detectors import complementary, rings
from detectors.market import MarketData

MEMBERS = ("S1", "S2", "S3", "S4")
RIVALS = [f"B{i:02d}" for i in range(1, 9)]


def _market(kind: str = "suppression", region: str | None = "north") -> MarketData:
    """24 'cleaning' tenders of one region (T-S01..), one per week of 2023, and honest background.

    ``suppression``: S1 → S2 → S3 → S4 take turns; the one whose turn it is bids alone among
    them and wins, 1–2 rivals from B01..B08 bid 3–15 % above. ``independent``: each member
    bids with probability 0.35 and the cheapest of all wins. ``submarkets``: as suppression,
    but each member meets only its own two rivals (hidden product lines). ``succession``: S1
    bids in the first six weeks' tenders, S2 in the next six, and so on, against rivals of
    the common pool (one firm taking over from another). The background is 80 tenders of
    'roads' in the same region and of 'cleaning' in 'south', 3–4 bidders from B01..B20.
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
        if kind == "independent":
            present = [m for m in MEMBERS if rng.random() < 0.35] or [MEMBERS[t % 4]]
            for firm in [*present, *rng.choice(RIVALS, 2, replace=False)]:
                bids.append((tid, str(firm), price * float(rng.lognormal(0, 0.05))))
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
    frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount"])
    frame["bid_id"] = [f"BID{i}" for i in range(len(frame))]
    frame["is_winner"] = frame.groupby("tender_id")["amount"].rank(method="first") == 1
    return MarketData.build(tenders=pd.DataFrame(tenders), bids=frame)


# -- the formulas, by hand ---------------------------------------------------------------

def test_exactly_one_probability_by_hand() -> None:
    q = complementary.exactly_one_probability(np.array([[0.5, 0.5], [0.25, 0.25], [1.0, 0.0], [1.0, 1.0]]))
    # 2 · 0.5 · 0.5; 2 · 0.25 · 0.75; the first surely, the other never; both always
    np.testing.assert_allclose(q, [0.5, 0.375, 1.0, 0.0])
    four = complementary.exactly_one_probability(np.full((1, 4), 0.25))
    assert four[0] == pytest.approx(4 * 0.25 * 0.75 ** 3)  # 0.421875


def test_binomial_sum_tail_is_the_poisson_binomial_tail() -> None:
    assert complementary.binomial_sum_tail(2, np.array([2]), np.array([0.5])) == pytest.approx(0.25)
    assert complementary.binomial_sum_tail(0, np.array([3]), np.array([0.1])) == 1.0
    trials, probs = np.array([10, 15]), np.array([0.4, 0.7])
    expected = stats.poisson_binom.sf(19, [0.4] * 10 + [0.7] * 15)
    assert complementary.binomial_sum_tail(20, trials, probs) == pytest.approx(expected)


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

def test_a_bid_suppression_cartel_is_found_with_its_facts() -> None:
    groups = complementary.complementary_groups(_market())
    assert len(groups) == 1
    row = groups.iloc[0]
    assert row["firms"] == list(MEMBERS)
    assert (row["market"], row["region"]) == ("cleaning", "north")
    assert row["alone"] == row["segment_tenders"] == 24 and row["meetings"] == 0
    # one year, each member present in 6 of 24: q = 4 · 0.25 · 0.75³ in every tender
    assert row["expected_alone"] == pytest.approx(24 * 0.421875)
    assert row["pvalue"] == pytest.approx(0.421875 ** 24)
    assert row["adjusted"] == pytest.approx(min(1.0, row["pvalue"] * row["tested"]))
    assert row["member_wins"] == 24 and row["wins_by_member"] == {m: 6 for m in MEMBERS}
    assert row["shared_rival_bids"] >= 0.5 * row["expected_shared_rival_bids"] >= 2.5


@pytest.mark.parametrize("kind", ["independent", "submarkets", "succession"])
def test_honest_look_alikes_are_not_found(kind: str) -> None:
    """Members who meet as their activity predicts; members of separate sub-markets (own
    rivals); one firm taking over from another each quarter."""
    assert complementary.complementary_groups(_market(kind)).empty


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
    assert ring.explanation.startswith("4 firms shared out the tenders of cleaning in region north between "
                                       "2023-01-02 and 2023-06-12: exactly one of them bid in 24 of its 24 "
                                       "tenders (they never met;")
    assert "won 24 of those 24" in ring.explanation
    assert not [f for f in rings.detect(_market(), rings.Params(complementary=False), seed=0)
                if f.evidence["found_by"].startswith("complementary")]
