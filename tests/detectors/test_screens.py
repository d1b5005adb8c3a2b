"""Price screens on tenders whose values can be checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from detectors.screens import (
    LOWEST_WINS_MIN,
    award_groups,
    award_rules,
    category_baselines,
    category_percentiles,
    not_lowest_price,
    suspicion,
    tender_screens,
    valid_bids,
    with_budget_ratio,
)


def _bids(rows: list[tuple[str, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["tender_id", "amount", "disqualified"])


@pytest.fixture()
def screens() -> pd.DataFrame:
    bids = _bids([
        # T1: 100, 110, 120, 130 — evenly spaced, competitive-looking
        ("T1", 130.0, False), ("T1", 100.0, False), ("T1", 120.0, False), ("T1", 110.0, False),
        # T2: a winner at 100 and two cover bids huddled at 103 / 104
        ("T2", 104.0, False), ("T2", 100.0, False), ("T2", 103.0, False),
        # T3: a single bid — no screen
        ("T3", 100.0, False),
        # T4: the disqualified 50 is not a bid for the screens
        ("T4", 50.0, True), ("T4", 100.0, False), ("T4", 120.0, False),
        # T5: identical cover bids → RD infinite
        ("T5", 105.0, False), ("T5", 100.0, False), ("T5", 105.0, False),
    ])
    return tender_screens(bids).set_index("tender_id")


def test_four_bid_tender_by_hand(screens: pd.DataFrame) -> None:
    t1 = screens.loc["T1"]
    # mean 115, squared deviations 225 + 25 + 25 + 225 = 500, s = sqrt(500 / 3)
    assert t1["n_bids"] == 4
    assert t1["cv"] == pytest.approx(math.sqrt(500 / 3) / 115)
    assert t1["spread"] == pytest.approx(0.30)          # (130 − 100) / 100
    assert t1["diff_pct"] == pytest.approx(0.10)        # (110 − 100) / 100
    assert t1["rd"] == pytest.approx(1.0)               # 10 / sd(110, 120, 130) = 10 / 10
    assert t1["skew"] == pytest.approx(0.0, abs=1e-12)  # symmetric
    # m2 = 125, m4 = 25625, g2 = 1.64 − 3 = −1.36, G2 = ((5·g2 + 6)·3) / (2·1) = −1.2
    assert t1["kurtosis"] == pytest.approx(-1.2)


def test_cover_bid_tender_by_hand(screens: pd.DataFrame) -> None:
    t2 = screens.loc["T2"]
    # losing bids 103, 104: sd = sqrt(0.5); gap 3 → RD = 3 / sqrt(0.5) = 4.2426
    assert t2["rd"] == pytest.approx(3 / math.sqrt(0.5))
    assert t2["spread"] == pytest.approx(0.04)
    assert t2["diff_pct"] == pytest.approx(0.03)
    assert t2["cv"] == pytest.approx(np.std([100, 103, 104], ddof=1) / (307 / 3))
    # the cover-bid tender is tighter and has the larger relative distance than T1
    assert t2["cv"] < screens.loc["T1", "cv"] and t2["rd"] > screens.loc["T1", "rd"]


def test_exclusions_and_edge_cases(screens: pd.DataFrame) -> None:
    assert "T3" not in screens.index                       # one bid
    assert screens.loc["T4", "n_bids"] == 2                # disqualified bid dropped
    assert screens.loc["T4", "b1"] == 100.0
    assert np.isnan(screens.loc["T4", "rd"])               # RD needs 3 bids
    assert np.isinf(screens.loc["T5", "rd"])               # identical covers above the winner


def test_a_consortium_bid_is_one_price() -> None:
    # B1 at 100 by F1 and F2 (one row per partner, as graph.readers writes it), then 110 and 120;
    # T2's rows have no bid_id and stay two bids, as before
    bids = pd.DataFrame([("B1", "T1", "F1", 100.0), ("B1", "T1", "F2", 100.0), ("B2", "T1", "F3", 110.0),
                         ("B3", "T1", "F4", 120.0), (None, "T2", "F1", 100.0), (None, "T2", "F2", 100.0)],
                        columns=["bid_id", "tender_id", "firm_id", "amount"])
    t1 = tender_screens(bids).set_index("tender_id").loc["T1"]
    assert (t1["n_bids"], t1["b1"], t1["b2"]) == (3, 100.0, 110.0)
    assert t1["diff_pct"] == pytest.approx(0.10)
    assert t1["rd"] == pytest.approx(10 / np.std([110, 120], ddof=1))  # ≈ 1.414
    assert valid_bids(bids)["tender_id"].tolist() == ["T1", "T1", "T1", "T2", "T2"]


def test_skew_and_kurtosis_match_scipy_bias_corrected() -> None:
    rng = np.random.default_rng(7)
    rows = [(f"T{t}", float(a), False) for t in range(30) for a in rng.lognormal(3, 0.2, 3 + t % 5)]
    bids = _bids(rows)
    out = tender_screens(bids).set_index("tender_id")
    for tender, group in bids.groupby("tender_id"):
        values = group["amount"].to_numpy()
        assert out.loc[tender, "skew"] == pytest.approx(stats.skew(values, bias=False))
        if len(values) >= 4:
            assert out.loc[tender, "kurtosis"] == pytest.approx(stats.kurtosis(values, bias=False))


def test_category_baselines_and_percentiles() -> None:
    bids = _bids([(f"T{t}", a, False) for t in range(1, 6) for a in (100.0, 100.0 + t, 100.0 + 2 * t)])
    tenders = pd.DataFrame({"tender_id": [f"T{t}" for t in range(1, 6)], "category": "roads"})
    screens = tender_screens(bids)
    base = category_baselines(screens, tenders, min_tenders=3)
    # spreads are 0.02, 0.04, …, 0.10 → median 0.06
    assert base.loc[("roads", "spread"), "median"] == pytest.approx(0.06)
    assert not base.loc[("roads", "spread"), "fallback"]
    pct = category_percentiles(screens, tenders, min_tenders=3).set_index("tender_id")
    # the tightest tender (T1) is the most suspicious on CV and spread: mid-rank (5 − ½) / 5
    assert pct.loc["T1", "p_cv"] == pytest.approx(0.9)
    assert pct.loc["T5", "p_spread"] == pytest.approx(0.1)
    assert pct["p_cv"].mean() == pytest.approx(0.5)
    # too few tenders in the category → compared with the whole market, flagged as fallback
    small = category_baselines(screens, tenders, min_tenders=10)
    assert small.loc[("roads", "cv"), "fallback"]


def test_percentiles_against_a_reference_leave_suspects_out_of_the_baseline() -> None:
    # T1..T5 as above (spreads 0.02 … 0.10) and three ring tenders R1..R3 as tight as T1
    rows = [(f"T{t}", a, False) for t in range(1, 6) for a in (100.0, 100.0 + t, 100.0 + 2 * t)]
    rows += [(f"R{t}", a, False) for t in range(1, 4) for a in (100.0, 101.0, 102.0)]
    bids = _bids(rows)
    tenders = pd.DataFrame({"tender_id": [f"T{t}" for t in range(1, 6)] + ["R1", "R2", "R3"], "category": "roads"})
    screens = tender_screens(bids)
    everyone = category_percentiles(screens, tenders, min_tenders=3).set_index("tender_id")
    # the reference of every tender is the plain mid-rank
    same = category_percentiles(screens, tenders, min_tenders=3, reference=set(tenders["tender_id"]))
    assert np.allclose(same.set_index("tender_id")["p_spread"], everyone["p_spread"])
    # among all eight, R1 ties with T1 and R2, R3: mid-rank (4 + ½·4) / 8 = 0.75 of tenders are looser
    assert everyone.loc["R1", "p_spread"] == pytest.approx(0.75)
    # against the five competitive tenders only: 4 looser, 1 equal → (4 + ½) / 5 = 0.9
    clean = category_percentiles(screens, tenders, min_tenders=3, reference={f"T{t}" for t in range(1, 6)})
    assert clean.set_index("tender_id").loc["R1", "p_spread"] == pytest.approx(0.9)


def test_a_tender_is_ranked_among_tenders_with_as_many_bids() -> None:
    # 3 two-bid tenders, gaps 1 %, 2 %, 3 %; 3 five-bid tenders, spreads 4 %, 8 %, 12 %. Ranked
    # together, every two-bid tender looks tighter than every five-bid one; by band, D1 and F1
    # are each their band's tightest: mid-rank (3 − ½) / 3
    rows = [(f"D{t}", a, False) for t in range(1, 4) for a in (100.0, 100.0 + t)]
    rows += [(f"F{t}", 100.0 + k * t, False) for t in range(1, 4) for k in range(5)]
    bids = _bids(rows)
    tenders = pd.DataFrame({"tender_id": [f"D{t}" for t in range(1, 4)] + [f"F{t}" for t in range(1, 4)],
                            "category": "roads"})
    pct = category_percentiles(tender_screens(bids), tenders, min_tenders=3).set_index("tender_id")["p_spread"]
    assert pct["D1"] == pytest.approx(5 / 6) and pct["F1"] == pytest.approx(5 / 6)
    assert pct["D3"] == pytest.approx(1 / 6) and pct["F3"] == pytest.approx(1 / 6)
    # near-miss: a band with fewer than min_tenders tenders is ranked among its whole category
    pooled = category_percentiles(tender_screens(bids), tenders, min_tenders=4).set_index("tender_id")["p_spread"]
    assert pooled["D1"] == pytest.approx(11 / 12) and pooled["F1"] == pytest.approx(5 / 12)


def test_screens_differing_only_in_the_last_bit_of_a_float_tie() -> None:
    # the same bids give RD √2 as 1.414213562373095 or 1.4142135623730951 by the order of the sums
    root = math.sqrt(2.0)
    screens = pd.DataFrame({"tender_id": [f"T{t}" for t in range(6)], "cv": 0.01, "spread": 0.02,
                            "rd": [root, np.nextafter(root, 0.0)] * 3})
    tenders = pd.DataFrame({"tender_id": screens["tender_id"], "category": "roads"})
    ranked = category_percentiles(screens, tenders, min_tenders=3)
    assert ranked["p_rd"].tolist() == [0.5] * 6
    # zero, a subnormal, infinity and NaN are left as they are
    from detectors.screens import _significant
    kept = _significant(np.array([0.0, 5e-324, np.inf, np.nan, -2.5]), 12)
    assert kept[:3].tolist() == [0.0, 5e-324, np.inf] and np.isnan(kept[3]) and kept[4] == -2.5
    # a real difference, in the 11th significant digit, still ranks
    screens.loc[0, "rd"] = root * (1 + 1e-10)
    assert category_percentiles(screens, tenders, min_tenders=3)["p_rd"].iloc[0] > 0.5


def test_budget_ratio_is_the_lowest_valid_bid_over_a_positive_budget() -> None:
    # T1: bids 90, 95, 99 and a disqualified 80 → b1 = 90 of 100; T2 budget 0, T3 none: no ratio
    bids = _bids([("T1", 90.0, False), ("T1", 95.0, False), ("T1", 99.0, False), ("T1", 80.0, True),
                  ("T2", 50.0, False), ("T2", 55.0, False), ("T3", 70.0, False), ("T3", 75.0, False)])
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3"], "budget": [100.0, 0.0, None]})
    ratio = with_budget_ratio(tender_screens(bids), tenders).set_index("tender_id")["budget_ratio"]
    assert ratio["T1"] == pytest.approx(0.9)
    assert np.isnan(ratio["T2"]) and np.isnan(ratio["T3"])
    # high is suspicious: the tender nearest its budget gets the top price-to-budget percentile
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3"], "category": "x", "budget": [100.0, 52.0, 140.0]})
    pct = category_percentiles(with_budget_ratio(tender_screens(bids), tenders), tenders, min_tenders=3,
                               columns=("budget_ratio",)).set_index("tender_id")["p_budget_ratio"]
    assert list(pct.sort_values().index) == ["T3", "T1", "T2"]


def test_suspicion_is_the_mean_of_the_percentiles_a_tender_has() -> None:
    """Four 3-bid tenders of category x, every screen distinct except one budget tie:

    ====  ============  ======  ==============  ======  ================  ===========
    T     bids          CV      spread          RD      budget → b1/bud   mid-ranks
    ====  ============  ======  ==============  ======  ================  ===========
    T1    100 101 102   1/101   .02             1/√½    125 → 0.8
    T2    100 104 106   .0296   .06             4/√2    125 → 0.8
    T3    100 102 110   .0509   .10             2/√32   200 → 0.5
    T4    100 103 112   .0595   .12             3/√40.5 none
    ====  ============  ======  ==============  ======  ================  ===========

    (CV: s = 1, √(28/3), √28, √39 over means 101, 103.3, 104, 105; RD = (b2 − b1) / sd(b2, b3):
    1.414, 2.828, 0.354, 0.471.) Mid-rank (rank − ½)/4: CV and spread, low suspicious, T1 .875,
    T2 .625, T3 .375, T4 .125; RD, high suspicious, T3 .125, T4 .375, T1 .625, T2 .875. Budget
    ratio among three: T3 ½/3 = 1/6; T1 and T2 tie at (1 + ½·2)/3 = 2/3; T4 NaN.
    risk T1 = (.875 + .875 + .625 + 2/3)/4 = 0.7604; T2 = (.625 + .625 + .875 + 2/3)/4 = 0.6979;
    T3 = (.375 + .375 + .125 + 1/6)/4 = 0.2604; T4 = (.125 + .125 + .375)/3 = 0.2083 (no budget)."""
    amounts = {"T1": (100.0, 101.0, 102.0), "T2": (100.0, 104.0, 106.0), "T3": (100.0, 102.0, 110.0),
               "T4": (100.0, 103.0, 112.0)}
    bids = _bids([(t, a, False) for t, values in amounts.items() for a in values])
    tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3", "T4"], "category": "x",
                            "budget": [125.0, 125.0, 200.0, None]})
    risk = suspicion(tender_screens(bids), tenders, min_tenders=3).set_index("tender_id")
    assert risk["p_cv"].tolist() == pytest.approx([0.875, 0.625, 0.375, 0.125])
    assert risk["p_spread"].tolist() == pytest.approx([0.875, 0.625, 0.375, 0.125])
    assert risk["p_rd"].tolist() == pytest.approx([0.625, 0.875, 0.125, 0.375])
    assert risk["p_budget_ratio"].iloc[:3].tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 6])
    assert np.isnan(risk.loc["T4", "p_budget_ratio"])
    assert risk["risk"].tolist() == pytest.approx([(0.875 + 0.875 + 0.625 + 2 / 3) / 4,
                                                   (0.625 + 0.625 + 0.875 + 2 / 3) / 4,
                                                   (0.375 + 0.375 + 0.125 + 1 / 6) / 4,
                                                   (0.125 + 0.125 + 0.375) / 3])


def test_category_baselines_by_hand_with_a_category_at_min_tenders() -> None:
    """RD of categories a (1, 2, 4, 10), b (3, 5, 7, 9) and c (20, 30, 40); min_tenders = 4.
    a: median 3, |x − 3| = 2, 1, 1, 7 → MAD 1.5, scale 1.4826·1.5 = 2.2239; quartiles by linear
    interpolation at positions 0.75 and 2.25: 1 + .75·1 = 1.75, 4 + .25·6 = 5.5.
    b (exactly min_tenders, own baseline): median 6, MAD median(3, 1, 1, 3) = 2 → 2.9652;
    q25 3 + .75·2 = 4.5, q75 7 + .25·2 = 7.5.
    c (3 < 4, falls back) and "*": all 11 values 1 2 3 4 5 7 9 10 20 30 40: median 7,
    |x − 7| sorted 0 2 2 3 3 4 5 6 13 23 33 → MAD 4, scale 5.9304; q25 at 2.5: 3.5; q75 at 7.5: 15."""
    screens = pd.DataFrame({"tender_id": [f"A{i}" for i in range(4)] + [f"B{i}" for i in range(4)]
                            + [f"C{i}" for i in range(3)],
                            "rd": [1.0, 2.0, 4.0, 10.0, 3.0, 5.0, 7.0, 9.0, 20.0, 30.0, 40.0]})
    tenders = pd.DataFrame({"tender_id": screens["tender_id"], "category": ["a"] * 4 + ["b"] * 4 + ["c"] * 3})
    base = category_baselines(screens, tenders, min_tenders=4, columns=("rd",))
    columns = ["median", "scale", "q25", "q75", "n", "fallback"]
    assert base.loc[("a", "rd"), columns].tolist() == pytest.approx([3.0, 1.4826 * 1.5, 1.75, 5.5, 4, False])
    assert base.loc[("b", "rd"), columns].tolist() == pytest.approx([6.0, 1.4826 * 2, 4.5, 7.5, 4, False])
    market = [7.0, 1.4826 * 4, 3.5, 15.0]
    assert base.loc[("*", "rd"), columns].tolist() == pytest.approx([*market, 11, False])
    assert base.loc[("c", "rd"), columns].tolist() == pytest.approx([*market, 3, True])


def test_a_zero_bid_is_not_a_price() -> None:
    """T1: 100, 110, 120 and a bid of 0.0 (a blank amount): still 3 bids, lowest 100, RD
    10 / sd(110, 120) = 10 / √50 = 1.414; near miss T2 has a positive 1.0 bid, which counts."""
    bids = _bids([("T1", 100.0, False), ("T1", 0.0, False), ("T1", 110.0, False), ("T1", 120.0, False),
                  ("T2", 100.0, False), ("T2", 1.0, False), ("T2", 110.0, False)])
    out = tender_screens(bids).set_index("tender_id")
    assert (out.loc["T1", "n_bids"], out.loc["T1", "b1"], out.loc["T1", "b2"]) == (3, 100.0, 110.0)
    assert out.loc["T1", "rd"] == pytest.approx(10 / math.sqrt(50))
    assert (out.loc["T2", "n_bids"], out.loc["T2", "b1"]) == (3, 1.0)
    priced = valid_bids(bids.assign(firm_id="F"))
    assert priced["amount"].tolist() == [100.0, 110.0, 120.0, 100.0, 1.0, 110.0]


def test_an_infinite_rd_is_left_out_of_the_baseline_and_its_count() -> None:
    """RD 1, 2, 10 and ∞ (equal losing bids): the baseline reads the three finite values (median 2,
    q75 6 by linear interpolation) and counts 3 screened tenders, under min_tenders 4: fallback."""
    screens = pd.DataFrame({"tender_id": list("ABCD"), "rd": [1.0, 2.0, 10.0, np.inf]})
    tenders = pd.DataFrame({"tender_id": list("ABCD"), "category": "a"})
    table = category_baselines(screens, tenders, min_tenders=4, columns=("rd",))
    row = table.loc[("a", "rd")]
    assert (row["median"], row["q75"], row["n"], bool(row["fallback"])) == (2.0, 6.0, 3, True)


def test_prices_in_another_currency_are_left_out_of_the_tenders_screens() -> None:
    """One USD bid among CNY bids gave a CV of 0.54; a USD budget over CNY bids a lowest bid at 580 %."""
    bids = pd.DataFrame({"tender_id": ["T1"] * 4 + ["T2"] * 3,
                         "amount": [1000.0, 1010.0, 1030.0, 150.0, 5800.0, 5900.0, 6000.0],
                         "currency": ["CNY", "CNY", "CNY", "USD", "CNY", "CNY", None]})
    screens = tender_screens(bids).set_index("tender_id")
    assert screens.loc["T1", "n_bids"] == 3 and screens.loc["T1", "currency"] == "CNY"
    assert screens.loc["T1", "cv"] == pytest.approx(np.std([1000.0, 1010.0, 1030.0], ddof=1) / 1013.3333, rel=1e-4)
    assert screens.loc["T2", "n_bids"] == 3  # a bid naming no currency is taken to be in the tender's
    tenders = pd.DataFrame({"tender_id": ["T1", "T2"], "budget": [1100.0, 1000.0], "currency": ["CNY", "USD"]})
    ratio = with_budget_ratio(screens.reset_index(), tenders).set_index("tender_id")["budget_ratio"]
    assert ratio["T1"] == pytest.approx(1000.0 / 1100.0) and np.isnan(ratio["T2"])
    # near miss: bids that name no currency at all are screened as before
    plain = tender_screens(bids.drop(columns="currency")).set_index("tender_id")
    assert plain.loc["T1", "n_bids"] == 4 and plain["currency"].isna().all()


def _awarded(category: str, n: int, lowest_wins: int, prefix: str) -> list[tuple[str, str, str, float, bool]]:
    """``n`` three-bid tenders of ``category`` (bids 100, 101, 102), the lowest winning the first
    ``lowest_wins`` of them and the 101 the rest: rows (tender, category, firm, amount, is_winner)."""
    rows = []
    for t in range(n):
        winner = "A" if t < lowest_wins else "B"
        rows += [(f"{prefix}{t:02d}", category, firm, amount, firm == winner)
                 for firm, amount in (("A", 100.0), ("B", 101.0), ("C", 102.0))]
    return rows


def test_award_rules_read_a_category_whose_lowest_bid_wins_less_than_halfway_beyond_a_draw() -> None:
    """Three-bid tenders, where a draw among the bidders gives the lowest a third. works: the lowest
    won 10 of 18 such tenders and two more — a tie at the lowest (100, 100, 103: a draw gives it
    2/3) and one whose disqualified 90 is no bid (100, 104: 1/2) — so 12 of 20 against 7.1667
    drawn, (12 − 7.1667) / (20 − 7.1667) = 0.377 beyond the draw: not lowest-price (flagged);
    goods: 14 of 20 against 6.667, 0.55 beyond (near miss: read); misc: 3 tenders, fewer than
    min_tenders, read as its own 3 of 3 is above the floor. Not counted: a tender without a
    winner and one with a single valid bid. The raw share of works (0.6) would have read it."""
    rows = _awarded("works", 18, 10, "W") + _awarded("goods", 20, 14, "G") + _awarded("misc", 3, 3, "M")
    rows += [("W-tie", "works", "A", 100.0, False), ("W-tie", "works", "B", 100.0, True),
             ("W-tie", "works", "C", 103.0, False)]
    rows += [("W-dq", "works", "D", 90.0, False), ("W-dq", "works", "A", 100.0, True),
             ("W-dq", "works", "B", 104.0, False)]
    rows += [("G-none", "goods", "A", 100.0, False), ("G-none", "goods", "B", 101.0, False),
             ("G-one", "goods", "A", 100.0, True)]
    bids = pd.DataFrame(rows, columns=["tender_id", "category", "firm_id", "amount", "is_winner"])
    bids["disqualified"] = bids["tender_id"].eq("W-dq") & bids["firm_id"].eq("D")
    tenders = bids[["tender_id", "category"]].drop_duplicates()
    rules = award_rules(bids.drop(columns="category"), tenders, min_tenders=20)
    assert rules.loc["works", ["awarded", "lowest_won"]].tolist() == [20, 12]
    assert rules.loc["goods", ["awarded", "lowest_won"]].tolist() == [20, 14]
    assert rules.loc["works", "drawn"] == pytest.approx(6 + 2 / 3 + 1 / 2)
    assert rules.loc["works", "share"] == pytest.approx(0.6)
    assert rules.loc["works", "beyond"] == pytest.approx((12 - 43 / 6) / (20 - 43 / 6))
    assert rules.loc["goods", "beyond"] == pytest.approx((14 - 20 / 3) / (20 - 20 / 3))
    assert rules.loc["misc", "fallback"] and rules.loc["misc", "beyond"] == 1.0
    assert rules["market_share"].tolist() == pytest.approx([29 / 43] * 3)
    assert rules["lowest_price"].to_dict() == {"goods": True, "misc": True, "works": False}
    assert LOWEST_WINS_MIN == 0.5
    unread = not_lowest_price(rules, tenders)
    assert unread == {t for t in tenders["tender_id"] if t.startswith("W")}


def test_a_market_without_awards_is_read_as_lowest_price() -> None:
    bids = pd.DataFrame({"tender_id": ["T1", "T1"], "firm_id": ["A", "B"], "amount": [100.0, 101.0]})
    rules = award_rules(bids, pd.DataFrame({"tender_id": ["T1"], "category": [None]}))
    assert rules.index.tolist() == ["(none)"] and rules.loc["(none)", "awarded"] == 0
    assert np.isnan(rules.loc["(none)", "share"]) and rules.loc["(none)", "lowest_price"]


def test_unread_tenders_are_neither_ranked_nor_ranked_against() -> None:
    """Two categories of 3-bid tenders; with x's tenders unread, y's percentiles are those of y
    ranked without them, and x's are NaN — also where y falls back to the whole market."""
    rng = np.random.default_rng(3)
    rows = [(f"{c}{t}", float(a)) for c in "xy" for t in range(6) for a in 100 * rng.lognormal(0, 0.05, 3)]
    bids = _bids([(t, a, False) for t, a in rows])
    tenders = pd.DataFrame({"tender_id": sorted({t for t, _ in rows})})
    tenders["category"], tenders["budget"] = tenders["tender_id"].str[0], np.nan
    screens = tender_screens(bids)
    unread = {f"x{t}" for t in range(6)}
    for min_tenders in (3, 10):  # y ranked among itself; y too small, ranked among the market
        risk = suspicion(screens, tenders, min_tenders=min_tenders, unread=unread).set_index("tender_id")
        alone = suspicion(screens.loc[~screens["tender_id"].isin(unread)],
                          tenders.loc[tenders["category"] == "y"], min_tenders=min_tenders).set_index("tender_id")
        assert risk.loc[sorted(unread), ["p_cv", "p_spread", "p_rd", "risk"]].isna().all().all()
        assert risk.loc[alone.index, "risk"].tolist() == pytest.approx(alone["risk"].tolist())


