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


def test_chance_rate_counts_stepped_random_subsets_with_a_half_count_floor() -> None:
    """Tenders whose bids all stand at equal steps: every 3-subset of 3 bids is stepped, so the
    rate is (stepped + ½) / (subsets + 1); tenders of scattered bids give about none."""
    stepped = pd.DataFrame({"tender_id": np.repeat([f"S{i}" for i in range(50)], 3),
                            "amount": np.tile([100.0, 102.0, 104.0], 50)})
    rate = bid_steps.chance_rates(stepped, {3})[3]
    n = 50 * bid_steps.SAMPLES
    assert rate == pytest.approx((n + 0.5) / (n + 1))
    rng = np.random.default_rng(1)
    scattered = pd.DataFrame({"tender_id": np.repeat([f"R{i}" for i in range(500)], 6),
                              "amount": 100 * rng.lognormal(0, 0.1, 3000)})
    rates = bid_steps.chance_rates(scattered, {3, 4, 9})
    assert set(rates) == {3, 4, bid_steps.MAX_SIZE}  # 9 takes the rate of MAX_SIZE
    assert rates[3] < 0.03 and rates[4] < rates[3]
    assert bid_steps.rate_of(rates, 9) == rates[bid_steps.MAX_SIZE]


def test_poisson_tail() -> None:
    assert bid_steps.poisson_tail(0, 0.5) == 1.0
    assert bid_steps.poisson_tail(2, 0.1) == pytest.approx(1 - np.exp(-0.1) * (1 + 0.1))
