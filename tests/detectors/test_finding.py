"""The Finding helpers detectors share: the period of a finding's events."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detectors.finding import (
    Finding,
    between,
    counted,
    joined,
    listed,
    ordinal,
    period,
    tender_period,
    yearly,
)


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


def _pair(official: str = "O1", firm: str = "F1", detector: str = "closeness", **kw: object) -> Finding:
    return Finding(detector=detector, kind="pair", score=kw.pop("score", 50.0), explanation="x",  # type: ignore[arg-type]
                   official_id=official, firm_id=firm, **kw)  # type: ignore[arg-type]


def _ring(firms: tuple[str, ...], tenders: tuple[str, ...] = (), detector: str = "rings") -> Finding:
    return Finding(detector=detector, kind="ring", score=50.0, explanation="x", firms=firms, tenders=tenders)


def test_a_findings_key_is_its_subject_not_its_facts() -> None:
    """The store matches findings across runs by ``key``: a pair keeps its key when its score,
    sentence or evidence change; a ring keeps its key when its members come in another order or
    its tenders change. Another subject, detector or kind is another finding."""
    base = _pair()
    assert base.key == _pair(score=90.0).key == \
        Finding(detector="closeness", kind="pair", score=10.0, explanation="other", evidence={"a": 1},
                official_id="O1", firm_id="F1").key
    assert _ring(("F2", "F1"), ("T1",)).key == _ring(("F1", "F2"), ("T1", "T2")).key
    assert len({base.key, _pair(firm="F2").key, _pair(official="O2").key, _pair(detector="other").key,
                _ring(("F1", "F2")).key, _ring(("F1", "F2"), detector="complementary").key,
                Finding(detector="closeness", kind="official", score=50.0, explanation="x", official_id="O1").key,
                Finding(detector="closeness", kind="firm", score=50.0, explanation="x", official_id="O1").key}) == 8
    assert base.key.startswith("pair-") and _ring(("F1", "F2")).key.startswith("ring-")


def test_a_findings_key_is_the_same_in_another_process() -> None:
    """Keys are stored and compared with the next run's: they must not depend on the process
    (Python's ``hash`` of a string changes with PYTHONHASHSEED)."""
    code = ("from detectors.finding import Finding; print(Finding(detector='rings', kind='ring', score=1.0, "
            "explanation='x', firms=('F2', 'F1')).key)")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parents[2], env={**os.environ, "PYTHONHASHSEED": seed}
                           ).stdout.strip() for seed in ("1", "2")}
    assert keys == {_ring(("F1", "F2")).key}


def test_the_stored_key_of_a_pair_and_a_ring_has_not_changed() -> None:
    """Known answers, recorded from the store's keys: a change of the key's recipe would orphan
    every stored alert's triage (status, assignee, notes) on the next run. The recipe is
    ``kind-`` + the first 16 hex digits of SHA-1 of ``detector|kind|subject`` — the subject the
    sorted firms joined by commas, or the ids present joined by ``|``."""
    assert _pair().key == "pair-6ba02a28fd1fc4ce"
    assert _ring(("F2", "F1")).key == "ring-44a4fc3fef1d2f2e"


@pytest.mark.parametrize("score", [0.0, 100.0])
def test_a_score_of_zero_or_one_hundred_is_a_finding(score: float) -> None:
    assert _pair(score=score).score == score


@pytest.mark.parametrize(("changes", "message"), [
    ({"score": 100.01}, "outside"), ({"score": -0.01}, "outside"), ({"score": math.nan}, "outside"),
    ({"explanation": "   "}, "explanation"), ({"kind": "cartel"}, "kind")])
def test_a_finding_outside_the_rules_is_refused(changes: dict, message: str) -> None:
    fields = {"detector": "closeness", "kind": "pair", "score": 50.0, "explanation": "x", "official_id": "O1"}
    with pytest.raises(ValueError, match=message):
        Finding(**{**fields, **changes})


def test_a_finding_is_written_out_in_one_order() -> None:
    """Members and sets come out sorted, NaN and infinity as null: the same finding is the same JSON."""
    found = Finding(detector="rings", kind="ring", score=50.0, explanation="x", firms=("F2", "F1"),
                    tenders=("T2", "T1"), evidence={"ids": {f"F{i}" for i in range(8, 0, -1)}, "rd": math.inf, "cv": np.float64("nan")})
    out = found.to_dict()
    assert (out["firms"], out["tenders"]) == (["F1", "F2"], ["T1", "T2"])
    assert out["evidence"] == {"ids": [f"F{i}" for i in range(1, 9)], "rd": None, "cv": None}


def test_counted_says_none_in_the_plural() -> None:
    assert (counted(0, "tender"), counted(1, "tender"), counted(2.0, "tender")) == ("0 tenders", "1 tender", "2 tenders")


def test_tender_period_counts_only_the_dated_tenders() -> None:
    """T1 and T3 dated, T2 not, T9 unknown: first and last of the two, 2 dated."""
    days = pd.Series(pd.to_datetime(["2023-03-01", None, "2023-05-05"]), index=["T1", "T2", "T3"])
    assert tender_period(days, ["T3", "T2", "T1", "T9"], False) == {
        "first_tender": "2023-03-01", "last_tender": "2023-05-05", "dated_tenders": 2}
