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
from dataclasses import dataclass, field
from typing import Any, Literal

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


def period(days: Any) -> tuple[str, str] | None:
    """(first, last) ISO date of ``days`` (timestamps; missing ones ignored), None without any.

    When every date is a 1 January the data most likely carried years only (a bid table's
    ``--date year``), and the period is given in years ("1985", "1990") rather than as days
    nobody recorded.
    """
    dated = [d for d in days if d is not None and d == d]
    if not dated:
        return None
    return span(min(dated), max(dated), all(d.month == 1 and d.day == 1 for d in dated))


def span(first: Any, last: Any, years_only: bool) -> tuple[str, str]:
    """The (first, last) pair of :func:`period` for two timestamps: ISO dates, or years."""
    if years_only:
        return str(first.year), str(last.year)
    return first.date().isoformat(), last.date().isoformat()


def between(span: tuple[str, str] | None) -> str:
    """`` between 2021-03-02 and 2022-11-20`` (`` on …`` for one day; empty without a period) for a sentence."""
    if span is None:
        return ""
    first, last = span
    return f" on {first}" if first == last else f" between {first} and {last}"


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
