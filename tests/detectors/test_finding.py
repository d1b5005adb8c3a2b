"""The Finding helpers detectors share: the period of a finding's events."""

from __future__ import annotations

import pandas as pd

from detectors.finding import between, period


def test_period_is_the_first_and_last_date_ignoring_missing_ones() -> None:
    days = pd.Series(pd.to_datetime(["2023-09-15 00:00", None, "2023-03-01 14:30", "2023-05-05 00:00"]))
    assert period(days) == ("2023-03-01", "2023-09-15")
    assert between(period(days)) == " between 2023-03-01 and 2023-09-15"
    assert between(period(pd.Series(pd.to_datetime(["2023-03-01"])))) == " on 2023-03-01"
    assert period(pd.Series([], dtype="datetime64[ns]")) is None and between(None) == ""


def test_dates_that_are_all_new_year_read_as_years() -> None:
    """A bid table dated by year loads as 1 January: the period says 1985–1990, not days."""
    years = pd.Series(pd.to_datetime(["1990-01-01", "1985-01-01", "1987-01-01"]))
    assert period(years) == ("1985", "1990")
    assert between(period(years)) == " between 1985 and 1990"
    assert period(pd.concat([years, pd.Series(pd.to_datetime(["1988-06-30"]))])) == ("1985-01-01", "1990-01-01")
