"""What detectors read: the market as plain pandas frames (no driver in sight).

:class:`MarketData` is the contract between :mod:`graph.readers` (which projects these
frames out of Neo4j) and the detectors (pure functions over them). Tests build it by hand
from tiny fixtures; real runs read it from the graph. Every frame has exactly the columns
listed in :data:`COLUMNS`, in that order; missing optional values are NaN/None.

Dates are ``datetime64[ns]`` (NaT when unknown); amounts are float; booleans are bool.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS: dict[str, list[str]] = {
    # one row per tender
    "tenders": ["tender_id", "department_id", "title", "category", "region", "budget", "currency",
                "published_at", "deadline_at", "procedure", "winner_firm_id", "award_amount"],
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
    text = text.str.replace(r"^(\d{4}-\d\d-\d\d) (\d\d:)", r"\1T\2", regex=True)  # "2024-01-05 08:00:00"
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
    def build(cls, **frames: Any) -> MarketData:
        unknown = set(frames) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown frames {sorted(unknown)}")
        conformed = {f.name: conform(f.name, frames.get(f.name)) for f in fields(cls)}
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

    def with_winners(self) -> MarketData:
        """Fill ``bids.is_winner`` from ``tenders.winner_firm_id`` where it is not already set."""
        winners = self.tenders.drop_duplicates("tender_id").set_index("tender_id")["winner_firm_id"].dropna()
        bids = self.bids.copy()
        mapped = bids["tender_id"].map(winners)
        bids["is_winner"] = bids["is_winner"] | (mapped.notna() & (mapped == bids["firm_id"]))
        return MarketData(**{**{f.name: getattr(self, f.name) for f in fields(self)}, "bids": bids})
