"""The CSV bundle (docs/csv_bundle.md): check, validate, normalise and load it, streaming.

A bundle is a folder of UTF-8 CSV files with a header row, every file optional. Loading
goes in three steps:

1. *Pre-flight*, before anything is written: every present file must decode as UTF-8
   (checked streaming, in 1 MiB blocks) and have its required columns. Any failure stops
   the whole load with :class:`BundleError` (exit code 2) naming the file and the column.
2. *Row validation*, file by file in load order (:data:`BUNDLE`), in chunks of
   ``batch_size`` records: required values present, types (numbers, ISO 8601 dates,
   booleans), enumerations, no negative amounts, no duplicate key within the file, and
   referential integrity — a referenced id must be accepted earlier in this bundle or
   already be in the graph (asked with one parameterised query per chunk, for the ids the
   bundle does not define). Every bad row becomes one or more :class:`Reject` lines and is
   not loaded; good rows load. A bad value of an optional identifier (phone, e-mail, address,
   locality, IP, document hash: :data:`SKIPPABLE_KINDS`) costs only that value: it is a reject line too,
   but the row loads without it and a value stored before stays (:data:`KEEP_STORED`), so a
   mistyped phone does not take a firm, and with it every bid it made, out of the graph.
3. *Writing* through :class:`graph.writer.GraphWriter`: one ``UNWIND … MERGE`` transaction
   per chunk, so memory stays at one batch however large the file; only sets of ids (keys
   for duplicates and references) grow with the data.

Shared identifiers (phone, e-mail, address, IP, document hash) are normalised by
:mod:`loaders.identifiers` so equal values meet in one node. Values are passed to the
database as parameters only, so any text loads verbatim.

:func:`read_bundle` runs the same validation without a database and returns the canonical
frames (for benchmarks and tests); ``python -m loaders csv DIR`` is :func:`main`.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import difflib
import math
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO, TypeVar

import pandas as pd

from detectors.market import FAILED_RESULTS, PASSED_RESULTS
from graph.db import DEFAULT_BATCH, WriteCounters
from graph.model import (
    INDEXED_PROPERTIES,
    MAX_INDEXED_BYTES,
    MAX_INTEGER,
    MAX_TEXT_BYTES,
    NODE_BY_LABEL,
    PERSON_ROLE_RELS,
    REL_BY_TYPE,
)
from loaders.identifiers import (
    address_locality,
    normalise_address,
    normalise_document_hash,
    normalise_email,
    normalise_ip,
    normalise_locality,
    normalise_phones,
)
from loaders.prune import DEFAULT_MAX_SHARE, TARGETS, Extract, FilePrune, plan
from loaders.rejects import Reject, RejectLog

FieldKind = Literal["id", "text", "code", "float", "int", "bool", "date", "datetime", "enum",
                    "phone", "email", "address", "locality", "ip", "document"]

INSPECTION_RESULTS = ("pass", "fail", "warning")
#: the other words records use for a result (those the detectors read as a pass or a failure), stored as the
#: model's own: an export in Chinese (合格 / 不合格) lost every inspection to the rejects file
RESULT_SYNONYMS: dict[str, str] = {**{word: "pass" for word in PASSED_RESULTS},
                                   **{word: "fail" for word in FAILED_RESULTS}, "警告": "warning"}
PERSON_ROLES = tuple(PERSON_ROLE_RELS)
TRUE_WORDS = frozenset({"true", "1", "yes", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "否"})
# Placeholders people type for "no value"; read as empty in typed and identifier columns
# (free text and ids stay verbatim).
MISSING_MARKERS = frozenset({"-", "--", "—", "/", "n/a", "na", "n.a.", "#n/a", "null", "none", "nan", "unknown",
                             "无", "暂无", "未知", "不详", "不明"})
ENCODING_BLOCK = 1 << 20
PROGRESS_SECONDS = 5.0
csv.field_size_limit(16 * 1024 * 1024)  # a long text cell is data, not a parse error


class BundleError(ValueError):
    """The input cannot be read at all (exit code 2); nothing has been written."""


@dataclass(frozen=True)
class Field:
    """One column of a bundle file and how its values are checked."""

    name: str
    kind: FieldKind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    refers_to: str | None = None  # entity kind the value must name (see graph.writer.ENTITY_LABELS)
    synonyms: Mapping[str, str] = field(default_factory=dict)  # other spellings of an enum's choices
    prop: str | None = None  # the graph property it feeds when the column is named otherwise (a bid table's)


@dataclass(frozen=True)
class FileSpec:
    """One file of the bundle: its columns, its key and the entity ids it defines."""

    name: str  # also the graph.writer thing its rows are written as
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    defines: str | None = None  # entity kind whose ids this file's key column holds
    file: str = ""  # file name, when it is not <name>.csv

    @property
    def filename(self) -> str:
        return self.file or f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.required]


_MODEL_KINDS: dict[str, FieldKind] = {
    "str": "text", "float": "float", "int": "int", "bool": "bool", "date": "date", "datetime": "datetime",
}


def _node_fields(label: str, *names: str) -> tuple[Field, ...]:
    """Columns that are properties of ``label``, typed as graph.model declares them."""
    node = NODE_BY_LABEL[label]
    return tuple(Field(name, _MODEL_KINDS[node.prop(name).type]) for name in names)


def _rel_field(rel_type: str, prop: str, column: str) -> Field:
    kinds = {p.name: p.type for p in REL_BY_TYPE[rel_type].props}
    return Field(column, _MODEL_KINDS[kinds[prop]])


def _key(column: str, refers_to: str | None = None) -> Field:
    return Field(column, "id", required=True, refers_to=refers_to)


_CONTACT = (Field("phone", "phone"), Field("email", "email"), Field("address", "address"))

# The bundle in load order: every file refers only to files before it.
BUNDLE: tuple[FileSpec, ...] = (
    FileSpec("departments", (_key("department_id"), *_node_fields("Department", "name")),
             key=("department_id",), defines="department"),
    FileSpec("officials", (_key("official_id"), *_node_fields("Official", "name"),
                           Field("department_id", "id", refers_to="department"),
                           *_node_fields("Official", "role"), *_CONTACT),
             key=("official_id",), defines="official"),
    FileSpec("firms", (_key("firm_id"), *_node_fields("Firm", "name", "reg_no"), *_CONTACT,
                       Field("locality", "locality")),
             key=("firm_id",), defines="firm"),
    FileSpec("persons", (_key("person_id"), *_node_fields("Person", "name"), *_CONTACT),
             key=("person_id",), defines="person"),
    FileSpec("person_roles", (_key("person_id", "person"), _key("firm_id", "firm"),
                              Field("role", "enum", required=True, choices=PERSON_ROLES),
                              _rel_field("SHAREHOLDER_OF", "share", "share")),
             key=("person_id", "firm_id", "role")),
    FileSpec("relations", (_key("official_id", "official"), _key("person_id", "person"),
                           *(Field(p.name) for p in REL_BY_TYPE["RELATED_TO"].props)),
             key=("official_id", "person_id")),
    FileSpec("assignments", (_key("official_id", "official"), _key("firm_id", "firm"),
                             _rel_field("RESPONSIBLE_FOR", "since", "since"),
                             _rel_field("RESPONSIBLE_FOR", "until", "until")),
             key=("official_id", "firm_id")),
    FileSpec("tenders", (_key("tender_id"), Field("department_id", "id", refers_to="department"),
                         *_node_fields("Tender", "title", "category", "region", "budget", "currency",
                                       "published_at", "deadline_at", "procedure"),
                         Field("award_criteria", "code"),
                         Field("winner_firm_id", "id", refers_to="firm"),
                         _rel_field("AWARDED_TO", "amount", "award_amount")),
             key=("tender_id",), defines="tender"),
    FileSpec("bids", (_key("bid_id"), _key("tender_id", "tender"), _key("firm_id", "firm"),
                      Field("amount", "float", required=True),
                      *_node_fields("Bid", "submitted_at"), Field("ip", "ip"),
                      Field("document_hash", "document"), *_node_fields("Bid", "disqualified")),
             key=("bid_id",)),
    FileSpec("evaluations", (_key("tender_id", "tender"), _key("official_id", "official")),
             key=("tender_id", "official_id")),
    FileSpec("inspections", (_key("inspection_id"), _key("official_id", "official"), _key("firm_id", "firm"),
                             Field("date", "date", required=True), *_node_fields("Inspection", "kind"),
                             Field("result", "enum", choices=INSPECTION_RESULTS, synonyms=RESULT_SYNONYMS),
                             *_node_fields("Inspection", "penalty")),
             key=("inspection_id",)),
    FileSpec("approvals", (_key("approval_id"), _key("official_id", "official"), _key("firm_id", "firm"),
                           Field("applied_at", "date", required=True),
                           *_node_fields("Approval", "decided_at", "kind", "decision", "statutory_days")),
             key=("approval_id",)),
)
SPEC_BY_NAME: dict[str, FileSpec] = {spec.name: spec for spec in BUNDLE}
DEFINED_BY: dict[str, FileSpec] = {spec.defines: spec for spec in BUNDLE if spec.defines}


# ---------------------------------------------------------------------------- values
#: thousands separators in their unambiguous forms: groups of three digits after a first group of one
#: to three, one separator throughout, then a decimal point — 1,098,000.00 · 1 098 000.00 (a space; NFKC
#: makes a no-break or thin space one) · 1'098'000.00 (Swiss; ’ too)
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[, '’])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?")
#: a decimal comma (1.234,56 · 12,5): refused with a hint, since 1,234 reads as a thousand and more
_DECIMAL_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})*,\d{1,2}|\d+,\d{1,2}")
_CURRENCY_MARKS = ("¥", "￥", "元", "CNY", "RMB")


def parse_number(text: str) -> float:
    """A finite, non-negative decimal number (amounts, budgets, shares, penalties, days).

    Full-width digits, commas and points are read as their ASCII forms (Unicode NFKC:
    ``１，２３４．５０`` is 1234.5). Thousands separators in their unambiguous forms (``1,098,000.00``,
    ``1 098 000.00``, ``1'098'000.00``: :data:`_GROUPED`) and a yuan marker (``¥``, ``元``, ``CNY``,
    ``RMB``) are accepted; other currencies are not (an amount in dollars among yuan would be read
    as yuan). Not numbers: a decimal comma (``1.234,56``; the message says to write a point), what
    ``float`` refuses, and what it reads too freely — underscores (``1_000``), digits other than 0–9
    (``٣``), and a value that is not zero but too small or too large to store (``1e-400`` would
    become 0, ``1e400`` infinity).
    """
    text = unicodedata.normalize("NFKC", text).strip()
    for mark in _CURRENCY_MARKS:
        text = text.removeprefix(mark).removesuffix(mark).strip()
    grouped = _GROUPED.fullmatch(text)
    if grouped:
        text = text.replace(grouped["sep"], "")
    elif _DECIMAL_COMMA.fullmatch(text):
        raise ValueError("not a number (a decimal comma? write the decimals after a point: 1234.56)")
    if "_" in text:
        raise ValueError("not a number (_ is no digit separator: write 1000 or 1,000)")
    if not text.isascii():
        raise ValueError("not a number (only the digits 0–9)")
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    if value == 0 and any(digit in "123456789" for digit in re.split("[eE]", text)[0]):
        raise ValueError("not a number that can be stored: too close to zero")
    if value < 0:
        raise ValueError("negative amount")
    return value


def parse_int(text: str) -> int:
    value = parse_number(text)
    if not value.is_integer():
        raise ValueError("not a whole number")
    if value > MAX_INTEGER:
        raise ValueError(f"too large a whole number to store (at most {MAX_INTEGER:,})")
    return int(value)


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("not a boolean (true/false, 1/0, yes/no, 是/否)")


_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR_FIRST_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})([T ].*)?")


def _unslash(text: str) -> str:
    """``2020/5/7 14:41`` → ``2020-05-07 14:41``: year-first slashes are unambiguous."""
    match = _YEAR_FIRST_SLASHED.fullmatch(text)
    if not match:
        return text
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}{match[4] or ''}"


def parse_date(text: str) -> date:
    """ISO 8601 calendar date; reduced precision (``2024``, ``2024-03``) means its first day;
    a date-time keeps its date as written (not moved to UTC); year-first slashes (``2020/05/07``)
    are read as dashes; full-width digits as ASCII (NFKC, as numbers); other digits than 0–9
    are refused."""
    text = _unslash(unicodedata.normalize("NFKC", text).strip())
    try:
        if not text.isascii():
            raise ValueError
        if _YEAR.fullmatch(text):
            return date(int(text), 1, 1)
        if match := _YEAR_MONTH.fullmatch(text):
            return date(int(match[1]), int(match[2]), 1)
        try:
            return date.fromisoformat(text)
        except ValueError:
            return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError("not an ISO 8601 date (YYYY-MM-DD)") from None


def parse_datetime(text: str) -> datetime:
    """ISO 8601 date-time (a bare date means midnight); with an offset, converted to UTC and
    stored without it, so one property never mixes local and zoned values. Digits as
    :func:`parse_date` reads them (full-width ones as ASCII)."""
    text = _unslash(unicodedata.normalize("NFKC", text).strip())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        try:
            value = datetime.combine(parse_date(text), datetime.min.time())
        except ValueError:
            raise ValueError("not an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS)") from None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ValueError("a date-time out of range: in UTC it falls before year 1 or after 9999") from None
    return value


def parse_id(text: str) -> str:
    """An id as written, without surrounding blanks, a space of another kind (no-break, ideographic,
    thin) read as a plain one; refused when it holds a character nobody can see (a zero-width
    space, a control character). Either would be another id that looks the same, and every row
    naming the visible one would miss it; a bid table's firm is often its scraped name, where
    no-break spaces are common, so those are read rather than refused."""
    value = "".join(" " if unicodedata.category(char) == "Zs" else char for char in text).strip()
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            name = unicodedata.name(char, "a control character")
            raise ValueError(f"id holds an invisible character (U+{ord(char):04X} {name} at position {position})")
    return value


def parse_code(text: str) -> str | None:
    """A coded value the record words in its own way (an award criteria: ``priceOnly``, 综合评估法):
    Unicode NFKC (full-width letters as ASCII), blanks of any kind collapsed to one space and
    stripped; None for an empty cell or a placeholder for none (:data:`MISSING_MARKERS`). Case is
    kept as written.

    >>> parse_code(" rated\u3000 Criteria "), parse_code("无"), parse_code("ＰｒｉｃｅＯｎｌｙ")
    ('rated Criteria', None, 'PriceOnly')
    """
    value = " ".join(unicodedata.normalize("NFKC", text).split())
    return None if not value or value.lower() in MISSING_MARKERS else value


def check_storable(column: str, kind: str, value: Any) -> None:
    """ValueError when text is too long to store: a key or range-indexed value over
    :data:`graph.model.MAX_INDEXED_BYTES` UTF-8 bytes (Neo4j refuses the index key and fails the
    whole batch), any other text over :data:`graph.model.MAX_TEXT_BYTES`."""
    if not isinstance(value, str):
        return
    indexed = kind != "text" or column in INDEXED_PROPERTIES
    limit = MAX_INDEXED_BYTES if indexed else MAX_TEXT_BYTES
    size = len(value.encode("utf-8"))
    if size > limit:
        what = "an id, identifier or indexed value" if indexed else "a text value"
        raise ValueError(f"too long to store: {size:,} bytes, and {what} may have at most {limit:,}")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "id": parse_id,
    "code": parse_code,
    "float": parse_number,
    "int": parse_int,
    "bool": parse_bool,
    "date": parse_date,
    "datetime": parse_datetime,
    "phone": lambda text: _one_or_several(normalise_phones(text)),
    "email": normalise_email,
    "address": normalise_address,
    "locality": normalise_locality,
    "ip": normalise_ip,
    "document": normalise_document_hash,
}


def _one_or_several(values: list[str]) -> str | tuple[str, ...]:
    """A cell's one value, or its several as a tuple (:func:`parse_row` lists them under ``phones``)."""
    return values[0] if len(values) == 1 else tuple(values)


