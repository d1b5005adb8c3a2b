"""Linked bidders: firms tied by specific identifiers that bid in the same tenders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detectors import linked_bidders
from detectors.market import COLUMNS, MarketData

CENTRE = "1 Business Centre Plaza"


def _market() -> MarketData:
    """F1/F2 share a phone and bid in T1, T2 (F1 wins both); F3/F4 sit in a business
    centre with six other firms and meet in T3; F5/F6 have one owner (P1) but never bid in
    the same tender; F7 bids alone."""
    bids = pd.DataFrame([
        ("T1", "F1", 100.0, True), ("T1", "F2", 103.0, False), ("T1", "F7", 120.0, False),
        ("T2", "F2", 210.0, False), ("T2", "F1", 200.0, True),
        ("T3", "F3", 50.0, True), ("T3", "F4", 55.0, False),
        ("T4", "F5", 70.0, True), ("T4", "F7", 75.0, False),
        ("T5", "F6", 80.0, False), ("T5", "F7", 78.0, True),
    ], columns=["tender_id", "firm_id", "amount", "is_winner"])
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    ids = [("F1", "phone", "13800000001"), ("F2", "phone", "13800000001"),
           ("F5", "person", "P1"), ("F6", "person", "P1"),
           ("F1", "email", "f1@example.cn"), ("F7", "phone", "13800000007")]
    ids += [(f, "address", CENTRE) for f in ("F3", "F4", "C1", "C2", "C3", "C4", "C5", "C6")]
    frame = pd.DataFrame(ids, columns=["firm_id", "kind", "value"]).assign(via="firm")
    tenders = pd.DataFrame({"tender_id": [f"T{i}" for i in range(1, 6)], "category": "roads"})
    return MarketData.build(tenders=tenders, bids=bids, firm_identifiers=frame)


@pytest.fixture(scope="module")
def findings() -> list:
    return linked_bidders.detect(_market())


def test_shared_phone_cobidders_are_flagged(findings: list) -> None:
    assert [f.firms for f in findings] == [("F1", "F2")]
    found = findings[0]
    assert found.kind == "linked_bidders" and found.detector == linked_bidders.NAME
    assert found.tenders == ("T1", "T2")
    assert found.evidence["won_by_linked_firm"] == 2
    assert found.evidence["wins_by_member"] == {"F1": 2}
    ident = found.evidence["identifiers"]
    assert [(i["kind"], i["holders"]) for i in ident] == [("phone", 2)]
    assert ident[0]["weight"] == pytest.approx(0.9)  # idf 1 (two holders) × phone 0.9
    assert found.explanation == ("F1 and F2 share a phone number held by 2 firms yet bid against each other "
                                 "in 2 tenders; F1 won 2 of them.")
    # score = 45·0.9 + 35·(1 − e^(−2/3)) + 20·1·(1 − e^(−2/3))
    volume = 1 - 2.718281828 ** (-2 / 3)
    assert found.score == pytest.approx(45 * 0.9 + 35 * volume + 20 * volume, abs=0.02)


def test_the_period_of_the_shared_tenders_is_stated_when_tenders_are_dated() -> None:
    undated = _market()
    tenders = undated.tenders.assign(published_at=pd.to_datetime(
        ["2023-03-01", "2023-09-15", "2023-01-01", "2023-01-01", "2023-01-01"]))
    data = MarketData.build(**{**vars(undated), "tenders": tenders})
    found = linked_bidders.detect(data)[0]
    assert (found.evidence["first_tender"], found.evidence["last_tender"]) == ("2023-03-01", "2023-09-15")
    assert "bid against each other in 2 tenders between 2023-03-01 and 2023-09-15;" in found.explanation
    assert linked_bidders.detect(undated)[0].evidence["first_tender"] is None


def test_business_centre_address_does_not_link() -> None:
    links = linked_bidders.identifier_links(_market()).set_index(["firm_id", "kind"])
    centre = links.loc[("F3", "address")]
    assert centre["holders"] == 8 and not centre["linking"]
    assert centre["group"] == -1


def test_common_owner_who_never_meets_is_not_flagged(findings: list) -> None:
    links = linked_bidders.identifier_links(_market()).set_index("firm_id")
    assert links.loc["F5", "group"] == links.loc["F6", "group"] >= 0   # linked …
    assert all({"F5", "F6"} - set(f.firms) for f in findings)          # … but never co-bid


def test_threshold_lets_a_small_centre_link() -> None:
    wide = linked_bidders.detect(_market(), linked_bidders.Params(max_holders=10))
    centre = [f for f in wide if set(f.firms) == {"F3", "F4"}]
    assert centre and centre[0].score < wide[0].score
    assert len(centre[0].evidence["linked_group"]) == 8   # the whole centre is context


def test_deterministic(findings: list) -> None:
    assert [f.to_json() for f in linked_bidders.detect(_market(), seed=3)] == [f.to_json() for f in findings]


def test_a_chain_of_identifiers_is_not_told_as_one_shared_by_all() -> None:
    """F1, F2 and F9 used one document hash and F2, F3, F8 share an address; F1, F2, F3 bid
    together (F8 and F9 never meet them): the sentence says who holds the strongest link,
    not that the three share it."""
    bids = pd.DataFrame([(t, f, 100.0 + i, i == 0) for t in ("T1", "T2") for i, f in enumerate(("F1", "F2", "F3"))]
                        + [("T3", "F9", 50.0, True), ("T3", "F8", 60.0, False)],
                        columns=["tender_id", "firm_id", "amount", "is_winner"])
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    ids = [("F1", "document", "h1"), ("F2", "document", "h1"), ("F9", "document", "h1"),
           ("F2", "address", "A"), ("F3", "address", "A"), ("F8", "address", "A")]
    ids += [(f"C{i}", "phone", f"1390000{i:04d}") for i in range(100)]  # a market of firms with own phones
    data = MarketData.build(tenders=pd.DataFrame({"tender_id": ["T1", "T2", "T3"]}), bids=bids,
                            firm_identifiers=pd.DataFrame(ids, columns=["firm_id", "kind", "value"]).assign(via="firm"))
    (found,) = linked_bidders.detect(data)
    assert found.firms == ("F1", "F2", "F3")
    assert [i["kind"] for i in found.evidence["identifiers"]] == ["document", "address"]
    assert found.explanation.startswith(
        "F1, F2 and F3 are tied through 2 specific identifiers, the strongest a document hash held by 2 of them "
        "and 1 other firm, yet bid against each other in 2 tenders")


def _organised_market() -> MarketData:
    """200 tenders of 4 bids from 120 firms, each from its own address; an organiser (O) and
    six members (M1–M6) bid in 8 tenders, every bid sent from O's address; a carrier's pool
    address is on 12 bids of 12 other firms and met itself once (P0)."""
    rng = np.random.default_rng(11)
    rows = [(f"T{t}", f"F{f}", f"10.0.{f}.1") for t in range(200) for f in rng.choice(120, 4, replace=False)]
    ring = ["O", *(f"M{i}" for i in range(1, 7))]
    for t in range(8):
        rows += [(f"R{t}", f, "9.9.9.9") for f in rng.choice(ring, 4, replace=False)]
    rows += [(f"P{t}", f"G{t}", "7.7.7.7") for t in range(11)] + [("P0", "G11", "7.7.7.7")]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id", "ip"])
    bids["bid_id"] = [f"B{i:04d}" for i in range(len(bids))]
    bids["amount"] = 100.0
    bids["is_winner"] = ~bids.duplicated("tender_id")
    held = bids[["firm_id", "ip"]].drop_duplicates().rename(columns={"ip": "value"}).assign(kind="ip")
    return MarketData.build(tenders=pd.DataFrame({"tender_id": bids["tender_id"].unique()}), bids=bids,
                            firm_identifiers=held)  # a firm holds its bids' addresses, as the reader has it


def test_an_address_that_carried_bids_of_seven_firms_in_the_same_tenders_links_them() -> None:
    """Seven holders exceed max_holders, but the address met itself in 8 tenders where chance
    gives under two: the same-tender trace links them; the pool address does not."""
    findings = linked_bidders.detect(_organised_market())
    assert [f.firms for f in findings] == [("M1", "M2", "M3", "M4", "M5", "M6", "O")]
    (ident,) = findings[0].evidence["identifiers"]
    assert (ident["kind"], ident["value"], ident["holders"]) == ("ip", "9.9.9.9", 7)
    assert ident["weight"] == pytest.approx(0.7)  # the full weight of an IP address
    trace = ident["same_tender"]
    assert trace["tenders"] == 8 and trace["expected"] < 2 and trace["qvalue"] <= 0.05
    assert trace["tender_ids"] == [f"R{t}" for t in range(8)]
    assert findings[0].explanation.startswith(
        "7 firms (M1, M2, M3 and 4 more) bid against each other in 8 tenders, and in every one bids of two or more "
        "of them were sent from one IP address (9.9.9.9; chance alone, from how often it is used, would give ")
    # near miss: without the trace test the address is only common (held by 7 > 5 firms)
    links = linked_bidders.identifier_links(_organised_market(), traces=pd.DataFrame(
        columns=["kind", "value", "tied_firms"])).set_index(["firm_id", "kind"])
    assert not links.loc[("O", "ip"), "linking"].any()
    pool = linked_bidders.identifier_links(_organised_market()).set_index("value").loc["7.7.7.7"]
    assert not pool["linking"].any() and not pool["traced"].any()


def test_the_sentence_says_who_of_the_linked_firms_won() -> None:
    won = linked_bidders._won
    assert won("A and B met", 5, pd.Series({"F2": 3, "F1": 1})) == \
        "A and B met; linked firms won 4 of them, F2 the most (3)."
    assert won("A and B met", 5, pd.Series({"F2": 3})) == "A and B met; F2 won 3 of them."
    assert won("A and B met", 1, pd.Series({"F2": 1})) == "A and B met; a linked firm won it (F2)."
    assert won("A and B met", 5, pd.Series(dtype=int)) == "A and B met; none of them won."


def test_two_or_three_firms_are_named_where_the_records_name_them() -> None:
    market = _market()
    named = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                                "firms": pd.DataFrame({"firm_id": ["F1", "F2"], "name": ["Alpha Build", " "]})})
    [found] = linked_bidders.detect(named)
    assert found.explanation == ("Alpha Build (F1) and F2 share a phone number held by 2 firms yet bid against "
                                 "each other in 2 tenders; Alpha Build (F1) won 2 of them.")


def _joint_market(joint: bool) -> MarketData:
    """60 tenders of 4 bids from 40 firms, each from its own address; in T00–T02 A and B bid from
    one address (9.9.9.9) at 95, as one consortium bid (one row per partner, one bid_id) when
    ``joint``, else as two bids of their own. A and B hold the address, as the reader has it."""
    rng = np.random.default_rng(2)
    rows = [(f"B{t}-{f}", f"T{t:02d}", f"F{f}", f"10.0.{f}.1", float(rng.uniform(90, 130)))
            for t in range(60) for f in rng.choice(40, 4, replace=False)]
    rows += [(f"J{t}" if joint else f"J{t}{f}", f"T{t:02d}", f, "9.9.9.9", 95.0) for t in range(3) for f in "AB"]
    bids = pd.DataFrame(rows, columns=["bid_id", "tender_id", "firm_id", "ip", "amount"])
    bids["is_winner"] = bids["amount"] == bids.groupby("tender_id")["amount"].transform("min")
    held = pd.DataFrame([("A", "ip", "9.9.9.9"), ("B", "ip", "9.9.9.9")], columns=["firm_id", "kind", "value"])
    tenders = pd.DataFrame({"tender_id": sorted(bids["tender_id"].unique()), "category": "works"})
    return MarketData.build(tenders=tenders, bids=bids, firm_identifiers=held)


def test_the_partners_of_one_consortium_bid_do_not_bid_against_each_other() -> None:
    assert linked_bidders.detect(_joint_market(joint=True)) == []
    # near miss: the same firms bidding apart, from one address, in the same three tenders
    [found] = linked_bidders.detect(_joint_market(joint=False))
    assert found.firms == ("A", "B") and found.tenders == ("T00", "T01", "T02")
    assert found.explanation.startswith("A and B bid against each other in 3 tenders, and in every one their bids "
                                        "were sent from one IP address (9.9.9.9;")


def _lot_market(lot_winners: tuple[str, ...]) -> MarketData:
    """:func:`_market` with T1 a tender of lots: F7 (an outsider, listed first) and ``lot_winners`` win lots."""
    market = _market()
    bids = market.bids.copy()
    t1 = bids["tender_id"] == "T1"
    bids.loc[t1, "is_winner"] = bids.loc[t1, "firm_id"].isin({"F7", *lot_winners})
    bids = pd.concat([bids.loc[t1 & (bids["firm_id"] == "F7")], bids.drop(bids.index[t1 & (bids["firm_id"] == "F7")])])
    return MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS}, "bids": bids})


def test_a_linked_firm_that_won_a_lot_won_the_tender() -> None:
    # F1 won a lot of T1 beside the outsider F7, and T2
    [found] = linked_bidders.detect(_lot_market(("F1",)))
    assert found.evidence["won_by_linked_firm"] == 2 and found.evidence["wins_by_member"] == {"F1": 2}
    assert found.evidence["tenders"][0]["winner"] == "F1"
    assert found.explanation.endswith("; F1 won 2 of them.")
    # F1 and F2 both won lots of T1: two tenders won, each linked firm's wins counted
    [both] = linked_bidders.detect(_lot_market(("F1", "F2")))
    assert both.evidence["won_by_linked_firm"] == 2 and both.evidence["wins_by_member"] == {"F1": 2, "F2": 1}
    assert both.explanation.endswith("; linked firms won 2 of them, F1 the most (2).")
    # near miss: only the outsider won T1
    [outsider] = linked_bidders.detect(_lot_market(()))
    assert outsider.evidence["won_by_linked_firm"] == 1 and outsider.evidence["tenders"][0]["winner"] == "F7"



def _identifier_market(ids: list[tuple[str, str, str]], pairs: list[tuple[str, str]]) -> MarketData:
    """Firms holding ``ids``; each pair in ``pairs`` bids in a tender of its own (T1, T2, …), the first wins."""
    rows = [(f"T{t + 1}", f, 100.0 + i, i == 0) for t, pair in enumerate(pairs) for i, f in enumerate(pair)]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount", "is_winner"])
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    return MarketData.build(tenders=pd.DataFrame({"tender_id": bids["tender_id"].unique()}), bids=bids,
                            firm_identifiers=pd.DataFrame(ids, columns=["firm_id", "kind", "value"]).assign(via="firm"))


def test_a_widely_held_identifier_weighs_less_and_identifiers_combine_by_noisy_or() -> None:
    """N = 32 firms with identifiers: F1..F4 share an address, F1 and F2 also a phone, C1..C28
    have phones of their own. The address (n = 4): 0.6 · ln(32/4)/ln(32/2) · 2/4 = 0.6 · 3/4 ·
    1/2 = 0.225; the phone (n = 2): 0.9 · 1 · 1 = 0.9. F1 and F2 bid in T1: their strength
    is 1 − (1 − 0.9)(1 − 0.225) = 1 − 0.1 · 0.775 = 0.9225 (not max 0.9, not the sum 1.125)."""
    ids = [(f, "address", "7 Side Street") for f in ("F1", "F2", "F3", "F4")]
    ids += [("F1", "phone", "13800000001"), ("F2", "phone", "13800000001")]
    ids += [(f"C{i}", "phone", f"1390000{i:04d}") for i in range(1, 29)]
    data = _identifier_market(ids, [("F1", "F2")])
    links = linked_bidders.identifier_links(data).set_index(["firm_id", "kind"])
    assert links.loc[("F3", "address"), "holders"] == 4
    assert links.loc[("F3", "address"), "weight"] == pytest.approx(0.6 * 0.75 * 0.5)
    assert links.loc[("F1", "phone"), "weight"] == pytest.approx(0.9)
    [found] = linked_bidders.detect(data)
    assert found.firms == ("F1", "F2")
    assert [(i["kind"], i["weight"]) for i in found.evidence["identifiers"]] == [("phone", 0.9), ("address", 0.225)]
    assert found.evidence["identifier_strength"] == pytest.approx(0.9225)
    assert found.evidence["components"]["identifiers"]["contribution"] == pytest.approx(45 * 0.9225, abs=0.01)


def test_an_identifier_held_by_max_holders_firms_links_and_one_more_does_not() -> None:
    """max_holders = 5: an address of F1..F5 links F1 and F2, who bid in T1; an address of
    G1..G6 (6 > 5, no same-tender trace: the bids carry no IP or document) does not link G1
    and G2, who bid in T2."""
    ids = [(f"F{i}", "address", "5 Small Court") for i in range(1, 6)]
    ids += [(f"G{i}", "address", "6 Large Court") for i in range(1, 7)]
    data = _identifier_market(ids, [("F1", "F2"), ("G1", "G2")])
    links = linked_bidders.identifier_links(data).set_index("value")
    assert (links.loc["5 Small Court", "holders"] == 5).all() and links.loc["5 Small Court", "linking"].all()
    assert (links.loc["6 Large Court", "holders"] == 6).all() and not links.loc["6 Large Court", "linking"].any()
    assert [f.firms for f in linked_bidders.detect(data)] == [("F1", "F2")]


def test_four_linked_firms_are_all_named() -> None:
    linking = pd.DataFrame([{"kind": "phone", "value": "13800000000", "holders": 4,
                             "firms": ["F1", "F2", "F3", "F4"], "weight": 1.0}])
    text = linked_bidders._explain(["F1", "F2", "F3", "F4"], linking, 5, pd.Series(dtype=float),
                                   {"first_tender": None, "last_tender": None, "dated_tenders": 0}, [],
                                   names={"F4": "Delta Build (F4)"})
    assert text.startswith("4 firms (F1, F2, F3, Delta Build (F4)) share ")


def test_an_identifier_held_by_one_firm_links_nobody() -> None:
    """F7's phone and F1's e-mail are held by one firm each: they do not link, so F7 (bidding
    beside F1 and F2 in T1) belongs to no group, while F1 is grouped through the shared phone."""
    links = linked_bidders.identifier_links(_market()).set_index(["firm_id", "kind"])
    assert links.loc[("F7", "phone"), "holders"] == 1 and not links.loc[("F7", "phone"), "linking"]
    assert links.loc[("F7", "phone"), "group"] == -1
    assert not links.loc[("F1", "email"), "linking"] and links.loc[("F1", "email"), "group"] >= 0


@pytest.mark.parametrize(("kind", "weight"), [("person", 1.0), ("document", 1.0), ("phone", 0.9), ("email", 0.9),
                                              ("ip", 0.7), ("address", 0.6), ("bank_account", 0.5)])
def test_each_identifier_kind_weighs_as_documented(kind: str, weight: float) -> None:
    """F1 and F2 share one identifier of ``kind``; C1 has a phone of its own (N = 3, n = 2: the
    IDF factor ln(3/2)/ln(3/2) and the pair specificity 2/2 are both 1), so the link weighs
    the kind's weight; a kind without one (a bank account) weighs 0.5."""
    data = _identifier_market([("F1", kind, "X1"), ("F2", kind, "X1"), ("C1", "phone", "13900000001")],
                              [("F1", "F2")])
    [found] = linked_bidders.detect(data)
    assert [(i["kind"], i["weight"]) for i in found.evidence["identifiers"]] == [(kind, weight)]


