"""Official–firm closeness: each component on hand-checkable data, one hit and one near-miss per rule."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from detectors import closeness, inference
from detectors.market import MarketData

DAY = pd.Timestamp("2024-01-01")


#: record ids unique across a test's rows, however it filters and extends them (a repeated id is one record)
_IDS = itertools.count(1)


def _inspection(rows: list, official: str, firm: str, passes: int, fails: int, kind: str = "safety",
                penalty: float = 1000.0) -> None:
    for i in range(passes + fails):
        passed = i < passes
        rows.append({"inspection_id": f"I{next(_IDS)}", "official_id": official, "firm_id": firm,
                     "date": DAY + pd.Timedelta(days=len(rows) % 300), "kind": kind,
                     "result": "pass" if passed else "fail", "penalty": 0.0 if passed else penalty})


def _approvals(rows: list, official: str, firm: str, days: list[int], kind: str = "permit") -> None:
    for d in days:
        applied = DAY + pd.Timedelta(days=len(rows) % 300)
        rows.append({"approval_id": f"A{next(_IDS)}", "official_id": official, "firm_id": firm, "kind": kind,
                     "applied_at": applied, "decided_at": applied + pd.Timedelta(days=d), "decision": "approved",
                     "statutory_days": 30})


def _officials(ids: list[str], department: str = "D1") -> list[dict]:
    return [{"official_id": o, "name": f"Official {o}", "department_id": department, "role": "inspector"}
            for o in ids]


def _market(officials: list[dict], inspections: list | None = None, approvals: list | None = None,
            **frames: object) -> MarketData:
    firms = {r["firm_id"] for r in (inspections or []) + (approvals or [])}
    firms |= {b["firm_id"] for b in frames.get("bids", [])}  # type: ignore[union-attr]
    return MarketData.build(
        officials=pd.DataFrame(officials),
        firms=pd.DataFrame({"firm_id": sorted(firms), "name": [f"Firm {f}" for f in sorted(firms)]}),
        inspections=pd.DataFrame(inspections or [], columns=["inspection_id", "official_id", "firm_id", "date",
                                                             "kind", "result", "penalty"]),
        approvals=pd.DataFrame(approvals or [], columns=["approval_id", "official_id", "firm_id", "kind",
                                                         "applied_at", "decided_at", "decision",
                                                         "statutory_days"]),
        **{k: pd.DataFrame(v) for k, v in frames.items()},
    ).with_winners()


def _row(frame: pd.DataFrame, official: str, firm: str) -> pd.Series:
    hit = frame[(frame["official_id"] == official) & (frame["firm_id"] == firm)]
    assert len(hit) == 1, f"no single row for {official}–{firm}"
    return hit.iloc[0]


def _pairs(findings: list) -> set[tuple[str, str]]:
    return {(f.official_id, f.firm_id) for f in findings}


def _peer_market() -> tuple[list[dict], list[dict]]:
    """D1: O1..O4 inspect F1..F4, everyone passes 7 of 10 (ordinary)."""
    insp: list[dict] = []
    for o in ("O1", "O2", "O3", "O4"):
        for f in ("F1", "F2", "F3", "F4"):
            _inspection(insp, o, f, passes=7, fails=3)
    return _officials(["O1", "O2", "O3", "O4"]), insp


def _busy_pair() -> list[dict]:
    """O1 makes 40 of its 48 inspections on F1 (ordinary pass rate) and one on each of F2..F9, which
    O2 inspects 10 times each, as it does F1."""
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 28, 12)
    for f in ("F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"):
        _inspection(insp, "O1", f, 1, 0)
        _inspection(insp, "O2", f, 7, 3)
    _inspection(insp, "O2", "F1", 7, 3)
    return insp


# --------------------------------------------------------------------------- helpers


def test_an_inspection_or_approval_read_twice_counts_once() -> None:
    """A record whose id repeats is one record (a market built without the loaders' keys): doubled
    approvals turned 10 findings into 157 on a blind market ("decided approvals … 22 times" of 11)."""
    officials, insp = _peer_market()
    approvals: list[dict] = []
    _approvals(approvals, "O1", "F1", [5, 6, 7, 8])
    for o in ("O2", "O3"):
        _approvals(approvals, o, "F1", [20, 22])
    once = closeness.pair_frame(_market(officials, insp, approvals))
    twice = closeness.pair_frame(_market(officials, insp + insp, approvals + approvals))
    pd.testing.assert_frame_equal(once, twice)
    assert _row(twice, "O1", "F1")["approvals_observed"] == 4


def test_gate_is_zero_at_p_weak_one_at_p_strong_and_log_linear_between() -> None:
    assert closeness.gate(0.05, 0.05, 0.001) == pytest.approx(0.0)
    assert closeness.gate(0.001, 0.05, 0.001) == pytest.approx(1.0)
    middle = 10 ** -((math.log10(20) + 3) / 2)
    assert closeness.gate(middle, 0.05, 0.001) == pytest.approx(0.5)
    assert closeness.gate(0.5, 0.05, 0.001) == 0.0


# --------------------------------------------------------------------------- frequency


def test_frequency_expectation_uses_the_official_pool_and_leave_one_out_firm_sizes() -> None:
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 6, 0)
    _inspection(insp, "O1", "F2", 2, 0)
    _inspection(insp, "O1", "F3", 2, 0)
    for f in ("F1", "F2", "F3"):
        _inspection(insp, "O2", f, 2, 0)
    frame = closeness.pair_frame(_market(_officials(["O1", "O2"]), insp))
    row = _row(frame, "O1", "F1")
    # others' volume r = 2 for each firm, pool mean 2 → s = 4 each → E = 10 × 4/12
    assert row["inspections_expected"] == pytest.approx(10 / 3)
    assert row["inspections_lift"] == pytest.approx(1.8)
    # P(X ≥ 6 | X ≥ 3): only pairs with ≥ 3 inspections are scored, so the tail is conditioned on that
    assert row["inspections_pvalue"] == pytest.approx(stats.poisson.sf(5, 10 / 3) / stats.poisson.sf(2, 10 / 3))
    assert row["portfolio_share"] == pytest.approx(0.6)


def _concentrated(peer_counts: list[int], first: int = 12, channel: str = "inspections") -> MarketData:
    """O0 makes ``first`` of its inspections (or approvals) on T0 and one on each of T1–T7; eight
    colleagues each deal with eight firms of their own ``peer_counts`` times. Nobody shares a
    firm, so every expectation is the official's uniform share: (first + 7)/8 for O0's firms."""
    rows: list[dict] = []

    def deal(official: str, firm: str, n: int) -> None:
        if channel == "inspections":
            _inspection(rows, official, firm, n, 0)
        else:
            _approvals(rows, official, firm, [20] * n)

    for i, n in enumerate([first, 1, 1, 1, 1, 1, 1, 1]):
        deal("O0", f"T{i}", n)
    peers = [f"O{k}" for k in range(1, 9)]
    for o in peers:
        for i, n in enumerate(peer_counts):
            deal(o, f"{o}F{i}", n)
    officials = _officials(["O0", *peers])
    return _market(officials, rows) if channel == "inspections" else _market(officials, approvals=rows)


SCATTERED = [10, 1, 1, 1, 1, 1, 1, 3]  # each colleague gives one firm 10 of its 19 visits


def test_a_concentration_the_department_s_officials_all_show_is_not_closeness() -> None:
    """Where colleagues spread their visits evenly, O0's 12 visits to T0 are a Poisson outlier and
    reported; where each colleague also gives one firm 10 of its 19 visits, the department's
    counts are overdispersed beyond even the geometric, the negative binomial fitted to the
    colleagues stops at its floor k = 1, and the same 12 visits are ordinary there
    (p ≈ 0.04, far from the Poisson's 2e-5): no report."""
    even = _concentrated([3] * 8)
    row = _row(closeness.pair_frame(even), "O0", "T0")
    assert row["inspections_expected"] == pytest.approx(19 / 8)
    assert math.isinf(row["inspections_dispersion"])
    poisson_p = stats.poisson.sf(11, 19 / 8) / stats.poisson.sf(2, 19 / 8)
    assert row["inspections_pvalue"] == pytest.approx(poisson_p)
    assert row["frequency_points"] > 10
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(even)}
    assert found[("O0", "T0")].evidence["components"]["frequency_inspections"]["tail"] == "Poisson"
    assert found[("O0", "T0")].evidence["components"]["frequency_inspections"]["dispersion_size"] is None

    scattered = _concentrated(SCATTERED)
    row = _row(closeness.pair_frame(scattered), "O0", "T0")
    assert row["inspections_dispersion"] == pytest.approx(1.0)  # the floor
    nb = stats.nbinom(1.0, 1.0 / (1.0 + 19 / 8))
    assert row["inspections_pvalue"] == pytest.approx(nb.sf(11) / nb.sf(2))
    assert row["inspections_pvalue"] > 1000 * poisson_p
    assert row["frequency_points"] < closeness.Params().report_floor
    assert ("O0", "T0") not in _pairs(closeness.detect(scattered))


def test_a_concentration_beyond_the_department_s_spread_is_reported_with_the_tail_it_was_read_from() -> None:
    """40 visits to T0 against a baseline of 47/8 = 5.9 stand out even from scattered colleagues;
    the evidence says the tail was the negative binomial and how much wider it is there:
    1 + μ/k = 1 + 5.875 = 6.9× the Poisson's variance."""
    data = _concentrated(SCATTERED, first=40)
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    fact = found[("O0", "T0")].evidence["components"]["frequency_inspections"]
    assert fact["dispersion_size"] == pytest.approx(1.0)
    assert fact["tail"].startswith("negative binomial") and "6.9× the Poisson's" in fact["tail"]
    nb = stats.nbinom(1.0, 1.0 / (1.0 + 47 / 8))
    assert fact["pvalue"] == pytest.approx(nb.sf(39) / nb.sf(2), rel=1e-2)


def test_approvals_are_read_against_their_department_s_spread_too() -> None:
    even = _row(closeness.pair_frame(_concentrated([3] * 8, channel="approvals")), "O0", "T0")
    scattered = _row(closeness.pair_frame(_concentrated(SCATTERED, channel="approvals")), "O0", "T0")
    assert math.isinf(even["approvals_dispersion"]) and even["frequency_points"] > 10
    assert scattered["approvals_dispersion"] == pytest.approx(1.0)
    assert scattered["approvals_pvalue"] > 1000 * even["approvals_pvalue"]


def test_territorial_work_measures_a_firm_by_each_colleague_s_own_intensity() -> None:
    """O1 alone inspects F1–F6 (F1 15 times, the others 3); six colleagues each inspect two
    firms of their own 3 times and F1 once. Counted raw, F1's six outside visits make it 7×
    an average firm; against each colleague's 7/3 visits per firm it is a small one."""
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 15, 0)
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _inspection(insp, "O1", f, 3, 0)
    colleagues = [f"O{k}" for k in range(2, 8)]
    for o in colleagues:
        for f in (f"H{o}a", f"H{o}b"):
            _inspection(insp, o, f, 3, 0)
        _inspection(insp, o, "F1", 1, 0)
    data = _market(_officials(["O1", *colleagues]), insp)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["inspections_frequency_model"] == "exposure"
    # F1: others' visits r = 6 over their intensity e = 6 × 7/3, with one pseudo-firm: s = 7/15;
    # F2–F6 nobody else visits: s = 1; O1's 30 inspections are shared out in proportion
    assert row["inspections_expected"] == pytest.approx(30 * (7 / 15) / (7 / 15 + 5))
    assert row["frequency_points"] > 0
    assert ("O1", "F1") in _pairs(closeness.detect(data))