def parse_value(spec: Field, text: str) -> Any:
    """The canonical value of one cell; None when empty; ValueError(reason) when bad."""
    missing = not text.strip() or (
        spec.kind not in ("text", "id") and text.strip().lower() in MISSING_MARKERS)
    if missing:
        if spec.required:
            raise ValueError("required value is empty")
        return None
    if spec.kind == "text":
        check_storable(spec.prop or spec.name, spec.kind, text)
        return text  # verbatim
    if spec.kind == "enum":
        word = text.strip().lower()
        word = spec.synonyms.get(word, word)
        if word not in spec.choices:
            others = [w for w in spec.synonyms if w not in spec.choices]
            shown = ", ".join(spec.choices) + (f" (or {', '.join(others)})" if others else "")
            raise ValueError(f"not one of {shown}")
        return word
    value = _PARSERS[spec.kind](text)
    check_storable(spec.prop or spec.name, spec.kind, value)
    return value


# ------------------------------------------------------------------------ reading files
#: the encoding files are read in unless ``--encoding`` names another (a UTF-8 byte-order mark is skipped)
DEFAULT_ENCODING = "utf-8"
#: the codec that reads it (:func:`text_encoding`)
DEFAULT_CODEC = "utf-8-sig"
#: the encoding a file that is not UTF-8 is tried in for the error's hint: GB18030 reads GBK and GB2312,
#: what Excel on Chinese Windows saves a "CSV" in
HINT_ENCODING = "gb18030"