def test_a_market_of_two_firms_gives_their_shared_phone_its_full_weight() -> None:
    """Only F1 and F2 have identifiers (N = 2, where ln(N/n)/ln(N/2) is 0/0): N is floored at 3, so
    the phone weighs 0.9 and the score is 45·0.9 + (35 + 20)·(1 − e^(−1/3)) for one shared tender F1 won."""
    data = _identifier_market([("F1", "phone", "13800000001"), ("F2", "phone", "13800000001")], [("F1", "F2")])
    [found] = linked_bidders.detect(data)
    assert found.evidence["identifier_strength"] == pytest.approx(0.9)
    assert found.score == pytest.approx(45 * 0.9 + 55 * (1 - np.exp(-1 / 3)), abs=0.01)


def test_min_cobid_tenders_drops_a_pair_that_met_too_rarely() -> None:
    """F1 and F2 met in 2 tenders: reported at min_cobid_tenders = 2, not at 3."""
    assert [f.firms for f in linked_bidders.detect(_market(), linked_bidders.Params(min_cobid_tenders=2))] == \
        [("F1", "F2")]
    assert linked_bidders.detect(_market(), linked_bidders.Params(min_cobid_tenders=3)) == []


def test_the_win_component_is_the_share_of_shared_tenders_a_linked_firm_won() -> None:
    """F1 and F2 met in T1 (won by the outsider F7 alone) and T2 (won by F1): won share 1/2, so the
    win component is 1/2 · (1 − e^(−2/3)) and contributes 20 times that."""
    [found] = linked_bidders.detect(_lot_market(()))
    wins = found.evidence["components"]["wins"]
    volume = 1 - np.exp(-2 / 3)
    assert wins["facts"]["won_share"] == pytest.approx(0.5)
    assert wins["value"] == pytest.approx(0.5 * volume, abs=1e-4)
    assert wins["contribution"] == pytest.approx(20 * 0.5 * volume, abs=0.01)


