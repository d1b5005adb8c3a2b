"""Projections out of Neo4j: the market as the frames detectors read (:mod:`detectors.market`).

:func:`read_market` runs the named queries ``cypher/read_*.cypher`` in read transactions and
returns a :class:`~detectors.market.MarketData` whose frames have exactly the contract's
columns. Three choices keep a 300k-bid market readable in seconds:

* **keyset paging** — every query reads one page of its anchor nodes (``WHERE x.id > $after
  ORDER BY x.id LIMIT $limit``, served by the uniqueness constraint's index) and returns the
  page's rows as one list, so the server never holds the whole result and the client decodes
  a few big lists instead of one record per row;
* **temporal values as ISO strings** — hydrating ``neo4j.time`` objects costs more than the
  rest of the read; strings are parsed by pandas in one vectorised call (offsets are
  converted to UTC; local values are taken as UTC);
* **winners joined in pandas** — ``bids.is_winner`` comes from the AWARDED_TO pairs
  (``read_awards``), not from a per-row existence check.

Pages are separate read transactions: run the detectors when no load is writing, or accept
that a page may see a later state than the one before it.

``firm_identifiers`` is the union of a firm's own phones/e-mails/addresses, the IPs and
document hashes its bids share with another firm's bids (read once, from the IP and Document
side, and joined to the bids in pandas: ``bids.ip`` and ``bids.document_hash``), and the
persons holding a role in it; ``person_identifiers`` is the union of officials' and persons'
contact details. Every frame is sorted by its natural key so a detector sees the same row
order whatever order the server returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from detectors.market import (
    BOOL_COLUMNS,
    COLUMNS,
    DATE_COLUMNS,
    NOT_TENDERED,
    MarketData,
    naive_utc,
    shared_traces,
    with_lot_units,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 50_000  # anchor nodes per page
# Queries in flight at once. Each page is computed by one server thread and then decoded by
# the client, so with two queries in flight the server works on one while Python decodes the
# other; a third keeps both busy when one query is short. More only queue on a small machine.
READ_WORKERS = 3
# rough relative cost of each query (rows × expansions at demo scale), to start the longest first
QUERY_WEIGHT = {"read_bids": 9, "read_bid_documents": 8, "read_bid_ips": 7, "read_inspections": 4,
                "read_approvals": 3, "read_evaluations": 3, "read_tenders": 3}

# frame → the named queries whose rows make it up (concatenated in this order)
FRAME_QUERIES: dict[str, tuple[str, ...]] = {
    "tenders": ("read_tenders",),
    "bids": ("read_bids",),
    "firms": ("read_firms",),
    "officials": ("read_officials",),
    "departments": ("read_departments",),
    "inspections": ("read_inspections",),
    "approvals": ("read_approvals",),
    "evaluations": ("read_evaluations",),
    "firm_identifiers": ("read_firm_contacts", "read_firm_persons"),  # + the bids' IPs and documents
    "person_identifiers": ("read_official_identifiers", "read_person_identifiers"),
    "person_roles": ("read_person_roles",),
    "relations": ("read_relations",),
    "assignments": ("read_assignments",),
}

# the columns each query's rows hold, when they differ from the frame's contract columns
QUERY_COLUMNS: dict[str, list[str]] = {
    # one row per bid, for the market (one row per tenderer) and the red flags' OCDS frame alike
    "read_bids": ["bid_id", "tender_id", "tenderers", "amount", "submitted_at", "disqualified", "status",
                  "currency", "lots", "position"],
    "read_awards": ["tender_id", "firm_id"],
    "read_tenders": [c for c in COLUMNS["tenders"] if c != "lot_of"],  # lot units are made here (with_lot_units)
}
# the OCDS lots and awards that split a tender's bids lot by lot (detectors.market.with_lot_units), with
# the columns the red flags' OCDS frame reads them with (one read serves both inside shared_reads)
LOT_QUERIES: dict[str, list[str]] = {
    "read_ocds_lots": ["lot_id", "tender_id", "title", "value", "currency"],
    "read_ocds_awards": ["award_id", "tender_id", "status", "amount", "currency", "suppliers", "classification_ids",
                         "related_bids", "lots"],
}

# the queries of the bids' identifiers → (the bids frame's column, the identifier kind)
BID_IDENTIFIER_QUERIES: dict[str, tuple[str, str]] = {
    "read_bid_ips": ("ip", "ip"), "read_bid_documents": ("document_hash", "document"),
}

# every query of the market → its columns (read_awards marks the bids' winners)
MARKET_QUERIES: dict[str, list[str]] = {
    **{name: QUERY_COLUMNS.get(name, COLUMNS[frame]) for frame, names in FRAME_QUERIES.items() for name in names},
    "read_awards": QUERY_COLUMNS["read_awards"],
    **{name: ["bid_id", column] for name, (column, _) in BID_IDENTIFIER_QUERIES.items()},
    **LOT_QUERIES,
}
# the extra queries a frame is assembled from
EXTRA_QUERIES: dict[str, set[str]] = {"bids": {"read_awards", *BID_IDENTIFIER_QUERIES},
                                      "firm_identifiers": {"read_bids", *BID_IDENTIFIER_QUERIES}}

# the columns each frame is sorted by after reading, for a stable row order
SORT_KEYS: dict[str, list[str]] = {
    "tenders": ["tender_id"],
    "bids": ["bid_id"],
    "firms": ["firm_id"],
    "officials": ["official_id"],
    "departments": ["department_id"],
    "inspections": ["inspection_id"],
    "approvals": ["approval_id"],
    "evaluations": ["tender_id", "official_id"],
    "firm_identifiers": ["firm_id", "kind", "value", "via"],
    "person_identifiers": ["owner_kind", "owner_id", "kind", "value"],
    "person_roles": ["person_id", "firm_id", "role"],
    "relations": ["official_id", "person_id"],
    "assignments": ["official_id", "firm_id"],
}

def _iso(value: Any) -> Any:
    """A temporal object (neo4j.time or datetime) → ISO string; strings and None pass through."""
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "to_native"):  # neo4j.time.Date / DateTime / LocalDateTime
        value = value.to_native()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def to_datetimes(values: pd.Series) -> pd.Series:
    """ISO strings or Neo4j temporal values → naive UTC ``datetime64[ns]`` (:func:`detectors.market.naive_utc`)."""
    if not values.empty and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = pd.Series([v if v is None or isinstance(v, str) else _iso(v) for v in values],
                           index=values.index, dtype=object)
    return naive_utc(values)


_shared: dict[tuple[int, str, int], Future[pd.DataFrame]] | None = None
_shared_lock = threading.Lock()


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, a paged query asked for twice (on one database) is read once.

    The job runner reads the market and the red flags' OCDS frame at the same time, and both
    are built from ``read_bids``: inside this block the second asker waits for the first
    one's rows instead of reading every bid again. Outside it, every read goes to the server.
    """
    global _shared
    with _shared_lock:
        _shared = {}
    try:
        yield
    finally:
        with _shared_lock:
            _shared = None