def text_encoding(name: str) -> str:
    """The codec files are opened with for ``--encoding name``: Python's name for it, ``utf-8-sig`` for
    UTF-8 (so a byte-order mark is skipped); BundleError for a name Python does not know."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise BundleError(f"unknown encoding {name!r} (for example utf-8, gb18030, big5)") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, hex: codecs, but of no text file
        raise BundleError(f"{name!r} is no text encoding (for example utf-8, gb18030, big5)")
    return DEFAULT_CODEC if info.name in ("utf-8", "utf-8-sig") else info.name


def _encoding_label(codec: str) -> str:
    return "UTF-8" if codec == DEFAULT_CODEC else codec.upper().replace("_", "-")


def _decoded_line(path: Path, codec: str, line: int) -> str | None:
    """Line ``line`` of the file as ``codec`` reads it, None when the whole file does not decode so."""
    found = None
    try:  # lines end at "\n" only, as check_encoding counts them
        with open(path, encoding=codec, newline="\n") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    found = text.rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    return found


def check_encoding(path: Path, codec: str = DEFAULT_CODEC) -> None:
    """Decode the whole file in blocks with ``codec`` (:func:`text_encoding`); BundleError naming the
    line of the first bad byte. A UTF-8 file that reads as GB18030 is named so, with the line it would
    read as, for the user to judge (a Western file can decode as GB18030 too, into nonsense)."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    label, line = _encoding_label(codec), 1
    with open(path, "rb") as handle:
        while block := handle.read(ENCODING_BLOCK):
            state = decoder.getstate()
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                # the lines before the bad byte, counted in text ("\n" is no byte 0x0A in UTF-16)
                before = codecs.getincrementaldecoder(codec)("replace")
                before.setstate(state)
                line += before.decode(block[: max(error.start, 0)]).count("\n")
                raise BundleError(
                    f"{path.name} is not {label} (byte {error.object[error.start:error.start + 1]!r} near "
                    f"line {line}); {_encoding_advice(path, codec, line)}"
                ) from None
            line += text.count("\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise BundleError(f"{path.name} is not {label} (it ends inside a multi-byte character); "
                              f"{_encoding_advice(path, codec, line)}") from None


def _encoding_advice(path: Path, codec: str, line: int) -> str:
    hint = _decoded_line(path, HINT_ENCODING, line) if codec != HINT_ENCODING else None
    if hint is not None:
        return (f"read as GB18030 (GBK, as Excel on Chinese Windows saves CSV) line {line} is {hint!r}: if that is "
                f"right, load it with --encoding {HINT_ENCODING}, else save it as UTF-8 and load again")
    return "save it as UTF-8 and load again, or name its encoding with --encoding"


@dataclass(frozen=True)
class Record:
    """One CSV record: the physical line it starts on (header = line 1) and its cells,
    or the parser's complaint when the record could not be split."""

    line: int
    cells: list[str]
    error: str | None = None
    end: int = 0  # the physical line it ends on (a quoted field may span line breaks); 0 = ``line``

    @property
    def lines(self) -> str:
        """"line 5", or "lines 5–9" for a record over several physical lines."""
        return f"lines {self.line}–{self.end}" if self.end > self.line else f"line {self.line}"


