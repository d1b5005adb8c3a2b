"""How a stored phone is quoted in a sentence (``detectors.identifiers.shown_phone``)."""

from __future__ import annotations

import pandas as pd
import pytest

from detectors.identifiers import shared_identifiers, shown_phone
from loaders.identifiers import normalise_phone


@pytest.mark.parametrize(("written", "country", "shown"), [
    ("+57 311 446 9480", None, "+57 311 4469480"),  # a country code kept in storage is shown with its +
    ("021 661234", "PY", "+595 21 661 234"),  # read in the party's country, stored with its code
    ("+49 1511 2345678", None, "+49 1511 2345678"),
])
def test_a_stored_number_with_its_country_code_is_shown_as_dialled(written: str, country: str | None,
                                                                   shown: str) -> None:
    assert shown_phone(normalise_phone(written, country)) == shown


@pytest.mark.parametrize("written", [
    "138 0000 0001",  # a Chinese mobile: 11 digits from 1, as a North American number would be
    "+1 212 555 1234",  # …so that one stays as stored too (12125551234)
    "010 6512 3456",  # a national number
    "12345",  # too short to be a valid one anywhere
    "321 4469480",  # a Colombian mobile written without its country code: not Belgium's +32 14 46 94 80
    "212 555 1234",  # a North American number without its 1: not Morocco's +212
    "+211 2345678901",  # a country code (South Sudan's) but not a valid number of it: not dressed up as one
])
def test_national_ambiguous_and_invalid_numbers_are_shown_as_stored(written: str) -> None:
    stored = normalise_phone(written)
    assert shown_phone(stored) == stored


def test_shared_identifiers_weigh_specificity_times_the_members_tied() -> None:
    """A group of 4: a person held by all four and nobody else weighs 4/4 · 3/3 = 1; a phone of F1
    and F2 alone 2/2 · 1/3 = 0.333; an address of F1..F3 among 30 firms 3/30 · 2/3 = 0.067; F1's own
    e-mail ties nobody. Strongest first; the strength 1.4 is capped at 1."""
    rows = pd.DataFrame([(f, "person", "P1", 4) for f in ("F1", "F2", "F3", "F4")]
                        + [(f, "phone", "1380", 2) for f in ("F1", "F2")]
                        + [(f, "address", "A", 30) for f in ("F1", "F2", "F3")]
                        + [("F1", "email", "e@x.cn", 1)], columns=["firm_id", "kind", "value", "holders"])
    shared, strength = shared_identifiers(4, rows)
    assert [(s["kind"], s["members"], s["weight"]) for s in shared] == [
        ("person", ["F1", "F2", "F3", "F4"], 1.0), ("phone", ["F1", "F2"], 0.333), ("address", ["F1", "F2", "F3"], 0.067)]
    assert strength == 1.0
    assert shared_identifiers(4, rows.loc[rows["kind"] != "person"])[1] == pytest.approx(1 / 3 + 1 / 15)