def test_a_small_category_is_not_read_on_its_few_awards_alone() -> None:
    """A market where the lowest won 9 of 40 (works, 20 awarded): a small category whose lowest won
    3 of 3 stays lowest-price (its own record contradicts the market's), one that won 1 of 3 and
    one without awards follow the market; a consortium's award marked on the partner row that
    the price drops still counts."""
    rows = _awarded("works", 40, 9, "W") + _awarded("perfect", 3, 3, "P") + _awarded("mixed", 3, 1, "M")
    rows += [("N0", "none", "A", 100.0, False), ("N0", "none", "B", 101.0, False)]
    bids = pd.DataFrame(rows, columns=["tender_id", "category", "firm_id", "amount", "is_winner"])
    bids["bid_id"] = [f"b{i}" for i in range(len(bids))]
    # W00's winner A (the lowest) bids with partner Z: one bid, two rows, the award on Z's
    partner = bids.loc[(bids["tender_id"] == "W00") & (bids["firm_id"] == "A")].assign(firm_id="Z", is_winner=True)
    bids.loc[(bids["tender_id"] == "W00") & (bids["firm_id"] == "A"), "is_winner"] = False
    bids = pd.concat([bids, partner], ignore_index=True)
    tenders = bids[["tender_id", "category"]].drop_duplicates()
    rules = award_rules(bids.drop(columns="category"), tenders, min_tenders=20)
    assert rules.loc["works", ["awarded", "lowest_won"]].tolist() == [40, 9]  # W00 counted, won by the lowest
    assert rules["market_share"].iloc[0] == pytest.approx(13 / 46)
    assert rules["lowest_price"].to_dict() == {"mixed": False, "none": False, "perfect": True, "works": False}
    assert np.isnan(rules.loc["none", "share"]) and rules.loc["perfect", "share"] == 1.0


