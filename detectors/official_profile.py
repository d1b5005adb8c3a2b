"""The official's iron-cage record (数据铁笼): workload, overdue cases, deviation from peers, closeness.

Per official and calendar month (:func:`official_profile_frame`):

workload (工作量)
    ``inspections`` conducted (month of ``date``), ``approvals`` decided (month of
    ``decided_at``) and ``evaluations`` sat on (month of the tender's ``deadline_at``, else
    ``published_at``); ``workload`` is their sum.
overdue (超期量)
    An approval is overdue when it took longer than ``statutory_days``:
    ``days_over = (decided date − applied date) − statutory_days`` in calendar days, > 0. An
    approval still undecided at the approvals' last date (``as_of``: the latest application or
    decision; tables of other systems may run later) is measured to ``as_of`` and, when past its
    deadline, counts as overdue in the month of ``as_of`` ("open_overdue").
    Decided cases count in the month of the decision. ``overdue_share = overdue /
    (approvals + open overdue)``, over approvals with an application date (one decided
    without it counts in the workload and its month, but has no days to be overdue by).
behaviour
    ``pass_rate`` (share of inspections with result ``pass``), ``penalty_mean`` (mean
    penalty per inspection), ``approval_days`` (median decided_at − applied_at, days), and
    ``fail_ratio``: the official's failures over the failures its own firms' records with
    the *other* officials predict (``(O + ½) / (E + ½)``, :func:`_expected_failures`;
    indirect standardisation). Inspectors rarely see the same firms — one has the poor
    firms of a district or a case list, another the good ones — so raw pass rates compare
    portfolios as much as officials; the ratio compares each with its own firms.
deviation (偏离度)
    Robust z-score of each behaviour metric against the officials of the same department
    in the same month: ``z = (x − median) / (1.4826 · MAD)`` (Iglewicz & Hoaglin's modified
    z-score); when the MAD is 0 the scale is ``1.2533 · mean absolute deviation``; when that
    is 0 too, every value equals the median and z = 0. A z needs the official's volume to be
    at least ``min_volume_month`` and at least ``min_peers`` officials with that volume in
    the group; otherwise it is NaN. The failure ratio's z is a funnel-plot z instead
    (:func:`funnel_z`): a count compared with its expectation, exact for small counts and
    allowing for the peers' real spread, so two expected failures cannot make an outlier.
closeness (亲密度)
    ``closeness_max`` and ``closeness_firm_id``: the official's strongest reported pair from
    :mod:`detectors.closeness` over the whole period (repeated on every month). Pass the
    closeness findings as ``pairs`` when you already have them (the runner does); with
    ``pairs=None`` they are computed here with :func:`detectors.closeness.detect`; with
    ``pairs=[]`` the columns stay empty.

:func:`detect` emits one ``official`` finding per official whose whole-period record deviates
strongly from the department's peers: ``|z| ≥ z_threshold`` on the failure ratio (the pass
rate only where no failure ratio can be computed) or mean penalty (either direction: too
lenient or too harsh), or ``z ≥ z_threshold`` on approval time or
overdue share (only the slow side is a red flag), each with enough volume — the overdue share
also needs its count to beat chance alone, a funnel z without the peers' spread
(:func:`funnel_z`, ``spread=False``) of at least ``z_threshold`` against the peers' typical
rate, since a robust z of shares reads 2 late approvals of 10 among mostly punctual peers
as an outlier (demo seed 1: z 3.8, where the peers' rate gives 0.45 and chance alone 2 or more
one time in 13); or many overdue
cases (``overdue ≥ overdue_min_count`` and ``overdue_share ≥ overdue_min_share``). When a
department has fewer than ``min_peers`` officials with enough volume, its officials are
compared with all officials in the market. Score ``= 100 · (1 − exp(−S / 6))`` where S sums
the flagged ``|z|`` (each capped at 10) and, for many overdue cases, ``10 · overdue_share``.

References
----------
Iglewicz, B. & Hoaglin, D. (1993), *How to Detect and Handle Outliers* (modified z-score,
3.5 cut-off). Guiyang "data iron cage" (2015): workload, closeness, deviation, overdue.
Breslow, N. E. & Day, N. E. (1987), *Statistical Methods in Cancer Research II* (indirect
standardisation). Spiegelhalter, D. J. (2005), "Funnel plots for comparing institutional
performance", Statistics in Medicine 24(8), 1185–1202.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from detectors import closeness
from detectors.finding import Finding, between, counted, labelled, span, yearly
from detectors.market import FAILED_RESULTS, PASSED_RESULTS, MarketData, once_per_id, plain_text

__all__ = ["NAME", "Params", "detect", "official_profile_frame", "official_totals", "robust_z",
           "funnel_z", "period_deviation", "approval_overdue", "as_of_date"]

NAME = "official_profile"
OID, DEPT = "official_id", "department_id"
MAD_SCALE = 1.4826  # 1 / Φ⁻¹(3/4): MAD → σ for normal data
MEANAD_SCALE = 1.2533  # √(π/2): mean absolute deviation → σ for normal data

# metric → (volume column it needs, which deviations are red flags: "both" or "high").
# fail_ratio is the case-mix-adjusted reading of pass_rate: failures over the failures the
# official's own firms' records with other officials predict (:func:`_expected_failures`).
METRICS: dict[str, tuple[str, str]] = {
    "pass_rate": ("inspections", "both"),
    "fail_ratio": ("inspections", "both"),
    "penalty_mean": ("inspections", "both"),
    "approval_days": ("approvals_timed", "high"),
    "overdue_share": ("approval_cases", "high"),
}
# a metric read only when the other is not available: the raw pass rate compares officials
# who see different firms, the failure ratio compares each with its own firms' records
FALLBACK = {"pass_rate": "fail_ratio"}


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Params:
    """Settings of the official profile.

    z_threshold: |robust z| that makes a deviation a finding [3.5, Iglewicz & Hoaglin].
    min_inspections / min_approvals: whole-period volume an official needs for its rate
        metrics to be compared [20 / 10].
    min_volume_month: monthly volume for a monthly z in the frame [5].
    min_peers: officials (with enough volume) a group needs for a z [4].
    overdue_min_count / overdue_min_share: "many overdue cases" [10 / 0.5].
    as_of: the date open approvals are measured to [None: the approvals' last date].
    passed_results / failed_results [pass, passed, 合格, 通过 / fail, failed, 不合格, 不通过, 未通过]:
        results (lower case) that count as a pass / a failure (``detectors.market``).
    firm_prior: pseudo-inspections at the kind's failure rate that shrink a firm's failure
        rate with the other officials, for the expected failures of ``fail_ratio`` [5].
    """

    z_threshold: float = 3.5
    min_inspections: int = 20
    min_approvals: int = 10
    min_volume_month: int = 5
    min_peers: int = 4
    overdue_min_count: int = 10
    overdue_min_share: float = 0.5
    as_of: str | None = None
    passed_results: tuple[str, ...] = PASSED_RESULTS
    failed_results: tuple[str, ...] = FAILED_RESULTS
    firm_prior: float = 5.0

    def check(self) -> list[str]:
        """What cannot work in these values (for a settings file; detectors.settings)."""
        if self.as_of is not None:
            try:
                day = datetime.date.fromisoformat(self.as_of) if ISO_DAY.fullmatch(self.as_of) else None
            except ValueError:
                day = None
            if day is None or not 1900 <= day.year <= 2200:
                return [f"as_of {self.as_of!r} is not a date YYYY-MM-DD between 1900 and 2200"]
        return []


# --------------------------------------------------------------------------- building blocks


def robust_z(values: pd.Series, groups: pd.Series | None = None, eligible: pd.Series | None = None,
             min_peers: int = 4) -> pd.Series:
    """Robust z-score of ``values`` within ``groups``: ``(x − median) / (1.4826 · MAD)``.

    Median and MAD are taken over the ``eligible`` rows of each group (all non-NaN rows by
    default); z is returned for eligible rows only. MAD = 0 falls back to 1.2533 × the mean
    absolute deviation; if that is 0 as well, z = 0 at the median (and ±inf elsewhere is
    impossible because every eligible value is the median). Groups with fewer than
    ``min_peers`` eligible rows get NaN.
    """
    with warnings.catch_warnings():  # groups without eligible values give NaN, as meant
        warnings.simplefilter("ignore", RuntimeWarning)
        return _robust_z(values, groups, eligible, min_peers)


def _robust_z(values: pd.Series, groups: pd.Series | None, eligible: pd.Series | None,
              min_peers: int) -> pd.Series:
    values = values.astype(float)
    ok = values.notna() if eligible is None else (eligible.astype(bool) & values.notna())
    keys = groups if groups is not None else pd.Series(0, index=values.index)
    v = values.where(ok)
    med = v.groupby(keys).transform("median")
    dev = (v - med).abs()
    mad = dev.groupby(keys).transform("median") * MAD_SCALE
    mean_ad = dev.groupby(keys).transform("mean") * MEANAD_SCALE
    count = v.groupby(keys).transform("count")
    scale = mad.where(mad > 0, mean_ad)
    z = (v - med) / scale.where(scale > 0)
    z = z.where(scale > 0, 0.0).where(ok)
    return z.where(count >= min_peers)


def as_of_date(data: MarketData) -> pd.Timestamp | None:
    """The date the approvals are recorded to: their latest application or decision, else (no
    approval is dated) the data's last date — the latest inspection, publication or bid.

    An export's tables often come from different systems and end on different days: measured
    to a bid submitted a month after the approvals' extract, every case open in it read as a
    month late (27 of 35 open approvals "overdue" on a helper's unseen market, 3 at the
    approvals' own end)."""
    own = [c.max() for c in (data.approvals["applied_at"], data.approvals["decided_at"]) if c.notna().any()]
    if own:
        return max(own)
    candidates = [data.inspections["date"], data.tenders["published_at"], data.bids["submitted_at"]]
    latest = [c.max() for c in candidates if c.notna().any()]
    return max(latest) if latest else None


def _as_of(data: MarketData, params: Params) -> pd.Timestamp | None:
    """The day open approvals are measured to: ``params.as_of``, else :func:`as_of_date`."""
    return pd.Timestamp(params.as_of) if params.as_of else as_of_date(data)


def approval_overdue(approvals: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Per approval: ``days`` taken (to ``as_of`` while open), ``days_over`` the statutory limit, flags.

    Calendar days between dates (times of day ignored). ``overdue`` is True when
    ``days_over > 0``; ``open`` marks approvals without a decision date. A decision dated before its
    application is a data error: its days are unknown (NaN), not negative, so no median approval time
    reads "-6 days" and no peer comparison is made of them.
    """
    ap = approvals.copy()
    applied = ap["applied_at"].dt.normalize()
    ap["open"] = ap["decided_at"].isna()
    end = ap["decided_at"].dt.normalize()
    if as_of is not None:
        end = end.fillna(pd.Timestamp(as_of).normalize())
    days = (end - applied).dt.days.astype(float)
    ap["days"] = days.where(days >= 0)
    ap["days_over"] = ap["days"] - ap["statutory_days"]
    ap["overdue"] = (ap["days_over"] > 0).fillna(False)
    ap["days_over"] = ap["days_over"].where(ap["overdue"], 0.0)
    return ap


def _month(series: pd.Series) -> pd.Series:
    return series.dt.to_period("M").dt.to_timestamp()


def _closeness_best(data: MarketData, pairs: Sequence[Finding] | None,
                    pairs_params: closeness.Params | None = None) -> pd.DataFrame:
    if pairs is None:
        pairs = closeness.detect(data, params=pairs_params)
    rows = [(p.official_id, p.firm_id, float(p.score)) for p in pairs if p.kind == "pair" and p.official_id]
    if not rows:
        return pd.DataFrame(columns=[OID, "closeness_firm_id", "closeness_max"])
    frame = pd.DataFrame(rows, columns=[OID, "closeness_firm_id", "closeness_max"])
    frame = frame.sort_values(["closeness_max", OID, "closeness_firm_id"], ascending=[False, True, True])
    return frame.drop_duplicates(OID)


def _events(data: MarketData, params: Params, as_of: pd.Timestamp | None) -> dict[str, pd.DataFrame]:
    insp = data.inspections.dropna(subset=[OID, "date"])
    insp = once_per_id(insp, "inspection_id").copy()  # a row read twice
    insp["month"] = _month(insp["date"])
    insp["passed"] = plain_text(insp["result"]).isin(params.passed_results)
    insp["passed"] = insp["passed"].fillna(False).where(insp["result"].notna())
    insp = _expected_failures(insp, params)
    # a decision without an application date is still work done in its month; only its days
    # and overdue need the application (an open one without it has neither month nor days)
    ap = approval_overdue(once_per_id(data.approvals.dropna(subset=[OID]), "approval_id"), as_of)  # read twice
    ap = ap[ap["applied_at"].notna() | ap["decided_at"].notna()]
    ap["month"] = _month(ap["decided_at"].fillna(pd.Timestamp(as_of) if as_of is not None else pd.NaT))
    ap = ap.dropna(subset=["month"])
    ap["decided"] = ~ap["open"]
    # open cases count once overdue; a decision of unknown days (dated before its application) is no case to time
    ap["counted"] = (ap["decided"] & ap["applied_at"].notna() & ap["days"].notna()) | ap["overdue"]
    ap["decided_days"] = ap["days"].where(ap["decided"])
    ap["open_over"] = ap["open"] & ap["overdue"]
    ev = data.evaluations.dropna().drop_duplicates().copy()
    ev["day"] = ev["tender_id"].map(data.evaluation_days())
    ev["month"] = _month(ev["day"])
    return {"inspections": insp, "approvals": ap, "evaluations": ev.dropna(subset=["month"])}


def funnel_z(observed: pd.Series, expected: pd.Series, groups: pd.Series | None = None,
             eligible: pd.Series | None = None, min_peers: int = 4, spread: bool = True) -> pd.Series:
    """z of an observed count against its expectation, allowing for volume and for real spread.

    A robust z of ratios treats an official with 2 expected failures like one with 30:
    chance alone moves the small one's ratio far. As in a funnel plot with random-effects
    overdispersion (Spiegelhalter 2005), the official's count is compared with its peers'
    typical ratio ``θ`` (the median of ``(O + ½)/(E + ½)`` over the eligible peers of the
    group) under a Poisson–lognormal model::

        O ~ Poisson(θ · E · e^u),    u ~ N(0, τ²)

    ``τ²`` is what the peers differ by beyond chance: ``max(0, s² − median(1/(E + ½)))``
    with ``s = 1.4826 · MAD`` of their log ratios. The tails ``P(X ≤ O)`` and ``P(X ≥ O)``
    are exact in the Poisson part (integrated over ``u`` by 32-point Gauss–Hermite
    quadrature), so a handful of expected events cannot give an extreme z; the smaller tail
    is turned into a normal z, negative for too few events (a tail below 1e-300 counts as
    1e-300, so |z| stops at about 37). NaN outside eligible rows and in groups with fewer
    than ``min_peers`` of them. With ``spread=False``, ``τ = 0``: the z of chance alone, the
    count's exact Poisson tail at ``θ · E``.

    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24(8), 1185–1202.
    """
    o, e, ok, keys, x = _log_ratios(observed, expected, groups, eligible)
    with warnings.catch_warnings():  # groups without eligible values give NaN, as meant
        warnings.simplefilter("ignore", RuntimeWarning)
        med = x.groupby(keys).transform("median")
        s = (x - med).abs().groupby(keys).transform("median") * MAD_SCALE
        within = (1.0 / (e + 0.5)).where(ok).groupby(keys).transform("median")
        tau = np.sqrt((s ** 2 - within).clip(lower=0.0)) if spread else 0.0 * s
        count = x.groupby(keys).transform("count")
    rows = (ok & (count >= min_peers)).to_numpy()
    z = np.full(len(o), np.nan)
    if rows.any():
        nodes, weights = np.polynomial.hermite_e.hermegauss(32)
        weights = weights / weights.sum()
        mu = (np.exp(med.to_numpy()[rows]) * e.to_numpy()[rows])[:, None] * np.exp(tau.to_numpy()[rows][:, None] * nodes)
        k = o.to_numpy()[rows][:, None]
        # tails below 1e-300 underflow; they are held there, so |z| stops at about 37
        low = np.clip((stats.poisson.cdf(k, mu) * weights).sum(axis=1), 1e-300, 1.0)
        high = np.clip((stats.poisson.sf(k - 1, mu) * weights).sum(axis=1), 1e-300, 1.0)
        z[rows] = np.where(low < high, np.minimum(stats.norm.ppf(low), 0.0), np.maximum(stats.norm.isf(high), 0.0))
    return pd.Series(z, index=o.index)


def _peer_ratio(observed: pd.Series, expected: pd.Series, groups: pd.Series | None = None,
                eligible: pd.Series | None = None) -> pd.Series:
    """The peers' typical ratio ``θ`` of :func:`funnel_z` on each row: ``exp(median log((O + ½)/(E + ½)))``
    over the eligible rows of its group (NaN where the group has none). ``θ · E`` is the count
    its z is measured against."""
    _o, _e, _ok, keys, x = _log_ratios(observed, expected, groups, eligible)
    with warnings.catch_warnings():  # groups without eligible values give NaN, as meant
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.exp(x.groupby(keys).transform("median"))


def _log_ratios(observed: pd.Series, expected: pd.Series, groups: pd.Series | None,
                eligible: pd.Series | None) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """observed, expected as float, the eligible rows (counts known, E > 0), the group keys and
    ``log((O + ½)/(E + ½))`` on the eligible rows (NaN elsewhere)."""
    o = observed.astype(float)
    e = expected.astype(float)
    ok = o.notna() & e.notna() & (e > 0)
    if eligible is not None:
        ok &= eligible.astype(bool)
    keys = groups if groups is not None else pd.Series(0, index=o.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return o, e, ok, keys, np.log((o + 0.5) / (e + 0.5)).where(ok)


def _overdue_by_chance(totals: pd.DataFrame, groups: pd.Series | None, eligible: pd.Series,
                       min_peers: int) -> tuple[pd.Series, pd.Series]:
    """The overdue count's z of chance alone (:func:`funnel_z` with ``spread=False``) and the count
    it is measured against, ``θ · E``: ``E`` = the official's approval cases × its group's overdue
    rate over the eligible officials, ``θ`` the peers' typical ratio. A robust z of shares reads
    2 late of 10, against mostly punctual peers, as an outlier (z 3.8); a chance of 0.08 says it is not."""
    cases, late = totals["approval_cases"].astype(float), totals["overdue"].astype(float)
    keys = groups if groups is not None else pd.Series(0, index=totals.index)
    rate = late.where(eligible).groupby(keys).transform("sum") / cases.where(eligible).groupby(keys).transform("sum")
    expected = cases * rate
    theta = _peer_ratio(late, expected, groups, eligible)
    return funnel_z(late, expected, groups, eligible, min_peers, spread=False), theta * expected


def period_deviation(record: pd.DataFrame, min_peers: int = 4) -> pd.DataFrame:
    """Deviation from department peers (偏离度) of a per-official record over a period.

    ``record`` has one row per official with ``department_id``, ``workload``, ``approvals``,
    ``overdue``, ``inspections`` and ``passes`` (the app's Officials table). Returns
    ``workload_z``, ``overdue_z``, ``pass_rate_z`` and ``deviation`` (the largest ``|z|``):

    * ``workload_z`` — robust z of the workload (:func:`robust_z`, median and MAD of the
      department's officials);
    * ``overdue_z`` — funnel z (:func:`funnel_z`) of the overdue approvals against
      ``approvals × the department's overdue rate``, for officials who decided any;
    * ``pass_rate_z`` — funnel z of the inspections not passed against ``inspections × the
      department's not-passed rate``, sign turned so that more passes is positive.

    The funnel z is exact for small counts: two overdue approvals out of two is an outlier
    by share, not by evidence, where a mean/sd z of the shares called it one (Spiegelhalter
    2005). NaN where a department has fewer than ``min_peers`` officials with the volume.
    """
    groups = record[DEPT].fillna("")
    out = pd.DataFrame(index=record.index)
    out["workload_z"] = robust_z(record["workload"], groups, min_peers=min_peers)
    for column, count, volume, sign in (("overdue_z", record["overdue"], record["approvals"], 1.0),
                                        ("pass_rate_z", record["inspections"] - record["passes"],
                                         record["inspections"], -1.0)):
        volume = volume.astype(float)
        rate = count.groupby(groups).transform("sum") / volume.groupby(groups).transform("sum")
        out[column] = sign * funnel_z(count, volume * rate, groups, volume > 0, min_peers)
    out = out.round(2) + 0.0  # no "-0.00"
    out["deviation"] = out[["workload_z", "overdue_z", "pass_rate_z"]].abs().max(axis=1)
    return out


def _z(frame: pd.DataFrame, metric: str, groups: pd.Series | None, eligible: pd.Series,
       min_peers: int) -> pd.Series:
    """The metric's z against its peers: funnel z for the failure ratio, robust z otherwise."""
    if metric == "fail_ratio":
        return funnel_z(frame["fails"], frame["expected_fails"], groups, eligible, min_peers)
    return robust_z(frame[metric], groups, eligible, min_peers)


def _expected_failures(insp: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Each rated inspection's chance of a failure given its firm's record with the other officials.

    ``p = (F_f − F_fo + m·r) / (N_f − N_fo + m)``: the firm's failures and rated inspections
    by every other official, shrunk towards ``r``, the kind's failure rate among the other
    officials' inspections ``(F_k − F_ko) / (N_k − N_ko)``, with ``m = firm_prior``
    pseudo-inspections. Everything is leave-one-official-out, so an official's own verdicts
    do not set its expectation, even where it is a firm's only inspector or does most of a
    kind's work. An inspection without a firm id has no firm record: p is the kind's rate.
    Summed per official this is indirect standardisation (Breslow & Day 1987): an inspector
    assigned poor firms is expected to fail more of them, so its failures are compared with
    what its own firms predict, not with peers who see other firms.
    """
    rated = insp["result"].notna()
    failed = plain_text(insp["result"]).isin(params.failed_results)
    insp = insp.assign(failed=(failed.fillna(False) & rated).astype(float))
    official = insp[OID].astype(str)
    kind = insp["kind"].fillna("").astype(str)
    firm = insp["firm_id"]

    def others(key: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Failures and rated inspections of each row's group (key), minus the row's official's."""
        groups = insp.loc[rated].groupby(key[rated])["failed"].agg(["sum", "count"])
        own = insp.loc[rated].groupby([key[rated], official[rated]])["failed"].agg(["sum", "count"])
        total = groups.reindex(pd.Index(key)).fillna(0.0).to_numpy()
        less = own.reindex(pd.MultiIndex.from_arrays([key, official])).fillna(0.0).to_numpy()
        return total[:, 0] - less[:, 0], total[:, 1] - less[:, 1]

    kind_f, kind_n = others(kind)
    firm_f, firm_n = others(firm.fillna("").astype(str))
    no_firm = firm.isna().to_numpy()
    firm_f, firm_n = np.where(no_firm, 0.0, firm_f), np.where(no_firm, 0.0, firm_n)
    m = params.firm_prior
    rate = np.divide(kind_f, kind_n, out=np.zeros(len(insp)), where=kind_n > 0)
    expected = (firm_f + m * rate) / (firm_n + m)
    return insp.assign(expected_fail=np.where(rated, expected, 0.0))


def _aggregate(ev: dict[str, pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    with warnings.catch_warnings():  # medians of all-NaN groups (no decided approvals) are NaN, as meant
        warnings.simplefilter("ignore", RuntimeWarning)
        return _aggregate_counts(ev, keys)


def _aggregate_counts(ev: dict[str, pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    insp, ap, evals = ev["inspections"], ev["approvals"], ev["evaluations"]
    a = insp.groupby(keys).agg(inspections=("passed", "size"), passes=("passed", "sum"),
                               results=("passed", "count"), penalties_total=("penalty", "sum"),
                               fails=("failed", "sum"), expected_fails=("expected_fail", "sum"))
    b = ap.groupby(keys).agg(approvals=("decided", "sum"), approvals_timed=("decided_days", "count"),
                             approval_cases=("counted", "sum"),
                             overdue=("overdue", "sum"), open_overdue=("open_over", "sum"),
                             overdue_days=("days_over", "sum"), approval_days=("decided_days", "median"))
    c = evals.groupby(keys).size().rename("evaluations")
    out = a.join(b, how="outer").join(c, how="outer")
    counts = ["inspections", "passes", "results", "approvals", "approvals_timed", "approval_cases", "overdue",
              "open_overdue", "evaluations"]
    out[counts] = out[counts].astype(float).fillna(0).astype(int)
    out[["penalties_total", "overdue_days", "fails", "expected_fails"]] = \
        out[["penalties_total", "overdue_days", "fails", "expected_fails"]].fillna(0.0)
    out["workload"] = out["inspections"] + out["approvals"] + out["evaluations"]
    out["pass_rate"] = out["passes"] / out["results"].where(out["results"] > 0)
    out["fail_ratio"] = ((out["fails"] + 0.5) / (out["expected_fails"] + 0.5)).where(out["results"] > 0)
    out["penalty_mean"] = out["penalties_total"] / out["inspections"].where(out["inspections"] > 0)
    out["overdue_share"] = out["overdue"] / out["approval_cases"].where(out["approval_cases"] > 0)
    return out.reset_index()


# --------------------------------------------------------------------------- the frame


def official_profile_frame(data: MarketData, pairs: Sequence[Finding] | None = None,
                           params: Params | None = None) -> pd.DataFrame:
    """One row per official × month: workload, overdue, behaviour, robust z vs peers, closeness.

    Columns: official_id, name, department_id, month (first day, Timestamp), inspections,
    approvals, evaluations, workload, passes, pass_rate, penalties_total, penalty_mean,
    approval_days, approvals_timed (the decided approvals with an application date, which
    approval_days is the median of), approval_cases, overdue, open_overdue, overdue_days,
    overdue_share, z_pass_rate, z_penalty_mean, z_approval_days, z_overdue_share,
    closeness_max, closeness_firm_id. Sorted by official, month.
    """
    params = params or Params()
    as_of = _as_of(data, params)
    frame = _aggregate(_events(data, params, as_of), [OID, "month"])
    officials = data.officials.drop_duplicates(OID).set_index(OID)
    frame.insert(1, "name", frame[OID].map(officials["name"]))
    frame.insert(2, DEPT, frame[OID].map(officials[DEPT]).fillna(""))
    group = frame[DEPT].astype(str) + "|" + frame["month"].astype(str)
    for metric, (volume, _side) in METRICS.items():
        frame["z_" + metric] = _z(frame, metric, group, frame[volume] >= params.min_volume_month,
                                  params.min_peers)
    best = _closeness_best(data, pairs)
    frame = frame.merge(best, on=OID, how="left")
    return frame.sort_values([OID, "month"]).reset_index(drop=True)


def official_totals(data: MarketData, params: Params | None = None) -> pd.DataFrame:
    """One row per official over the whole period, with robust z against department peers.

    Peers are the department's officials with enough volume (``min_inspections`` for the
    inspection metrics, ``min_approvals`` for the approval metrics); departments with fewer
    than ``min_peers`` such officials are compared with the whole market (``z_scope``).
    ``first_event`` / ``last_event``: the official's first and last inspection, decision or
    evaluated tender (the period its record covers). ``peer_ratio_fail_ratio``: the peers'
    typical ratio ``θ`` the failure ratio's funnel z is measured against (:func:`funnel_z`), so
    ``θ · expected_fails`` is the failures the z compares with.
    """
    params = params or Params()
    as_of = _as_of(data, params)
    events = _events(data, params, as_of)
    totals = _aggregate(events, [OID])
    days = pd.concat([events["inspections"][[OID, "date"]].rename(columns={"date": "day"}),
                      events["approvals"][[OID, "decided_at"]].rename(columns={"decided_at": "day"}),
                      events["evaluations"][[OID, "day"]]]).dropna()
    first_last = days.groupby(OID)["day"].agg(["min", "max"])
    totals["first_event"] = totals[OID].map(first_last["min"])
    totals["last_event"] = totals[OID].map(first_last["max"])
    officials = data.officials.drop_duplicates(OID).set_index(OID)
    totals.insert(1, "name", totals[OID].map(officials["name"]))
    totals.insert(2, DEPT, totals[OID].map(officials[DEPT]).fillna(""))
    with warnings.catch_warnings():  # peer medians of groups without eligible officials are NaN, as meant
        warnings.simplefilter("ignore", RuntimeWarning)
        for metric, (volume, _side) in METRICS.items():
            minimum = params.min_inspections if volume == "inspections" else params.min_approvals
            eligible = (totals[volume] >= minimum) & totals[metric].notna()
            by_dept = _z(totals, metric, totals[DEPT], eligible, params.min_peers)
            market = _z(totals, metric, None, eligible, params.min_peers)
            totals["z_" + metric] = by_dept.fillna(market)
            scope = pd.Series(None, index=totals.index, dtype=object)
            scope[market.notna()] = "market"
            scope[by_dept.notna()] = "department"
            totals["scope_" + metric] = scope
            totals["peer_median_" + metric] = totals[metric].where(eligible).groupby(totals[DEPT]).transform("median")
            market_median = totals[metric].where(eligible).median()
            totals["peer_median_" + metric] = totals["peer_median_" + metric].where(by_dept.notna(), market_median)
            if metric == "overdue_share":  # chance alone: the count at the peers' typical rate
                dept_z, dept_expected = _overdue_by_chance(totals, totals[DEPT], eligible, params.min_peers)
                market_z, market_expected = _overdue_by_chance(totals, None, eligible, params.min_peers)
                totals["chance_z_overdue_share"] = dept_z.where(by_dept.notna(), market_z)
                totals["peer_expected_overdue"] = dept_expected.where(by_dept.notna(), market_expected)
            if metric == "fail_ratio":  # the failures its funnel z is measured against: θ · E
                theta = _peer_ratio(totals["fails"], totals["expected_fails"], totals[DEPT], eligible).where(
                    by_dept.notna(), _peer_ratio(totals["fails"], totals["expected_fails"], None, eligible))
                totals["peer_ratio_fail_ratio"] = theta.where(totals["z_fail_ratio"].notna())
    return totals


# --------------------------------------------------------------------------- findings

_LABELS = {
    "pass_rate": ("pass rate", lambda v: f"{100 * v:.0f} %"),
    "penalty_mean": ("mean penalty per inspection", lambda v: f"{v:,.0f}"),
    "approval_days": ("median approval time", lambda v: f"{round(v, 1):g} days"),
    "overdue_share": ("overdue share of approvals", lambda v: f"{100 * v:.0f} %"),
}


def _num(value: Any, digits: int = 3) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), digits)


def detect(data: MarketData, params: Params | None = None, seed: int = 0,
           pairs: Sequence[Finding] | None = None, pairs_params: closeness.Params | None = None) -> list[Finding]:
    """Officials whose whole-period record deviates strongly from their peers, highest score first.

    ``pairs``: the closeness findings, if already computed (else computed here, with
    ``pairs_params``). ``seed`` is accepted for the shared interface; nothing here is random.
    """
    params = params or Params()
    totals = official_totals(data, params)
    as_of = _as_of(data, params)
    on = "" if as_of is None else f" on {as_of:%Y-%m-%d}"  # the day open cases were measured to
    by_year = yearly(pd.concat([totals["first_event"], totals["last_event"]]))
    best = _closeness_best(data, pairs, pairs_params).set_index(OID)
    findings: list[Finding] = []
    who_of = dict(zip(totals[OID], labelled(totals[OID], totals["name"]), strict=True))  # "Name (id)", or the id
    for _, row in totals.iterrows():
        flagged: dict[str, dict[str, Any]] = {}
        strength = 0.0
        for metric, (volume, side) in METRICS.items():
            z = row["z_" + metric]
            if pd.isna(z) or (metric in FALLBACK and pd.notna(row["z_" + FALLBACK[metric]])):
                continue
            hit = abs(z) >= params.z_threshold if side == "both" else z >= params.z_threshold
            if metric == "overdue_share":  # and more than chance alone gives at the peers' rate
                hit = hit and row["chance_z_overdue_share"] >= params.z_threshold
            if hit:
                strength += min(abs(float(z)), 10.0)
                flagged[metric] = {"value": _num(row[metric], 4), "baseline": _num(row["peer_median_" + metric], 4),
                                   "z": _num(z, 2), "volume": int(row[volume]), "peers": row["scope_" + metric],
                                   "threshold": params.z_threshold}
        if "fail_ratio" in flagged:
            flagged["fail_ratio"].update(failures=int(row["fails"]), expected_failures=_num(row["expected_fails"], 2),
                                         peer_ratio=_num(row["peer_ratio_fail_ratio"], 4),
                                         peer_expected_failures=_num(row["peer_ratio_fail_ratio"]
                                                                     * row["expected_fails"], 2))
        if "overdue_share" in flagged:
            flagged["overdue_share"].update(overdue=int(row["overdue"]),
                                            peer_expected_overdue=_num(row["peer_expected_overdue"], 2),
                                            chance_z=_num(row["chance_z_overdue_share"], 2))
        many_overdue = (row["overdue"] >= params.overdue_min_count
                        and (row["overdue_share"] or 0) >= params.overdue_min_share)
        if many_overdue:
            strength += 10.0 * float(row["overdue_share"])
        if not flagged and not many_overdue:
            continue
        score = 100.0 * (1.0 - np.exp(-strength / 6.0))
        facts = []
        for metric, f in sorted(flagged.items(), key=lambda kv: -abs(kv[1]["z"])):
            if metric == "fail_ratio":
                # the word compares the failures with what z compares them with, θ · E, not with E
                baseline = round(f["peer_expected_failures"], 1)
                word = "more than" if f["failures"] > baseline else \
                    "fewer than" if f["failures"] < baseline else "as many as"
                facts.append(f"failed {counted(f['failures'], 'inspection')}, {word} the {baseline:.1f} its peers "
                             f"would fail on the same firms (the firms' records with other officials predict "
                             f"{f['expected_failures']:.1f}, and peers typically fail {f['peer_ratio']:.2f} times "
                             f"what such records predict; z = {f['z']:.1f}, allowing for chance and the spread "
                             f"between peers)")
                continue
            label, fmt = _LABELS[metric]
            direction = "above" if f["z"] > 0 else "below"
            chance = (f"; {f['overdue']} overdue where the peers' typical rate gives {f['peer_expected_overdue']:.1f}"
                      if metric == "overdue_share" else "")
            facts.append(f"{label} {fmt(f['value'])} against a peer median of {fmt(f['baseline'])} "
                         f"({abs(f['z']):.1f} robust standard deviations {direction}{chance})")
        if row["overdue"] > 0 and (many_overdue or "overdue_share" in flagged):
            late, still_open = int(row["overdue"]), int(row["open_overdue"] or 0)
            days = counted(round(float(row["overdue_days"])), "day")
            facts.append(f"1 approval past the statutory deadline by {days} "
                         f"({'still open' + on if still_open else 'decided'})"
                         if late == 1 else
                         f"{late} approvals past the statutory deadline by {days} in total "
                         f"({still_open or 'none'} of them still open{on if still_open else ''})")
        close = best.loc[row[OID]] if row[OID] in best.index else None
        if close is not None:
            facts.append(f"strongest closeness {close['closeness_max']:.0f}/100 with firm {close['closeness_firm_id']}")
        when = None if pd.isna(row["first_event"]) else span(row["first_event"], row["last_event"], by_year)
        explanation = f"Official {who_of[row[OID]]}{between(when)}: " + "; ".join(facts) + "."
        evidence = {
            "department_id": row[DEPT],
            "first_event": when[0] if when else None, "last_event": when[1] if when else None,
            "deviations": flagged,
            "workload": {"inspections": int(row["inspections"]), "approvals": int(row["approvals"]),
                         "evaluations": int(row["evaluations"])},
            "overdue": {"count": int(row["overdue"]), "open": int(row["open_overdue"]),
                        "as_of": None if as_of is None else f"{as_of:%Y-%m-%d}",
                        "days_over_total": _num(row["overdue_days"], 1), "share": _num(row["overdue_share"], 4),
                        "many_overdue": bool(many_overdue),
                        "threshold": {"count": params.overdue_min_count, "share": params.overdue_min_share}},
            "closeness": None if close is None else {"firm_id": close["closeness_firm_id"],
                                                     "score": _num(close["closeness_max"], 2)},
            "score_formula": "100·(1−exp(−S/6)), S = Σ min(|z|,10) over flagged metrics (the pass rate only "
                             "where the failure ratio cannot be computed) + 10·overdue_share if many",
        }
        findings.append(Finding(detector=NAME, kind="official", score=float(round(score, 4)),
                                explanation=explanation, evidence=evidence, official_id=str(row[OID]),
                                department_id=None))
    findings.sort(key=lambda f: (-f.score, f.official_id or ""))
    return findings