def test_a_group_is_large_only_above_max_group_size() -> None:
    """F1 and F2 are two firms: not large at max_group_size = 2, large at 1."""
    [at] = linked_bidders.detect(_market(), linked_bidders.Params(max_group_size=2))
    [above] = linked_bidders.detect(_market(), linked_bidders.Params(max_group_size=1))
    assert at.evidence["large_group"] is False and above.evidence["large_group"] is True


def test_a_common_identifier_is_listed_only_when_two_named_firms_hold_it() -> None:
    """F1 and F2 share a phone and bid in T1. Both also sit in a business centre of 8 firms (common,
    listed as ignored); F1 alone sits in a second centre of 7 firms: it ties F1 to nobody named, so
    it is not listed."""
    ids = [("F1", "phone", "13800000001"), ("F2", "phone", "13800000001")]
    ids += [(f, "address", CENTRE) for f in ("F1", "F2", "C1", "C2", "C3", "C4", "C5", "C6")]
    ids += [(f, "address", "2 Other Plaza") for f in ("F1", "D1", "D2", "D3", "D4", "D5", "D6")]
    [found] = linked_bidders.detect(_identifier_market(ids, [("F1", "F2")]))
    assert found.evidence["common_identifiers_ignored"] == [
        {"kind": "address", "value": CENTRE, "holders": 8, "members": ["F1", "F2"]}]