def test_randomly_routed_work_keeps_firm_sizes_in_counts() -> None:
    """Inspections of 60 firms of very different sizes, each given to one of 8 officials at
    random: the raw-count reading fits, and no official looks close to a large firm."""
    rng = np.random.default_rng(11)
    officials = [f"O{k}" for k in range(1, 9)]
    insp: list[dict] = []
    for f in range(60):
        for _ in range(int(rng.poisson(np.exp(rng.normal(1.2, 1.0)))) + 1):
            _inspection(insp, officials[int(rng.integers(8))], f"F{f}", 1, 0)
    data = _market(_officials(officials), insp)
    frame = closeness.pair_frame(data)
    assert set(frame["inspections_frequency_model"].dropna()) == {"counts"}
    assert not closeness.detect(data)


def test_a_pair_whose_kinds_of_work_use_both_readings_says_mixed() -> None:
    """The territorial safety inspections above, plus fire inspections of the same firms given
    to the officials at random: each kind takes its own reading, and the pair's evidence
    must not name one of them for both."""
    rng = np.random.default_rng(12)
    officials = ["O1", *[f"O{k}" for k in range(2, 8)]]
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 15, 0)
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _inspection(insp, "O1", f, 3, 0)
    for o in officials[1:]:
        for f in (f"H{o}a", f"H{o}b"):
            _inspection(insp, o, f, 3, 0)
        _inspection(insp, o, "F1", 1, 0)
    firms = ["F1", "F2", "F3", "F4", "F5", "F6", *[f"H{o}{x}" for o in officials[1:] for x in "ab"]]
    for f in firms:
        for _ in range(int(rng.poisson(np.exp(rng.normal(1.2, 1.0)))) + 1):
            _inspection(insp, officials[int(rng.integers(len(officials)))], f, 1, 0, kind="fire")
    data = _market(_officials(officials), insp)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["inspections_frequency_model"] == "mixed"
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    evidence = found[("O1", "F1")].evidence["components"]["frequency_inspections"]
    assert evidence["baseline_from"] == closeness.BASELINE_FROM["mixed"]


def test_small_district_official_expects_the_same_few_firms() -> None:
    """One official, three firms nobody else serves: the expectation is the uniform share."""
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 14, 6)
    _inspection(insp, "O1", "F2", 7, 3)
    _inspection(insp, "O1", "F3", 7, 3)
    frame = closeness.pair_frame(_market(_officials(["O1"]), insp))
    assert _row(frame, "O1", "F1")["inspections_expected"] == pytest.approx(40 / 3)


def _territory_market(f1: int, localities: bool = True) -> MarketData:
    """O1 approves in district X: F1 ``f1`` times and F2–F5 twice each; and G1–G3 of district Y once
    each. O2 and O3 work district Y: G1–G12 six times each, and each approves F1–F5 once. O1 served
    all five firms of X and 3 of the 12 elsewhere: a territory (Fisher p = C(12,3)/C(17,8) = 0.009)."""
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [20] * f1)
    for f in ("F2", "F3", "F4", "F5"):
        _approvals(apps, "O1", f, [20, 20])
    for f in ("G1", "G2", "G3"):
        _approvals(apps, "O1", f, [20])
    for o in ("O2", "O3"):
        for k in range(1, 13):
            _approvals(apps, o, f"G{k}", [20] * 6)
        for f in ("F1", "F2", "F3", "F4", "F5"):
            _approvals(apps, o, f, [20])
    data = _market(_officials(["O1", "O2", "O3"]), approvals=apps)
    if localities:
        firms = data.firms.assign(locality=data.firms["firm_id"].str[0].map({"F": "X", "G": "Y"}))
        data = dataclasses.replace(data, firms=firms)
    return data


def test_territories_are_localities_where_the_official_served_enough_firms() -> None:
    served = pd.DataFrame({"official_id": ["O1"] * 8 + ["O2"] * 2,
                           "firm_id": ["F1", "F2", "F3", "F4", "F5", "G1", "G2", "H1", "F1", "F2"]})
    locality = pd.Series({"F1": "X", "F2": "X", "F3": "X", "F4": "X", "F5": "X", "G1": "Y", "G2": "Y"})
    where = closeness.territories(served, locality, min_firms=5)
    # O1 served five firms of X (a territory), two of Y and one of unknown locality (elsewhere);
    # O2 served two firms of X: not enough to call it its territory
    assert where.tolist() == ["X"] * 5 + ["", "", "", "", ""]
    assert closeness.territories(served, locality, min_firms=2).tolist() == ["X"] * 5 + ["Y", "Y", "", "X", "X"]


def test_a_department_works_territories_when_most_officials_cover_their_own_localities_best() -> None:
    """Firms: 5 in X, 12 in four localities of 3. D1: O1 served all 5 of X and 3 of the 12 others
    (Fisher p = C(12,3)/C(17,8) = 0.009), O2 all of X and 2 others (p = C(12,2)/C(17,7) = 0.003). D2: O3
    served all of X and all 12 others (p = 1): it covers its locality no better than the rest. O8 and
    O9 served the 12 others, 3 in each locality: no territory, no vote."""
    x = [f"X{i}" for i in range(5)]
    others = [f"G{i}" for i in range(12)]
    rows = ([("O1", f, "D1") for f in x + others[:3]] + [("O2", f, "D1") for f in x + others[3:5]]
            + [("O3", f, "D2") for f in x + others])
    rows += [(o, f, d) for o, d in (("O9", "D1"), ("O8", "D2")) for f in others]
    served = pd.DataFrame(rows, columns=["official_id", "firm_id", "department_id"])
    locality = pd.Series({**{f: "X" for f in x}, **{f: f"Y{int(f[1:]) // 3}" for f in others}})
    served["territory"] = closeness.territories(served, locality, min_firms=5)
    assert set(served.loc[served["territory"] != "", "official_id"]) == {"O1", "O2", "O3"}
    assert stats.hypergeom.sf(4, 17, 8, 5) == pytest.approx(math.comb(12, 3) / math.comb(17, 8))
    assert closeness.territorial_departments(served, locality) == {"D1"}


def test_the_official_s_work_in_its_territory_is_shared_among_the_firms_it_served_there() -> None:
    """F1–F5 look alike to O1's colleagues (one approval from each), so in O1's territory X each
    expects a fifth of O1's 16 approvals there, whichever reading of sizes the department takes.
    Without localities the large firms of Y that O1 met once draw most of its 19 approvals and
    F1's 8 look a 5× excess."""
    frame = closeness.pair_frame(_territory_market(8))
    row = _row(frame, "O1", "F1")
    assert row["approvals_expected"] == pytest.approx(16 / 5)
    assert (row["approvals_territory"], row["approvals_territory_observed"], row["approvals_territory_firms"]) \
        == ("X", 16, 5)
    # Y, where O1 served only three firms, is not its territory: G1–G3 are read against O1's work as a
    # whole, as without localities (one or two firms outside would otherwise be their own baseline)
    blind_frame = closeness.pair_frame(_territory_market(8, localities=False))
    rest = frame[(frame["official_id"] == "O1") & frame["firm_id"].str.startswith("G")]
    assert rest["approvals_territory"].isna().all()
    assert rest["approvals_expected"].tolist() == pytest.approx(
        blind_frame.set_index("firm_id").loc[rest["firm_id"]].query("official_id == 'O1'")["approvals_expected"].tolist())
    blind = _row(blind_frame, "O1", "F1")
    assert pd.isna(blind["approvals_territory"])
    assert row["approvals_lift"] == pytest.approx(2.5) and blind["approvals_lift"] > 4.5
    assert blind["frequency_points"] > 0 and row["frequency_points"] == 0


def _small_district(o1: dict[str, int], o2: dict[str, int], kinds: dict[str, str] | None = None) -> MarketData:
    """:func:`_territory_market` (O1's territory X, O2 and O3 working Y) and district Z, whose firms
    O1 and O2 approve for as many times as ``o1`` and ``o2`` say (firm → times; ``kinds``: firm →
    kind of its approvals, a permit by default)."""
    data = _territory_market(8)
    apps = data.approvals.to_dict("records")
    for official, times in (("O1", o1), ("O2", o2)):
        for firm, k in times.items():
            _approvals(apps, official, firm, [20] * k, kind=(kinds or {}).get(firm, "permit"))
    market = _market(_officials(["O1", "O2", "O3"]), approvals=apps)
    firms = market.firms.assign(locality=market.firms["firm_id"].str[0].map({"F": "X", "G": "Y", "H": "Z"}))
    return dataclasses.replace(market, firms=firms)


def test_a_small_district_s_own_official_is_compared_among_its_few_firms() -> None:
    """Z has three firms, fewer than ``territory_min_firms``, and O1 approves for all of them and is
    the only one who does: H1's 8 of O1's 12 approvals there are read against a third of them (4; its
    colleagues know nothing of the three), not against O1's work across the city. Near misses: where
    O2 makes most of the department's approvals in Z, or H3 is O2's alone, O1 is not Z's official
    and H1 is read against O1's work as a whole."""
    n = pd.DataFrame({"official_id": "O1", "firm_id": ["H1", "H2"], "department_id": "D1", "n": [8, 2]})
    volume = pd.DataFrame({"department_id": "D1", "firm_id": ["H1", "H2"], "A": [8, 2]})
    small = closeness.small_districts(n, volume, pd.Series({"H1": "Z", "H2": "Z"}), min_firms=5)
    assert small[["official_id", "firm_id", "locality", "marked"]].values.tolist() == [
        ["O1", "H1", "Z", True], ["O1", "H2", "Z", True]]
    row = _row(closeness.pair_frame(_small_district({"H1": 8, "H2": 2, "H3": 2}, {})), "O1", "H1")
    assert row["approvals_territory"] == "Z" and row["approvals_territory_firms"] == 3
    assert row["approvals_expected"] == pytest.approx(12 / 3)
    assert row["frequency_points"] == 0
    territory = closeness._territory(row, "approvals", closeness.Params().territory_min_firms)["territory"]
    assert territory["small_district"] and "Z is a small district" in territory["rule"]
    shared = _small_district({"H1": 8, "H2": 2, "H3": 2}, {"H1": 8, "H2": 8, "H3": 8})
    assert pd.isna(_row(closeness.pair_frame(shared), "O1", "H1")["approvals_territory"])
    part = _small_district({"H1": 8, "H2": 2}, {"H3": 2})
    assert pd.isna(_row(closeness.pair_frame(part), "O1", "H1")["approvals_territory"])


def test_a_favoured_firm_s_own_excess_does_not_make_its_official_the_district_s() -> None:
    """Z's two firms are O2's: it approves each 4 times, O1 approves H2 once. O1 approving H1 20
    times would make it 84 % of Z's work, but a firm is read among the district's firms only where
    the official does most of the work with the *other* ones (1 of H2's 5 here): H1 stays a lead."""
    row = _row(closeness.pair_frame(_small_district({"H1": 20, "H2": 1}, {"H1": 4, "H2": 4})), "O1", "H1")
    assert pd.isna(row["approvals_territory"]) and row["frequency_points"] > 0


