"""What detectors read: the market as plain pandas frames (no driver in sight).

:class:`MarketData` is the contract between :mod:`graph.readers` (which projects these
frames out of Neo4j) and the detectors (pure functions over them). Tests build it by hand
from tiny fixtures; real runs read it from the graph. Every frame has exactly the columns
listed in :data:`COLUMNS`, in that order; missing optional values are NaN/None.

Dates are ``datetime64[ns]`` (NaT when unknown); amounts are float; booleans are bool.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS: dict[str, list[str]] = {
    # one row per tender
    # lot_of: for a lot competed on its own (:func:`with_lot_units`), the tender it is a lot of
    "tenders": ["tender_id", "department_id", "title", "category", "region", "budget", "currency",
                "published_at", "deadline_at", "procedure", "award_criteria", "winner_firm_id", "award_amount",
                "lot_of"],
    # one row per bid; is_winner is True for the bid of the awarded firm; ip / document_hash:
    # the address the bid was sent from and its document file's hash (the lowest if several);
    # bids whose OCDS status is in NOT_TENDERED (invited, withdrawn) are not in it
    # currency: the bid's (OCDS value.currency), else its tender's; null where neither names one
    "bids": ["bid_id", "tender_id", "firm_id", "amount", "submitted_at", "disqualified", "is_winner",
             "ip", "document_hash", "currency"],
    # locality: the county-level division the firm is based in (graph.model Firm.locality)
    "firms": ["firm_id", "name", "reg_no", "locality"],
    "officials": ["official_id", "name", "department_id", "role"],
    "departments": ["department_id", "name"],
    "inspections": ["inspection_id", "official_id", "firm_id", "date", "kind", "result", "penalty"],
    "approvals": ["approval_id", "official_id", "firm_id", "kind", "applied_at", "decided_at",
                  "decision", "statutory_days"],
    # evaluation committee membership
    "evaluations": ["tender_id", "official_id"],
    # shared identifiers of firms: kind in {phone, email, address, ip, document, person};
    # ip/document: the values its bids share with another firm's bids (graph.readers; bids has
    # every bid's own), person: from legal rep/shareholder/director roles
    # (value = person_id, via = the role)
    "firm_identifiers": ["firm_id", "kind", "value", "via"],
    # identifiers of officials and of persons: owner_kind in {official, person}
    "person_identifiers": ["owner_kind", "owner_id", "kind", "value"],
    # person → firm roles: role in {legal_rep, shareholder, director}; person_name for sentences
    "person_roles": ["person_id", "firm_id", "role", "share", "person_name"],
    # declared family ties of officials; person_name: the relative's name, for sentences
    "relations": ["official_id", "person_id", "relation", "person_name"],
    # case-officer assignments (RESPONSIBLE_FOR): since/until NaT when open
    "assignments": ["official_id", "firm_id", "since", "until"],
}

# OCDS bid statuses (bidStatus codelist) of bids that are not offers standing in the competition:
# an invitation to tender, and a bid its firm took back. Neither is a co-bid or a price.
NOT_TENDERED = frozenset({"invited", "withdrawn"})

DATE_COLUMNS = {
    "tenders": ["published_at", "deadline_at"],
    "bids": ["submitted_at"],
    "inspections": ["date"],
    "approvals": ["applied_at", "decided_at"],
    "assignments": ["since", "until"],
}
FLOAT_COLUMNS = {
    "tenders": ["budget", "award_amount"],
    "bids": ["amount"],
    "inspections": ["penalty"],
    "approvals": ["statutory_days"],
    "person_roles": ["share"],
}
BOOL_COLUMNS = {"bids": ["disqualified", "is_winner"]}
# the bids' traces that tie firms: firm_identifiers kind → bids column
BID_TRACE_COLUMNS: dict[str, str] = {"ip": "ip", "document": "document_hash"}


_TRUE = {"true", "1", "yes", "y", "t", "是"}
# inspection results (compared lower-case, stripped) that count as a pass / a failure
PASSED_RESULTS: tuple[str, ...] = ("pass", "passed", "合格", "通过")
FAILED_RESULTS: tuple[str, ...] = ("fail", "failed", "不合格", "不通过", "未通过")


def plain_text(values: pd.Series) -> pd.Series:
    """Free text compared as a value: stripped, lower-case, missing stays missing."""
    return values.astype("string").str.strip().str.lower()


def once_per_id(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` with a record read twice (its ``key`` repeated) once: the first row of each id, and every
    row without one. An inspection or approval id names one record; a bid id does not (a consortium's bid
    is one row per partner)."""
    return frame[frame[key].isna() | ~frame[key].duplicated()]


