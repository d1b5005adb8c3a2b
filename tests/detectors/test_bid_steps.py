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