def test_a_firm_taking_most_of_a_territory_is_still_an_excess_and_the_finding_names_the_territory() -> None:
    """F1 takes 14 of O1's 22 approvals in X, where a fifth (4.4) is its share."""
    data = _territory_market(14)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["approvals_expected"] == pytest.approx(22 / 5)
    assert row["frequency_points"] > 0
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    finding = found[("O1", "F1")]
    fact = finding.evidence["components"]["frequency_approvals"]
    assert fact["territory"]["locality"] == "X"
    assert fact["territory"]["official_interactions_there"] == 22
    assert fact["territory"]["firms_served_there"] == 5
    assert "workload and market in X predict (4.4)" in finding.explanation


def test_a_territory_holds_for_every_kind_of_the_official_s_work_there() -> None:
    """O1 also decides 3 licences for F2: the pair O1–F1 (permits only) is still in territory X, which
    counts O1's 16 permits and 3 licences there, whatever the kinds are called (review)."""
    for licence in ("a_licence", "z_licence"):
        data = _territory_market(8)
        extra: list[dict] = []
        _approvals(extra, "O1", "F2", [20, 20, 20], kind=licence)
        approvals = pd.concat([data.approvals, pd.DataFrame(extra).assign(
            approval_id=lambda f: "L" + f["approval_id"])], ignore_index=True)
        row = _row(closeness.pair_frame(dataclasses.replace(data, approvals=approvals)), "O1", "F1")
        assert (row["approvals_territory"], row["approvals_territory_observed"]) == ("X", 19), licence


def test_a_firm_favoured_outside_the_official_s_territory_is_read_against_all_its_work() -> None:
    """O1 approves F1–F5 of its district X twice each and G1 of district Y 15 times; its colleagues
    approve every firm alike. G1 is the only firm of the rest: compared with the rest alone it would
    be its own baseline (15 expected); against O1's whole pool it is the excess it is (review)."""
    apps: list[dict] = []
    for f in ("F1", "F2", "F3", "F4", "F5"):
        _approvals(apps, "O1", f, [20, 20])
    _approvals(apps, "O1", "G1", [20] * 15)
    for o in ("O2", "O3"):
        for f in ("F1", "F2", "F3", "F4", "F5", "G1", "G2", "G3"):
            _approvals(apps, o, f, [20, 20])
    data = _market(_officials(["O1", "O2", "O3"]), approvals=apps)
    data = dataclasses.replace(data, firms=data.firms.assign(
        locality=data.firms["firm_id"].str[0].map({"F": "X", "G": "Y"})))
    row = _row(closeness.pair_frame(data), "O1", "G1")
    assert pd.isna(row["approvals_territory"])
    assert row["approvals_lift"] > 3 and row["frequency_points"] > 5
    assert ("O1", "G1") in _pairs(closeness.detect(data))


def test_localities_do_not_split_work_that_is_not_territorial() -> None:
    """50 firms in 10 localities of 5, and three officials who each inspect every firm twice, but O1
    inspects F00 100 times. Every locality holds five firms O1 served, but O1 covers the firms outside
    any one of them as completely as those in it: the department does not work territories, and the
    split is not used. Split, F00's own visits would make its share of L0 its baseline and cap its
    lift at 5 (review)."""
    insp: list[dict] = []
    firms = [f"F{i:02d}" for i in range(50)]
    for f in firms:
        _inspection(insp, "O1", f, 100 if f == "F00" else 2, 0)
        for o in ("O2", "O3"):
            _inspection(insp, o, f, 2, 0)
    data = _market(_officials(["O1", "O2", "O3"]), insp)
    blind = _row(closeness.pair_frame(data), "O1", "F00")
    data = dataclasses.replace(data, firms=data.firms.assign(
        locality=data.firms["firm_id"].map(lambda f: f"L{int(f[1:]) // 5}")))
    row = _row(closeness.pair_frame(data), "O1", "F00")
    assert pd.isna(row["inspections_territory"])
    assert row["inspections_expected"] == pytest.approx(blind["inspections_expected"])
    assert row["inspections_lift"] > closeness.Params().lift_full


def test_frequent_but_ordinary_small_district_official_is_not_flagged() -> None:
    insp: list[dict] = []
    apps: list[dict] = []
    for firm in ("F1", "F2", "F3"):
        _inspection(insp, "O1", firm, 21, 9)  # 30 inspections each, ordinary 70 % pass
        _approvals(apps, "O1", firm, [10, 20, 30, 15, 25])
    officials, peers = _peer_market()
    officials = [o for o in officials if o["official_id"] != "O1"]
    peers = [r for r in peers if r["official_id"] != "O1"]
    data = _market(officials + _officials(["O1"]), insp + peers, apps)
    frame = closeness.pair_frame(data)
    row = _row(frame, "O1", "F1")
    assert row["inspections_observed"] == 30
    assert row["score"] < closeness.Params().report_floor  # not even a weak lead
    assert ("O1", "F1") not in _pairs(closeness.detect(data))


def test_frequency_alone_is_at_most_a_weak_lead() -> None:
    """Strong excess frequency with peers is listed (ranked) but never reaches the strong threshold."""
    params = closeness.Params()
    assert params.frequency_points < params.threshold
    insp = _busy_pair()
    data = _market(_officials(["O1", "O2"]), insp)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["inspections_lift"] > params.lift_full
    assert row["frequency_points"] == pytest.approx(params.frequency_points)
    assert row["score"] < params.threshold
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert found[("O1", "F1")].evidence["tier"] == "weak"
    assert found[("O1", "F1")].score < params.threshold


def test_assigned_events_are_those_inside_a_period_of_the_pair() -> None:
    """since and until are inclusive, either may be open; another pair's assignment does not count."""
    events = pd.DataFrame({"official_id": ["O1", "O1", "O1", "O1", "O2", "O1"],
                           "firm_id": ["F1", "F1", "F1", "F1", "F1", "F2"],
                           "date": pd.to_datetime(["2023-12-31", "2024-01-01", "2024-06-30", "2024-07-01",
                                                   "2024-03-01", None])})
    spans = pd.DataFrame({"official_id": ["O1", "O1"], "firm_id": ["F1", "F2"],
                          "since": pd.to_datetime(["2024-01-01", None]), "until": pd.to_datetime(["2024-06-30", None])})
    assert closeness.assigned(events, spans, "date").tolist() == [False, True, True, False, False, True]
    assert not closeness.assigned(events, spans.iloc[0:0], "date").any()


def test_an_assignment_holds_every_hour_of_its_first_and_last_day() -> None:
    """Days are compared, not instants: 10:00 on the last day is inside, midnight after it is not."""
    data = MarketData.build(
        inspections=pd.DataFrame({"inspection_id": ["I1", "I2", "I3", "I4"], "official_id": ["O1"] * 4,
                                  "firm_id": ["F1"] * 4,
                                  "date": ["2024-03-31T10:00:00Z", "2024-03-31T23:59:59Z", "2024-04-01T00:00:00Z",
                                           "2023-12-31T23:00:00Z"]}),
        assignments=pd.DataFrame({"official_id": ["O1"], "firm_id": ["F1"], "since": ["2024-01-01T12:00:00Z"],
                                  "until": ["2024-03-31"]}))
    assert closeness.assigned(data.inspections, data.assignments, "date").tolist() == [True, True, False, False]
    late_start = data.inspections.assign(date=pd.to_datetime(["2024-01-01T08:00:00"] * 4))
    assert closeness.assigned(late_start, data.assignments, "date").all()  # the first day, before noon


def test_an_assigned_case_officers_visits_are_its_job_and_a_colleagues_are_not() -> None:
    """The frequency case above, once O1 is recorded as F1's case officer: no frequency lead, the visits
    named as the assignment's; O2's excess visits to F2, which it is not assigned, still count."""
    insp = _busy_pair()
    _inspection(insp, "O2", "F2", 28, 12)
    unassigned = _market(_officials(["O1", "O2"]), insp)
    assert _row(closeness.pair_frame(unassigned), "O1", "F1")["frequency_points"] > 0
    spans = pd.DataFrame({"official_id": ["O1"], "firm_id": ["F1"], "since": [None], "until": [None]})
    data = dataclasses.replace(unassigned, assignments=MarketData.build(assignments=spans).assignments)
    frame = closeness.pair_frame(data)
    row = _row(frame, "O1", "F1")
    assert row["inspections_observed"] == 0 and row["inspections_assigned"] == 40
    assert row["frequency_points"] == 0 and row["score"] == 0
    assert row["portfolio_share"] == pytest.approx(40 / 48)  # its work, all of it
    assert _row(frame, "O2", "F2")["frequency_points"] > 0
    assert ("O1", "F1") not in _pairs(closeness.detect(data))


def test_leniency_of_an_assigned_case_officer_still_counts_and_says_so() -> None:
    officials, insp = _peer_market()
    _inspection(insp, "O1", "F5", 20, 0)  # O1 passes F5 every time; from 19 June on as its case officer
    for peer in ("O2", "O3", "O4"):
        _inspection(insp, peer, "F5", 6, 4)
    spans = pd.DataFrame({"official_id": ["O1"], "firm_id": ["F5"], "since": ["2024-06-19"], "until": [None]})
    data = _market(officials, insp, assignments=spans.to_dict("records"))
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    finding = found[("O1", "F5")]
    assert finding.evidence["components"]["leniency_pass"]["contribution"] > 0
    share = finding.evidence["components"]["assignment"]
    in_assignment = sum(r["firm_id"] == "F5" and r["official_id"] == "O1" and r["date"] >= pd.Timestamp("2024-06-19")
                        for r in insp)
    assert (share["since"], share["until"], share["inspections_while_assigned"]) == ("2024-06-19", None, in_assignment)
    assert 0 < in_assignment < 20
    assert f"besides {in_assignment} inspections as its assigned case officer from 2024-06-19" in finding.explanation
    assert "passed it 20 of 20 times" in finding.explanation
    assert finding.evidence["components"]["frequency_inspections"]["value"] == 20 - in_assignment
    # all of it as the case officer: the sentence opens with the assignment
    spans["since"] = [None]
    data = _market(officials, insp, assignments=spans.to_dict("records"))
    finding = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}[("O1", "F5")]
    assert finding.explanation.startswith(
        "Official O1 (O1) was the assigned case officer of Firm F5 (F5) (20 inspections), passed it 20 of 20 times")
    assert "frequency_inspections" not in finding.evidence["components"]
    assert closeness.pair_frame(data).set_index(["official_id", "firm_id"]).loc[("O1", "F5"), "assigned_since"] is None


def test_an_approval_belongs_to_the_assignment_it_was_decided_in() -> None:
    """Applied for under the old case officer, decided under the new one: the new one's act."""
    appr: list[dict] = []
    _approvals(appr, "O1", "F1", [10])  # applied 2024-01-01, decided 2024-01-11
    _approvals(appr, "O2", "F1", [10])  # applied 2024-01-02, decided 2024-01-12
    spans = [{"official_id": "O1", "firm_id": "F1", "since": "2024-01-05", "until": None},
             {"official_id": "O2", "firm_id": "F1", "since": None, "until": "2024-01-04"}]
    frame = closeness.pair_frame(_market(_officials(["O1", "O2"]), approvals=appr, assignments=spans))
    assert _row(frame, "O1", "F1")["approvals_assigned"] == 1 and _row(frame, "O1", "F1")["approvals_observed"] == 0
    assert _row(frame, "O2", "F1")["approvals_assigned"] == 0 and _row(frame, "O2", "F1")["approvals_observed"] == 1
    assert _row(frame, "O2", "F1")["assigned_until"] == "2024-01-04"


