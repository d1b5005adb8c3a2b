"""Bid traces: one IP address or document file carried by competing bids in the same tender."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from detectors import bid_traces


def _bids(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["tender_id", "firm_id", "ip"]).assign(document_hash=None)


def test_at_least_two_is_the_hypergeometric_tail() -> None:
    carried_by, sizes = np.array([1, 2, 10, 250, 995]), np.array([1, 2, 3, 6, 40])
    want = stats.hypergeom.sf(1, 1000, carried_by[:, None], sizes[None, :])
    assert bid_traces.at_least_two(1000, carried_by, sizes) == pytest.approx(want, rel=1e-9, abs=1e-15)
    # tiny probabilities keep their digits (1 − P(0) − P(1) would round them to 0)
    assert bid_traces.at_least_two(235_000, np.array([2]), np.array([6]))[0, 0] == pytest.approx(
        stats.hypergeom.sf(1, 235_000, 2, 6), rel=1e-6)
    # a tiny market where one value is on nearly every bid (scipy's path)
    assert bid_traces.at_least_two(4, np.array([3]), np.array([3]))[0, 0] == pytest.approx(1.0)


def test_hand_checked_value_that_met_itself_once() -> None:
    """Six bids, two tenders of three: X is carried by two bids, both in T1.
    P(K ≥ 2) per tender = C(2,2)·C(4,1)/C(6,3) = 4/20, E = 0.4, p = 1 − e^(−0.4)."""
    bids = _bids([("T1", "A", "X"), ("T1", "B", "X"), ("T1", "C", "c"),
                  ("T2", "D", "d"), ("T2", "E", "e"), ("T2", "F", "f")])
    (row,) = bid_traces.same_tender_traces(bids).itertuples(index=False)  # only X is on ≥ 2 bids
    assert (row.kind, row.value, row.uses, row.firms, row.co_tenders) == ("ip", "X", 2, 2, 1)
    assert row.expected == pytest.approx(0.4)
    assert row.pvalue == pytest.approx(1 - math.exp(-0.4))
    assert row.tied_firms == ("A", "B") and row.tenders == ("T1",)


def _market(extra: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    """300 tenders of 4 bids from 150 firms, each bid from its firm's own address, plus ``extra``."""
    rng = np.random.default_rng(5)
    rows = [(f"T{t}", f"F{f}", f"10.0.{f}.1") for t in range(300) for f in rng.choice(150, 4, replace=False)]
    return _bids(rows + extra)


def test_an_organiser_address_in_the_same_tenders_is_flagged_and_a_pool_address_is_not() -> None:
    organiser = [(f"R{t}", f, "9.9.9.9") for t in range(5) for f in ("A", "B", "C")]
    pool = [(f"P{t}", f"G{t}", "7.7.7.7") for t in range(20)] + [("P0", "G99", "7.7.7.7")]  # met itself once
    traces = bid_traces.same_tender_traces(_market(organiser + pool)).set_index("value")
    flagged, near = traces.loc["9.9.9.9"], traces.loc["7.7.7.7"]
    assert flagged["co_tenders"] == 5 and flagged["tied_firms"] == ("A", "B", "C")
    assert flagged["qvalue"] <= 0.05
    assert near["co_tenders"] == 1 and near["tied_firms"] == ("G0", "G99")
    assert near["pvalue"] > 0.05 and near["qvalue"] > 0.05
    # a firm's own address is on all its bids but never twice in one tender: not a trace
    assert (traces.loc[traces.index.str.startswith("10.0."), "co_tenders"] == 0).all()


def test_documents_are_their_own_family_and_blank_values_carry_nothing() -> None:
    bids = _market([]).assign(document_hash=lambda b: [f"h{i}" for i in range(len(b))])
    bids = pd.concat([bids, pd.DataFrame([("S1", "A", " ", "H"), ("S1", "B", None, "H ")],
                                         columns=["tender_id", "firm_id", "ip", "document_hash"])])
    traces = bid_traces.same_tender_traces(bids)
    doc = traces.loc[traces["kind"] == "document"].iloc[0]
    assert (doc["value"], doc["co_tenders"], doc["tied_firms"]) == ("H", 1, ("A", "B"))
    assert doc["qvalue"] == pytest.approx(doc["pvalue"])  # the only shared file: BH over one test
    assert " " not in set(traces["value"]) and "" not in set(traces["value"])