def read_header(path: Path, codec: str = DEFAULT_CODEC) -> list[str]:
    with open(path, encoding=codec, newline="") as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise BundleError(f"{path.name} is empty: the first line must name the columns") from None
        except csv.Error as error:
            raise BundleError(f"{path.name}: cannot read the header line: {error}") from None
    return [name.strip().removeprefix("\ufeff").strip() for name in header]


def iter_records(handle: TextIO) -> Iterator[Record]:
    """Records after the header of an open CSV file (``newline=''``), blank lines skipped, and so are rows of
    empty cells (``,,,,``: a spreadsheet saves the rows below its data that were once touched so), which hold
    nothing to load and made a "required value is empty" reject each night.

    The reader is strict: a quote left open at the end of the file is an error naming the
    lines it swallowed (a lenient reader reads them silently into one field), and so is text
    after a closing quote (``"Acme" Ltd``), which a lenient reader glues on.
    """
    reader = csv.reader(handle, strict=True)
    next(reader, None)
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            start, previous = previous + 1, reader.line_num
            if "unexpected end of data" in str(error):
                message = (f"unreadable CSV record: a quoted field opened on line {start} is never closed, so "
                           f"lines {start}–{previous} (the end of the file) read as one record; none of them is loaded")
            else:
                message = f"unreadable CSV record: {error}"
            yield Record(start, [], message, end=previous)
            continue
        start, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield Record(start, cells, end=previous)


T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class BundleFile:
    spec: FileSpec
    path: Path
    header: list[str]
    unknown_columns: tuple[str, ...] = ()  # header names that are no column of the file: not loaded
    codec: str = DEFAULT_CODEC  # what the file is read with (text_encoding)

    def unknown_columns_warning(self) -> str | None:
        """The warning the load prints for header names it does not read (a misspelt column would
        otherwise drop its data without a reject), with the columns they probably mean."""
        if not self.unknown_columns:
            return None
        names = ", ".join(name or "(unnamed)" for name in self.unknown_columns)
        hints = [_likely_column(name, self.spec) for name in self.unknown_columns]
        if all(hints):
            meant = f" (did you mean {', '.join(hints)}?)"
        else:
            pairs = [f"{hint} for {name}" for name, hint in zip(self.unknown_columns, hints, strict=True) if hint]
            meant = (f" (did you mean {', '.join(pairs)}?)" if pairs else "") + \
                f"; the file's columns are {', '.join(self.spec.columns)}"
        return f"{self.spec.filename}: column(s) {names} are not bundle columns and are not loaded{meant}"


def preflight_file(path: Path, required: Sequence[str], codec: str = DEFAULT_CODEC) -> list[str]:
    """Encoding and header checks of one file; its header, or BundleError listing what is wrong."""
    check_encoding(path, codec)
    header = read_header(path, codec)
    # columns without a name (a spreadsheet's empty trailing columns) are unnamed, not duplicates:
    # they are not loaded, and the load says so (BundleFile.unknown_columns_warning)
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise BundleError(f"{path.name}: column(s) {', '.join(duplicated)} appear more than once in the header")
    missing = [name for name in required if name not in header]
    if missing:
        raise BundleError(
            f"{path.name}: required column(s) {', '.join(missing)} missing "
            f"(the header has: {', '.join(header) or 'nothing'})"
        )
    return header


def _likely_column(name: str, spec: FileSpec) -> str:
    """The column of ``spec`` an unknown header name probably means: the same name in another
    case (``Phone``), else the closest spelling (``emial``: email); "" when none is close."""
    for column in spec.columns:
        if column.lower() == name.lower():
            return column
    close = difflib.get_close_matches(name.lower(), spec.columns, n=1)
    return close[0] if close else ""


def file_encoding(path: Path, codec: str) -> str:
    """The codec ``path`` is read with: UTF-8 where it starts with UTF-8's byte-order mark, whatever
    ``--encoding`` says (a bundle that mixes the registry's GBK firms with a platform's UTF-8 bids, loaded
    with ``--encoding gb18030``, read the mark as 锘 and missed its first column), else ``codec``."""
    with open(path, "rb") as handle:
        return DEFAULT_CODEC if handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else codec


def preflight(directory: Path, encoding: str = DEFAULT_ENCODING) -> list[BundleFile]:
    """Check every bundle file in ``directory`` (text in ``encoding``) before anything is written.

    Raises BundleError listing every problem found (missing folder, no bundle files, an unknown
    encoding, undecodable files, missing required columns); a file that starts with UTF-8's byte-order
    mark is read as UTF-8 (:func:`file_encoding`). A header name that is no column of its
    file (a typo, another case: ``emial``, ``Phone``) does not stop the load, but its data is
    not loaded: each file's :meth:`BundleFile.unknown_columns_warning` says so, for the load
    to print.
    """
    if not directory.is_dir():
        raise BundleError(f"{directory} is not a folder")
    codec = text_encoding(encoding)
    files: list[BundleFile] = []
    problems: list[str] = []
    for spec in BUNDLE:
        path = directory / spec.filename
        if not path.exists():
            continue
        file_codec = file_encoding(path, codec)
        try:
            header = preflight_file(path, spec.required_columns, file_codec)
        except BundleError as error:
            problems.append(str(error))
            continue
        files.append(BundleFile(spec, path, header, tuple(name for name in header if name not in spec.columns),
                                file_codec))
    if problems:
        raise BundleError("\n".join(problems))
    if not files:
        names = ", ".join(spec.filename for spec in BUNDLE)
        raise BundleError(f"{directory} holds none of the bundle files ({names})")
    return files


# ----------------------------------------------------------------------------- validation
#: the kinds of value whose bad value skips only itself (:func:`parse_row`): identifiers a row may lack, which
#: link parties to each other but are no part of what the row records (an OCDS party's contact point is read so too)
SKIPPABLE_KINDS: frozenset[str] = frozenset({"phone", "email", "address", "locality", "ip", "document"})
#: a row's key naming the columns whose bad value was skipped: the load leaves their stored value and links
#: as they are (the load queries read it as ``row.keep_stored``), as it does for a column the file lacks
KEEP_STORED = "keep_stored"
#: added to the reason of a skipped value's reject line, once its row has loaded
SKIPPED_VALUE = "; only this value is not loaded: the row is, keeping what was stored for it before, if anything"