def test_the_firms_a_trace_ties_carry_its_full_weight_and_a_mere_holder_is_not_traced() -> None:
    """:func:`_joint_market` (A and B bid apart from 9.9.9.9 in T00–T02, a same-tender trace) with C
    also listing 9.9.9.9 but never bidding from it: A and B are traced, C is not; C's own link
    weighs ln(3/3)/ln(3/2)·… = 0 (the three firms with identifiers all hold it), yet the
    address counts for the finding at the full 0.7 of an IP address."""
    market = _joint_market(joint=False)
    held = pd.concat([market.firm_identifiers, pd.DataFrame([("C", "ip", "9.9.9.9")],
                                                            columns=["firm_id", "kind", "value"])], ignore_index=True)
    data = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS}, "firm_identifiers": held})
    links = linked_bidders.identifier_links(data).set_index("firm_id")
    assert links.loc[["A", "B"], "traced"].all() and not links.loc["C", "traced"]
    assert links.loc["C", "weight"] == pytest.approx(0.0)
    [found] = linked_bidders.detect(data)
    assert found.firms == ("A", "B")
    assert [(i["value"], i["weight"]) for i in found.evidence["identifiers"]] == [("9.9.9.9", 0.7)]


def test_max_findings_and_max_listed_tenders_cap_what_is_reported() -> None:
    """At max_holders = 10 there are two findings (F1/F2 and the centre's F3/F4): max_findings = 1
    keeps the higher; max_listed_tenders = 1 lists T1 of F1/F2's two tenders, still counting 2."""
    assert [f.firms for f in linked_bidders.detect(_market(), linked_bidders.Params(max_holders=10))] == \
        [("F1", "F2"), ("F3", "F4")]
    assert [f.firms for f in linked_bidders.detect(_market(), linked_bidders.Params(max_holders=10,
                                                                                     max_findings=1))] == [("F1", "F2")]
    [found] = linked_bidders.detect(_market(), linked_bidders.Params(max_listed_tenders=1))
    assert [t["tender_id"] for t in found.evidence["tenders"]] == ["T1"] and found.evidence["cobid_tenders"] == 2


