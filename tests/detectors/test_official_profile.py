"""Official profile (iron-cage record): workload, overdue days, robust z vs peers, findings."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from detectors import official_profile as op
from detectors.finding import Finding
from detectors.market import MarketData


def _officials(ids: list[str], department: str = "D1") -> list[dict]:
    return [{"official_id": o, "name": f"Official {o}", "department_id": department, "role": "inspector"}
            for o in ids]


def _inspections(rows: list, official: str, passes: int, fails: int, month: str = "2024-01",
                 penalty: float = 1000.0) -> None:
    for i in range(passes + fails):
        passed = i < passes
        rows.append({"inspection_id": f"I{len(rows) + 1}", "official_id": official, "firm_id": f"F{i % 5 + 1}",
                     "date": pd.Timestamp(f"{month}-01") + pd.Timedelta(days=i % 28), "kind": "safety",
                     "result": "pass" if passed else "fail", "penalty": 0.0 if passed else penalty})


def _approval(rows: list, official: str, applied: str, decided: str | None, statutory: float) -> None:
    rows.append({"approval_id": f"A{len(rows) + 1}", "official_id": official, "firm_id": "F1", "kind": "permit",
                 "applied_at": applied, "decided_at": decided, "decision": "approved" if decided else None,
                 "statutory_days": statutory})


def _market(officials: list[dict], inspections: list | None = None, approvals: list | None = None,
            **frames: object) -> MarketData:
    return MarketData.build(
        officials=pd.DataFrame(officials),
        inspections=pd.DataFrame(inspections or [], columns=["inspection_id", "official_id", "firm_id", "date",
                                                             "kind", "result", "penalty"]),
        approvals=pd.DataFrame(approvals or [], columns=["approval_id", "official_id", "firm_id", "kind",
                                                         "applied_at", "decided_at", "decision",
                                                         "statutory_days"]),
        **{k: pd.DataFrame(v) for k, v in frames.items()},
    )


# --------------------------------------------------------------------------- robust z


def test_robust_z_uses_the_median_and_the_scaled_mad() -> None:
    z = op.robust_z(pd.Series([1.0, 2.0, 3.0, 4.0, 100.0]))
    # median 3, MAD = median(2, 1, 0, 1, 97) = 1
    assert z.iloc[4] == pytest.approx(97 / 1.4826)
    assert z.iloc[0] == pytest.approx(-2 / 1.4826)


def test_robust_z_falls_back_to_the_mean_absolute_deviation_when_mad_is_zero() -> None:
    z = op.robust_z(pd.Series([5.0, 5.0, 5.0, 5.0, 9.0]))
    # MAD = 0; mean absolute deviation = 4/5 → scale 1.2533 × 0.8
    assert z.iloc[4] == pytest.approx(4 / (1.2533 * 0.8))
    assert z.iloc[0] == 0.0
    assert (op.robust_z(pd.Series([2.0] * 5)) == 0.0).all()


def test_robust_z_is_within_groups_and_needs_enough_peers() -> None:
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 10.0, 1.0, 50.0])
    groups = pd.Series(["a", "a", "a", "a", "a", "b", "b"])
    z = op.robust_z(values, groups, min_peers=4)
    assert z.iloc[4] == pytest.approx((10 - 3) / 1.4826)
    assert z.iloc[5:].isna().all()  # group b has 2 officials only


# --------------------------------------------------------------------------- overdue


def test_overdue_days_are_exact_and_open_cases_run_to_the_approvals_end() -> None:
    rows: list[dict] = []
    _approval(rows, "O1", "2024-01-01", "2024-01-15", 10)  # 14 days, 4 over
    _approval(rows, "O1", "2024-01-01", "2024-01-05", 10)  # 4 days, in time
    _approval(rows, "O1", "2024-01-01", "2024-01-11", 10)  # 10 days: exactly on the deadline
    _approval(rows, "O1", "2024-02-01", None, 20)  # open; as of 2024-03-01: 29 days, 9 over
    _approval(rows, "O1", "2024-02-20", None, 20)  # open; 10 days, not yet overdue
    _approval(rows, "O1", "2024-03-01", None, 20)  # applied for on the approvals' last date
    insp: list[dict] = []
    _inspections(insp, "O1", 1, 0, month="2024-03")
    data = _market(_officials(["O1"]), insp, rows)
    assert op.as_of_date(data) == pd.Timestamp("2024-03-01")
    ap = op.approval_overdue(data.approvals, op.as_of_date(data))
    assert ap["days_over"].tolist() == [4.0, 0.0, 0.0, 9.0, 0.0, 0.0]
    assert ap["overdue"].tolist() == [True, False, False, True, False, False]

    frame = op.official_profile_frame(data, pairs=[]).set_index("month")
    jan, mar = frame.loc[pd.Timestamp("2024-01-01")], frame.loc[pd.Timestamp("2024-03-01")]
    assert (jan["approvals"], jan["overdue"], jan["overdue_days"]) == (3, 1, 4.0)
    assert jan["overdue_share"] == pytest.approx(1 / 3)
    assert jan["approval_days"] == 10.0  # median of 14, 4, 10
    assert (mar["overdue"], mar["open_overdue"], mar["overdue_days"]) == (1, 1, 9.0)
    assert mar["approvals"] == 0 and mar["inspections"] == 1


def test_open_approvals_are_measured_to_the_approvals_own_last_date_not_a_later_table() -> None:
    """An export's tables end on different days: bids and inspections a month past the approvals'
    last entry (2024-02-20) must not make its open cases a month late. The case open since
    2024-02-01 (limit 20 days) is 19 days old on 2024-02-20: in time. Near miss: without a
    dated approval the data's last date is all there is."""
    rows: list[dict] = []
    for day in ("2024-01-02", "2024-01-03", "2024-01-04"):
        _approval(rows, "O1", day, "2024-01-05", 10)
    _approval(rows, "O1", "2024-02-01", None, 20)
    _approval(rows, "O1", "2024-02-20", "2024-02-20", 20)
    insp: list[dict] = []
    _inspections(insp, "O1", 1, 0, month="2024-04")  # the inspections' table runs to 2024-04-01
    data = _market(_officials(["O1"]), insp, rows)
    assert op.as_of_date(data) == pd.Timestamp("2024-02-20")
    ap = op.approval_overdue(data.approvals, op.as_of_date(data))
    assert ap["days"].tolist()[3] == 19.0 and not ap["overdue"].any()
    undated = _market(_officials(["O1"]), insp, [])
    assert op.as_of_date(undated) == pd.Timestamp("2024-04-01")


