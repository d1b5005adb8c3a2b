"""Bid spacing: the members' range among every set of as many bids, its null and firms' price levels."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from detectors import bid_spacing


def _brute(values: np.ndarray, members: np.ndarray) -> tuple[float, float]:
    """The mid-p and null variance by enumerating every set of as many bids."""
    k = int(members.sum())
    ranges = np.array([np.ptp(values[list(c)]) for c in itertools.combinations(range(len(values)), k)])

    def mid(r: float) -> float:
        return float(((ranges < r - 1e-9).sum() + 0.5 * (np.abs(ranges - r) <= 1e-9).sum()) / len(ranges))

    return mid(float(np.ptp(values[members]))), float(np.mean([(mid(r) - 0.5) ** 2 for r in ranges]))


def test_two_members_closest_of_ten_pairs_by_hand() -> None:
    # pairs of 5 bids: ranges 0.01 (the members), 0.29, 0.3, 0.4, 0.5, 0.69, 0.7, 0.9, 1.19, 1.2 — all
    # distinct, so u = ½ / 10 and v = (C² − 1) / (12 C²) with C = 10
    values = np.array([0.0, 0.01, 0.3, 0.7, 1.2])
    u, v = bid_spacing.spacing_midp(values, np.array([True, True, False, False, False]))
    assert u == pytest.approx(0.05) and v == pytest.approx(99 / 1200)
    # near miss: the two farthest apart are the widest pair of ten
    u, _ = bid_spacing.spacing_midp(values, np.array([True, False, False, False, True]))
    assert u == pytest.approx(0.95)


def test_equal_ranges_share_their_mid_rank_by_hand() -> None:
    # sets of 3 of [0, 1, 2, 3]: {0,1,2} 2, {1,2,3} 2, {0,1,3} 3, {0,2,3} 3 → the members' 2 is
    # tied with one other set: u = (0 + ½·2) / 4; mid-ps ¼, ¼, ¾, ¾ → v = 1/16
    u, v = bid_spacing.spacing_midp(np.array([2.0, 0.0, 1.0, 3.0]), np.array([True, True, True, False]))
    assert (u, v) == (pytest.approx(0.25), pytest.approx(0.0625))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_midp_and_variance_equal_enumeration_with_tied_bids(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        n = int(rng.integers(3, 9))
        k = int(rng.integers(2, n))
        values = np.round(rng.normal(size=n), 1)  # coarse: equal bids and equal ranges
        members = np.zeros(n, dtype=bool)
        members[rng.choice(n, k, replace=False)] = True
        assert bid_spacing.spacing_midp(values, members) == pytest.approx(_brute(values, members), abs=1e-12)


def test_the_test_is_calibrated_when_members_bid_like_anyone_else() -> None:
    rng = np.random.default_rng(7)
    zs = []
    for _ in range(800):
        us, vs = zip(*(bid_spacing.spacing_midp(rng.normal(size=int(n)), np.arange(int(n)) < k)
                       for n, k in zip(rng.integers(4, 12, 20), rng.integers(2, 4, 20), strict=True)), strict=True)
        zs.append(bid_spacing.spacing_test(np.array(us), np.array(vs))[0])
    assert abs(float(np.mean(zs))) < 0.1 and 0.9 < float(np.std(zs)) < 1.1
    assert float(np.mean(np.abs(zs) > 2.576)) < 0.02  # two-sided 1 %


def test_fewer_tenders_than_the_minimum_give_no_test() -> None:
    n = bid_spacing.MIN_TENDERS - 1
    assert math.isnan(bid_spacing.spacing_test(np.full(n, 0.05), np.full(n, 0.08))[0])
    assert bid_spacing.spacing_test(np.full(n, 0.05), np.full(n, 0.08))[1] == 1.0
    z, p = bid_spacing.spacing_test(np.full(n + 1, 0.05), np.full(n + 1, 0.08))
    assert z == pytest.approx(0.45 * (n + 1) / math.sqrt(0.08 * (n + 1))) and p < 1e-3
    # one-sided: members as far apart give p near 1
    assert bid_spacing.spacing_test(np.full(n + 1, 0.95), np.full(n + 1, 0.08))[1] > 0.999


def _honest_market(seed: int, level: dict[str, float], noise: dict[str, float]) -> pd.DataFrame:
    """40 tenders where every firm bids its tender's cost times its usual level, with its own
    independent noise."""
    rng = np.random.default_rng(seed)
    cost = rng.normal(12, 1, 40)
    return pd.DataFrame([(f"T{t:02d}", firm, math.exp(cost[t] + level[firm] + rng.normal(0, noise[firm])))
                         for t in range(40) for firm in level], columns=["tender_id", "firm_id", "amount"])


def _pair_z(residual: pd.DataFrame, pair: str = "AB") -> float:
    tenders = pd.DataFrame({"group": 0, "tender_id": residual["tender_id"].unique()}).assign(
        members=lambda f: [frozenset(pair)] * len(f))
    spaced = bid_spacing.group_spacing(residual, tenders)
    return bid_spacing.spacing_test(spaced["u"].to_numpy(), spaced["v"].to_numpy())[0]


def _raw(bids: pd.DataFrame) -> pd.DataFrame:
    return bids.assign(residual=np.log(bids["amount"]))


@pytest.mark.parametrize("seed", [5, 6])
def test_firms_usual_price_levels_are_taken_out(seed: int) -> None:
    # A and B price 20 % below C, D and E everywhere (each bid with its own 5 % noise)
    bids = _honest_market(seed, {"A": -0.2, "B": -0.2, "C": 0.0, "D": 0.0, "E": 0.0}, dict.fromkeys("ABCDE", 0.05))
    assert _pair_z(_raw(bids)) > 4                       # on amounts the two cheap firms sit together
    assert abs(_pair_z(bid_spacing.residuals(bids))) < 2  # their levels out, they bid like anyone else


@pytest.mark.parametrize("seed", [5, 6])
def test_steady_firms_are_read_on_their_own_spread(seed: int) -> None:
    # A and B price within 2 % of their level every time, C, D and E within 6 %
    bids = _honest_market(seed, dict.fromkeys("ABCDE", 0.0), {"A": 0.02, "B": 0.02, "C": 0.06, "D": 0.06, "E": 0.06})
    assert _pair_z(_raw(bids)) > 4                       # on amounts the two steady firms sit together
    assert abs(_pair_z(bid_spacing.residuals(bids))) < 2.5  # each on its own spread, they are no group
    spread = bid_spacing.residuals(bids).groupby("firm_id")["residual"].std()
    assert spread.between(0.6, 1.4).all()


def _pairs_z(bids: pd.DataFrame, min_tenders: int = 8) -> dict[tuple[str, str], float]:
    """Every pair of firms that met in ``min_tenders`` tenders: its spacing z on residuals."""
    residual = bid_spacing.residuals(bids)
    together: dict[tuple[str, str], list[str]] = {}
    for tender, firms in residual.groupby("tender_id")["firm_id"]:
        for pair in itertools.combinations(sorted(firms), 2):
            together.setdefault(pair, []).append(tender)
    pairs = [pair for pair, tenders in together.items() if len(tenders) >= min_tenders]
    groups = pd.DataFrame([(g, t, frozenset(pair)) for g, pair in enumerate(pairs) for t in together[pair]],
                          columns=["group", "tender_id", "members"])
    spaced = bid_spacing.group_spacing(residual, groups)
    return {pairs[g]: bid_spacing.spacing_test(part["u"].to_numpy(), part["v"].to_numpy())[0]
            for g, part in spaced.groupby("group")}


@pytest.mark.parametrize("seed", [2, 3])
def test_firms_whose_spreads_differ_sevenfold_are_no_groups(seed: int) -> None:
    # 30 honest firms whose spreads differ widely (log-sd 1: a tenth of them beyond 3.6× the usual),
    # two of them eight times steadier than the usual, meeting in a third of the tenders; read
    # unweighted and shrunk arithmetically, honest pairs' z had sd 1.4–2.0 and the steady pair 8–11
    rng = np.random.default_rng(seed)
    firms = [f"F{i:02d}" for i in range(30)]
    spread = dict(zip(firms, 0.05 * np.exp(rng.normal(size=30)), strict=True)) | {"F00": 0.05 / 8, "F01": 0.05 / 8}
    rows = []
    for t in range(500):
        level = rng.normal(12, 0.5)
        chosen = [*rng.choice(firms[2:], int(rng.integers(3, 8)), replace=False), *(("F00", "F01") if t % 3 == 0 else ())]
        rows += [(f"T{t:03d}", f, math.exp(level + spread[f] * rng.normal())) for f in chosen]
    z = _pairs_z(pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount"]))
    honest = np.array([v for pair, v in z.items() if pair != ("F00", "F01")])
    assert len(honest) > 300
    assert 0.85 < honest.std() < 1.15 and np.mean(honest > 2.326) < 0.025
    assert z[("F00", "F01")] < 1.0  # the steady pair: no group


def test_bids_at_fixed_multiples_of_their_tender_give_no_evidence_either_way() -> None:
    # every firm bids its own multiple of the tender's level (a price list): every residual is 0 up to
    # float error, which must tie instead of ranking the pairs (it had read them at z −5.4 to +4.7)
    rng = np.random.default_rng(0)
    multiple = dict(zip("ABCDEF", (1.0, 1.1, 0.95, 1.3, 1.02, 0.9), strict=True))
    level = np.round(1000 * np.exp(rng.normal(0, 0.5, 30)), 2)
    bids = pd.DataFrame([(f"T{t:02d}", f, level[t] * m) for t in range(30) for f, m in multiple.items()],
                        columns=["tender_id", "firm_id", "amount"])
    assert all(math.isnan(z) for z in _pairs_z(bids).values())
    # near miss: the same list prices with 1 % of noise of their own are read, and no pair is a group
    noisy = bids.assign(amount=bids["amount"] * np.exp(rng.normal(0, 0.01, len(bids))))
    z = np.array(list(_pairs_z(noisy).values()))
    assert len(z) == 15 and np.isfinite(z).all() and (z < 3).all()


def test_firms_with_few_bids_are_not_read_steadier_than_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    # 300 firms with 5 bids each beside 12 regular firms, every bid with a 5 % spread: the log of a
    # spread read from 5 bids falls short of the truth on average, and a firm read too steady scatters
    # its residuals and makes the regular firms beside it look bunched (regular pairs' mean z +0.6);
    # with the shortfall added back (ψ(d/2) − ln(d/2)) their spreads come out 0.85 of the truth, not 0.82
    rng = np.random.default_rng(2)
    slots: list[list[str]] = [[] for _ in range(400)]
    for firm in (f"X{i:03d}" for i in range(300)):
        for t in rng.choice(400, 5, replace=False):
            slots[t].append(firm)
    regular = [f"R{i:02d}" for i in range(12)]
    rows = []
    for t in range(400):
        level = rng.normal(12, 0.7)
        rows += [(f"T{t:03d}", f, math.exp(level + 0.05 * rng.normal()))
                 for f in [*rng.choice(regular, int(rng.integers(2, 5)), replace=False), *slots[t]]]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount"])
    read: dict[str, np.ndarray] = {}
    solve = bid_spacing.firm_spreads
    monkeypatch.setattr(bid_spacing, "firm_spreads",
                        lambda r, t, f: read.setdefault("spread", solve(r, t, f)))  # observe, not replace
    residual = bid_spacing.residuals(bids)
    spread = pd.Series(read["spread"], index=pd.unique(residual["firm_id"]))
    few = spread[spread.index.str.startswith("X")] / (0.05 * math.sqrt(5 / 4))  # the level's error included
    assert 0.84 < math.exp(np.log(few).mean()) < 1.1


def test_covers_a_few_per_cent_over_the_leader_stay_bunched_on_residuals() -> None:
    # flagged case: B and C bid 1–2 % over A, whatever A bids; D, E and F price on their own
    rng = np.random.default_rng(9)
    bids = _honest_market(9, {**dict.fromkeys("ADEF", 0.0)}, dict.fromkeys("ADEF", 0.06))
    lead = bids.loc[bids["firm_id"] == "A"].set_index("tender_id")["amount"]
    covers = pd.DataFrame([(t, f, a * (1 + rng.uniform(0.01, 0.02))) for t, a in lead.items() for f in "BC"],
                          columns=bids.columns)
    assert _pair_z(bid_spacing.residuals(pd.concat([bids, covers])), "ABC") > 5


def test_residuals_keep_a_firm_s_lowest_bid_and_leave_out_firms_without_a_level() -> None:
    bids = pd.DataFrame([(f"T{t}", f, 100.0 + t + i) for t in range(5) for i, f in enumerate("ABC")]
                        + [("T0", "A", 90.0), ("T0", "D", 120.0), ("T1", "D", 0.0),
                           ("T5", "A", math.inf), ("T5", "B", 105.0), ("T5", "C", 106.0)],
                        columns=["tender_id", "firm_id", "amount"])
    residual = bid_spacing.residuals(bids)
    # D made one usable bid (fewer than MIN_FIRM_BIDS: nothing is no bid): no level, left out; A's two
    # bids in T0 are one, its infinite one in T5 none; every residual is a number
    assert sorted(residual["firm_id"].unique()) == ["A", "B", "C"] and len(residual) == 17
    assert np.isfinite(residual["residual"]).all()
    assert residual.loc[(residual["tender_id"] == "T0") & (residual["firm_id"] == "A"), "amount"].item() == 90.0


def test_group_spacing_reads_only_tenders_where_two_members_met_an_outsider() -> None:
    residual = pd.DataFrame([("T1", "A", 0.0), ("T1", "B", 0.01), ("T1", "C", 0.3),
                             ("T2", "A", 0.0), ("T2", "B", 0.02),                     # no outsider
                             ("T3", "A", 0.0), ("T3", "C", 0.2), ("T3", "D", -0.1),   # one member
                             ("T4", "A", 0.0), ("T4", "B", 0.3), ("T4", "C", 0.01)],
                            columns=["tender_id", "firm_id", "residual"])
    groups = pd.DataFrame({"group": 0, "tender_id": ["T1", "T2", "T3", "T4"], "members": [frozenset("AB")] * 4})
    spaced = bid_spacing.group_spacing(residual, groups)
    assert list(spaced["tender_id"]) == ["T1", "T4"] and list(spaced["n"]) == [3, 3]
    # T1: the members' 0.01 is the smallest of three pairs; T4: their 0.3 the largest
    assert list(spaced["u"]) == [pytest.approx(1 / 6), pytest.approx(5 / 6)]
    # of the two other pairs, both were wider in T1 and neither in T4
    assert list(spaced["wider"]) == [pytest.approx(1.0), pytest.approx(0.0)]