def read_rows(db: Any, name: str, columns: list[str], page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """All pages of the paged named query ``name`` as one frame with ``columns`` (a copy of the
    rows already read for another frame inside :func:`shared_reads`)."""
    with _shared_lock:
        shared, owner = _shared, False
        if shared is not None:
            key = (id(db), name, page_size)
            if key not in shared:
                shared[key], owner = Future(), True
            future = shared[key]
    if shared is None:
        return _read_rows(db, name, columns, page_size)
    if owner:
        try:
            future.set_result(_read_rows(db, name, columns, page_size))
        except BaseException as error:
            future.set_exception(error)
            raise
    frame = future.result()
    if list(frame.columns) != columns:
        raise ValueError(f"{name} was read with columns {list(frame.columns)}, not {columns}")
    return frame.copy()


def _read_rows(db: Any, name: str, columns: list[str], page_size: int) -> pd.DataFrame:
    rows: list[list[Any]] = []
    after = ""
    while after is not None:
        page = db.read_frame(name, columns=["rows", "next_after"], after=after, limit=page_size)
        if page.empty:
            break
        rows.extend(page.at[0, "rows"])
        after = page.at[0, "next_after"]
    return pd.DataFrame(rows, columns=columns)


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` stably sorted by ``keys`` (missing values last), through Arrow's sort for string keys."""
    if frame.empty:
        return frame
    if len(keys) == 1 and frame[keys[0]].is_monotonic_increasing:  # pages come in key order
        return frame
    try:
        table = pa.table({k: pa.array(frame[k].tolist(), from_pandas=True) for k in keys})
        order = pc.sort_indices(table, sort_keys=[(k, "ascending", "at_end") for k in keys])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # mixed types in a key
        return frame.sort_values(keys, kind="stable", na_position="last")
    return frame.take(order.to_numpy())


def bid_identifiers(bids: pd.DataFrame, carried: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ``firm_identifiers`` rows of the bids' IPs and documents that link firms
    (:func:`detectors.market.shared_traces`), from every value a bid carries (the bids frame keeps
    one). ``bids`` has ``bid_id, firm_id``; ``carried`` maps each query of
    :data:`BID_IDENTIFIER_QUERIES` to its (bid_id, value) rows.
    """
    firm_of_bid = bids[["bid_id", "firm_id"]].dropna().drop_duplicates()  # a consortium's bid: one row per firm
    parts = [pd.DataFrame(columns=COLUMNS["firm_identifiers"])]
    for name, (column, kind) in BID_IDENTIFIER_QUERIES.items():
        rows = carried[name].dropna().merge(firm_of_bid, on="bid_id")
        parts.append(shared_traces(rows[["firm_id", column]].set_axis(["firm_id", "value"], axis=1), kind))
    return pd.concat(parts, ignore_index=True)


def _with_bid_identifiers(bids: pd.DataFrame, carried: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``bids`` with ``ip`` and ``document_hash``: each bid's value, the lowest where it has several."""
    for name, (column, _) in BID_IDENTIFIER_QUERIES.items():
        rows = carried.get(name, pd.DataFrame(columns=["bid_id", column])).dropna()
        several = rows["bid_id"].duplicated(keep=False).to_numpy()
        if several.any():  # rare: a bid loaded from two sources with different values
            lowest = rows.loc[several].groupby("bid_id")[column].min()
            rows = pd.concat([rows.loc[~several], lowest.reset_index()], ignore_index=True)
        at = pd.Index(rows["bid_id"]).get_indexer(bids["bid_id"])
        values = rows[column].to_numpy(dtype=object)
        bids[column] = np.where(at >= 0, values[at], None) if len(values) else None
    return bids


def assemble(frame: str, parts: list[pd.DataFrame], awards: pd.DataFrame | None = None,
             carried: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One market frame from its queries' rows: concatenated, winners marked, the bids' IPs and
    documents joined (``carried``: :data:`BID_IDENTIFIER_QUERIES` rows), types converted, sorted."""
    non_empty = [p for p in parts if not p.empty]
    if len(non_empty) > 1:
        result = pd.concat(non_empty, ignore_index=True)
    else:
        result = non_empty[0] if non_empty else parts[0]
    if frame == "bids":
        awards = awards if awards is not None else pd.DataFrame(columns=QUERY_COLUMNS["read_awards"])
        won = pd.MultiIndex.from_frame(awards[["tender_id", "firm_id"]].astype(object))
        result["is_winner"] = pd.MultiIndex.from_frame(result[["tender_id", "firm_id"]].astype(object)).isin(won) \
            if not result.empty else pd.Series(dtype=bool)
        result = _with_bid_identifiers(result, carried or {})
    for column in DATE_COLUMNS.get(frame, []):
        result[column] = to_datetimes(result[column])
    for column in BOOL_COLUMNS.get(frame, []):  # a missing flag (null) reads as False
        result[column] = result[column].eq(True).astype(bool)
    return _sorted(result, SORT_KEYS[frame]).reset_index(drop=True)


def market_bids(rows: pd.DataFrame) -> pd.DataFrame:
    """``read_bids`` rows (one per bid, tenderers in id order) → the market's: one per tenderer,
    bids of no firm left out, and bids whose OCDS status says they were never an offer in the
    competition (:data:`~detectors.market.NOT_TENDERED`: invited, withdrawn)."""
    standing = rows[~rows["status"].isin(NOT_TENDERED)]
    per_firm = standing[["bid_id", "tender_id", "tenderers", "amount", "submitted_at", "disqualified", "currency"]]
    per_firm = per_firm.explode("tenderers", ignore_index=True).rename(columns={"tenderers": "firm_id"})
    return per_firm.dropna(subset=["firm_id"]).reset_index(drop=True)


def read_market(db: Any, page_size: int = PAGE_SIZE, workers: int | None = None) -> MarketData:
    """Every frame of :class:`~detectors.market.MarketData`, read from the graph.

    Parameters
    ----------
    db : graph.db.Database
        A connected database.
    page_size : int
        Anchor nodes per page (see the module docstring).
    workers : int, optional
        Queries run at once [READ_WORKERS].

    Returns
    -------
    MarketData
        Frames with exactly the contract's columns and dtypes (see :mod:`detectors.market`).
    """
    started = time.perf_counter()
    # each frame is assembled as soon as its queries are in, while the server still works
    # on the others (the longest query runs alone at the end otherwise)
    needs = {frame: set(FRAME_QUERIES[frame]) | EXTRA_QUERIES.get(frame, set()) for frame in COLUMNS}
    rows: dict[str, pd.DataFrame] = {}
    frames: dict[str, pd.DataFrame] = {}
    bid_lots = pd.DataFrame(columns=["bid_id", "lots"])
    for name, result in _completed(db, dict(sorted(MARKET_QUERIES.items(), key=lambda item: -QUERY_WEIGHT.get(item[0], 0))),
                                   page_size, workers):  # the biggest first: they finish last
        if name == "read_bids":
            bid_lots = result[["bid_id", "lots"]]
        rows[name] = market_bids(result) if name == "read_bids" else result
        for frame in [f for f in COLUMNS if f not in frames and needs[f] <= rows.keys()]:
            parts = [rows[n] for n in FRAME_QUERIES[frame]]
            carried = {n: rows[n] for n in BID_IDENTIFIER_QUERIES if n in rows}
            if frame == "firm_identifiers":
                parts.append(bid_identifiers(rows["read_bids"], carried))
            frames[frame] = assemble(frame, parts, rows["read_awards"] if frame == "bids" else None, carried)
    log.debug("read market in %.2f s", time.perf_counter() - started)
    return with_lot_units(MarketData.build(traced=True, **{frame: frames[frame] for frame in COLUMNS}), bid_lots,
                          rows["read_ocds_lots"], rows["read_ocds_awards"])


def read_concurrently(db: Any, queries: dict[str, list[str]], page_size: int = PAGE_SIZE,
                      workers: int | None = None) -> dict[str, pd.DataFrame]:
    """All rows of each paged named query (name → its columns), ``workers`` queries in flight at once."""
    rows = dict(_completed(db, queries, page_size, workers))
    return {name: rows[name] for name in queries}


def _completed(db: Any, queries: dict[str, list[str]], page_size: int = PAGE_SIZE,
               workers: int | None = None) -> Iterator[tuple[str, pd.DataFrame]]:
    """(name, all rows) of each paged named query as it completes, ``workers`` queries in flight at once."""
    def timed(name: str) -> pd.DataFrame:
        started = time.perf_counter()
        result = read_rows(db, name, queries[name], page_size)
        log.debug("read %s: %d rows in %.2f s", name, len(result), time.perf_counter() - started)
        return result

    with ThreadPoolExecutor(max_workers=workers or READ_WORKERS, thread_name_prefix="read") as pool:
        futures = {pool.submit(timed, name): name for name in queries}
        for future in as_completed(futures):
            yield futures[future], future.result()


# -- the OCDS frame of the red flags ------------------------------------------------------------

# OCDS frame → the paged named queries whose rows make it up (concatenated in this order)
OCDS_QUERIES: dict[str, tuple[str, ...]] = {
    "processes": ("read_ocds_processes",),
    "bids": ("read_bids",),  # the market's bid rows (read once for both inside shared_reads)
    "awards": ("read_ocds_awards", "read_ocds_awarded_to"),
    "lots": ("read_ocds_lots",),
}


def read_ocds(db: Any, page_size: int = PAGE_SIZE, workers: int | None = None) -> Any:
    """The red flags' OCDS frame (:class:`detectors.red_flags.frames.OcdsFrames`), read like the market.

    Keyset-paged ``cypher/read_ocds_*.cypher`` queries and the market's ``read_bids`` (one
    row per bid with its OCDS status, currency, lots and position) run concurrently
    (streaming one record per bid cost the client several times the server's work); inside
    :func:`shared_reads` the bids already read for the market are reused. Tenders loaded from
    the CSV bundle are projected too (bid status from ``disqualified``, AWARDED_TO as active
    awards), so the flags run on any market.
    """
    from detectors.red_flags.frames import COLUMNS as OCDS_COLUMNS
    from detectors.red_flags.frames import OcdsFrames

    rows = read_concurrently(db, {name: QUERY_COLUMNS.get(name, OCDS_COLUMNS[frame])
                                  for frame, queries in OCDS_QUERIES.items() for name in queries}, page_size, workers)
    rows["read_bids"] = rows["read_bids"][OCDS_COLUMNS["bids"]]
    frames = {}
    for frame, queries in OCDS_QUERIES.items():
        parts = [rows[n].dropna(axis=1, how="all") for n in queries if not rows[n].empty]
        frames[frame] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else (parts[0] if parts else None)
    return OcdsFrames.build(**frames)


# -- warming a freshly started server ---------------------------------------------------------

# Anchor nodes read by each query of :func:`warm_up`. A just-started JVM runs the Cypher
# operators interpreted until the JIT has seen them run often enough (C2 compiles a method
# after some 10⁴ invocations); the first detector run after a start then costs the server
# about 3 × the CPU of a warm one (scale-10 demo: 65 s against 17 s, read 60 s against 17 s).
# One page of 25 000 anchors takes every per-row path of every query well past that
# threshold (10 000 left the next read still ~40 % slow), whatever the size of the graph.
WARMUP_ANCHORS = 25_000


def warm_up(db: Any, anchors: int = WARMUP_ANCHORS) -> int:
    """Run the first page (``anchors`` anchor nodes) of every read query and drop the rows.

    Called after a server start (``python -m graph server start``) so that the first
    detector run does not pay for the JIT compilation of the read path. Returns the number
    of queries run.
    """
    names = list(dict.fromkeys([*MARKET_QUERIES, *(n for queries in OCDS_QUERIES.values() for n in queries)]))
    for name in names:
        db.read_frame(name, columns=["rows", "next_after"], after="", limit=anchors)
    return len(names)