def _declared(rows: list[tuple[str, str, str, float, bool]], criteria: dict[str, str | None]) -> pd.DataFrame:
    """The tenders of ``rows`` (:func:`_awarded`) with the award criteria their id's first letter declares."""
    tenders = pd.DataFrame(rows, columns=["tender_id", "category", "firm_id", "amount", "is_winner"])
    tenders = tenders[["tender_id", "category"]].drop_duplicates()
    return tenders.assign(award_criteria=tenders["tender_id"].str[0].map(criteria))


def test_a_category_mixing_declared_award_criteria_is_read_as_two_award_rules() -> None:
    """works holds 20 tenders declared priceOnly whose lowest bid won 20, 20 declared ratedCriteria whose
    lowest won 4 and 20 undeclared (a blank cell) whose lowest won 20. Read by their declared
    criteria, the priceOnly and undeclared tenders are ranked and the ratedCriteria ones not. Near
    misses, without the column: all 60 as one category are (44 − 20) / (60 − 20) = 0.6 beyond a draw,
    every tender ranked; the priceOnly and ratedCriteria 40 alone (24 − 13.33) / (40 − 13.33) = 0.4,
    none ranked."""
    rows = _awarded("works", 20, 20, "P") + _awarded("works", 20, 4, "R") + _awarded("works", 20, 20, "U")
    bids = pd.DataFrame(rows, columns=["tender_id", "category", "firm_id", "amount", "is_winner"])
    tenders = _declared(rows, {"P": "priceOnly", "R": " ratedCriteria ", "U": "  "})
    groups = award_groups(tenders)
    assert groups.loc["R00", "group"] == "works · ratedCriteria" and groups.loc["R00", "criteria"] == "ratedCriteria"
    assert groups.loc["U00", "group"] == "works" and groups.loc["U00", "criteria"] is None
    rules = award_rules(bids.drop(columns="category"), tenders, min_tenders=20)
    assert rules.loc["works · priceOnly", ["category", "criteria", "awarded", "lowest_won"]].tolist() == \
        ["works", "priceOnly", 20, 20]
    assert rules["lowest_price"].to_dict() == {"works": True, "works · priceOnly": True,
                                                "works · ratedCriteria": False}
    assert not_lowest_price(rules, tenders) == {f"R{t:02d}" for t in range(20)}
    # near miss: the same tenders without the column are one category, read as not lowest-price
    plain = award_rules(bids.drop(columns="category"), tenders.drop(columns="award_criteria"), min_tenders=20)
    assert plain.index.tolist() == ["works"] and plain.loc["works", "criteria"] is None
    assert plain.loc["works", "beyond"] == pytest.approx((44 - 20) / (60 - 20))  # 0.6: read as lowest-price
    blurred = award_rules(bids.loc[~bids["tender_id"].str.startswith("U")].drop(columns="category"),
                          tenders.loc[~tenders["tender_id"].str.startswith("U")].drop(columns="award_criteria"),
                          min_tenders=20)
    assert blurred.loc["works", "beyond"] == pytest.approx((24 - 40 / 3) / (40 - 40 / 3))
    assert not blurred.loc["works", "lowest_price"]


