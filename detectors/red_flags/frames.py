"""The OCDS frame the red flags read, and the per-process records they iterate over.

Cardinal's indicators need facts the CSV market lacks: bid status (pending, valid,
disqualified, invited, withdrawn), tender status and period instants, procurement method
details, award status and items, lots, consortium bids and award→bid links. They are
projected out of Neo4j by :func:`graph.readers.read_ocds` into
:class:`OcdsFrames` (four plain pandas frames, list columns for tenderers, suppliers, lots
and classification ids), or derived from a :class:`~detectors.market.MarketData` by
:func:`frames_from_market` when no OCDS data was loaded (every bid is then valid or
disqualified, every winner an active award). :func:`build_processes` groups the frames
into one :class:`Process` per contracting process (ocid), the unit Cardinal folds over.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from detectors.market import MarketData, naive_utc

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
    if type(value) in (tuple, list) and all(type(v) is str for v in value):  # the usual case, fast
        return tuple(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return (value,)
        value = parsed if isinstance(parsed, list) else [parsed]
    return tuple(str(v) for v in value if v is not None)


def _as_lists(values: pd.Series) -> list[tuple[str, ...]]:
    """:func:`_as_list` of every value. The reader's column (a list of strings in every row)
    is checked and converted in two passes instead of one call per value."""
    items = values.tolist()
    if all(type(v) is list for v in items) and all(type(x) is str for v in items for x in v):
        return [tuple(v) for v in items]
    return [_as_list(v) for v in items]


#: integers a float holds exactly: :func:`_int` returns these unchanged
_EXACT_INT = 2**53


def _ints(values: pd.Series) -> list[int | None]:
    """:func:`_int` of every value; a column of Python ints and None (the reader's) as it is."""
    items = values.tolist()
    if all(v is None or (type(v) is int and -_EXACT_INT <= v <= _EXACT_INT) for v in items):
        return items
    return [_int(v) for v in items]


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == number and number.is_integer() else None


#: the currency of a tender that names none (one unnamed, local currency; a sentence writes the bare number)
UNNAMED = ""
DAY_END = pd.Timedelta(days=1) - pd.Timedelta(1, "ns")  # midnight → the last instant of that day


def _deadlines(series: pd.Series) -> pd.Series:
    """Tender end instants; a deadline given to the day (``2024-01-22``) ends at the end of that day.

    A bid submitted at 09:00 on the deadline day is on time: comparing second-precision
    submissions with a day-precision deadline read as midnight would make every bid of the
    last day "late" (R030). Deadlines with a time of day are kept as they are.
    """
    parsed = naive_utc(series)
    if series.empty or pd.api.types.infer_dtype(series, skipna=True) != "string":
        return parsed
    dated = series.astype("string[pyarrow]").str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    return parsed.where(~dated.to_numpy(), parsed + DAY_END)


def conform(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with exactly the columns of :data:`COLUMNS` ``[name]`` and their types."""
    columns = COLUMNS[name]
    frame = pd.DataFrame(columns=columns) if frame is None else frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[columns]
    for column in INSTANT_COLUMNS.get(name, []):
        frame[column] = _deadlines(frame[column]) if column == "tender_end" else naive_utc(frame[column])
    for column in FLOAT_COLUMNS.get(name, []):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in LIST_COLUMNS.get(name, []):
        frame[column] = _as_lists(frame[column])
    for column in INT_COLUMNS.get(name, []):
        frame[column] = pd.Series(_ints(frame[column]), index=frame.index, dtype=object)
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
    """The OCDS frame implied by a CSV market: valid/disqualified bids, winners as active awards.

    The market's dates are day-precision instants at midnight, so a deadline at exactly
    midnight is read as given to the day and ends at the end of that day (see :func:`_deadlines`).
    """
    tenders = data.tenders
    deadline = pd.to_datetime(tenders["deadline_at"])
    processes = pd.DataFrame({
        "tender_id": tenders["tender_id"], "procurement_method": tenders["procedure"],
        "buyer_id": tenders["department_id"], "tender_start": tenders["published_at"],
        "tender_end": deadline.where(deadline != deadline.dt.normalize(), deadline + DAY_END),
    })
    # a tender without a currency is priced in the market's one unnamed (local) currency: the CSV
    # bundle's column is optional, and a blank cell beside a few foreign ones means the usual money
    currency = tenders.set_index("tender_id")["currency"].fillna(UNNAMED).to_dict()
    grouped = _bids_by_id(data.bids)
    bids = pd.DataFrame({
        "bid_id": grouped["bid_id"], "tender_id": grouped["tender_id"],
        "status": ["disqualified" if d else "valid" for d in grouped["disqualified"]],
        "amount": grouped["amount"], "currency": grouped["tender_id"].map(currency),
        "submitted_at": grouped["submitted_at"], "tenderers": grouped["tenderers"],
    })
    won = tenders.dropna(subset=["winner_firm_id"])
    awards = pd.DataFrame({
        "award_id": won["tender_id"] + "/winner", "tender_id": won["tender_id"], "status": "active",
        "amount": won["award_amount"], "currency": won["tender_id"].map(currency),
        "suppliers": [(w,) for w in won["winner_firm_id"]],
    })
    return OcdsFrames.build(processes=processes, bids=bids, awards=awards)


def _bids_by_id(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per bid id (first appearance order): first tender/amount/time, any disqualified,
    tenderers = every firm of the bid, each once (a consortium bid is one row per member in the market)."""
    repeated = rows["bid_id"].duplicated(keep=False)
    single = rows.loc[~repeated, ["bid_id", "tender_id", "amount", "submitted_at", "disqualified"]].copy()
    single["tenderers"] = [() if pd.isna(f) else (f,) for f in rows.loc[~repeated, "firm_id"]]
    if not repeated.any():
        return single.reset_index(drop=True)
    multi = rows[repeated].groupby("bid_id", sort=False).agg(
        tender_id=("tender_id", "first"), amount=("amount", "first"), submitted_at=("submitted_at", "first"),
        # a row read twice names its firm twice: still one firm's bid, no consortium
        disqualified=("disqualified", "max"), tenderers=("firm_id", lambda s: tuple(dict.fromkeys(s.dropna()))),
    ).reset_index()
    first_seen = pd.concat([single.assign(_at=single.index),  # back in first-appearance order
                            multi.assign(_at=rows[repeated].drop_duplicates("bid_id").index)])
    return first_seen.sort_values("_at", kind="stable").drop(columns="_at").reset_index(drop=True)


# -- per-process records ----------------------------------------------------------------------

class BidRecord(NamedTuple):
    bid_id: str
    status: str | None
    amount: float | None
    currency: str | None
    submitted_at: pd.Timestamp | None
    tenderers: tuple[str, ...]
    lots: tuple[str, ...]
    position: int | None = None


class AwardRecord(NamedTuple):
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


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts ``x/bid-2`` before ``x/bid-10`` (the order bids were published in)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _objects(series: pd.Series) -> list[Any]:
    """The values as Python objects, missing ones (None, NaN, NaT) as None (timestamps stay Timestamps)."""
    return series.astype(object).where(series.notna(), None).tolist()


def _natural_order(ids: list[str], first: list[int] | None = None) -> list[int]:
    """Row positions sorted by (``first``, :func:`natural_key` of the id), stable.

    Ids of the usual shape ``<letters><digits>`` (``B0000042``, ``ocds-x/bid-10`` is not) are
    ordered by their prefix and number with one vectorised sort; anything else takes
    :func:`natural_key` id by id — the same order either way.
    """
    n = len(ids)
    if n == 0:
        return []
    primary = np.zeros(n, dtype=np.int64) if first is None else np.asarray(first, dtype=np.int64)
    parts = pc.extract_regex(pa.array(ids, type=pa.string()), r"^(?P<prefix>\D*)(?P<number>\d{1,18})$")
    if parts.null_count == 0:
        prefix_codes, _ = pd.factorize(np.asarray(parts.field("prefix").to_pylist(), dtype=object), sort=True)
        numbers = np.asarray(pc.cast(parts.field("number"), pa.int64()).to_numpy(), dtype=np.int64)
        return np.lexsort((numbers, prefix_codes, primary)).tolist()  # type: ignore[no-any-return]
    keys = [natural_key(i) for i in ids]
    return sorted(range(n), key=lambda i: (primary[i], keys[i]))


def _sorted_tuple(values: Any) -> tuple[str, ...]:
    return tuple(values) if len(values) < 2 else tuple(sorted(values))


def build_processes(frames: OcdsFrames) -> list[Process]:
    """One :class:`Process` per row of ``frames.processes``, sorted by ocid (deterministic).

    Bids of a process come in publication order (``position``, then the natural order of
    their ids), awards in the natural order of their ids. Columns are turned into Python
    lists once and the orders computed with one sort over all rows, so the cost is a few
    Python operations per bid. The cyclic garbage collector is paused meanwhile: the
    records hold no reference cycles, and its passes over a million new tuples cost as much
    as building them.
    """
    with gc_paused():
        return _build_processes(frames)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block that only builds acyclic records."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _by_tender(make: Any, tender_ids: pd.Series, columns: tuple[list[Any], ...], order: list[int]
               ) -> dict[str, list[Any]]:
    """Records built by ``make`` from the rows of ``columns`` in ``order``, grouped by tender id."""
    tenders = [str(v) for v in tender_ids]
    out: dict[str, list[Any]] = {}
    records = map(make, zip(*([c[i] for i in order] for c in columns), strict=True))
    for tender, record in zip((tenders[i] for i in order), records, strict=True):
        out.setdefault(tender, []).append(record)
    return out


def _build_processes(frames: OcdsFrames) -> list[Process]:
    b = frames.bids
    bids: dict[str, list[BidRecord]] = {}
    if not b.empty:
        bid_ids = [str(v) for v in b["bid_id"]]
        position = _objects(b["position"])
        positions = [1 << 30 if v is None else int(v) for v in position]  # unknown: after the known ones
        columns = (bid_ids, _objects(b["status"]), _objects(b["amount"]), _objects(b["currency"]),
                   _objects(b["submitted_at"]), [_sorted_tuple(t) for t in b["tenderers"]],
                   [_sorted_tuple(t) for t in b["lots"]], position)
        bids = _by_tender(BidRecord._make, b["tender_id"], columns, _natural_order(bid_ids, positions))
    a = frames.awards
    awards: dict[str, list[AwardRecord]] = {}
    if not a.empty:
        award_ids = [str(v) for v in a["award_id"]]
        award_columns = (award_ids, _objects(a["status"]), _objects(a["amount"]), _objects(a["currency"]),
                         [_sorted_tuple(t) for t in a["suppliers"]], [tuple(t) for t in a["classification_ids"]],
                         [_sorted_tuple(t) for t in a["related_bids"]], [_sorted_tuple(t) for t in a["lots"]])
        awards = _by_tender(AwardRecord._make, a["tender_id"], award_columns, _natural_order(award_ids))
    lots: dict[str, list[str]] = {}
    for row in frames.lots.itertuples(index=False):
        lots.setdefault(str(row.tender_id), []).append(str(row.lot_id))
    pr = frames.processes
    names = COLUMNS["processes"]
    out = []
    for values in zip(*(_objects(pr[c]) for c in names), strict=True):
        facts = dict(zip(names, values, strict=True))
        ocid = str(facts.pop("tender_id"))
        out.append(Process(ocid=ocid, **facts, bids=tuple(bids.get(ocid, ())), awards=tuple(awards.get(ocid, ())),
                           lots=tuple(sorted(lots.get(ocid, [])))))
    return sorted(out, key=lambda p: p.ocid)
