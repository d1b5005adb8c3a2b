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


def test_a_member_has_one_colour_in_the_bid_chart_and_the_rotation() -> None:
    """Colours go by the members' names: an outsider who won (named "Aaa", sorting first) and a member who
    never won shift nothing, and no member gets the outsiders' grey."""
    day = pd.Timestamp("2024-01-01")
    names = {"F1": "Kilo", "F2": "Lima", "F3": "Mike", "F9": "Aaa Outsider"}
    rows = [("T1", "F1", True), ("T1", "F2", False), ("T1", "F3", False), ("T2", "F9", True), ("T2", "F2", False),
            ("T3", "F2", True), ("T3", "F1", False)]
    bids = pd.DataFrame({"tender_id": [t for t, _, _ in rows], "firm_id": [f for _, f, _ in rows],
                         "firm_name": [names[f] for _, f, _ in rows], "is_member": [f != "F9" for _, f, _ in rows],
                         "is_winner": [w for _, _, w in rows], "amount": [100.0] * len(rows),
                         "winning_amount": [100.0] * len(rows), "pct_above_winner": [0.0] * len(rows),
                         "published_at": [day] * len(rows), "status": ["valid"] * len(rows),
                         "valid": [True] * len(rows)})
    in_bids = {trace.name: trace.marker.color for trace in bid_spread_figure(bids).data}
    rotation = pd.DataFrame({"tender_id": ["T1", "T2", "T3"], "winner": ["Kilo", "Aaa Outsider", "Lima"],
                             "is_member": [True, False, True], "published_at": [day] * 3})
    [trace] = win_rotation_figure(rotation, ("Kilo", "Lima", "Mike")).data
    in_rotation = dict(zip(trace.y, trace.marker.color, strict=True))
    assert in_rotation["Kilo"] == in_bids["Kilo"] and in_rotation["Lima"] == in_bids["Lima"]
    assert in_rotation["Aaa Outsider"] == in_bids["outsiders"] == "#c7c7c7"
    assert len({in_bids["Kilo"], in_bids["Lima"], in_bids["Mike"], "#c7c7c7", "#7f7f7f"}) == 5


def test_the_bid_chart_says_amounts_with_separators_and_only_a_recorded_currency() -> None:
    """The hover read "bid 101000" with no currency (an app review); a bid without one gets none made up."""
    day = pd.Timestamp("2024-01-01")
    bids = pd.DataFrame({"tender_id": ["T1"] * 2, "firm_id": ["F1", "F2"], "firm_name": ["A", "B"],
                         "is_member": [True] * 2, "is_winner": [True, False], "amount": [101000.0, 103020.5],
                         "winning_amount": [101000.0] * 2, "pct_above_winner": [0.0, 2.0],
                         "published_at": [day] * 2, "valid": [True, True], "currency": ["CNY", None]})
    figure = bid_spread_figure(bids)
    units = [point[5] for trace in figure.data for point in trace.customdata]
    assert units == [" CNY", ""]
    assert all("%{customdata[2]:,.2f}%{customdata[5]}" in trace.hovertemplate for trace in figure.data)
