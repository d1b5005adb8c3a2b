"""The app's plotly charts, built with graph_objects (plotly.express costs ~0.5 s a figure).

Each function takes a frame from :mod:`graph.app_queries` and returns a figure; they are
cached per input frame so a rerun does not rebuild them.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from views.common import CACHE_TTL_S

# no grey among the members' colours: grey is the outsiders'
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#393b79"]
OUTSIDERS = "#c7c7c7"


def member_colours(names: Any) -> dict[str, str]:
    """One colour per ring member, by the members' sorted names: the same member has the same colour in
    every chart of the ring (the bid chart and the rotation), whoever else bid or won."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(names)))}


def plain(values: Any) -> Any:
    """Record text (names, ids) for plotly, which reads ``<a href>``, ``<b>`` and ``<br>`` in
    legends, tick labels and hover text: ``<``, ``>`` and ``&`` become entities, shown as typed."""
    if isinstance(values, pd.Series):
        return values.map(lambda v: v if pd.isna(v) else html.escape(str(v), quote=False))
    return html.escape(str(values), quote=False)


def _layout(figure: go.Figure, height: int, **axes: str) -> go.Figure:
    figure.update_layout(height=height, margin={"t": 10, "b": 10, "l": 10, "r": 10}, legend_title_text="",
                         xaxis_title=axes.get("x", ""), yaxis_title=axes.get("y", ""))
    return figure


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def bid_spread_figure(bids: pd.DataFrame) -> go.Figure:
    """Every bid of a ring's tenders as % above the winning bid, over time: members coloured, winners as stars.

    Cover bidding shows as losing member bids in a narrow band a few percent above the winner.
    """
    plotted = bids.dropna(subset=["pct_above_winner"])
    plotted = plotted.assign(**{c: plain(plotted[c]) for c in ("firm_name", "tender_id", "firm_id")})
    status = plain(plotted["status"].fillna("valid")) if "status" in plotted else \
        pd.Series("valid", index=plotted.index)
    valid = plotted["valid"].astype(bool) if "valid" in plotted else pd.Series(True, index=plotted.index)
    plotted["note"] = [("" if ok else f" · {s if s != 'valid' else 'no positive amount'}: not a valid bid")
                       for ok, s in zip(valid, status, strict=True)]
    # the bid's currency after its amount where one is recorded (the winning bid is in the tender's too); none assumed
    currency = plotted["currency"] if "currency" in plotted else pd.Series(None, index=plotted.index, dtype=object)
    plotted["unit"] = currency.map(lambda c: f" {plain(c.strip())}" if isinstance(c, str) and c.strip() else "")
    figure = go.Figure()
    colours = member_colours(plain(bids.loc[bids["is_member"].astype(bool), "firm_name"].dropna()))
    groups = [(name, plotted[plotted["is_member"] & (plotted["firm_name"] == name)], colour)
              for name, colour in colours.items()]
    groups.append(("outsiders", plotted[~plotted["is_member"]], OUTSIDERS))
    for name, frame, colour in groups:
        if frame.empty:
            continue
        figure.add_trace(go.Scatter(
            x=frame["published_at"], y=frame["pct_above_winner"], mode="markers", name=name,
            marker={"color": colour, "size": 10, "symbol": ["star" if w else "circle" for w in frame["is_winner"]],
                    "line": {"width": 0.5, "color": "#333"}},
            customdata=frame[["tender_id", "firm_id", "amount", "winning_amount", "note", "unit"]].to_numpy(),
            hovertemplate="%{customdata[0]} · %{customdata[1]}<br>bid %{customdata[2]:,.2f}%{customdata[5]}"
                          " (winner %{customdata[3]:,.2f}%{customdata[5]})<br>%{y:.1f} % above the winning bid"
                          "%{customdata[4]}<extra></extra>",
        ))
    return _layout(figure, 380, x="tender published", y="% above the winning bid (★ winner)")


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def win_rotation_figure(rotation: pd.DataFrame, members: tuple[str, ...] = ()) -> go.Figure:
    """Who won each of a ring's tenders, over time: turn-taking shows as a zig-zag between members.

    ``members``: the names of every member the bid chart shows (those who never won too), so each
    member keeps the colour :func:`bid_spread_figure` gives it (:func:`member_colours`)."""
    rotation = rotation.assign(winner=plain(rotation["winner"]), tender_id=plain(rotation["tender_id"]))
    winners = sorted(rotation["winner"].unique())
    colours = member_colours([*plain(pd.Series(list(members), dtype=object)),
                              *rotation.loc[rotation["is_member"].astype(bool), "winner"]])
    figure = go.Figure(go.Scatter(
        x=rotation["published_at"], y=rotation["winner"], mode="markers+lines",
        line={"color": "#dddddd", "width": 1},
        marker={"size": 12, "symbol": "square",
                "color": [colours[w] if m else OUTSIDERS for w, m in zip(rotation["winner"], rotation["is_member"],
                                                                          strict=True)]},
        text=rotation["tender_id"], hovertemplate="%{text}: %{y}<extra></extra>",
    ))
    figure.update_layout(showlegend=False)
    return _layout(figure, 80 + 40 * max(1, len(winners)), x="tender published")


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def monthly_activity_figure(activity: pd.DataFrame) -> go.Figure:
    """An official's inspections and approvals per month, stacked."""
    dated = activity.dropna(subset=["date"])
    # an evaluation row is one bidding firm of the tender: the tender is the work, counted once
    dated = dated[(dated["activity"] != "evaluation") | ~dated.duplicated(["activity", "activity_id"])]
    monthly = (dated.assign(month=dated["date"].dt.to_period("M").dt.start_time)
               .groupby(["month", "activity"]).size().rename("count").reset_index())
    figure = go.Figure([go.Bar(x=frame["month"], y=frame["count"], name=kind, xperiod="M1",
                               xperiodalignment="middle")
                        for kind, frame in monthly.groupby("activity")])
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="date", tickformat="%b %Y", dtick="M3" if len(monthly["month"].unique()) > 6 else "M1")
    return _layout(figure, 300, x="month", y="activities")


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def pair_timeline_figure(activity: pd.DataFrame, firm_id: str, firm_name: str) -> go.Figure:
    """An official's inspections, approvals and evaluated bids over time, the pair's firm in red, others in grey."""
    dated = activity.dropna(subset=["date"])
    pair = dated["firm_id"] == firm_id
    dated = dated.assign(**{c: plain(dated[c]) for c in ("firm_id", "kind", "outcome")})
    figure = go.Figure()
    for is_pair, label, colour, size in ((False, "other firms", OUTSIDERS, 7), (True, plain(firm_name), "#d62728", 11)):
        frame = dated[pair == is_pair]
        if frame.empty:
            continue
        figure.add_trace(go.Scatter(
            x=frame["date"], y=frame["activity"], mode="markers", name=label,
            marker={"color": colour, "size": size, "opacity": 0.85},
            customdata=frame[["firm_id", "kind", "outcome"]].fillna("").to_numpy(),
            hovertemplate="%{x|%Y-%m-%d} %{y}: %{customdata[0]} %{customdata[1]} → %{customdata[2]}<extra></extra>",
        ))
    return _layout(figure, 260, x="date")
