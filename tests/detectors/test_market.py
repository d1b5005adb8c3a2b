"""MarketData.build conforms frames to the contract."""

from __future__ import annotations

import pandas as pd

from detectors.finding import Finding, at_tenders, tenders_counted
from detectors.market import COLUMNS, MarketData, with_lot_units


def test_build_conforms_columns_types_and_booleans() -> None:
    bids = pd.DataFrame({
        "bid_id": ["B1", "B2", "B3", "B4"], "tender_id": ["T1"] * 4, "firm_id": [1, "F2", "F3", "F4"],
        "amount": ["100.5", 99, None, "x"], "disqualified": ["false", "true", None, 1],
        "submitted_at": ["2024-01-02", "2024-01-03T10:00:00+08:00", None, "bad"],
    })
    data = MarketData.build(bids=bids, tenders=pd.DataFrame({"tender_id": ["T1"], "winner_firm_id": ["F2"]}))
    assert list(data.bids.columns) == COLUMNS["bids"]
    assert data.bids["disqualified"].tolist() == [False, True, False, True]
    assert data.bids["amount"].tolist()[:2] == [100.5, 99.0]
    assert pd.isna(data.bids["amount"].iloc[3])
    assert data.bids["firm_id"].tolist()[0] == "1"
    assert data.firms.empty and list(data.firms.columns) == COLUMNS["firms"]
    winners = data.with_winners().bids.set_index("bid_id")["is_winner"]
    assert winners.to_dict() == {"B1": False, "B2": True, "B3": False, "B4": False}


def test_build_reads_instants_by_their_own_offset_whatever_the_row_order() -> None:
    """Dates, offsets and offset-less clock times each convert on their own (see naive_utc)."""
    values = ["2024-01-03T10:00:00+08:00", "2024-01-02", "2024-01-03T10:00:00", "bad", None,
              "2024-01-03T10:00:00+01:00[Europe/Paris]"]
    expected = [pd.Timestamp("2024-01-03 02:00"), pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03 10:00"),
                pd.NaT, pd.NaT, pd.Timestamp("2024-01-03 09:00")]
    for order in (slice(None), slice(None, None, -1)):
        bids = pd.DataFrame({"bid_id": [f"B{i}" for i in range(6)][order], "submitted_at": values[order]})
        got = MarketData.build(bids=bids).bids.set_index("bid_id")["submitted_at"]
        assert str(got.dtype) == "datetime64[ns]"
        for i, want in enumerate(expected):
            assert (pd.isna(got[f"B{i}"]) and pd.isna(want)) or got[f"B{i}"] == want, (order, i, got[f"B{i}"])


def test_naive_utc_agrees_with_pandas_value_by_value() -> None:
    """The Arrow fast path and the pandas path give what pandas' ISO 8601 parser gives for each
    value on its own (offset-less values read as UTC, dates as midnight, a space between date and
    time as the T: ``2024-01-05 08:00:00`` was NaT)."""
    import numpy as np

    from detectors.market import naive_utc

    rng = np.random.default_rng(5)
    shapes = ["{d}T{t}Z", "{d}T{t}+08:00", "{d}T{t}-05:30", "{d}T{t}+0100", "{d}T{t}+03", "{d}T{t}",
              "{d}", "{d}T{t}.250Z", "{d}T{t}.5+02:00", "{d}T{h}:{m}Z", "{d}T{t}+01:00[Europe/Paris]",
              "{d}T{t}+25:00", "{d}T24:00:00Z", "{d} {t}", "not a date"]
    values = []
    for _ in range(3000):
        year, month, day = int(rng.integers(1990, 2031)), int(rng.integers(1, 13)), int(rng.integers(1, 32))
        h, m, sec = int(rng.integers(0, 24)), int(rng.integers(0, 60)), int(rng.integers(0, 60))
        values.append(shapes[int(rng.integers(len(shapes)))].format(
            d=f"{year:04d}-{month:02d}-{day:02d}", t=f"{h:02d}:{m:02d}:{sec:02d}", h=f"{h:02d}", m=f"{m:02d}"))
    values += [None, "2024-02-30T10:00:00Z", "2024-02-29T10:00:00+08:00", "2023-02-29T10:00:00Z"]

    def one(value: str | None) -> pd.Timestamp:
        if value is None:
            return pd.NaT
        text = value.split("[")[0]
        if len(text) > 11 and text[10] == " " and text[11:13].isdigit():  # "2024-01-05 08:00:00": a date-time
            text = text[:10] + "T" + text[11:]
        if "T" not in text:
            text += "T00:00:00Z"
        elif not any(z in text.split("T", 1)[1] for z in ("Z", "+", "-")):
            text += "Z"
        parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        return pd.NaT if pd.isna(parsed) else parsed.tz_localize(None)

    got = naive_utc(pd.Series(values, dtype=object))
    assert str(got.dtype) == "datetime64[ns]"
    for value, have in zip(values, got, strict=True):
        want = one(value)
        assert (pd.isna(have) and pd.isna(want)) or have == want, (value, have, want)


