"""The graph model, declared once (the CSV columns that feed it: docs/csv_bundle.md).

Labels, their key property, their typed properties and the relationships between them
are data here; constraints and indexes (:mod:`graph.schema`), the loaders' column maps and
the loaders' storable-value limits are derived from it. A model that contradicts itself fails
at import (see :func:`_check`).

Every node and relationship also carries ``source`` (which load put it there); it is not
repeated in each declaration below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PropType = Literal["str", "float", "int", "bool", "date", "datetime", "json", "list"]  # json: a JSON string


@dataclass(frozen=True)
class Prop:
    name: str
    type: PropType = "str"
    doc: str = ""


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str
    props: tuple[Prop, ...] = ()
    indexed: tuple[str, ...] = ()  # extra range indexes the queries need
    fulltext: tuple[str, ...] = ()  # properties searched by name in the app
    doc: str = ""

    def prop(self, name: str) -> Prop:
        for prop in self.props:
            if prop.name == name:
                return prop
        raise KeyError(f"{self.label} has no property {name!r}")


@dataclass(frozen=True)
class RelType:
    type: str
    start: tuple[str, ...]
    end: tuple[str, ...]
    props: tuple[Prop, ...] = ()
    doc: str = ""


def _p(*specs: str) -> tuple[Prop, ...]:
    """``"name"`` or ``"name:type"`` → Prop tuple, to keep the declarations readable."""
    out = []
    for spec in specs:
        name, _, kind = spec.partition(":")
        out.append(Prop(name, kind or "str"))  # type: ignore[arg-type]
    return tuple(out)


NODES: tuple[NodeType, ...] = (
    NodeType("Department", "id", _p("id", "name"), fulltext=("name",),
             doc="A public body, e.g. a housing & construction bureau."),
    NodeType("Official", "id", _p("id", "name", "department_id", "role"),
             indexed=("department_id",), fulltext=("name",), doc="A public official."),
    NodeType("Firm", "id", _p("id", "name", "reg_no", "locality"), indexed=("reg_no",), fulltext=("name",),
             doc="A company that bids, is inspected or applies for approvals. locality: the county-level "
                 "division it is based in (区, 县; a column of its own, else read from a Chinese address)."),
    NodeType("Person", "id", _p("id", "name"), fulltext=("name",),
             doc="A natural person who is not an official: legal rep, shareholder, relative."),
    NodeType("Tender", "id",
             _p("id", "title", "department_id", "category", "region", "budget:float", "currency",
                "published_at:date", "deadline_at:date", "procedure", "award_criteria"),
             indexed=("category", "published_at"), fulltext=("title",),
             doc="A procurement procedure. award_criteria: how the winner is chosen, as the record words it "
                 "(OCDS tender/awardCriteria: priceOnly, ratedCriteria, …; 评标办法: 经评审的最低投标价法, "
                 "综合评估法, …); detectors read the award rule of each category and award criteria apart."),
    NodeType("Bid", "id", _p("id", "amount:float", "submitted_at:datetime", "disqualified:bool"),
             doc="One firm's offer in one tender."),
    NodeType("Inspection", "id", _p("id", "date:date", "kind", "result", "penalty:float"),
             indexed=("date",), doc="An inspection; result in {pass, fail, warning}."),
    NodeType("Approval", "id",
             _p("id", "kind", "applied_at:date", "decided_at:date", "decision", "statutory_days:int"),
             indexed=("applied_at",), doc="A licence/permit decision."),
    NodeType("Phone", "value", _p("value"), doc="Normalised phone number (digits, national form)."),
    NodeType("Email", "value", _p("value"), doc="Normalised e-mail address (lower case)."),
    NodeType("Address", "value", _p("value"), fulltext=("value",), doc="Normalised postal address."),
    NodeType("IP", "value", _p("value"), doc="Submission IP address."),
    NodeType("Document", "hash", _p("hash"), doc="Hash of a bid document file."),
    NodeType("DetectorRun", "id",
             _p("id", "detector", "detectors:list", "started_at:datetime", "finished_at:datetime", "params:json",
                "code_version", "seed:int", "status", "seconds:float", "detector_seconds:json", "finding_count:int",
                "error"),
             indexed=("started_at",), doc="One run of the detector job."),
    NodeType("LoadRun", "id",
             _p("id", "kind", "source", "input", "started_at:datetime", "finished_at:datetime", "status",
                "rows_read:int", "rows_loaded:int", "rejected:int", "pruned:int", "note", "error"),
             indexed=("started_at",), doc="One run of a loader (python -m loaders csv|bids|ocds): what, when, how."),
    NodeType("JobLock", "name", _p("name", "taken:bool"),
             doc="The database's job lock (graph.lock.server_lock): a job's open, never committed transaction "
                 "holds its write lock, so jobs on different hosts do not overlap."),
    NodeType("Ring", "id", _p("id", "key", "detector", "kind", "tier", "score:float", "status", "active:bool",
                              "explanation", "evidence:json", "member_ids:list", "tender_ids:list",
                              "first_seen_run", "first_seen_at:datetime", "last_seen_run", "last_seen_at:datetime"),
             indexed=("score",), doc="A suspected bid-rigging ring; members are MEMBER_OF it (docs/findings_store.md)."),
    NodeType("Alert", "id", _p("id", "key", "detector", "kind", "tier", "score:float", "status", "active:bool",
                               "explanation", "evidence:json", "subject_ids:list", "tender_ids:list",
                               "first_seen_run", "first_seen_at:datetime", "last_seen_run", "last_seen_at:datetime"),
             indexed=("kind", "score"), doc="Any other finding; CONCERNS its subjects (docs/findings_store.md)."),
    NodeType("CaseEvent", "id",
             _p("id", "at:datetime", "user", "action", "status", "assignee", "comment"),
             indexed=("at",),
             doc="One triage step on a Ring/Alert (append-only audit trail): who, when, what."),
    # -- appended by the OCDS loader (loaders/ocds.py); ids are namespaced by ocid ------------
    NodeType("Lot", "id", _p("id", "title", "value:float", "currency", "status"),
             doc="A lot of an OCDS tender (id = ocid/lot id); bids and awards may name their lots."),
    NodeType("Award", "id",
             _p("id", "status", "amount:float", "currency", "date:datetime", "classification_ids:json"),
             indexed=("status",),
             doc="An OCDS award (id = ocid/award id); classification_ids = its items' classification ids."),
    NodeType("Contract", "id", _p("id", "status", "amount:float", "currency", "signed_at:datetime"),
             doc="An OCDS contract (id = ocid/contract id), signed under an award."),
)

RELATIONSHIPS: tuple[RelType, ...] = (
    RelType("WORKS_IN", ("Official",), ("Department",)),
    RelType("ISSUED", ("Department",), ("Tender",)),
    RelType("SUBMITTED", ("Firm",), ("Bid",)),
    RelType("FOR", ("Bid",), ("Tender",)),
    RelType("AWARDED_TO", ("Tender",), ("Firm",), _p("amount:float", "date:date")),
    RelType("EVALUATED", ("Official",), ("Tender",)),
    RelType("CONDUCTED", ("Official",), ("Inspection",)),
    RelType("OF", ("Inspection",), ("Firm",)),
    RelType("APPLIED", ("Firm",), ("Approval",)),
    RelType("DECIDED", ("Official",), ("Approval",)),
    RelType("LEGAL_REP_OF", ("Person",), ("Firm",)),
    RelType("SHAREHOLDER_OF", ("Person",), ("Firm",), _p("share:float")),
    RelType("DIRECTOR_OF", ("Person",), ("Firm",)),
    RelType("RELATED_TO", ("Official",), ("Person",), _p("relation")),
    RelType("RESPONSIBLE_FOR", ("Official",), ("Firm",), _p("since:date", "until:date"),
            doc="The official is the firm's assigned case officer (包保/网格 supervision) from since to "
                "until (either open: from the start of the record, still): its visits then are its job."),
    RelType("HAS_PHONE", ("Firm", "Person", "Official"), ("Phone",)),
    RelType("HAS_EMAIL", ("Firm", "Person", "Official"), ("Email",)),
    RelType("HAS_ADDRESS", ("Firm", "Person", "Official"), ("Address",)),
    RelType("SENT_FROM", ("Bid",), ("IP",)),
    RelType("USES_DOCUMENT", ("Bid",), ("Document",)),
    RelType("MEMBER_OF", ("Firm",), ("Ring",)),
    RelType("CONCERNS", ("Alert", "Ring"), ("Official", "Firm", "Tender", "Person", "Department")),
    RelType("FOUND", ("DetectorRun",), ("Ring", "Alert")),
    RelType("ON", ("CaseEvent",), ("Ring", "Alert")),
    # -- appended by the OCDS loader -----------------------------------------------------------
    RelType("MANAGED", ("Department",), ("Tender",), doc="OCDS tender/procuringEntity."),
    RelType("HAS_LOT", ("Tender",), ("Lot",)),
    RelType("FOR_LOT", ("Bid", "Award"), ("Lot",), doc="OCDS relatedLots."),
    RelType("HAS_AWARD", ("Tender",), ("Award",)),
    RelType("AWARD_SUPPLIER", ("Award",), ("Firm",), doc="OCDS awards[]/suppliers[] (every one)."),
    RelType("AWARDS_BID", ("Award",), ("Bid",), doc="OCDS awards[]/relatedBids."),
    RelType("HAS_CONTRACT", ("Award",), ("Contract",), doc="OCDS contracts[]/awardID."),
)

# Identifier labels: shared values that link entities ("pivots").
IDENTIFIER_LABELS: dict[str, str] = {
    "phone": "Phone", "email": "Email", "address": "Address", "ip": "IP", "document": "Document",
}
PERSON_ROLE_RELS: dict[str, str] = {
    "legal_rep": "LEGAL_REP_OF", "shareholder": "SHAREHOLDER_OF", "director": "DIRECTOR_OF",
}

NODE_BY_LABEL: dict[str, NodeType] = {node.label: node for node in NODES}

#: the longest text (UTF-8 bytes) a range-indexed property may hold: Neo4j refuses a longer index
#: key ("Property value is too large to index", about 8 kB) and fails the write of its whole batch,
#: so loaders reject such a value first; half the limit leaves room for the key's overhead
MAX_INDEXED_BYTES = 4000
#: the longest key a loader may compose from such values (a bid table's ``<source>:<tender>:<firm>:<n>``):
#: under the index's limit, which measures 8,167 bytes on Neo4j 5.26
MAX_COMPOSED_KEY_BYTES = 8000
#: the longest text (UTF-8 bytes) of any other property: a full-text index (names, titles) refuses
#: a term over 32,766 bytes, and no record of a city holds a field this long
MAX_TEXT_BYTES = 32000
#: nodes the jobs and the app write themselves, never from a record
OPERATIONAL_LABELS: frozenset[str] = frozenset({"DetectorRun", "LoadRun", "JobLock", "Ring", "Alert", "CaseEvent"})
#: property names that are range-indexed (keys and ``indexed``) on some node a loader writes: their
#: values are keys. Names are not (JobLock's key is its ``name``, but a firm's, a person's or an
#: official's name is full-text indexed only, so a consortium's long name is text, not a key)
INDEXED_PROPERTIES: frozenset[str] = frozenset(
    name for node in NODES if node.label not in OPERATIONAL_LABELS for name in (node.key, *node.indexed))
#: the largest whole number a property can hold (Neo4j integers are 64-bit signed)
MAX_INTEGER = 2**63 - 1
REL_BY_TYPE: dict[str, RelType] = {rel.type: rel for rel in RELATIONSHIPS}


@dataclass(frozen=True)
class ModelSummary:
    labels: list[str] = field(default_factory=lambda: [n.label for n in NODES])
    relationships: list[str] = field(default_factory=lambda: [r.type for r in RELATIONSHIPS])


def _check() -> None:
    labels = set(NODE_BY_LABEL)
    if len(labels) != len(NODES) or len(REL_BY_TYPE) != len(RELATIONSHIPS):
        raise ValueError("duplicate label or relationship type in graph.model")
    for node in NODES:
        names = [p.name for p in node.props]
        if node.key not in names:
            raise ValueError(f"{node.label}: key {node.key!r} is not a declared property")
        for extra in node.indexed + node.fulltext:
            if extra not in names:
                raise ValueError(f"{node.label}: indexed property {extra!r} is not declared")
    for rel in RELATIONSHIPS:
        unknown = (set(rel.start) | set(rel.end)) - labels
        if unknown:
            raise ValueError(f"{rel.type}: unknown labels {sorted(unknown)}")
    for label in (*IDENTIFIER_LABELS.values(),):
        if label not in labels:
            raise ValueError(f"identifier label {label} not declared")
    for rel_type in PERSON_ROLE_RELS.values():
        if rel_type not in REL_BY_TYPE:
            raise ValueError(f"person role relationship {rel_type} not declared")


_check()


# -- OCDS extension of existing labels (appended by the OCDS loader) ------------------------
# Properties that OCDS carries beyond the CSV bundle, on labels declared above. They are
# declared here rather than edited into the entries above so that those stay as they are.
# Tender: the OCDS tender/status, procurementMethodDetails, awardCriteriaDetails (the weights of
# price and quality, as published), mainProcurementCategory (goods, works, services), numberOfTenderers,
# the procuring entity's Department id, the full tenderPeriod instants (published_at and
# deadline_at keep the day only) and the tender items' classification ids.
# Bid: the OCDS bid status (pending, valid, disqualified, invited, withdrawn), currency and
# position in bids.details (the publication order, which breaks ties between equal prices).
EXTENSION_PROPS: dict[str, tuple[Prop, ...]] = {
    "Tender": _p("status", "procurement_method_details", "award_criteria_details", "main_procurement_category",
                 "number_of_tenderers:int",
                 "procuring_entity_id", "tender_start:datetime", "tender_end:datetime",
                 "classification_ids:json"),
    "Bid": _p("status", "currency", "position:int"),
}


def _check_extensions() -> None:
    for label, props in EXTENSION_PROPS.items():
        declared = {p.name for p in NODE_BY_LABEL[label].props}
        clash = declared & {p.name for p in props}
        if clash:
            raise ValueError(f"{label}: extension properties {sorted(clash)} are already declared")


_check_extensions()
