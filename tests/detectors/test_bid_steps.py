"""Regular differences (投标报价呈规律性差异): bids at equal steps, by hand, and their chance rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detectors import bid_steps


def test_equal_steps_in_money_or_per_cent_are_stepped_and_a_near_miss_is_not() -> None:
    assert bid_steps.irregularity([100.0, 110.0, 120.0]) == 0.0
    assert bid_steps.irregularity([1_000_000.0, 1_010_000.0, 1_020_100.0]) == pytest.approx(0.0, abs=1e-9)
    # steps 10 and 10.1: (10.1 − 10) / 10.05 = 0.00995, just inside 1 %
    assert bid_steps.irregularity([100.0, 110.0, 120.1]) == pytest.approx(0.1 / 10.05, rel=1e-9)
    assert bid_steps.irregularity([100.0, 110.0, 120.1]) <= bid_steps.TOLERANCE
    # near miss: steps 10 and 10.3, relative steps 10 % and 9.36 %: 0.0296 and 0.066, outside
    assert bid_steps.irregularity([100.0, 110.0, 120.3]) > bid_steps.TOLERANCE
    # two equal bids are no step; fewer than three bids no pattern
    assert bid_steps.irregularity([100.0, 100.0, 110.0]) == np.inf
    assert bid_steps.irregularity([100.0, 110.0]) == np.inf


def test_set_irregularity_is_per_set_and_in_any_row_order() -> None:
    frame = pd.DataFrame({"ring": [1, 1, 1, 2, 2, 2, 2, 3, 3],
                          "tender_id": ["T"] * 9,
                          "amount": [120.0, 100.0, 110.0, 100.0, 103.0, 105.0, 110.0, 5.0, 6.0]})
    out = bid_steps.set_irregularity(frame, ["ring", "tender_id"])
    assert out.loc[(1, "T")] == 0.0
    # ring 2: steps 3, 2, 5, money (5 − 2) / (10 / 3) = 0.9; relative 3 %, 2/103, 5/105
    relative = [0.03, 2 / 103, 5 / 105]
    expected = min(0.9, (max(relative) - min(relative)) / (sum(relative) / 3))
    assert out.loc[(2, "T")] == pytest.approx(expected)
    assert out.loc[(3, "T")] == np.inf


def test_chance_rate_counts_each_set_once_with_a_half_count_and_a_floor() -> None:
    """50 tenders of exactly 3 bids at equal steps: one set each (not SAMPLES draws of the same
    set), so the rate is (50 + ½) / 51; tenders of scattered bids give about none, floored at
    RATE_FLOOR; sizes from MAX_SIZE up share its rate."""
    stepped = pd.DataFrame({"tender_id": np.repeat([f"S{i}" for i in range(50)], 3),
                            "amount": np.tile([100.0, 102.0, 104.0], 50)})
    assert bid_steps.chance_rates(stepped, {3})[(None, 3)] == pytest.approx(50.5 / 51)
    rng = np.random.default_rng(1)
    scattered = pd.DataFrame({"tender_id": np.repeat([f"R{i}" for i in range(500)], 6),
                              "amount": 100 * rng.lognormal(0, 0.1, 3000)})
    rates = bid_steps.chance_rates(scattered, {3, 4, 9})
    assert set(rates) == {(None, 3), (None, 4), (None, bid_steps.MAX_SIZE)}  # 9 takes MAX_SIZE's rate
    assert rates[(None, 3)] < 0.03 and rates[(None, 4)] == bid_steps.RATE_FLOOR
    assert bid_steps.rate_of(rates, 9) == rates[(None, bid_steps.MAX_SIZE)]


def test_a_category_on_a_coarse_grid_has_its_own_higher_rate() -> None:
    """Category 'grid' bids whole per cents of 1,000 (90 %, 91 % …): three of its bids step evenly
    far more often than the scattered category's; a tender there takes the larger rate, one of
    the scattered category the market's (its own is lower), one of an unknown category too."""
    rng = np.random.default_rng(2)
    grid = pd.DataFrame({"tender_id": np.repeat([f"G{i}" for i in range(300)], 5),
                         "amount": 1000 * rng.integers(85, 95, 1500) / 100})
    scattered = pd.DataFrame({"tender_id": np.repeat([f"R{i}" for i in range(300)], 5),
                              "amount": 100 * rng.lognormal(0, 0.1, 1500)})
    valid = pd.concat([grid, scattered], ignore_index=True)
    category = pd.Series({t: ("grid" if t.startswith("G") else "works") for t in valid["tender_id"].unique()})
    rates = bid_steps.chance_rates(valid, {3}, category=category)
    assert rates[("grid", 3)] > 5 * rates[("works", 3)]
    assert bid_steps.rate_of(rates, 3, "grid") == rates[("grid", 3)] > rates[(None, 3)]
    assert bid_steps.rate_of(rates, 3, "works") == rates[(None, 3)] > rates[("works", 3)]
    assert bid_steps.rate_of(rates, 3, "other") == rates[(None, 3)]


