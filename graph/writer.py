"""Loader rows into the graph: one named ``UNWIND $rows AS row MERGE …`` query per thing.

Loaders validate and normalise; this module only knows which query writes which kind of
row (``cypher/load_<thing>.cypher``), sends rows in batches (one managed transaction per
batch, see :meth:`graph.db.Database.write_rows`) with the load's ``source`` label, and
keeps the totals of what the database reports it created. Every query MERGEs on natural
keys and SETs the properties, so loading the same rows again changes no counts and
loading updated rows updates the graph.

It also answers the loaders' referential question "which of these ids are already in the
graph?" with one parameterised query (``load_existing_ids``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.db import DEFAULT_BATCH, Database, WriteCounters
from graph.model import PERSON_ROLE_RELS
from graph.schema import apply_schema

# Entity kinds other rows refer to, and their labels (all keyed by ``id``).
ENTITY_LABELS: dict[str, str] = {
    "department": "Department", "official": "Official", "firm": "Firm", "person": "Person",
    "tender": "Tender",
}
# What each thing's rows look like is documented in the header of its query file.
THINGS: tuple[str, ...] = (
    "departments", "officials", "firms", "persons", "person_roles", "relations", "assignments", "tenders",
    "bids", "evaluations", "inspections", "approvals",
    # plain bid tables (loaders.bids_table): firm and tender facts without the bundle's columns
    "table_firms", "table_tenders", "awards", "award_resets", "bid_resets",
)
# person_roles rows go to one query per relationship type (types cannot be parameters).
ROLE_QUERIES: dict[str, str] = {role: f"load_{rel.lower()}" for role, rel in PERSON_ROLE_RELS.items()}


class GraphWriter:
    """Writes batches of validated rows for one load (one ``source``)."""

    def __init__(self, db: Database, source: str, batch_size: int = DEFAULT_BATCH) -> None:
        self.db = db
        self.source = source
        self.batch_size = batch_size
        self.totals = WriteCounters()

    def prepare(self) -> int:
        """Ensure constraints and indexes exist before the first MERGE; statements run."""
        return apply_schema(self.db)

    def write(self, thing: str, rows: Sequence[Mapping[str, Any]], keep: Sequence[str] = ()) -> WriteCounters:
        """Write ``rows`` of ``thing`` (see :data:`THINGS`); counters of this call. ``keep``: columns the
        file does not have (a file of some columns only), whose stored values and links stay as they are."""
        if thing not in THINGS:
            raise KeyError(f"no load query for {thing!r}; known: {', '.join(THINGS)}")
        counters = WriteCounters()
        if thing == "person_roles":
            by_role: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
            for row in rows:
                by_role[row["role"]].append(row)
            for role, role_rows in by_role.items():
                counters.merge(self._write(ROLE_QUERIES[role], role_rows, keep=list(keep)))
            counters.rows = len(rows)
        else:
            counters = self._write(f"load_{thing}", rows, keep=list(keep))
        self.totals.merge(counters)
        return counters

    def _write(self, name: str, rows: Sequence[Mapping[str, Any]], **params: Any) -> WriteCounters:
        if not rows:
            return WriteCounters()
        return self.db.write_rows(name, rows, batch_size=self.batch_size, source=self.source, **params)

    def stored(self, label: str = "", types: Sequence[str] = ()) -> list[dict[str, Any]]:
        """This load's source's nodes of ``label`` ({element_id, id}) or relationships of ``types``
        ({element_id, type, start_id, end_id}): what an earlier load of the source wrote."""
        if label:
            [page] = self.db.read("prune_read_nodes", label=label, source=self.source)
            return [{"element_id": e, "id": i} for e, i in page["rows"]]
        [page] = self.db.read("prune_read_rels", types=list(types), source=self.source)
        return [{"element_id": e, "type": t, "start_id": a, "end_id": b} for e, t, a, b in page["rows"]]

    def delete(self, rows: Sequence[Mapping[str, Any]], label: str = "", links: Sequence[str] = ()) -> WriteCounters:
        """Delete stored nodes of ``label`` or relationships, as :meth:`stored` read them (not counted in
        the load's totals). A node goes only with its own ``links`` (the types its file writes, written
        by this source); one linked to anything else stays, and so does whatever no longer carries
        this source."""
        if label:
            return self._write("prune_delete_nodes", [{"element_id": r["element_id"], "id": r["id"]} for r in rows],
                               label=label, links=list(links))
        return self._write("prune_delete_rels", [{"element_id": r["element_id"], "type": r["type"]} for r in rows])

    def delete_unused_identifiers(self) -> int:
        """Delete the identifier values (phone, e-mail, address, IP, document) this source created that
        nothing links to any more; how many."""
        return int(self.db.write_one("prune_unused_identifiers", source=self.source)["deleted"])

    def existing_ids(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
        """Of the ids per entity kind in ``wanted``, those that exist in the graph."""
        unknown = set(wanted) - set(ENTITY_LABELS)
        if unknown:
            raise KeyError(f"unknown entity kinds {sorted(unknown)}")
        params = {f"{kind}_ids": sorted(set(wanted.get(kind, ()))) for kind in ENTITY_LABELS}
        found: dict[str, set[str]] = {kind: set() for kind in ENTITY_LABELS}
        if not any(params.values()):
            return found
        for row in self.db.read("load_existing_ids", **params):
            found[row["kind"]].add(row["id"])
        return found
