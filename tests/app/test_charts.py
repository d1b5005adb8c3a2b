"""The app's charts show record text as typed: plotly reads <a href>, <b> and <br> in legends,
tick labels and hover text, so names and ids are passed as HTML entities."""

from __future__ import annotations

import pandas as pd

from views.charts import bid_spread_figure, pair_timeline_figure, win_rotation_figure

HOSTILE = "Alpha <a href='https://evil.example'>verify</a> <b>Build</b> & Co"
SHOWN = "Alpha &lt;a href='https://evil.example'&gt;verify&lt;/a&gt; &lt;b&gt;Build&lt;/b&gt; &amp; Co"


def _strings(figure) -> list[str]:
    out: list[str] = []
    for trace in figure.data:
        out.append(str(trace.name))
        for column in ("y", "text", "customdata"):
            values = getattr(trace, column, None)
            if values is not None:
                out.extend(str(v) for v in pd.DataFrame(values).to_numpy().ravel())
    return out


def test_the_bid_chart_notes_the_bids_that_are_not_valid_and_only_those() -> None:
    """The note follows validity, not the status word: a pending bid is valid; a bid of 0 is not."""
    day = pd.Timestamp("2024-01-01")
    bids = pd.DataFrame({"tender_id": ["T1"] * 3, "firm_id": ["F1", "F2", "F3"], "firm_name": ["A", "B", "C"],
                         "is_member": [True] * 3, "is_winner": [True, False, False], "amount": [100.0, 102.0, 0.0],
                         "winning_amount": [100.0] * 3, "pct_above_winner": [0.0, 2.0, -100.0],
                         "published_at": [day] * 3, "status": ["pending", "valid", "valid"],
                         "valid": [True, True, False]})
    notes = [point[4] for trace in bid_spread_figure(bids).data for point in trace.customdata]
    assert notes == ["", "", " · no positive amount: not a valid bid"]


def test_names_and_ids_reach_plotly_as_entities() -> None:
    day = pd.Timestamp("2024-01-01")
    bids = pd.DataFrame({"tender_id": ["T<1>", "T<1>"], "firm_id": ["F1", "F2"], "firm_name": [HOSTILE, "Beta"],
                         "is_member": [True, True], "is_winner": [True, False], "amount": [100.0, 102.0],
                         "winning_amount": [100.0, 100.0], "pct_above_winner": [0.0, 2.0],
                         "published_at": [day, day], "status": ["valid", "<i>withdrawn</i>"],
                         "valid": [True, False]})  # as graph.app_queries.bid_spreads gives it
    rotation = pd.DataFrame({"tender_id": ["T<1>"], "winner": [HOSTILE], "is_member": [True], "published_at": [day]})
    activity = pd.DataFrame({"date": [day, day], "activity": ["inspection", "inspection"],
                             "firm_id": ["F<5>", "F6"], "kind": ["<b>safety</b>", "safety"],
                             "outcome": ["pass", None]})
    figures = [bid_spread_figure(bids), win_rotation_figure(rotation), pair_timeline_figure(activity, "F<5>", HOSTILE)]
    shown = [s for figure in figures for s in _strings(figure)]
    assert not [s for s in shown if "<" in s or ">" in s]
    assert SHOWN in shown  # a legend entry or tick label, as the investigator typed it
    assert "&lt;b&gt;safety&lt;/b&gt;" in shown and "T&lt;1&gt;" in shown
    assert " · &lt;i&gt;withdrawn&lt;/i&gt;: not a valid bid" in shown
    assert len(figures[2].data) == 2  # the pair's firm is still told apart from the others by its id
