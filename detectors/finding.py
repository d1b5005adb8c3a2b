"""The one result type every detector returns.

A :class:`Finding` says what was found (``kind`` and the subject ids), how strongly
(``score`` in [0, 100]), why (``evidence``: the facts, numbers and thresholds behind the
score, JSON-serialisable) and, in one plain sentence, what an investigator should look at
(``explanation``). ``key`` is the finding's identity for matching across runs: a pair or a
tender keeps its key; a ring's key is recomputed by the store from its members so a ring
whose membership changes a little is still the same ring.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

Kind = Literal["ring", "linked_bidders", "pair", "official", "tender", "firm", "buyer"]
KINDS: tuple[str, ...] = ("ring", "linked_bidders", "pair", "official", "tender", "firm", "buyer")


def _jsonable(value: Any) -> Any:
    """Plain JSON types only: numpy scalars → Python, NaN → None, tuples/sets → lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(v) for v in items]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def yearly(days: Any) -> bool:
    """Whether a date column carries years only: ≥ 2 distinct dates, every one 1 January at midnight.

    A bid table dated by year (``python -m loaders bids --date year``) loads as 1 January;
    decided once per column over the whole market, so a few events that happen to fall on
    New Year's Day in day-dated data are still days.
    """
    dated = pd.Series(days).dropna()
    if dated.nunique() < 2:
        return False
    dated = pd.to_datetime(dated)
    return bool(((dated.dt.month == 1) & (dated.dt.day == 1) & (dated == dated.dt.normalize())).all())


def span(first: Any, last: Any, years_only: bool = False) -> tuple[str, str]:
    """(first, last) for two timestamps: ISO dates (UTC, as the market holds them), or years."""
    if years_only:
        return str(first.year), str(last.year)
    return first.date().isoformat(), last.date().isoformat()


def period(days: Any, years_only: bool = False) -> tuple[str, str] | None:
    """(first, last) of ``days`` (timestamps; missing ones ignored) by :func:`span`; None without any."""
    dated = pd.Series(days).dropna()
    return span(dated.min(), dated.max(), years_only) if len(dated) else None


def tender_period(tender_day: pd.Series, tender_ids: Any, years_only: bool) -> dict[str, Any]:
    """Evidence of a group of tenders' period: ``first_tender``, ``last_tender`` (None when none is
    dated) and ``dated_tenders``; ``tender_day`` is :meth:`MarketData.tender_days`."""
    at = tender_day.index.get_indexer([str(t) for t in tender_ids])  # a positional lookup: rings ask ~700 times
    days = tender_day.to_numpy()[at[at >= 0]]
    when = period(days, years_only)
    return {"first_tender": when[0] if when else None, "last_tender": when[1] if when else None,
            "dated_tenders": int(pd.notna(days).sum())}


def between_tenders(dates: dict[str, Any], total: int) -> str:
    """:func:`between` for the evidence of :func:`tender_period` (``total`` tenders in all)."""
    first, last = dates["first_tender"], dates["last_tender"]
    return between(None if first is None else (first, last), dates["dated_tenders"], total)


def tenders_counted(units: Sequence[str], lot_of: Mapping[str, str]) -> str:
    """``12 tenders``; where some of ``units`` are lots competed on their own
    (:func:`detectors.market.with_lot_units`), ``50 lots and tenders (28 tenders)``: the graph and
    the app list tenders, and 50 read as tenders would send an investigator looking for 22 that are
    not there."""
    tenders = {lot_of.get(unit, unit) for unit in units}
    if len(tenders) == len(units):
        return counted(len(units), "tender")
    return f"{len(units)} lots and tenders ({counted(len(tenders), 'tender')})"


def listed(items: Sequence[str], shown: int = 3) -> str:
    """``a, b, c and 2 more``: the first ``shown`` items of a list for a sentence, and how many are left;
    one left over is shown instead (``a, b, c, d``): "and 1 more" hides a fact to save nothing, and a
    reader adding up "won 34 (20, 6, 5 and 1 more)" finds wins missing."""
    if len(items) <= shown + 1:
        return ", ".join(items)
    return ", ".join(items[:shown]) + f" and {len(items) - shown} more"