def test_a_decision_without_an_application_date_is_work_but_not_timed() -> None:
    """Two decisions in February have no application date: they are February's work and the
    record's last event, but have no approval time and cannot be overdue. An open case without
    an application date has neither a month nor days: it counts nowhere."""
    rows: list[dict] = []
    _approval(rows, "O1", "2024-01-01", "2024-01-15", 10)  # 14 days, 4 over
    _approval(rows, "O1", None, "2024-02-10", 10)
    _approval(rows, "O1", None, "2024-02-12", 10)
    _approval(rows, "O1", None, None, 10)
    data = _market(_officials(["O1"]), approvals=rows)
    frame = op.official_profile_frame(data, pairs=[]).set_index("month")
    feb = frame.loc[pd.Timestamp("2024-02-01")]
    assert (feb["approvals"], feb["workload"], feb["approvals_timed"], feb["approval_cases"]) == (2, 2, 0, 0)
    assert np.isnan(feb["approval_days"]) and np.isnan(feb["overdue_share"])
    totals = op.official_totals(data).set_index("official_id").loc["O1"]
    assert (totals["approvals"], totals["approvals_timed"], totals["overdue"]) == (3, 1, 1)
    assert totals["approval_days"] == 14.0 and totals["overdue_share"] == 1.0  # 1 overdue of the 1 measured
    assert totals["last_event"] == pd.Timestamp("2024-02-12")
    assert len(frame) == 2  # the open case without dates adds no month


def test_a_decision_dated_before_its_application_is_work_but_not_timed_and_a_row_read_twice_counts_once() -> None:
    """A decision dated before its application (a data error) read "median approval time -6 days against a
    peer median of -41 days" and was scored; an approval row read twice was two overdue cases."""
    rows: list[dict] = []
    _approval(rows, "O1", "2024-01-01", "2024-01-15", 10)  # 14 days, 4 over
    _approval(rows, "O1", "2024-03-10", "2024-03-04", 10)  # decided 6 days "before"
    data = _market(_officials(["O1"]), approvals=rows + [dict(rows[0])])  # the first row read twice
    totals = op.official_totals(data).set_index("official_id").loc["O1"]
    assert (totals["approvals"], totals["approvals_timed"], totals["overdue"]) == (2, 1, 1)
    assert totals["approval_days"] == 14.0
    ap = op.approval_overdue(data.approvals, op.as_of_date(data))
    assert np.isnan(ap["days"].iloc[1]) and not ap["overdue"].iloc[1]
    march = op.official_profile_frame(data, pairs=[]).set_index("month").loc[pd.Timestamp("2024-03-01")]
    assert (march["approvals"], march["approval_cases"]) == (1, 0)  # work done, no case on time or late


# --------------------------------------------------------------------------- the frame


def test_profile_frame_has_one_row_per_official_and_month_with_workload() -> None:
    insp: list[dict] = []
    _inspections(insp, "O1", 3, 1, month="2024-01")
    _inspections(insp, "O1", 2, 0, month="2024-02")
    _inspections(insp, "O2", 1, 1, month="2024-01")
    tenders = [{"tender_id": "T1", "deadline_at": "2024-02-10"}]
    data = _market(_officials(["O1", "O2"]), insp, tenders=tenders,
                   evaluations=[{"tender_id": "T1", "official_id": "O1"}])
    frame = op.official_profile_frame(data, pairs=[])
    assert list(zip(frame["official_id"], frame["month"].dt.strftime("%Y-%m"), strict=True)) == [
        ("O1", "2024-01"), ("O1", "2024-02"), ("O2", "2024-01")]
    o1_jan, o1_feb = frame.iloc[0], frame.iloc[1]
    assert (o1_jan["inspections"], o1_jan["passes"], o1_jan["workload"]) == (4, 3, 4)
    assert o1_jan["pass_rate"] == pytest.approx(0.75)
    assert o1_jan["penalty_mean"] == pytest.approx(250.0)
    assert (o1_feb["evaluations"], o1_feb["workload"]) == (1, 3)
    assert {"z_pass_rate", "z_penalty_mean", "z_approval_days", "z_overdue_share", "closeness_max"} <= set(frame)


def test_profile_frame_monthly_z_compares_department_peers() -> None:
    insp: list[dict] = []
    for official, passes in (("O1", 6), ("O2", 7), ("O3", 7), ("O4", 8), ("O5", 10)):
        _inspections(insp, official, passes, 10 - passes)
    frame = op.official_profile_frame(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp), pairs=[])
    z = frame.set_index("official_id")["z_pass_rate"]
    # pass rates .6 .7 .7 .8 1.0: median .7, MAD .1
    assert z["O5"] == pytest.approx(0.3 / (1.4826 * 0.1))
    assert z["O2"] == 0.0