def stripped(values: pd.Series) -> pd.Series:
    """``values.astype(str).str.strip()``, an order of magnitude faster when every value is a
    string (one list comprehension instead of pandas' per-element machinery; a market has
    hundreds of thousands of bid IPs and document hashes)."""
    try:
        return pd.Series([v.strip() for v in values.to_numpy(dtype=object)], index=values.index, dtype=object)
    except AttributeError:  # a number or a missing value among them
        return values.astype(str).str.strip()


ZONE_SUFFIX = r"\[[^\]]*\]$"  # a named zone after the offset: …+01:00[Europe/Berlin]
HAS_OFFSET = r"T.*(?:Z|[+-]\d\d(?::?\d\d)?)$"  # an offset in the clock part (a date's "-05" is not one)


# the layout nearly every instant has: seconds, then Z or a numeric offset (parsed by Arrow)
PLAIN_INSTANT = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d(?::?\d\d)?)$"


def naive_utc(values: pd.Series) -> pd.Series:
    """ISO text (or timestamps) → naive UTC ``datetime64[ns]``; unparseable → NaT.

    ``2024-01-05`` → midnight; ``…T11:30:00+02:00`` → 09:30 (converted to UTC, zone dropped);
    ``…T08:00:00`` without an offset is taken as UTC. Values without an offset get ``Z``
    before parsing because pandas would otherwise apply the offset of a neighbouring value
    to them, so the result would depend on row order. The string work is vectorised (Arrow
    string kernels), and values of the plain layout ``YYYY-MM-DDTHH:MM:SS`` + ``Z`` or
    ``±HH[:MM]`` are parsed by Arrow's ``strptime`` (a day that does not exist, such as
    February 30, is NaT as pandas has it); the rest (fractions of a second, other ISO forms)
    go through pandas' ISO 8601 parser. A column of 300k instants converts in about 0.1 s.
    """
    if values.empty or pd.api.types.infer_dtype(values, skipna=True) != "string":
        parsed = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
        return pd.Series(parsed, index=values.index).dt.tz_localize(None).astype("datetime64[ns]")
    text = values.astype("string[pyarrow]").str.replace(ZONE_SUFFIX, "", regex=True)
    text = _clock_after_t(text)  # "2024-01-05 08:00:00"
    dated = ~text.str.contains("T", regex=False).fillna(True)
    local = ~text.str.contains(HAS_OFFSET, regex=True).fillna(True) & ~dated
    text = text.where(~dated, text + "T00:00:00Z").where(~local, text + "Z")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    plain = text.str.match(PLAIN_INSTANT).fillna(False).to_numpy(bool)
    if plain.any():
        out.iloc[np.flatnonzero(plain)] = _plain_instants(text[plain])
    rest = ~plain & text.notna().to_numpy(bool)
    if rest.any():
        parsed = pd.to_datetime(text[rest].astype(object), errors="coerce", utc=True, format="ISO8601")
        out.iloc[np.flatnonzero(rest)] = pd.Series(parsed).dt.tz_localize(None).astype("datetime64[ns]").to_numpy()
    return out


# a date, a space and an hour; \p{Nd} is what Python's \d matches in text (any decimal digit)
SPACED_CLOCK = r"^(\p{Nd}{4}-\p{Nd}\p{Nd}-\p{Nd}\p{Nd}) (\p{Nd}\p{Nd}:)"


def _clock_after_t(text: pd.Series) -> pd.Series:
    """``2024-01-05 08:00:00`` → ``2024-01-05T08:00:00`` (Arrow strings). Arrow's regex kernel, because
    pandas sends a replacement with a back-reference to Python's ``re`` one value at a time: 15 s of
    CPU for the 1.5 million instants a market read at demo scale 30, a third of its client's work."""
    replaced = pc.replace_substring_regex(pa.array(text), SPACED_CLOCK, r"\1T\2")
    return pd.Series(pd.arrays.ArrowStringArray(replaced), index=text.index)


