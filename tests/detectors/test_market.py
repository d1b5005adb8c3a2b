"""MarketData.build conforms frames to the contract."""

from __future__ import annotations

import pandas as pd

from detectors.market import COLUMNS, MarketData


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