def test_closeness_columns_come_from_the_pairs_given() -> None:
    insp: list[dict] = []
    _inspections(insp, "O1", 1, 0)
    pairs = [Finding(detector="closeness", kind="pair", score=40.0, explanation="x", official_id="O1", firm_id="F2"),
             Finding(detector="closeness", kind="pair", score=77.0, explanation="y", official_id="O1", firm_id="F9")]
    row = op.official_profile_frame(_market(_officials(["O1"]), insp), pairs=pairs).iloc[0]
    assert (row["closeness_max"], row["closeness_firm_id"]) == (77.0, "F9")


# --------------------------------------------------------------------------- findings


def _department_with_lenient_official() -> MarketData:
    insp: list[dict] = []
    for official, passes in (("O1", 18), ("O2", 19), ("O3", 20), ("O4", 21), ("O5", 30)):
        _inspections(insp, official, passes, 30 - passes)
    return _market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp)


def test_an_official_who_fails_far_fewer_than_its_firms_predict_is_a_finding() -> None:
    data = _department_with_lenient_official()
    findings = op.detect(data, pairs=[])
    assert [f.official_id for f in findings] == ["O5"]
    f = findings[0]
    assert f.kind == "official"
    # expected failures: each of O5's inspections at its firm's failure rate with the other
    # officials, shrunk towards the kind's rate among the other officials (5 pseudo-inspections)
    insp = data.inspections
    failed = insp["result"] == "fail"
    rate = failed[insp["official_id"] != "O5"].mean()
    expected = 0.0
    for firm in insp.loc[insp["official_id"] == "O5", "firm_id"]:
        others = (insp["firm_id"] == firm) & (insp["official_id"] != "O5")
        expected += (failed[others].sum() + 5 * rate) / (others.sum() + 5)
    deviation = f.evidence["deviations"]["fail_ratio"]
    assert deviation["failures"] == 0 and deviation["expected_failures"] == pytest.approx(expected, abs=0.01)
    assert deviation["z"] <= -3.5 and "pass_rate" not in f.evidence["deviations"]
    baseline = deviation["peer_ratio"] * expected
    assert deviation["peer_expected_failures"] == pytest.approx(baseline, abs=0.01)
    assert f"failed 0 inspections, fewer than the {baseline:.1f} its peers would fail on the same firms (the " \
        f"firms' records with other officials predict {expected:.1f}, and peers typically fail " \
        f"{deviation['peer_ratio']:.2f} times what such records predict" in f.explanation


def test_the_failure_sentence_compares_with_what_the_z_compares_with() -> None:
    """O2..O5 each fail half of the 100 inspections of a kind of their own, which the others
    never fail: each fails about 4× what the others' records predict. O1 fails 40 of 100 of
    O2's kind, a little more than its 38.5 predicted — but far fewer than the peers' ratio
    gives, which is what its negative z says; the sentence must not call 40 fewer than 38.5."""
    insp: list[dict] = []

    def visit(official: str, kind: str, n: int, fails: int) -> None:
        for i in range(n):
            insp.append({"inspection_id": f"I{len(insp) + 1}", "official_id": official, "firm_id": None,
                         "date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=len(insp) % 28), "kind": kind,
                         "result": "fail" if i < fails else "pass", "penalty": 0.0})

    peers = ["O2", "O3", "O4", "O5"]
    for official in peers:
        visit(official, f"K{official}", 100, 50)
        for other in peers:
            if other != official:
                visit(official, f"K{other}", 10, 0)
    visit("O1", "KO2", 100, 40)
    data = _market(_officials(["O1", *peers]), insp)
    found = {f.official_id: f for f in op.detect(data, pairs=[])}
    deviation = found["O1"].evidence["deviations"]["fail_ratio"]
    assert deviation["failures"] == 40 and deviation["expected_failures"] == pytest.approx(500 / 13, abs=0.01)
    assert deviation["z"] <= -3.5 and deviation["peer_ratio"] > 3.5
    assert deviation["peer_expected_failures"] == pytest.approx(deviation["peer_ratio"] * 500 / 13, abs=0.01)
    assert (f"failed 40 inspections, fewer than the {deviation['peer_expected_failures']:.1f} its peers would fail "
            "on the same firms (the firms' records with other officials predict 38.5, and peers typically fail "
            f"{deviation['peer_ratio']:.2f} times what such records predict; z = {deviation['z']:.1f}"
            ) in found["O1"].explanation
    assert "fewer than the 38.5" not in found["O1"].explanation
    assert "O3" not in found  # near miss: a peer failing at the peers' ratio


def test_an_inspector_assigned_poor_firms_is_not_harsh() -> None:
    """Near miss: O1 inspects only the poor firms and fails half, its peers mostly good firms
    and fail few; its pass rate is far below theirs, but its failures are what its firms'
    records with the others predict."""
    insp: list[dict] = []

    def visit(official: str, firm: str, fail: bool) -> None:
        insp.append({"inspection_id": f"I{len(insp) + 1}", "official_id": official, "firm_id": firm,
                     "date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=len(insp) % 28), "kind": "safety",
                     "result": "fail" if fail else "pass", "penalty": 0.0})

    for i in range(30):
        visit("O1", f"P{i % 3}", i % 2 == 0)            # 15 of 30 failed
    for official in ("O2", "O3", "O4", "O5"):
        for i in range(24):
            visit(official, f"G{i % 3}", i % 12 == 0)   # 2 of 24 failed
        for i in range(6):
            visit(official, f"P{i % 3}", i % 2 == 0)    # 3 of 6 failed
    totals = op.official_totals(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp)).set_index("official_id")
    assert totals.loc["O1", "z_pass_rate"] <= -3.5          # the raw rate would call it harsh
    assert abs(totals.loc["O1", "z_fail_ratio"]) < 2.0
    assert op.detect(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp), pairs=[]) == []


