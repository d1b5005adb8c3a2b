"""Fixtures for the app tests: the fixture market in the real Neo4j, and AppTest sessions."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.market import write_market

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
PASSWORD = "test-password"
USER = "Tess Tester"


def clear_app_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def access_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each app test writes its own access log (views/access_log.py), not the repository's."""
    target = tmp_path / "access.log"
    monkeypatch.setenv("IRONCAGE_ACCESS_LOG", str(target))
    return target


def access_entries(target: Path) -> list[dict[str, Any]]:
    """The access log's lines, parsed; [] when nothing was written."""
    if not target.exists():
        return []
    return [json.loads(line) for line in target.read_text(encoding="ascii").split("\n") if line]


@pytest.fixture()
def shanghai_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app server's time zone set to China Standard Time (UTC+8, no daylight saving) for one test."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture()
def market_db(clean_db: Any) -> Iterator[Any]:
    """The clean database holding the fixture market (tests/app/market.py), app caches cleared."""
    write_market(clean_db)
    clear_app_caches()
    yield clean_db
    clear_app_caches()


def app_session(page: str | None = None, user: str | None = USER) -> Any:
    """An AppTest of app.py, logged in as ``user`` (None: not logged in), switched to ``page`` and run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["app_password"] = PASSWORD
    if user is not None:
        at.session_state["auth_user"] = user
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def no_exception(at: Any) -> None:
    assert not at.exception, [e.value for e in at.exception]


def graph_elements(at: Any, key: str) -> dict[str, Any]:
    """The nodes and edges a streamlit-cytoscape component with ``key`` was sent."""
    found = [e for e in _walk(at.main) if getattr(e, "key", None) == key]
    assert found, f"no graph component with key {key!r}"
    args = json.loads(found[0].proto.json_args)
    return args["elements"]


def _walk(block: Any) -> Iterator[Any]:
    for child in getattr(block, "children", {}).values():
        yield child
        yield from _walk(child)


def all_text(at: Any) -> str:
    """Every markdown, caption, title, info, warning, error and success text of the run, joined."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def table(at: Any, *columns: str) -> Any:
    """The first dataframe of the run that has all ``columns`` (st.dataframe has no key in AppTest)."""
    for frame in at.dataframe:
        value = frame.value
        names = set(value.columns) | set(getattr(value.index, "names", []) or [])
        if set(columns) <= names:
            return value
    raise AssertionError(f"no table with columns {columns}; tables: {[list(f.value.columns) for f in at.dataframe]}")


def headers(element: Any) -> list[str]:
    """The column headers a dataframe element shows: each column's label from its column_config, else its name."""
    config = json.loads(element.proto.columns or "{}")
    return [str((config.get(str(c)) or {}).get("label") or c) for c in element.value.columns]


def snake_case_headers(at: Any) -> list[str]:
    """The headers of every table of the run that show a snake_case name (``firm_id``) instead of words."""
    return [h for frame in at.dataframe for h in headers(frame) if re.search(r"[a-z]_[a-z]", h)]
