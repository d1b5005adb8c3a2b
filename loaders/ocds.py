"""OCDS loader: Open Contracting Data Standard releases and records into the graph.

Reads, as a stream (memory does not grow with the file): compiled releases as JSON Lines
(one release, record or package per line), release packages and record packages (one JSON
document, read item by item with ijson); any of them plain or gzipped. A record that holds
only full releases is compiled with ocdsmerge; a record with only linked releases is
rejected. Each release maps onto the graph model (:mod:`graph.model` plus the OCDS extension
appended to :mod:`graph.model`):

* ``parties`` → ``Department`` (roles buyer, procuringEntity) and ``Firm`` (tenderer,
  supplier, and every organisation a bid or an award names), with their contact point's
  phone and e-mail and their address as shared ``Phone``/``Email``/``Address`` nodes
  (normalised by :mod:`loaders.identifiers`); the beneficial owners extension
  (``parties[].beneficialOwners``) → ``Person`` ``SHAREHOLDER_OF`` the firm, with their own
  phone, e-mail and address;
* ``tender`` → ``Tender`` (id = ocid): title, tenderPeriod start/end → published_at /
  deadline_at (the day as written, in the date's own offset, as the CSV bundle reads dates)
  and tender_start / tender_end (instant, UTC), value → budget / currency,
  procurementMethod → procedure, procurementMethodDetails, awardCriteria → award_criteria (tidied:
  :func:`loaders.csv_bundle.parse_code`) and awardCriteriaDetails, mainProcurementCategory, category
  (the CPV division or UNSPSC segment most items are in, else mainProcurementCategory: :func:`market_category`),
  status, numberOfTenderers, the items' classification ids; ``tender.lots`` →
  ``Lot``; ``buyer`` → ``ISSUED``, ``tender.procuringEntity`` → ``MANAGED``;
* ``bids.details`` → ``Bid`` (status, amount, currency, date) ``FOR`` the tender, with
  ``SUBMITTED`` from *every* tenderer (a consortium bid links all its members) and
  ``FOR_LOT`` from relatedLots; ``disqualified`` is status = disqualified; without the bids
  extension, ``tender.tenderers`` → one Bid of no amount per tenderer (``ocid/tenderer/<firm>``),
  replaced by the extension's bids when a release gives them;
* ``awards`` → ``Award`` (status, value, date, items' classification ids) with
  ``AWARD_SUPPLIER`` to every supplier, ``AWARDS_BID`` from relatedBids, ``FOR_LOT``; the
  tender is ``AWARDED_TO`` the suppliers of its *active* awards and of those with no status
  (optional in OCDS; a status outside the awardStatus codelist is a reject, ``Active`` reads
  ``active``), recomputed from the Award nodes on each load, so a later release that cancels
  an award removes the edge; the edge's amount is the sum of the firm's awards where they
  name one currency;
* ``contracts`` → ``Contract`` under its award.

Ids are namespaced by ocid: tender = ocid, bid = ocid/bid id (ocid/bid-<index> when the
bid has no id), award, lot and contract likewise. An organisation is keyed by its
identifier (``scheme-id``) when its party entry has one; otherwise by ``ocid/party id``
(the default, safe when publishers reuse local ids such as "1") or, with
``--party-ids global``, by the party id as published (for sources whose party ids are
already global, as Cardinal assumes).

Bad or partial releases go to the rejects file (``loaders.rejects``): the line (JSON
Lines) or 0 (packages), the JSON path of the bad field (``$.bids.details[3].value.amount``,
prefixed with ``$.releases[i]`` / ``$.records[i]`` inside packages), the value and the
reason; the rest of the release is still loaded. Writes are batched ``UNWIND … MERGE``
named queries (``cypher/ocds_*.cypher``) on natural keys, so reloading changes nothing.

Usage: ``python -m loaders ocds FILE ... [--rejects FILE] [--source NAME] [--party-ids
ocid|global] [--chunk N]``.
"""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import gc
import gzip
import io
import json
import math
import re
import sys
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ijson
import ocdsmerge
from ocdskit.util import is_linked_release

from graph.db import Database, WriteCounters
from graph.model import (
    INDEXED_PROPERTIES,
    MAX_COMPOSED_KEY_BYTES,
    MAX_INDEXED_BYTES,
    MAX_INTEGER,
    MAX_TEXT_BYTES,
)
from graph.schema import apply_schema
from loaders.countries import country_code
from loaders.csv_bundle import EXIT_INPUT, EXIT_OK, LoadEntry, parse_code, run_load
from loaders.identifiers import (
    address_county,
    address_locality,
    normalise_address,
    normalise_email,
    normalise_locality,
    normalise_phones,
)
from loaders.rejects import Reject, RejectLog

#: OCDS 1.1's closed awardStatus codelist. The tender is AWARDED_TO the suppliers of its active awards and
#: of those with no status at all (the field is optional, and publishers of awards alone leave it out);
#: a pending, cancelled or unsuccessful award names no winner
AWARD_STATUSES = ("pending", "active", "cancelled", "unsuccessful")
DEPARTMENT_ROLES = {"buyer", "procuringEntity"}
FIRM_ROLES = {"tenderer", "supplier"}
PARTY_ID_MODES = ("ocid", "global")
DEFAULT_CHUNK = 2000  # releases per flush
DEFAULT_BATCH = 5000  # rows per UNWIND transaction

# Write order matters: nodes before the relationships that MATCH them.
WRITE_ORDER = ("ocds_departments", "ocds_firms", "ocds_persons", "ocds_tenders", "ocds_lots",
               "ocds_tenderer_bids_replaced", "ocds_bids", "ocds_tenderer_bids", "ocds_awards", "ocds_contracts",
               "ocds_awarded_to")


class OcdsFormatError(ValueError):
    """The file is not OCDS JSON in a form this loader reads."""


# -- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One release to load, or the reason there is none, with where it came from."""

    line: int  # physical line for JSON Lines, 0 inside a package
    path: str  # JSON path prefix of the release inside its line/document ("$" for a line)
    release: dict[str, Any] | None
    error: str = ""
    surrogates: bool = False  # its line escapes a UTF-16 surrogate (``\\ud83d``), which may stand alone


#: the deepest nesting a release may have: OCDS needs about ten levels, and Python's JSON tools
#: recurse (a line nested 1,200 deep stopped the whole load with a RecursionError: a review)
MAX_DEPTH = 64
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep (OCDS needs about ten)"

#: JSON is UTF-8 (RFC 8259 §8.1): a file saved in another encoding is converted, not loaded again
NOT_UTF8 = ("not UTF-8 text, as JSON must be (RFC 8259); convert the file first, e.g. "
            "iconv -f latin1 -t utf-8 FILE > FILE.utf-8.json (naming the encoding it was saved in)")

#: a JSON escape of a UTF-16 surrogate: a pair is one character, a lone one is no text at all
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


_HEAD = 1 << 20


class _WholeBeforeTheCut(io.RawIOBase):
    """A gzip file's decompressed bytes, every one of them that comes before the file is cut short.

    The file's first MiB decides its format (a buffered peek), and a gzip reader that hits the end
    of a cut-short file within one read drops what that read had decompressed: a download cut short
    in its first MiB loaded nothing, not its whole releases before the cut. Here a read fills its
    buffer one decompressed chunk at a time and returns what it has; at the cut the stream ends,
    and :attr:`cut` holds the error, for the reader to raise once it has read what came before
    (raised by the next read, it made a JSON parser's buffered read drop the releases just before
    the cut). Damage that the checksum or the decompressor finds is raised at once: the bytes
    before it are not known to be right."""

    def __init__(self, raw: io.BufferedReader[Any]) -> None:
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw)
        self.cut: EOFError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.cut is not None:
            return 0
        view = memoryview(buffer).cast("B")
        filled = 0
        try:
            while filled < len(view) and (chunk := self._gzip.read1(len(view) - filled)):
                view[filled:filled + len(chunk)] = chunk
                filled += len(chunk)
        except EOFError as error:
            self.cut = error
        return filled

    def close(self) -> None:
        self._gzip.close()
        self._raw.close()
        super().close()


def _open_binary(path: Path) -> io.BufferedReader[Any]:
    raw = io.BufferedReader(io.FileIO(path, "rb"), buffer_size=_HEAD)  # closed by the caller
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return io.BufferedReader(_WholeBeforeTheCut(raw), buffer_size=_HEAD)
    return raw