def test_funnel_z_allows_for_chance_in_small_counts() -> None:
    # peers fail about as predicted (20 expected); none failed where 2 were expected is
    # chance, none where 20 were expected is not
    observed = pd.Series([19, 21, 20, 18, 22, 0, 0], dtype=float)
    expected = pd.Series([20, 20, 20, 20, 20, 2, 20], dtype=float)
    z = op.funnel_z(observed, expected)
    assert abs(z[5]) < 2.0
    assert z[6] < -3.5
    assert z[:5].abs().max() < 1.0



def test_funnel_z_is_the_poisson_tail_when_peers_differ_by_chance_alone() -> None:
    """E = 2 for all, O = 1, 2, 2, 3 and 8. log((O + ½)/2.5) = −0.511, 0, 0, 0.336, 1.224:
    median 0 (θ = 1); |deviations| 0, 0, 0.336, 0.511, 1.224 → MAD 0.336, s = 1.4826 · 0.336
    = 0.499, s² = 0.249 below the Poisson part median(1/(E + ½)) = 0.4, so τ = 0 and each z
    is the plain Poisson(2) tail. O = 8: P(X ≥ 8) = 1 − e⁻²·Σₖ₌₀⁷ 2ᵏ/k! = 0.0011 → z = 3.06.
    O = 1: P(X ≤ 1) = 3e⁻² = 0.406 < P(X ≥ 1) → z = Φ⁻¹(0.406) = −0.24. O = 2: P(X ≤ 2) =
    5e⁻² = 0.677 > P(X ≥ 2) = 0.594 → z = max(Φ⁻¹(1 − 0.594), 0) = 0. O = 3: P(X ≥ 3) =
    1 − 5e⁻² = 0.323 → z = 0.46. (With the Poisson part taken as 1/(E + 5) = 0.143, τ² would
    be 0.106 and the tails wider.)"""
    normal = NormalDist()

    def at_most(k: int) -> float:
        return math.exp(-2.0) * sum(2.0 ** i / math.factorial(i) for i in range(k + 1))

    z = op.funnel_z(pd.Series([1, 2, 2, 3, 8], dtype=float), pd.Series([2.0] * 5))
    expected = [normal.inv_cdf(at_most(1)), 0.0, 0.0, normal.inv_cdf(at_most(2)), normal.inv_cdf(at_most(7))]
    assert z.tolist() == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx([-0.238, 0.0, 0.0, 0.458, 3.063], abs=1e-3)


def test_funnel_z_allows_for_real_spread_between_peers() -> None:
    """Near miss for a widely scattered group: E = 100 for all, O = 50, 80, 100, 150, 260.
    log((O + ½)/100.5) = −0.688, −0.222, 0, 0.404, 0.952: θ = 1; MAD = 0.404, s = 0.599,
    s² = 0.358; τ² = 0.358 − 1/100.5 = 0.348, τ = 0.590. O = 260's upper tail is
    ∫ P(X ≥ 260 | 100·e^{τu}) φ(u) du = 0.054 → z = 1.61 (by adaptive quadrature here; the
    code's 32-point Gauss–Hermite rule is within 0.07 of it on these counts). Against the
    Poisson tail alone (τ = 0) the 260 would be z ≈ 11: a group this scattered has no
    outlier at 2.6 times its expectation."""
    observed = np.array([50, 80, 100, 150, 260], dtype=float)
    x = np.log((observed + 0.5) / 100.5)
    assert np.median(x) == 0.0 and np.median(np.abs(x)) == pytest.approx(0.4038, abs=1e-4)
    tau = math.sqrt((1.4826 * np.median(np.abs(x))) ** 2 - 1 / 100.5)
    assert tau == pytest.approx(0.590, abs=1e-3)

    def upper(k: float) -> float:
        return integrate.quad(lambda u: stats.poisson.sf(k - 1, 100 * math.exp(tau * u)) * stats.norm.pdf(u),
                              -12, 12, limit=500, epsabs=1e-14)[0]

    def lower(k: float) -> float:
        return integrate.quad(lambda u: stats.poisson.cdf(k, 100 * math.exp(tau * u)) * stats.norm.pdf(u),
                              -12, 12, limit=500, epsabs=1e-14)[0]

    expected = [stats.norm.ppf(lower(50)), stats.norm.ppf(lower(80)), 0.0,  # O = E: both tails > ½, z = 0
                stats.norm.isf(upper(150)), stats.norm.isf(upper(260))]
    assert expected == pytest.approx([-1.126, -0.361, 0.0, 0.675, 1.607], abs=1e-3)
    z = op.funnel_z(pd.Series(observed), pd.Series([100.0] * 5))
    assert z.tolist() == pytest.approx(expected, abs=0.1)
    assert z[4] < 2.0
    assert stats.norm.isf(stats.poisson.sf(259, 100)) > 10  # what τ = 0 would say


