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