def _skip_bom(handle: io.BufferedReader[Any]) -> None:
    """Drop a UTF-8 byte order mark (editors on Windows write one); JSON parsers refuse it."""
    if handle.peek(len(codecs.BOM_UTF8))[:len(codecs.BOM_UTF8)] == codecs.BOM_UTF8:
        handle.read(len(codecs.BOM_UTF8))


def _json_state(text: bytes) -> str:
    """``whole`` when ``text`` is one JSON value, ``open`` when it is the valid start of one that
    goes on (an object or array left open at the end), ``broken`` otherwise.

    A line that ends inside a string, number or literal is broken: JSON allows no line break there.
    """
    decoded = text.decode("utf-8", errors="replace")
    try:
        json.loads(decoded)
    except json.JSONDecodeError as error:  # where the text stops making sense: at its end = left open
        return "open" if error.pos >= len(decoded.rstrip()) else "broken"
    except RecursionError:  # nested deeper than Python's reader goes: it cannot tell
        return "deep"
    return "whole"


def _first_top_level_key(head: bytes, keys: frozenset[str]) -> str | None:
    """The first of ``keys`` that the JSON object at the start of ``head`` has as its own key (nesting
    counted here, not from ijson's prefixes, which grow with every level of a deeply nested value)."""
    depth = 0
    try:
        for event, value in ijson.basic_parse(io.BytesIO(head)):
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            elif event == "map_key" and depth == 1 and value in keys:
                return str(value)
    except ijson.JSONError:  # the head ends inside the value, or it is broken
        pass
    return None


def _first_lines(head: bytes, count: int) -> tuple[list[bytes], list[bytes]]:
    """The first ``count`` non-blank lines of ``head``, and those of them that end within it
    (the last one may be cut off by the end of the head)."""
    lines: list[bytes] = []
    start = 0
    while len(lines) < count and start < len(head):
        end = head.find(b"\n", start)
        line = head[start:] if end < 0 else head[start:end]
        if line.strip():
            lines.append(line)
        if end < 0:
            return lines, lines[:-1] if line.strip() else lines
        start = end + 1
    return lines, lines


def _looks_like_json_lines(handle: io.BufferedReader[Any]) -> bool:
    """True for JSON Lines (one JSON value per line), False for one package document.

    Decided from the buffered head of the file by structure, not by whether the first line
    parses, so a broken first line is a reject like any other:

    * the first non-blank line is a whole JSON value → JSON Lines (a package on one short line
      is then read as one line);
    * it is the valid start of a value left open (``{``, ``{"uri": "x", "releases": [``) → a
      package, unless the next non-blank line cannot continue it (a JSON Lines line cut short);
    * it is broken JSON → JSON Lines when the next non-blank line starts a new value (``{`` or
      ``[``) or there is none; a package broken in its first line stays a package (one error,
      not a reject for each of its lines);
    * it does not fit the head (over 1 MiB), or is nested too deep for Python's JSON reader to
      tell → a package when the object's first key among
      ``ocid``, ``releases`` and ``records`` is ``releases`` or ``records`` (a package has no
      ``ocid``, a release no ``releases``), JSON Lines otherwise.
    """
    head = handle.peek(_HEAD)
    lines, whole = _first_lines(head, 2)
    if not lines:
        return False
    state = _json_state(whole[0] if whole else lines[0])
    if not whole or state == "deep":  # one line (longer than the head, or no line break), or too deep to tell
        if state == "whole":
            return True
        return _first_top_level_key(head.lstrip(), frozenset({"ocid", "releases", "records"})) == "ocid"
    if state == "whole":
        return True
    if state == "broken":
        return len(lines) == 1 or lines[1].lstrip()[:1] in (b"{", b"[")
    return len(whole) > 1 and _json_state(whole[0] + b"\n" + whole[1]) == "broken"