def test_period_deviation_of_the_officials_table_weighs_counts_by_their_volume() -> None:
    """The app's Officials table: 2 overdue approvals out of 2 are a high share but little
    evidence, 30 out of 40 against peers at 1 in 20 are strong; workload by median and MAD;
    a department of two officials is not compared."""
    record = pd.DataFrame({
        "department_id": ["D"] * 6 + ["E"] * 2,
        "workload": [10, 12, 14, 16, 18, 100, 5, 6],
        "approvals": [20, 20, 20, 20, 2, 40, 3, 3], "overdue": [1, 1, 1, 1, 2, 30, 3, 0],
        "inspections": [10, 10, 10, 10, 0, 10, 2, 2], "passes": [8, 8, 8, 8, 0, 10, 1, 2],
    })
    z = op.period_deviation(record)
    # median 15, MAD 3 → scale 1.4826 · 3: (100 − 15) / 4.4478 = 19.11
    assert z.loc[5, "workload_z"] == pytest.approx(19.11, abs=0.01) and z.loc[0, "workload_z"] == -1.12
    assert 0 < z.loc[4, "overdue_z"] < 3.5 < z.loc[5, "overdue_z"]
    assert z.loc[0, "overdue_z"] == 0.0 and np.isnan(z.loc[4, "pass_rate_z"])  # no inspections: no z
    assert z.loc[5, "pass_rate_z"] > 0  # passes more than the peers' 8 of 10
    assert z.loc[[6, 7]].drop(columns="deviation").isna().all().all()
    assert z.loc[5, "deviation"] == z.loc[5, "workload_z"] and z.loc[4, "deviation"] == z.loc[4, "overdue_z"]


def test_ordinary_spread_between_peers_is_not_a_finding() -> None:
    insp: list[dict] = []
    for official, passes in (("O1", 18), ("O2", 19), ("O3", 20), ("O4", 21), ("O5", 23)):
        _inspections(insp, official, passes, 30 - passes)
    assert op.detect(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp), pairs=[]) == []


def test_low_volume_is_not_compared() -> None:
    insp: list[dict] = []
    for official, passes in (("O1", 18), ("O2", 19), ("O3", 20), ("O4", 21)):
        _inspections(insp, official, passes, 30 - passes)
    _inspections(insp, "O5", 5, 0)  # 100 % but on 5 inspections (< min_inspections)
    assert op.detect(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp), pairs=[]) == []


def test_many_overdue_cases_are_a_finding_and_a_few_are_not() -> None:
    rows: list[dict] = []
    for i in range(12):  # O1: 12 of 15 decided after 40 days with a 20-day limit
        _approval(rows, "O1", f"2024-01-{i + 1:02d}", f"2024-02-{i + 10:02d}", 20)
    for i in range(3):
        _approval(rows, "O1", f"2024-03-{i + 1:02d}", f"2024-03-{i + 5:02d}", 20)
    for i in range(3):  # O2: 3 of 15 overdue
        _approval(rows, "O2", f"2024-01-{i + 1:02d}", f"2024-02-{i + 10:02d}", 20)
    for i in range(12):
        _approval(rows, "O2", f"2024-03-{i + 1:02d}", f"2024-03-{i + 5:02d}", 20)
    findings = op.detect(_market(_officials(["O1", "O2"]), approvals=rows), pairs=[])
    assert [f.official_id for f in findings] == ["O1"]
    overdue = findings[0].evidence["overdue"]
    assert overdue["count"] == 12 and overdue["days_over_total"] == 12 * 20
    assert "12 approvals past the statutory deadline by 240 days in total (none of them still open)" \
        in findings[0].explanation
    # the record's period: O1's first and last decision
    assert (findings[0].evidence["first_event"], findings[0].evidence["last_event"]) == ("2024-02-10", "2024-03-07")
    assert " (O1) between 2024-02-10 and 2024-03-07: " in findings[0].explanation
    assert overdue["as_of"] == "2024-03-16"  # the approvals' last date: O2's last decision
    # two of O1's late cases still open: the sentence says on which day they were measured
    rows += [{**rows[i], "approval_id": f"OPEN{i}", "decided_at": None, "decision": None} for i in (0, 1)]
    (found,) = op.detect(_market(_officials(["O1", "O2"]), approvals=rows), pairs=[])[:1]
    assert "(2 of them still open on 2024-03-16)" in found.explanation and found.evidence["overdue"]["open"] == 2


def _late_among_punctual(late: int, peers: int = 4, per_peer: int = 10) -> list[dict]:
    """O1 … O<peers> decide ``per_peer`` approvals each within the 20-day limit; O9 decides 10, the
    first ``late`` of them after 21 days."""
    rows: list[dict] = []
    day = pd.Timestamp("2023-01-01")
    for o in [f"O{k + 1}" for k in range(peers)] + ["O9"]:
        for i in range(10 if o == "O9" else per_peer):
            applied = day + pd.Timedelta(days=i % 300)
            taken = 21 if o == "O9" and i < late else 15
            _approval(rows, o, applied.strftime("%Y-%m-%d"), (applied + pd.Timedelta(days=taken)).strftime("%Y-%m-%d"), 20)
    return rows


