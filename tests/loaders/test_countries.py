"""The country of an OCDS party, for reading its phone numbers: org-id scheme, else the country's name."""

from __future__ import annotations

import pytest

from loaders.countries import country_code


def test_an_org_id_scheme_names_its_country() -> None:
    assert country_code("PY-RUC") == "PY"
    assert country_code("gb-coh", "France") == "GB"  # the scheme before the name
    # near-misses: international and made-up lists name none, nor does a scheme without a list
    assert country_code("XI-LEI") is None
    assert country_code("XI") is None
    assert country_code("ZZ-ABC") is None


@pytest.mark.parametrize(("name", "code"), [
    ("Paraguay", "PY"), ("PRY", "PY"), ("py", "PY"), ("United Kingdom", "GB"),
    ("México", "MX"), ("Mexico", "MX"), ("Perú", "PE"), ("España", "ES"), ("Brasil", "BR"),
    ("Deutschland", "DE"), ("中国", "CN"), ("Côte d’Ivoire", "CI"), (" República  del Paraguay ", "PY"),
])
def test_a_country_name_in_english_or_another_language(name: str, code: str) -> None:
    assert country_code(None, name) == code


def test_a_name_that_names_no_country_or_two() -> None:
    assert country_code(None, "Narnia") is None
    assert country_code(None, "  ") is None
    assert country_code(None, None) is None
    # one catalogue's slip (Guarani translates Malaysia as "Mexico") does not take Mexico away
    assert country_code(None, "Malaysia") == "MY"