def parse_row(spec: FileSpec, header: Sequence[str], record: Record) -> tuple[dict[str, Any] | None, list[Reject]]:
    """Row-local checks of one record: the canonical row, or None and the rejects explaining why not.

    A row is returned with rejects when all of them are bad values of optional identifiers
    (:data:`SKIPPABLE_KINDS`): those values are None in it and their columns listed under
    :data:`KEEP_STORED`."""
    if record.error is not None:
        return None, [Reject(spec.filename, record.line, "", "", record.error)]
    if len(record.cells) != len(header):
        spans = (f" (the record runs over {record.lines}: a quoted field spans the line breaks; is a quote left "
                 "open?)" if record.end > record.line else "")
        return None, [Reject(spec.filename, record.line, "", ",".join(record.cells)[:200],
                             f"row has {len(record.cells)} fields but the header has {len(header)}{spans}")]
    cells = dict(zip(header, record.cells, strict=True))
    row: dict[str, Any] = {}
    rejects: list[Reject] = []
    skipped: list[str] = []
    for column in spec.fields:
        text = cells.get(column.name, "")
        try:
            row[column.name] = parse_value(column, text)
        except (ValueError, OverflowError) as error:
            rejects.append(Reject(spec.filename, record.line, column.name, text, str(error)))
            row[column.name] = None
            if column.kind in SKIPPABLE_KINDS and not column.required:
                skipped.append(column.name)
    if spec.name == "firms" and row.get("locality") is None and row.get("address") is not None:
        row["locality"] = address_locality(row["address"])  # a blank or absent locality: the address's
    if spec.name == "tenders" and row.get("award_amount") is not None and row.get("winner_firm_id") is None:
        rejects.append(Reject(spec.filename, record.line, "award_amount", cells.get("award_amount", ""),
                              "award_amount given without winner_firm_id"))
    if spec.name == "person_roles" and row.get("share") is not None and row["share"] > 1:
        shown = cells.get("share", "").strip()
        hint = f" (write {row['share'] / 100:g} for {row['share']:g} %)" if row["share"] <= 100 else ""
        rejects.append(Reject(spec.filename, record.line, "share", cells.get("share", ""),
                              f"share {shown} is not a fraction between 0 and 1{hint}"))
    if spec.name == "assignments" and row.get("since") and row.get("until") and row["until"] < row["since"]:
        rejects.append(Reject(spec.filename, record.line, "until", cells.get("until", ""),
                              f"the assignment ends before it starts (since {cells.get('since', '').strip()})"))
    if isinstance(row.get("phone"), tuple):  # a cell of several numbers: the first is the phone, all are linked
        row["phones"] = list(row["phone"])
        row["phone"] = row["phones"][0]
    if len(rejects) > len(skipped):
        return None, rejects
    if skipped:
        row[KEEP_STORED] = skipped
    return row, rejects


class IdLookup(Protocol):
    def existing_ids(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, set[str]]: ...