def test_a_chain_whose_strongest_link_only_the_named_firms_hold_mentions_no_outsider() -> None:
    """F1 and F2 share a document hash, F2 and F3 an address, nobody else holds either; the three bid
    in T1 and T2: the document is held by 2 of them and by no other firm."""
    ids = [("F1", "document", "h1"), ("F2", "document", "h1"), ("F2", "address", "A"), ("F3", "address", "A")]
    ids += [(f"C{i}", "phone", f"1390000{i:04d}") for i in range(20)]
    [found] = linked_bidders.detect(_identifier_market(ids, [("F1", "F2", "F3"), ("F1", "F2", "F3")]))
    assert found.explanation.startswith("F1, F2 and F3 are tied through 2 specific identifiers, the strongest a "
                                        "document hash held by 2 of them, yet bid against each other in 2 tenders")


def test_a_pair_sharing_two_identifiers_is_told_the_second_one() -> None:
    """F1 and F2 share a phone and an address (C1, C2 hold phones of their own): the sentence names
    the stronger phone and says there is 1 other specific identifier."""
    ids = [("F1", "phone", "13800000001"), ("F2", "phone", "13800000001"), ("F1", "address", "Z"),
           ("F2", "address", "Z"), ("C1", "phone", "13900000001"), ("C2", "phone", "13900000002")]
    [found] = linked_bidders.detect(_identifier_market(ids, [("F1", "F2")]))
    assert found.explanation.startswith("F1 and F2 share a phone number held by 2 firms and 1 other specific "
                                        "identifier yet bid against each other in 1 tender")