def test_equal_scores_rank_the_pair_more_channels_corroborate_first() -> None:
    """Two officials each give one firm 40 of 48 inspections (frequency at its cap, 15); O3's
    permits for its firm are also a little faster than its others (p ≈ 0.05, not enough to
    count). The scores tie, and O3–F10 ranks first although O1 sorts before O3."""
    insp: list[dict] = []
    appr: list[dict] = []
    _inspection(insp, "O1", "F1", 28, 12)
    _inspection(insp, "O3", "F10", 28, 12)
    for f in ("F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"):
        _inspection(insp, "O1", f, 1, 0)
        _inspection(insp, "O3", f, 1, 0)
        _inspection(insp, "O2", f, 7, 3)
    _inspection(insp, "O2", "F1", 7, 3)
    _inspection(insp, "O2", "F10", 7, 3)
    _approvals(appr, "O3", "F10", [19, 20, 21])
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _approvals(appr, "O3", f, [20, 22, 25])
    data = _market(_officials(["O1", "O2", "O3"]), insp, appr)
    frame = closeness.pair_frame(data)
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first["official_id"], second["official_id"]) == ("O3", "O1")
    assert first["score"] == pytest.approx(second["score"]) == pytest.approx(closeness.Params().frequency_points)
    assert first["corroboration_pvalue"] < 0.5 and first["corroboration_points"] == 0.0
    assert [(f.official_id, f.firm_id) for f in closeness.detect(data)][:2] == [("O3", "F10"), ("O1", "F1")]


def test_a_finding_says_when_the_interactions_happened() -> None:
    """First and last date per channel in the evidence, and the span in the sentence."""
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 28, 12)  # rows 0–39: 2024-01-01 … 2024-02-09
    for f in ("F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"):
        _inspection(insp, "O1", f, 1, 0)
        _inspection(insp, "O2", f, 7, 3)
    _inspection(insp, "O2", "F1", 7, 3)
    insp[0]["date"] = None  # an undated inspection counts but sets no date, and the sentence says so
    finding = {(f.official_id, f.firm_id): f for f in closeness.detect(_market(_officials(["O1", "O2"]), insp))}[
        ("O1", "F1")]
    frequency = finding.evidence["components"]["frequency_inspections"]
    assert (frequency["value"], frequency["first"], frequency["last"], frequency["dated"]) == (
        40, "2024-01-02", "2024-02-09", 39)
    assert "inspected Firm F1 (F1) 40 times between 2024-01-02 and 2024-02-09 (39 of 40 dated) —" in finding.explanation


def test_the_report_floor_lists_weak_leads_only_above_it() -> None:
    insp = _busy_pair()
    data = _market(_officials(["O1", "O2"]), insp)
    strict = closeness.Params(report_floor=closeness.Params().threshold)
    assert ("O1", "F1") not in _pairs(closeness.detect(data, strict))


def test_corroboration_needs_two_deviating_channels_not_one_strong_one() -> None:
    frame = pd.DataFrame({"inspections_pvalue": [0.01, 1e-12, 1e-12, math.nan],
                          "outcome_pvalue": [0.02, 0.9, math.nan, 0.001],
                          "pass_pvalue": [math.nan, math.nan, math.nan, 0.5],
                          "nofail_pvalue": [math.nan, math.nan, math.nan, 0.04]})
    p, selection, channels = closeness._corroboration(frame)
    # (n − 1)·p_(2): with two channels, the larger p
    assert p[0] == pytest.approx(0.02) and selection[0] == pytest.approx(0.01)
    assert p[1] == pytest.approx(0.9)  # one overwhelming channel is not corroborated
    assert math.isnan(p[2])  # a single channel: no test
    # leniency is the smaller of its two readings (0.04), outcomes 0.001: the larger counts
    assert p[3] == pytest.approx(0.04) and selection[3] == pytest.approx(0.001)
    # the channels the p-value rests on: the two smallest (a p of 0.9 is named too, as the claim rests
    # on it), none without a test
    assert channels[0] == "inspections, outcomes" and channels[1] == "inspections, outcomes"
    assert channels[2] == "" and channels[3] == "leniency, outcomes"


def test_a_rare_pair_meeting_three_times_is_not_an_excess() -> None:
    # O1 inspects 40 firms twice each and F1 three times; O2 never saw F1: a pool-average share
    insp: list[dict] = []
    for i in range(2, 42):
        _inspection(insp, "O1", f"F{i}", 2, 0)
        _inspection(insp, "O2", f"F{i}", 2, 0)
    _inspection(insp, "O1", "F1", 3, 0)
    row = _row(closeness.pair_frame(_market(_officials(["O1", "O2"]), insp)), "O1", "F1")
    assert row["inspections_observed"] == 3
    assert row["inspections_pvalue"] > 0.5
    assert row["frequency_points"] == 0.0


# --------------------------------------------------------------------------- leniency


def test_lenient_official_is_flagged_and_explained() -> None:
    officials, insp = _peer_market()
    _inspection(insp, "O1", "F5", 20, 0)  # O1 passes F5 every time
    for peer in ("O2", "O3", "O4"):
        _inspection(insp, peer, "F5", 6, 4)
    data = _market(officials, insp)
    frame = closeness.pair_frame(data)
    row = _row(frame, "O1", "F5")
    assert row["pass_x"] == 20 and row["pass_n"] == 20
    # other officials passed F5 18 of 30; O1 passed its other firms 28 of 40
    assert row["pass_p_peer"] == pytest.approx(0.6)
    assert row["pass_p_own"] == pytest.approx(0.7)
    # one kind; every official fails 12 of its 40 other inspections: the same strictness, so
    # the null odds ratio is 1 and p is Fisher's exact test — all 12 failures among the
    # other officials' 30 of 50 inspections, C(30,12)/C(50,12) — ×2 readings
    assert row["pass_others_n"] == 30 and row["pass_others_bad"] == 12
    assert row["pass_pvalue"] == pytest.approx(2 * math.comb(30, 12) / math.comb(50, 12))
    assert row["pass_pmin"] == pytest.approx(row["pass_pvalue"])
    # expected failures from O1 under H0: the firm's rate with the others (12 of 30), shrunk
    # with 10 pseudo-events towards their expected rate e = r·s — market rate r = 60/210,
    # strictness s = (12 + 10r) / (40r + 10r), the same for everyone — times odds ratio 1
    r = 60 / 210
    e = r * (12 + 10 * r) / (40 * r + 10 * r)
    assert row["pass_expected_bad"] == pytest.approx(20 * (12 + 10 * e) / (30 + 10))
    assert row["pass_qvalue"] < 0.05
    assert row["pass_points"] > 0
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert ("O1", "F5") in found
    text = found[("O1", "F5")].explanation
    assert "passed it 20 of 20 times while other officials passed it in 18 of their 30 inspections (60 %;" in text
    assert found[("O1", "F5")].evidence["components"]["leniency_pass"]["contribution"] > 0


def test_expected_failures_of_a_strict_official_stay_below_its_inspections() -> None:
    """Standardisation works on the odds scale: a strict official on a poor firm is expected to
    fail it often, never more often than it inspected it (rates multiplied would exceed 1)."""
    insp: list[dict] = []
    for f in ("F1", "F2", "F3", "F4"):
        _inspection(insp, "O1", f, 2, 8)  # O1 fails 80 % of its firms
        for peer in ("O2", "O3", "O4"):
            _inspection(insp, peer, f, 8, 2)  # the others fail 20 %
    _inspection(insp, "O1", "F5", 10, 10)
    for peer in ("O2", "O3", "O4"):
        _inspection(insp, peer, "F5", 1, 4)  # a poor firm: the others fail it 80 %
    row = _row(closeness.pair_frame(_market(_officials(["O1", "O2", "O3", "O4"]), insp)), "O1", "F5")
    assert 0.8 * 20 < row["pass_expected_bad"] < 20
    assert 0.0 < row["pass_p0"] < 0.2


def test_a_few_clean_passes_are_not_leniency() -> None:
    officials, insp = _peer_market()
    _inspection(insp, "O1", "F5", 4, 0)
    _inspection(insp, "O2", "F5", 7, 3)
    data = _market(officials, insp)
    row = _row(closeness.pair_frame(data), "O1", "F5")
    assert row["pass_points"] == 0.0
    assert ("O1", "F5") not in _pairs(closeness.detect(data))


def test_a_blank_penalty_reads_as_none_imposed() -> None:
    """O1 fails F5 10 times in 20 as the others do, and never fines it while they fine every
    failure: not penalised, a (small) leniency component — whether O1's penalty cells hold 0 or
    are left blank (an empty cell is no penalty, as a blank in a fines column is)."""
    officials, insp = _peer_market()
    _inspection(insp, "O1", "F5", 10, 10, penalty=0.0)
    for peer in ("O2", "O3", "O4"):
        _inspection(insp, peer, "F5", 5, 5)
    zero = _row(closeness.pair_frame(_market(officials, insp)), "O1", "F5")
    assert (zero["penalty_n"], zero["penalty_x"]) == (20, 20) and zero["penalty_points"] > 0
    for r in insp:
        if (r["official_id"], r["firm_id"]) == ("O1", "F5"):
            r["penalty"] = None
    blank = _row(closeness.pair_frame(_market(officials, insp)), "O1", "F5")
    assert (blank["penalty_n"], blank["penalty_x"], blank["penalty_points"]) == (
        zero["penalty_n"], zero["penalty_x"], zero["penalty_points"])


def test_an_official_lenient_with_everyone_is_not_close_to_one_firm() -> None:
    officials, insp = _peer_market()
    insp = [r for r in insp if r["official_id"] != "O1"]
    for f in ("F1", "F2", "F3", "F4"):
        _inspection(insp, "O1", f, 15, 0)
    row = _row(closeness.pair_frame(_market(officials, insp)), "O1", "F1")
    assert row["pass_p_own"] > 0.9  # the official's own baseline explains the passes
    assert row["pass_points"] == 0.0


# --------------------------------------------------------------------------- speed


def test_fast_approvals_are_flagged_with_the_median_days() -> None:
    officials = _officials(["O1", "O2"])
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [2, 3, 2, 4, 3, 2])
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _approvals(apps, "O1", f, [20, 25, 30, 22, 28, 26])
        _approvals(apps, "O2", f, [20, 25, 30])
    _approvals(apps, "O2", "F1", [20, 25, 30])
    data = _market(officials, approvals=apps)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    # every one of F1's 6 approvals is faster than all 30 others: U = 0
    assert row["speed_effect"] == pytest.approx(1.0)
    assert row["speed_z"] == pytest.approx((0 - 90 + 0.5) / math.sqrt(6 * 30 * 37 / 12))
    assert row["speed_pvalue"] == pytest.approx(1 / math.comb(36, 6))  # exact: 180 comparisons
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert ("O1", "F1") in found
    assert ("median 2.5 days against a median 25.5 days for the approvals of the same kinds it decided for other "
            "firms") in found[("O1", "F1")].explanation
    # the period of approvals is the span of their decision dates: applied 2024-01-01 … 01-06
    # (rows 0–5) and decided 2–4 days later, the last on 01-08
    frequency = found[("O1", "F1")].evidence["components"]["frequency_approvals"]
    assert (frequency["first"], frequency["last"]) == ("2024-01-03", "2024-01-08")