def test_a_tender_is_dated_by_publication_and_its_committee_by_the_deadline() -> None:
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3", "T4"],
                            "published_at": ["2024-01-02", None, "2024-03-01", None],
                            "deadline_at": ["2024-01-20", "2024-02-15", None, None]})
    data = MarketData.build(tenders=tenders)
    days = {t: d.date().isoformat() for t, d in data.tender_days().items()}
    committee = {t: d.date().isoformat() for t, d in data.evaluation_days().items()}
    assert days == {"T1": "2024-01-02", "T2": "2024-02-15", "T3": "2024-03-01"}
    assert committee == {"T1": "2024-01-20", "T2": "2024-02-15", "T3": "2024-03-01"}


def test_winners_fill_in_when_a_tender_row_repeats() -> None:
    tenders = pd.DataFrame({"tender_id": ["T1", "T1"], "winner_firm_id": ["A", "A"]})
    bids = pd.DataFrame({"tender_id": ["T1", "T1"], "firm_id": ["A", "B"], "amount": [1.0, 2.0],
                         "is_winner": [False, False]})
    filled = MarketData.build(tenders=tenders, bids=bids).with_winners()
    assert list(filled.bids["is_winner"]) == [True, False]


def test_bids_ip_and_documents_tie_firms_as_the_graph_reader_does() -> None:
    """A market built by hand from bid rows gets the firm_identifiers rows that graph.readers adds:
    X is sent from by F1 and F2 (" X " is the same value), D1 by F2 and F3; Y and D2 are one firm's
    own, and a trace already given is not repeated."""
    bids = pd.DataFrame({"bid_id": ["B1", "B2", "B3", "B4", "B5"], "tender_id": ["T1", "T1", "T2", "T2", "T3"],
                         "firm_id": ["F1", "F2", "F1", "F3", "F3"], "amount": [1.0, 2.0, 1.0, 2.0, 3.0],
                         "ip": ["X", " X ", "Y", "", None], "document_hash": [None, "d1", "d2", "d1", "d2x"]})
    given = pd.DataFrame({"firm_id": ["F1"], "kind": ["ip"], "value": ["X"], "via": [None]})
    ids = MarketData.build(bids=bids, firm_identifiers=given).firm_identifiers
    got = sorted(map(tuple, ids[["firm_id", "kind", "value"]].values.tolist()))
    assert got == [("F1", "ip", "X"), ("F2", "document", "d1"), ("F2", "ip", "X"), ("F3", "document", "d1")]
    # near miss: no value shared between firms adds nothing
    alone = MarketData.build(bids=bids.assign(ip=["X", "Z", "Y", None, None], document_hash=None))
    assert alone.firm_identifiers.empty


