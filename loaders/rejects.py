"""Rejected rows: what was not loaded, where it was in the source, and why.

A reject is one problem with one field of one row: ``file, line, field, value, reason``,
where ``line`` is the physical line number in the source file with the header as line 1
(the line a record *starts* on, for records spanning several lines). A row with two bad
fields gives two rejects with the same line. The rejects file is plain UTF-8 CSV written
with the csv module, so hostile values stay verbatim and quoted.
"""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass
from pathlib import Path
from types import TracebackType
from typing import TextIO

REJECT_COLUMNS = ("file", "line", "field", "value", "reason")
MAX_VALUE_CHARS = 1000  # a runaway cell must not make the rejects file unreadable


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    field: str
    value: str
    reason: str


class RejectLog:
    """Collects rejects in memory and, when given a path, streams them to a CSV file."""

    def __init__(self, path: Path | None = None, keep: bool = True) -> None:
        self.path = path
        self.keep = keep
        self.rejects: list[Reject] = []
        self.count = 0
        self._handle: TextIO | None = None
        self._writer: csv.DictWriter | None = None  # type: ignore[type-arg]

    def __enter__(self) -> RejectLog:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "w", encoding="utf-8", newline="")
            self._writer = csv.DictWriter(self._handle, fieldnames=REJECT_COLUMNS)
            self._writer.writeheader()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def add(self, reject: Reject) -> None:
        value = reject.value if len(reject.value) <= MAX_VALUE_CHARS else reject.value[:MAX_VALUE_CHARS] + "…"
        reject = Reject(reject.file, reject.line, reject.field, value, reject.reason)
        self.count += 1
        if self.keep:
            self.rejects.append(reject)
        if self._writer is not None:
            self._writer.writerow(dict(zip(REJECT_COLUMNS, astuple(reject), strict=True)))

    def extend(self, rejects: list[Reject]) -> None:
        for reject in rejects:
            self.add(reject)


def read_rejects(path: Path) -> list[Reject]:
    """The rejects in a file written by :class:`RejectLog` (for tests and tools)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [Reject(r["file"], int(r["line"]), r["field"], r["value"], r["reason"])
                for r in csv.DictReader(handle)]