def joined(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: every item of a list for a sentence."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def labelled(ids: pd.Series, names: pd.Series) -> pd.Series:
    """``Name (id)`` where ``names`` gives a name that is not blank and not the id itself, else the id:
    how a sentence names a firm, a department or a person the records may or may not name (a bid
    table's firm is often named by its id: ``ROYALCREST``, not ``ROYALCREST (ROYALCREST)``)."""
    text = names.where(names.notna(), "").astype(str).str.strip()
    key = ids.astype(str)
    return (text + " (" + key + ")").where((text != "") & (text != key), key)


def labels(frame: pd.DataFrame, key: str, name: str = "name") -> dict[str, str]:
    """``key`` value → :func:`labelled` text, for the rows of ``frame`` the records name (the first
    such row of an id)."""
    ids = frame[key].dropna().astype(str)
    text = labelled(ids, frame.loc[ids.index, name])
    named = pd.DataFrame({"id": ids, "text": text}).loc[text != ids].drop_duplicates("id")
    return dict(zip(named["id"], named["text"], strict=True))


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``92nd``, ``100th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def counted(count: Any, noun: str) -> str:
    """``1 tender``, ``3 tenders``: a count and a regular noun for a sentence (counts may come as floats)."""
    count = int(count)
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def between(when: tuple[str, str] | None, dated: int | None = None, total: int | None = None) -> str:
    """The period for a sentence: `` between 2021-03-02 and 2022-11-20``, `` on 2021-03-02``, `` in 1985``.

    With ``dated`` < ``total`` (only some of the events have a date) it says so: ``(2 of 3 dated)``.
    Empty without a period.
    """
    if when is None:
        return ""
    first, last = when
    text = (f" between {first} and {last}" if first != last
            else f" in {first}" if len(first) == 4 else f" on {first}")
    if dated is not None and total is not None and dated < total:
        text += f" ({dated} of {total} dated)"
    return text


@dataclass(frozen=True)
class Finding:
    """One suspicious subject, with the facts that make it so.

    Subjects by kind: ``ring``/``linked_bidders`` → ``firms`` (and ``tenders``);
    ``pair`` → ``official_id`` + ``firm_id``; ``official`` → ``official_id``;
    ``tender`` → ``tender_id``; ``firm`` → ``firm_id``; ``buyer`` → ``department_id``.
    """

    detector: str
    kind: Kind
    score: float
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    firms: tuple[str, ...] = ()
    tenders: tuple[str, ...] = ()
    official_id: str | None = None
    firm_id: str | None = None
    tender_id: str | None = None
    department_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")
        if not 0.0 <= float(self.score) <= 100.0 or math.isnan(float(self.score)):
            raise ValueError(f"score {self.score!r} outside [0, 100] ({self.detector})")
        if not self.explanation.strip():
            raise ValueError(f"{self.detector}: a finding needs an explanation")

    @property
    def key(self) -> str:
        """Stable identity of the subject (detector + kind + subject ids)."""
        if self.kind in ("ring", "linked_bidders"):
            subject = ",".join(sorted(self.firms))
        else:
            subject = "|".join(
                str(x) for x in (self.official_id, self.firm_id, self.tender_id, self.department_id)
                if x is not None
            )
        digest = hashlib.sha1(f"{self.detector}|{self.kind}|{subject}".encode()).hexdigest()[:16]
        return f"{self.kind}-{digest}"

    def subjects(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.kind in ("ring", "linked_bidders"):
            out["firms"] = sorted(self.firms)
            out["tenders"] = sorted(self.tenders)
        for name in ("official_id", "firm_id", "tender_id", "department_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({
            "detector": self.detector,
            "kind": self.kind,
            "score": round(float(self.score), 2),
            "explanation": self.explanation,
            "evidence": self.evidence,
            **self.subjects(),
        })

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


def at_tenders(findings: Sequence[Finding], lot_of: Mapping[str, str]) -> list[Finding]:
    """``findings`` with each lot competed on its own (:func:`detectors.market.with_lot_units`) named
    by its tender, where the graph's tenders, cases and app pages have them: ``tenders`` lists each
    tender once, and a finding about a lot (tender risk) is about its tender, with ``lot_id`` in its
    evidence; of several lots of one tender the highest-scoring finding stays (one finding per
    subject). The sentences keep the lots' ids, which name their tenders (``ocid/lot id``)."""
    if not lot_of:
        return list(findings)
    out: dict[str, Finding] = {}
    for found in findings:
        tender = lot_of.get(found.tender_id, found.tender_id) if found.tender_id is not None else None
        moved = replace(found, tenders=tuple(dict.fromkeys(lot_of.get(t, t) for t in found.tenders)),
                        tender_id=tender,
                        evidence=found.evidence if tender == found.tender_id else {**found.evidence,
                                                                                 "lot_id": found.tender_id})
        kept = out.get(moved.key)
        if kept is None or moved.score > kept.score:
            out[moved.key] = moved
    return list(out.values())
