"""views.access_log: one strict-JSON line per act, whatever the user typed; a log that cannot be written says so."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import views.access_log as al
from tests.app.conftest import access_entries


def _strict(line: str) -> dict[str, object]:
    return json.loads(line, parse_constant=lambda name: pytest.fail(f"bare {name} in {line}"))


def test_hostile_text_stays_on_one_line_of_strict_json(access_log: Path) -> None:
    hostile = "MATCH (n)\nRETURN n // \u2028fake line\u2029\u0085 \u202eevil\r"
    al.record("Ana\u2028\"quoted\"", "console_query", query=hostile,
              params={"x": float("nan"), "y": [math.inf, None, True, 3], "z": {"k": "v"}})
    al.record("Bo", "sign_out")
    raw = access_log.read_bytes()
    assert raw.isascii() and raw.count(b"\n") == 2  # nothing but the two line ends
    first, second = (_strict(line) for line in raw.decode("ascii").split("\n")[:2])
    assert (first["user"], first["query"]) == ("Ana\u2028\"quoted\"", hostile)  # the text itself, escaped
    assert first["params"] == {"x": "nan", "y": ["inf", None, True, 3], "z": {"k": "v"}}
    assert (second["user"], second["action"]) == ("Bo", "sign_out")
    assert len(access_entries(access_log)) == 2


def test_long_text_is_cut_and_says_by_how_much(access_log: Path) -> None:
    al.record("Ana", "sign_in_refused", given="x" * (al.MAX_TEXT + 5))
    [entry] = access_entries(access_log)
    assert entry["given"] == "x" * al.MAX_TEXT + "… [5 more characters]"


def test_an_unwritable_log_raises_or_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(al.ACCESS_LOG_ENV, str(tmp_path))  # a folder: nothing can be appended to it
    with pytest.raises(al.AccessLogError, match="cannot be written"):
        al.record("Ana", "console_query")
    al.try_record("Ana", "case_file_export", finding_id="RING-1")
    assert "lost entry: case_file_export by Ana" in caplog.text


def test_a_download_is_made_only_after_its_line_is_written(access_log: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def case_file() -> bytes:
        made.append("made")
        return b'{"finding_id": "RING-1"}'

    serve = al.on_download("Ana", "case_file_export", case_file, finding_id="RING-1")
    assert not made and not access_entries(access_log)  # nothing happens until the browser asks
    assert serve() == b'{"finding_id": "RING-1"}'
    [entry] = access_entries(access_log)
    assert (entry["user"], entry["action"], entry["finding_id"]) == ("Ana", "case_file_export", "RING-1")
    monkeypatch.setenv(al.ACCESS_LOG_ENV, str(tmp_path))  # the log breaks: the file is not made
    with pytest.raises(al.AccessLogError):
        serve()
    assert made == ["made"]