def _lot_market() -> tuple[MarketData, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """T1 has two lots: the roof (L1: F1 100, F2 105; awarded to F1's bid B1) and the gutters (L2: F1 50,
    F3 60; awarded by lot to F3). T2's bids name its one lot only. As a whole T1 has two winners,
    F1 and F3, and F1's gutters bid reads as won."""
    tenders = pd.DataFrame({"tender_id": ["T1", "T2"], "title": ["Roof works", "Paint"], "category": ["works", "works"],
                            "budget": [1000.0, 50.0], "currency": ["EUR", "EUR"], "department_id": ["D1", "D1"],
                            "published_at": ["2024-01-01", "2024-02-01"]})
    bids = pd.DataFrame({"bid_id": ["B1", "B2", "B3", "B4", "B5", "B6"], "tender_id": ["T1", "T1", "T1", "T1", "T2", "T2"],
                         "firm_id": ["F1", "F2", "F1", "F3", "F1", "F2"], "amount": [100.0, 105.0, 50.0, 60.0, 9.0, 10.0],
                         "is_winner": [True, False, True, True, True, False]})
    bid_lots = pd.DataFrame({"bid_id": ["B1", "B2", "B3", "B4", "B5", "B6"],
                             "lots": [["T1/L1"], ["T1/L1"], ["T1/L2"], ["T1/L2"], ["T2/L1"], ["T2/L1"]]})
    lots = pd.DataFrame({"lot_id": ["T1/L1", "T1/L2", "T2/L1"], "tender_id": ["T1", "T1", "T2"],
                         "title": ["Roof", "Gutters", None], "value": [600.0, None, 50.0], "currency": ["EUR", None, None]})
    awards = pd.DataFrame({"tender_id": ["T1", "T1", "T2"], "status": ["active", "active", "active"],
                           "suppliers": [["F1"], ["F3"], ["F1"]], "related_bids": [["B1"], [], []],
                           "lots": [["T1/L1"], ["T1/L2"], []]})
    return MarketData.build(tenders=tenders, bids=bids), bid_lots, lots, awards


def test_a_tender_whose_bids_compete_lot_by_lot_is_a_tender_per_lot() -> None:
    data, bid_lots, lots, awards = _lot_market()
    units = with_lot_units(data, bid_lots, lots, awards)
    bids = units.bids.set_index("bid_id")
    assert bids["tender_id"].to_dict() == {"B1": "T1/L1", "B2": "T1/L1", "B3": "T1/L2", "B4": "T1/L2",
                                           "B5": "T2", "B6": "T2"}  # T2's bids name one lot: one competition
    assert bids["is_winner"].to_dict() == {"B1": True, "B2": False, "B3": False, "B4": True, "B5": True, "B6": False}
    rows = units.tenders.set_index("tender_id")
    assert rows.loc["T1/L1", ["lot_of", "title", "budget", "category", "department_id"]].tolist() == [
        "T1", "Roof works — Roof", 600.0, "works", "D1"]
    assert pd.isna(rows.loc["T1/L2", "budget"]) and rows.loc["T1/L2", "currency"] == "EUR"  # the lot has no value
    assert str(rows.loc["T1/L1", "published_at"].date()) == "2024-01-01"
    assert units.lot_parents() == {"T1/L1": "T1", "T1/L2": "T1"}
    # near miss: without lot-level awards the winners stay as they were
    kept = with_lot_units(data, bid_lots, lots, awards.assign(related_bids=[[], [], []], lots=[[], [], []]))
    assert kept.bids.set_index("bid_id")["is_winner"].to_dict()["B3"] is True
    # and a market whose bids name no lots is the market as it was
    assert with_lot_units(data, bid_lots.assign(lots=[[]] * 6), lots, awards) is data


def test_findings_about_lots_are_about_their_tenders() -> None:
    lot_of = {"T1/L1": "T1", "T1/L2": "T1"}
    ring = Finding(detector="rings", kind="ring", score=40.0, explanation="x", firms=("F1", "F2"),
                   tenders=("T1/L1", "T1/L2", "T2"))
    low = Finding(detector="tender_risk", kind="tender", score=50.0, explanation="Tender T1/L1 …", tender_id="T1/L1")
    high = Finding(detector="tender_risk", kind="tender", score=70.0, explanation="Tender T1/L2 …", tender_id="T1/L2")
    plain = Finding(detector="tender_risk", kind="tender", score=30.0, explanation="Tender T2 …", tender_id="T2")
    got = at_tenders([ring, low, high, plain], lot_of)
    assert [(f.kind, f.tenders, f.tender_id, f.score) for f in got] == [
        ("ring", ("T1", "T2"), None, 40.0), ("tender", (), "T1", 70.0), ("tender", (), "T2", 30.0)]
    assert got[1].evidence == {"lot_id": "T1/L2"} and got[1].explanation == "Tender T1/L2 …"
    assert at_tenders([ring], {}) == [ring]
    assert tenders_counted(["T1/L1", "T1/L2", "T2"], lot_of) == "3 lots and tenders (2 tenders)"
    assert tenders_counted(["T1", "T2"], lot_of) == "2 tenders"
