"""Pruning a full extract: what a source's earlier loads wrote and its latest bundle no longer has.

A city's systems usually hand over a *full extract* every night: every bid, inspection and
approval on record. A plain load MERGEs, so a row that disappeared from the extract — a bid
entered in error and deleted, a tender withdrawn, a committee seat corrected — would stay in
the graph for ever and keep feeding the detectors. ``python -m loaders csv DIR --prune`` makes
the bundle the whole truth of its source: after every file has loaded, each file's entities
written by the same ``source`` that the file no longer has are deleted (nodes with their
relationships; person roles, relations, assignments and committee seats as relationships).

What is never pruned, because the bundle does not say it is gone:

* files absent from the bundle (every file is optional);
* anything another source wrote (an OCDS load, a bid table, a second bundle);
* the key of a rejected row: the row may be the corrected version of a stored one;
* an entity a row of this bundle still refers to (a firm dropped from ``firms.csv`` whose
  bids are still in ``bids.csv``);
* a node still linked to anything but its own file's links from this source: another
  source's bid on a firm, a bid from a file absent or not pruned on a tender, a finding's
  ``MEMBER_OF`` or ``CONCERNS`` (the case keeps its subjects);
* a whole file with a rejected row whose key cannot be read, or whose stale share exceeds
  ``max_share`` and one entity (a truncated or half-written extract must not empty the graph).

Which entities a source owns is its ``--source`` name, so pruning needs one given explicitly and
the same every time (a folder name can change with each night's export).

The decisions are pure (:func:`plan`); :class:`graph.writer.GraphWriter` reads what is stored
and deletes, inside the load's job lock, so no detector run reads a half-pruned market.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.model import PERSON_ROLE_RELS

DEFAULT_MAX_SHARE = 0.10


@dataclass(frozen=True)
class Target:
    """What one bundle file's rows became in the graph, and how a stored one reads as the file's key."""

    label: str = ""  # node label (files that define nodes keyed by id)
    types: tuple[str, ...] = ()  # relationship types (files of relationships)
    reverse: bool = False  # the file's key lists the relationship's end before its start
    links: tuple[str, ...] = ()  # a node's own relationships: the types its file's load query writes

    def key(self, stored: Mapping[str, Any]) -> Any:
        """The file key a stored node or relationship corresponds to."""
        if self.label:
            return stored["id"]
        ends = (stored["end_id"], stored["start_id"]) if self.reverse else (stored["start_id"], stored["end_id"])
        if len(self.types) > 1:  # person roles: the role is part of the key
            return (*ends, ROLE_BY_TYPE[stored["type"]])
        return ends


ROLE_BY_TYPE = {rel: role for role, rel in PERSON_ROLE_RELS.items()}
CONTACT_LINKS = ("HAS_PHONE", "HAS_EMAIL", "HAS_ADDRESS")
TARGETS: dict[str, Target] = {
    "departments": Target("Department"), "officials": Target("Official", links=("WORKS_IN", *CONTACT_LINKS)),
    "firms": Target("Firm", links=CONTACT_LINKS), "persons": Target("Person", links=CONTACT_LINKS),
    "tenders": Target("Tender", links=("ISSUED", "AWARDED_TO")),
    "bids": Target("Bid", links=("SUBMITTED", "FOR", "SENT_FROM", "USES_DOCUMENT")),
    "inspections": Target("Inspection", links=("CONDUCTED", "OF")),
    "approvals": Target("Approval", links=("APPLIED", "DECIDED")),
    "person_roles": Target(types=tuple(PERSON_ROLE_RELS.values())),  # key person_id, firm_id, role
    "relations": Target(types=("RELATED_TO",)),  # official → person, key official_id, person_id
    "assignments": Target(types=("RESPONSIBLE_FOR",)),  # official → firm, key official_id, firm_id
    "evaluations": Target(types=("EVALUATED",), reverse=True),  # official → tender, key tender_id, official_id
}


@dataclass
class Extract:
    """What one file of the bundle said, gathered while it loaded."""

    keys: set[Any] = field(default_factory=set)  # keys of the rows loaded
    protected: set[Any] = field(default_factory=set)  # keys of rejected rows, ids referred to
    unkeyed_rejects: int = 0  # rejected rows whose key could not be read


@dataclass
class FilePrune:
    """What pruning did to one file's entities."""

    file: str
    stored: int = 0  # this source's entities of the file before pruning
    stale: int = 0  # of them, those the extract no longer has
    deleted: int = 0  # of those, the ones deleted (the others are still linked to data the load keeps)
    refused: str = ""  # why nothing was deleted, when nothing was
    seconds: float = 0.0

    def line(self) -> str:
        if self.refused:
            return f"{self.file}: not pruned — {self.refused}"
        kept = self.stale - self.deleted
        still = (f", {kept:,} kept: still linked to data this load does not replace (another source's, a file "
                 "absent or not pruned, a finding)") if kept else ""
        return (f"{self.file}: {self.stale:,} of {self.stored:,} stored no longer in the extract, "
                f"{self.deleted:,} deleted{still} ({self.seconds:.1f} s)")


def plan(file: str, stored: Iterable[Mapping[str, Any]], extract: Extract, target: Target,
         max_share: float = DEFAULT_MAX_SHARE) -> tuple[FilePrune, list[Mapping[str, Any]]]:
    """Which stored entities of ``file`` to delete: those whose key the extract neither loaded nor protects.

    Returns the file's summary and the stored rows to delete (none when refused).
    """
    stored = list(stored)
    stale = [row for row in stored
             if (key := target.key(row)) not in extract.keys and key not in extract.protected]
    result = FilePrune(file, stored=len(stored), stale=len(stale))
    if extract.unkeyed_rejects and stale:
        result.refused = (f"{extract.unkeyed_rejects:,} rejected rows have no readable key, and one may be the "
                          f"new version of one of the {len(stale):,} stored entities the file no longer has")
        return result, []
    if len(stale) > max(max_share * len(stored), 1):  # one may always go: a department closed
        result.refused = (f"{len(stale):,} of {len(stored):,} stored ({100 * len(stale) / len(stored):.0f} %) "
                          f"are no longer in the file, more than --max-prune {100 * max_share:g} % "
                          "(a cut-short extract?); if the file is complete, load again with a higher --max-prune")
        return result, []
    return result, stale