def test_the_speed_sentence_quotes_the_approvals_the_test_ranked() -> None:
    """F1's 4 permits take a day against 20 for other firms' permits; its 5 licences take 60 days,
    but O1 decides licences for nobody else, so they are not compared — nor is a permit decided
    20 days before it was applied for. The sentence's and evidence's medians are the ranked ones."""
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [1, 1, 1, 1, -20])
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _approvals(apps, "O1", f, [20, 20, 20])
    _approvals(apps, "O1", "F1", [60] * 5, kind="licence")
    data = _market(_officials(["O1"]), approvals=apps)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["n_timed"] == 4 and row["speed_points"] > 0
    [found] = [f for f in closeness.detect(data) if (f.official_id, f.firm_id) == ("O1", "F1")]
    assert "decided its 4 approvals in a median 1 day against a median 20 days for the approvals" in found.explanation
    speed = found.evidence["components"]["speed"]
    assert (speed["value"], speed["baseline"], speed["approvals"]) == (1.0, 20.0, 4.0)
    # near miss: nothing compared, nothing quoted
    assert closeness._approval_days(data.approvals[data.approvals["kind"] == "licence"], "O1", "F1") == (None, None)


def test_the_speed_sentence_compares_kind_by_kind_where_the_firm_has_several() -> None:
    """The test ranks within a kind; pooled, F1's medians would mix its kinds (2 days against 18:
    half the others' approvals are 30-day building licences). Kind by kind: 4 land-use files in 2
    days against 6, 3 licences in 10 against 30. Near miss: one kind keeps the pooled wording."""
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [2, 2, 2, 2], kind="land_use")
    _approvals(apps, "O1", "F1", [10, 10, 10], kind="building")
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _approvals(apps, "O1", f, [6, 6, 6], kind="land_use")
        _approvals(apps, "O1", f, [30, 30, 30], kind="building")
    data = _market(_officials(["O1"]), approvals=apps)
    [found] = [f for f in closeness.detect(data) if (f.official_id, f.firm_id) == ("O1", "F1")]
    assert ("decided its 7 approvals of 2 kinds in a median 2 days against 6 for other firms (4 land use) and "
            "10 days against 30 (3 building)") in found.explanation
    speed = found.evidence["components"]["speed"]
    assert speed["by_kind"] == [
        {"kind": "land_use", "approvals": 4, "median_days": 2.0, "others_median_days": 6.0},
        {"kind": "building", "approvals": 3, "median_days": 10.0, "others_median_days": 30.0}]
    assert (speed["value"], speed["baseline"]) == (2.0, 18.0)  # the pooled medians stay in the evidence
    blank = _market(_officials(["O1"]), approvals=[{**a, "kind": None} if a["kind"] == "building" else a
                                                   for a in apps])
    [unnamed] = [f for f in closeness.detect(blank) if (f.official_id, f.firm_id) == ("O1", "F1")]
    assert "and 10 days against 30 (3 of no recorded kind)" in unnamed.explanation
    single = _market(_officials(["O1"]), approvals=[a for a in apps if a["kind"] == "building"])
    [one] = [f for f in closeness.detect(single) if (f.official_id, f.firm_id) == ("O1", "F1")]
    assert "decided its 3 approvals in a median 10 days against a median 30 days for the approvals" in one.explanation


def test_the_period_covers_only_the_interactions_the_sentence_counts() -> None:
    """Two committee meetings are below ``min_evaluations``: not counted, so not dated either."""
    officials = _officials(["O1", "O2"])
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [2, 3, 2, 4, 3, 2])  # applied 2024-01-01 … 01-06, decided 01-03 … 01-08
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _approvals(apps, "O1", f, [20, 25, 30, 22, 28, 26])
        _approvals(apps, "O2", f, [20, 25, 30])
    _approvals(apps, "O2", "F1", [20, 25, 30])
    tenders = [{"tender_id": t, "category": "roads", "published_at": pd.Timestamp(day)}
               for t, day in (("T1", "2010-05-01"), ("T2", "2011-03-01"))]
    bids = [{"bid_id": f"B{i}", "tender_id": t, "firm_id": f, "amount": 100.0 + i}
            for i, (t, f) in enumerate((("T1", "F1"), ("T1", "F2"), ("T2", "F1"), ("T2", "F3")))]
    evaluations = [{"tender_id": t, "official_id": "O1"} for t in ("T1", "T2")]
    data = _market(officials, approvals=apps, tenders=tenders, bids=bids, evaluations=evaluations)
    finding = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}[("O1", "F1")]
    assert "frequency_evaluations" not in finding.evidence["components"]
    assert "2010" not in finding.explanation and "2011" not in finding.explanation
    assert "between 2024-01-03 and 2024-01-08" in finding.explanation


def test_chinese_decision_wordings_count_as_grants_and_refusals() -> None:
    """Decisions are free text: 准予行政许可 is a grant, 不予行政许可 (not granted) a refusal."""
    decisions = pd.Series(["准予行政许可", "予以批准", "同意", "Approved", "不予行政许可", "驳回申请", "不同意",
                           "未通过", "rejected", None, "补正材料"])
    assert closeness.granted(decisions, closeness.Params()).tolist() == [True] * 4 + [False] * 7
    # 未 ('not') before a grant word refuses, as 不 does
    refused = pd.Series(["未批准", "未予批准", "未获批准", "未准予许可", "未同意", "未核准", "未予许可", "申请未获通过"])
    assert not closeness.granted(refused, closeness.Params()).any()
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [10] * 8)
    for peer in ("O2", "O3"):
        _approvals(apps, peer, "F1", [10] * 4)
    for row in apps:
        row["decision"] = "准予行政许可" if row["official_id"] == "O1" else "不予行政许可"
    apps[-1]["decision"] = "批准"
    row = _row(closeness.pair_frame(_market(_officials(["O1", "O2", "O3"]), approvals=apps)), "O1", "F1")
    assert (row["grant_n"], row["grant_x"]) == (8, 8)
    assert (row["grant_others_n"], row["grant_others_bad"]) == (8, 7)


def _ordinary_approvals(officials: list[str]) -> list[dict]:
    """Each official decides two permits for each of G1–G8 in 15–26 days."""
    appr: list[dict] = []
    for k, o in enumerate(officials):
        for g in range(1, 9):
            _approvals(appr, o, f"G{g}", [15 + (g + k) % 5, 20 + (g * k) % 7])
    return appr


def _paced_market() -> MarketData:
    """Six approvers each decide G1–G8 as usual (:func:`_ordinary_approvals`) and three for FAST
    in 5–7 days (its files are always complete); O1 alone decides CLOSE's four in 5–7 days, the
    others its two in 18 and 21."""
    officials = [f"O{i}" for i in range(1, 7)]
    appr = _ordinary_approvals(officials)
    for o in officials:
        _approvals(appr, o, "FAST", [5, 6, 7])
        _approvals(appr, o, "CLOSE", [5, 6, 6, 7] if o == "O1" else [18, 21])
    return _market(_officials(officials), approvals=appr)


def test_a_firm_every_official_decides_quickly_is_fast_for_its_own_reason() -> None:
    """Against each official's other approvals FAST is always the fastest (3 of 19: exact p =
    1/969 for every approver, six leads); set against its pace with the other officials it is
    ordinary, and only CLOSE, fast with O1 alone, is a speed lead."""
    data = _paced_market()
    frame = closeness.pair_frame(data)
    for o in ("O1", "O2", "O3", "O4", "O5", "O6"):
        fast = _row(frame, o, "FAST")
        assert fast["speed_points"] < 1.0 and fast["firm_pace"] < 0.5  # its times with others: under half
        assert fast["firm_pace_n"] == 15
    close = _row(frame, "O1", "CLOSE")
    assert close["speed_points"] == closeness.Params().speed_points
    assert 0.8 < close["firm_pace"] < 1.25 and close["firm_pace_n"] == 10
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert set(found) == {("O1", "CLOSE")}
    fact = found[("O1", "CLOSE")].evidence["components"]["speed"]
    assert fact["firm_pace_with_other_officials"] == pytest.approx(close["firm_pace"], rel=1e-2)
    assert fact["firm_approvals_with_other_officials"] == 10
    assert "other officials, too" not in found[("O1", "CLOSE")].explanation  # its pace elsewhere is the usual


def test_a_quick_firm_decided_quicker_still_by_one_official_is_a_lead_that_says_so() -> None:
    """O1 decides FAST's four files in 1 day, where the others take 5–7: faster than FAST's own
    pace, so a lead, and the sentence says that other officials decide its files quickly too."""
    officials = [f"O{i}" for i in range(1, 7)]
    appr = _ordinary_approvals(officials)
    for o in officials:
        _approvals(appr, o, "FAST", [1, 1, 1, 1] if o == "O1" else [5, 6, 7])
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(_market(_officials(officials), approvals=appr))}
    explanation = found[("O1", "FAST")].explanation
    assert "in a median 1 day against" in explanation
    assert "other officials, too, decide its files in" in explanation and "which the test allowed for" in explanation


def test_firm_pace_shrinks_the_firm_s_mean_elsewhere_by_empirical_bayes() -> None:
    """Two officials, one kind. z = ln(1 + days) − the official's median ln(1 + days). Firms'
    mean z and within-firm variance give σ² and τ² by moments; a pair's pace is the firm's z
    with the other official over (n + σ²/τ²); where firms do not differ it is 0."""
    appr: list[dict] = []
    days = {("A", "F1"): [4, 6], ("A", "F2"): [20, 24, 30], ("A", "F3"): [10, 12],
            ("B", "F1"): [5, 7], ("B", "F2"): [18, 26], ("B", "F3"): [11, 13, 9, 15]}
    for (o, f), d in days.items():
        _approvals(appr, o, f, d)
    frame = closeness.firm_pace(pd.DataFrame(appr))
    z = {}
    for o in ("A", "B"):
        usual = float(np.median([math.log1p(x) for (oo, _), ds in days.items() if oo == o for x in ds]))
        for (oo, f), ds in days.items():
            if oo == o:
                z[(o, f)] = [math.log1p(x) - usual for x in ds]
    firms = ("F1", "F2", "F3")
    values = {f: z[("A", f)] + z[("B", f)] for f in firms}  # 4, 5 and 6 approvals: pooled, not averaged
    within = sum(float(np.var(v, ddof=1)) * (len(v) - 1) for v in values.values()) / (3 + 4 + 5)
    tau2 = float(np.var([np.mean(v) for v in values.values()], ddof=1)) - float(np.mean([within / len(v)
                                                                                      for v in values.values()]))
    assert tau2 > 0
    ratio = within / tau2
    row = frame[(frame["official_id"] == "A") & (frame["firm_id"] == "F1")].iloc[0]
    assert row["pace"] == pytest.approx(sum(z[("B", "F1")]) / (2 + ratio))
    assert row["pace_n"] == 2

    alike: list[dict] = []
    for o in ("A", "B"):
        for f in ("F1", "F3"):
            _approvals(alike, o, f, [10, 20])  # every firm 10 and 20 days with each
    assert (closeness.firm_pace(pd.DataFrame(alike))["pace"] == 0.0).all()