def test_a_few_late_approvals_among_punctual_peers_are_chance_and_many_are_a_finding() -> None:
    """Against four punctual peers, 2 late approvals of 10 give a robust z of shares of 4.0 (the
    peers' shares are all 0), yet at the peers' rate chance alone gives them 1 time in 47 (z 2.0):
    not a finding. 8 of 10 is (z 5.7), and the sentence says what chance would give."""
    officials = _officials(["O1", "O2", "O3", "O4", "O9"])
    few = _market(officials, approvals=_late_among_punctual(2))
    totals = op.official_totals(few).set_index("official_id")
    assert totals.loc["O9", "z_overdue_share"] >= 3.5 > totals.loc["O9", "chance_z_overdue_share"]
    assert op.detect(few, pairs=[]) == []
    (found,) = op.detect(_market(officials, approvals=_late_among_punctual(8)), pairs=[])
    flag = found.evidence["deviations"]["overdue_share"]
    assert found.official_id == "O9" and flag["overdue"] == 8 and flag["chance_z"] >= 3.5
    assert f"; 8 overdue where the peers' typical rate gives {flag['peer_expected_overdue']:.1f})" in found.explanation


def test_one_late_approval_is_told_in_the_singular_and_a_nameless_official_by_its_id() -> None:
    """One late approval of 10 is a finding only where chance cannot give it: eight peers decided
    5,000 approvals each, none late."""
    ids = [f"O{k + 1}" for k in range(8)] + ["O9"]
    rows = _late_among_punctual(1, peers=8, per_peer=5000)
    for unnamed in ("   ", "O9"):  # a blank name, and a name that is the id itself
        officials = [{**row, "name": name} for row, name in zip(
            _officials(ids), ["A", "B", "C", None, "E", "F", "G", "H", unnamed], strict=True)]
        findings = op.detect(_market(officials, approvals=rows), pairs=[])
        (found,) = [f for f in findings if f.official_id == "O9"]
        assert found.explanation.startswith("Official O9 between ")
        assert "1 approval past the statutory deadline by 1 day (decided)" in found.explanation
    # with 10 approvals each, the peers' rate leaves one late approval to chance
    few = _market(_officials(ids), approvals=_late_among_punctual(1, peers=8))
    assert [f.official_id for f in op.detect(few, pairs=[])] == []


def test_detect_reports_strongest_closeness_and_is_deterministic() -> None:
    data = _department_with_lenient_official()
    pair = Finding(detector="closeness", kind="pair", score=66.0, explanation="z", official_id="O5", firm_id="F3")
    first = op.detect(data, pairs=[pair], seed=1)
    assert [f.to_json() for f in first] == [f.to_json() for f in op.detect(data, pairs=[pair], seed=2)]
    assert first[0].evidence["closeness"] == {"firm_id": "F3", "score": 66.0}
    assert "strongest closeness 66/100 with firm F3" in first[0].explanation
    # without pairs the closeness detector runs itself (nothing close in this market)
    assert op.detect(data)[0].evidence["closeness"] is None


def test_an_empty_market_gives_an_empty_profile() -> None:
    empty = MarketData.build()
    assert op.detect(empty, pairs=[]) == []
    assert op.official_profile_frame(empty, pairs=[]).empty


def test_chinese_results_count_as_passes_and_failures() -> None:
    insp: list[dict] = []
    _inspections(insp, "O1", 3, 2)
    for row in insp:
        row["result"] = "合格" if row["result"] == "pass" else "不合格"
    totals = op.official_totals(_market(_officials(["O1"]), insp)).set_index("official_id")
    assert totals.loc["O1", "passes"] == 3 and totals.loc["O1", "fails"] == 2


def test_inspections_without_a_firm_are_judged_by_the_kind_not_pooled_as_one_firm() -> None:
    # O1's 30 inspections have no firm id and it fails 3; others fail half of theirs at named
    # firms. Pooled as one "firm", O1's would be compared with the others' firm-less cases
    # (none here) or with each other; by the kind's rate among the others (0.5) it is expected
    # to fail 15 — and O2..O5 with named firms are compared with those firms' records
    insp: list[dict] = []
    _inspections(insp, "O1", 27, 3)
    for row in insp:
        row["firm_id"] = None
    for official in ("O2", "O3", "O4", "O5"):
        _inspections(insp, official, 15, 15)
    totals = op.official_totals(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp)).set_index("official_id")
    assert totals.loc["O1", "expected_fails"] == pytest.approx(15.0)
    assert totals.loc["O1", "fails"] == 3


def test_funnel_z_stays_finite_for_huge_counts() -> None:
    # the Poisson tails underflow in linear space; the z must stay a number an investigator can read
    observed = pd.Series([1000, 990, 1010, 1005, 995, 0, 3000], dtype=float)
    expected = pd.Series([1000.0] * 7)
    z = op.funnel_z(observed, expected)
    assert np.isfinite(z).all()
    assert z[5] < -30 and z[6] > 30


def test_approval_times_are_quoted_to_the_half_day() -> None:
    """A peer median of 10.5 days is not rounded to 10 in the sentence."""
    fmt = op._LABELS["approval_days"][1]
    assert (fmt(10.5), fmt(24.0), fmt(8.25)) == ("10.5 days", "24 days", "8.2 days")


def test_robust_z_is_given_for_a_group_of_exactly_min_peers() -> None:
    """Four values, min_peers = 4: median 2.5, MAD median(1.5, 0.5, 0.5, 7.5) = 1, so the 10 is
    7.5 / 1.4826 robust standard deviations above; three values are too few."""
    z = op.robust_z(pd.Series([1.0, 2.0, 3.0, 10.0]), min_peers=4)
    assert z.iloc[3] == pytest.approx(7.5 / 1.4826)
    assert op.robust_z(pd.Series([1.0, 2.0, 10.0]), min_peers=4).isna().all()


