"""Tender risk: how much a single tender's bids look like cover bidding, against its market.

Method
------
For every tender with at least ``min_bids`` valid bids the price screens of
:mod:`detectors.screens` are ranked within the tender's category, among its tenders with as
many valid bids (2, 3, 4, 5, 6 or more; the whole category where fewer than
``min_category_tenders`` have as many, the whole market for a smaller category), against the
category's tenders where no detected ring bid (a cartel holding much of its category would
otherwise be its own baseline). Ranked together, honest two-bid tenders filled the most
suspicious ranks: on an unseen bid table their mean screen risk was 0.62 against 0.42 for
seven or more bids, 0.48–0.53 ranked by band. Each screen gives a
*suspicion percentile* in [0, 1] — the share of the category's tenders that look less
suspicious: a lower coefficient of variation, a tighter spread and a larger relative
distance between the winner and the cover bids (Imhof, Karagök & Rutz 2018; Huber &
Imhof 2019), and — for a tender with a budget — a lowest bid nearer the budget
(``b_1 / budget``; a cartel's point is a higher price, OECD 2009; Ishii 2009). The screen
risk is the mean of the percentiles the tender has (≈ 0.5 for a typical competitive
tender). Measured (tender ROC-AUC in memory, three screens → four, rings reading the same
four): demo seeds 1–3 0.895/0.904/0.899 → 0.907/0.905/0.906, ``benchmarks/foreign_markets.py``
seeds 1–3 0.925/0.932/0.931 → 0.960/0.962/0.961 (markets as drawn before their honest decoys
were added; now 0.960/0.953/0.955 with complementary rings), Tsuchiura with its reserve prices 0.617 →
0.618 (0.610 → 0.611 through Neo4j).

A tender of a detected ring (one where ≥ 2 members bid; for a complementary ring, one where
a member bid alone, :mod:`detectors.complementary`) is raised by the ring's
score ``s`` with a noisy-or, when the ring scores at least ``min_ring_score`` — the ring
detector's strong tier (``rings.Params.strong_score``); a weaker ring is what chance alone
produces on null markets::

    score = 100 · (1 − (1 − screen_risk) · (1 − ring_weight · s / 100))

so a tender with ordinary screens but a strong ring present still stands out, and a
tender with both stands out most. A tender where bids of two or more firms carried one IP
address or document file that met itself in its tenders beyond chance (a significant
same-tender trace, :mod:`detectors.bid_traces`) is raised once more, by ``trace_weight``
with the same noisy-or: one hand behind competing bids is the plainest sign there is
(OECD 2009; the PRC Bidding Law regulation, art. 40, deems such bids collusive). So is a tender
where a ring's members' bids stood at equal steps, when the ring's regular differences are
proven (:func:`detectors.rings.steps_proven`: at least three stepped tenders, Bonferroni-adjusted
p ≤ 0.01 over the candidate rings; :mod:`detectors.bid_steps`; art. 40(4) deems such bids
collusive too). Only
tenders scoring at least ``min_score`` become findings; :func:`tender_risk_scores` returns
every scored tender (for ROC curves).

**Not a lowest-price market.** The screens assume the lowest bid wins. In a category whose
lowest valid bid won less than half of the way from what a draw among the bidders gives it to
always (:func:`detectors.screens.award_rules`: an average-bid or benchmark-price rule, 基准价法, or a
price-and-quality score) the tenders are not ranked: their screen risk is the neutral 0.5, so
only a ring or a same-tender trace (or a ring's bids at equal steps) raises them, and the
sentence says why, with the winning bid's rank among the bids and its share of the budget (what
was paid). On an unseen market with five benchmark-price categories the screens had ranked their
rigged tenders *below* the honest ones (``benchmarks/benchmark_price_markets.py``, seeds 1 and 2):
tender ROC-AUC in those categories 0.524 / 0.481 → 0.948 / 0.948, the market's 0.579 / 0.539 →
0.891 / 0.871 with the stepped tenders, tender findings 70 (45 rigged) / 49 (26) → 143 (140) /
140 (138).

Rings: ``detect(data, params, seed, rings=None)`` computes them with
:func:`detectors.rings.detect` (same ``seed``) unless ring findings are passed in —
the job runner passes the ring detector's findings to avoid running it twice; set
``Params.use_rings = False`` for screens only (rings passed in are then ignored too).

References
----------
Imhof, D., Karagök, Y., & Rutz, S. (2018). Screening for bid rigging — does it work?
J. Competition Law & Economics 14(2), 235–261. Huber, M., & Imhof, D. (2019). Machine
learning with screens for detecting bid-rigging cartels. IJIO 65, 277–301.
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from detectors import bid_steps, bid_traces
from detectors import rings as rings_detector
from detectors.finding import Finding, counted, joined, labels, listed, ordinal
from detectors.market import MarketData
from detectors.screens import (
    LOWEST_WINS_MIN,
    NO_CATEGORY,
    NOT_LOWEST_PRICE_CAUSES,
    RISK_SCREENS,
    TOP_BAND,
    award_groups,
    band_medians,
    beyond_draw_told,
    category_baselines,
    joint_awards,
    market_award_rules,
    not_lowest_price,
    suspicion,
    tender_screens,
    uncategorised_market,
    valid_bids,
    with_budget_ratio,
)

__all__ = ["NAME", "Params", "detect", "tender_risk_scores"]

NAME = "tender_risk"


@dataclass(frozen=True)
class Params:
    """Settings of the tender-risk detector (defaults in brackets).

    min_bids [3]: tenders with fewer valid bids are not scored (RD needs 3).
    min_category_tenders [20]: smaller categories are ranked against the whole market.
    ring_weight [0.8]: how far a ring of score 100 raises a tender (noisy-or).
    min_ring_score [20.0, the ring detector's ``strong_score``]: rings scoring below this
        raise no tender (the null-market floor of the ring detector: its weak tier).
        Measured (tender ROC-AUC, all rings → rings ≥ 20): Ohio milk 0.518 → 0.563,
        Tsuchiura 0.597 → 0.610, foreign markets seeds 1–3 +0.006–0.008.
    baseline_without_rings [True]: rank each tender's screens against the tenders of its
        category where no such ring bid, so a cartel holding much of a category does not
        set its own baseline (foreign markets seeds 1–3: 0.903/0.883/0.895 →
        0.929/0.924/0.921; Ohio 0.563 → 0.564; Tsuchiura unchanged at 0.610).
    trace_weight [0.8]: how far a significant same-tender trace in the tender raises it
        (noisy-or, like a ring of score 100).
    use_rings [True]: raise the tenders of rings — computed when none are passed in; False:
        screens (and traces) only, rings passed in are ignored.
    min_score [90.0]: findings are emitted from this score up. A typical competitive
        tender scores about 50; 90 means the tender is, on average over CV, spread and
        RD, more cover-bid-like than 90 % of its category (or sits in a strong ring).
    max_findings [2000]: cap, highest scores first.
    """

    min_bids: int = 3
    min_category_tenders: int = 20
    ring_weight: float = 0.8
    min_ring_score: float = rings_detector.Params.strong_score
    baseline_without_rings: bool = True
    trace_weight: float = 0.8
    use_rings: bool = True
    min_score: float = 90.0
    max_findings: int = 2000


def _ring_by_tender(rings: list[Finding] | None, min_score: float) -> pd.DataFrame:
    rows = [(t, f.score, ",".join(f.firms)) for f in rings or [] if f.score >= min_score for t in f.tenders]
    frame = pd.DataFrame(rows, columns=["tender_id", "ring_score", "ring_firms"])
    if frame.empty:
        return frame.set_index("tender_id")
    frame = frame.sort_values(["tender_id", "ring_score"], ascending=[True, False])
    return frame.drop_duplicates("tender_id").set_index("tender_id")


def _stepped_by_tender(rings: list[Finding] | None, min_score: float) -> dict[str, dict[str, Any]]:
    """tender_id → the stepped bids of a ring above ``min_score`` whose regular differences are
    proven (:func:`detectors.rings.steps_proven`: in full, not a weak share of the price points): the
    members by amount, the step, and the ring's score, stepped tenders, tenders where ≥ 3 members
    bid and the number chance gives; the highest-scoring ring's where several."""
    out: dict[str, dict[str, Any]] = {}
    for ring in sorted(rings or [], key=lambda f: -f.score):
        facts = ring.evidence.get("components", {}).get("price", {}).get("facts", {})
        if ring.score < min_score or not rings_detector.steps_proven(facts):
            continue
        for stepped in facts.get("stepped", []):
            out.setdefault(stepped["tender_id"], {
                **stepped, "ring_score": ring.score, "ring_stepped": facts["stepped_tenders"],
                "ring_tenders_with_three_members": facts["tenders_with_three_members"],
                "ring_expected": facts["stepped_expected"]})
    return out


def _traces_by_tender(data: MarketData) -> dict[str, list[Any]]:
    """tender_id → the significant same-tender traces (rows of :mod:`detectors.bid_traces`) met there."""
    out: dict[str, list[Any]] = {}
    for trace in bid_traces.market_traces(data).itertuples(index=False):
        for tender in trace.tenders:
            out.setdefault(tender, []).append(trace)
    return out


def _reference(screens: pd.DataFrame, ring: pd.DataFrame, params: Params) -> set[str] | None:
    """The tenders the screens are ranked against: those where no ring above the floor bid.

    None (every tender) when ``baseline_without_rings`` is off, no ring counts, or fewer than
    ``min_category_tenders`` tenders would be left in the whole market.
    """
    if not params.baseline_without_rings or ring.empty:
        return None
    reference = set(screens["tender_id"]) - set(ring.index)
    return reference if len(reference) >= params.min_category_tenders else None


def tender_risk_scores(data: MarketData, rings: list[Finding] | None = None,
                       params: Params | None = None, screens: pd.DataFrame | None = None) -> pd.DataFrame:
    """Risk score of every tender with at least ``min_bids`` valid bids.

    ``screens`` is ``tender_screens(data.bids, min_bids=params.min_bids)`` when the caller
    has it already (computed here otherwise; the budget ratio is added when missing);
    ``rings`` raise their tenders unless ``params.use_rings`` is False.

    Returns
    -------
    DataFrame
        ``tender_id, category, score`` (0–100), ``screen_risk`` (0–1), ``ring_score``
        (0–100, 0 without a ring), ``ring_firms``, ``ring_raised`` (the score before a trace),
        ``lowest_price`` (False: the category is not awarded to the lowest bid, its screens are not
        ranked and ``screen_risk`` is 0.5, :func:`detectors.screens.award_rules`),
        ``traced`` (a significant same-tender trace was met there, or ``stepped``: a ring's members' bids
        stood at equal steps there, :func:`_stepped_by_tender`), the percentiles ``p_cv,
        p_spread, p_rd, p_budget_ratio``, the bid-count ``band`` they were ranked in
        (:func:`detectors.screens.category_percentiles`; 0: among the whole category) and the raw screens ``n_bids, cv, spread, diff_pct,
        rd, budget_ratio``; sorted by tender_id.
    """
    params = params or Params()
    if screens is None:
        screens = tender_screens(data.bids, min_bids=params.min_bids)
    stepped_at = _stepped_by_tender(rings if params.use_rings else None, params.min_ring_score)
    return _scored(data, rings, params, screens, _traces_by_tender(data), _rules(data, params), stepped_at)[0]


def _rules(data: MarketData, params: Params) -> pd.DataFrame:
    """:func:`detectors.screens.award_rules` of the market's categories (shared with the rings)."""
    return market_award_rules(data, params.min_category_tenders)


def _scored(data: MarketData, rings: list[Finding] | None, params: Params, screens: pd.DataFrame,
            traces_at: dict[str, list[Any]], rules: pd.DataFrame,
            stepped_at: dict[str, dict[str, Any]]) -> tuple[pd.DataFrame, set[str] | None]:
    """:func:`tender_risk_scores` and the reference tenders it ranked against (:func:`_reference`);
    ``traces_at`` is :func:`_traces_by_tender`, ``rules`` :func:`_rules`, ``stepped_at``
    :func:`_stepped_by_tender`."""
    if "budget_ratio" not in screens:
        screens = with_budget_ratio(screens, data.tenders)
    ring = _ring_by_tender(rings if params.use_rings else None, params.min_ring_score)
    unread = not_lowest_price(rules, data.tenders)
    reference = _reference(screens.loc[~screens["tender_id"].isin(unread)], ring, params)
    pct = suspicion(screens, data.tenders, params.min_category_tenders, reference=reference, unread=unread)
    # a tender of a category not awarded to the lowest bid is not read by the screens: neutral
    pct["lowest_price"] = ~pct["tender_id"].isin(unread)
    pct["risk"] = pct["risk"].where(pct["lowest_price"], 0.5)
    out = pct.rename(columns={"risk": "screen_risk"}).merge(
        screens[["tender_id", "n_bids", "cv", "spread", "diff_pct", "rd", "budget_ratio"]], on="tender_id")
    out["ring_score"] = out["tender_id"].map(ring["ring_score"]).fillna(0.0) if len(ring) else 0.0
    out["ring_firms"] = out["tender_id"].map(ring["ring_firms"]) if len(ring) else None
    with_ring = 1.0 - (1.0 - out["screen_risk"]) * (1.0 - params.ring_weight * out["ring_score"] / 100.0)
    out["stepped"] = out["tender_id"].isin(set(stepped_at))
    out["traced"] = out["tender_id"].isin(set(traces_at)) | out["stepped"]
    raised = 1.0 - (1.0 - with_ring) * (1.0 - params.trace_weight * out["traced"])
    out["ring_raised"] = np.clip(100.0 * with_ring, 0.0, 100.0)
    out["score"] = np.clip(100.0 * raised, 0.0, 100.0)
    columns = ["tender_id", "category", "score", "screen_risk", "ring_score", "ring_firms", "ring_raised",
               "traced", "stepped", "lowest_price", "p_cv", "p_spread", "p_rd", "p_budget_ratio", "band", "n_bids", "cv", "spread", "diff_pct",
               "rd", "budget_ratio"]
    return out[columns].sort_values("tender_id").reset_index(drop=True), reference


def detect(data: MarketData, params: Params | None = None, seed: int = 0,
           rings: list[Finding] | None = None, rings_params: rings_detector.Params | None = None) -> list[Finding]:
    """Tenders whose bids look rigged (score ≥ ``min_score``), highest first.

    Parameters
    ----------
    data : MarketData
    params : Params, optional
    seed : int, default 0
        Passed to the ring detector when rings are computed here.
    rings : list of Finding, optional
        Ring findings to use instead of running :func:`detectors.rings.detect` (ignored when
        ``params.use_rings`` is False).
    rings_params : detectors.rings.Params, optional
        The ring detector's settings when the rings are computed here.
    """
    params = params or Params()
    if rings is None and params.use_rings:
        rings = rings_detector.detect(data, params=rings_params, seed=seed)
    screens = with_budget_ratio(tender_screens(data.bids, min_bids=params.min_bids), data.tenders)
    traces_at = _traces_by_tender(data)
    rules = _rules(data, params)
    stepped_at = _stepped_by_tender(rings if params.use_rings else None, params.min_ring_score)
    scores, reference = _scored(data, rings, params, screens, traces_at, rules, stepped_at)
    # the medians quoted beside a tender are of the tenders it was ranked against: its category's
    # with as many valid bids where it was ranked within its bid-count band, else its category's
    # (or the market's); the evidence keeps the whole category's beside the band's
    compared = screens if reference is None else screens.loc[screens["tender_id"].isin(reference)]
    compared = compared.loc[compared["tender_id"].isin(set(scores.loc[scores["lowest_price"], "tender_id"]))]
    columns = ("cv", "spread", "diff_pct", "rd", "budget_ratio")
    baselines = _baseline_table(category_baselines(compared, data.tenders, params.min_category_tenders,
                                                   columns=columns))
    in_band = band_medians(compared, data.tenders, columns=columns)
    whole = uncategorised_market(category for category, _ in baselines)
    flagged = scores.loc[scores["score"] >= params.min_score]
    flagged = flagged.sort_values(["score", "tender_id"], ascending=[False, True]).head(params.max_findings)
    in_flagged = data.bids.loc[data.bids["tender_id"].isin(set(flagged["tender_id"])), ["tender_id", "firm_id"]]
    bidders_of = {t: set(g) for t, g in in_flagged.groupby("tender_id")["firm_id"]}
    paid = _winning_bids(data, set(flagged.loc[~flagged["lowest_price"], "tender_id"]))
    group_of = award_groups(data.tenders)["group"]
    names = labels(data.firms, "firm_id")
    findings = []
    for row in flagged.itertuples(index=False):
        ring_members = sorted(set(row.ring_firms.split(",")) & bidders_of.get(row.tender_id, set())) \
            if isinstance(row.ring_firms, str) else []
        base = {s: _base(baselines, row.category, s, whole) for s in RISK_SCREENS}
        band = {s: in_band.get((str(row.category), int(row.band), s)) for s in RISK_SCREENS} if row.band else {}
        traces = [_trace_here(t, row.tender_id) for t in traces_at.get(row.tender_id, [])]
        rule = _award_rule(rules, group_of.get(row.tender_id, str(row.category)), row, paid)
        evidence: dict[str, Any] = {
            "category": row.category, "n_bids": int(row.n_bids),
            "band": int(row.band),  # the bid-count band its percentiles were ranked in (0: the whole category)
            "screens": {"cv": row.cv, "spread": row.spread, "diff_pct": row.diff_pct, "rd": row.rd,
                        "budget_ratio": row.budget_ratio},
            "category_median": {s: b["median"] for s, b in base.items()},
            "band_median": band or None,  # of the category's tenders with as many valid bids (quoted)
            "baseline_from_whole_market": any(b["fallback"] for screen, b in base.items()
                                              if pd.notna(getattr(row, f"p_{screen}", None))),
            "baseline_without_ring_tenders": reference is not None,
            "suspicion_percentiles": {"cv": row.p_cv, "spread": row.p_spread, "rd": row.p_rd,
                                      "budget_ratio": row.p_budget_ratio},
            "screen_risk": row.screen_risk,
            "award_rule": rule,  # whether the screens were read: the category's lowest bid usually wins
            "ring": {"score": row.ring_score,
                     "firms": row.ring_firms.split(",") if isinstance(row.ring_firms, str) else [],
                     "members_bidding": ring_members},
            "same_tender": traces,
            "stepped_bids": stepped_at.get(row.tender_id),  # a ring's bids at equal steps here
            "components": {
                "screens": {"value": round(float(row.screen_risk), 4),
                            "contribution": round(100.0 * float(row.screen_risk), 2)},
                "ring": {"value": round(float(row.ring_score) / 100.0, 4), "weight": params.ring_weight,
                         "contribution": round(float(row.ring_raised) - 100.0 * float(row.screen_risk), 2)},
                "same_tender_trace": {"value": float(bool(row.traced)), "weight": params.trace_weight,
                                      "contribution": round(float(row.score) - float(row.ring_raised), 2)},
            },
            "thresholds": {"min_score": params.min_score, "min_bids": params.min_bids,
                           "trace_alpha": bid_traces.ALPHA},
        }
        findings.append(Finding(detector=NAME, kind="tender", score=round(float(row.score), 2),
                                explanation=_explain(row, _quoted(base, band), ring_members, reference is not None,
                                                     traces, rule, stepped_at.get(row.tender_id), names),
                                evidence=evidence,
                                tender_id=row.tender_id))
    return findings


def _winning_bids(data: MarketData, tenders: set[str]) -> pd.DataFrame:
    """For each of ``tenders`` with a winning valid bid: ``rank`` (1 + the valid bids below it; its
    lowest winning bid where lots have several) and ``budget_ratio`` (its amount over a positive
    budget), by tender_id."""
    if not tenders:
        return pd.DataFrame({"rank": pd.Series(dtype=int), "budget_ratio": pd.Series(dtype=float)})
    bids = data.with_winners().bids
    bids = joint_awards(bids.loc[bids["tender_id"].isin(tenders)])
    valid = valid_bids(bids, also=("is_winner", "currency") if "currency" in bids else ("is_winner",))
    winning = valid.loc[valid["is_winner"].fillna(False).astype(bool)].sort_values("amount", kind="mergesort")
    winning = winning.drop_duplicates("tender_id").set_index("tender_id")
    won = winning["amount"]
    below = valid.assign(win=valid["tender_id"].map(won)).query("amount < win").groupby("tender_id").size()
    # the budget ratio of the winning bid, as with_budget_ratio's of the lowest: a positive budget in
    # the bid's currency (either unnamed)
    screens = pd.DataFrame({"tender_id": won.index, "b1": won.to_numpy()})
    if "currency" in winning:
        screens["currency"] = winning["currency"].to_numpy()
    ratio = with_budget_ratio(screens, data.tenders).set_index("tender_id")["budget_ratio"]
    return pd.DataFrame({"rank": below.reindex(won.index, fill_value=0) + 1, "budget_ratio": ratio})


def _award_rule(rules: pd.DataFrame, group: str, row: Any, paid: pd.DataFrame) -> dict[str, Any]:
    """The evidence of :func:`detectors.screens.award_rules` for the tender's ``group`` (its category,
    and its declared award criteria: :func:`detectors.screens.award_groups`), and — where its screens
    were not read — the winning bid's ``winner_rank`` and ``winning_budget_ratio``."""
    if group not in rules.index:
        return {"lowest_price": True, "category_share_lowest_won": None}
    rule = rules.loc[group]
    def share(value: Any) -> float | None:
        return None if value != value else round(float(value), 4)

    out: dict[str, Any] = {"lowest_price": bool(row.lowest_price),
                           # as the record words it; the shares below are of the category's tenders
                           # with the same declared criteria (all of them where none are declared)
                           "award_criteria": rule["criteria"],
                           "category_share_lowest_won": share(rule["share"]),
                           "awarded": int(rule["awarded"]), "lowest_won": int(rule["lowest_won"]),
                           # what a draw among each tender's bidders gives the lowest, and the share beyond it
                           "drawn": round(float(rule["drawn"]), 2), "category_beyond_draw": share(rule["beyond"]),
                           "market_share_lowest_won": share(rule["market_share"]),
                           "market_share_drawn": share(rule["market_drawn"]),
                           "market_beyond_draw": share(rule["market_beyond"]),
                           # a category with too few awards is read with the market: its tenders declaring the
                           # same criteria where those have enough awards, else all (screens.award_rules)
                           "with_market": bool(rule["fallback"]),
                           "market_of_same_criteria": bool(rule["market_criteria"]),
                           "lowest_wins_min": LOWEST_WINS_MIN}
    if not row.lowest_price and row.tender_id in paid.index:
        won = paid.loc[row.tender_id]
        out["winner_rank"] = int(won["rank"])
        out["winning_budget_ratio"] = None if won["budget_ratio"] != won["budget_ratio"] else round(float(won["budget_ratio"]), 4)
    return out


def _trace_here(trace: Any, tender_id: str) -> dict[str, Any]:
    """A trace met in ``tender_id``: the value, the firms whose bids carried it there, and its
    market facts (tenders where it met itself, the number chance gives, q-value)."""
    return {"kind": trace.kind, "value": trace.value, "firms": list(trace.carriers[tender_id]),
            "tenders": int(trace.co_tenders), "expected": round(float(trace.expected), 4),
            "qvalue": float(trace.qvalue)}


def _baseline_table(baselines: pd.DataFrame) -> dict[tuple[str, str], tuple[float, bool]]:
    """(category, screen) → (median, fallback) of :func:`detectors.screens.category_baselines`."""
    return {key: (float(median), bool(fallback))
            for key, median, fallback in zip(baselines.index, baselines["median"], baselines["fallback"], strict=True)}


def _base(baselines: dict[tuple[str, str], tuple[float, bool]], category: str, screen: str,
          uncategorised: bool) -> dict[str, Any]:
    """The baseline a tender's screen was ranked against: ``median``, ``fallback`` (the whole
    market's: a small category, or a market whose tenders have no category at all, ``uncategorised``)
    and ``uncategorised`` (the tenders without a category, in a market where others have one)."""
    key = (category, screen) if (category, screen) in baselines else ("*", screen)
    if key not in baselines:
        return {"median": None, "fallback": True, "uncategorised": False}
    median, fallback = baselines[key]
    whole = key[0] == "*" or uncategorised
    return {"median": median, "fallback": fallback or whole, "uncategorised": key[0] == NO_CATEGORY and not whole}


def _quoted(base: dict[str, dict[str, Any]], band: dict[str, float | None]) -> dict[str, dict[str, Any]]:
    """The baselines a sentence quotes: the band's median where the tender was ranked within its
    bid-count band (``banded``), the category's (or market's) otherwise."""
    return {s: {**b, "median": band[s], "banded": True} if band.get(s) is not None else b
            for s, b in base.items()}


def _of(base: dict[str, Any]) -> str:
    """Whose median or tenders a baseline is: ``market``, ``category`` or ``uncategorised``."""
    return "market" if base["fallback"] else "uncategorised" if base["uncategorised"] else "category"


#: a baseline's tenders, by :func:`_of`
TENDERS_OF = {"market": "the market's tenders", "category": "the category's tenders",
              "uncategorised": "the tenders without a category"}


def _screened(row: Any, base: dict[str, dict[str, Any]], without_rings: bool) -> str:
    """The screens part of :func:`_explain`: the facts against their medians, and the mean percentile."""
    def median(screen: str) -> str:  # "category median 0.074", or "median 0.045" for the band's
        return ("" if base[screen].get("banded") else f"{_of(base[screen])} ") + "median"

    facts = []
    if row.cv == row.cv and base["cv"]["median"] is not None:
        facts.append(f"coefficient of variation {row.cv:.3f} ({median('cv')} {base['cv']['median']:.3f})")
    if row.rd == row.rd and base["rd"]["median"] is not None:
        # said with what it measures: the number alone (91.92 where two covers sat 610 apart) means nothing
        rd_median = f"{median('rd')} {base['rd']['median']:.2f}"
        facts.append(f"identical bids above the lowest, so an infinite relative distance ({rd_median})" if np.isinf(row.rd)
                     else f"relative distance {row.rd:.2f} (the lowest bid's lead over the next, in standard "
                          f"deviations of the bids above it; {rd_median})")
    if row.budget_ratio == row.budget_ratio and base["budget_ratio"]["median"] is not None:
        facts.append(f"the lowest at {100 * row.budget_ratio:.1f} % of the budget ({median('budget_ratio')} "
                     f"{100 * base['budget_ratio']['median']:.1f} %)")
    band = int(getattr(row, "band", 0) or 0)
    alike = ("" if not band else f" with {band} or more valid bids" if band == TOP_BAND
             else f" with {band} valid bids")
    against = _of(base["cv"])
    compared = TENDERS_OF[against] + (" and" if alike and against == "uncategorised" else "") + alike + \
        (" where no suspected ring bid" if without_rings else "")
    # the band's medians are told whose they are once, after the facts, and the ranking is "among them"
    banded = any(b.get("banded") for b in base.values())
    text = (counted(int(row.n_bids), "valid bid") + (": " + joined(facts) if facts else "")
            + (f", the medians of {compared}" if banded and facts else "") + ". ")
    if banded and facts:
        compared = "them"
    named = {"cv": "CV", "spread": "spread", "rd": "relative distance", "budget_ratio": "price to budget"}
    # the percentiles the mean is over: a screen undefined for this tender (RD of identical bids) is not
    over = joined([word for screen, word in named.items() if pd.notna(getattr(row, f"p_{screen}", None))])
    # a mean of percentile ranks, said as one: at most the 99th (the tender is among the tenders it
    # is ranked against, so it never outranks all of them)
    text += (f"On average over {over}, it ranks at the {ordinal(min(99, round(100 * row.screen_risk)))} "
             f"percentile for looking like cover bidding among {compared}")
    return text


def _not_read(row: Any, rule: dict[str, Any]) -> str:
    """The sentence of a tender whose category is not awarded to the lowest bid: what won, and why
    its bids are not read as cover bids (":func:`detectors.screens.award_rules`")."""
    won = ""
    if "winner_rank" in rule:
        ratio = rule.get("winning_budget_ratio")
        won = (f"; the winning bid was the {'lowest' if rule['winner_rank'] == 1 else ordinal(rule['winner_rank']) + ' lowest'}"
               + (f", at {100 * ratio:.1f} % of the budget" if ratio is not None else ""))
    def pct(value: Any) -> str:  # floored: 499 of 999 is not "50 %"
        return f"{math.floor(100 * float(value or 0.0))} %"

    criteria = rule.get("award_criteria")
    declared = f" declaring the award criteria “{criteria}”" if criteria else ""
    own = (f"the lowest valid bid won {rule['lowest_won']} of its category's "
           f"{counted(rule['awarded'], 'awarded tender')}{declared}")
    same = " with the same criteria" if rule.get("market_of_same_criteria") else ""
    market = f"{pct(rule['market_share_lowest_won'])} of the market's{same}"
    if not rule["awarded"]:
        record, drawn = (f"its category has no awarded tender{declared}, and the lowest valid bid won {market}",
                         rule["market_share_drawn"])
    elif rule.get("with_market"):
        record, drawn = f"{own} and {market}", rule["market_share_drawn"]
    else:
        record, drawn = f"{own} ({pct(rule['category_share_lowest_won'])})", rule["drawn"] / rule["awarded"]
    return (counted(int(row.n_bids), "valid bid") + won + ". Its bids are not ranked as cover bids, which "
            f"presume that the lowest bid wins: {record}, {beyond_draw_told(pct(drawn))}, so the tenders are not "
            f"awarded on the lowest price ({NOT_LOWEST_PRICE_CAUSES})")


def _explain(row: Any, base: dict[str, dict[str, Any]], members: list[str], without_rings: bool,
             traces: list[dict[str, Any]], rule: dict[str, Any] | None = None,
             stepped: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> str:
    """The tender's sentences: its valid bids' CV and RD, and the lowest bid's share of the budget
    where it has one, against the medians it was ranked against (its category's, or the market's
    for a small category or a market without categories; tenders of suspected rings left out when
    ``without_rings``); then the mean of its suspicion percentiles (capped at the 99th), and the ring's ``members`` who bid in it (each leads to the
    ring through MEMBER_OF). A tender whose category is not awarded to the lowest bid (``rule``,
    :func:`_award_rule`) is said so instead of its screens (:func:`_not_read`). Last, a ring's
    bids at equal steps there (``stepped``, :func:`_stepped_by_tender`). Firms are named as ``names`` gives
    them (:func:`detectors.finding.labels`), else by id."""
    read_not = rule is not None and not rule.get("lowest_price", True)
    text = _not_read(row, rule) if rule is not None and read_not else _screened(row, base, without_rings)
    if row.ring_score and members:
        text += (". " if read_not else ", and ") + \
            f"{counted(len(members), 'member')} of a suspected ring (score {row.ring_score:.0f}) bid in it: " \
            f"{listed([(names or {}).get(m, m) for m in members], 5)}"
    for trace in traces:  # one hand behind competing bids
        firms = trace["firms"]
        if not firms:
            continue
        did, _ = bid_traces.TOLD.get(trace["kind"], (f"carried one {trace['kind']}", ""))
        text += (f"; the bids of {joined(firms)} {did} ({bid_traces.shown(trace['kind'], trace['value'])}), which "
                 f"bids of two or more firms shared in {counted(trace['tenders'], 'tender')} where chance alone "
                 f"would give {bid_traces.chance(trace['expected'])}")
    if stepped:  # a hand that wrote several firms' prices
        whose = ("that ring's members' bids" if members and stepped["ring_score"] == row.ring_score
                 else f"the bids of the members of a suspected ring (score {stepped['ring_score']:.0f})")
        text += (f"; the bids of {listed(stepped['firms'], 4)} stood at equal steps ({bid_steps.apart(stepped)}), as "
                 f"{whose} did in {stepped['ring_stepped']} of the "
                 f"{counted(stepped['ring_tenders_with_three_members'], 'tender')} where three or more of them bid "
                 f"(chance alone would give {bid_traces.chance(stepped['ring_expected'])})")
    return text + "."