def _plain_instants(text: pd.Series) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM:SS`` + ``Z`` / ``±HH[:MM]`` → naive UTC ``datetime64[ns]`` values."""
    clock = pa.array(text.str.slice(0, 19))
    parsed = pc.strptime(clock, format="%Y-%m-%dT%H:%M:%S", unit="ns", error_is_null=True)
    # strptime rolls February 30 over into March; such a day is not a date
    day = pc.cast(pc.utf8_slice_codeunits(clock, 8, 10), pa.int64())
    parsed = pc.if_else(pc.equal(pc.day(parsed), day), parsed, pa.scalar(None, parsed.type))
    local = parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
    zone = pc.replace_substring(pc.utf8_slice_codeunits(pa.array(text), 19), ":", "")  # Z, +0800, -05, …
    sign = np.where(pc.starts_with(zone, "-").to_numpy(zero_copy_only=False), -1, 1)
    digits = pc.utf8_rpad(pc.utf8_slice_codeunits(zone, 1), 4, "0")  # "" (Z) → 0000, "08" → 0800
    hours = pc.cast(pc.utf8_slice_codeunits(digits, 0, 2), pa.int64()).to_numpy()
    minutes = pc.cast(pc.utf8_slice_codeunits(digits, 2, 4), pa.int64()).to_numpy()
    utc = local - (sign * (hours * 60 + minutes)).astype("timedelta64[m]")
    return np.where((hours < 24) & (minutes < 60), utc, np.datetime64("NaT", "ns"))


def conform(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``frame`` with exactly the contract's columns and dtypes for frame ``name``."""
    columns = COLUMNS[name]
    if frame is None:
        frame = pd.DataFrame(columns=columns)
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[columns]
    for column in DATE_COLUMNS.get(name, []):
        frame[column] = naive_utc(frame[column])
    for column in FLOAT_COLUMNS.get(name, []):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in BOOL_COLUMNS.get(name, []):
        values = frame[column]
        if values.dtype != bool:
            # strings are read by their words ("false" is False); everything else by truth
            text = values.astype("string").str.strip().str.lower()
            is_text = values.map(lambda v: isinstance(v, str))
            values = values.where(~is_text & values.notna(), False).astype(bool) | (is_text & text.isin(_TRUE))
        frame[column] = values.astype(bool)
    for column in columns:
        if column.endswith("_id") and column in frame.columns:
            frame[column] = frame[column].where(frame[column].isna(), frame[column].astype(str))
    return frame.reset_index(drop=True)