def test_an_approval_decided_the_day_it_was_applied_for_took_zero_days() -> None:
    """Decided on the day of application: 0 days, timed, in time (not a missing time); the median of
    0 and 4 days is 2."""
    rows: list[dict] = []
    _approval(rows, "O1", "2024-01-10", "2024-01-10", 10)
    _approval(rows, "O1", "2024-01-10", "2024-01-14", 10)
    data = _market(_officials(["O1"]), approvals=rows)
    assert op.approval_overdue(data.approvals, op.as_of_date(data))["days"].tolist() == [0.0, 4.0]
    totals = op.official_totals(data).set_index("official_id").loc["O1"]
    assert (totals["approvals_timed"], totals["approval_days"]) == (2, 2.0)


def test_an_open_overdue_approval_counts_in_the_overdue_share() -> None:
    """O1 decided 2 approvals in time; of 2 still open on the approvals' last date (2024-03-01,
    limit 20 days) one is 29 days old (overdue), one 10 days (not yet): overdue share = 1 / (2 + 1)."""
    rows: list[dict] = []
    _approval(rows, "O1", "2024-01-01", "2024-01-05", 20)
    _approval(rows, "O1", "2024-01-01", "2024-01-06", 20)
    _approval(rows, "O1", "2024-02-01", None, 20)
    _approval(rows, "O1", "2024-02-20", None, 20)
    _approval(rows, "O2", "2024-03-01", "2024-03-01", 20)
    totals = op.official_totals(_market(_officials(["O1", "O2"]), approvals=rows)).set_index("official_id").loc["O1"]
    assert (totals["approval_cases"], totals["overdue"], totals["open_overdue"]) == (3, 1, 1)
    assert totals["overdue_share"] == pytest.approx(1 / 3)


def _overdue_department() -> MarketData:
    """Approvals with a 20-day limit; a late one is decided after 40 days:
    O1 12 late of 15 (share 0.8), O2 10 of 20 (0.5: both thresholds met exactly),
    O3 9 of 18 (0.5 but one case short), O4 10 of 21 (ten, but a share under 0.5)."""
    rows: list[dict] = []
    for official, late, total in (("O1", 12, 15), ("O2", 10, 20), ("O3", 9, 18), ("O4", 10, 21)):
        for i in range(total):
            applied = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
            taken = 40 if i < late else 5
            _approval(rows, official, f"{applied:%Y-%m-%d}", f"{applied + pd.Timedelta(days=taken):%Y-%m-%d}", 20)
    return _market(_officials(["O1", "O2", "O3", "O4"]), approvals=rows)


def test_many_overdue_cases_score_ten_times_their_share_and_need_both_thresholds() -> None:
    """No z (min_peers 10 > 4 officials), so only "many overdue cases" (≥ 10 and share ≥ 0.5)
    scores: S = 10 · share, score = 100 · (1 − e^(−S/6)). O1: S = 8 → 73.64; O2: S = 5 → 56.54,
    highest first; O3 and O4 each miss one threshold."""
    findings = op.detect(_overdue_department(), op.Params(min_peers=10), pairs=[])
    assert [f.official_id for f in findings] == ["O1", "O2"]
    assert [f.score for f in findings] == pytest.approx([100 * (1 - math.exp(-8 / 6)),
                                                        100 * (1 - math.exp(-5 / 6))], abs=1e-3)
    assert [f.evidence["overdue"]["many_overdue"] for f in findings] == [True, True]


def _department_with_harsh_penalties() -> MarketData:
    """O1..O4 fail 11, 10, 10, 9 of 30 inspections at a 1,000 penalty each; O5 fails 10 of 30 at
    5,000. Mean penalties 366.7, 333.3, 333.3, 300, 1,666.7: median 333.3, MAD 33.3, so O5's
    z = 1,333.3 / (1.4826 · 33.3) = 27.0."""
    insp: list[dict] = []
    for official, fails in (("O1", 11), ("O2", 10), ("O3", 10), ("O4", 9)):
        _inspections(insp, official, 30 - fails, fails)
    _inspections(insp, "O5", 20, 10, penalty=5000.0)
    return _market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp)


def test_a_deviation_counts_at_most_ten_in_the_score_and_is_told_as_above() -> None:
    """O5's penalty z of 27 counts min(27, 10) = 10: score 100 · (1 − e^(−10/6)) = 81.11."""
    [found] = op.detect(_department_with_harsh_penalties(), pairs=[])
    assert found.official_id == "O5" and list(found.evidence["deviations"]) == ["penalty_mean"]
    assert found.evidence["deviations"]["penalty_mean"]["z"] == pytest.approx(1333.33 / (1.4826 * 33.333), abs=0.01)
    assert found.score == pytest.approx(100 * (1 - math.exp(-10 / 6)), abs=1e-3)
    assert "mean penalty per inspection 1,667 against a peer median of 333 (27.0 robust standard deviations " \
        "above)" in found.explanation


def test_the_lenient_officials_score_sums_its_deviations_and_says_below() -> None:
    """O5 of :func:`_department_with_lenient_official` fails none of 30: its failure ratio is
    (0 + ½)/(E + ½), and S = |z_fail_ratio| + |z_penalty| (each under 10), score 100 · (1 − e^(−S/6));
    the penalty of 0 is below the peers' 333."""
    [found] = op.detect(_department_with_lenient_official(), pairs=[])
    deviations = found.evidence["deviations"]
    ratio = deviations["fail_ratio"]
    assert ratio["value"] == pytest.approx(0.5 / (ratio["expected_failures"] + 0.5), abs=1e-3)
    s = abs(ratio["z"]) + abs(deviations["penalty_mean"]["z"])
    assert found.score == pytest.approx(100 * (1 - math.exp(-s / 6)), abs=0.1)
    assert "mean penalty per inspection 0 against a peer median of 333 (6.7 robust standard deviations below)" \
        in found.explanation


