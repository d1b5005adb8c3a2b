"""The app's access log: who signed in, ran which Cypher, exported which case file, and when.

Triage already leaves an append-only trail in the graph (``(:CaseEvent)``). Reading leaves
none there: an analyst's console query can list every official's relatives, and a case file
carries a named official's record out of the system. An oversight body asks who looked at
what, so every such act is appended here as one JSON line::

    {"at": "2026-11-29T13:30:02+00:00", "user": "Ana", "action": "console_query", "mode": "free",
     "query": "MATCH ...", "params": {}, "outcome": "ok", "rows": 25, "truncated": false, "error": null}

Actions: ``sign_in`` (password), ``session_start`` (single sign-on: every new browser session
of a signed-in account, since the identity provider's login happens outside the app),
``sign_in_refused`` (a wrong password, with the name given — withheld when it is the password
itself; ``reason`` ``locked`` when too many wrong passwords had locked the client, ``locked`` saying
whose lock — the client's or ``(all addresses)`` — and ``until`` when it ends), ``sign_in_locked``
(the wrong password that started a lock: ``locked``, ``until``, the ``failures`` and
``window_seconds`` of the limit reached; :mod:`views.login_throttle`), ``sign_out``, ``console_query`` (saved query name or free text, parameters, outcome
``ok``, ``refused`` — a write the database refused — or ``failed``, rows returned, the error),
``console_csv_export``, ``case_file_export`` and ``case_report_export`` (the finding's id),
and ``record_view``: one record opened on a page (an official, a pair, a ring, a tender, a firm, a
case, a node to explore; the page, the ids — a node by label and key property — and ``shown``:
``chosen`` when the user picked it, ``shown, not picked`` when the page showed it first of its
list), once per signed-in user and browser session
(:func:`views.common.record_opened`): who looked at a named official's record is what an
oversight body asks first when a case leaks. Password sign-in lines carry ``client``, the address
the login counts failures under (:func:`views.login_throttle.client_key`). Lists are not logged, nor the neighbours drawn
around an explored node. Data leaves the app only
through the buttons above: the tables' own CSV download and copy are switched off
(``client.disableDataExport`` in ``.streamlit/config.toml``).

The file is ``$IRONCAGE_ACCESS_LOG``, else ``access.log`` in the state folder of the job
lock (``$IRONCAGE_STATE_DIR`` or ``.ironcage/`` in the repository). Lines are appended with
``O_APPEND`` in one write each, so app processes sharing the file on a local file system do
not interleave them (not on NFS), as ASCII JSON (no character can split or disguise a line),
each string cut to :data:`MAX_TEXT` characters. A new file is created ``0640``; rotation and
shipping are the operator's (logrotate with ``copytruncate``, a log shipper).
Console results, opened records and downloads are refused when the log cannot be written (fail closed: no
unrecorded reading; a download's line is written when the browser fetches the file,
:func:`on_download`); a sign-in or sign-out whose line cannot be written is reported on stderr.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.lock import state_dir

ACCESS_LOG_ENV = "IRONCAGE_ACCESS_LOG"
MAX_TEXT = 20_000  # characters kept of any one string (a console query, a name typed at the login)

log = logging.getLogger(__name__)


class AccessLogError(RuntimeError):
    """The access log could not be written."""


def path() -> Path:
    """``$IRONCAGE_ACCESS_LOG``, else ``<state folder>/access.log``."""
    configured = os.environ.get(ACCESS_LOG_ENV)
    return Path(configured) if configured else state_dir() / "access.log"


def _plain(value: Any) -> Any:
    """``value`` as strict JSON takes it: strings cut to :data:`MAX_TEXT`, NaN and ±inf as text."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + f"… [{len(value) - MAX_TEXT} more characters]"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, bool | int | float) else _plain(str(value))


def record(user: str, action: str, **details: Any) -> None:
    """Append one line for ``action`` by ``user``; AccessLogError when it cannot be written."""
    entry = _plain({"at": datetime.now(UTC).isoformat(timespec="seconds"), "user": user, "action": action,
                    **details})
    # ASCII escapes: no line separator (U+2028, U+0085) or bidi control can split or disguise a line
    line = (json.dumps(entry, ensure_ascii=True, allow_nan=False) + "\n").encode("ascii")
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            written = os.write(descriptor, line)
            if written != len(line):  # a full disk: say so rather than leave half a line
                raise OSError(f"only {written} of {len(line)} bytes written")
        finally:
            os.close(descriptor)
    except OSError as error:
        raise AccessLogError(f"the access log {target} cannot be written: {error}") from error


def on_download(user: str, action: str, make: Callable[[], bytes], **details: Any) -> Callable[[], bytes]:
    """Data for ``st.download_button`` that is made when the browser fetches it, after its line is
    written: when the log cannot be written the download fails and nothing leaves (fail closed).
    Streamlit calls it outside the user's session, so ``user`` is given, not read there."""
    def serve() -> bytes:
        record(user, action, **details)
        return make()

    return serve


def try_record(user: str, action: str, **details: Any) -> None:
    """:func:`record`, reporting a failure on stderr instead of raising (for acts already done)."""
    try:
        record(user, action, **details)
    except AccessLogError as error:
        log.error("%s (lost entry: %s by %s)", error, action, user)