def test_no_identifier_columns_means_no_traces() -> None:
    bids = pd.DataFrame({"tender_id": ["T1", "T1"], "firm_id": ["A", "B"]})
    assert bid_traces.same_tender_traces(bids).empty
    assert list(bid_traces.same_tender_traces(bids).columns) == bid_traces.TRACE_COLUMNS


def test_chance_is_reckoned_within_the_category() -> None:
    """Six of a small trade's twelve firms share their building's line X and bid at random in
    the trade's 60 tenders: X meets itself in 44 of them, what the trade's own bids predict
    (43.5), though far more than the whole market would (8.4)."""
    rng = np.random.default_rng(3)
    rows, tenders = [], []
    for t in range(60):
        rows += [(f"A{t}", f"A{f}", "X" if f < 6 else f"10.1.{f}.1") for f in rng.choice(12, 4, replace=False)]
        tenders.append((f"A{t}", "trade"))
    for t in range(600):
        rows += [(f"B{t}", f"B{f}", f"10.2.{f}.1") for f in rng.choice(200, 4, replace=False)]
        tenders.append((f"B{t}", "other"))
    bids = _bids(rows)
    market_wide = bid_traces.same_tender_traces(bids).set_index("value").loc["X"]
    by_category = bid_traces.same_tender_traces(
        bids, pd.DataFrame(tenders, columns=["tender_id", "category"])).set_index("value").loc["X"]
    assert market_wide["co_tenders"] == by_category["co_tenders"] == 44
    assert market_wide["expected"] == pytest.approx(8.4, abs=0.05) and market_wide["qvalue"] < 1e-10
    assert by_category["expected"] == pytest.approx(43.5, abs=0.1) and by_category["qvalue"] > 0.05


def test_bidders_joins_the_partners_of_a_joint_bid_and_a_firms_own_bids() -> None:
    # T1: J1 by A and B (one row per partner), C's own bid; T2: A's two lot bids, B alone; T3: no bid_id
    bids = pd.DataFrame([("J1", "T1", "A"), ("J1", "T1", "B"), ("K1", "T1", "C"),
                         ("L1", "T2", "A"), ("L2", "T2", "A"), ("K2", "T2", "B"),
                         (None, "T3", "A"), (None, "T3", "B")], columns=["bid_id", "tender_id", "firm_id"])
    label = bid_traces.bidders(bids)
    assert label[0] == label[1] != label[2]                  # partners are one bidder, C another
    assert label[3] == label[4] != label[5]                  # a firm's bids in one tender are one bidder
    assert len({label[0], label[3], label[6], label[7]}) == 4  # no label crosses tenders


def _joint_market(joint: bool) -> pd.DataFrame:
    """:func:`_market` plus A and B bidding from 9.9.9.9 in R0–R2 against C: one consortium bid
    (one row per partner, one bid_id) when ``joint``, else two bids of their own."""
    extra = pd.DataFrame([(f"R{t}", f, "9.9.9.9" if f != "C" else f"8.8.8.{t}", None,
                           f"J{t}" if joint and f != "C" else f"R{t}{f}") for t in range(3) for f in "ABC"],
                         columns=["tender_id", "firm_id", "ip", "document_hash", "bid_id"])
    return pd.concat([_market([]), extra], ignore_index=True)


def test_a_consortium_bid_sent_from_one_address_is_no_trace() -> None:
    joint = bid_traces.same_tender_traces(_joint_market(joint=True)).set_index("value").loc["9.9.9.9"]
    assert (joint["uses"], joint["firms"], joint["co_tenders"]) == (3, 2, 0)  # one bid a tender: never met itself
    # near miss: the same two firms bidding apart from one address in the same three tenders
    apart = bid_traces.same_tender_traces(_joint_market(joint=False)).set_index("value").loc["9.9.9.9"]
    assert (apart["uses"], apart["co_tenders"], apart["tied_firms"]) == (6, 3, ("A", "B"))
    assert apart["qvalue"] <= 0.05


def test_a_document_is_quoted_by_both_ends_of_its_hash() -> None:
    # two files whose hashes share a long prefix (a platform padding them with zeros) read differently
    first, second = "0" * 24 + "303fc19e4a5b6c7d", "0" * 24 + "2c45db04aa11bb22"
    assert bid_traces.shown("document", first) == "hash 00000000…4a5b6c7d"
    assert bid_traces.shown("document", first) != bid_traces.shown("document", second)
    assert bid_traces.shown("document", "d41d8cd9") == "hash d41d8cd9"
    assert bid_traces.shown("ip", "10.0.0.7") == "10.0.0.7"
