"""How a stored phone is quoted in a sentence (``detectors.identifiers.shown_phone``)."""

from __future__ import annotations

import pytest

from detectors.identifiers import shown_phone
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
])
def test_national_ambiguous_and_invalid_numbers_are_shown_as_stored(written: str) -> None:
    stored = normalise_phone(written)
    assert shown_phone(stored) == stored
