"""Findings written back to Neo4j, per the contract in ``docs/findings_store.md``.

A detector run is one ``(:DetectorRun)`` node, created with status ``running`` by
:func:`start_run`. :func:`store_findings` then writes **all** of the run's findings in ONE
write transaction — a transaction function that reads the previous rings, matches
identities, upserts rings and alerts, links them, deactivates what was not found again and
finally flips the run to ``succeeded``. If anything fails inside it (the server, a query, a
finding whose evidence cannot be serialised), the transaction rolls back and the database is
exactly as before; the caller then marks the run ``failed`` with :func:`fail_run`, so no
finding of a failed run is ever visible.

Identity across runs:

* **rings** (kind ``ring``) are matched to the active rings of the same detector by member
  Jaccard ≥ 0.5, best match first (ties: higher new score, then ids), one-to-one, and the
  rings left over to the inactive ones (a ring unseen for a run comes back as itself); a matched
  ring keeps its ``id``, ``status``, ``assignee`` and ``first_seen_*``; its members,
  tenders, score, evidence, explanation and ``key`` are refreshed. An unmatched ring gets a
  new id ``ring-<hash of run id and members>``.
* **every other kind** is an ``(:Alert)`` whose ``id`` is :attr:`Finding.key` (detector +
  kind + subject ids), so the same subject is the same alert in every run — also one that
  was inactive for a while, which keeps its case history.
* findings of the run's detectors that this run did not produce get ``active = false``;
  findings of detectors that did not run are left alone. Nothing is deleted and
  ``(:CaseEvent)`` nodes are never touched.

Evidence is stored as a JSON string (``Finding.to_dict()['evidence']``, keys sorted); its
``tier`` (rings and pairs: "strong" or "weak") is stored as the node's ``tier`` property too.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from detectors.finding import Finding
from graph.cypher import query

log = logging.getLogger(__name__)

RING_JACCARD = 0.5
TIERS = ("strong", "weak")  # evidence["tier"] of rings and pairs: above the null-market floor, or not
MAX_RING_TENDERS = 500  # CONCERNS links per ring (the tenders where ≥ 2 members met)
ROWS_PER_STATEMENT = 1000  # rows per UNWIND statement inside the one transaction
SUBJECT_LABELS = {"official_id": "Official", "firm_id": "Firm", "tender_id": "Tender",
                  "department_id": "Department"}


@dataclass(frozen=True)
class RunInfo:
    """What is known about a run when it starts."""

    id: str
    started_at: datetime
    detectors: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    code_version: str = ""
    seed: int = 0


@dataclass
class StoreSummary:
    """What :func:`store_findings` did."""

    run_id: str
    rings_new: int = 0
    rings_matched: int = 0
    alerts: int = 0
    deactivated: int = 0
    ids: list[str] = field(default_factory=list)  # stored id of each finding, in input order

    def describe(self) -> str:
        return (f"{self.rings_new} new rings, {self.rings_matched} rings found again, {self.alerts} alerts, "
                f"{self.deactivated} findings no longer found")


def new_run_id(started_at: datetime) -> str:
    """``run-20240101T120000Z-1a2b3c``: sortable by time, unique by a random suffix."""
    import secrets

    return f"run-{started_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def match_rings(
    new: Sequence[tuple[frozenset[str], float]],
    previous: Sequence[tuple[str, frozenset[str]]],
    threshold: float = RING_JACCARD,
) -> dict[int, str]:
    """One-to-one matching of new rings to previous rings by member Jaccard.

    Parameters
    ----------
    new : (members, score) of each new ring, by position.
    previous : (id, members) of each previous active ring.
    threshold : the least Jaccard |A∩B| / |A∪B| that makes two rings the same [0.5].

    Returns
    -------
    dict
        new ring position → previous ring id. Candidate pairs are taken best Jaccard first
        (ties: higher new score, then earlier position, then smaller id); each ring on either
        side is used at most once.
    """
    holding: dict[str, list[int]] = {}  # firm → previous rings it belongs to (only overlapping pairs are compared)
    for index, (_, old_members) in enumerate(previous):
        for firm in old_members:
            holding.setdefault(firm, []).append(index)
    candidates = []
    for position, (members, score) in enumerate(new):
        for index in sorted({i for firm in members for i in holding.get(firm, ())}):
            ring_id, old_members = previous[index]
            similarity = jaccard(members, old_members)
            if similarity >= threshold:
                candidates.append((-similarity, -score, position, ring_id))
    candidates.sort()
    matched: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, position, ring_id in candidates:
        if position in matched or ring_id in taken:
            continue
        matched[position] = ring_id
        taken.add(ring_id)
    return matched


def match_rings_in_order(
    new: Sequence[tuple[frozenset[str], float]],
    tiers: Sequence[Sequence[tuple[str, frozenset[str]]]],
    threshold: float = RING_JACCARD,
) -> dict[int, str]:
    """:func:`match_rings` against each tier of previous rings in turn (active, then inactive).

    A ring matched in an earlier tier is not offered to later ones, so a ring still active
    keeps its continuation, and a ring that went unseen for a run (a data gap, a member who
    paused bidding) is recognised when it comes back — with its id, status and case history —
    instead of starting over under a new id.
    """
    matched: dict[int, str] = {}
    for previous in tiers:
        left = [position for position in range(len(new)) if position not in matched]
        found = match_rings([new[position] for position in left], previous, threshold)
        matched.update({left[index]: ring_id for index, ring_id in found.items()})
    return matched


def _evidence_json(finding: Finding) -> str:
    """The finding's evidence as a JSON string; TypeError/ValueError when it cannot be serialised."""
    return json.dumps(finding.to_dict()["evidence"], sort_keys=True, ensure_ascii=False, allow_nan=False)


