"""The country a party is in, as an ISO 3166-1 alpha-2 code, to read its phone numbers.

A phone number written in national form (``021 661234``) names its country only through the
party that gave it; the same number in international form (``+595 21 661 234``) names it
itself. To make the two one identifier, the loaders read a national number in its party's
country (:func:`loaders.identifiers.normalise_phone`), which this module finds in what OCDS
records of a party:

1. the scheme of its identifier, where it is one of org-id.guide's, whose lists are named by
   the country's alpha-2 code (``PY-RUC``, ``GB-COH``, ``MX-RFC``; ``XI-LEI`` and other
   ``X…`` schemes are international and name none);
2. else ``address.countryName``: an alpha-2 or alpha-3 code or an English name, with or
   without its accents (``pycountry.countries.lookup``), else the name in any of the
   languages ``pycountry`` translates ISO 3166-1 into (``España``, ``Brasil``, ``中国``),
   compared without case or accents.

Reference: ISO 3166-1; org-id.guide (Open Data Services Co-operative), "List codes".
"""

from __future__ import annotations

import gettext
import unicodedata
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

import pycountry

__all__ = ["country_code"]


@lru_cache(maxsize=4096)
def country_code(scheme: str | None = None, name: str | None = None) -> str | None:
    """The alpha-2 code of the country an org-id ``scheme`` or a country ``name`` names, or None
    (memoised: a source spells its few countries the same way in every release)."""
    if scheme:
        prefix, sep, _ = scheme.strip().partition("-")
        if sep and len(prefix) == 2 and prefix.isalpha() and prefix.upper() in _codes():
            return prefix.upper()
    if name and name.strip():
        for spelled in (name.strip(), _folded(name)):
            try:
                return str(pycountry.countries.lookup(spelled).alpha_2)
            except LookupError:
                pass
        return _translated().get(_folded(name))
    return None


def _folded(text: str) -> str:
    """Case and accents off, spaces single: ``República  del Paraguay`` → ``republica del paraguay``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("\u2019", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _codes() -> frozenset[str]:
    return frozenset(str(c.alpha_2) for c in pycountry.countries)


@cache
def _translated() -> dict[str, str]:
    """Folded country name in every language pycountry ships → alpha-2 (built once, in about
    0.3 s). A name several countries get keeps the one that more than twice as many languages
    give it as any other (a catalogue's slip: Guarani's "Mexico" for Malaysia), else none."""
    votes: dict[str, Counter[str]] = {}
    for catalogue in sorted(Path(pycountry.LOCALES_DIR).glob("*/LC_MESSAGES/iso3166-1.mo")):
        with catalogue.open("rb") as handle:
            translation = gettext.GNUTranslations(handle)
        for country in pycountry.countries:
            names = {_folded(translation.gettext(english)) for attribute in ("name", "official_name", "common_name")
                     if (english := getattr(country, attribute, None))}
            for name in names:
                votes.setdefault(name, Counter())[str(country.alpha_2)] += 1
    chosen = {}
    for name, counts in votes.items():
        (best, n), *rest = counts.most_common()
        if not rest or n > 2 * rest[0][1]:
            chosen[name] = best
    return chosen