def test_a_slow_firm_decided_at_the_usual_pace_by_one_official_is_a_lead_that_says_so() -> None:
    """SLOW's files take the other five approvers 40–50 days against their usual 15–26; O1 decides
    its five in 19–21, about its usual: fast for SLOW, and the raw medians alone (20 against
    ~20) would not say why, so the sentence does."""
    officials = [f"O{i}" for i in range(1, 7)]
    appr = _ordinary_approvals(officials)
    for o in officials:
        _approvals(appr, o, "SLOW", [19, 20, 20, 21, 21] if o == "O1" else [40, 45, 50])
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(_market(_officials(officials), approvals=appr))}
    explanation = found[("O1", "SLOW")].explanation
    assert "other officials take" in explanation and "of their usual time on its files" in explanation


def test_firms_without_spread_of_their_own_leave_times_as_they_are() -> None:
    """Every firm decided twice is decided in identical times (no spread within firms to judge a
    firm's pace by): paces are 0, not 0/0, and SOLO, which only O1 decides and slowly, is no
    speed lead (its ranks once came out NaN and read as p = 0, effect 2.25)."""
    appr: list[dict] = []
    spec = {("O1", "F1"): [10, 10], ("O2", "F1"): [10, 10], ("O1", "F2"): [20, 20], ("O2", "F2"): [20, 20],
            ("O1", "SOLO"): [40, 40, 40, 40], ("O2", "SOLO2"): [40, 40, 40, 40]}
    for (o, f), d in spec.items():
        _approvals(appr, o, f, d)
    paced = closeness.firm_pace(pd.DataFrame(appr))
    assert paced["pace"].notna().all() and (paced["pace"] == 0.0).all()
    row = _row(closeness.pair_frame(_market(_officials(["O1", "O2"]), approvals=appr)), "O1", "SOLO")
    assert row["speed_effect"] == -1.0 and row["speed_pvalue"] > 0.9 and row["speed_points"] == 0.0


def test_a_kind_an_official_decided_once_or_twice_says_nothing_of_a_firm_s_pace() -> None:
    """O3–O8 each decide one permit of kind "rare" for FAST (2 days) besides its ordinary permits:
    a median of one approval makes each z 0, so they are left out of FAST's pace."""
    officials = [f"O{i}" for i in range(1, 9)]
    appr = _ordinary_approvals(officials)
    for k, o in enumerate(officials):
        _approvals(appr, o, "FAST", [5, 6, 7])
        if k >= 2:
            _approvals(appr, o, "FAST", [2], kind="rare")
    paced = closeness.firm_pace(pd.DataFrame(appr))
    o1_fast = paced[(paced["official_id"] == "O1") & (paced["firm_id"] == "FAST")]
    assert (o1_fast["pace_n"] == 7 * 3).all()  # the other officials' "permit" approvals only


def test_ordinary_approval_times_are_not_speed() -> None:
    apps: list[dict] = []
    _approvals(apps, "O1", "F1", [20, 26, 29, 22, 25, 30])
    for f in ("F2", "F3", "F4", "F5", "F6"):
        _approvals(apps, "O1", f, [20, 25, 30, 22, 28, 26])
    row = _row(closeness.pair_frame(_market(_officials(["O1"]), approvals=apps)), "O1", "F1")
    assert row["speed_points"] == 0.0


# --------------------------------------------------------------------------- outcomes


def _tender_market(f1_wins_with_o1: int) -> MarketData:
    tenders, bids, evals = [], [], []
    for t in range(1, 17):  # F1 bids in 16 four-bidder tenders; O1 evaluates the first 8
        tid = f"T{t}"
        evaluated = t <= 8
        if evaluated:
            winner = "F1" if t <= f1_wins_with_o1 else "F2"
        else:
            winner = "F1" if t in (9, 13) else "F3"
        tenders.append({"tender_id": tid, "department_id": "D1", "category": "works", "region": "R1",
                        "winner_firm_id": winner})
        for f in ("F1", "F2", "F3", "F4"):
            bids.append({"bid_id": f"B{tid}{f}", "tender_id": tid, "firm_id": f, "amount": 100.0,
                         "disqualified": False, "is_winner": False})
        evals.append({"tender_id": tid, "official_id": "O1" if evaluated else "O2"})
    return _market(_officials(["O1", "O2"]), tenders=tenders, bids=bids, evaluations=evals)


def test_wins_in_tenders_the_official_evaluates_are_flagged() -> None:
    data = _tender_market(f1_wins_with_o1=8)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    # outside: 2 wins against 8 × 1/4 fair wins → strength (2 + 2)/(2 + 2) = 1; inside expected 8/4 = 2
    assert row["strength_out"] == pytest.approx(1.0)
    assert row["expected_in"] == pytest.approx(2.0)
    assert row["outcome_pvalue"] == pytest.approx(stats.poisson.sf(7, 2.0) / stats.poisson.sf(1, 2.0))  # given ≥ 2 wins
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert ("O1", "F1") in found
    assert "win 8 of the 8 tenders" in found[("O1", "F1")].explanation


def _with_unreachable_pairs(data: MarketData, pairs: int, wins: int) -> MarketData:
    """``data`` plus ``pairs`` official–firm pairs that cannot reach significance: official Q<i>
    sits on all 3 tenders of its own region, which firm G<i> bids in (with H1–H3), and G<i> wins
    ``wins`` of them. Every such pair is tested (3 meetings, and ≥ 2 wins when ``wins`` ≥ 2),
    yet its count is the largest its meetings allow only at a p no BH threshold reaches."""
    tenders, bids, evals = (data.tenders.to_dict("records"), data.bids.to_dict("records"),
                            data.evaluations.to_dict("records"))
    for i in range(pairs):
        for t in range(3):
            tid = f"Q{i}-T{t}"
            tenders.append({"tender_id": tid, "department_id": "D1", "category": "works", "region": f"Q{i}",
                            "winner_firm_id": f"G{i}" if t < wins else "H1"})
            for firm in (f"G{i}", "H1", "H2", "H3"):
                bids.append({"bid_id": f"B{tid}{firm}", "tender_id": tid, "firm_id": firm, "amount": 100.0,
                             "disqualified": False, "is_winner": False})
            evals.append({"tender_id": tid, "official_id": f"Q{i}"})
    officials = sorted(set(data.officials["official_id"]) | {f"Q{i}" for i in range(pairs)})
    return _market(_officials(officials), tenders=tenders, bids=bids, evaluations=evals)


def test_outcome_q_counts_only_pairs_whose_wins_could_be_significant() -> None:
    """Tarone's filter on the outcome channel. F1 wins 7 of the 8 tenders O1 evaluated against 2
    expected: p = P(X ≥ 7 | X ≥ 2) = 0.0076 (and F3 wins 6 of O2's 8, p = 0.00016). Beside them
    80 pairs that met in 3 tenders and won 2: tested (p = 1), but even winning all 3 gives
    P(X ≥ 3 | X ≥ 2) = 0.23 at 0.75 expected, so they cannot be discoveries and BH does not
    count them — plain BH over the 83 tests would give q = 0.0076·83/2 = 0.32 and no points;
    over the two that can be significant q = 0.0076·2/2, and the outcome counts fully."""
    data = _with_unreachable_pairs(_tender_market(f1_wins_with_o1=7), pairs=80, wins=2)
    frame = closeness.pair_frame(data)
    row = _row(frame, "O1", "F1")
    p = stats.poisson.sf(6, 2.0) / stats.poisson.sf(1, 2.0)
    assert row["outcome_pvalue"] == pytest.approx(p)
    assert row["outcome_pmin"] == pytest.approx(stats.poisson.sf(7, 2.0) / stats.poisson.sf(1, 2.0))
    filler = _row(frame, "Q0", "G0")
    assert filler["outcome_pvalue"] == pytest.approx(1.0)
    assert filler["outcome_pmin"] == pytest.approx(stats.poisson.sf(2, 0.75) / stats.poisson.sf(1, 0.75))
    assert filler["outcome_qvalue"] == 1.0
    assert inference.bh_qvalues(frame["outcome_pvalue"].where(frame["wins_in"] >= 2))[row.name] > 0.25
    assert row["outcome_qvalue"] == pytest.approx(p)
    assert row["outcome_points"] == pytest.approx(closeness.Params().outcome_points)


def test_committee_q_counts_only_pairs_whose_meetings_could_be_significant() -> None:
    """Tarone's filter on the evaluation channel. O1 sits on 10 of 40 committees and F1 bid in 6
    tenders, all of them O1's: expected 1.5, p = P(X ≥ 6 | X ≥ 3) = 0.024. Beside it 20 pairs
    that met in all 3 tenders of their region, as expected: at most 3 meetings were possible,
    so they cannot be discoveries and are not counted; plain BH over all the tests would
    leave the pair without points."""
    data = _with_unreachable_pairs(_committee_market({"R1": (40, 10, 6)}), pairs=20, wins=0)
    frame = closeness.pair_frame(data)
    row = _row(frame, "O1", "F1")
    p = stats.poisson.sf(5, 1.5) / stats.poisson.sf(2, 1.5)
    assert row["evaluations_pvalue"] == pytest.approx(p)
    filler = _row(frame, "Q0", "G0")
    assert filler["evaluations_expected"] == pytest.approx(3.0)
    assert filler["evaluations_pmin"] == pytest.approx(1.0) and filler["evaluations_qvalue"] == 1.0
    tested = frame["evaluations_observed"] >= closeness.Params().min_inspections
    assert inference.bh_qvalues(frame["evaluations_pvalue"].where(tested))[row.name] > 0.25
    assert row["evaluations_qvalue"] == pytest.approx(p)
    assert row["frequency_channel"] == "evaluations" and row["frequency_points"] > 0


def test_committee_pmin_is_the_smallest_p_even_below_the_conditioning_floor() -> None:
    """With min_evaluations (5) above min_inspections (3) the tail is conditioned only from 5 meetings
    on, and a pair kept for its tie can be tested at 3 or 4: there p is the plain tail, far smaller than
    the conditioned tail at the most meetings possible. O1 sits on 10 of 100 committees, F1 bid in 6
    tenders, 3 of them O1's: expected 0.6, p = P(X ≥ 3) = 0.023; the conditioned tail at the 6
    meetings possible is P(X ≥ 6 | X ≥ 5) ≈ 0.1. pmin must not exceed p, or Tarone drops a pair that
    can be significant."""
    tenders, bids, evals = [], [], []
    for t in range(100):
        tid = f"T{t}"
        tenders.append({"tender_id": tid, "department_id": "D1", "category": "works", "region": "R1"})
        for firm in ["F2", "F3"] + (["F1"] if t in (0, 1, 2, 50, 51, 52) else []):
            bids.append({"bid_id": f"B{tid}{firm}", "tender_id": tid, "firm_id": firm, "amount": 100.0,
                         "disqualified": False, "is_winner": False})
        evals.append({"tender_id": tid, "official_id": "O1" if t < 10 else "O2"})
    data = _market(_officials(["O1", "O2"]), tenders=tenders, bids=bids, evaluations=evals,
                   relations=[{"official_id": "O1", "person_id": "P1", "relation": "sister"}],
                   person_roles=[{"person_id": "P1", "firm_id": "F1", "role": "shareholder", "share": 0.3}])
    row = _row(closeness.pair_frame(data, closeness.Params(min_evaluations=5)), "O1", "F1")
    assert row["evaluations_observed"] == 3 and row["evaluations_expected"] == pytest.approx(0.6)
    assert row["evaluations_pvalue"] == pytest.approx(stats.poisson.sf(2, 0.6))  # below the floor: plain
    assert row["evaluations_pmin"] <= row["evaluations_pvalue"]