def _ring_id(run_id: str, key: str) -> str:
    return "ring-" + hashlib.sha1(f"{run_id}|{key}".encode()).hexdigest()[:16]


def _tier(finding: Finding) -> str | None:
    """The finding's tier ("strong" / "weak", rings and pairs) from its evidence, None when it has none:
    stored on the node too, so the case list and analysts' Cypher can filter on it."""
    value = finding.evidence.get("tier")
    return value if value in TIERS else None


def _ring_row(finding: Finding, ring_id: str) -> dict[str, Any]:
    return {
        "id": ring_id, "key": finding.key, "detector": finding.detector,
        "score": round(float(finding.score), 2), "tier": _tier(finding), "explanation": finding.explanation,
        "evidence": _evidence_json(finding),
        "member_ids": sorted(str(f) for f in finding.firms),
        "tender_ids": sorted(str(t) for t in finding.tenders)[:MAX_RING_TENDERS],
    }


def _alert_row(finding: Finding) -> dict[str, Any]:
    subjects = [{"label": "Firm", "id": str(f)} for f in sorted(finding.firms)]
    for name, label in SUBJECT_LABELS.items():
        value = getattr(finding, name)
        if value is not None:
            subjects.append({"label": label, "id": str(value)})
    return {
        "id": finding.key, "key": finding.key, "detector": finding.detector, "kind": finding.kind,
        "score": round(float(finding.score), 2), "tier": _tier(finding), "explanation": finding.explanation,
        "evidence": _evidence_json(finding),
        "subject_ids": [s["id"] for s in subjects],
        "tender_ids": sorted(str(t) for t in finding.tenders)[:MAX_RING_TENDERS],
        "subjects": subjects,
    }


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _dedupe(findings: Sequence[Finding]) -> list[tuple[int, Finding]]:
    """(input position, finding), one per key: a repeated key keeps its highest-scoring finding."""
    best: dict[str, tuple[int, Finding]] = {}
    for position, finding in enumerate(findings):
        kept = best.get(finding.key)
        if kept is None or finding.score > kept[1].score:
            best[finding.key] = (position, finding)
    if len(best) < len(findings):
        log.warning("%d findings repeat the key of another and were merged", len(findings) - len(best))
    return sorted(best.values(), key=lambda pair: pair[0])


def start_run(db: Any, run: RunInfo) -> int:
    """Create the run's node (status ``running``); mark runs left ``running`` by a dead process failed.

    Call it while holding the run lock (see :mod:`detectors.runner`): any other run still
    ``running`` then belongs to a process that no longer exists. Returns how many were marked.
    """
    params = json.dumps(run.params, sort_keys=True, default=str)

    def work(tx: ManagedTransaction) -> int:
        tx.run(query("findings_run_start"), id=run.id, started_at=run.started_at,
               detectors=list(run.detectors), detector=",".join(run.detectors), params=params,
               code_version=run.code_version, seed=run.seed).consume()
        record = tx.run(query("findings_run_abandon"), id=run.id, at=run.started_at).single(strict=True)
        return int(record["abandoned"])

    return db.write_transaction("start_run", work)