class References:
    """Which entity ids exist: accepted from this bundle so far, or found in the graph.

    Ids not defined by the bundle are asked of the graph once, in one query per chunk;
    the answers (found or absent) are remembered. Only ids are kept.
    """

    def __init__(self, graph: IdLookup | None) -> None:
        self.graph = graph
        self.bundle: dict[str, set[str]] = defaultdict(set)
        self.rejected: dict[str, set[str]] = defaultdict(set)
        self.in_graph: dict[str, set[str]] = defaultdict(set)
        self.not_in_graph: dict[str, set[str]] = defaultdict(set)
        self.graph_queries = 0

    def _known(self, kind: str, value: str) -> bool:
        return value in self.bundle[kind] or value in self.in_graph[kind]

    def resolve(self, spec: FileSpec, rows: Iterable[dict[str, Any]]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            for column in spec.fields:
                kind, value = column.refers_to, row.get(column.name)
                if kind is None or value is None or self._known(kind, value) or value in self.not_in_graph[kind]:
                    continue
                wanted[kind].add(value)
        if not wanted or self.graph is None:
            for kind, values in wanted.items():
                self.not_in_graph[kind].update(values)
            return
        found = self.graph.existing_ids(wanted)
        self.graph_queries += 1
        for kind, values in wanted.items():
            self.in_graph[kind].update(found.get(kind, set()))
            self.not_in_graph[kind].update(values - found.get(kind, set()))

    def check(self, spec: FileSpec, line: int, row: Mapping[str, Any]) -> list[Reject]:
        rejects = []
        for column in spec.fields:
            value = row.get(column.name)
            if column.refers_to is None or value is None or self._known(column.refers_to, value):
                continue
            defining = DEFINED_BY[column.refers_to].filename
            if value in self.rejected[column.refers_to]:
                reason = f"{column.refers_to} {value} was rejected in {defining}"
            else:
                reason = f"unknown {column.refers_to}: not in {defining} and not in the graph"
            rejects.append(Reject(spec.filename, line, column.name, value, reason))
        return rejects


class RowSink(IdLookup, Protocol):
    def write(self, thing: str, rows: Sequence[Mapping[str, Any]], keep: Sequence[str] = ()) -> WriteCounters:
        """Write ``rows``; ``keep``: columns the file does not have, whose stored values stay."""
        ...


# -------------------------------------------------------------------------------- loading
@dataclass
class FileStats:
    file: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    skipped_values: int = 0  # bad optional identifiers of rows that loaded without them (SKIPPABLE_KINDS)
    seconds: float = 0.0
    counters: WriteCounters = field(default_factory=WriteCounters)
    extract: Extract = field(default_factory=Extract)  # the keys it gave, for --prune


class Progress:
    """A line on stderr when a file starts and every few seconds while it loads."""

    def __init__(self, stream: TextIO | None = sys.stderr, every_s: float = PROGRESS_SECONDS) -> None:
        self.stream = stream
        self.every_s = every_s
        self._last = 0.0

    def start(self, name: str) -> None:
        self._last = time.monotonic()
        self._say(f"loading {name} …")

    def update(self, stats: FileStats, started: float) -> None:
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            rate = stats.read / max(now - started, 1e-9)
            self._say(f"  {stats.file}: {stats.read:,} rows read, {stats.loaded:,} loaded, "
                      f"{stats.rejected:,} rejected ({rate:,.0f} rows/s)")

    def _say(self, text: str) -> None:
        if self.stream is not None:
            print(text, file=self.stream, flush=True)


def accept_rows(
    spec: FileSpec, staged: list[tuple[int, dict[str, Any]]], refs: References, seen: set[Any],
    rejects: list[Reject], stats: FileStats,
) -> list[dict[str, Any]]:
    """Referential and duplicate-key checks of row-valid rows, in file order."""
    refs.resolve(spec, (row for _, row in staged))
    accepted = []
    for line, row in staged:
        problems = refs.check(spec, line, row)
        key = row_key(spec, row)
        if not problems and key in seen:
            problems = [Reject(spec.filename, line, "+".join(spec.key),
                               "+".join(row[k] for k in spec.key), "duplicate key: an earlier row of this file has it")]
        if problems:
            reject_row(spec, row, problems, refs, rejects, stats)
            continue
        seen.add(key)
        accepted.append(row)
    return accepted


def reject_row(spec: FileSpec, row: Mapping[str, Any] | None, problems: list[Reject], refs: References | None,
               rejects: list[Reject], stats: FileStats) -> None:
    """Count a rejected row; remember its key so references to it can say what happened."""
    rejects.extend(problems)
    stats.rejected += 1
    if refs is not None and spec.defines and row is not None and row.get(spec.key[0]) is not None:
        if row[spec.key[0]] not in refs.bundle[spec.defines]:
            refs.rejected[spec.defines].add(row[spec.key[0]])


def load_file(
    bundle_file: BundleFile, sink: RowSink, refs: References, rejects: RejectLog,
    batch_size: int = DEFAULT_BATCH, progress: Progress | None = None,
) -> FileStats:
    """Validate and write one bundle file chunk by chunk; its statistics."""
    spec, started = bundle_file.spec, time.monotonic()
    stats = FileStats(spec.filename)
    seen: set[Any] = refs.bundle[spec.defines] if spec.defines else set()
    stats.extract.keys = seen
    absent = [column.name for column in spec.fields if column.name not in bundle_file.header]
    if progress:
        progress.start(spec.filename)
    with open(bundle_file.path, encoding=bundle_file.codec, newline="") as handle:
        for chunk in chunked(iter_records(handle), batch_size):
            staged: list[tuple[int, dict[str, Any]]] = []
            chunk_rejects: list[Reject] = []
            skipped: dict[int, list[Reject]] = {}  # id(row) → its skipped values' rejects
            for record in chunk:
                stats.read += 1
                row, problems = parse_row(spec, bundle_file.header, record)
                if row is None:
                    key = _record_key(spec, bundle_file.header, record)
                    reject_row(spec, _key_only(spec, key), problems, refs, chunk_rejects, stats)
                    _protect(stats.extract, key)
                else:
                    staged.append((record.line, row))
                    if problems:
                        skipped[id(row)] = problems
            accepted = accept_rows(spec, staged, refs, seen, chunk_rejects, stats)
            loaded = {id(row) for row in accepted}
            for _, row in staged:
                if id(row) not in loaded:
                    _protect(stats.extract, row_key(spec, row))
                    chunk_rejects.extend(skipped.get(id(row), []))  # a problem of a rejected row, as any other
                else:
                    values = skipped.get(id(row), [])
                    chunk_rejects.extend(replace(reject, reason=reject.reason + SKIPPED_VALUE) for reject in values)
                    stats.skipped_values += len(values)
            rejects.extend(sorted(chunk_rejects, key=lambda reject: reject.line))
            if accepted:
                stats.counters.merge(sink.write(spec.name, accepted, keep=absent))  # absent columns: left alone
            stats.loaded += len(accepted)
            if progress:
                progress.update(stats, started)
    stats.seconds = time.monotonic() - started
    return stats


def row_key(spec: FileSpec, row: Mapping[str, Any]) -> Any:
    """A parsed row's key: the value of a one-column key, else the tuple of its values."""
    return row[spec.key[0]] if len(spec.key) == 1 else tuple(row[k] for k in spec.key)


def _record_key(spec: FileSpec, header: Sequence[str], record: Record) -> Any:
    """The key of a row-invalid record, read as a valid row's would be (None when a key cell is
    missing, empty or unreadable: the row could be the new version of any stored one)."""
    if len(record.cells) != len(header) or any(k not in header for k in spec.key):
        return None
    by_name = {f.name: f for f in spec.fields}
    values = []
    for name in spec.key:
        try:
            value = parse_value(by_name[name], record.cells[list(header).index(name)])
        except ValueError:
            return None
        if value is None:
            return None
        values.append(value)
    return values[0] if len(values) == 1 else tuple(values)


def _protect(extract: Extract, key: Any) -> None:
    """A rejected row's key is kept from pruning; a row without a readable key is counted."""
    if key is None:
        extract.unkeyed_rejects += 1
    else:
        extract.protected.add(key)


def _key_only(spec: FileSpec, key: Any) -> dict[str, Any] | None:
    """A row-invalid record's id (:func:`_record_key`) as a row, so references to it can say it was rejected."""
    return {spec.key[0]: key} if spec.defines is not None and key is not None else None


@dataclass
class LoadReport:
    input_path: Path
    source: str
    files: list[FileStats]
    totals: WriteCounters
    seconds: float
    rejects: int
    rejects_path: Path | None
    pruned: list[FilePrune] | None = None  # with --prune, per present file (None: not asked)
    unused_identifiers: int = 0  # with --prune, identifier values nothing linked to any more, deleted
    unused_seconds: float = 0.0

    @property
    def rejected_rows(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def skipped_values(self) -> int:
        return sum(f.skipped_values for f in self.files)

    def skipped_line(self) -> str:
        """What the skipped values cost, "" when none was: their rows loaded without them."""
        if not self.skipped_values:
            return ""
        values = "value" if self.skipped_values == 1 else "values"
        return (f"{self.skipped_values:,} bad {values} (phones, e-mails, addresses, localities, IPs or document "
                "hashes) not loaded; their rows loaded without them")

    @property
    def prune_refused(self) -> bool:
        return any(p.refused for p in self.pruned or [])

    def outcome(self) -> tuple[str, dict[str, Any]]:
        """Status and counts for the load log (:mod:`graph.load_log`): partial when --prune left a file
        unpruned (the graph is not yet what the extract says)."""
        refused = "; ".join(p.line() for p in self.pruned or [] if p.refused)
        note = "; ".join(text for text in (refused, self.skipped_line()) if text)
        return "partial" if refused else "succeeded", {
            "rows_read": sum(f.read for f in self.files), "rows_loaded": sum(f.loaded for f in self.files),
            "rejected": self.rejected_rows, "note": note or None,
            "pruned": sum(p.deleted for p in self.pruned) if self.pruned is not None else None}

    def table(self) -> str:
        lines = [f"{'file':<18}{'read':>10}{'loaded':>10}{'rejected':>10}{'seconds':>9}"]
        for f in self.files:
            lines.append(f"{f.file:<18}{f.read:>10,}{f.loaded:>10,}{f.rejected:>10,}{f.seconds:>9.1f}")
        read = sum(f.read for f in self.files)
        loaded = sum(f.loaded for f in self.files)
        lines.append(f"{'total':<18}{read:>10,}{loaded:>10,}{self.rejected_rows:>10,}{self.seconds:>9.1f}")
        lines.append(
            f"graph ({self.source}): {self.totals.nodes_created:,} nodes created, "
            f"{self.totals.relationships_created:,} relationships created, "
            f"{self.totals.relationships_deleted:,} relationships replaced, "
            f"{self.totals.properties_set:,} properties set"
        )
        where = f" — details in {self.rejects_path}" if self.rejects_path else ""
        if self.rejected_rows:
            lines.append(f"rejected: {self.rejected_rows:,} rows ({self.rejects - self.skipped_values:,} problems)"
                         f"{where}")
        else:
            lines.append("rejected: none")
        if self.skipped_values:
            lines.append(f"skipped: {self.skipped_line()}{where}")
        if self.pruned is not None:
            present = {p.file for p in self.pruned}
            absent = [spec.filename for spec in BUNDLE if spec.filename not in present]
            lines.append(f"pruned ({self.source}, what the bundle no longer has):")
            lines.extend(f"  {p.line()}" for p in self.pruned)
            if absent:
                lines.append(f"  not in the bundle, not pruned: {', '.join(absent)}")
            lines.append(f"  phones, e-mails, addresses, IPs and documents nothing links to any more: "
                         f"{self.unused_identifiers:,} deleted ({self.unused_seconds:.1f} s)")
        return "\n".join(lines)


def default_source(directory: Path) -> str:
    return f"csv:{directory.resolve().name}"


def load_bundle(
    directory: Path, db: Any, rejects_path: Path | None = None, batch_size: int = DEFAULT_BATCH,
    source: str | None = None, progress: Progress | None = None, files: list[BundleFile] | None = None,
    prune: float | None = None, encoding: str = DEFAULT_ENCODING,
) -> LoadReport:
    """Load the bundle in ``directory`` into ``db`` (a :class:`graph.db.Database`).

    Raises BundleError (nothing written) when a file is unreadable or lacks a required
    column, and graph.db.GraphError when the database fails. ``files`` skips the
    pre-flight when the caller has just run it. With ``prune`` (the largest share of a file's
    stored entities that may go, e.g. 0.1), the bundle is a full extract of its source: once
    every file has loaded, what the source's earlier loads wrote and a present file no longer
    has is deleted (:mod:`loaders.prune`).
    """
    from graph.writer import GraphWriter

    started = time.monotonic()
    files = files if files is not None else preflight(directory, encoding)
    source = source or default_source(directory)
    rejects_path = rejects_path or directory / "rejects.csv"
    writer = GraphWriter(db, source, batch_size=batch_size)
    writer.prepare()
    refs = References(writer)
    stats = []
    with RejectLog(rejects_path, keep=False) as rejects:
        for bundle_file in files:
            stats.append(load_file(bundle_file, writer, refs, rejects, batch_size, progress))
    pruned, unused, unused_seconds = None, 0, 0.0
    if prune is not None:  # dependants first, so each deletion counts for its own file
        loaded = list(zip(files, stats, strict=True))
        pruned = [prune_file(writer, f.spec, s.extract, refs, prune) for f, s in reversed(loaded)][::-1]
        started_unused = time.monotonic()
        unused = writer.delete_unused_identifiers()
        unused_seconds = time.monotonic() - started_unused
    return LoadReport(directory, source, stats, writer.totals, time.monotonic() - started,
                      rejects.count, rejects_path, pruned, unused, unused_seconds)


def prune_file(writer: Any, spec: FileSpec, extract: Extract, refs: References, max_share: float) -> FilePrune:
    """Delete what ``writer``'s source stored for ``spec`` and the loaded file no longer has
    (:func:`loaders.prune.plan`; ids a row of the bundle refers to are kept)."""
    started = time.monotonic()
    target = TARGETS[spec.name]
    if spec.defines:
        extract.protected |= refs.in_graph[spec.defines]
    summary, stale = plan(spec.filename, writer.stored(target.label, target.types), extract, target, max_share)
    if stale:
        counters = writer.delete(stale, target.label, target.links)
        summary.deleted = counters.nodes_deleted if target.label else counters.relationships_deleted
    summary.seconds = time.monotonic() - started
    return summary


class CollectingSink:
    """Collects accepted rows in memory instead of writing them (tests, benchmarks, dry runs)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Mapping[str, Any]]] = defaultdict(list)

    def write(self, thing: str, rows: Sequence[Mapping[str, Any]], keep: Sequence[str] = ()) -> WriteCounters:
        self.rows[thing].extend(rows)
        return WriteCounters(rows=len(rows))

    def existing_ids(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
        return {}


def read_bundle(directory: Path | str, encoding: str = DEFAULT_ENCODING) -> tuple[dict[str, pd.DataFrame], list[Reject]]:
    """Validate the bundle without a database: canonical frames per file (keyed by file
    name without ``.csv``, every file present, empty when absent) and the rejects.

    References must resolve within the bundle. Holds everything in memory: for tests,
    benchmarks and small bundles; loading streams instead.
    """
    directory = Path(directory)
    sink = CollectingSink()
    refs = References(None)
    rejects = RejectLog(None, keep=True)
    for bundle_file in preflight(directory, encoding):
        load_file(bundle_file, sink, refs, rejects)
    frames = {spec.name: pd.DataFrame(sink.rows.get(spec.name, []), columns=spec.columns) for spec in BUNDLE}
    return frames, rejects.rejects


# ----------------------------------------------------------------------------------- CLI
EXIT_OK, EXIT_DATABASE, EXIT_INPUT, EXIT_LOCKED = 0, 1, 2, 3
EXIT_PRUNE_REFUSED = 4  # the bundle loaded, but --prune left a file's stale entities in place (and says why)


RERUN_ADVICE = ("Rows written before the failure stay; once the database is back, re-running the same "
                "command completes the load (it MERGEs on natural keys).")

REFUSED_ADVICE = ("Rows written before the failure stay. The database refused a write, so running the same "
                  "command again fails the same way: an input value the loader does not check yet; please "
                  "report it with this message.")


def _passing(error: BaseException) -> bool:
    """Whether a database failure can pass (the server unreachable, restarting or busy), so that
    re-running completes the load; a refused write (a ClientError or DatabaseError) cannot."""
    from neo4j.exceptions import ClientError, DatabaseError

    from graph.db import GraphError, GraphUnavailable

    if isinstance(error, GraphUnavailable):
        return True
    cause = error.__cause__ if isinstance(error, GraphError) else error
    return cause is not None and not isinstance(cause, (GraphError, ClientError, DatabaseError))


@dataclass(frozen=True)
class LoadEntry:
    """What the load log (:mod:`graph.load_log`) records about a load before it starts."""

    kind: str  # csv, bids, ocds
    source: str
    input: str


def run_load(load: Callable[[Any], Any], job: str = "a load", entry: LoadEntry | None = None,
             finish: Callable[[Any], int] | None = None) -> tuple[int, Any]:
    """Connect, take the database's job lock (:mod:`graph.lock`) as ``job``, run ``load(db)``, and map
    failures to exit codes with a readable message. ``finish`` prints a finished load's report and
    gives the job's exit code (a refused prune, an unreadable file), before the dated end line, so
    the line says the code the job exits with.

    BundleError or an unreadable/unwritable file → 2; unreachable or failing database → 1,
    saying how to start the local server and, when the load had begun, that re-running
    is safe; a detector run or another load holding the lock → 3, nothing written (a detector
    run must not read half a load). With ``entry`` the load is recorded in the load log, its end
    from the report's ``outcome()`` (status and counts) or the error. Its start and end are dated
    lines on stderr, so a cron job's appended log tells one night from the next.
    """
    print(f"{_now()} {job}: started", file=sys.stderr, flush=True)
    code, report = _run_load(load, job, entry)
    if finish is not None and report is not None:
        code = finish(report)
    print(f"{_now()} {job}: ended, exit code {code}", file=sys.stderr, flush=True)
    return code, report


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _run_load(load: Callable[[Any], Any], job: str, entry: LoadEntry | None) -> tuple[int, Any]:
    from neo4j.exceptions import DriverError, Neo4jError

    from graph.db import GraphError, GraphUnavailable, connect
    from graph.lock import LockHeld, job_lock
    from graph.settings import SettingsError
    from graph.signals import Interrupted, deferred_interrupts, exit_code

    loading = False
    try:
        with deferred_interrupts(), connect() as db:
            with job_lock(db, job) as held:
                loading = True
                report = load(db) if entry is None else _logged(db, load, entry)
                if held.lost():
                    print("warning: the database's job lock was ended during this load (TERMINATE TRANSACTIONS, "
                          "or a server restart), so a detector run may have read part of it: run the detectors "
                          "again.", file=sys.stderr)
                return EXIT_OK, report
    except (Interrupted, KeyboardInterrupt) as error:
        what = str(error) if isinstance(error, Interrupted) else "interrupted by Ctrl-C (SIGINT)"
        print(f"error: {what}." + (f" {RERUN_ADVICE}" if loading else " Nothing was written."), file=sys.stderr)
        return exit_code(error), None
    except LockHeld as error:
        print(f"error: {error}\nNothing was written; run the load again when that job has finished.",
              file=sys.stderr)
        return EXIT_LOCKED, None
    except BundleError as error:
        print(f"error: {error}\nNothing was written.", file=sys.stderr)
        return EXIT_INPUT, None
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DATABASE, None
    except (GraphError, Neo4jError, DriverError) as error:
        text = str(error) if isinstance(error, GraphError) else f"the database failed: {error}"
        print(f"error: {text}", file=sys.stderr)
        if loading and isinstance(error, GraphUnavailable):
            print("For the project's local server: `python -m graph server start`.", file=sys.stderr)
        if loading:
            print(RERUN_ADVICE if _passing(error) else REFUSED_ADVICE, file=sys.stderr)
        return EXIT_DATABASE, None
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT, None


def record_refused(entry: LoadEntry, job: str, error: Exception) -> None:
    """Record in the load log a load refused before it wrote anything (a file that is not in its encoding, a
    missing column), as failed with the error, so the Overview says the night's data did not come: it
    showed the load before as the latest, succeeded. Best effort, under the job lock (a load log entry
    started while another load runs would mark that one interrupted): when the database cannot be reached
    or another job holds the lock, the refusal is only said here."""
    from graph import load_log
    from graph.db import connect
    from graph.lock import job_lock

    try:
        with connect() as db, job_lock(db, job):
            run_id, _ = load_log.start(db, entry.kind, entry.source, entry.input)
            load_log.end(db, run_id, "failed", {"error": f"refused before loading: {error}"})
    except Exception as failure:  # noqa: BLE001 — the input error is the news; this is only its record
        print(f"note: the refusal is not in the load log ({type(failure).__name__}: {failure})", file=sys.stderr)


def _logged(db: Any, load: Callable[[Any], Any], entry: LoadEntry) -> Any:
    """``load(db)`` recorded in the load log (:mod:`graph.load_log`): its start, then its end from the
    report's ``outcome()`` or the error (the error is raised again)."""
    from graph import load_log
    from graph.signals import Interrupted

    run_id, interrupted = load_log.start(db, entry.kind, entry.source, entry.input)
    if interrupted:
        print(f"note: {interrupted} earlier load(s) left running by a process that died are marked "
              "interrupted in the load log", file=sys.stderr)
    try:
        report = load(db)
    except BaseException as error:
        status = "interrupted" if isinstance(error, (KeyboardInterrupt, Interrupted)) else "failed"
        try:
            load_log.end(db, run_id, status, {"error": f"{type(error).__name__}: {error}".rstrip(": ")})
        except Exception:  # noqa: BLE001 — the database may be what failed; the next load marks it
            pass
        raise
    try:
        load_log.end(db, run_id, *report.outcome())
    except Exception as error:  # noqa: BLE001 — the data is loaded: say so, not "the load failed"
        print(f"warning: the load is done, but its end could not be written to the load log ({error}); "
              "the next load marks it interrupted", file=sys.stderr)
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m loaders csv DIR [--rejects FILE] [--batch-size N] [--source NAME] [--prune [--max-prune PCT]]``."""
    parser = build_parser(argparse.ArgumentParser(prog="python -m loaders csv"))
    args = parser.parse_args(argv)
    return run_csv(args)


def build_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.description = "Validate a CSV bundle (docs/csv_bundle.md) and load it into Neo4j."
    parser.add_argument("directory", type=Path, metavar="DIR", help="folder of the bundle's CSV files")
    parser.add_argument("--rejects", type=Path, metavar="FILE",
                        help="where to write rejected rows (default: DIR/rejects.csv)")
    parser.add_argument("--encoding", default=DEFAULT_ENCODING, metavar="NAME",
                        help=f"text encoding of the CSV files (default {DEFAULT_ENCODING}; gb18030 reads the GBK "
                             "that Excel on Chinese Windows saves CSV in)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, metavar="N",
                        help=f"rows per transaction (default {DEFAULT_BATCH})")
    parser.add_argument("--source", metavar="NAME",
                        help="source label set on everything loaded (default csv:<folder name>)")
    parser.add_argument("--prune", action="store_true",
                        help="the bundle is a full extract of its --source (required): afterwards, delete what "
                             "earlier loads of the source wrote and a present file no longer has (exit code 4 "
                             "when a file is left unpruned, with the reason)")
    parser.add_argument("--max-prune", type=float, default=100 * DEFAULT_MAX_SHARE, metavar="PCT",
                        help="with --prune, leave a file alone when more than PCT %% of its stored entities, and "
                             "more than one, would go, as a cut-short extract would "
                             f"(default {100 * DEFAULT_MAX_SHARE:g})")
    return parser


def run_csv(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        print("error: --batch-size must be at least 1", file=sys.stderr)
        return EXIT_INPUT
    if not 0 <= args.max_prune <= 100:
        print("error: --max-prune is a percentage from 0 to 100", file=sys.stderr)
        return EXIT_INPUT
    if args.prune and not args.source:
        print("error: --prune needs --source NAME, the name that marks what this extract owns, the same at "
              "every load (the default, the folder's name, changes with a dated export folder)", file=sys.stderr)
        return EXIT_INPUT
    entry = LoadEntry("csv", args.source or default_source(args.directory), str(args.directory.resolve()))
    try:
        files = preflight(args.directory, args.encoding)  # input errors before touching the data
    except BundleError as error:
        print(f"error: {error}\nNothing was written.", file=sys.stderr)
        record_refused(entry, f"a load of {args.directory}", error)
        return EXIT_INPUT
    for warning in filter(None, (bundle_file.unknown_columns_warning() for bundle_file in files)):
        print(f"warning: {warning}", file=sys.stderr)
    prune = args.max_prune / 100 if args.prune else None
    def finish(report: LoadReport) -> int:
        print(report.table())
        return EXIT_PRUNE_REFUSED if report.prune_refused else EXIT_OK

    code, _ = run_load(lambda db: load_bundle(args.directory, db, args.rejects, args.batch_size,
                                              args.source, Progress(), files, prune),
                       job=f"a load of {args.directory}", entry=entry, finish=finish)
    return code