def shared_traces(carried: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``firm_identifiers`` rows of one kind of bid trace (:data:`BID_TRACE_COLUMNS`): one per
    distinct (firm, value) for the values that bids of two or more firms carry, ``via`` empty.

    ``carried`` has ``firm_id, value``, one row per bid and value (a consortium's bid: one per
    partner). A value only one firm's bids carry (its own line; a document hash, unique to its
    bid as a rule) ties it to nobody, and leaving it out keeps 235 000 single-bid hashes at
    demo scale 10 out of every detector's identifier tables (the bids frame still has them).
    """
    rows = carried.dropna(subset=["firm_id", "value"])
    firm, firms = pd.factorize(rows["firm_id"])
    value_codes, values = pd.factorize(rows["value"])
    width = len(values) + 1
    pairs = pd.unique(firm.astype(np.int64) * width + value_codes)  # distinct (firm, value)
    firm_of, value_of = pairs // width, pairs % width
    shared = np.bincount(value_of, minlength=len(values))[value_of] >= 2
    return pd.DataFrame({"firm_id": firms.take(firm_of[shared]), "kind": kind,
                         "value": values.take(value_of[shared]), "via": None})


def _with_bid_traces(identifiers: pd.DataFrame, bids: pd.DataFrame) -> pd.DataFrame:
    """``identifiers`` and the traces the bids' own ``ip`` and ``document_hash`` share
    (:func:`shared_traces`), once each: what :mod:`graph.readers` adds from the graph, so a market
    built by hand from bid rows (a bundle, a test, a benchmark) ties its firms as a read one does."""
    traced = []
    for kind, column in BID_TRACE_COLUMNS.items():
        values = bids[column].where(bids[column].isna(), bids[column].astype(str).str.strip())
        rows = pd.DataFrame({"firm_id": bids["firm_id"], "value": values.mask(values == "")})
        traced.append(shared_traces(rows, kind))
    traced = [t for t in traced if not t.empty]
    if not traced:
        return identifiers
    both = pd.concat([identifiers, *traced], ignore_index=True)
    return both.loc[~both.duplicated(["firm_id", "kind", "value", "via"])].reset_index(drop=True)


@dataclass(frozen=True)
class MarketData:
    """All frames a detector may read. Build with :meth:`build` to conform every frame."""

    tenders: pd.DataFrame
    bids: pd.DataFrame
    firms: pd.DataFrame
    officials: pd.DataFrame
    departments: pd.DataFrame
    inspections: pd.DataFrame
    approvals: pd.DataFrame
    evaluations: pd.DataFrame
    firm_identifiers: pd.DataFrame
    person_identifiers: pd.DataFrame
    person_roles: pd.DataFrame
    relations: pd.DataFrame
    assignments: pd.DataFrame

    @classmethod
    def build(cls, *, traced: bool = False, **frames: Any) -> MarketData:
        """Every frame conformed to :data:`COLUMNS`; the firm ties of the bids' shared IPs and documents
        added to ``firm_identifiers`` (:func:`_with_bid_traces`) unless they are ``traced`` there
        already (:mod:`graph.readers` adds them from every value a bid carries)."""
        unknown = set(frames) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown frames {sorted(unknown)}")
        conformed = {f.name: conform(f.name, frames.get(f.name)) for f in fields(cls)}
        if not traced:
            conformed["firm_identifiers"] = _with_bid_traces(conformed["firm_identifiers"], conformed["bids"])
        return cls(**conformed)

    def tender_days(self) -> pd.Series:
        """tender_id → the tender's date: published, else the deadline; undated tenders absent."""
        return self._tender_dates("published_at", "deadline_at")

    def evaluation_days(self) -> pd.Series:
        """tender_id → when its committee sat: the deadline (bids are opened then), else the
        publication date; undated tenders absent."""
        return self._tender_dates("deadline_at", "published_at")

    def _tender_dates(self, first: str, fallback: str) -> pd.Series:
        tenders = self.tenders.drop_duplicates("tender_id").set_index("tender_id")
        return tenders[first].fillna(tenders[fallback]).dropna()

    def distinct_bids(self) -> pd.DataFrame:
        """One row per (tender, firm) that bid: tender_id, firm_id, is_winner — a firm's winning
        bid kept over a losing duplicate (call :meth:`with_winners` first to fill the winners)."""
        bids = self.bids[["tender_id", "firm_id", "is_winner"]].dropna(subset=["tender_id", "firm_id"])
        return bids.sort_values("is_winner", ascending=False, kind="mergesort").drop_duplicates(["tender_id", "firm_id"])

    def lot_parents(self) -> dict[str, str]:
        """The tender of each lot competed on its own (:func:`with_lot_units`): lot id → tender id."""
        units = self.tenders.dropna(subset=["lot_of"])
        return dict(zip(units["tender_id"].astype(str), units["lot_of"].astype(str), strict=True))

    def with_winners(self) -> MarketData:
        """Fill ``bids.is_winner`` from ``tenders.winner_firm_id`` where it is not already set."""
        winners = self.tenders.drop_duplicates("tender_id").set_index("tender_id")["winner_firm_id"].dropna()
        bids = self.bids.copy()
        mapped = bids["tender_id"].map(winners)
        bids["is_winner"] = bids["is_winner"] | (mapped.notna() & (mapped == bids["firm_id"]))
        return MarketData(**{**{f.name: getattr(self, f.name) for f in fields(self)}, "bids": bids})


