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

from detectors import bid_traces

__all__ = ["KIND_PHRASE", "shared_identifiers"]

#: how each identifier kind reads in a sentence
KIND_PHRASE: dict[str, str] = {
    "phone": "a phone number", "email": "an e-mail address", "address": "an address",
    "ip": "an IP address", "document": "a document hash", "person": "a person (owner or officer)",
}


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
