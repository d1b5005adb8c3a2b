"""The OCDS frame the red flags read, and the per-process records they iterate over.

Cardinal's indicators need facts the CSV market lacks: bid status (pending, valid,
disqualified, invited, withdrawn), tender status and period instants, procurement method
details, award status and items, lots, consortium bids and award→bid links. They are
projected out of Neo4j by :func:`graph.ocds_readers.read_ocds_frames` into
:class:`OcdsFrames` (four plain pandas frames, list columns for tenderers, suppliers, lots
and classification ids), or derived from a :class:`~detectors.market.MarketData` by
:func:`frames_from_market` when no OCDS data was loaded (every bid is then valid or
disqualified, every winner an active award). :func:`build_processes` groups the frames
into one :class:`Process` per contracting process (ocid), the unit Cardinal folds over.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from detectors.market import MarketData

COLUMNS: dict[str, list[str]] = {
    # one row per contracting process (Tender); instants are naive UTC
    "processes": ["tender_id", "status", "procurement_method", "procurement_method_details",
                  "number_of_tenderers", "buyer_id", "procuring_entity_id", "tender_start", "tender_end"],
    # one row per bid; tenderers = every firm that SUBMITTED it (consortium: several)
    # position = index in the release's bids.details (publication order; ties go to the first)
    "bids": ["bid_id", "tender_id", "status", "amount", "currency", "submitted_at", "tenderers", "lots",
             "position"],
    # one row per award; related_bids from awards/relatedBids
    "awards": ["award_id", "tender_id", "status", "amount", "currency", "suppliers", "classification_ids",
               "related_bids", "lots"],
    "lots": ["lot_id", "tender_id", "title", "value", "currency"],
}
LIST_COLUMNS = {"bids": ["tenderers", "lots"], "awards": ["suppliers", "classification_ids", "related_bids", "lots"]}
INSTANT_COLUMNS = {"processes": ["tender_start", "tender_end"], "bids": ["submitted_at"]}
FLOAT_COLUMNS = {"bids": ["amount"], "awards": ["amount"], "lots": ["value"]}
INT_COLUMNS = {"processes": ["number_of_tenderers"], "bids": ["position"]}


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return (value,)
        value = parsed if isinstance(parsed, list) else [parsed]
    return tuple(str(v) for v in value if v is not None)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == number and number.is_integer() else None


def _instants(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce", utc=True, format="ISO8601").dt.tz_localize(None)


def conform(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with exactly the columns of :data:`COLUMNS` ``[name]`` and their types."""
    columns = COLUMNS[name]
    frame = pd.DataFrame(columns=columns) if frame is None else frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[columns]
    for column in INSTANT_COLUMNS.get(name, []):
        frame[column] = _instants(frame[column])
    for column in FLOAT_COLUMNS.get(name, []):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in LIST_COLUMNS.get(name, []):
        frame[column] = [_as_list(v) for v in frame[column]]
    for column in INT_COLUMNS.get(name, []):
        frame[column] = pd.Series([_int(v) for v in frame[column]], index=frame.index, dtype=object)
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class OcdsFrames:
    processes: pd.DataFrame
    bids: pd.DataFrame
    awards: pd.DataFrame
    lots: pd.DataFrame

    @classmethod
    def build(cls, **frames: pd.DataFrame | None) -> OcdsFrames:
        unknown = set(frames) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown OCDS frames {sorted(unknown)}")
        return cls(**{f.name: conform(f.name, frames.get(f.name)) for f in fields(cls)})