def test_a_traced_pair_that_also_shares_a_phone_is_told_so() -> None:
    """A and B bid from one IP address in T00–T02 (:func:`_joint_market`) and also share a phone:
    the trace is said first, then that they share 1 other specific identifier."""
    market = _joint_market(joint=False)
    held = pd.concat([market.firm_identifiers, pd.DataFrame([("A", "phone", "1380"), ("B", "phone", "1380")],
                                                            columns=["firm_id", "kind", "value"])], ignore_index=True)
    [found] = linked_bidders.detect(MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                                                        "firm_identifiers": held}))
    assert "; they also share 1 other specific identifier;" in found.explanation


def test_the_bidders_of_a_listed_tender_count_a_consortium_once() -> None:
    """T1 of :func:`_market` gets a consortium bid of X and Y (one bid_id, one row per partner):
    T1 has 4 bidders (F1, F2, F7, X+Y), not 5 rows."""
    market = _market()
    joint = pd.DataFrame([("T1", "X", 130.0, False, "BJ"), ("T1", "Y", 130.0, False, "BJ")],
                         columns=["tender_id", "firm_id", "amount", "is_winner", "bid_id"])
    data = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                               "bids": pd.concat([market.bids, joint], ignore_index=True)})
    [found] = linked_bidders.detect(data)
    assert [(t["tender_id"], t["bidders"]) for t in found.evidence["tenders"]] == [("T1", 4), ("T2", 2)]