def test_committee_excess_reads_as_tenders_sat_on() -> None:
    """O1 sits only on the committees of the first 12 tenders, and F1 bid in all of them;
    F1's 18 bids would meet O1's 12 of 120 seats 1.8 times: a frequency lead in the
    evaluation channel, and the sentence counts tenders, not 'times'."""
    rng = np.random.default_rng(1)
    tenders, bids, evals = [], [], []
    others = [f"F{i}" for i in range(2, 21)]
    for t in range(1, 121):
        tid = f"T{t}"
        tenders.append({"tender_id": tid, "department_id": "D1", "category": "works", "region": "R1",
                        "published_at": f"2024-{t % 12 + 1:02d}-05"})
        chosen = [str(f) for f in rng.choice(others, 3, replace=False)]
        chosen.append("F1" if t <= 12 or 60 < t <= 66 else str(rng.choice(others)))
        for firm in dict.fromkeys(chosen):
            bids.append({"bid_id": f"B{tid}{firm}", "tender_id": tid, "firm_id": firm, "amount": 100.0,
                         "disqualified": False, "is_winner": False})
        evals.append({"tender_id": tid, "official_id": "O1" if t <= 12 else f"O{int(rng.integers(2, 7))}"})
    data = _market(_officials([f"O{i}" for i in range(1, 7)]), tenders=tenders, bids=bids, evaluations=evals)
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["frequency_channel"] == "evaluations" and row["evaluations_observed"] == 12
    assert sum(b["firm_id"] == "F1" for b in bids) == 18
    assert row["evaluations_expected"] == pytest.approx(18 * 12 / 120)
    [found] = [f for f in closeness.detect(data) if (f.official_id, f.firm_id) == ("O1", "F1")]
    assert found.explanation.startswith("Official O1 (O1) sat on the committees of 12 tenders Firm F1 (F1) bid in, "
                                        "between 2024-01-05 and 2024-12-05 — 6.7× what its bids and the "
                                        "official's share of committee seats predict (1.8)")
    committee = found.evidence["components"]["frequency_evaluations"]
    assert "committees the official sat on" in committee["baseline_from"]
    # p-values keep 3 significant digits however small (decimal places would round this one to 2e-06)
    assert committee["pvalue"] == float(f"{row['evaluations_pvalue']:.3g}") and 0 < committee["pvalue"] < 1e-5


def _committee_market(strata: dict[str, tuple[int, int, int]]) -> MarketData:
    """Per stratum (region): (tenders T, the first E evaluated by O1 and the rest by O2, the
    first B of those bid in by F1); F2 and F3 bid in every tender."""
    tenders, bids, evals = [], [], []
    for region, (n_tenders, by_o1, by_f1) in strata.items():
        for t in range(n_tenders):
            tid = f"{region}-T{t}"
            tenders.append({"tender_id": tid, "department_id": "D1", "category": "works", "region": region})
            for firm in ["F2", "F3"] + (["F1"] if t < by_f1 else []):
                bids.append({"bid_id": f"B{tid}{firm}", "tender_id": tid, "firm_id": firm, "amount": 100.0,
                             "disqualified": False, "is_winner": False})
            evals.append({"tender_id": tid, "official_id": "O1" if t < by_o1 else "O2"})
    return _market(_officials(["O1", "O2"]), tenders=tenders, bids=bids, evaluations=evals)


def test_committee_expectation_is_the_firms_bids_times_the_officials_share_of_seats() -> None:
    """R1: 10 tenders, O1 on 5, F1 bid in 4 (all O1's); R2: 20 tenders, O1 on 2, F1 bid in 10
    (both of O1's). Expected = 4·5/10 + 10·2/20 = 3, observed 6."""
    row = _row(closeness.pair_frame(_committee_market({"R1": (10, 5, 4), "R2": (20, 2, 10)})), "O1", "F1")
    assert row["evaluations_observed"] == 6
    assert row["evaluations_expected"] == pytest.approx(3.0)
    assert row["evaluations_pvalue"] == pytest.approx(stats.poisson.sf(5, 3.0) / stats.poisson.sf(2, 3.0))


def test_a_small_firm_whose_few_bids_met_a_frequent_evaluator_is_not_close() -> None:
    """Near-miss: F1 bid 4 times, and the evaluator who sits on half the committees had all 4.
    Under seats independent of the bids that is expected 2 times (p = P(X ≥ 4 | X ≥ 3) = 0.44);
    the firm's rate in the *other* tenders (0) would have called it a 40-fold excess."""
    data = _committee_market({"R1": (40, 20, 4)})
    row = _row(closeness.pair_frame(data), "O1", "F1")
    assert row["evaluations_expected"] == pytest.approx(2.0)
    assert row["evaluations_pvalue"] == pytest.approx(stats.poisson.sf(3, 2.0) / stats.poisson.sf(2, 2.0))
    assert row["frequency_points"] == 0.0
    assert ("O1", "F1") not in {(f.official_id, f.firm_id) for f in closeness.detect(data)}


def test_ordinary_wins_are_not_outcomes() -> None:
    row = _row(closeness.pair_frame(_tender_market(f1_wins_with_o1=2)), "O1", "F1")
    assert row["outcome_points"] == 0.0


# --------------------------------------------------------------------------- ties


def _tie_market(**frames: list[dict]) -> MarketData:
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 2, 1)
    _inspection(insp, "O1", "F2", 2, 1)
    return _market(_officials(["O1"]), insp, **frames)


def test_relative_shareholder_is_flagged_and_named() -> None:
    data = _tie_market(relations=[{"official_id": "O1", "person_id": "P1", "relation": "brother-in-law"}],
                       person_roles=[{"person_id": "P1", "firm_id": "F1", "role": "shareholder", "share": 0.3}])
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert set(found) == {("O1", "F1")}
    assert "brother-in-law P1 holds 30 % of its shares" in found[("O1", "F1")].explanation
    # the official stays the subject: the relative's holding is a clause of its own, so whatever the
    # official did next cannot read as the relative's doing ("… holds 30 % of its shares and decided …")
    assert found[("O1", "F1")].explanation.endswith(
        " and is tied to it (the official's brother-in-law P1 holds 30 % of its shares).")
    # no frequency lead: the sentence opens with all the pair's dealings and their period
    assert found[("O1", "F1")].explanation.startswith(
        "Official O1 (O1) dealt with Firm F1 (F1) 3 times (3 inspections) between 2024-01-01 and 2024-01-03")


def test_unrelated_persons_role_is_no_tie() -> None:
    data = _tie_market(relations=[{"official_id": "O1", "person_id": "P1", "relation": "sister"}],
                       person_roles=[{"person_id": "P2", "firm_id": "F1", "role": "legal_rep", "share": None}])
    assert closeness.detect(data) == []


def test_unique_shared_phone_is_a_tie_but_a_business_centre_address_is_weak() -> None:
    firm_ids = [{"firm_id": "F1", "kind": "phone", "value": "+8613800000001", "via": None}]
    firm_ids += [{"firm_id": f"F{i}", "kind": "address", "value": "1 business centre", "via": None}
                 for i in range(2, 17)]
    person_ids = [{"owner_kind": "official", "owner_id": "O1", "kind": "phone", "value": "+8613800000001"},
                  {"owner_kind": "official", "owner_id": "O1", "kind": "address", "value": "1 business centre"}]
    data = _tie_market(firm_identifiers=firm_ids, person_identifiers=person_ids)
    frame = closeness.pair_frame(data)
    params = closeness.Params()
    assert _row(frame, "O1", "F1")["tie_points"] == pytest.approx(params.phone_points)
    assert _row(frame, "O1", "F2")["tie_points"] == pytest.approx(params.address_points / 15)
    assert _pairs(closeness.detect(data)) == {("O1", "F1")}


def test_a_shared_phone_is_quoted_as_dialled() -> None:
    """Stored as digits with the country code (``573114469480``), quoted with its + and groups."""
    data = _tie_market(firm_identifiers=[{"firm_id": "F1", "kind": "phone", "value": "573114469480", "via": None}],
                       person_identifiers=[{"owner_kind": "official", "owner_id": "O1", "kind": "phone",
                                            "value": "573114469480"}])
    (found,) = closeness.detect(data)
    assert "(the official shares phone +57 311 4469480 with it (no other firm uses it))" in found.explanation


def test_relative_sharing_a_phone_with_the_firms_legal_rep_is_a_tie() -> None:
    data = _tie_market(
        relations=[{"official_id": "O1", "person_id": "P1", "relation": "wife"}],
        person_roles=[{"person_id": "P9", "firm_id": "F2", "role": "legal_rep", "share": None}],
        person_identifiers=[{"owner_kind": "person", "owner_id": "P1", "kind": "phone", "value": "555"},
                            {"owner_kind": "person", "owner_id": "P9", "kind": "phone", "value": "555"}])
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert set(found) == {("O1", "F2")}
    assert "wife P1 shares phone 555 with its legal representative P9" in found[("O1", "F2")].explanation


def test_a_role_holder_whose_role_is_not_recorded_is_its_officer_not_its_none() -> None:
    for role in (None, float("nan"), ""):
        data = _tie_market(
            relations=[{"official_id": "O1", "person_id": "P1", "relation": "wife"}],
            person_roles=[{"person_id": "P9", "firm_id": "F2", "role": role, "share": None}],
            person_identifiers=[{"owner_kind": "person", "owner_id": "P1", "kind": "phone", "value": "555"},
                                {"owner_kind": "person", "owner_id": "P9", "kind": "phone", "value": "555"}])
        (found,) = closeness.detect(data)
        assert "wife P1 shares phone 555 with its officer P9" in found.explanation, role


def test_relatives_and_role_holders_are_named_where_the_records_name_them() -> None:
    data = _tie_market(
        relations=[{"official_id": "O1", "person_id": "P1", "relation": "wife", "person_name": "王芳"},
                   {"official_id": "O1", "person_id": "P2", "relation": "brother", "person_name": " "}],
        person_roles=[{"person_id": "P9", "firm_id": "F2", "role": "legal_rep", "share": None, "person_name": "李强"},
                      {"person_id": "P2", "firm_id": "F1", "role": "shareholder", "share": 0.2, "person_name": " "}],
        person_identifiers=[{"owner_kind": "person", "owner_id": "P1", "kind": "phone", "value": "555"},
                            {"owner_kind": "person", "owner_id": "P9", "kind": "phone", "value": "555"}])
    found = {(f.official_id, f.firm_id): f for f in closeness.detect(data)}
    assert "wife 王芳 (P1) shares phone 555 with its legal representative 李强 (P9)" in found[("O1", "F2")].explanation
    assert "brother P2 holds 20 % of its shares" in found[("O1", "F1")].explanation  # a blank name: the id


