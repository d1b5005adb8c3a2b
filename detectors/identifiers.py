"""Identifiers a group of firms shares: how each kind reads in a sentence, and how much it weighs.

Indicator: shared phones, e-mails, addresses, persons (owners, legal representatives,
directors), submission IPs and document hashes among the members of a suspected ring (OECD
2009: "bids prepared by the same person, sent from the same address"). An identifier held by
``m`` of the group's ``k`` members and by ``n`` firms in the whole market weighs

    w = m / n · (m − 1) / (k − 1)

(specificity times the share of the other members it ties), and a group's strength is
``min(1, Σ w)``: a business-centre address shared by dozens of firms adds almost nothing,
a phone held by exactly the ring counts fully. Used by :mod:`detectors.rings` and
:mod:`detectors.complementary`; :mod:`detectors.linked_bidders` names the kinds alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import phonenumbers

from detectors import bid_traces

__all__ = ["KIND_PHRASE", "shared_identifiers", "shown_phone"]

#: how each identifier kind reads in a sentence
KIND_PHRASE: dict[str, str] = {
    "phone": "a phone number", "email": "an e-mail address", "address": "an address",
    "ip": "an IP address", "document": "a document hash", "person": "a person (owner or officer)",
}


def shown_phone(stored: str) -> str:
    """A stored phone (``loaders.identifiers.normalise_phone``: digits, a country code kept except
    China's) as a sentence quotes it: ``+57 311 4469480`` for ``573114469480`` where that is a valid
    number with its country code, else as stored. Storage does not say whether digits begin with a
    country code, so only what national numbers hardly are is read as one: 12 digits or more, or 11
    not beginning with 1 (a Chinese mobile, or a North American number), and not beginning with a
    trunk 0. A 10-digit number is a national one as often (a Colombian mobile ``3214469480`` read
    with a country code is Belgian, ``+32 14 46 94 80``)."""
    text = str(stored)
    if not text.isdigit() or text.startswith("0") or len(text) < 11 or (len(text) == 11 and text.startswith("1")):
        return text
    try:
        number = phonenumbers.parse("+" + text)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def shared_identifiers(size: int, rows: pd.DataFrame | None,
                       traced: Mapping[tuple[str, str], Any] | None = None) -> tuple[list[dict[str, Any]], float]:
    """The identifiers two or more of a group's ``size`` members hold, strongest first, and the
    group's strength ``min(1, Σ w)`` (module docstring).

    ``rows``: the members' identifiers (firm_id, kind, value, holders — the market-wide
    number of firms holding the value); ``traced``: (kind, value) → its same-tender trace
    (:func:`detectors.bid_traces.market_traces`), whose facts join the entry.
    """
    shared: list[dict[str, Any]] = []
    strength = 0.0
    if rows is None:
        return shared, strength
    for (kind, value), held in rows.groupby(["kind", "value"], sort=True):
        members: Sequence[str] = sorted(held["firm_id"].unique())
        if len(members) < 2:
            continue
        holders = int(held["holders"].iloc[0])
        specificity = len(members) / holders
        weight = specificity * (len(members) - 1) / max(size - 1, 1)
        strength += weight
        shared.append({"kind": kind, "value": value, "members": list(members), "holders": holders,
                       "specificity": round(specificity, 3), "weight": round(weight, 3),
                       **bid_traces.evidence((traced or {}).get((kind, value)))})
    shared.sort(key=lambda x: -x["weight"])
    return shared, min(1.0, strength)