def fail_run(db: Any, run: RunInfo, error: str, finished_at: datetime,
             detector_seconds: dict[str, float] | None = None) -> None:
    """Mark the run ``failed`` with ``error``; no finding of it was written."""
    db.write("findings_run_fail", id=run.id, finished_at=finished_at,
             seconds=(finished_at - run.started_at).total_seconds(), error=error[:2000],
             detector_seconds=json.dumps(detector_seconds or {}, sort_keys=True))


def store_findings(
    db: Any,
    run: RunInfo,
    findings: Sequence[Finding],
    finished_at: datetime | None = None,
    detector_seconds: dict[str, float] | None = None,
) -> StoreSummary:
    """Write all of ``run``'s findings and mark it succeeded, in one write transaction.

    Parameters
    ----------
    db : graph.db.Database
    run : RunInfo
        The run, already created by :func:`start_run`.
    findings : every finding the run produced (any detector, any kind).
    finished_at, detector_seconds : recorded on the run node.

    Returns
    -------
    StoreSummary
        Counts and the stored id of each finding (``ids``, in input order).

    Raises
    ------
    GraphError, TypeError, ValueError
        Nothing of the run's findings is written when anything fails.
    """
    finished_at = finished_at or datetime.now(UTC)
    unique = _dedupe(findings)
    rings = [(position, f) for position, f in unique if f.kind == "ring"]
    alerts = [(position, f) for position, f in unique if f.kind != "ring"]
    ring_detectors = sorted({f.detector for _, f in rings} | set(run.detectors))

    def work(tx: ManagedTransaction) -> StoreSummary:
        summary = StoreSummary(run_id=run.id)
        stored: dict[int, str] = {}
        # 1. rings: match to the previous rings of the same detector, active ones first
        previous = tx.run(query("findings_previous_rings"), detectors=ring_detectors).data()
        ring_rows = []
        for detector in sorted({f.detector for _, f in rings}):
            mine = [(position, f) for position, f in rings if f.detector == detector]
            old = [r for r in previous if r["detector"] == detector]
            matched = match_rings_in_order(
                [(frozenset(f.firms), float(f.score)) for _, f in mine],
                [[(r["id"], frozenset(r["member_ids"] or [])) for r in old if r["active"]],
                 [(r["id"], frozenset(r["member_ids"] or [])) for r in old if not r["active"]]])
            for index, (position, finding) in enumerate(mine):
                ring_id = matched.get(index) or _ring_id(run.id, finding.key)
                stored[position] = ring_id
                ring_rows.append(_ring_row(finding, ring_id))
            summary.rings_matched += len(matched)
            summary.rings_new += len(mine) - len(matched)
        for chunk in _chunks(ring_rows, ROWS_PER_STATEMENT):
            tx.run(query("findings_upsert_rings"), rows=chunk, run_id=run.id, at=run.started_at).consume()
        # 2. alerts: identity is the finding's key (serialised here, inside the transaction)
        alert_rows = []
        for position, finding in alerts:
            alert_rows.append(_alert_row(finding))
            stored[position] = finding.key
        for chunk in _chunks(alert_rows, ROWS_PER_STATEMENT):
            tx.run(query("findings_upsert_alerts"), rows=chunk, run_id=run.id, at=run.started_at).consume()
        summary.alerts = len(alert_rows)
        # 3. what the run's detectors did not find again
        record = tx.run(query("findings_deactivate"), run_id=run.id,
                        detectors=sorted(set(run.detectors) | {f.detector for _, f in unique})).single(strict=True)
        summary.deactivated = int(record["deactivated"])
        # 4. the run is visible as succeeded only when all of the above is committed with it
        tx.run(query("findings_run_succeed"), id=run.id, finished_at=finished_at,
               seconds=(finished_at - run.started_at).total_seconds(), finding_count=len(unique),
               detector_seconds=json.dumps(detector_seconds or {}, sort_keys=True)).consume()
        by_key = {f.key: stored[position] for position, f in unique}
        summary.ids = [by_key[f.key] for f in findings]
        return summary

    return db.write_transaction("store_findings", work)