def test_an_official_who_fails_far_more_than_its_firms_predict_is_told_more_than() -> None:
    """O5 fails all 30 inspections where its firms' records with the others predict about 10."""
    insp: list[dict] = []
    for official, passes in (("O1", 18), ("O2", 19), ("O3", 20), ("O4", 21)):
        _inspections(insp, official, passes, 30 - passes)
    _inspections(insp, "O5", 0, 30)
    [found] = op.detect(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp), pairs=[])
    ratio = found.evidence["deviations"]["fail_ratio"]
    assert found.official_id == "O5" and ratio["z"] >= 3.5 and ratio["peer_expected_failures"] < 30
    assert f"failed 30 inspections, more than the {ratio['peer_expected_failures']:.1f} its peers" in found.explanation


def _approval_times(o9_days: int) -> MarketData:
    """O1..O4 decide 10 approvals each in 10, 11, 12, 13 days; O9 in ``o9_days`` (limit 30, none late)."""
    rows: list[dict] = []
    for official, days in (("O1", 10), ("O2", 11), ("O3", 12), ("O4", 13), ("O9", o9_days)):
        for i in range(10):
            applied = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
            _approval(rows, official, f"{applied:%Y-%m-%d}", f"{applied + pd.Timedelta(days=days):%Y-%m-%d}", 30)
    return _market(_officials(["O1", "O2", "O3", "O4", "O9"]), approvals=rows)


def test_only_slow_approvals_are_a_red_flag() -> None:
    """O9 deciding in 25 days: median 12, MAD 1, z = 13 / 1.4826 = 8.8 — a finding. Near miss: O9
    deciding in 1 day is as far out (z = −10 / 1.4826 = −6.7) but fast is not a red flag."""
    [slow] = op.detect(_approval_times(25), pairs=[])
    assert slow.official_id == "O9" and slow.evidence["deviations"]["approval_days"]["z"] == pytest.approx(8.77, abs=0.01)
    assert "median approval time 25 days against a peer median of 12 days (8.8 robust standard deviations above)" \
        in slow.explanation
    totals = op.official_totals(_approval_times(1)).set_index("official_id")
    assert totals.loc["O9", "z_approval_days"] == pytest.approx(-10 / 1.4826)
    assert op.detect(_approval_times(1), pairs=[]) == []


def test_a_department_too_small_to_compare_is_compared_with_the_market() -> None:
    """:func:`_department_with_lenient_official` with O5 alone in department D2: O5's penalty is
    compared with all five (median 333.3, MAD 33.3: z = −333.3 / 49.42 = −6.74), O1..O4 with
    their own department (penalties 400, 366.7, 333.3, 300: median 350, MAD 33.3, O1's
    z = 50 / 49.42 = 1.01, not the market's 66.7 / 49.42 = 1.35)."""
    data = _department_with_lenient_official()
    officials = data.officials.assign(department_id=["D1", "D1", "D1", "D1", "D2"])
    totals = op.official_totals(_market(officials.to_dict("records"), data.inspections.to_dict("records")))
    totals = totals.set_index("official_id")
    assert totals.loc["O1", "scope_penalty_mean"] == "department"
    assert totals.loc["O1", "z_penalty_mean"] == pytest.approx(50 / (1.4826 * 100 / 3), abs=1e-3)
    assert totals.loc["O5", "scope_penalty_mean"] == "market"
    assert totals.loc["O5", "z_penalty_mean"] == pytest.approx(-1000 / 3 / (1.4826 * 100 / 3), abs=1e-3)
    assert totals.loc["O5", "peer_median_penalty_mean"] == pytest.approx(1000 / 3)


def test_the_deviation_of_the_officials_table_is_the_largest_absolute_z() -> None:
    """Workloads 10, 12, 14, 16 and 0 (median 12, MAD 2): the last is (0 − 12) / (1.4826 · 2) = −4.05
    robust standard deviations off; its overdue and pass counts match its peers', so its
    deviation is 4.05, not the largest signed z."""
    record = pd.DataFrame({"department_id": ["D"] * 5, "workload": [10, 12, 14, 16, 0],
                           "approvals": [10] * 5, "overdue": [1] * 5, "inspections": [10] * 5, "passes": [8] * 5})
    z = op.period_deviation(record)
    assert z.loc[4, "workload_z"] == -4.05 and z.loc[4, "deviation"] == 4.05


def test_the_pass_rate_is_over_inspections_with_a_result() -> None:
    """3 passes, 1 failure and 1 inspection without a recorded result: pass rate 3/4, not 3/5."""
    insp: list[dict] = []
    _inspections(insp, "O1", 3, 2)
    insp[-1]["result"] = None
    row = op.official_profile_frame(_market(_officials(["O1"]), insp), pairs=[]).iloc[0]
    assert (row["inspections"], row["passes"]) == (5, 3) and row["pass_rate"] == pytest.approx(0.75)


def test_a_monthly_z_needs_min_volume_month_inspections() -> None:
    """Five officials with 5 inspections each in January (the default min_volume_month) get a
    monthly z; with 4 each they do not."""
    for n, compared in ((5, True), (4, False)):
        insp: list[dict] = []
        for k, official in enumerate(("O1", "O2", "O3", "O4", "O5")):
            _inspections(insp, official, n - k % 2, k % 2)
        frame = op.official_profile_frame(_market(_officials(["O1", "O2", "O3", "O4", "O5"]), insp), pairs=[])
        assert frame["z_pass_rate"].notna().all() == compared