def test_a_small_group_of_declared_criteria_is_read_with_the_market_of_the_same_criteria() -> None:
    """roads: 30 ratedCriteria tenders whose lowest won 6; parks: 3 ratedCriteria tenders whose lowest
    won 1 and 30 undeclared whose lowest won 30; repairs: 4 declaring "lowest price" whose lowest won
    1; goods: 60 undeclared, the lowest winning all. The small parks ratedCriteria group is read with
    the market's ratedCriteria tenders (7 of 33, 0.1 beyond a draw: not lowest-price). Near misses:
    the repairs group's criteria have too few awards in the whole market (4) to read it by, so it is
    read with the whole market (98 of 127, 0.66 beyond: lowest-price), as a group declaring none is."""
    rows = (_awarded("roads", 30, 6, "R") + [(f"Q{t}", c, f, a, w) for t, c, f, a, w in _awarded("parks", 3, 1, "")]
            + _awarded("parks", 30, 30, "U") + _awarded("repairs", 4, 1, "L") + _awarded("goods", 60, 60, "G"))
    bids = pd.DataFrame(rows, columns=["tender_id", "category", "firm_id", "amount", "is_winner"])
    tenders = _declared(rows, {"R": "ratedCriteria", "Q": "ratedCriteria", "U": None, "L": "lowest price", "G": None})
    rules = award_rules(bids.drop(columns="category"), tenders, min_tenders=20)
    small = rules.loc["parks · ratedCriteria"]
    assert small["fallback"] and small["market_criteria"] and small["market_share"] == pytest.approx(7 / 33)
    repairs = rules.loc["repairs · lowest price"]
    assert repairs["fallback"] and not repairs["market_criteria"]
    assert repairs["market_share"] == pytest.approx(98 / 127) and rules.loc["goods", "market_share"] == pytest.approx(98 / 127)
    assert repairs["market_beyond"] == pytest.approx((98 - 127 / 3) / (127 - 127 / 3))
    assert rules["lowest_price"].to_dict() == {"goods": True, "parks": True, "parks · ratedCriteria": False,
                                                "repairs · lowest price": True, "roads · ratedCriteria": False}


def test_award_groups_read_one_criteria_however_it_is_spelt_and_keep_group_names_apart() -> None:
    """Case, full-width letters and blanks do not split a criteria (told by its most common wording);
    a category named like another's group keeps a name of its own."""
    tenders = pd.DataFrame({"tender_id": [f"T{i}" for i in range(6)],
                            "category": ["works"] * 5 + ["works · priceOnly"],
                            "award_criteria": ["priceOnly", "PRICEONLY", "ｐｒｉｃｅＯｎｌｙ", " priceOnly ", "price Only",
                                               None]})
    groups = award_groups(tenders).set_index(tenders["tender_id"])
    assert groups["group"].tolist()[:5] == ["works · priceOnly"] * 5
    assert groups.loc["T5", "group"] == "works · priceOnly (2)" and groups.loc["T5", "criteria"] is None