def test_a_group_member_who_shares_nothing_with_the_firms_it_met_is_not_named() -> None:
    """A–B share a phone, B–C an address, C–D an e-mail: one group. A, B and D bid in T1, where only
    A and B share an identifier directly: the finding names A and B; D (tied to them only through
    C, who did not bid) is context in the linked group."""
    ids = [("A", "phone", "1380"), ("B", "phone", "1380"), ("B", "address", "Z"), ("C", "address", "Z"),
           ("C", "email", "c@x.cn"), ("D", "email", "c@x.cn")]
    ids += [(f"E{i}", "phone", f"1390000{i:04d}") for i in range(10)]
    [found] = linked_bidders.detect(_identifier_market(ids, [("A", "B", "D")]))
    assert found.firms == ("A", "B")
    assert found.evidence["linked_group"] == ["A", "B", "C", "D"]
    assert found.evidence["tenders"][0]["linked_bidders"] == ["A", "B"]


def test_firms_a_component_joins_only_through_a_chain_are_reported_apart() -> None:
    """A and B share an owner and meet in T1–T3; C and D share an IP address (held by five firms) and meet in T4
    and T5; E holds B's phone and that IP but bids nowhere, so one component holds all five. The demo's top
    finding was 13 such firms, 9 of them strangers, lent the owner's strength (an app review): two findings."""
    bids = pd.DataFrame([
        ("T1", "A", 100.0, True), ("T1", "B", 103.0, False), ("T2", "A", 200.0, False), ("T2", "B", 198.0, True),
        ("T3", "A", 300.0, True), ("T3", "B", 309.0, False),
        ("T4", "C", 50.0, True), ("T4", "D", 52.0, False), ("T5", "C", 60.0, False), ("T5", "D", 58.0, True),
    ], columns=["tender_id", "firm_id", "amount", "is_winner"])
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    ids = [("A", "person", "P1"), ("B", "person", "P1"), ("B", "phone", "0931"), ("E", "phone", "0931")]
    ids += [(f, "ip", "10.0.0.5") for f in ("C", "D", "E", "X1", "X2")]
    ids += [(f, "email", f"{f.lower()}@example.cn") for f in ("X3", "X4", "X5", "X6", "X7", "X8")]  # more firms
    frame = pd.DataFrame(ids, columns=["firm_id", "kind", "value"]).assign(via="firm")
    tenders = pd.DataFrame({"tender_id": [f"T{i}" for i in range(1, 6)], "category": "roads"})
    data = MarketData.build(tenders=tenders, bids=bids, firm_identifiers=frame)
    links = linked_bidders.identifier_links(data).set_index("firm_id")
    assert links.loc["A", "group"].max() == links.loc["C", "group"].max() >= 0  # one component
    found = {f.firms: f for f in linked_bidders.detect(data)}
    assert set(found) == {("A", "B"), ("C", "D")}
    assert found[("A", "B")].tenders == ("T1", "T2", "T3") and found[("C", "D")].tenders == ("T4", "T5")
    assert [i["kind"] for i in found[("A", "B")].evidence["identifiers"]] == ["person"]  # not the IP's too
    assert [i["kind"] for i in found[("C", "D")].evidence["identifiers"]] == ["ip"]
    assert found[("A", "B")].evidence["linked_group"] == ["A", "B", "C", "D", "E", "X1", "X2"]  # the component
    assert found[("C", "D")].score < found[("A", "B")].score  # a five-holder IP is weaker than an owner
    # near-miss: a firm that met in those tenders and holds both joins them into one group
    both = MarketData.build(tenders=tenders, bids=pd.concat([bids, pd.DataFrame(
        [("T4", "B", 51.0, False, "B99")], columns=["tender_id", "firm_id", "amount", "is_winner", "bid_id"])]),
        firm_identifiers=pd.concat([frame.loc[~frame["firm_id"].eq("X2")], pd.DataFrame(  # the IP keeps 5 holders
            [("B", "ip", "10.0.0.5", "firm")], columns=["firm_id", "kind", "value", "via"])]))
    assert [f.firms for f in linked_bidders.detect(both)] == [("A", "B", "C", "D")]