def test_poisson_tail() -> None:
    assert bid_steps.poisson_tail(0, 0.5) == 1.0
    assert bid_steps.poisson_tail(2, 0.1) == pytest.approx(1 - np.exp(-0.1) * (1 + 0.1))


def _tenders(amounts: list[float], n: int, prefix: str = "T") -> pd.DataFrame:
    """``n`` tenders, each with the bids ``amounts``."""
    return pd.DataFrame({"tender_id": np.repeat([f"{prefix}{i}" for i in range(n)], len(amounts)),
                         "amount": np.tile(amounts, n)})


def test_a_set_whose_steps_differ_by_one_and_a_half_per_cent_is_not_stepped() -> None:
    """Steps 10 and 10.15: (10.15 − 10) / 10.075 = 0.0149 in money, 10 % and 9.2 % relative (0.08):
    outside the 1 % tolerance, so 50 such tenders give (0 + ½) / 51 = 0.0098."""
    assert bid_steps.irregularity([100.0, 110.0, 120.15]) == pytest.approx(0.15 / 10.075)
    assert bid_steps.chance_rates(_tenders([100.0, 110.0, 120.15], 50), {3})[(None, 3)] == pytest.approx(0.5 / 51)


def test_a_tender_with_more_bids_than_the_set_gives_four_random_sets() -> None:
    """50 tenders of 4 bids 100, 103, 111, 130, no three of which step evenly: each gives SAMPLES = 4
    sets of 3, so the rate is (0 + ½) / (200 + 1)."""
    assert bid_steps.chance_rates(_tenders([100.0, 103.0, 111.0, 130.0], 50), {3})[(None, 3)] == \
        pytest.approx(0.5 / 201)


def test_a_category_has_its_own_rate_from_200_sets() -> None:
    """200 'grid' tenders of exactly 3 bids at equal steps (one set each) beside 300 scattered
    'works' tenders: 'grid' has its own rate (200 + ½) / (200 + 1); with 199 tenders it has none."""
    rng = np.random.default_rng(4)
    works = pd.DataFrame({"tender_id": np.repeat([f"W{i}" for i in range(300)], 3),
                          "amount": 100 * rng.lognormal(0, 0.1, 900)})
    for n, own in ((200, True), (199, False)):
        valid = pd.concat([_tenders([100.0, 102.0, 104.0], n, "G"), works], ignore_index=True)
        category = pd.Series({t: "grid" if t.startswith("G") else "works" for t in valid["tender_id"].unique()})
        rates = bid_steps.chance_rates(valid, {3}, category=category)
        assert (("grid", 3) in rates) is own
        if own:
            assert rates[("grid", 3)] == pytest.approx(200.5 / 201)


def test_sets_of_six_bids_or_more_share_one_rate() -> None:
    """Sizes 5 and 6 are rated apart; 7 and 9 take the rate of 6."""
    rng = np.random.default_rng(1)
    valid = pd.DataFrame({"tender_id": np.repeat([f"R{i}" for i in range(100)], 9),
                          "amount": 100 * rng.lognormal(0, 0.1, 900)})
    rates = bid_steps.chance_rates(valid, {5, 6, 7, 9})
    assert set(rates) == {(None, 5), (None, 6)}
    assert bid_steps.rate_of(rates, 9) == bid_steps.rate_of(rates, 7) == rates[(None, 6)]


def test_the_step_is_told_in_money_or_per_cent_whichever_is_regular() -> None:
    """100, 110, 120: 10 apart in money (relative 10 % and 9.1 %); 100, 101, 102.01: 1 % apart
    (money 1 and 1.01); whole amounts without cents, per cents to two places."""
    assert bid_steps.step_of([100.0, 110.0, 120.0]) == {"step": 10.0}
    assert bid_steps.step_of([100.0, 101.0, 102.01]) == {"step_pct": 1.0}
    assert bid_steps.apart({"step": 41000.0}) == "41,000 apart"
    assert bid_steps.apart({"step": 12.5}) == "12.50 apart"
    assert bid_steps.apart({"step_pct": 1.0}) == "1.00 % apart"
