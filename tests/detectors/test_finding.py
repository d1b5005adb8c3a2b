"""The Finding helpers detectors share: the period of a finding's events."""

from __future__ import annotations

import pandas as pd

from detectors.finding import between, joined, listed, ordinal, period, yearly


def _days(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"))


def test_period_is_the_first_and_last_date_ignoring_missing_ones() -> None:
    days = _days("2023-09-15", None, "2023-03-01T14:30:00", "2023-05-05")
    assert period(days) == ("2023-03-01", "2023-09-15")
    assert between(period(days)) == " between 2023-03-01 and 2023-09-15"
    assert between(period(_days("2023-03-01"))) == " on 2023-03-01"
    assert period(_days()) is None and between(None) == ""


def test_a_partly_dated_period_says_how_many_events_it_rests_on() -> None:
    assert between(("2021-05-05", "2021-05-05"), dated=1, total=3) == " on 2021-05-05 (1 of 3 dated)"
    assert between(("2021-05-05", "2021-06-01"), dated=3, total=3) == " between 2021-05-05 and 2021-06-01"


def test_a_column_of_new_year_midnights_carries_years() -> None:
    """A bid table dated by year loads as 1 January: such a column's periods are years."""
    years = _days("1990-01-01", "1985-01-01", "1987-01-01", None)
    assert yearly(years)
    assert period(years, yearly(years)) == ("1985", "1990")
    assert between(period(years, True)) == " between 1985 and 1990"
    assert between(period(_days("1987-01-01"), True)) == " in 1987"


def test_new_year_days_in_day_dated_data_stay_days() -> None:
    """Decided per column: one event on 1 January, or 1 January with a time, is a day."""
    assert not yearly(_days("2020-01-01"))  # a single date says nothing
    assert not yearly(_days("2020-01-01", "2020-03-04"))
    assert not yearly(_days("2023-01-01T15:30:00", "2024-01-01T09:00:00"))
    assert period(_days("2020-01-01"), yearly(_days("2020-01-01", "2020-03-04"))) == ("2020-01-01", "2020-01-01")


def test_listed_names_the_first_items_and_counts_the_rest() -> None:
    assert listed(["T1", "T2"]) == "T1, T2"
    assert listed(["T1", "T2", "T3", "T4", "T5"]) == "T1, T2, T3 and 2 more"
    assert listed(["F1", "F2", "F3", "F4", "F5", "F6", "F7"], 5) == "F1, F2, F3, F4, F5 and 2 more"
    # one left over is named rather than counted: "and 1 more" hides a fact and saves no words
    assert listed(["F1", "F2", "F3", "F4"]) == "F1, F2, F3, F4"
    assert listed(["F1", "F2", "F3", "F4", "F5", "F6"], 5) == "F1, F2, F3, F4, F5, F6"


def test_joined_names_every_item() -> None:
    assert joined(["F1"]) == "F1"
    assert joined(["F1", "F2"]) == "F1 and F2"
    assert joined(["F1", "F2", "F3", "F4"]) == "F1, F2, F3 and F4"


def test_ordinal_suffixes() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 91, 92, 93, 100, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "91st", "92nd", "93rd", "100th",
        "111th"]


def test_labels_name_what_the_records_name_and_fall_back_to_the_id() -> None:
    from detectors.finding import labelled, labels

    ids = pd.Series(["F1", "F2", "F3"])
    assert labelled(ids, pd.Series(["Alpha ", " ", None])).tolist() == ["Alpha (F1)", "F2", "F3"]
    # a name that is the id itself (a bid table's firm column) is said once
    assert labelled(pd.Series(["ROYALCREST", "F2"]), pd.Series(["ROYALCREST", "F2 Ltd"])).tolist() == [
        "ROYALCREST", "F2 Ltd (F2)"]
    firms = pd.DataFrame({"firm_id": ["F1", "F2", "F2", None, "F3"], "name": ["Alpha", " ", "Beta", "Ghost", None]})
    assert labels(firms, "firm_id") == {"F1": "Alpha (F1)", "F2": "Beta (F2)"}  # F2's first named row