def _merged_record(record: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The compiled release of a record, compiling full releases with ocdsmerge."""
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return compiled, ""
    releases = record.get("releases")
    if not isinstance(releases, list) or not releases:
        return None, "record has neither compiledRelease nor releases"
    full = [r for r in releases if isinstance(r, dict) and not is_linked_release(r)]
    if not full:
        return None, "record has only linked releases (no data to compile)"
    linked = sum(1 for r in releases if isinstance(r, dict) and is_linked_release(r))
    if linked:  # compiled without them, an old state would be loaded as the whole current one
        return None, (f"record has {linked} linked release(s), which this loader does not fetch, beside "
                      f"{len(full)} embedded, and no compiledRelease: publish the compiledRelease or embed every "
                      "release")
    try:
        # Empty merge rules: arrays of objects merge by id, the rest is replaced; no schema
        # download, so loading works offline.
        return ocdsmerge.Merger(merge_rules={}).create_compiled_release(full), ""
    except Exception as error:  # ocdsmerge raises several types for malformed input
        return None, f"cannot compile record releases: {error}"


def _expand(value: Any, line: int, path: str) -> Iterator[Item]:
    """One JSON value from a line: a release, a record, a whole package, or an array of them (some APIs
    answer with a bare array of releases)."""
    if isinstance(value, list):
        for i, inner in enumerate(value):
            if isinstance(inner, list):  # an array of arrays is no OCDS
                yield Item(line, f"{path}[{i}]", None, "not a JSON object")
            else:
                yield from _expand(inner, line, f"{path}[{i}]")
        return
    if not isinstance(value, dict):
        yield Item(line, path, None, "not a JSON object")
        return
    if isinstance(value.get("records"), list):
        for i, record in enumerate(value["records"]):
            yield from _expand_record(record, line, f"{path}.records[{i}]")
    elif isinstance(value.get("releases"), list) and "ocid" not in value:
        for i, release in enumerate(value["releases"]):
            sub = f"{path}.releases[{i}]"
            yield Item(line, sub, release) if isinstance(release, dict) else Item(line, sub, None, "not a JSON object")
    elif "compiledRelease" in value or isinstance(value.get("releases"), list):
        yield from _expand_record(value, line, path)
    else:
        yield Item(line, path, value)


def _expand_record(record: Any, line: int, path: str) -> Iterator[Item]:
    if not isinstance(record, dict):
        yield Item(line, path, None, "record is not a JSON object")
        return
    release, error = _merged_record(record)
    if release is not None and "ocid" not in release and isinstance(record.get("ocid"), str):
        release = {**release, "ocid": record["ocid"]}
    yield Item(line, path, release, error)


def iter_releases(path: Path) -> Iterator[Item]:
    """Every release in ``path`` (JSON Lines, release package or record package; gzip or not).

    A gzip file that is cut short or damaged raises OcdsFormatError naming the file (releases
    read before the damage have been yielded; the caller may have written some of them).
    """
    try:
        with _open_binary(path) as handle:
            _skip_bom(handle)
            if _looks_like_json_lines(handle):
                for number, raw_line in enumerate(handle, start=1):
                    if not raw_line.strip() or (not raw_line.endswith(b"\n") and _cut_short(handle)):
                        continue  # the line the file breaks off in is the damage, not a reject
                    try:
                        value = json.loads(raw_line)
                    except UnicodeDecodeError as error:
                        yield Item(number, "$", None, f"{NOT_UTF8}: byte 0x{raw_line[error.start]:02x} at "
                                                      f"position {error.start + 1} of the line")
                        continue
                    except ValueError as error:
                        yield Item(number, "$", None, f"invalid JSON: {error}")
                        continue
                    except RecursionError:  # Python's reader recurses: a line nested ~1,000 deep is no release
                        yield Item(number, "$", None, f"JSON {TOO_DEEP}")
                        continue
                    if _SURROGATE_ESCAPE.search(raw_line):
                        yield from (dataclasses.replace(item, surrogates=True) for item in _expand(value, number, "$"))
                    else:
                        yield from _expand(value, number, "$")
            else:
                try:
                    yield from _iter_package(handle, path.name)
                except OcdsFormatError:  # the document breaks off where the file does: the cut says why
                    if not _cut_short(handle):
                        raise
                while handle.read(_HEAD):  # to the end, so that gzip checks its length and CRC
                    pass
            if _cut_short(handle):  # once every whole release before the cut has been read
                raise handle.raw.cut  # type: ignore[attr-defined]
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise OcdsFormatError(
            f"{path.name}: the compressed file is cut short or damaged ({error or type(error).__name__}); "
            "load a whole copy again (re-loading is safe)") from error


def _cut_short(handle: io.BufferedReader[Any]) -> bool:
    """Whether the gzip file ``handle`` reads has ended where it was cut short (:class:`_WholeBeforeTheCut`)."""
    return getattr(handle.raw, "cut", None) is not None


def _iter_package(handle: io.BufferedReader[Any], name: str) -> Iterator[Item]:
    """Stream ``releases[]`` / ``records[]`` of one package document, item by item (or the items of a
    document that is a bare array of releases, records or packages).

    Read from ijson's basic events with the nesting counted here: its prefixed events spell out
    the whole path at every level, which for a hostile value nested 100,000 deep grew without
    bound until the loader was killed (a review). An item nested deeper than :data:`MAX_DEPTH`
    is read past, not built, and rejected."""
    counters = {"releases": 0, "records": 0, "": 0}  # "": the items of a document that is a bare array
    events = ijson.basic_parse(handle, use_float=True)
    depth, key, in_array = 0, "", False  # nesting, the package's key being read, whether its value is an array
    whole = True  # the last item begun was read to its end
    try:
        for event, value in events:
            item_depth = 1 if key == "" else 2  # where releases[] / records[] items (or a bare array's) start
            if depth == item_depth and in_array and key in counters and event not in ("end_array", "map_key"):
                index = counters[key]
                counters[key] += 1  # the position in the array, whatever the item
                path = f"$.{key}[{index}]" if key else f"$[{index}]"
                if event != "start_map":
                    if event == "start_array":
                        depth += 1
                    yield Item(0, path, None, "not a JSON object")
                    continue
                whole = False
                obj = _build(events)
                whole = True
                if obj is None:
                    yield Item(0, path, None, TOO_DEEP)
                elif key == "records":
                    yield from _expand_record(obj, 0, path)
                elif key == "releases":
                    yield Item(0, path, obj)
                else:
                    yield from _expand(obj, 0, path)
            elif event in ("start_map", "start_array"):
                depth += 1
                in_array = event == "start_array" if depth <= 2 else in_array
            elif event in ("end_map", "end_array"):
                depth -= 1
            elif event == "map_key" and depth == 1:
                key = str(value)
    except (ijson.JSONError, UnicodeDecodeError) as error:  # the rest of the document cannot be read
        read = sum(counters.values()) - (not whole)  # the item it broke off in is not read whole
        said = _parser_message(error)
        if isinstance(error, UnicodeDecodeError) or "UTF8" in said or "utf-8" in said:
            raise OcdsFormatError(f"{name}: {NOT_UTF8} (after {read:,} whole releases or records: {said})") from error
        raise OcdsFormatError(f"{name}: invalid JSON after {read:,} whole releases or records ({said}); load a whole "
                              "copy again (re-loading is safe)") from error
    if not any(counters.values()):
        raise OcdsFormatError(f"{name}: no releases[] or records[] found: not an OCDS package or JSON "
                              "Lines file")


def _parser_message(error: Exception) -> str:
    """The JSON parser's complaint on one line: yajl gives it as bytes, with the text around the fault
    and an arrow under it on lines of their own."""
    said = error.args[0] if error.args else str(error)
    if isinstance(said, bytes):
        said = said.decode("utf-8", errors="backslashreplace")
    return " ".join(str(said).split())


def _build(events: Iterator[tuple[str, Any]]) -> dict[str, Any] | None:
    """The object whose ``start_map`` was just read, from the basic events that follow to its end;
    None (its events read past) when it is nested deeper than :data:`MAX_DEPTH`."""
    builder: Any = ijson.ObjectBuilder()
    builder.event("start_map", None)
    depth = 1
    for event, value in events:
        if builder is not None:
            builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_DEPTH:
                builder = None
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                break
    return builder.value if builder is not None else None


# -- mapping one release ------------------------------------------------------------------

@dataclass
class ChunkRows:
    """Rows for each named write query, accumulated over a chunk of releases."""

    departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    firms: dict[str, dict[str, Any]] = field(default_factory=dict)
    persons: list[dict[str, Any]] = field(default_factory=list)
    tenders: list[dict[str, Any]] = field(default_factory=list)
    lots: list[dict[str, Any]] = field(default_factory=list)
    bids: list[dict[str, Any]] = field(default_factory=list)
    tenderers: dict[str, list[str]] = field(default_factory=dict)  # tender id → tender.tenderers' firm keys
    per_process_firms: set[str] = field(default_factory=set)  # firms keyed ocid/party id (no identifier)
    awards: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    releases: int = 0

    def by_query(self) -> dict[str, list[dict[str, Any]]]:
        """The rows of each write query (:data:`WRITE_ORDER`). A tender whose bids the chunk gives (bids
        extension) has its tenderer bids deleted before those are written, and takes none of the chunk's
        ``tender.tenderers`` — settled here, per tender, since a query's rows cannot see each other's
        writes where the planner reads them all first (a review: a firm bid twice, until a reload)."""
        priced = dict.fromkeys(bid["tender_id"] for bid in self.bids)  # in order, without repeats
        listed = [{"tender_id": tender, "firms": firms} for tender, firms in self.tenderers.items()
                  if tender not in priced]
        return {
            "ocds_departments": list(self.departments.values()),
            "ocds_firms": list(self.firms.values()),
            "ocds_persons": self.persons,
            "ocds_tenders": self.tenders,
            "ocds_lots": self.lots,
            "ocds_tenderer_bids_replaced": [{"tender_id": tender} for tender in priced],
            "ocds_bids": self.bids,
            "ocds_tenderer_bids": listed,
            "ocds_awards": self.awards,
            "ocds_contracts": self.contracts,
            "ocds_awarded_to": [{"id": t["id"]} for t in self.tenders],
        }


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _array(value: Any) -> list[Any]:
    """An OCDS array; a lone object counts as a one-item array (as Cardinal's prepare does)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []


def _as_written(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time with the offset it was written with (naive when it has none)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time as an aware UTC datetime (naive means UTC)."""
    moment = _as_written(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        return None


def parse_day(value: Any) -> date | None:
    """The calendar date of an ISO 8601 date-time as written, in its own offset, not UTC's:
    ``2024-03-05T00:00:00+08:00`` is 5 March, as :func:`loaders.csv_bundle.parse_date` reads it."""
    moment = _as_written(value)
    return moment.date() if moment is not None else None


def _identifier_key(entity: dict[str, Any]) -> str | None:
    """``scheme-id`` of an organisation's or person's ``identifier`` where it names both, else None."""
    identifier = entity.get("identifier")
    if not isinstance(identifier, dict):
        return None
    scheme, ident = _text(identifier.get("scheme")), _text(identifier.get("id"))
    return f"{scheme}-{ident}" if scheme and ident else None


def _country(entity: dict[str, Any]) -> str | None:
    """The alpha-2 code of a party's (or beneficial owner's) country: its identifier's org-id scheme
    (``PY-RUC``), else ``address.countryName`` (:func:`loaders.countries.country_code`)."""
    identifier, address = entity.get("identifier"), entity.get("address")
    scheme = _text(identifier.get("scheme")) if isinstance(identifier, dict) else None
    name = _text(address.get("countryName")) if isinstance(address, dict) else None
    return country_code(scheme, name)


def _roles(raw: Any) -> list[Any]:
    """A party's roles: a list, or a lone role written as a string."""
    return [raw] if isinstance(raw, str) else _array(raw)


def _disagreements(first: dict[str, Any], second: dict[str, Any], path: str = "") -> list[str]:
    """Dotted paths of the fields two entries of one party both give, with different values.

    Objects are compared field by field (one entry may give a telephone, the other an e-mail);
    the top-level ``roles`` never disagree: they add up.
    """
    out: list[str] = []
    for name, value in second.items():
        if name not in first or first[name] == value or (not path and name == "roles"):
            continue
        if isinstance(first[name], dict) and isinstance(value, dict):
            out.extend(_disagreements(first[name], value, f"{path}{name}."))
        else:
            out.append(f"{path}{name}")
    return out


def _merged(first: dict[str, Any], second: dict[str, Any], top: bool = True) -> dict[str, Any]:
    """``first`` with what an agreeing ``second`` adds: the fields it lacks (in objects too) and the roles."""
    out = dict(first)
    for name, value in second.items():
        if name not in out:
            out[name] = value
        elif isinstance(out[name], dict) and isinstance(value, dict):
            out[name] = _merged(out[name], value, top=False)
        elif top and name == "roles":
            out[name] = list(dict.fromkeys([*_roles(out[name]), *_roles(value)]))
    return out


def _at(entry: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path of ``entry`` (one that :func:`_disagreements` returned)."""
    value: Any = entry
    for name in dotted.split("."):
        value = value[name]
    return value


#: classification schemes of hierarchical codes whose first two digits name a market: the CPV
#: division (45 = construction work, 33 = medical equipment and pharmaceuticals) and the UNSPSC
#: segment (42 = medical equipment, 72 = building and construction services)
DIVISION_SCHEMES = ("CPV", "UNSPSC")


def market_category(items: Any, main: Any) -> str | None:
    """A tender's category, the market its bids are compared in: the CPV division or UNSPSC segment
    that most of its items are classified in (``CPV 45``; the first item's on a tie), else
    ``mainProcurementCategory``.

    ``mainProcurementCategory`` has three values (goods, works, services): under it fuel at
    regulated prices, pharmaceuticals and office supplies are one market, whose median price spread
    made every fuel tender look like cover bidding, and firms of five trades that never meet looked
    like a group sharing out a market (an unseen-market review). The division is the level at which
    procurement research defines markets from CPV codes; an unknown scheme keeps the three values.
    """
    divisions: list[str] = []
    for item in _array(items):
        classification = item.get("classification") if isinstance(item, dict) else None
        if not isinstance(classification, dict):
            continue
        scheme, raw = _text(classification.get("scheme")), classification.get("id")
        # a code published as a number lost its leading zeros (09134100, diesel, as 9134100)
        if (isinstance(raw, int) and not isinstance(raw, bool)) or (isinstance(raw, float) and raw.is_integer()):
            code: str | None = f"{int(raw):08d}"
        else:
            code = _text(raw)
        if scheme and code and scheme.upper() in DIVISION_SCHEMES and code[:2].isdigit() and code[:2].isascii():
            divisions.append(f"{scheme.upper()} {code[:2]}")
    if divisions:
        return max(dict.fromkeys(divisions), key=divisions.count)  # the most items; the first on a tie
    return _text(main)


class PartyKeys:
    """The keys of the organisations recent releases listed in ``parties``, per ocid, for releases of
    the same process that reference an organisation without listing it: an award update naming
    ``{"id": "T1"}`` with no ``parties`` made a firm ``ocid/T1`` beside the ``XX-REG-1`` its bid came
    from, won the tender in its place and unlinked the right supplier (a review). Bounded: the
    :data:`PARTY_MEMORY` ocids read last are kept (releases of one process sit near each other in a
    file), so memory stays flat however long the file."""

    def __init__(self, ocids: int = 0) -> None:
        self.ocids = ocids or PARTY_MEMORY
        self._keys: OrderedDict[str, dict[str, str]] = OrderedDict()

    def remember(self, ocid: str, party_id: str, key: str) -> None:
        keys = self._keys.get(ocid)
        if keys is None:
            keys = self._keys[ocid] = {}
            if len(self._keys) > self.ocids:
                self._keys.popitem(last=False)
        else:
            self._keys.move_to_end(ocid)
        keys[party_id] = key

    def get(self, ocid: str, party_id: str) -> str | None:
        keys = self._keys.get(ocid)
        return keys.get(party_id) if keys else None


#: how many ocids' party keys :class:`PartyKeys` keeps
PARTY_MEMORY = 50_000


class _Mapper:
    """Maps one release onto ChunkRows, reporting each bad field as a reject."""

    def __init__(self, item: Item, file: str, party_ids: str, rows: ChunkRows, rejects: RejectLog,
                 known: PartyKeys | None = None):
        self.item = item
        self.file = file
        self.party_ids = party_ids
        self.rows = rows
        self.rejects = rejects
        self.known = known if known is not None else PartyKeys(1)
        self.release: dict[str, Any] = item.release or {}
        self.ocid = ""
        self.parties: dict[str, dict[str, Any]] = {}
        tags = self.release.get("tag")
        self.compiled = isinstance(tags, list) and "compiled" in tags

    def props(self, values: dict[str, Any]) -> dict[str, Any]:
        """Properties to SET with ``+=``: a compiled release is the whole current state, so a field it
        no longer has is removed (sent as null: a bid's status withdrawn, then no status, is not
        withdrawn any more); any other release is an update, and its missing fields are left alone."""
        return dict(values) if self.compiled else {k: v for k, v in values.items() if v is not None}

    def reject(self, path: str, value: Any, reason: str) -> None:
        shown = value if isinstance(value, str) else json.dumps(value, default=str)[:1000]
        full = self.item.path + path[1:] if path.startswith("$") else path
        self.rejects.add(Reject(self.file, self.item.line, full, shown, reason))

    # -- helpers
    def amount(self, value: Any, path: str) -> tuple[float | None, str | None]:
        if value is None:
            return None, None
        if not isinstance(value, dict):
            self.reject(path, value, "value is not an object")
            return None, None
        amount = value.get("amount")
        currency = _text(value.get("currency"))
        if amount is None:
            return None, currency
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            self.reject(f"{path}.amount", amount, "amount is not a number")
            return None, currency
        try:
            value = float(amount)  # an integer beyond 1.8e308 overflows
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            self.reject(f"{path}.amount", amount, "amount is not a finite number")
            return None, currency
        return value, currency

    def award_status(self, value: Any, path: str) -> str | None:
        """An award's status from OCDS's closed awardStatus codelist, in its spelling (``Active`` is
        ``active``); another value is kept as written and told as a reject, since only an active award
        (or one with no status: :data:`AWARD_STATUSES`) names the tender's winners."""
        status = _text(value)
        if status is None or status in AWARD_STATUSES:
            return status
        code = status.strip().lower()
        if code in AWARD_STATUSES:
            return code
        self.reject(path, value, f"not an awardStatus code ({', '.join(AWARD_STATUSES)}): kept as written, and its "
                                 "suppliers are not read as the tender's winners")
        return status

    def count(self, value: Any, path: str) -> int | None:
        """A whole number Neo4j can store (64-bit); a reject for one beyond it or below 0."""
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        if not 0 <= value <= MAX_INTEGER:
            self.reject(path, value, f"not a count that can be stored (0 to {MAX_INTEGER:,})")
            return None
        return value

    def instant(self, value: Any, path: str) -> datetime | None:
        if value is None:
            return None
        moment = parse_instant(value)
        if moment is None:
            self.reject(path, value, "not an ISO 8601 date-time between years 1 and 9999 (in UTC)")
        return moment

    def org(self, ref: Any, path: str) -> str | None:
        """Key of the organisation a reference ({id, name}) points to; None when unusable."""
        if not isinstance(ref, dict):
            self.reject(path, ref, "organization reference is not an object")
            return None
        ref_id = _text(ref.get("id"))
        if ref_id is None:
            # OCDS 1.0 referenced organisations by name and identifier, and 1.1 keeps that (deprecated)
            by_identifier = _identifier_key(ref)
            if by_identifier is None:
                self.reject(f"{path}.id", ref.get("id"), "organization reference without id or identifier")
            return by_identifier
        key = self.key(ref_id)
        if ref_id not in self.parties and self.known.get(self.ocid, ref_id) is None:
            self.reject(f"{path}.id", ref_id, "names no party of this release, nor one an earlier release of this "
                                              f"process listed: loaded as the organisation {key}")
        return key

    def key(self, party_id: str) -> str:
        party = self.parties.get(party_id)
        if party is not None:
            if (by_identifier := _identifier_key(party)) is not None:
                return by_identifier
        elif (earlier := self.known.get(self.ocid, party_id)) is not None:
            return earlier  # listed by an earlier release of this process (PartyKeys)
        return party_id if self.party_ids == "global" else f"{self.ocid}/{party_id}"

    def name(self, party_id: str | None, ref: Any) -> str | None:
        party = self.parties.get(party_id or "")
        name = _text(party.get("name")) if party else None
        return name or (_text(ref.get("name")) if isinstance(ref, dict) else None)

    def department(self, ref: Any, path: str) -> str | None:
        key = self.org(ref, path)
        if key is not None:
            row = self.rows.departments.setdefault(key, {"id": key, "name": None})
            row["name"] = row["name"] or self.name(_text(ref.get("id")), ref)
        return key

    def firm(self, ref: Any, path: str) -> str | None:
        key = self.org(ref, path)
        if key is not None:
            self._firm_row(key, _text(ref.get("id")), ref)
        return key

    def _firm_row(self, key: str, party_id: str | None, ref: Any) -> dict[str, Any]:
        row = self.rows.firms.get(key)
        if row is None:
            row = {"id": key, "name": None, "reg_no": None, "locality": None, "phones": [], "emails": [],
                   "addresses": []}
            self.rows.firms[key] = row
            if self.party_ids == "ocid" and key == f"{self.ocid}/{party_id}":
                self.rows.per_process_firms.add(key)
        row["name"] = row["name"] or self.name(party_id, ref)
        return row

    # -- the release
    def run(self) -> bool:
        ocid = _text(self.release.get("ocid"))
        if ocid is None:
            self.reject("$.ocid", self.release.get("ocid"), "release without ocid: not loaded")
            return False
        self.ocid = ocid
        self._parties()
        for party_id in self.parties:
            self.known.remember(ocid, party_id, self.key(party_id))
        tender = self.release.get("tender")
        if tender is not None and not isinstance(tender, dict):
            self.reject("$.tender", tender, "tender is not an object")
            tender = None
        tender = tender or {}
        buyer_id = self.department(self.release["buyer"], "$.buyer") if "buyer" in self.release else None
        pe_id = (self.department(tender["procuringEntity"], "$.tender.procuringEntity")
                 if "procuringEntity" in tender else None)
        self._tender(tender, buyer_id, pe_id)
        lot_ids = self._lots(tender)
        bid_ids = self._bids(lot_ids)
        self._tenderers(tender)
        award_ids = self._awards(lot_ids, bid_ids)
        self._contracts(award_ids)
        self.rows.releases += 1
        return True

    def _parties(self) -> None:
        """Departments and firms from ``parties``, each entry's contact details under its own path.

        OCDS requires party ids to be unique within a release. An entry repeating an earlier
        id is merged into it when the two agree on every field both give (roles add up); when
        they disagree, the repeat is rejected, naming both positions and the fields, and the
        first entry loads (ocdsmerge would silently keep the last).
        """
        parties = self.release.get("parties")
        if parties is None:
            return
        if not isinstance(parties, list):
            self.reject("$.parties", parties, "parties is not an array")
            return
        entries: list[tuple[int, str, dict[str, Any]]] = []  # (position in parties[], id, entry) of loaded entries
        first_at: dict[str, int] = {}
        for i, party in enumerate(parties):
            party_id = _text(party.get("id")) if isinstance(party, dict) else None
            if party_id is None:
                self.reject(f"$.parties[{i}].id", party.get("id") if isinstance(party, dict) else party,
                            "party without id")
                continue
            if party_id in self.parties:
                earlier = self.parties[party_id]
                conflicts = _disagreements(earlier, party)
                if conflicts:
                    where, there = conflicts[0], _at(earlier, conflicts[0])
                    shown = there if isinstance(there, str) else json.dumps(there, default=str)[:200]
                    self.reject(f"$.parties[{i}].{where}", _at(party, where),
                                f"party id {party_id} is also $.parties[{first_at[party_id]}], with {where} {shown}; "
                                f"party ids must be unique within a release, and the two disagree on "
                                f"{', '.join(conflicts)}: this entry is not loaded")
                    continue
                self.parties[party_id] = _merged(earlier, party)
            else:
                self.parties[party_id], first_at[party_id] = party, i
            entries.append((i, party_id, party))
        given: dict[str, dict[str, Any]] = {}  # per party id: the fields earlier entries gave
        for i, party_id, entry in entries:
            party = self.parties[party_id]  # merged over the entries with this id
            seen = given.setdefault(party_id, {})  # a field an earlier entry gave alike is not read twice
            new = {name: value for name, value in entry.items() if name not in seen or seen[name] != value}
            seen.update(new)
            roles = {r for r in _roles(party.get("roles")) if isinstance(r, str)}
            key = self.key(party_id)
            if roles & DEPARTMENT_ROLES:
                row = self.rows.departments.setdefault(key, {"id": key, "name": None})
                row["name"] = row["name"] or _text(party.get("name"))
            if roles & FIRM_ROLES:
                row = self._firm_row(key, party_id, party)
                identifier = party.get("identifier")
                if isinstance(identifier, dict):
                    row["reg_no"] = row["reg_no"] or _text(identifier.get("id"))
                country = _country(party)
                self._contact(row, new.get("contactPoint"), new.get("address"),
                              f"$.parties[{i}].contactPoint", f"$.parties[{i}].address", country)
                self._owners(key, new, f"$.parties[{i}]", country)

    def _contact(self, row: dict[str, Any], contact: Any, address: Any, contact_path: str,
                 address_path: str, country: str | None) -> None:
        """Normalised telephone and email of ``contact`` and the joined ``address`` onto ``row``; a
        telephone in national form is read in ``country`` (alpha-2, :func:`_country`)."""
        if isinstance(contact, dict):
            for field_name, target, normalise in (
                    ("telephone", "phones", lambda raw: normalise_phones(raw, country)),  # a cell may hold several
                    ("email", "emails", lambda raw: [normalise_email(raw)])):
                raw = _text(contact.get(field_name))
                if raw is None:
                    continue
                try:
                    values = normalise(raw)
                except ValueError as error:
                    self.reject(f"{contact_path}.{field_name}", raw, str(error))
                    continue
                row[target].extend(value for value in values if value not in row[target])
        if isinstance(address, dict):
            parts = [_text(address.get(k)) for k in ("streetAddress", "locality", "region", "postalCode",
                                                     "countryName")]
            joined = ", ".join(p for p in parts if p)
            if joined:
                try:
                    value = normalise_address(joined)
                except ValueError as error:
                    self.reject(address_path, address, str(error))
                else:
                    if value not in row["addresses"]:
                        row["addresses"].append(value)
                    if "locality" in row:
                        row["locality"] = self._locality(address, address_path) or row["locality"]

    def _locality(self, address: dict[str, Any], path: str) -> str | None:
        """A firm's locality from its address: the county-level division its street address starts
        with (``西固区东山路459号``, where ``locality`` often holds the city), else the ``locality``
        field, else the city its street address names."""
        street, given = _text(address.get("streetAddress")), _text(address.get("locality"))
        county = address_county(street) if street else None
        if county:
            return county
        if given:
            try:
                return normalise_locality(given)
            except ValueError as error:
                self.reject(f"{path}.locality", given, str(error))
        return address_locality(street) if street else None

    def _owners(self, firm_key: str, party: dict[str, Any], path: str, country: str | None) -> None:
        """Beneficial owners extension: parties[].beneficialOwners[] → Person SHAREHOLDER_OF the firm.
        An owner's telephone in national form is read in the owner's country, else the firm's.

        An owner with an identifier is keyed ``scheme-id`` (one person across firms); one
        without is keyed under the firm, and can still link firms through its phone, e-mail
        or address.
        """
        for j, owner in enumerate(_array(party.get("beneficialOwners"))):
            if not isinstance(owner, dict):
                continue
            by_identifier = _identifier_key(owner)
            local = _text(owner.get("id")) or _text(owner.get("name"))
            if by_identifier is not None:
                key = by_identifier
            elif local:
                key = f"{firm_key}/{local}"
            else:
                self.reject(f"{path}.beneficialOwners[{j}]", owner, "beneficial owner without id, name or identifier")
                continue
            row: dict[str, Any] = {"id": key, "name": _text(owner.get("name")), "firm_id": firm_key, "phones": [], "emails": [],
                   "addresses": []}
            owner_path = f"{path}.beneficialOwners[{j}]"
            self._contact(row, owner, owner.get("address"), owner_path, f"{owner_path}.address",
                          _country(owner) or country)
            self.rows.persons.append(row)

    def _tender(self, tender: dict[str, Any], buyer_id: str | None, pe_id: str | None) -> None:
        period: dict[str, Any] = tender["tenderPeriod"] if isinstance(tender.get("tenderPeriod"), dict) else {}
        start = self.instant(period.get("startDate"), "$.tender.tenderPeriod.startDate")
        end = self.instant(period.get("endDate"), "$.tender.tenderPeriod.endDate")
        budget, currency = self.amount(tender.get("value"), "$.tender.value")
        classifications = self._classifications(tender.get("items"), "$.tender.items")
        number = tender.get("numberOfTenderers")
        region = None
        for item in _array(tender.get("items")):
            address = item.get("deliveryAddress") if isinstance(item, dict) else None
            if isinstance(address, dict) and _text(address.get("region")):
                region = _text(address.get("region"))
                break
        props = {
            "title": _text(tender.get("title")),
            "department_id": buyer_id or pe_id,
            "category": self._category(tender),
            "region": region,
            "budget": budget,
            "currency": currency,
            "published_at": parse_day(period.get("startDate")),  # the day as written (offset kept)
            "deadline_at": parse_day(period.get("endDate")),
            "procedure": _text(tender.get("procurementMethod")),
            "award_criteria": parse_code(_text(tender.get("awardCriteria")) or ""),
            "status": _text(tender.get("status")),
            "procurement_method_details": _text(tender.get("procurementMethodDetails")),
            "award_criteria_details": _text(tender.get("awardCriteriaDetails")),
            "main_procurement_category": _text(tender.get("mainProcurementCategory")),
            "number_of_tenderers": self.count(number, "$.tender.numberOfTenderers"),
            "procuring_entity_id": pe_id,
            "tender_start": start,
            "tender_end": end,
            "classification_ids": json.dumps(classifications) if classifications else None,
        }
        self.rows.tenders.append({"id": self.ocid, "props": self.props(props),
                                  "buyer_id": buyer_id, "procuring_entity_id": pe_id})

    def _category(self, tender: dict[str, Any]) -> str | None:
        """:func:`market_category` of the tender's items, else of its awards' items (a release of awards
        alone classifies what was bought there: its tenders had no category, so no market to be read in;
        a review), else ``mainProcurementCategory``."""
        awards = self.release.get("awards")
        awarded = [item for award in (awards if isinstance(awards, list) else []) if isinstance(award, dict)
                   for item in _array(award.get("items"))]
        return (market_category(tender.get("items"), None) or market_category(awarded, None)
                or _text(tender.get("mainProcurementCategory")))

    def _classifications(self, items: Any, path: str) -> list[str]:
        out: list[str] = []
        if not isinstance(items, list):
            return out
        for item in items:
            classification = item.get("classification") if isinstance(item, dict) else None
            code = _text(classification.get("id")) if isinstance(classification, dict) else None
            if code is not None:
                out.append(code)
        return out

    def _lots(self, tender: dict[str, Any]) -> set[str]:
        lots = tender.get("lots")
        ids: set[str] = set()
        if not isinstance(lots, list):
            return ids
        for i, lot in enumerate(lots):
            lot_id = _text(lot.get("id")) if isinstance(lot, dict) else None
            if lot_id is None:
                self.reject(f"$.tender.lots[{i}].id", lot, "lot without id")
                continue
            value, currency = self.amount(lot.get("value"), f"$.tender.lots[{i}].value")
            key = f"{self.ocid}/{lot_id}"
            ids.add(lot_id)
            props = {"title": _text(lot.get("title")), "value": value, "currency": currency,
                     "status": _text(lot.get("status"))}
            self.rows.lots.append({"id": key, "tender_id": self.ocid,
                                   "props": self.props(props)})
        return ids

    def _lot_refs(self, refs: Any, known: set[str], path: str) -> list[str]:
        out = []
        for j, ref in enumerate(refs if isinstance(refs, list) else []):
            lot_id = _text(ref)
            if lot_id is None or (known and lot_id not in known):
                self.reject(f"{path}[{j}]", ref, "relatedLots names no lot of this tender")
                continue
            out.append(f"{self.ocid}/{lot_id}")
        return out

    def _bids(self, lot_ids: set[str]) -> dict[str, str]:
        bids = self.release.get("bids")
        ids: dict[str, str] = {}  # OCDS bid id → graph id
        if bids is None:
            return ids
        details = bids.get("details") if isinstance(bids, dict) else None
        if isinstance(bids, dict) and "details" not in bids:
            return ids  # bids.statistics alone: counts, no bid to load
        if not isinstance(details, list):
            self.reject("$.bids.details", details, "bids.details is not an array")
            return ids
        for i, bid in enumerate(details):
            path = f"$.bids.details[{i}]"
            if not isinstance(bid, dict):
                self.reject(path, bid, "bid is not an object")
                continue
            ocds_id = _text(bid.get("id"))
            key = f"{self.ocid}/{ocds_id}" if ocds_id is not None else f"{self.ocid}/bid-{i}"
            if ocds_id is not None:
                if ocds_id in ids:
                    self.reject(f"{path}.id", ocds_id, "duplicate bid id in this release: bid not loaded")
                    continue
                ids[ocds_id] = key
            amount, currency = self.amount(bid.get("value"), f"{path}.value")
            tenderers = []
            for j, ref in enumerate(_array(bid.get("tenderers"))):
                firm = self.firm(ref, f"{path}.tenderers[{j}]")
                if firm is not None and firm not in tenderers:
                    tenderers.append(firm)
            status = _text(bid.get("status"))
            props = {"amount": amount, "currency": currency, "status": status, "position": i,
                     "disqualified": status == "disqualified" if status is not None else None,
                     "submitted_at": self.instant(bid.get("date"), f"{path}.date")}
            self.rows.bids.append({"id": key, "tender_id": self.ocid, "tenderers": tenderers,
                                   "lots": self._lot_refs(bid.get("relatedLots"), lot_ids, f"{path}.relatedLots"),
                                   "props": self.props(props)})
        return ids

    def _tenderers(self, tender: dict[str, Any]) -> None:
        """``tender.tenderers`` ("all parties who submit a bid on a tender") → a Bid of no known amount
        per tenderer (id ``ocid/tenderer/<firm key>``), where the release has no ``bids.details``: most
        publishers do not use the bids extension, and without these their tenders held only the winner,
        so no co-bidding could be read from them (a review). The bids extension's bids, when a release
        gives them, replace a tender's tenderer bids (:meth:`ChunkRows.by_query`,
        ``cypher/ocds_tenderer_bids*.cypher``)."""
        bids = self.release.get("bids")
        if isinstance(bids, dict) and isinstance(bids.get("details"), list):
            return
        refs = tender.get("tenderers")
        if refs is not None and not isinstance(refs, list):
            self.reject("$.tender.tenderers", refs, "tender.tenderers is not an array")
            return
        firms = self.rows.tenderers.setdefault(self.ocid, [])
        for j, ref in enumerate(refs or []):
            firm = self.firm(ref, f"$.tender.tenderers[{j}]")
            if firm is not None and firm not in firms:
                firms.append(firm)

    def _awards(self, lot_ids: set[str], bid_ids: dict[str, str]) -> dict[str, str]:
        awards = self.release.get("awards")
        ids: dict[str, str] = {}
        if awards is None:
            return ids
        if not isinstance(awards, list):
            self.reject("$.awards", awards, "awards is not an array")
            return ids
        for i, award in enumerate(awards):
            path = f"$.awards[{i}]"
            if not isinstance(award, dict):
                self.reject(path, award, "award is not an object")
                continue
            ocds_id = _text(award.get("id"))
            key = f"{self.ocid}/{ocds_id}" if ocds_id is not None else f"{self.ocid}/award-{i}"
            if ocds_id is not None:
                if ocds_id in ids:
                    self.reject(f"{path}.id", ocds_id, "duplicate award id in this release: award not loaded")
                    continue
                ids[ocds_id] = key
            amount, currency = self.amount(award.get("value"), f"{path}.value")
            suppliers = []
            for j, ref in enumerate(_array(award.get("suppliers"))):
                firm = self.firm(ref, f"{path}.suppliers[{j}]")
                if firm is not None and firm not in suppliers:
                    suppliers.append(firm)
            related = []
            related_refs = award.get("relatedBids")
            for j, ref in enumerate(related_refs if isinstance(related_refs, list) else []):
                bid_id = _text(ref)
                if bid_id is None or (bid_ids and bid_id not in bid_ids):
                    self.reject(f"{path}.relatedBids[{j}]", ref, "relatedBids names no bid of this release")
                    continue
                related.append(bid_ids.get(bid_id, f"{self.ocid}/{bid_id}"))
            classifications = self._classifications(award.get("items"), f"{path}.items")
            props = {"status": self.award_status(award.get("status"), f"{path}.status"), "amount": amount,
                     "currency": currency, "date": self.instant(award.get("date"), f"{path}.date"),
                     "classification_ids": json.dumps(classifications) if classifications else None}
            self.rows.awards.append({"id": key, "tender_id": self.ocid, "suppliers": suppliers,
                                     "bids": related,
                                     "lots": self._lot_refs(award.get("relatedLots"), lot_ids,
                                                            f"{path}.relatedLots"),
                                     "props": self.props(props)})
        return ids

    def _contracts(self, award_ids: dict[str, str]) -> None:
        contracts = self.release.get("contracts")
        if not isinstance(contracts, list):
            return
        for i, contract in enumerate(contracts):
            path = f"$.contracts[{i}]"
            if not isinstance(contract, dict):
                self.reject(path, contract, "contract is not an object")
                continue
            ocds_id = _text(contract.get("id"))
            key = f"{self.ocid}/{ocds_id}" if ocds_id is not None else f"{self.ocid}/contract-{i}"
            award_id = _text(contract.get("awardID"))
            if award_id is None:
                self.reject(f"{path}.awardID", contract.get("awardID"),
                            "contract without awardID (OCDS requires one): stored under no award")
            amount, currency = self.amount(contract.get("value"), f"{path}.value")
            props = {"status": _text(contract.get("status")), "amount": amount, "currency": currency,
                     "signed_at": self.instant(contract.get("dateSigned"), f"{path}.dateSigned")}
            self.rows.contracts.append({
                "id": key, "award_id": award_ids.get(award_id, f"{self.ocid}/{award_id}") if award_id else None,
                "props": self.props(props)})


def _mended(value: Any, path: str, mended: list[tuple[str, str]]) -> Any:
    """``value`` with every lone UTF-16 surrogate in its text (keys too) replaced by U+FFFD; the
    (JSON path, mended text) of each text changed is added to ``mended``. Python's JSON reader
    keeps a lone ``\\ud83d`` escape as a character no UTF-8 text can hold, and the database
    driver then failed the whole chunk's write (a review)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            text = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            mended.append((path, text))
            return text
        return value
    if isinstance(value, dict):
        return {_mended(key, f"{path}.{key}", mended) if isinstance(key, str) else key:
                _mended(inner, f"{path}.{key}", mended) for key, inner in value.items()}
    if isinstance(value, list):
        return [_mended(inner, f"{path}[{i}]", mended) for i, inner in enumerate(value)]
    return value


def _in_date_order(items: list[Item]) -> list[Item]:
    """``items`` with the releases of each ocid in the order of their ``date`` (an undated one first), each
    in a place one of them held, the rest as read: OCDS compiles a process's releases in date order, and
    a package listing the newest first (as some APIs answer) loaded a cancelled award as the active
    one of the older release after it (a review). Within one chunk of the load; across chunks and files
    releases still apply in the order read."""
    places: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        ocid = item.release.get("ocid") if item.release is not None else None
        if isinstance(ocid, str):
            places.setdefault(ocid, []).append(i)
    ordered = list(items)
    for at in places.values():
        if len(at) > 1:
            by_date = sorted((items[i] for i in at), key=_release_date)  # stable: equal dates keep their order
            for i, item in zip(at, by_date, strict=True):
                ordered[i] = item
    return ordered


def _map_chunk(items: list[Item], file: str, rows: ChunkRows, rejects: RejectLog, party_ids: str,
               known: PartyKeys) -> int:
    """Map the releases read (``items``, emptied) onto ``rows`` in date order; how many loaded.

    Python's cyclic garbage collector is off while a load reads and maps (:func:`load_ocds`) and runs
    here once a chunk: a chunk's releases held for their date order made every automatic collection
    scan them, and mapping 20,000 releases took 11.6 s against 7.2 s streamed (a review); parsed JSON
    holds no cycles, so reference counting frees it all the same. 8.1 s with one collection a chunk."""
    loaded = sum(map_release(item, file, rows, rejects, party_ids, known) for item in _in_date_order(items))
    items.clear()
    gc.collect()
    return loaded


def _release_date(item: Item) -> datetime:
    moment = parse_instant(item.release.get("date")) if item.release is not None else None
    return moment or datetime.min.replace(tzinfo=UTC)


def map_release(item: Item, file: str, rows: ChunkRows, rejects: RejectLog, party_ids: str = "ocid",
                known: PartyKeys | None = None) -> bool:
    """Add the rows of one release to ``rows``; False (and a reject) when nothing is loadable.

    ``known`` carries the organisations earlier releases of the load listed (:class:`PartyKeys`).
    A release nested deeper than :data:`MAX_DEPTH` is rejected whole. Text too long to store
    rejects the release only where the loader stores it (:func:`_scan` finds it, a trial mapping
    says whether it is kept): a 40 kB ``planning.rationale`` or ``tender.description`` the graph
    has no place for rejected the tender, bids and award around it (a review).
    """
    if item.release is None:
        rejects.add(Reject(file, item.line, item.path, "", item.error or "no release"))
        return False
    scan = _scan(item.release)
    if scan.too_deep is not None:
        rejects.add(Reject(file, item.line, item.path + scan.too_deep[1:], "",
                           f"{TOO_DEEP}: release not loaded"))
        return False
    if item.surrogates:
        mended: list[tuple[str, str]] = []
        item = dataclasses.replace(item, release=_mended(item.release, "$", mended))
        for where, text in mended:
            rejects.add(Reject(file, item.line, item.path + where[1:], text[:1000],
                               "a lone UTF-16 surrogate (a \\uD800–\\uDFFF escape without its pair) is no text: "
                               "replaced by U+FFFD (�), the rest of the release loaded"))
    if scan.too_long or scan.long_text:  # keys composed of several fields (an address, a person's id) may grow
        trial = ChunkRows()
        _Mapper(item, file, party_ids, trial, RejectLog(None), known).run()
        stored = list(_texts(trial)) if scan.too_long else []
        kept = next(((where, size, limit) for where, size, limit, text in scan.too_long
                     if any(text in value for value in stored)), None)
        if kept is not None:
            where, size, limit = kept
            rejects.add(Reject(file, item.line, item.path + where[1:], f"({size:,} bytes)",
                               f"text too long to store: {size:,} bytes, at most {limit:,} here; release not loaded"))
            return False
        if composed := unstorable(trial):
            what, size, limit = composed
            rejects.add(Reject(file, item.line, item.path, f"({size:,} bytes)",
                               f"the {what} it makes is {size:,} bytes, and a key or indexed value may have at most "
                               f"{limit:,}; release not loaded"))
            return False
    return _Mapper(item, file, party_ids, rows, rejects, known).run()


def _texts(rows: ChunkRows) -> Iterator[str]:
    """Every text the mapped ``rows`` would write."""
    stack: list[Any] = list(rows.by_query().values())
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


#: a release holding no text longer than this cannot compose a key over the limit from it
_LONG_TEXT = 500


def unstorable(rows: ChunkRows) -> tuple[str, int, int] | None:
    """The first value of mapped rows too long to store, as (what, bytes, limit), else None: a key or
    range-indexed value (an id, a phone, e-mail or address, an award's status …) over
    :data:`graph.model.MAX_COMPOSED_KEY_BYTES`, other text over :data:`graph.model.MAX_TEXT_BYTES`. The
    loader composes some keys from several fields (an address from its lines, a beneficial owner's id
    from the firm's key and the owner's name), which :func:`_scan` cannot see field by field."""
    keyed = INDEXED_PROPERTIES | {"phones", "emails", "addresses", "tenderers", "suppliers"}

    def walk(value: Any, name: str, what: str) -> tuple[str, int, int] | None:
        if isinstance(value, str):
            indexed = name in keyed or name.endswith("_id")
            limit = MAX_COMPOSED_KEY_BYTES if indexed else MAX_TEXT_BYTES
            size = len(value.encode("utf-8", "surrogatepass"))
            return (f"{what} {name}", size, limit) if size > limit else None
        if isinstance(value, dict):
            return next((found for key, item in value.items() if (found := walk(item, key, what))), None)
        if isinstance(value, list):
            return next((found for item in value if (found := walk(item, name, what))), None)
        return None

    for query_name, query_rows in rows.by_query().items():
        what = query_name.removeprefix("ocds_").rstrip("s")
        for row in query_rows:
            if found := walk(row, "", what):
                return found
    return None


#: release fields whose text becomes a key or an indexed value (ids, identifiers and the contact
#: details normalised into Phone, Email and Address nodes, categories)
_INDEXED_FIELDS = frozenset({"ocid", "id", "scheme", "telephone", "faxNumber", "email", "streetAddress",
                             "locality", "region", "postalCode", "countryName", "mainProcurementCategory"})




@dataclass(frozen=True)
class _Scanned:
    too_long: list[tuple[str, int, int, str]]  # (JSON path, bytes, limit, text) of texts too long to store
    long_text: bool  # any text longer than _LONG_TEXT characters
    too_deep: str | None  # the JSON path where the release is nested deeper than MAX_DEPTH


def _scan(value: Any, path: str = "$", limit: int = MAX_TEXT_BYTES) -> _Scanned:
    """The texts of a release too long to store, as (JSON path, bytes, limit, text), at most ten; whether
    any text is longer than :data:`_LONG_TEXT` characters; and where the release is nested deeper than
    :data:`MAX_DEPTH`, in one pass without recursion (a path is spelled out only for what it reports).

    A key or indexed value (:data:`_INDEXED_FIELDS`) may hold :data:`graph.model.MAX_INDEXED_BYTES`
    bytes, any other text :data:`graph.model.MAX_TEXT_BYTES`: Neo4j refuses a longer index key and
    fails the write of the whole chunk, so such a release is rejected before it is written — where the
    loader stores the text (:func:`map_release`).
    """
    long_text = False
    too_long: list[tuple[str, int, int, str]] = []
    # (value, key, limit, parent entry, depth)
    stack: list[tuple[Any, Any, int, Any, int]] = [(value, None, limit, None, 0)]
    while stack:
        entry = stack.pop()
        item, _, here, _, depth = entry
        if depth > MAX_DEPTH:
            return _Scanned(too_long, long_text, _path_of(entry, path))
        if isinstance(item, str):
            if len(item) > _LONG_TEXT:
                long_text = True
                if len(item) * 4 > here and len(too_long) < 10:  # a character takes at most 4 bytes
                    size = len(item.encode("utf-8", "surrogatepass"))
                    if size > here:
                        too_long.append((_path_of(entry, path), size, here, item))
        elif isinstance(item, dict):
            for name, inner in item.items():
                stack.append((inner, name, MAX_INDEXED_BYTES if name in _INDEXED_FIELDS else MAX_TEXT_BYTES, entry,
                              depth + 1))
        elif isinstance(item, list):
            for i, inner in enumerate(item):
                stack.append((inner, i, here, entry, depth + 1))
    return _Scanned(too_long, long_text, None)


def _path_of(entry: tuple[Any, Any, int, Any, int], root: str) -> str:
    parts: list[str] = []
    while entry is not None and entry[1] is not None:
        key = entry[1]
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
        entry = entry[3]
    return root + "".join(reversed(parts))


# -- loading ------------------------------------------------------------------------------

@dataclass
class LoadReport:
    releases_read: int = 0
    releases_loaded: int = 0
    rejects: int = 0
    seconds: float = 0.0
    counters: WriteCounters = field(default_factory=WriteCounters)
    unreadable: list[str] = field(default_factory=list)  # why a file could not be read to its end
    per_process_firms: int = 0  # firms keyed by their process (ocid/party id): no identifier with a scheme

    def outcome(self) -> tuple[str, dict[str, Any]]:
        """Status and counts for the load log (:mod:`graph.load_log`): partial when a file was unreadable."""
        return ("partial" if self.unreadable else "succeeded",
                {"rows_read": self.releases_read, "rows_loaded": self.releases_loaded, "rejected": self.rejects,
                 "note": "; ".join(self.unreadable) or None})

    def summary(self) -> str:
        rate = self.releases_loaded / self.seconds if self.seconds else 0.0
        c = self.counters
        told = (f"{self.releases_loaded}/{self.releases_read} releases loaded in {self.seconds:.1f} s "
                f"({rate:,.0f}/s); {c.nodes_created} nodes and {c.relationships_created} relationships "
                f"created; {self.rejects} rejects")
        if self.per_process_firms:  # co-bidding across processes needs one firm per company: say when it cannot be
            told += (f"; {self.per_process_firms:,} firms have no identifier with a scheme, so each is keyed by its "
                     "process (ocid/party id) and the same company in two processes is two firms, which no ring "
                     "or linked-bidder finding can join: if the publisher's party ids name one company in every "
                     "process, load with --party-ids global")
        return told


def _flush(db: Database, rows: ChunkRows, source: str, batch_size: int, counters: WriteCounters) -> None:
    by_query = rows.by_query()
    for name in WRITE_ORDER:
        if by_query[name]:
            counters.merge(db.write_rows(name, by_query[name], batch_size=batch_size, source=source))


def load_ocds(
    db: Database,
    paths: list[Path],
    source: str = "ocds",
    rejects: RejectLog | None = None,
    party_ids: str = "ocid",
    chunk_releases: int = DEFAULT_CHUNK,
    batch_size: int = DEFAULT_BATCH,
    schema: bool = True,
) -> LoadReport:
    """Stream every release of ``paths`` into the graph; see the module docstring.

    Parsing and writing overlap: while one chunk of ``chunk_releases`` releases is written
    (in a worker thread, batches of ``batch_size`` rows), the next is parsed; at most two
    chunks are in memory, whatever the size of the files. ``schema=False`` skips creating
    the constraints and indexes (for callers that already did). A file that is damaged or cut
    short (gzip, or a package whose JSON breaks off), that is no OCDS package, or of which no
    release could be loaded is named in ``report.unreadable``; the releases read from it before
    the damage load, and so do the other files.
    """
    if party_ids not in PARTY_ID_MODES:
        raise ValueError(f"party_ids must be one of {PARTY_ID_MODES}")
    log = rejects if rejects is not None else RejectLog(None, keep=False)
    report = LoadReport()
    known = PartyKeys()  # organisations listed by earlier releases of a process, across the files
    started = time.perf_counter()
    if schema:
        apply_schema(db)
    collecting = gc.isenabled()
    gc.disable()  # collected once a chunk instead (_map_chunk)
    try:
        _load_files(db, paths, source, log, party_ids, chunk_releases, batch_size, report, known)
    finally:
        if collecting:
            gc.enable()
    report.rejects = log.count
    report.seconds = time.perf_counter() - started
    return report


def _load_files(db: Database, paths: list[Path], source: str, log: RejectLog, party_ids: str, chunk_releases: int,
                batch_size: int, report: LoadReport, known: PartyKeys) -> None:
    """:func:`load_ocds`'s reading, mapping and writing, parsing one chunk while the last is written."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocds-writer") as writer:
        pending: Future[None] | None = None

        def submit(rows: ChunkRows) -> Future[None]:
            report.per_process_firms += len(rows.per_process_firms)  # about: a process split by a chunk counts twice
            if pending is not None:
                pending.result()  # one chunk written at a time, in load order
            return writer.submit(_flush, db, rows, source, batch_size, report.counters)

        for path in paths:
            rows = ChunkRows()
            read_before, loaded_before = report.releases_read, report.releases_loaded
            read: list[Item] = []  # the chunk's releases, mapped in date order (:func:`_in_date_order`)
            try:
                for item in iter_releases(path):
                    report.releases_read += 1
                    read.append(item)
                    if len(read) >= chunk_releases:
                        report.releases_loaded += _map_chunk(read, path.name, rows, log, party_ids, known)
                        pending = submit(rows)
                        rows = ChunkRows()
            except OcdsFormatError as error:  # what was read before the damage loads; so do the other files
                report.releases_loaded += _map_chunk(read, path.name, rows, log, party_ids, known)
                report.unreadable.append(f"{error} ({report.releases_loaded - loaded_before:,} of its releases "
                                         "before the damage are loaded)")
            else:
                report.releases_loaded += _map_chunk(read, path.name, rows, log, party_ids, known)
                if report.releases_loaded == loaded_before:
                    report.unreadable.append(
                        f"{path.name}: no release of it could be loaded ({report.releases_read - read_before:,} "
                        "read; the rejects file says why): not OCDS, or not the file meant?")
            pending = submit(rows)
        if pending is not None:
            pending.result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders ocds", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSON Lines, release or record packages (.gz ok)")
    parser.add_argument("--rejects", type=Path, default=Path("ocds_rejects.csv"),
                        help="CSV of bad fields and releases (default: ./ocds_rejects.csv)")
    parser.add_argument("--source", default="ocds", help="value of the source property (default: ocds)")
    parser.add_argument("--party-ids", choices=PARTY_ID_MODES, default="ocid",
                        help="key of organisations without an identifier: ocid/party id (default) or the "
                             "party id as published (global)")
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="releases per write batch")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2

    def load(db: Database) -> LoadReport:
        with RejectLog(args.rejects, keep=False) as log:
            return load_ocds(db, args.files, source=args.source, rejects=log, party_ids=args.party_ids,
                             chunk_releases=args.chunk)

    # the CSV loaders' handling: the database lock, an unreachable database, a failing write
    inputs = ", ".join(str(p) for p in args.files)
    def finish(report: LoadReport) -> int:
        print(report.summary())
        if report.rejects:
            print(f"rejects written to {args.rejects}", file=sys.stderr)
        for problem in report.unreadable:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT if report.unreadable else EXIT_OK

    code, _ = run_load(load, job=f"a load of {inputs}", entry=LoadEntry("ocds", args.source, inputs), finish=finish)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