def with_lot_units(data: MarketData, bid_lots: pd.DataFrame, lots: pd.DataFrame,
                   awards: pd.DataFrame) -> MarketData:
    """``data`` with each lot of a tender whose bids compete lot by lot as a tender of its own.

    A tender with lots is several competitions: bids for the roof and bids for the gutters are
    not one price to compare, their winners not one winner, and firms bidding for different lots
    did not bid against each other. Where a tender's bids name two or more lots (each bid one lot,
    OCDS ``relatedLots``), each such bid moves to its lot — a row of ``tenders`` whose
    ``tender_id`` is the lot's id (the ``Lot`` node's: ``ocid/lot id``) and ``lot_of`` the tender;
    department, category, region, dates and procedure are the tender's, the budget the lot's value
    (none when the lot has none, or one in another currency), the title the tender's and the
    lot's. A moved bid wins when an active award names it (``relatedBids``), or, where the
    tender's awards name no bids, names its lot and its firm; a tender whose active awards name
    neither keeps its winners as they were. Bids naming no lot or several stay with the tender.
    An unseen-market review: a tender's lots pooled made cover bids sit "31.6 % below to 344.2 %
    above" the winner, and a ring of fixed-margin cover bidders ranked 11th, 1st with its lots apart.

    ``bid_lots`` has ``bid_id, lots`` (a sequence of lot ids per bid); ``lots`` has ``lot_id,
    tender_id, title, value, currency``; ``awards`` has ``tender_id, status, suppliers,
    related_bids, lots`` (sequences).
    """
    named = bid_lots.dropna(subset=["bid_id"])
    one = named.loc[np.array([isinstance(v, (list, tuple)) and len(v) == 1 for v in named["lots"]], dtype=bool)]
    lot_of_bid = pd.Series([str(v[0]) for v in one["lots"]], index=one["bid_id"].astype(str).to_numpy())
    lot_of_bid = lot_of_bid[~lot_of_bid.index.duplicated()]
    bids = data.bids.copy()
    lot = bids["bid_id"].astype(str).map(lot_of_bid)
    per_tender = pd.DataFrame({"tender_id": bids["tender_id"], "lot": lot}).dropna().groupby("tender_id")["lot"].nunique()
    split = set(per_tender.index[per_tender >= 2])
    moved = lot.notna() & bids["tender_id"].isin(split)
    if not moved.any():
        return data
    parent_of = dict(zip(lot[moved], bids.loc[moved, "tender_id"], strict=True))
    won_bids: set[str] = set()
    won_lots: set[tuple[str, str]] = set()
    decided: set[str] = set()  # tenders whose active awards say which bid or lot they award
    for tender, status, suppliers, related, award_lots in awards[
            ["tender_id", "status", "suppliers", "related_bids", "lots"]].itertuples(index=False):
        if tender not in split or status != "active":
            continue
        if isinstance(related, (list, tuple)) and related:
            won_bids.update(map(str, related))
            decided.add(tender)
        elif isinstance(award_lots, (list, tuple)) and award_lots:
            won_lots.update((str(x), str(f)) for x in award_lots for f in (suppliers or ()))
            decided.add(tender)
    recount = moved & bids["tender_id"].isin(decided)
    winner = bids["bid_id"].astype(str).isin(won_bids) | pd.Series(
        [(x, f) in won_lots for x, f in zip(lot.astype(str), bids["firm_id"].astype(str), strict=True)], index=bids.index)
    bids.loc[recount, "is_winner"] = winner[recount]
    bids.loc[moved, "tender_id"] = lot[moved]
    parents = data.tenders.drop_duplicates("tender_id").set_index("tender_id")
    info = lots.dropna(subset=["lot_id"]).drop_duplicates("lot_id").set_index("lot_id")
    units = []
    for unit, parent in parent_of.items():
        row = parents.loc[parent].to_dict() if parent in parents.index else {}
        title = info["title"].get(unit) if "title" in info else None
        value = info["value"].get(unit) if "value" in info else None
        currency = info["currency"].get(unit) if "currency" in info else None
        same = currency is None or pd.isna(currency) or pd.isna(row.get("currency")) or currency == row.get("currency")
        named_title = " — ".join(str(t) for t in (row.get("title"), title) if t is not None and not pd.isna(t))
        units.append({**row, "tender_id": unit, "lot_of": parent, "title": named_title or None,
                      "budget": value if same else None,
                      "currency": row.get("currency") if currency is None or pd.isna(currency) else currency,
                      "winner_firm_id": None, "award_amount": None})
    added = pd.DataFrame(units, columns=COLUMNS["tenders"]).dropna(axis=1, how="all")  # no all-empty columns
    tenders = pd.concat([data.tenders, added], ignore_index=True).reindex(columns=COLUMNS["tenders"])
    # the same bids, moved: the other frames and the firms' traces stay as they are
    return replace(data, tenders=conform("tenders", tenders), bids=conform("bids", bids))