# --------------------------------------------------------------------------- contract


def test_findings_are_deterministic_sorted_and_serialisable() -> None:
    officials, insp = _peer_market()
    _inspection(insp, "O1", "F5", 20, 0)
    _inspection(insp, "O2", "F5", 7, 3)
    data = _market(officials, insp, relations=[{"official_id": "O3", "person_id": "P1", "relation": "son"}],
                   person_roles=[{"person_id": "P1", "firm_id": "F2", "role": "director", "share": None}])
    first = [f.to_json() for f in closeness.detect(data, seed=1)]
    second = [f.to_json() for f in closeness.detect(data, seed=2)]
    assert first == second and len(first) == 2
    scores = [f.score for f in closeness.detect(data)]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_an_empty_or_sparse_market_gives_no_findings() -> None:
    assert closeness.detect(MarketData.build()) == []
    sparse = MarketData.build(
        officials=pd.DataFrame({"official_id": ["O1", "O2"]}),
        inspections=pd.DataFrame({"inspection_id": ["I1", "I2", "I3"], "official_id": ["O1", "O1", "O2"],
                                  "firm_id": ["F1", "F1", "F2"], "date": ["2024-01-01"] * 3}))
    frame = closeness.pair_frame(sparse)
    assert sorted(zip(frame["official_id"], frame["firm_id"], strict=True)) == [("O1", "F1"), ("O2", "F2")]
    assert (frame["score"] == 0).all()


def test_open_applications_count_as_handled_and_the_sentence_says_how_many_are_open() -> None:
    rows = [dict(approval_id=f"A{i}", official_id=f"O{i % 4}", firm_id=f"F{i % 10}", kind="permit",
                 applied_at=f"2023-{1 + i % 12:02d}-01", decided_at=f"2023-{1 + i % 12:02d}-20",
                 decision="approve", statutory_days=20) for i in range(120)]
    rows += [dict(approval_id=f"X{i}", official_id="O0", firm_id="F0", kind="permit",
                  applied_at=f"2024-{1 + i % 6:02d}-0{1 + i % 5}",
                  decided_at=f"2024-{1 + i % 6:02d}-10" if i < 3 else None,
                  decision="approve" if i < 3 else None, statutory_days=20) for i in range(12)]
    data = MarketData.build(approvals=pd.DataFrame(rows), officials=pd.DataFrame(
        {"official_id": [f"O{i}" for i in range(4)], "name": [" ", None, "B", "C"], "department_id": "D1"}))
    (finding,) = [f for f in closeness.detect(data) if (f.official_id, f.firm_id) == ("O0", "F0")]
    # 9 of the 18 counted are still open; an official or firm without a name is written by its id, once
    assert finding.explanation.startswith("O0 handled approvals for F0 18 times (9 still open) between ")
    assert finding.evidence["components"]["frequency_approvals"]["still_open"] == 9
    # corroboration names the channels its p-value rests on, counts them, and gives the p as a decimal
    corroboration = finding.evidence["components"]["corroboration"]
    assert corroboration["value"] == "approvals, speed" and corroboration["contribution"] > 0
    assert ("deviated in 2 kinds of dealings at once (approvals; speed: median " in finding.explanation
            and f"by coincidence is {corroboration['pvalue']:.3f})." in finding.explanation)


def test_the_person_an_official_is_declared_to_be_is_the_official_in_shared_identifiers() -> None:
    data = _one_committee([{"official_id": "O1", "person_id": "P9", "relation": "self", "person_name": "Jane Wu"}],
                          [{"person_id": "P9", "firm_id": "F1", "role": "legal_rep", "share": None}])
    data = dataclasses.replace(data, person_identifiers=pd.DataFrame([
        {"owner_kind": "official", "owner_id": "O1", "kind": "phone", "value": "555-1"},
        {"owner_kind": "person", "owner_id": "P9", "kind": "phone", "value": "555-1"}]),
        firm_identifiers=pd.DataFrame([{"firm_id": "F1", "kind": "phone", "value": "555-1", "via": None}]))
    (finding,) = closeness.detect(data)
    details = [t["detail"] for t in finding.evidence["components"]["ties"]["value"]]
    # one person: its phone is the official's, and the official's phone on its own role is no second tie
    assert details == ["the official is its legal representative",
                       "the official shares phone 555-1 with it (no other firm uses it)"]


def test_relations_and_chances_read_as_a_sentence_says_them() -> None:
    assert closeness._relation(pd.Series(["brother_in_law", "step_son", None])).tolist() == [
        "brother-in-law", "step son", "relative"]
    assert closeness._chance(0.01844) == "0.018" and closeness._chance(2e-5) == "less than 0.001"


def test_a_tender_listed_twice_counts_once() -> None:
    tenders = pd.DataFrame({"tender_id": ["T1", "T1", "T2"], "category": "roads"})
    bids = pd.DataFrame({"bid_id": ["b1", "b2", "b3"], "tender_id": ["T1", "T1", "T2"], "firm_id": ["A", "B", "A"],
                         "amount": [1.0, 2.0, 3.0]})
    evaluations = pd.DataFrame({"tender_id": ["T1", "T2"], "official_id": ["O1", "O1"]})
    twice = closeness.pair_frame(MarketData.build(tenders=tenders, bids=bids, evaluations=evaluations))
    once = closeness.pair_frame(MarketData.build(tenders=tenders.drop_duplicates("tender_id"), bids=bids,
                                                 evaluations=evaluations))
    pd.testing.assert_frame_equal(twice, once)


def _one_committee(relations: list[dict], person_roles: list[dict]) -> MarketData:
    """O1 sat on the committee of T1, where F1 (the winner) and F2 bid: one meeting with each."""
    tenders = [{"tender_id": "T1", "department_id": "D1", "category": "works", "region": "R1",
                "winner_firm_id": "F1"}]
    bids = [{"bid_id": f"B{f}", "tender_id": "T1", "firm_id": f, "amount": 100.0, "disqualified": False,
             "is_winner": False} for f in ("F1", "F2")]
    return _market(_officials(["O1"]), tenders=tenders, bids=bids, evaluations=[{"tender_id": "T1", "official_id": "O1"}],
                   relations=relations, person_roles=person_roles)


def test_one_committee_meeting_with_a_relatives_firm_is_kept() -> None:
    data = _one_committee([{"official_id": "O1", "person_id": "P1", "relation": "husband"}],
                          [{"person_id": "P1", "firm_id": "F1", "role": "legal_rep", "share": None}])
    frame = closeness.pair_frame(data)
    # one meeting is below min_evaluations, so F2 is not scored; F1 is kept for its tie
    assert list(zip(frame["official_id"], frame["firm_id"], strict=True)) == [("O1", "F1")]
    (finding,) = closeness.detect(data)
    assert "the official's husband P1 is its legal representative" in finding.explanation
    # whether the relative's firm won the tender the official evaluated is said: F1 won T1
    assert "dealt with Firm F1 (F1) 1 time (1 evaluation: the firm won that tender)" in finding.explanation
    # near miss: the relative's firm is F2, which lost it
    lost = _one_committee([{"official_id": "O1", "person_id": "P1", "relation": "husband"}],
                          [{"person_id": "P1", "firm_id": "F2", "role": "legal_rep", "share": None}])
    (finding,) = closeness.detect(lost)
    assert "dealt with Firm F2 (F2) 1 time (1 evaluation: the firm lost that tender)" in finding.explanation
    assert finding.evidence["committee_results"] == {"tenders": 1, "with_known_winner": 1, "won": 0}
    # a second evaluated tender without a known winner is not counted as lost
    tenders = pd.concat([lost.tenders, lost.tenders.assign(tender_id="T2", winner_firm_id=None)])
    bids = pd.concat([lost.bids, lost.bids.assign(tender_id="T2", bid_id=lost.bids["bid_id"] + "2")])
    evaluations = pd.concat([lost.evaluations, lost.evaluations.assign(tender_id="T2")])
    (finding,) = closeness.detect(dataclasses.replace(lost, tenders=tenders, bids=bids, evaluations=evaluations))
    assert "2 times (2 evaluations: the firm lost the 1 with a known winner)" in finding.explanation
    assert finding.evidence["committee_results"] == {"tenders": 2, "with_known_winner": 1, "won": 0}


def test_the_official_holds_a_role_only_where_declared_self_not_where_ids_coincide() -> None:
    # persons numbered by the company register, officials by the HR system: person "O1" is someone else
    coincide = _one_committee([], [{"person_id": "O1", "firm_id": "F1", "role": "legal_rep", "share": None}])
    assert closeness.detect(coincide) == []
    declared = _one_committee([{"official_id": "O1", "person_id": "P9", "relation": "self"}],
                              [{"person_id": "P9", "firm_id": "F1", "role": "shareholder", "share": 0.004}])
    (finding,) = closeness.detect(declared)
    assert "the official holds 0.4 % of its shares" in finding.explanation


def test_weak_leads_are_capped_but_strong_leads_are_not() -> None:
    insp: list[dict] = []
    _inspection(insp, "O1", "F1", 28, 12)  # a weak lead: frequency alone
    for f in ("F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"):
        _inspection(insp, "O1", f, 1, 0)
        _inspection(insp, "O2", f, 7, 3)
    _inspection(insp, "O2", "F1", 7, 3)
    data = _market(_officials(["O1", "O2"]), insp)
    uncapped = closeness.detect(data)
    assert [(f.official_id, f.firm_id) for f in uncapped if f.evidence["tier"] == "weak"] == [("O1", "F1")]
    capped = closeness.detect(data, closeness.Params(max_weak_leads=0))
    assert [f for f in capped if f.evidence["tier"] == "weak"] == []
    strong_params = closeness.Params(max_weak_leads=0, threshold=1.0)  # the same pair as a strong lead
    assert [(f.official_id, f.firm_id) for f in closeness.detect(data, strong_params)] == [("O1", "F1")]


def test_corroborating_channels_are_named_with_their_numbers() -> None:
    """The corroboration phrase gives each channel's number unless the sentence states it already."""
    row = pd.Series({"official_id": "O1", "firm_id": "F1", "frequency_points": 0.0, "frequency_channel": None,
                     "evaluations_observed": 10.0, "evaluations_expected": 2.3, "outcome_points": 0.0,
                     "wins_in": 9.0, "bids_in": 10.0, "expected_in": 2.5, "pass_points": 0.0,
                     "leniency_outcome": "nofail", "nofail_n": 8.0, "nofail_x": 8.0, "nofail_expected_bad": 3.2})
    speed_days = (None, None)  # no approval times
    assert closeness._channel_fact(row, "evaluations", speed_days) == \
        "sat on 10 committees of tenders it bid in, 2.3 expected"
    assert closeness._channel_fact(row, "outcomes", speed_days) == \
        "won 9 of the 10 tenders the official evaluated, 2.5 expected"
    assert closeness._channel_fact(row, "leniency", speed_days) == "failed 0 of 8 inspections, 3.2 expected"
    # a channel with its own phrase in the sentence is only named
    assert closeness._channel_fact(pd.Series({**row, "outcome_points": 35.0}), "outcomes", speed_days) == ""