def frames_from_market(data: MarketData) -> OcdsFrames:
    """The OCDS frame implied by a CSV market: valid/disqualified bids, winners as active awards."""
    tenders = data.tenders
    processes = pd.DataFrame({
        "tender_id": tenders["tender_id"], "procurement_method": tenders["procedure"],
        "buyer_id": tenders["department_id"], "tender_start": tenders["published_at"],
        "tender_end": tenders["deadline_at"],
    })
    currency = tenders.set_index("tender_id")["currency"].to_dict()
    grouped = data.bids.groupby("bid_id", sort=False).agg(
        tender_id=("tender_id", "first"), amount=("amount", "first"), submitted_at=("submitted_at", "first"),
        disqualified=("disqualified", "max"), tenderers=("firm_id", lambda s: tuple(s.dropna())),
    ).reset_index()
    bids = pd.DataFrame({
        "bid_id": grouped["bid_id"], "tender_id": grouped["tender_id"],
        "status": ["disqualified" if d else "valid" for d in grouped["disqualified"]],
        "amount": grouped["amount"], "currency": grouped["tender_id"].map(currency),
        "submitted_at": grouped["submitted_at"], "tenderers": grouped["tenderers"],
    })
    won = tenders.dropna(subset=["winner_firm_id"])
    awards = pd.DataFrame({
        "award_id": won["tender_id"] + "/winner", "tender_id": won["tender_id"], "status": "active",
        "amount": won["award_amount"], "currency": won["currency"],
        "suppliers": [(w,) for w in won["winner_firm_id"]],
    })
    return OcdsFrames.build(processes=processes, bids=bids, awards=awards)


# -- per-process records ----------------------------------------------------------------------

@dataclass(frozen=True)
class BidRecord:
    bid_id: str
    status: str | None
    amount: float | None
    currency: str | None
    submitted_at: pd.Timestamp | None
    tenderers: tuple[str, ...]
    lots: tuple[str, ...]
    position: int | None = None


@dataclass(frozen=True)
class AwardRecord:
    award_id: str
    status: str | None
    amount: float | None
    currency: str | None
    suppliers: tuple[str, ...]
    classification_ids: tuple[str, ...]
    related_bids: tuple[str, ...]
    lots: tuple[str, ...]


@dataclass(frozen=True)
class Process:
    """One contracting process (ocid) with its bids and awards, as Cardinal folds over it."""

    ocid: str
    status: str | None = None
    procurement_method: str | None = None
    procurement_method_details: str | None = None
    number_of_tenderers: int | None = None
    buyer_id: str | None = None
    procuring_entity_id: str | None = None
    tender_start: pd.Timestamp | None = None
    tender_end: pd.Timestamp | None = None
    bids: tuple[BidRecord, ...] = ()
    awards: tuple[AwardRecord, ...] = ()
    lots: tuple[str, ...] = ()


def _value(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts ``x/bid-2`` before ``x/bid-10`` (the order bids were published in)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _bid_order(bid: BidRecord) -> tuple[Any, ...]:
    position = bid.position if bid.position is not None else 1 << 30
    return (position, natural_key(bid.bid_id))


def build_processes(frames: OcdsFrames) -> list[Process]:
    """One :class:`Process` per row of ``frames.processes``, sorted by ocid (deterministic)."""
    bids: dict[str, list[BidRecord]] = {}
    for row in frames.bids.itertuples(index=False):
        bids.setdefault(str(row.tender_id), []).append(BidRecord(
            str(row.bid_id), _value(row.status), _value(row.amount), _value(row.currency),
            _value(row.submitted_at), tuple(sorted(row.tenderers)), tuple(sorted(row.lots)),
            _value(row.position)))
    awards: dict[str, list[AwardRecord]] = {}
    for row in frames.awards.itertuples(index=False):
        awards.setdefault(str(row.tender_id), []).append(AwardRecord(
            str(row.award_id), _value(row.status), _value(row.amount), _value(row.currency),
            tuple(sorted(row.suppliers)), tuple(row.classification_ids), tuple(sorted(row.related_bids)),
            tuple(sorted(row.lots))))
    lots: dict[str, list[str]] = {}
    for row in frames.lots.itertuples(index=False):
        lots.setdefault(str(row.tender_id), []).append(str(row.lot_id))
    out = []
    for row in frames.processes.itertuples(index=False):
        ocid = str(row.tender_id)
        out.append(Process(
            ocid=ocid, status=_value(row.status), procurement_method=_value(row.procurement_method),
            procurement_method_details=_value(row.procurement_method_details),
            number_of_tenderers=_value(row.number_of_tenderers), buyer_id=_value(row.buyer_id),
            procuring_entity_id=_value(row.procuring_entity_id), tender_start=_value(row.tender_start),
            tender_end=_value(row.tender_end),
            bids=tuple(sorted(bids.get(ocid, []), key=_bid_order)),
            awards=tuple(sorted(awards.get(ocid, []), key=lambda a: natural_key(a.award_id))),
            lots=tuple(sorted(lots.get(ocid, [])))))
    return sorted(out, key=lambda p: p.ocid)
