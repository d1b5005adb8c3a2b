"""Official–firm closeness (亲密度): an official who deals with one firm more, and more kindly, than chance.

For every official–firm pair with at least one interaction this module compares what the
official did with the firm to what the official's own workload and peers predict, one
component at a time, and adds the components into a score an investigator can follow.

Components (each has a value, a baseline, a significance test and a contribution):

``frequency``
    Interactions per channel — inspections conducted of the firm, approvals decided for it,
    evaluations of tenders it bid in — against the expectation under independence *within
    the official's own market*. For inspections and approvals of kind ``k``,

    .. math:: E_{ij} = \\sum_k W_{ik} \\, s_{jk} / \\sum_{l \\in P_i} s_{lk}

    where :math:`W_{ik}` is the official's workload of kind ``k``, :math:`P_i` the pool of
    firms the official actually serves in that channel (every firm it inspected, resp.
    decided an approval for), and :math:`s_{jk}` the firm's size as the department's *other*
    officials see it (leave-one-out, so the official's own excess does not inflate it), read
    in one of two ways. *Counts*, :math:`s = r^{(-i)}_{jk} + \\beta \\bar r`, the others'
    kind-``k`` interactions with the firm plus a prior of one pool-average firm — right when
    work is routed to anyone. *Exposure*, :math:`s = (r^{(-i)}_{jk} + \\beta) / (e_{jk} + \\beta)`,
    :math:`e_{jk}` the summed interactions per firm of the other officials who dealt with it —
    right when officials have territories, where a colleague's one visit to a firm it sees
    once is an average firm, not a large one (quasi-independence with unserved cells as
    structural zeros). Both expectations are leave-one-out predictions of the officials'
    own counts; per department and kind the one with the higher Poisson log-likelihood is
    used and named in the evidence (``baseline_from``). With no other official at all the
    expectation is the uniform share :math:`W_{ik}/|P_i|`. Restricting the expectation to
    the pool is what keeps an official in a small district, who necessarily sees the same
    few firms, from looking close. Where firms' localities are recorded (``Firm.locality``) and
    the department works territories (:func:`territorial_departments`), a firm in one of the
    official's *territories* — a locality where it served at least ``territory_min_firms`` firms —
    expects the official's work there shared among the firms it served there (``territory`` in
    the evidence): a district's firms are compared with each other, not with the large firms
    elsewhere the official met once (:func:`territories`); so is a small locality (fewer
    firms than that) whose every firm the official served, making at least half of the
    department's interactions with them (:func:`small_districts`: a rural district's only
    inspector); a firm outside them keeps the whole-pool expectation. For evaluations the expectation is what committee seats
    independent of the firm's bidding give: in each stratum of comparable tenders (same
    department, category and region) the firm's bids times the share of the stratum's
    tenders the official evaluated, ``Σ_s B_js · E_is / T_s`` — the mean of the exact
    conditional (hypergeometric) null, whose Poisson tail is conservative (pairs that met in
    fewer than ``min_evaluations`` tenders are left out); the firm can have met the official
    at most ``Σ_s min(E_is, B_js)`` times, and the tail there is the smallest p the pair can
    reach (Tarone's filter below). ``lift = observed / expected``; the Poisson
    upper tail keeps small counts from being over-read. Where a department's inspections or
    approvals vary between firms more than the Poisson allows (structure no expectation
    names: unrecorded territories or case officers), the tail is the negative binomial whose
    size the department's *other* officials' counts give (:func:`detectors.inference.overdispersion_sizes`;
    ``tail`` and ``dispersion_size`` in the evidence), so a concentration every official there
    shows is not read as closeness. Only pairs with at least
    ``min_inspections`` interactions are scored, so the tail is conditioned on that
    selection, ``P(X ≥ observed | X ≥ min_inspections)`` — otherwise the Benjamini–Hochberg
    correction would count only the tests that already came out high.
    ``portfolio_share`` (the firm's share of the official's inspections and approvals) is
    reported, not scored: in a small market a large share is normal.
    Where the records name case officers (``assignments``, ``RESPONSIBLE_FOR {since, until}``:
    包保/网格 supervision), the inspections and approvals an official made for its firm while
    assigned to it (:func:`assigned`) are its job: they are left out of the frequency channel —
    of the official's workload, the pools and the firm sizes alike, so the rest is compared with
    the department's work outside assignments — and counted in the evidence
    (``assignment``) and the sentence; every other component reads them.
``leniency``
    Passes (and, read the other way, inspections not failed) of the official's inspections
    of the firm against the firm's record with *every other official*, by indirect
    standardisation: each inspection's chance of a bad outcome is its kind's market rate
    times its inspector's strictness (the inspector's bad outcomes with its other firms over
    their expectation, shrunk with ``prior_strength``), and the official's bad outcomes with
    the firm are compared with the other officials' on it by the exact conditional test of
    the 2×2 table (Fisher's noncentral hypergeometric, null odds ratio from those
    expectations; Breslow & Day 1980). Conditioning on the total removes the firm's unknown compliance, so a
    poor-compliance firm keeps its poor record, and the official's own strictness is in
    ``E``, so a generally lenient official (an ``official_profile`` finding) is not close to
    every firm. Pass and no-fail are Bonferroni-combined (×2) and the stronger counts; the
    q-value is Tarone–BH (a pair whose firm was failed twice in all can never reach a small
    p, so it does not count among the tests; Tarone 1990, Gilbert 2005). Effect = share of
    the expected failures that did not happen. The same test on "not penalised" (a penalty
    left blank reads as none imposed, as an empty cell of the bundle does; mean penalty vs
    peers' mean penalty reported beside it) and on approvals granted.
``speed``
    Approval time (decided_at − applied_at) of the firm's approvals against the official's
    other approvals of the same kind: Mann–Whitney U summed over kinds (van Elteren), exact
    for the small samples one official's approvals for one firm give, else the normal
    approximation, one-sided towards faster; effect = rank-biserial correlation. Each time is
    first set against its firm's pace with the other officials (empirical-Bayes shrunk,
    :func:`firm_pace`; ``firm_pace_with_other_officials`` in the evidence), so a firm whose
    files every official decides quickly is not close to each of them.
``outcomes``
    The firm's wins in tenders the official evaluated against the wins expected from the
    number of bidders (:math:`\\sum 1/n_t`), scaled by the firm's strength in tenders the
    official did not evaluate (wins/expected there, gamma-Poisson shrinkage towards 1).
    Poisson upper tail given at least ``min_wins`` wins (the pairs scored). The firm can win
    at most the tenders it bid in there, so the tail at that count is the smallest p the pair
    can reach: a firm that met the official in 3 tenders and won 2 is tested yet can never be
    a discovery, and Tarone's filter keeps such pairs out of the count. Measured (the filter on
    outcomes and committees): ``benchmarks/blind_markets.py`` seeds 1–6 planted pairs found
    35 → 37 of 44 (two tender-steering pairs without a kin tie), ``foreign_officials.py`` 47 →
    48 of 48 without case officers; demo seeds 1–6 ranks and null markets (0 leads) unchanged.
``ties``
    Hidden ties: a relative of the official (``relations``) — or the official itself,
    declared there with relation ``self`` (an official and a person sharing an id are not
    one person: the two come from different registers) — who is legal representative,
    shareholder or director of the firm, and phones, e-mails
    or addresses shared between the official (or a relative) and the firm or a person
    holding a role in it. A shared identifier counts ``1 / (number of firms holding it)``
    of its full weight, so a business-centre address shared by twenty firms is weak.

Scoring: a component's contribution is ``points × effect × gate(q)`` where ``effect`` in
[0, 1] maps the effect size (full at ``lift_full``, ``leniency_full`` …), ``q`` is the
Benjamini–Hochberg adjusted p-value of the component over every pair it was computed for
(tens of thousands of pairs are tested; a p of 0.001 alone happens by chance; Tarone–BH for
the discrete leniency, grant, outcome and committee tests, whose small counts cap how small
a p-value can get — ``min_attainable_pvalue`` in the evidence; AdaFilter-BH for
corroboration), and
``gate`` rises linearly in ``-log10 q`` from 0 at ``q_weak`` to 1 at ``q_strong``. Ties
contribute their strength without a test.

``corroboration``
    Several weak deviations together: a partial-conjunction test (Benjamini & Heller 2008)
    that at least two independent channels (inspection, approval and evaluation frequency,
    leniency, grants, speed, outcomes) deviate — ``(n − 1)·p_(2)`` over a pair's n channel
    p-values, so one strong channel alone cannot carry it. Its q-value is AdaFilter-BH
    (Wang, Gui, Su, Sabatti & Owen 2022): the false discoveries at a threshold are counted
    among the pairs whose *best* channel could pass it, not among all pairs, which keeps
    the power that plain BH over ~10⁴ mostly-null pairs throws away. Gated on that q, worth
    up to ``corroboration_points``; it does not add to the
    components it rests on: the score is ``max(component sum, corroboration) + ties``,
    capped at 100.

Frequency is capped at ``frequency_points`` (< ``threshold``), so one channel of frequency
alone never makes a *strong* lead — a pair needs a behavioural deviation, a tie, or
corroboration by a second independent channel: seeing the same firms often is what
officials in small markets do.

Reporting is a ranked list, deeper than the strong threshold: every pair scoring at least
``report_floor`` is reported, highest first, and its evidence says ``tier`` = ``"strong"``
(score ≥ ``threshold``) or ``"weak"``. A weak lead is FDR-significant evidence that alone
does not make a case — e.g. an official who sees one firm far more often than its own
workload and the department's other officials predict, or a committee member whose firm
wins somewhat more than expected. The floor only lowers where the list stops, not what a
component needs to count (each is still gated on its BH q-value), so an official in a
small district, whose pool-restricted expectation already equals what it does, scores
zero and is never listed.

References
----------
Guiyang housing & construction bureau, "data iron cage" (数据铁笼) 2015: closeness (亲密度)
as how often a supervisor deals with the same firm. Agresti, *Categorical Data Analysis*
(independence expectations, quasi-independence on structural zeros). Breslow & Day 1980,
*Statistical Methods in Cancer Research I* (indirect standardisation; conditional tests of
2×2 tables with a null odds ratio); Tarone
1990, "A modified Bonferroni method for discrete data" (Biometrics 46); Gilbert 2005, "A
modified false discovery rate multiple-comparisons procedure for discrete data" (JRSS C 54);
Wang, Gui, Su, Sabatti & Owen 2022, "Detecting multiple replicating signals using adaptive
filtering procedures" (Annals of Statistics 50). Efron & Morris 1975
(empirical-Bayes shrinkage). Mann & Whitney 1947; van Elteren 1960 (stratified sums of U);
Kerby 2014 (rank-biserial correlation).
Benjamini & Hochberg 1995 (false discovery rate). Benjamini & Heller 2008, "Screening for
partial conjunction hypotheses" (Biometrics 64). Fithian, Sun & Taylor 2014, "Optimal
inference after model selection" (arXiv:1410.2597; tests conditioned on the selection).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from detectors.finding import Finding, between, counted, joined, labelled, labels, span, yearly
from detectors.identifiers import shown_phone
from detectors.inference import (
    adafilter_qvalues,
    bh_qvalues,
    count_tail_after_selection,
    fnch_lower_tail,
    mann_whitney_lower_tail,
    overdispersion_sizes,
    poisson_tail_after_selection,
    shrunk_rate,
    tarone_bh_qvalues,
)
from detectors.market import FAILED_RESULTS, PASSED_RESULTS, MarketData, once_per_id, plain_text

__all__ = ["NAME", "Params", "detect", "pair_frame", "gate", "granted", "assigned"]

NAME = "closeness"
OID, FID, KIND, DEPT = "official_id", "firm_id", "kind", "department_id"
PAIR = [OID, FID]


@dataclass(frozen=True)
class Params:
    """Settings of the closeness detector (defaults in brackets are the documented ones).

    threshold: a pair scoring at least this is a strong lead [20]; above ``frequency_points`` so
        that frequency alone never makes a strong lead.
    max_weak_leads: at most this many weak leads (the highest scoring) are reported [300];
        strong leads are all reported. A large market can have thousands of modest excesses,
        and an investigator's list should not drown the strong leads.
    report_floor: pairs scoring at least this are reported (ranked, tier "weak" below
        ``threshold``) [5]: a third of the frequency cap, i.e. a strongly significant excess
        of interactions with a clear lift, or a behavioural component at about a sixth of its
        full weight.
    q_weak, q_strong: a component counts nothing at q ≥ q_weak [0.25] and fully at
        q ≤ q_strong [0.01], log-linear in between; q is the Benjamini–Hochberg adjusted
        p-value of the component over all pairs it was computed for (tens of thousands of
        pairs are tested, so a p of 0.001 alone is expected by chance dozens of times).
    prior_strength: pseudo-count shrinking peers' and the official's own baseline rates [10].
    size_prior: β, the pseudo-firm added to every firm's leave-one-out size (of the pool's
        average size in the counts reading, of an average firm in the exposure reading) [1.0].
    territory_min_firms: a locality is one of an official's territories in a channel when the
        official served at least this many distinct firms based there [5]; its work there is
        compared only among those firms (fewer, and one firm's excess would set its own baseline),
        as are a small locality's few firms where the official is its own (:func:`small_districts`).
    lift_floor, lift_full: frequency lift counting nothing / fully [1.5, 6.0].
    outcome_lift_full: win lift counting fully [3.0].
    leniency_full: share of expected failures avoided counting fully [0.6].
    speed_full: rank-biserial correlation counting fully [0.8].
    min_inspections, min_approvals, min_wins: smallest counts a component is computed on
        [3, 3, 2]; a frequency channel needs ``min_inspections`` interactions.
    min_evaluations: committee–bidder meetings a pair needs to enter the evaluation channel
        [3], unless the pair has a hidden tie.
    corroboration_points: the most the corroboration test (≥ 2 channels deviating) gives [25].
    *_points: the most each component can contribute [frequency 15, leniency 35, penalty 5,
        grant 10, speed 35, outcomes 35, relative role 45, shared phone 35, e-mail 35,
        address 25].
    passed_results / failed_results / granted_decisions [pass, passed, 合格, 通过 / fail, failed,
        不合格, 不通过, 未通过 / approved, approve, granted, accepted, yes]: values (lower-case) that
        count as a pass / a failure / a grant.
    grant_markers / refusal_markers [准予, 批准, 核准, 同意, 通过, 许可 / 不予, 不准, 不批准, 不同意,
        不通过, 未予, 未获, 未准予, 未批准, 未核准, 未同意, 未通过, 未许可, 驳回, 拒绝, 撤回, 终止]:
        decisions are free text, and Chinese ones are phrases
        (准予行政许可, 予以批准, 不予行政许可 …): a decision containing a grant marker counts as a
        grant unless it contains a refusal marker (不予, 驳回, and the 未 'not' of each grant marker:
        未批准, 未准予 …, 未予, 未获; checked first); anything else is a refusal.
    """

    threshold: float = 20.0
    report_floor: float = 5.0
    max_weak_leads: int = 300
    corroboration_points: float = 25.0
    q_weak: float = 0.25
    q_strong: float = 0.01
    prior_strength: float = 10.0
    size_prior: float = 1.0
    territory_min_firms: int = 5
    lift_floor: float = 1.5
    lift_full: float = 6.0
    outcome_lift_full: float = 3.0
    leniency_full: float = 0.6
    speed_full: float = 0.8
    min_inspections: int = 3
    min_approvals: int = 3
    min_wins: int = 2
    min_evaluations: int = 3
    frequency_points: float = 15.0
    leniency_points: float = 35.0
    penalty_points: float = 5.0
    grant_points: float = 10.0
    speed_points: float = 35.0
    outcome_points: float = 35.0
    relative_role_points: float = 45.0
    phone_points: float = 35.0
    email_points: float = 35.0
    address_points: float = 25.0
    passed_results: tuple[str, ...] = PASSED_RESULTS
    failed_results: tuple[str, ...] = FAILED_RESULTS
    granted_decisions: tuple[str, ...] = ("approved", "approve", "granted", "accepted", "yes")
    grant_markers: tuple[str, ...] = ("准予", "批准", "核准", "同意", "通过", "许可")
    refusal_markers: tuple[str, ...] = ("不予", "不准", "不批准", "不同意", "不通过", "未予", "未获", "未准予",
                                        "未批准", "未核准", "未同意", "未通过", "未许可", "驳回", "拒绝",
                                        "撤回", "终止")

    def check(self) -> list[str]:
        """What cannot work in these values together (for a settings file; detectors.settings)."""
        problems = []
        if not 0 < self.lift_floor < self.lift_full:
            problems.append(f"lift_floor {self.lift_floor} must be above 0 and below lift_full {self.lift_full}")
        if self.outcome_lift_full <= 1:
            problems.append(f"outcome_lift_full {self.outcome_lift_full} must be above 1")
        for name in ("leniency_full", "speed_full"):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be above 0")
        if self.territory_min_firms < 2:
            problems.append(f"territory_min_firms {self.territory_min_firms} must be at least 2 (a territory of one "
                            "firm would make the firm's own count its baseline)")
        if not 0 < self.q_strong < self.q_weak <= 1:
            problems.append(f"q_strong {self.q_strong} and q_weak {self.q_weak} must satisfy 0 < q_strong < q_weak ≤ 1")
        return problems


# --------------------------------------------------------------------------- helpers


def gate(p: Any, p_weak: float, p_strong: float) -> Any:
    """Weight of a test result: 0 at ``p ≥ p_weak``, 1 at ``p ≤ p_strong``, log-linear between."""
    p = np.clip(np.asarray(p, dtype=float), 1e-300, 1.0)
    lo, hi = -np.log10(p_weak), -np.log10(p_strong)
    out = np.clip((-np.log10(p) - lo) / (hi - lo), 0.0, 1.0)
    return np.where(np.isnan(p), 0.0, out)


def _ramp(value: Any, floor: float, full: float) -> Any:
    return np.clip((np.asarray(value, float) - floor) / (full - floor), 0.0, 1.0)


def granted(decisions: pd.Series, params: Params) -> pd.Series:
    """Which decisions grant: a ``granted_decisions`` value, or a grant marker without a refusal marker."""
    text = plain_text(decisions).fillna("")
    marked = _contains_any(text, params.grant_markers) & ~_contains_any(text, params.refusal_markers)
    return (text.isin(params.granted_decisions) | marked).astype(bool)


def _contains_any(text: pd.Series, markers: tuple[str, ...]) -> pd.Series:
    if not markers:
        return pd.Series(False, index=text.index)
    return text.str.contains("|".join(map(re.escape, markers)), regex=True).astype(bool)


def _with_department(events: pd.DataFrame, officials: pd.DataFrame) -> pd.DataFrame:
    departments = officials.drop_duplicates(OID).set_index(OID)[DEPT]
    out = events.copy()
    out[DEPT] = out[OID].map(departments).fillna("").astype(str)
    out[KIND] = out[KIND].fillna("").astype(str) if KIND in out else ""
    return out


def _empty(*numeric: str, other: tuple[str, ...] = ()) -> pd.DataFrame:
    """An empty per-pair frame with float columns, so merges keep numeric dtypes."""
    return pd.DataFrame({**{c: pd.Series(dtype=object) for c in (*PAIR, *other)},
                         **{c: pd.Series(dtype=float) for c in numeric}})


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows naming an official and a firm, ids as text; a record read twice (its id repeated) once."""
    frame = frame.dropna(subset=[OID, FID]).astype({OID: str, FID: str})
    key = next((c for c in ("inspection_id", "approval_id") if c in frame.columns), None)
    return frame if key is None else once_per_id(frame, key)


def _decided_day(approvals: pd.DataFrame) -> pd.Series:
    """When the official acted on each approval: the decision date, else (still open) the application's."""
    return approvals["decided_at"].fillna(approvals["applied_at"])


def assigned(events: pd.DataFrame, assignments: pd.DataFrame, day: str) -> pd.Series:
    """Which ``events`` (inspections, approvals) an official made for a firm while it was the firm's
    assigned case officer: a ``RESPONSIBLE_FOR`` period of the pair holds the event's ``day``
    (calendar days, ``since`` and ``until`` inclusive, either open; approvals by their decision date,
    :func:`_decided_day`, the official's act). An undated event of an assigned pair counts as
    assigned. Boolean Series on ``events.index``."""
    spans = _clean(assignments)
    if events.empty or spans.empty:
        return pd.Series(False, index=events.index, dtype=bool)
    rows = events[[*PAIR, day]].assign(_row=np.arange(len(events))).merge(spans, on=PAIR, how="inner")
    # calendar days: an inspection at 10:00 on the last day of an assignment is inside it
    when, since, until = rows[day].dt.normalize(), rows["since"].dt.normalize(), rows["until"].dt.normalize()
    inside = when.isna() | ((since.isna() | (when >= since)) & (until.isna() | (when <= until)))
    flags = np.zeros(len(events), dtype=bool)
    flags[rows.loc[inside, "_row"].to_numpy()] = True
    return pd.Series(flags, index=events.index)


def _in_assignment(inspections: pd.DataFrame, approvals: pd.DataFrame,
                   assignments: pd.DataFrame) -> dict[str, pd.Series]:
    """:func:`assigned` for both channels: inspections by their date, approvals by their decision."""
    return {"inspections": assigned(inspections, assignments, "date"),
            "approvals": assigned(approvals.assign(_day=_decided_day(approvals)), assignments, "_day")}


# --------------------------------------------------------------------------- frequency


def territories(served: pd.DataFrame, locality: pd.Series, min_firms: int) -> pd.Series:
    """Each (official, firm) row's stratum: the firm's locality where that locality is one of the
    official's territories — it served at least ``min_firms`` distinct firms based there — else
    ``""`` (elsewhere, or the firm's locality unknown). ``served``: rows with official_id and
    firm_id, one per firm the official served; ``locality``: firm_id → locality."""
    where = served[FID].map(locality).fillna("").astype(str)
    firms = served.assign(_where=where)[where != ""].drop_duplicates([OID, FID])
    counts = firms.groupby([OID, "_where"], observed=True).size()
    inside = pd.MultiIndex.from_arrays([served[OID], where]).isin(counts[counts >= min_firms].index)
    return where.where(inside, "").astype(object)


#: share of its department's interactions with a small locality's firms that makes an official
#: its official (:func:`small_districts`)
SMALL_DISTRICT_SHARE = 0.5


def small_districts(n: pd.DataFrame, volume: pd.DataFrame, locality: pd.Series, min_firms: int) -> pd.DataFrame:
    """The firms of small localities that are read among each other, per official.

    A locality is small where the department served from two to fewer than ``min_firms`` firms
    based there; it is the official's own where the official served every one of them. A firm
    there is read against the official's work with the locality's firms (``marked``) where the
    official made at least :data:`SMALL_DISTRICT_SHARE` of the department's interactions with the
    locality's *other* firms — the firm left out, so that no excess of its own makes the official
    the district's (a favoured firm visited ever more would otherwise switch the rule on and cap
    its own lift). Firms and interactions are counted over every kind of work, as for a full
    territory (:func:`territories`); a kind's work there is shared among all of them.

    The only food inspector of a rural district with three food firms sees the same three firms
    all the time; read against its work as a whole they were a 10× excess (a helper's unseen
    market), which is what an official in a small district who sees the same few firms is not.
    ``n``: official_id, firm_id, department_id, n (its interactions with the firm, any kind);
    ``volume``: department_id, firm_id, A (the department's). Returns official_id, firm_id,
    ``locality`` and ``marked`` for every firm of the official's small localities. Used only where
    the department was found to work territories (:func:`territorial_departments`, on the
    ``min_firms`` territories): a locality of two large firms everyone visits must not vote for it.
    """
    columns = [OID, FID, "locality", "marked"]
    place = volume.groupby([DEPT, FID], observed=True)["A"].sum().reset_index()
    place = place.assign(locality=place[FID].map(locality).fillna("").astype(str))
    place = place[(place["locality"] != "") & (place["A"] > 0)]
    places = place.groupby([DEPT, "locality"], observed=True).agg(F=(FID, "nunique"), AL=("A", "sum"))
    places = places[(places["F"] >= 2) & (places["F"] < min_firms)]
    if places.empty:
        return pd.DataFrame(columns=columns)
    mine = n.groupby([OID, DEPT, FID], observed=True)["n"].sum().reset_index()
    mine = mine[mine["n"] > 0].assign(locality=lambda f: f[FID].map(locality).fillna("").astype(str))
    mine = mine[mine["locality"] != ""].join(places, on=[DEPT, "locality"], how="inner")
    per = mine.groupby([OID, "locality"], observed=True).agg(f=(FID, "nunique"), nL=("n", "sum"))
    mine = mine.join(per, on=[OID, "locality"])
    mine = mine[mine["f"] == mine["F"]].merge(place[[DEPT, FID, "A"]], on=[DEPT, FID], how="left")
    others = mine["AL"] - mine["A"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (mine["nL"] - mine["n"]) / others
    mine["marked"] = (others > 0) & (share >= SMALL_DISTRICT_SHARE)
    return mine[columns].reset_index(drop=True)


def territorial_departments(served: pd.DataFrame, locality: pd.Series, alpha: float = 0.05) -> set[str]:
    """The departments whose officials work territories: most of their officials that have a territory
    (:func:`territories`) and firms of the department outside it served the firms based in their
    territories more completely than the department's other firms — one-sided Fisher exact test at
    ``alpha`` on (served or not) × (based in its territories or not), over the firms any official of
    the department served. Only which firms an official served counts, not how often, so no excess
    decides it: a favoured firm is one firm however often it was visited.

    ``served``: official_id, firm_id, department_id and territory, one row per firm an official
    served (territory ``""`` outside its territories); ``locality``: firm_id → locality.
    """
    served = served.drop_duplicates(PAIR)
    own = served[served["territory"] != ""]
    if own.empty:
        return set()
    universe = served.drop_duplicates([DEPT, FID])[[DEPT, FID]]
    universe = universe.assign(where=universe[FID].map(locality).fillna("").astype(str))
    based = universe.groupby([DEPT, "where"], observed=True).size()
    per_official = served.groupby(OID, observed=True).agg(department=(DEPT, "first"), firms=(FID, "size"))
    inside = own.groupby(OID, observed=True).size().rename("inside")
    places = own.drop_duplicates([OID, "territory"])
    in_territories = pd.Series(based.reindex(pd.MultiIndex.from_arrays([places[DEPT], places["territory"]]))
                               .to_numpy(), index=places[OID].to_numpy()).groupby(level=0).sum()
    table = per_official.join(inside, how="inner").assign(based_there=in_territories)
    table["all"] = table["department"].map(universe.groupby(DEPT).size())
    table = table[table["all"] > table["based_there"]]  # firms of the department outside its territories
    if table.empty:
        return set()
    # P(at least `inside` of its `firms` among the `based_there` of `all`) under no territories
    p = stats.hypergeom.sf(table["inside"] - 1, table["all"], table["firms"], table["based_there"])
    votes = pd.Series(p < alpha, index=table.index).groupby(table["department"]).agg(["sum", "size"])
    return set(votes.index[votes["sum"] > votes["size"] / 2])


def _frequency_by_kind(events: pd.DataFrame, pool: pd.DataFrame, params: Params,
                       locality: pd.Series | None = None) -> pd.DataFrame:
    """Observed and expected interactions per pair for one channel (inspections or approvals).

    Two readings of a firm's size ``s_jk`` from the other officials' work with it (both
    leave-one-out, both with ``β = size_prior`` pseudo-firms):

    * *counts* — ``r_jk + β·max(1, r̄)``: the others' interactions with the firm, as if every
      official of the department could have served every firm (random routing of work);
    * *exposure* — ``(r_jk + β) / (e_jk + β)``, ``e_jk = Σ_l c_lk`` over the other officials
      ``l`` who served the firm, ``c_lk`` their interactions per firm served: each official's
      count measured against its own intensity (quasi-independence with the cells nobody
      served as structural zeros; Agresti §10.2), so one visit by a colleague who sees each
      of its firms once is an average firm, not a large one (territorial work).

    Which fits is an empirical question per department and kind of work: each reading's
    expectations are leave-one-out predictions of the officials' own counts, and the one
    with the higher Poisson log-likelihood ``Σ n ln E − E`` over the department's cells is
    used (``frequency_model`` in the output; ``mixed`` for a pair whose kinds of work use both).

    *Territories.* Where firms' localities are known (``locality``: firm_id → the county-level
    division of its address, :func:`loaders.identifiers.address_locality`), the official's
    territories are the localities where it served at least ``territory_min_firms`` firms
    (:func:`territories`). The expectation of a firm in a territory ``g`` is
    ``W_ikg · s_jk / Σ_{l ∈ P_i ∩ g} s_lk`` — the official's kind-``k`` work there, shared among
    the firms it served there — so an official of a small district, or one whose colleagues work
    other districts (and so see its district's firms rarely), is compared with its own district's
    firms, not with the large firms it met once elsewhere. A firm outside the official's
    territories keeps the whole-pool expectation (the rest may be one or two firms, each of which
    would be its own baseline). Whether a department works territories is tested, not assumed
    (:func:`territorial_departments`: most of its officials cover the firms based in their
    territories more completely than its other firms — which firms, not how often, so that no excess
    decides it; the in-sample fit would always prefer the split). Conditioning on the split, like the
    split by kind, keeps the test valid; it costs the power a firm's excess has over its territory's
    total (a lift at most the inverse of its share there).
    The reading (counts or exposure) is chosen on the whole pool. Output columns ``territory``
    (the locality, or None), ``territory_observed`` (the official's interactions there, all kinds,
    outside assignments) and ``territory_firms`` (the firms it served there).
    """
    if events.empty:
        return _empty("observed", "expected", "territory_observed", "territory_firms",
                      other=("frequency_model", "territory"))
    locality = pd.Series(dtype=object) if locality is None else locality
    n = events.groupby([OID, FID, KIND], observed=True).size().rename("n").reset_index()
    load = n.groupby([OID, KIND], observed=True).agg(W=("n", "sum"), P=("n", "size")).reset_index()
    load["c"] = load["W"] / load["P"]
    load = load.merge(events[[OID, DEPT]].drop_duplicates(OID), on=OID)
    served = n.merge(load[[OID, KIND, DEPT, "c"]], on=[OID, KIND])
    volume = served.groupby([DEPT, FID, KIND], observed=True).agg(A=("n", "sum"), C=("c", "sum")).reset_index()
    grid = pool.merge(load[[OID, KIND, DEPT, "W", "c"]], on=OID)
    grid = grid.merge(n, on=[OID, FID, KIND], how="left").merge(volume, on=[DEPT, FID, KIND], how="left")
    grid[["n", "A", "C"]] = grid[["n", "A", "C"]].fillna(0.0)
    grid["r"] = grid["A"] - grid["n"]
    grid = grid.merge(pool[PAIR].assign(territory=territories(pool, locality, params.territory_min_firms)),
                      on=PAIR, how="left")
    per_official = [grid[OID], grid[KIND]]
    beta = grid.groupby(per_official, observed=True)["r"].transform("mean").clip(lower=1.0) * params.size_prior
    exposure = (grid["C"] - grid["c"] * (grid["n"] > 0)).clip(lower=0.0)
    sizes = {"counts": grid["r"] + beta,
             "exposure": (grid["r"] + params.size_prior) / (exposure + params.size_prior)}
    expected = {}
    for model, size in sizes.items():
        expected[model] = grid["W"] * size / size.groupby(per_official, observed=True).transform("sum")
        grid[model] = grid["n"] * np.log(np.maximum(expected[model], 1e-300)) - expected[model]
    fit = grid.groupby([DEPT, KIND], observed=True)[list(sizes)].transform("sum")
    territorial = (fit["exposure"] > fit["counts"]).to_numpy()
    grid["frequency_model"] = np.where(territorial, "exposure", "counts")
    size = pd.Series(np.where(territorial, sizes["exposure"], sizes["counts"]), index=grid.index)
    plain = pd.Series(np.where(territorial, expected["exposure"], expected["counts"]), index=grid.index)
    # a territory's firms read against the official's work there, in departments that work territories
    # (:func:`territorial_departments`: which firms the officials served, not how often, so that no
    # excess decides it); a firm outside the territories is read against the whole pool, since the
    # rest may be one or two firms, each of which would be its own baseline
    per_stratum = [grid[OID], grid[KIND], grid["territory"]]
    split = grid.groupby(per_stratum, observed=True)["n"].transform("sum") * (
        size / size.groupby(per_stratum, observed=True).transform("sum"))
    departments = territorial_departments(grid[[OID, FID, DEPT, "territory"]], locality)
    # in a department that works territories, a small locality's own official reads its firms among
    # each other: the official's work of each kind with the locality's firms, shared by their sizes
    small = small_districts(n.merge(load[[OID, KIND, DEPT]], on=[OID, KIND]), volume, locality,
                            params.territory_min_firms)
    if len(small):
        at = grid[[OID, FID]].merge(small, on=[OID, FID], how="left").set_index(grid.index)
        there = at["locality"].notna()  # the rows of the officials' small localities, marked or not
        rows = grid.loc[there, [OID, KIND, "n"]].assign(locality=at.loc[there, "locality"], size=size[there])
        local_stratum = [rows[OID], rows[KIND], rows["locality"]]
        local = rows.groupby(local_stratum, observed=True)["n"].transform("sum") * (
            rows["size"] / rows.groupby(local_stratum, observed=True)["size"].transform("sum"))
        use = (at["marked"].eq(True) & (grid["territory"] == "")).to_numpy()
        split = split.where(~use, local.reindex(grid.index))
        grid["territory"] = grid["territory"].where(~use, at["locality"])
    divided = grid.groupby(per_official, observed=True)["territory"].transform("nunique") > 1
    kept = grid[DEPT].isin(departments) & divided
    where = grid["territory"]
    grid["territory"] = where.where(kept, "")
    grid["expected"] = np.where(grid["territory"] != "", split, plain)
    # a pair's territory is the one any kind of its work has (`first` skips the kinds without one:
    # a max over strings would aggregate in Python, seconds at scale 10)
    out = grid.assign(territory=grid["territory"].where(grid["territory"] != "")).groupby(PAIR, observed=True).agg(
        observed=("n", "sum"), expected=("expected", "sum"), frequency_model=("frequency_model", "first"),
        readings=("frequency_model", "nunique"), territory=("territory", "first"))
    out["territory"] = out["territory"].fillna("")
    out["frequency_model"] = out["frequency_model"].where(out.pop("readings") == 1, "mixed")
    there = grid.assign(territory=where)[where != ""]  # every kind of the official's work there
    totals = there.groupby([OID, "territory"], observed=True).agg(
        territory_observed=("n", "sum"), territory_firms=(FID, "nunique"))
    out = out.reset_index().join(totals, on=[OID, "territory"])
    out["territory"] = out["territory"].where(out["territory"] != "", None)
    return out


#: what a frequency channel's expectation rests on (``frequency_model`` → ``evidence.baseline_from``)
BASELINE_FROM = {
    "committee": "the firm's bids in each group of comparable tenders (department, category, region) times "
                 "the share of that group's committees the official sat on",
    "counts": "the firm's interactions with the department's other officials (work routed to anyone)",
    "exposure": "the firm's interactions with each other official who dealt with it, against that "
                "official's usual interactions per firm (territorial work)",
    "mixed": "raw counts for some kinds of the pair's work, each colleague's usual interactions per "
             "firm for others (whichever fits each kind in the department)",
}


@dataclass(frozen=True)
class _Meetings:
    """Committees meeting bidders, as integer codes (string keys are too slow at 10⁶ rows).

    ``bids``: one row per (tender, firm) with columns t, f, s (stratum), fair (1/n_t), win
    (NaN when the tender has no known winner). ``evals``: (t, o, s). ``cells``: one row per
    (official, firm, stratum) where they met, with n meetings, d of them with a known
    winner, w wins and x fair-share wins. Code → id in ``officials``, ``firms``, ``strata``.
    """

    bids: pd.DataFrame
    evals: pd.DataFrame
    cells: pd.DataFrame
    officials: pd.Index
    firms: pd.Index
    strata: pd.Index
    tenders_per_stratum: np.ndarray


def _meetings(data: MarketData) -> _Meetings | None:
    evals = data.evaluations.dropna().drop_duplicates()
    bids = data.bids[["tender_id", FID]].dropna().drop_duplicates()
    if evals.empty or bids.empty:
        return None
    strata = _strata(data.tenders)
    t_codes, t_index = pd.factorize(pd.concat([strata.index.to_series(), bids["tender_id"], evals["tender_id"]]))
    s_of_t = np.full(len(t_index), -1)
    s_codes, s_index = pd.factorize(strata.to_numpy())
    s_of_t[: len(strata)] = s_codes
    f_codes, f_index = pd.factorize(bids[FID])
    o_codes, o_index = pd.factorize(evals[OID])
    bt = t_codes[len(strata): len(strata) + len(bids)]
    et = t_codes[len(strata) + len(bids):]
    winners = data.tenders.dropna(subset=["winner_firm_id"])
    winner_of_t = np.full(len(t_index), -2)
    winner_of_t[t_index.get_indexer(winners["tender_id"])] = f_index.get_indexer(winners["winner_firm_id"])
    n_t = np.bincount(bt, minlength=len(t_index))
    b = pd.DataFrame({"t": bt, "f": f_codes, "s": s_of_t[bt], "fair": 1.0 / n_t[bt]})
    b["win"] = np.where(winner_of_t[bt] == -2, np.nan, (winner_of_t[bt] == f_codes).astype(float))
    e = pd.DataFrame({"t": et, "o": o_codes, "s": s_of_t[et]})
    b, e = b[b["s"] >= 0], e[e["s"] >= 0]
    inside = e[["t", "o"]].merge(b, on="t")
    decided = inside["win"].notna()
    inside = inside.assign(w=inside["win"].fillna(0.0), x=inside["fair"].where(decided, 0.0),
                           d=decided.astype(float))
    cells = inside.groupby(["o", "f", "s"], sort=False).agg(n=("t", "size"), d=("d", "sum"), w=("w", "sum"),
                                                            x=("x", "sum"))
    tenders_per_stratum = np.bincount(s_codes, minlength=len(s_index)).astype(float)
    return _Meetings(b, e, cells.reset_index(), pd.Index(o_index), pd.Index(f_index), pd.Index(s_index),
                     tenders_per_stratum)


def _frequency_evaluations(meet: _Meetings | None, params: Params,
                           keep: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluations of tenders the firm bid in, against committee seats independent of its bids.

    For official i, firm j and stratum s (department, category, region) with ``T_s`` tenders,
    ``E_is`` of them evaluated by i and ``B_js`` bid in by j, the number of j's bids in i's
    tenders is hypergeometric when the seats do not depend on who bids (the exact
    conditional null of the 2×2 table evaluated × bid in, as in Fisher's test), with mean
    ``B_js · E_is / T_s``; ``expected_ij`` is its sum over the strata. A sum of
    hypergeometric counts varies less than a Poisson count of the same mean, so the Poisson
    tail used for every channel over-states the p-value, never under-states it.

    The firm's bids are not estimated from the tenders i did *not* evaluate: that
    leave-one-out rate is 0 for a small firm whose few bids all fell in i's tenders — which
    happens by chance to some firm whenever i sits on a large share of the committees — and
    turned 6 bids in 6 of a firm's tenders, for an evaluator on 3 of 8 seats, into "145×
    expected" (``benchmarks/foreign_officials.py``).

    Computed only for pairs that met in at least ``min_evaluations`` tenders (fewer cannot be
    significant, and there are millions of one-off committee–bidder meetings) or listed in
    ``keep`` (pairs with a hidden tie: one meeting with a relative's firm matters).
    """
    if meet is None:
        return _empty("observed", "expected")
    observed = meet.cells.groupby(["o", "f"], sort=False)["n"].sum()
    wanted = observed >= params.min_evaluations
    if keep is not None and not keep.empty:
        keep_o = meet.officials.get_indexer(keep[OID])
        keep_f = meet.firms.get_indexer(keep[FID])
        wanted |= observed.index.isin(pd.MultiIndex.from_arrays([keep_o, keep_f]))
    observed = observed[wanted]
    if observed.empty:
        return _empty("observed", "expected")
    t_s = meet.tenders_per_stratum
    e_os = meet.evals.groupby(["o", "s"]).size()
    b_fs = meet.bids.groupby(["f", "s"]).size()
    e_o, e_s = e_os.index.get_level_values(0), e_os.index.get_level_values(1)
    b_f, b_s = b_fs.index.get_level_values(0), b_fs.index.get_level_values(1)
    seats = sparse.csr_matrix((e_os.to_numpy(float) / t_s[e_s], (e_o, e_s)),
                              shape=(len(meet.officials), len(meet.strata)))
    bids = sparse.csr_matrix((b_fs.to_numpy(float), (b_f, b_s)), shape=(len(meet.firms), len(meet.strata)))
    pair_o = observed.index.get_level_values(0).to_numpy()
    pair_f = observed.index.get_level_values(1).to_numpy()
    expected = np.asarray(seats[pair_o].multiply(bids[pair_f]).sum(axis=1)).ravel()
    sat = sparse.csr_matrix((e_os.to_numpy(float), (e_o, e_s)), shape=seats.shape)
    most = np.asarray(sat[pair_o].minimum(bids[pair_f]).sum(axis=1)).ravel()
    return pd.DataFrame({OID: meet.officials[pair_o], FID: meet.firms[pair_f],
                         "observed": observed.to_numpy(float), "expected": np.maximum(expected, 1e-9),
                         "most": most, "frequency_model": "committee"})


# --------------------------------------------------------------------------- leniency


def _odds(p: Any) -> Any:
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return p / (1 - p)


def _rate_excess(events: pd.DataFrame, flag: str, params: Params) -> pd.DataFrame:
    """Per pair: n, x = Σ flag, and a conditional test of the official's "bad" events (not ``flag``).

    Indirect standardisation (the standardised ratio of epidemiology), then the exact
    conditional test of the 2×2 table:

    * every event gets an expected probability of being bad, ``e = r_k · s_i``: ``r_k`` the
      bad rate of its kind over the whole market, ``s_i`` the strictness of its official —
      bad events on the official's *other* firms over their expectation, shrunk with
      ``prior_strength`` pseudo-events at the market rate (leave-this-firm-out, so leniency
      towards one firm does not hide in the official's own baseline);
    * the official's ``n`` inspections of the firm with ``b`` bad outcomes against the
      firm's ``n'`` inspections by *every other official* (any department, any kind) with
      ``b'``: a 2×2 table. Under H0 (the official treats the firm as everyone else does,
      up to the kinds and strictness in ``e``) the odds ratio of bad outcomes is
      ``ω = odds(E/n) / odds(E'/n')`` with ``E``, ``E'`` the sums of ``e``, and given the
      total ``b + b'`` the official's share follows Fisher's noncentral hypergeometric
      distribution (the exact conditional test of a 2×2 table, Fisher 1935; Breslow & Day
      1980), so ``p = P(X ≤ b)``. Conditioning on the total removes the firm's unknown
      compliance: a poor-compliance firm keeps its poor record, however many firms are
      alike, and a generally lenient official is not close to every firm. ``pmin`` is the
      probability of the most lenient table possible, the smallest p the pair could reach
      (for Tarone's filter).

    Reported: ``p_peer`` the firm's rate with the other officials, ``p_own`` the official's
    rate with its other firms, ``p_kind`` the market rate for the kinds of the pair's events,
    ``firm_ratio`` the firm's standardised ratio with others and ``official_ratio`` = ``s_i``,
    ``expected_bad = n · o/(1 + o)`` with ``o = ω · odds(b'')``, ``b''`` the firm's bad rate
    with the others shrunk with ``prior_strength`` towards ``E'/n'`` (the official's usual
    strictness applied to this firm's record, on the odds scale of the test, so it never
    exceeds ``n``), ``p0 = 1 − expected_bad / n``, and ``effect`` = share of the expected bad events
    that did not happen (own rate shrunk with ``prior_strength`` towards ``1 − p0``). Pairs
    whose firm nobody else dealt with, or that nobody ever found bad, are not tested.
    """
    m = params.prior_strength
    codes = {col: pd.factorize(events[col]) for col in (OID, FID, KIND)}
    good = events[flag].astype(float).to_numpy()
    pk = pd.DataFrame({col: codes[col][0] for col in codes}).assign(good=good, bad=1.0 - good)
    overall = float(pk["bad"].mean()) if len(pk) else 0.0
    pk["r"] = pk.groupby(KIND, sort=False)["bad"].transform("mean")
    cell = pk.groupby([OID, FID], sort=False)[["bad", "r"]].transform("sum")
    whole = pk.groupby(OID, sort=False)[["bad", "r"]].transform("sum")
    pk["s"] = (whole["bad"] - cell["bad"] + m * overall) / (whole["r"] - cell["r"] + m * overall)
    pk["e"] = pk["r"] * pk["s"]
    pair = pk.groupby([OID, FID], sort=False).agg(n=("good", "size"), x=("good", "sum"), bad=("bad", "sum"),
                                                   E=("e", "sum"), R=("r", "sum"), s=("s", "first"))
    firm = pair.groupby(level=FID, sort=False)[["n", "bad", "E"]].transform("sum")
    on, ob, oE = firm["n"] - pair["n"], firm["bad"] - pair["bad"], firm["E"] - pair["E"]
    by_official = pair.groupby(level=OID, sort=False)[["n", "x"]].transform("sum")
    out = pair[["n", "x"]].copy()
    out["others_n"], out["others_bad"] = on, ob
    out["p_peer"] = (1.0 - ob / on).where(on > 0)
    other_n = by_official["n"] - pair["n"]
    out["p_own"] = ((by_official["x"] - pair["x"]) / other_n).where(other_n > 0)
    out["p_kind"] = 1.0 - pair["R"] / pair["n"]
    out["official_ratio"] = pair["s"]
    prior = m * overall
    out["firm_ratio"] = (ob + prior) / (oE + prior) if prior > 0 else (ob / oE).where(oE > 0, 1.0)
    # H0: the official's odds of a bad outcome with the firm are ω times the others' (ω from
    # the kinds and inspectors' strictness in E); its expected bad rate is then the firm's
    # rate with the others (shrunk towards their expectation) with odds times ω
    others_rate = (oE / on.where(on > 0, 1.0)).clip(1e-6, 1 - 1e-6)
    odds = _odds(pair["E"] / pair["n"]) / _odds(others_rate)
    null_odds = odds * _odds(shrunk_rate(ob, on, others_rate, m))
    expected_bad = (pair["n"] * null_odds / (1.0 + null_odds)).where(
        on > 0, (pair["E"] * out["firm_ratio"]).clip(upper=pair["n"]))
    out["expected_bad"] = expected_bad
    out["p0"] = 1.0 - expected_bad / pair["n"]
    total = pair["bad"] + ob
    testable = ((on > 0) & (total > 0)).to_numpy()
    out["pvalue"] = np.nan
    out["pmin"] = np.nan
    if testable.any():
        cdf, lowest = fnch_lower_tail(*(np.asarray(a, float)[testable]
                                        for a in (pair["bad"], pair["n"], on, total, odds)))
        out.loc[testable, "pvalue"] = cdf
        out.loc[testable, "pmin"] = lowest
    miss0 = expected_bad / pair["n"]
    miss_shrunk = shrunk_rate(pair["bad"], pair["n"], miss0, m)
    out["effect"] = np.where(miss0 > 1e-9, 1.0 - miss_shrunk / miss0.where(miss0 > 1e-9, 1.0), 0.0)
    out = out.reset_index()
    out[OID] = codes[OID][1][out[OID].to_numpy()]
    out[FID] = codes[FID][1][out[FID].to_numpy()]
    return out


# --------------------------------------------------------------------------- speed



#: the exact Mann–Whitney tail is computed where the normal approximation gives p below this
#: (above it the pair is nowhere near significance, and exactness changes nothing that counts)
EXACT_BELOW = 0.25


def _timed(approvals: pd.DataFrame) -> pd.DataFrame:
    """The approvals the speed test ranks, with ``days`` = decided_at − applied_at: both dates known
    and decided no earlier than applied for."""
    ap = approvals.dropna(subset=["applied_at", "decided_at"])
    ap = ap.assign(days=(ap["decided_at"] - ap["applied_at"]).dt.total_seconds() / 86400.0)
    return ap[ap["days"] >= 0]


#: fewest approvals of one kind an official must have decided for their median to be its usual pace
PACE_MIN_GROUP = 3


def firm_pace(approvals: pd.DataFrame) -> pd.DataFrame:
    """Each timed approval with its firm's pace elsewhere: ``pace`` (log scale) and ``pace_n``.

    An approval's relative time is ``z = ln(1 + days) − median ln(1 + days)`` of its official's
    approvals of the same kind (the official's own pace taken out; only where the official
    decided at least :data:`PACE_MIN_GROUP` of that kind, as a median of one or two says
    nothing). A firm's pace with the officials *other* than the one deciding is the mean
    ``z`` of the ``n`` approvals they decided for it, shrunk towards the usual pace by
    empirical Bayes: ``pace = Σ_{others} z / (n + σ²/τ²)``, with ``σ²`` the variance of ``z``
    within firms and ``τ²`` that of the firms' true paces, by moments over the firms with two
    such approvals or more: ``σ²`` pooled, ``τ² = var(z̄_f) − mean(σ²/n_f)`` (Morris 1983).
    Where firms do not differ (``τ² ≤ 0``, or no spread within firms to judge by) every pace
    is 0; where they do, a firm whose complete files every official decides quickly is fast
    for a reason of its own, not this official's (two-way layout official × firm, the firm
    effect estimated leaving the official out, as every expectation here is). ``pace_n`` = n.
    """
    ap = _timed(approvals).copy()
    if ap.empty:
        return ap.assign(pace=pd.Series(dtype=float), pace_n=pd.Series(dtype=float))
    log_days = pd.Series(np.log1p(ap["days"].to_numpy(float)), index=ap.index)
    by_usual = log_days.groupby([ap[OID], ap[KIND]], observed=True)
    z = (log_days - by_usual.transform("median")).where(by_usual.transform("size") >= PACE_MIN_GROUP)
    by_firm = z.groupby(ap[FID], observed=True)
    stats_f = by_firm.agg(["mean", "count", "var"])
    several = stats_f[stats_f["count"] >= 2]
    ratio = math.inf  # σ²/τ²: pseudo-approvals at the usual pace
    if len(several) >= 2:
        within = float((several["var"] * (several["count"] - 1)).sum() / (several["count"] - 1).sum())
        between = float(several["mean"].var(ddof=1)) - float((within / several["count"]).mean())
        if within > 0 and between > 0:
            ratio = within / between
    pair = z.groupby([ap[OID], ap[FID]], observed=True)
    others = (by_firm.transform("count") - pair.transform("count")).astype(float)
    pace = (by_firm.transform("sum") - pair.transform("sum")) / (others + ratio)
    ap["pace"] = pace.fillna(0.0) if not math.isinf(ratio) else 0.0
    ap["pace_n"] = others
    return ap


def _count_below(codes: np.ndarray, values: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per query, how many ``values`` of its own code lie below it and how many equal it."""
    low = min(values.min(), queries.min())
    span = max(values.max(), queries.max()) - low + 1.0
    keys = np.sort(codes * span + (values - low))
    start = np.searchsorted(keys, codes * span - 0.5, side="left")
    query = codes * span + (queries - low)
    less = np.searchsorted(keys, query, side="left") - start
    return less, np.searchsorted(keys, query, side="right") - start - less


def _speed(approvals: pd.DataFrame, exact_limit: int = 4000) -> pd.DataFrame:
    """Mann–Whitney U of the firm's approval times against the official's other approvals, by kind.

    The firm's times are taken at its own pace with the other officials (:func:`firm_pace`):
    ``ln(1 + days) − pace``, so a firm fast with everyone is compared as it is elsewhere, and a
    firm nobody else decided for at its raw time; the official's other approvals are taken as
    they are (adjusting them too would narrow them while the pair keeps whatever of its
    firm's pace the estimate misses). ``U`` counts, over the pair's approvals, the other
    approvals faster (½ for a tie). One-sided towards faster, summed over kinds (van Elteren
    1960). The p-value is exact (:func:`detectors.inference.mann_whitney_lower_tail`) when the pair has at most
    ``exact_limit`` firm–other comparisons in all, else the normal approximation with a
    continuity correction: with the few approvals an official decides for one firm, the
    normal tail overstates p several times (4 approvals all faster than 10 others: 0.008
    against the exact 0.001). ``firm_pace`` (``e^pace``, the firm's times with others over
    their usual) and ``firm_pace_n`` are returned per pair. What the pace estimate misses of
    a firm's own pace still shifts all of the pair's times together, so where firms differ
    the p-value is somewhat small (less so than without the pace); and two officials who
    both favour one firm hide part of each other's speed.
    """
    ap = firm_pace(approvals)
    if ap.empty:
        return _empty("n_timed", "u_z", "pvalue", "effect", "firm_pace", "firm_pace_n")
    raw = np.log1p(ap["days"].to_numpy(float))
    at_pace = raw - ap["pace"].to_numpy(float)
    group = ap.groupby([OID, KIND], observed=True, sort=False).ngroup().to_numpy().astype(float)
    cell = ap.groupby([OID, FID, KIND], observed=True, sort=False).ngroup().to_numpy().astype(float)
    less_all, tied_all = _count_below(group, raw, at_pace)
    less_own, tied_own = _count_below(cell, raw, at_pace)  # the firm's own raw times are not "others"
    ap["u"] = (less_all - less_own) + 0.5 * (tied_all - tied_own)
    ap["N"] = ap.groupby([OID, KIND], observed=True)["days"].transform("size")
    pace = ap.groupby([OID, FID], observed=True)[["pace", "pace_n"]].first()
    g = ap.groupby([OID, FID, KIND], observed=True).agg(n=("u", "size"), U=("u", "sum"), N=("N", "first"))
    g["m"] = g["N"] - g["n"]
    g["nm"] = g["n"] * g["m"]
    g["mu"] = g["nm"] / 2.0
    g["var"] = g["nm"] * (g["N"] + 1) / 12.0
    g = g[g["m"] > 0]
    out = g.groupby(PAIR, observed=True)[["n", "U", "nm", "mu", "var"]].sum()
    sd = np.sqrt(out["var"]).where(out["var"] > 0)
    out["u_z"] = (out["U"] - out["mu"] + 0.5) / sd
    out["pvalue"] = stats.norm.cdf(out["u_z"])
    # exact where it matters: small samples whose approximate tail is not already large
    small = out.index[((out["nm"] <= exact_limit) & (out["pvalue"] < EXACT_BELOW)).to_numpy()]
    if len(small):
        rows = g[g.index.droplevel(KIND).isin(small)].reset_index()
        strata: dict[tuple[str, str], list[tuple[int, int]]] = {}  # pair → (n, m) of each kind
        for official, firm, n, m in zip(rows[OID], rows[FID], rows["n"].astype(int), rows["m"].astype(int),
                                        strict=True):
            strata.setdefault((official, firm), []).append((n, m))
        pairs = list(strata)
        out.loc[pairs, "pvalue"] = [mann_whitney_lower_tail(sizes, float(u))
                                    for sizes, u in zip(strata.values(), out.loc[pairs, "U"], strict=True)]
    out["effect"] = 1.0 - 2.0 * out["U"] / out["nm"]  # rank-biserial; +1: always the fastest
    out = out.join(pace)
    out["firm_pace"] = np.exp(out.pop("pace"))
    out = out.rename(columns={"n": "n_timed", "pace_n": "firm_pace_n"})
    return out[["n_timed", "u_z", "pvalue", "effect", "firm_pace", "firm_pace_n"]].reset_index()


# --------------------------------------------------------------------------- outcomes


def _strata(tenders: pd.DataFrame) -> pd.Series:
    """Comparable tenders: same department, category and region (tender_id → stratum key; a tender
    listed twice counts once, as its first row)."""
    tenders = tenders.drop_duplicates("tender_id")
    key = (tenders[DEPT].fillna("").astype(str) + "|" + tenders["category"].fillna("").astype(str)
           + "|" + tenders["region"].fillna("").astype(str))
    return pd.Series(key.to_numpy(), index=tenders["tender_id"])


def _outcomes(meet: _Meetings | None, params: Params) -> pd.DataFrame:
    """Wins in tenders the official evaluated vs expected from bidder counts and the firm's strength.

    A bid's fair chance is ``1/n_t`` (n_t bidders). The firm's strength is its wins over its
    fair-share wins in comparable tenders (same stratum) the official did *not* evaluate,
    shrunk towards its strength in all tenders the official did not evaluate, itself shrunk
    towards 1 (gamma-Poisson, ``m = 2`` fair-share wins of evidence each). Expected wins with
    the official = Σ over strata of fair-share wins there × strength there. Only tenders with
    a known winner count; only pairs that met in ``min_evaluations`` tenders are scored.
    """
    if meet is None:
        return _empty("bids_in", "wins_in", "expected_in", "strength_out", "pvalue", "lift", "win_rate_in")
    decided = meet.bids.dropna(subset=["win"])
    firm = decided.groupby("f")[["win", "fair"]].sum().rename(columns={"win": "W", "fair": "X"})
    firm_s = decided.groupby(["f", "s"])[["win", "fair"]].sum().rename(columns={"win": "Ws", "fair": "Xs"})
    cells = meet.cells
    met = cells.groupby(["o", "f"], sort=False)["n"].transform("sum")
    cells = cells[(met >= params.min_evaluations) & (cells["x"] > 0)].join(firm_s, on=["f", "s"])
    pair = cells.groupby(["o", "f"], sort=False).agg(bids_in=("d", "sum"), wins_in=("w", "sum"),
                                                     fair_in=("x", "sum"))
    pair = pair.join(firm, on="f")
    m = 2.0
    pair["strength_out"] = (pair["W"] - pair["wins_in"] + m) / (pair["X"] - pair["fair_in"] + m)
    cells = cells.join(pair["strength_out"], on=["o", "f"])
    cells["expected"] = cells["x"] * (cells["Ws"] - cells["w"] + m * cells["strength_out"]) / (
        cells["Xs"] - cells["x"] + m)
    pair["expected_in"] = cells.groupby(["o", "f"], sort=False)["expected"].sum()
    pair["pvalue"] = poisson_tail_after_selection(pair["wins_in"], pair["expected_in"], params.min_wins)
    pair["pmin"] = poisson_tail_after_selection(pair["bids_in"], pair["expected_in"], params.min_wins)
    pair["lift"] = pair["wins_in"] / pair["expected_in"]
    pair["win_rate_in"] = pair["wins_in"] / pair["bids_in"]
    pair = pair.reset_index()
    pair.insert(0, OID, meet.officials[pair.pop("o").to_numpy()])
    pair.insert(1, FID, meet.firms[pair.pop("f").to_numpy()])
    return pair


# --------------------------------------------------------------------------- ties


def _kin(relation: Any) -> str:
    """A relation as a sentence says it: ``brother_in_law`` → ``brother-in-law``, ``step_son`` → ``step son``."""
    text = relation if isinstance(relation, str) and relation else "relative"
    return text.replace("_in_law", "-in-law").replace("_", " ")


def _relation(relation: pd.Series) -> pd.Series:
    """:func:`_kin` of each relation."""
    return relation.fillna("relative").astype(str).map(_kin)


def _role_word(role: Any) -> str:
    """A person's role in a firm as a sentence says it: ``legal_rep`` → ``legal representative``; a missing
    one is an ``officer``."""
    if not isinstance(role, str) or not role.strip():
        return "officer"
    return "legal representative" if role == "legal_rep" else role.replace("_", " ")


def _role_phrase(relation: Any, person: str, role: Any, share: Any) -> str:
    kin = _kin(relation)
    who = "the official" if relation == "self" else f"the official's {kin} {person}"
    if role == "shareholder":
        if share is not None and not pd.isna(share):
            pct = float(share) * 100 if float(share) <= 1 else float(share)
            return f"{who} holds {pct:.0f} % of its shares" if pct >= 1 else \
                f"{who} holds {round(pct, 2):g} % of its shares"  # as analyst_official_firm_ties writes it
        return f"{who} is its shareholder"
    return f"{who} is its {_role_word(role)}"


#: the ``src`` of the official's own identifiers in :func:`_ties`: no person id can equal it
OFFICIAL_SIDE = "\x00official"


def _ties(data: MarketData, params: Params) -> pd.DataFrame:
    """Relatives with roles in the firm and identifiers shared with it, strongest per pair."""
    rows: list[pd.DataFrame] = []
    relations = data.relations.dropna(subset=[OID, "person_id"]).astype({OID: str, "person_id": str})
    relations = relations.assign(person=labelled(relations["person_id"], relations["person_name"]))
    roles = data.person_roles.dropna(subset=["person_id", FID]).astype({"person_id": str, FID: str})
    roles = roles.assign(person=labelled(roles["person_id"], roles["person_name"]))
    # the official itself, where it holds a role as a person, is declared as a relation "self": ids of
    # officials and persons come from different registers, and an equal id is no evidence of one person
    kin = relations[[OID, "person_id", "relation", "person"]]
    held = kin.merge(roles.drop(columns="person"), on="person_id")
    if not held.empty:
        rows.append(pd.DataFrame({OID: held[OID], FID: held[FID], "tie": "relative_role",
                                  "strength": params.relative_role_points,
                                  "detail": [_role_phrase(r, p, role, share) for r, p, role, share in zip(
                                      held["relation"], held["person"], held["role"], held["share"],
                                      strict=True)]}))
    # shared phone / e-mail / address: official or relative ↔ firm or a person with a role in it
    pid = data.person_identifiers.dropna(subset=["owner_id", "kind", "value"])
    if not pid.empty:
        own = pid[pid["owner_kind"] == "official"].rename(columns={"owner_id": OID})[[OID, "kind", "value"]]
        own = own.assign(holder="the official", src=OFFICIAL_SIDE)
        rel = pid[pid["owner_kind"] == "person"].rename(columns={"owner_id": "person_id"})
        rel = rel.merge(relations[[OID, "person_id", "relation", "person"]], on="person_id")
        itself = rel["relation"].eq("self")  # the person the official is declared to be: the official's side
        rel = rel.assign(holder=np.where(itself, "the official",
                                         "the official's " + _relation(rel["relation"]) + " " + rel["person"]),
                         src=rel["person_id"].where(~itself, OFFICIAL_SIDE))[[OID, "kind", "value", "holder", "src"]]
        side_o = pd.concat([own, rel], ignore_index=True)
        fid = data.firm_identifiers.dropna(subset=[FID, "kind", "value"])
        fid = fid[fid["kind"].isin(["phone", "email", "address"])][[FID, "kind", "value"]].assign(via="it", dst="")
        persons = pid[pid["owner_kind"] == "person"].rename(columns={"owner_id": "person_id"})
        via_person = persons.merge(roles[["person_id", FID, "role", "person"]], on="person_id")
        via_person = via_person.assign(via="its " + via_person["role"].map(_role_word) + " " + via_person["person"],
                                       dst=via_person["person_id"])[[FID, "kind", "value", "via", "dst"]]
        side_f = pd.concat([fid, via_person], ignore_index=True).drop_duplicates()
        firms_per_value = side_f.groupby(["kind", "value"])[FID].nunique().rename("firms_sharing")
        shared = side_o.merge(side_f, on=["kind", "value"]).join(firms_per_value, on=["kind", "value"])
        # a relative holding the role is a role tie already, and so is the official holding it as itself
        declared = relations.loc[relations["relation"].eq("self"), [OID, "person_id"]]
        as_itself = (shared["src"] == OFFICIAL_SIDE) & pd.MultiIndex.from_frame(shared[[OID, "dst"]]).isin(
            pd.MultiIndex.from_frame(declared))
        shared = shared[(shared["src"] != shared["dst"]) & ~as_itself]
        if not shared.empty:
            points = shared["kind"].map({"phone": params.phone_points, "email": params.email_points,
                                         "address": params.address_points}).fillna(0.0)
            shared["strength"] = points / shared["firms_sharing"]
            value = [shown_phone(v) if k == "phone" else str(v) for k, v in zip(shared["kind"], shared["value"],
                                                                                   strict=True)]
            shared["detail"] = (shared["holder"] + " shares " + shared["kind"] + " " + pd.Series(value, index=shared.index)
                                + " with " + shared["via"]
                                + np.where(shared["firms_sharing"] > 1,
                                           " (" + shared["firms_sharing"].astype(str) + " firms use it)",
                                           " (no other firm uses it)"))
            rows.append(shared.assign(tie="shared_" + shared["kind"])[[OID, FID, "tie", "strength", "detail"]])
    if not rows:
        return _empty("tie_points", other=("ties",))
    ties = pd.concat(rows, ignore_index=True).drop_duplicates([OID, FID, "detail"])
    ties = ties.sort_values([OID, FID, "strength", "detail"], ascending=[True, True, False, True])
    grouped = ties.groupby(PAIR, sort=False)
    out = pd.DataFrame({
        "tie_points": grouped["strength"].max(),
        "ties": grouped.apply(lambda g: [{"tie": t, "detail": d, "points": round(float(s), 2)}
                                         for t, d, s in zip(g["tie"], g["detail"], g["strength"], strict=True)],
                              include_groups=False),
    })
    return out.reset_index()


# --------------------------------------------------------------------------- the pair frame


def _attach(frame: pd.DataFrame, part: pd.DataFrame, pairs: pd.MultiIndex) -> pd.DataFrame:
    """Left-join ``part`` (one row per pair) onto ``frame`` by position; ``pairs`` indexes frame's rows.

    Same result as ``frame.merge(part, on=PAIR, how="left")``, without re-hashing and copying
    the growing frame at every step.
    """
    position = pairs.get_indexer(pd.MultiIndex.from_frame(part[PAIR]))
    found = position >= 0
    rows = position[found]
    for column in part.columns:
        if column in PAIR:
            continue
        values = part[column].to_numpy()[found]
        out = np.full(len(frame), np.nan) if values.dtype.kind in "fiub" else np.full(len(frame), None, object)
        out[rows] = values
        frame[column] = out
    return frame


def _points(frame: pd.DataFrame, pcol: str, tested: pd.Series, effect: Any, points: float, params: Params,
            qcol: str, pmin_col: str | None = None) -> np.ndarray:
    """``points × effect × gate(q)``; q is Benjamini–Hochberg over the pairs ``tested`` (stored in ``qcol``).

    With ``pmin_col`` (a discrete test's smallest attainable p per pair) q is Tarone–BH at
    level ``q_weak`` (:func:`detectors.inference.tarone_bh_qvalues`).
    """
    p = frame[pcol].where(tested.astype(bool)) if pcol in frame else pd.Series(np.nan, index=frame.index)
    if pmin_col is not None and pmin_col in frame:
        frame[qcol] = tarone_bh_qvalues(p, frame[pmin_col].where(tested.astype(bool)), params.q_weak)
    else:
        frame[qcol] = bh_qvalues(p)
    weight = gate(frame[qcol], params.q_weak, params.q_strong)
    return np.where(tested.astype(bool), points * np.asarray(effect, float) * weight, 0.0)


CHANNELS = {"inspections": "inspections_pvalue", "approvals": "approvals_pvalue",
            "evaluations": "evaluations_pvalue", "leniency": ("pass_pvalue", "nofail_pvalue"),
            "grant": "grant_pvalue", "speed": "speed_pvalue", "outcomes": "outcome_pvalue"}


def _corroboration(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Partial-conjunction p-value that at least two independent channels deviate, per pair.

    One p-value per channel (:data:`CHANNELS`; leniency is the smaller of its two
    Bonferroni-adjusted readings). With n ≥ 2 channels and ordered p-values
    ``p_(1) ≤ p_(2) ≤ …`` the partial-conjunction p-value is ``min(1, (n − 1)·p_(2))``
    (Benjamini & Heller 2008, Bonferroni form): one very strong channel alone cannot make it
    small. Also AdaFilter's selection statistic ``(n − 1)·p_(1)`` (Wang et al. 2022) and the
    channels the p-value rests on (those with p ≤ p_(2): the two smallest, and any tied with
    the second). NaN with fewer than two channels.
    """
    cols = []
    for name, spec in CHANNELS.items():
        names = (spec,) if isinstance(spec, str) else spec
        present = [frame[c] for c in names if c in frame]
        col = pd.concat(present, axis=1).min(axis=1) if present else pd.Series(np.nan, index=frame.index)
        cols.append(col.rename(name))
    p = pd.concat(cols, axis=1).astype(float)
    n = p.notna().sum(axis=1).to_numpy()
    ordered = np.sort(np.where(np.isnan(p.to_numpy()), np.inf, p.to_numpy()), axis=1)
    factor = np.maximum(n - 1, 1)
    pc = np.where(n >= 2, np.minimum(factor * ordered[:, 1], 1.0), np.nan)
    selection = np.where(n >= 2, np.minimum(factor * ordered[:, 0], 1.0), np.nan)
    names = p.columns.to_numpy()
    resting = (p.to_numpy() <= ordered[:, 1:2]) & (n >= 2)[:, None]
    channels = [", ".join(names[row]) for row in resting]
    return (pd.Series(pc, index=frame.index), pd.Series(selection, index=frame.index),
            pd.Series(channels, index=frame.index))


def pair_frame(data: MarketData, params: Params | None = None) -> pd.DataFrame:
    """One row per official–firm pair with any interaction: every component and the score.

    Columns: official_id, firm_id, department_id, inspections/approvals/evaluations (observed
    and expected, lift, p-value per channel), portfolio_share, the leniency, penalty, grant,
    speed and outcome statistics, committee_decided and committee_won (the tenders the official
    evaluated that the firm bid in with a known winner, and its wins there, for every pair that
    met), tie_points and ties, each component's points, their sum
    without ties (tested_points), corroboration_points, and score.
    Sorted by score (descending), then by the corroboration p-value (among equal scores, the
    pair deviating in more channels first), then ids.
    """
    params = params or Params()
    officials = data.officials.dropna(subset=[OID]).astype({OID: str})
    insp = _with_department(_clean(data.inspections), officials)
    appr = _with_department(_clean(data.approvals), officials)
    meet = _meetings(data)
    ties = _ties(data, params)
    # an assigned case officer's visits and decisions for its firm are its job: frequency counts only
    # the rest, against the department's other work outside assignments (leniency and the others read all)
    in_assignment = _in_assignment(insp, appr, data.assignments)
    free_insp, free_appr = insp[~in_assignment["inspections"]], appr[~in_assignment["approvals"]]
    locality = data.firms.dropna(subset=[FID]).drop_duplicates(FID).set_index(FID)["locality"].dropna()
    channels = {
        "inspections": _frequency_by_kind(free_insp, free_insp[PAIR].drop_duplicates(), params, locality),
        "approvals": _frequency_by_kind(free_appr, free_appr[PAIR].drop_duplicates(), params, locality),
        "evaluations": _frequency_evaluations(meet, params, keep=ties[PAIR]),
    }
    frame = pd.concat([*(c[PAIR] for c in channels.values()), insp[PAIR], appr[PAIR]]
                      ).drop_duplicates().reset_index(drop=True)
    department = officials.drop_duplicates(OID).set_index(OID)[DEPT]
    frame["department_id"] = frame[OID].map(department)
    pairs = pd.MultiIndex.from_frame(frame[PAIR])
    freq_points = np.zeros(len(frame))
    best_channel = pd.Series("", index=frame.index, dtype=object)
    for name, ch in channels.items():
        ch = ch.astype({"observed": float, "expected": float})
        ch = ch[ch["observed"] > 0].copy()
        ch["lift"] = ch["observed"] / ch["expected"]
        floor = max(params.min_inspections, params.min_evaluations) if name == "evaluations" else params.min_inspections
        if name == "evaluations":  # a sum of hypergeometric counts: less spread than the Poisson, never more
            ch["dispersion"] = math.inf
        else:
            ch["dispersion"] = overdispersion_sizes(ch["observed"], ch["expected"], ch[OID].map(department), ch[OID])
        ch["pvalue"] = count_tail_after_selection(ch["observed"], ch["expected"], floor, ch["dispersion"])
        if "most" in ch:  # the smallest p over the counts the pair could have had: the tail at the most, and
            # below the floor (where the tail is not conditioned) at floor − 1 when a tested pair can be there
            most = ch.pop("most")
            ch["pmin"] = count_tail_after_selection(most, ch["expected"], floor, ch["dispersion"])
            below = np.minimum(most, floor - 1)
            if floor - 1 >= params.min_inspections:
                ch["pmin"] = np.where(most >= params.min_inspections, np.minimum(
                    ch["pmin"], count_tail_after_selection(below, ch["expected"], floor, ch["dispersion"])),
                    ch["pmin"])
        ch = ch.rename(columns={c: f"{name}_{c}" for c in ("observed", "expected", "lift", "pvalue", "pmin",
                                                             "frequency_model", "dispersion", "territory",
                                                             "territory_observed", "territory_firms")})
        frame = _attach(frame, ch, pairs)
        frame[f"{name}_observed"] = frame[f"{name}_observed"].fillna(0.0)
        lift_effect = np.clip(np.log(frame[f"{name}_lift"].fillna(0.0).clip(lower=1e-9) / params.lift_floor)
                              / np.log(params.lift_full / params.lift_floor), 0.0, 1.0)
        pts = _points(frame, f"{name}_pvalue", frame[f"{name}_observed"] >= params.min_inspections,
                      lift_effect, params.frequency_points, params, f"{name}_qvalue",
                      f"{name}_pmin" if f"{name}_pmin" in frame else None)
        best_channel = best_channel.where(pts <= freq_points, name)
        freq_points = np.maximum(freq_points, pts)
    frame["frequency_points"] = freq_points
    frame["frequency_channel"] = best_channel.where(freq_points > 0, None)
    for name, events in (("inspections", insp), ("approvals", appr)):
        done = events.loc[in_assignment[name]].groupby(PAIR).size()
        frame[f"{name}_assigned"] = done.reindex(pairs).fillna(0).to_numpy(dtype=float)
    # an application still open counts as the official's work on the firm (its application date),
    # and the sentence says how many of the approvals counted are still open
    still_open = free_appr.loc[free_appr["decided_at"].isna()].groupby(PAIR).size()
    frame["approvals_open"] = still_open.reindex(pairs).fillna(0).to_numpy(dtype=float)
    spans = _clean(data.assignments)
    frame["assigned_since"] = frame["assigned_until"] = None
    if not spans.empty:  # the pair's assignment: its first start and last end (open when any end is)
        spans = spans.assign(open_since=spans["since"].isna(), open_until=spans["until"].isna()).groupby(PAIR).agg(
            assigned_since=("since", "min"), assigned_until=("until", "max"), open_since=("open_since", "any"),
            open_until=("open_until", "any"))
        spans["assigned_since"] = spans["assigned_since"].dt.strftime("%Y-%m-%d").where(~spans.pop("open_since"), None)
        spans["assigned_until"] = spans["assigned_until"].dt.strftime("%Y-%m-%d").where(~spans.pop("open_until"), None)
        frame = _attach(frame, spans.reset_index(), pairs)  # as ISO days (datetimes would attach as integers)
    workload = frame[["inspections_observed", "approvals_observed", "inspections_assigned",
                      "approvals_assigned"]].sum(axis=1)
    frame["portfolio_share"] = workload / workload.groupby(frame[OID]).transform("sum").replace(0, np.nan)
    frame = frame.copy()  # de-fragment: each channel attached a dozen columns

    # leniency on inspections (passed / not failed / not penalised) and approvals (granted)
    results = plain_text(insp["result"])
    insp = insp.assign(passed=results.isin(params.passed_results).fillna(False),
                       unfailed=~results.isin(params.failed_results).fillna(False),
                       unpenalised=~(insp["penalty"].fillna(0.0) > 0))
    peer_penalty = insp.groupby([DEPT, KIND])["penalty"].mean()
    rated = insp.dropna(subset=["result"])
    decided = appr.dropna(subset=["decision"])
    decided = decided.assign(granted=granted(decided["decision"], params))
    # name → (events, flag, smallest n, points, Bonferroni factor)
    components: dict[str, tuple[pd.DataFrame, str, int, float, int]] = {
        "pass": (rated, "passed", params.min_inspections, params.leniency_points, 2),
        "nofail": (rated, "unfailed", params.min_inspections, params.leniency_points, 2),
        "penalty": (insp, "unpenalised", params.min_inspections, params.penalty_points, 1),
        "grant": (decided, "granted", params.min_approvals, params.grant_points, 1),
    }
    for name, (events, flag, minimum, points, tests) in components.items():
        if events.empty or not events[flag].any():
            frame[f"{name}_points"] = 0.0
            continue
        r = _rate_excess(events, flag, params)
        r["pvalue"] = np.minimum(r["pvalue"] * tests, 1.0)
        r["pmin"] = np.minimum(r["pmin"] * tests, 1.0)
        r = r.rename(columns={c: f"{name}_{c}" for c in r.columns if c not in PAIR})
        frame = _attach(frame, r, pairs)
        eff = _ramp(frame[f"{name}_effect"].fillna(0.0), 0.0, params.leniency_full)
        frame[f"{name}_points"] = _points(frame, f"{name}_pvalue", frame[f"{name}_n"].fillna(0) >= minimum,
                                          eff, points, params, f"{name}_qvalue", f"{name}_pmin")
    frame = frame.copy()  # de-fragment: each component attached a dozen columns
    # pass and no-fail are two readings of one question: the stronger counts
    if "nofail_points" in frame and "pass_points" in frame:
        frame["leniency_outcome"] = np.where(frame["nofail_points"] > frame["pass_points"], "nofail", "pass")
        frame["pass_points"] = np.maximum(frame.pop("nofail_points"), frame["pass_points"])
    # penalty amounts: official's mean penalty on the firm vs peers' mean for the same kinds
    insp_pen = insp.assign(peer_mean=pd.MultiIndex.from_frame(insp[[DEPT, KIND]]).map(peer_penalty))
    pen = insp_pen.groupby(PAIR)[["penalty", "peer_mean"]].mean().rename(
        columns={"penalty": "penalty_mean", "peer_mean": "penalty_peer_mean"})
    frame = _attach(frame, pen.reset_index(), pairs)

    sp = _speed(appr).rename(columns={"effect": "speed_effect", "pvalue": "speed_pvalue", "u_z": "speed_z"})
    frame = _attach(frame, sp, pairs)
    frame["speed_points"] = _points(frame, "speed_pvalue", frame["n_timed"].fillna(0) >= params.min_approvals,
                                    _ramp(frame["speed_effect"].fillna(0.0), 0.0, params.speed_full),
                                    params.speed_points, params, "speed_qvalue")

    oc = _outcomes(meet, params)
    oc = oc.rename(columns={"pvalue": "outcome_pvalue", "lift": "outcome_lift", "pmin": "outcome_pmin"})
    frame = _attach(frame, oc[[c for c in oc.columns if c not in ("W", "X", "fair_in")]], pairs)
    out_eff = np.clip(np.log(frame["outcome_lift"].fillna(0.0).clip(lower=1e-9))
                      / np.log(params.outcome_lift_full), 0.0, 1.0)
    frame["outcome_points"] = _points(frame, "outcome_pvalue", frame["wins_in"].fillna(0) >= params.min_wins,
                                      out_eff, params.outcome_points, params, "outcome_qvalue", "outcome_pmin")

    if meet is not None:  # every pair's committee results: told where the outcome was not tested (a tie's pair)
        met = meet.cells.groupby(["o", "f"], sort=False)[["d", "w"]].sum()
        frame = _attach(frame, pd.DataFrame({
            OID: meet.officials[met.index.get_level_values(0)], FID: meet.firms[met.index.get_level_values(1)],
            "committee_decided": met["d"].to_numpy(), "committee_won": met["w"].to_numpy()}), pairs)
    for column in ("committee_decided", "committee_won"):
        frame[column] = frame[column].fillna(0.0) if column in frame else 0.0

    frame = _attach(frame, ties, pairs)
    frame["tie_points"] = frame["tie_points"].fillna(0.0)

    frame = frame.copy()
    point_cols = ["frequency_points", "pass_points", "penalty_points", "grant_points", "speed_points",
                  "outcome_points", "tie_points"]
    for col in point_cols:
        if col not in frame:
            frame[col] = 0.0
    (frame["corroboration_pvalue"], frame["corroboration_selection"],
     frame["corroboration_channels"]) = _corroboration(frame)
    frame["corroboration_qvalue"] = adafilter_qvalues(frame["corroboration_pvalue"], frame["corroboration_selection"])
    frame["corroboration_points"] = params.corroboration_points * gate(frame["corroboration_qvalue"],
                                                                       params.q_weak, params.q_strong)
    frame["tested_points"] = frame[[c for c in point_cols if c != "tie_points"]].sum(axis=1)
    frame["score"] = (np.maximum(frame["tested_points"], frame["corroboration_points"])
                      + frame["tie_points"]).clip(upper=100.0)
    # equal scores are common (frequency alone stops at its cap): the pair whose deviation
    # more channels corroborate comes first, then ids
    # (sorted on the four keys alone and taken once: a copy of the whole frame for the sort and
    # another for reset_index took the detector's peak from 1.2 to 1.7 GB at demo scale 20)
    keys = frame[["score", OID, FID]].assign(_corroboration=frame["corroboration_pvalue"].fillna(1.0))
    order = keys.sort_values(["score", "_corroboration", OID, FID], ascending=[False, True, True, True],
                             kind="mergesort").index
    ordered = frame.loc[order]
    ordered.index = pd.RangeIndex(len(ordered))
    return ordered


# --------------------------------------------------------------------------- findings


def _num(value: Any, digits: int = 3) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return None
    return round(float(value), digits)


def _prob(value: Any) -> float | None:
    """A p- or q-value for the evidence, to 3 significant digits: 2.3e-12 stays 2.3e-12 where
    rounding to decimal places would show an investigator 0."""
    if value is None or pd.isna(value):
        return None
    return float(f"{float(value):.3g}")


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def _chance(p: float) -> str:
    """A probability for a sentence: ``0.018``, ``less than 0.001`` (not ``1.8e-02``)."""
    return f"{p:.3f}" if p >= 0.001 else "less than 0.001"


#: an official's approvals of the kinds it also decided for other firms, as :func:`_speed` ranks them,
#: and which of them are the firm's (:func:`_compared_approvals`)
Compared = tuple[pd.DataFrame, pd.Series]


def _compared_approvals(approvals: pd.DataFrame, official: str, firm: str) -> Compared:
    """The approvals :func:`_speed` ranks for the pair: the official's, decided no earlier than
    applied for, of the kinds in which it decided approvals for the firm and for other firms; and
    which of them are the firm's."""
    ap = _timed(approvals[approvals[OID] == official])
    mine = ap[FID] == firm
    compared = ap[KIND].isin(set(ap.loc[mine, KIND]) & set(ap.loc[~mine, KIND]))
    return ap[compared], mine[compared]


def _approval_days(approvals: pd.DataFrame, official: str, firm: str,
                   compared: Compared | None = None) -> tuple[float | None, float | None]:
    """Median approval days for the firm and for the official's other approvals of the same kinds
    (:func:`_compared_approvals`, or ``compared`` when the caller has it), so the medians quoted
    are those of the samples the test compared."""
    ap, mine = compared if compared is not None else _compared_approvals(approvals, official, firm)
    own, others = ap.loc[mine, "days"], ap.loc[~mine, "days"]
    return (float(own.median()) if len(own) else None,
            float(others.median()) if len(others) else None)


def _approval_days_by_kind(approvals: pd.DataFrame, official: str, firm: str,
                           compared: Compared | None = None) -> list[tuple[str, int, float, float]]:
    """(kind, the firm's approvals, their median days, the official's other approvals' median days)
    for each kind :func:`_speed` compared, most of the firm's approvals first: the test ranks
    within a kind, so where the kinds differ in length a pooled median mixes the firm's mix of
    kinds into its speed (7 approvals "in a median 9 days against 16" were 5.5 against 6 for
    land-use files and 14 against 30 for building licences, on a helper's unseen market)."""
    ap, mine = compared if compared is not None else _compared_approvals(approvals, official, firm)
    out = [(str(kind), int(own.sum()), float(days[own].median()), float(days[~own].median()))
           for kind, days, own in ((kind, g["days"], mine[g.index]) for kind, g in ap.groupby(KIND, sort=False))]
    return sorted(out, key=lambda k: (-k[1], k[0]))


#: kinds a speed sentence lists one by one (the rest are counted)
SPEED_KINDS_TOLD = 3


def _speed_told(by_kind: list[tuple[str, int, float, float]], mine: float, others: float, whose: str) -> str:
    """The speed's medians for a sentence: pooled for one kind ("in a median 2 days against a median
    20 days for …"), else kind by kind ("… in a median 5.5 days against 6 for other firms (4 land use)
    and 14 days against 30 (3 new building)")."""
    if len(by_kind) <= 1:
        return f"in a median {_days_unit(mine)} against a median {_days_unit(others)} for {whose}"
    told = [f"{_days_unit(m)} against {_days(o)}{' for other firms' if i == 0 else ''} "
            f"({n} {kind.replace('_', ' ') if kind.strip() else 'of no recorded kind'})"
            for i, (kind, n, m, o) in enumerate(by_kind[:SPEED_KINDS_TOLD])]
    rest = len(by_kind) - SPEED_KINDS_TOLD
    return f"in a median {joined(told + ([counted(rest, 'more kind')] if rest > 0 else []))}"


def _days(value: float) -> str:
    """Days for a sentence, to the half day it may be: ``2``, ``11.5``."""
    return f"{round(value, 1):g}"


def _days_unit(value: float) -> str:
    """``1 day``, ``2.5 days``."""
    return f"{_days(value)} {'day' if round(value, 1) == 1 else 'days'}"


Period = tuple[tuple[str, str], int]  # ((first, last), number of dated events)


def _periods(data: MarketData, pairs: pd.DataFrame) -> dict[tuple[str, str, str], Period]:
    """(official, firm, channel) → ((first, last), dated events) of the pair's interactions there.

    Inspections by their date, approvals by the decision date (the sentence says the official
    decided them; the application date for one still open), evaluations by the tender's
    deadline, when its committee sat (:meth:`MarketData.evaluation_days`); channel ``all``
    spans the three. Only the reported ``pairs`` and only the
    channels their sentence counts (``{channel}_observed > 0``: committee meetings count from
    ``min_evaluations`` on or with a tie), so the period is that of the counted events.
    Dates are UTC days, or years when the whole column carries years only
    (:func:`detectors.finding.yearly`). Channels without dated events are absent.
    """
    wanted = pd.MultiIndex.from_frame(pairs[PAIR].astype(str))
    officials, firms = set(wanted.get_level_values(0)), set(wanted.get_level_values(1))

    def among_pairs(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame[OID].isin(officials) & frame[FID].isin(firms)]

    tender_day = data.evaluation_days()
    days = {"inspections": data.inspections["date"],
            "approvals": _decided_day(data.approvals),
            "evaluations": tender_day}
    by_year = {channel: yearly(day) for channel, day in days.items()}
    evaluations = data.evaluations[data.evaluations[OID].isin(officials)].dropna().drop_duplicates()
    bids = data.bids.loc[data.bids[FID].isin(firms), ["tender_id", FID]].dropna().drop_duplicates()
    evaluated = evaluations.astype({"tender_id": str}).merge(bids.astype({"tender_id": str}), on="tender_id")
    sources = {  # each event with its day (aligned on the frames' index)
        "inspections": among_pairs(data.inspections).assign(day=days["inspections"]),
        "approvals": among_pairs(data.approvals).assign(day=days["approvals"]),
        "evaluations": evaluated.assign(day=evaluated["tender_id"].map(tender_day)),
    }
    frames = {}
    for channel, events in sources.items():
        counted = pairs.loc[pairs[f"{channel}_observed"].fillna(0) > 0, PAIR].astype(str)
        events = _clean(events)
        frames[channel] = events.loc[pd.MultiIndex.from_frame(events[PAIR]).isin(pd.MultiIndex.from_frame(counted)),
                                     [*PAIR, "day"]]
    frames["all"] = pd.concat(list(frames.values()), ignore_index=True)
    by_year["all"] = all(by_year[channel] for channel in sources if frames[channel]["day"].notna().any())
    out: dict[tuple[str, str, str], Period] = {}
    for channel, events in frames.items():
        spans = events.groupby(PAIR)["day"].agg(["min", "max", "count"])
        for key, first, last, dated in zip(spans.index, spans["min"], spans["max"], spans["count"], strict=True):
            if dated:
                out[(*key, channel)] = (span(first, last, by_year[channel]), int(dated))
    return out


def _between(periods: dict[tuple[str, str, str], Period], key: tuple[str, str, str], total: int) -> str:
    when, dated = periods.get(key, (None, 0))
    return between(when, dated, total)


def _channel_fact(row: pd.Series, channel: str, speed_days: tuple[float | None, float | None],
                  by_kind: list[tuple[str, int, float, float]] | None = None) -> str:
    """The number behind one channel of :data:`CHANNELS`, for the corroboration phrase ("" when the
    sentence says it in its own phrase, or there is none); ``speed_days`` is :func:`_approval_days`,
    ``by_kind`` :func:`_approval_days_by_kind`."""
    own = {"leniency": "pass_points", "grant": "grant_points", "speed": "speed_points", "outcomes": "outcome_points"}
    if row.get(own.get(channel, ""), 0) > 0 or (row["frequency_points"] > 0 and row["frequency_channel"] == channel):
        return ""
    if channel in ("inspections", "approvals", "evaluations"):
        n, expected = row[f"{channel}_observed"], row[f"{channel}_expected"]
        what = counted(n, channel[:-1]) if channel != "evaluations" else \
            f"sat on {counted(n, 'committee')} of tenders it bid in"
        return f"{what}, {expected:.1f} expected"
    if channel == "leniency":
        reading = row.get("leniency_outcome", "pass")
        n, x, expected_bad = int(row[f"{reading}_n"]), int(row[f"{reading}_x"]), row[f"{reading}_expected_bad"]
        if reading == "pass":
            return f"passed {x} of {n} inspections, {n - expected_bad:.1f} expected"
        return f"failed {n - x} of {n} inspections, {expected_bad:.1f} expected"
    if channel == "grant":
        return f"granted {int(row['grant_x'])} of {int(row['grant_n'])}, {_pct(row['grant_p0'])} expected"
    if channel == "speed":
        mine, others = speed_days
        if mine is None or others is None:
            return ""
        if by_kind and len(by_kind) > 1:
            return _speed_told(by_kind, mine, others, "")
        return f"median {_days_unit(mine)} against {_days_unit(others)} for its other firms"
    if channel == "outcomes":
        return (f"won {int(row['wins_in'])} of the {int(row['bids_in'])} tenders the official evaluated, "
                f"{row['expected_in']:.1f} expected")
    return ""


def _tail(size: Any, baseline: Any, channel: str) -> dict[str, Any]:
    """The frequency p-value's distribution, for the evidence (``{}`` when the channel was not tested)."""
    if size is None or pd.isna(size):
        return {}
    if np.isinf(size):
        return {"tail": "Poisson", "dispersion_size": None}
    widened = f"{1 + float(baseline) / size:.1f}× the Poisson's" if pd.notna(baseline) else "wider"
    return {"tail": f"negative binomial: the department's other officials' {channel} vary between firms far more "
                    f"than chance, so at this pair's baseline the spread allowed is {widened} "
                    f"(size k = {size:.2f}) and the p-value is read from that wider tail",
            "dispersion_size": _num(size)}


def _territory(row: pd.Series, channel: str, min_firms: int) -> dict[str, Any]:
    """Where the frequency baseline was drawn from, for the evidence (``{}`` outside a territory);
    a locality of fewer than ``min_firms`` firms is a small district (:func:`small_districts`)."""
    where = row.get(f"{channel}_territory")
    if not isinstance(where, str):
        return {}
    n, firms = int(row[f"{channel}_territory_observed"]), int(row[f"{channel}_territory_firms"])
    small = (f"; {where} is a small district: the department served {firms} firms there, all of them by this "
             f"official, which made most of the department's {channel} with the firm's neighbours") \
        if firms < min_firms else ""
    return {"territory": {
        "locality": where, "official_interactions_there": n, "firms_served_there": firms,
        "small_district": firms < min_firms,
        "rule": f"the firm is based in {where}, where the official made {n} of its {channel} with {firms} firms "
                f"(outside any case-officer assignment): the baseline shares that work among those firms by their "
                f"size, since the department's officials were found to work territories{small}"}}


def _finding(row: pd.Series, names: dict[str, dict[str, str]], approvals: pd.DataFrame,
             params: Params, periods: dict[tuple[str, str, str], Period]) -> Finding:
    official, firm = str(row[OID]), str(row[FID])
    oname = names["officials"].get(official, official)
    fname = names["firms"].get(firm, firm)
    counts = {ch: int(row.get(f"{ch}_observed", 0.0) or 0) for ch in ("inspections", "approvals", "evaluations")}
    still_open = int(row.get("approvals_open", 0) or 0)  # of the approvals counted
    # the committee results of a pair whose outcome was not tested (:func:`_results_told`)
    decided, won = (0, 0) if not pd.isna(row.get("wins_in")) or not counts["evaluations"] else \
        (int(row.get("committee_decided", 0)), int(row.get("committee_won", 0)))
    components: dict[str, dict[str, Any]] = {}
    phrases: list[tuple[float, str]] = []  # (points, phrase with the official as subject)

    for ch, obs in counts.items():
        if obs > 0:
            (first, last), dated = periods.get((official, firm, ch), ((None, None), 0))
            components[f"frequency_{ch}"] = {
                "value": obs, **({"still_open": still_open} if ch == "approvals" else {}),
                "first": first, "last": last, "dated": dated, "baseline": _num(row[f"{ch}_expected"], 2),
                "lift": _num(row[f"{ch}_lift"], 2), "pvalue": _prob(row[f"{ch}_pvalue"]),
                **({"min_attainable_pvalue": _prob(row[f"{ch}_pmin"])} if f"{ch}_pmin" in row else {}),
                "qvalue": _prob(row.get(f"{ch}_qvalue")),
                **({"baseline_from": BASELINE_FROM[row[f"{ch}_frequency_model"]]}
                   if isinstance(row.get(f"{ch}_frequency_model"), str) else {}),
                **_tail(row.get(f"{ch}_dispersion"), row.get(f"{ch}_expected"), ch),
                **_territory(row, ch, params.territory_min_firms),
                "threshold": {"lift_floor": params.lift_floor, "lift_full": params.lift_full,
                              "q_weak": params.q_weak, "q_strong": params.q_strong},
                "contribution": _num(row["frequency_points"], 2) if row["frequency_channel"] == ch else 0.0,
            }
    if row["frequency_points"] > 0:
        ch = row["frequency_channel"]
        when = _between(periods, (official, firm, ch), counts[ch])
        if ch == "evaluations":  # "… 10 tenders F bid in, between …": not "bid in between"
            done = f"sat on the committees of {counted(counts[ch], 'tender')} {fname} bid in"
            when = "," + when if when else when
        else:
            verb = {"inspections": "inspected", "approvals": "handled approvals for" if still_open
                    else "decided approvals for"}[ch]
            done = f"{verb} {fname} {counted(counts[ch], 'time')}"
            done += f" ({still_open} still open)" if ch == "approvals" and still_open else ""
        where = row.get(f"{ch}_territory")
        basis = "its bids and the official's share of committee seats" if ch == "evaluations" else \
            f"the official's workload and market in {where}" if isinstance(where, str) else \
            "the official's workload and market"
        opening = f"{done}{when} — {row[ch + '_lift']:.1f}× what {basis} predict ({row[ch + '_expected']:.1f})"
    else:
        parts = [counted(n, ch[:-1]) for ch, n in counts.items() if n]
        told = f": {_results_told(decided, won, counts['evaluations'])}" \
            if decided and parts[-1].endswith(("evaluation", "evaluations")) else ""
        opening = (f"dealt with {fname} {counted(sum(counts.values()), 'time')} ({', '.join(parts)}{told})"
                   f"{_between(periods, (official, firm, 'all'), sum(counts.values()))}")
    in_assignment = {ch: int(row.get(f"{ch}_assigned", 0.0) or 0) for ch in ("inspections", "approvals")}
    if any(in_assignment.values()):
        since, until = row.get("assigned_since"), row.get("assigned_until")  # ISO days, None when open
        components["assignment"] = {
            "value": "assigned case officer", "since": since, "until": until,
            "inspections_while_assigned": in_assignment["inspections"],
            "approvals_while_assigned": in_assignment["approvals"],
            "rule": "inspections and approvals made while assigned to the firm are its job: left out of the "
                    "frequency test (leniency, speed, outcomes and ties read them)",
            "contribution": 0.0,
        }
        period = (f" from {since}" if since else "") + (f" until {until}" if until else "")
        done = ", ".join(counted(n, ch[:-1]) for ch, n in in_assignment.items() if n)
        if sum(counts.values()):
            opening += f" (besides {done} as its assigned case officer{period})"
        else:  # everything it did for the firm, it did as its case officer
            opening = f"was the assigned case officer of {fname}{period} ({done})"
    for reading in ("pass", "nofail"):
        if pd.isna(row.get(f"{reading}_n")):
            continue
        chosen = row.get("leniency_outcome", "pass") == reading
        components[f"leniency_{reading}"] = {
            "value": _num(row[f"{reading}_x"] / row[f"{reading}_n"]), "count": _num(row[f"{reading}_x"], 0),
            "inspections": _num(row[f"{reading}_n"], 0), "baseline": _num(row[f"{reading}_p0"]),
            "expected_failures" if reading == "nofail" else "expected_non_passes": _num(row[f"{reading}_expected_bad"], 2),
            "other_officials_inspections": _num(row[f"{reading}_others_n"], 0),
            "other_officials_rate_for_firm": _num(row[f"{reading}_p_peer"]),
            "firm_standardised_ratio": _num(row[f"{reading}_firm_ratio"]),
            "official_rate_other_firms": _num(row[f"{reading}_p_own"]),
            "official_standardised_ratio": _num(row[f"{reading}_official_ratio"]),
            "market_rate_for_kinds": _num(row[f"{reading}_p_kind"]), "effect": _num(row[f"{reading}_effect"]),
            "pvalue": _prob(row[f"{reading}_pvalue"]), "min_attainable_pvalue": _prob(row[f"{reading}_pmin"]),
            "qvalue": _prob(row.get(f"{reading}_qvalue")),
            "threshold": {"leniency_full": params.leniency_full, "min_inspections": params.min_inspections,
                          "q_weak": params.q_weak, "q_strong": params.q_strong},
            "contribution": _num(row["pass_points"], 2) if chosen else 0.0,
        }
        if chosen and row["pass_points"] > 0:
            n, x = int(row[f"{reading}_n"]), int(row[f"{reading}_x"])
            n_others = int(row[f"{reading}_others_n"])
            if reading == "pass":
                passed = n_others - int(row["pass_others_bad"])
                text = (f"passed it {x} of {n} times while other officials passed it in {passed} of their "
                        f"{n_others} inspections ({_pct(row['pass_p_peer'])}; {_pct(row['pass_p0'])} expected from "
                        f"this official)")
            else:
                text = (f"failed it {counted(n - x, 'time')} in {n} inspections while other officials failed it "
                        f"in {int(row['nofail_others_bad'])} of their {n_others} inspections "
                        f"({_pct(1 - row['nofail_p_peer'])}; {row['nofail_expected_bad']:.1f} failures expected from "
                        f"this official)")
            phrases.append((row["pass_points"], text))
    if not pd.isna(row.get("penalty_n")):
        components["leniency_penalty"] = {
            "value": _num(1 - row["penalty_x"] / row["penalty_n"]), "baseline": _num(1 - row["penalty_p0"]),
            "mean_penalty": _num(row.get("penalty_mean"), 2),
            "peer_mean_penalty": _num(row.get("penalty_peer_mean"), 2),
            "pvalue": _prob(row["penalty_pvalue"]), "qvalue": _prob(row.get("penalty_qvalue")),
            "contribution": _num(row["penalty_points"], 2),
        }
        if row["penalty_points"] > 0:
            phrases.append((row["penalty_points"],
                            f"penalised it in {_pct(1 - row['penalty_x'] / row['penalty_n'])} of inspections "
                            f"against {_pct(1 - row['penalty_p0'])} expected"))
    if not pd.isna(row.get("grant_n")):
        components["leniency_grant"] = {
            "value": _num(row["grant_x"] / row["grant_n"]), "decisions": _num(row["grant_n"], 0),
            "baseline": _num(row["grant_p0"]), "pvalue": _prob(row["grant_pvalue"]),
            "qvalue": _prob(row.get("grant_qvalue")),
            "contribution": _num(row["grant_points"], 2),
        }
        if row["grant_points"] > 0:
            phrases.append((row["grant_points"],
                            f"granted {int(row['grant_x'])} of its {int(row['grant_n'])} applications against "
                            f"{_pct(row['grant_p0'])} expected"))
    compared = None if pd.isna(row.get("n_timed")) else _compared_approvals(approvals, official, firm)
    mine, others = (None, None) if compared is None else _approval_days(approvals, official, firm, compared)
    by_kind = [] if compared is None else _approval_days_by_kind(approvals, official, firm, compared)
    if not pd.isna(row.get("n_timed")):
        components["speed"] = {
            "value": _num(mine, 1), "baseline": _num(others, 1), "approvals": _num(row["n_timed"], 0),
            "by_kind": [{"kind": k, "approvals": n, "median_days": _num(m, 1), "others_median_days": _num(o, 1)}
                        for k, n, m, o in by_kind],
            "rank_biserial": _num(row["speed_effect"]), "z": _num(row["speed_z"], 2),
            "firm_pace_with_other_officials": _num(row.get("firm_pace"), 2),
            "firm_approvals_with_other_officials": _num(row.get("firm_pace_n"), 0),
            "pvalue": _prob(row["speed_pvalue"]), "qvalue": _prob(row.get("speed_qvalue")),
            "threshold": {"speed_full": params.speed_full, "min_approvals": params.min_approvals},
            "contribution": _num(row["speed_points"], 2),
        }
        if row["speed_points"] > 0 and mine is not None and others is not None:
            pace = row.get("firm_pace")
            elsewhere = ""
            if pd.notna(pace) and pace < 0.8:
                elsewhere = (f" (other officials, too, decide its files in {_pct(pace)} of their usual time, "
                             f"which the test allowed for)")
            elif pd.notna(pace) and pace > 1.25:  # the raw medians would understate how unusual it is
                elsewhere = (f" (other officials take {_pct(pace)} of their usual time on its files, which the "
                             f"test allowed for)")
            kinds = f" of {len(by_kind)} kinds" if len(by_kind) > 1 else ""
            phrases.append((row["speed_points"],
                            f"decided its {int(row['n_timed'])} approvals{kinds} "
                            + _speed_told(by_kind, mine, others,
                                          "the approvals of the same kinds it decided for other firms")
                            + elsewhere))
    if not pd.isna(row.get("wins_in")):
        components["outcomes"] = {
            "value": _num(row["wins_in"], 0), "bids": _num(row["bids_in"], 0),
            "baseline": _num(row["expected_in"], 2), "lift": _num(row["outcome_lift"], 2),
            "strength_elsewhere": _num(row["strength_out"], 2), "pvalue": _prob(row["outcome_pvalue"]),
            "min_attainable_pvalue": _prob(row["outcome_pmin"]), "qvalue": _prob(row.get("outcome_qvalue")),
            "threshold": {"outcome_lift_full": params.outcome_lift_full, "min_wins": params.min_wins},
            "contribution": _num(row["outcome_points"], 2),
        }
        if row["outcome_points"] > 0:
            phrases.append((row["outcome_points"],
                            f"saw it win {int(row['wins_in'])} of the {int(row['bids_in'])} tenders the official "
                            f"evaluated against {row['expected_in']:.1f} expected"))
    if not pd.isna(row.get("corroboration_pvalue")):
        components["corroboration"] = {
            "value": row["corroboration_channels"] or None, "pvalue": _prob(row["corroboration_pvalue"]),
            "qvalue": _prob(row.get("corroboration_qvalue")),
            "threshold": {"q_weak": params.q_weak, "q_strong": params.q_strong,
                          "rule": "score = max(component sum, corroboration) + ties"},
            "contribution": _num(row["corroboration_points"], 2),
        }
        if row["corroboration_points"] > row["tested_points"] and row["corroboration_channels"]:
            channels = row["corroboration_channels"].split(", ")
            facts = "; ".join(f"{ch}: {fact}" if fact else ch for ch in channels
                              for fact in [_channel_fact(row, ch, (mine, others), by_kind)])
            phrases.append((row["corroboration_points"],
                            f"deviated in {len(channels)} kinds of dealings at once ({facts}; the chance of at least "
                            f"two of them deviating this far by coincidence is {_chance(row['corroboration_pvalue'])})"))
    ties = row.get("ties")
    if isinstance(ties, list) and ties:
        components["ties"] = {"value": ties, "contribution": _num(row["tie_points"], 2),
                              "threshold": "an identifier counts 1/(firms using it) of its weight"}
        if row["tie_points"] > 0:
            # the tie has its own subject (a relative, a phone): a clause of the official's, or the
            # sentence would read as if the relative decided the approvals that follow it
            phrases.append((row["tie_points"], f"is tied to it ({ties[0]['detail']})"))

    phrases.sort(key=lambda p: -p[0])
    said = [opening] + [p[1] for p in phrases[:4]]
    text = joined(said)
    explanation = f"{oname} {text}."
    evidence = {
        "components": components,
        "department_id": row.get("department_id"),
        "portfolio_share": _num(row["portfolio_share"]),
        **({"committee_results": {"tenders": counts["evaluations"], "with_known_winner": decided, "won": won}}
           if decided else {}),
        "score_threshold": params.threshold,
        "report_floor": params.report_floor,
        "tier": "strong" if row["score"] >= params.threshold else "weak",
        "score": _num(row["score"], 2),
    }
    return Finding(detector=NAME, kind="pair", score=float(round(row["score"], 4)), explanation=explanation,
                   evidence=evidence, official_id=official, firm_id=firm)


def detect(data: MarketData, params: Params | None = None, seed: int = 0) -> list[Finding]:
    """Official–firm pairs scoring at least ``params.report_floor``, highest first.

    Each finding's evidence carries ``tier``: ``"strong"`` at ``params.threshold`` or above,
    ``"weak"`` below it.

    Deterministic; ``seed`` is accepted for the shared interface (nothing here is random).
    """
    params = params or Params()
    frame = pair_frame(data, params)
    hits = frame[(frame["score"] > 0) & (frame["score"] >= params.report_floor)]
    weak = hits[hits["score"] < params.threshold]
    if len(weak) > params.max_weak_leads:
        keep = weak.head(params.max_weak_leads)  # pair_frame's order: score, corroboration, ids
        hits = hits[(hits["score"] >= params.threshold) | hits.index.isin(keep.index)]
    names = {"officials": labels(data.officials, OID), "firms": labels(data.firms, FID)}  # "Name (id)" where named
    approvals = _clean(data.approvals)
    approvals = approvals.assign(**{KIND: approvals[KIND].fillna("").astype(str)})
    # the sentence's periods span the events it counts: those outside an assignment
    in_assignment = _in_assignment(data.inspections, data.approvals, data.assignments)
    counted = dataclasses.replace(data, inspections=data.inspections[~in_assignment["inspections"]],
                                  approvals=data.approvals[~in_assignment["approvals"]])
    periods = _periods(counted, hits)
    return [_finding(row, names, approvals, params, periods) for _, row in hits.iterrows()]


def _results_told(decided: int, won: int, met: int) -> str:
    """Whether the firm won the tenders the official evaluated, for a pair whose committee meetings
    were too few for the outcome test (a tie's pair: a relative's firm in one tender the official
    evaluated is a conflict of interest whether it won or lost, and which of the two happened is the
    investigator's first question). ``the firm lost that tender``, ``the firm won 1 of those 3
    tenders``; of ``met`` tenders, where only ``decided`` have a known winner: ``the firm lost the 1
    with a known winner``."""
    if decided == met:
        return f"the firm {'won' if won else 'lost'} that tender" if met == 1 else \
            f"the firm won {won} of those {met} tenders"
    if decided == 1:
        return f"the firm {'won' if won else 'lost'} the 1 with a known winner"
    return f"the firm won {won} of the {decided} with a known winner"
