"""The app's access log: who signed in, ran which Cypher, exported which case file, and when.

Triage already leaves an append-only trail in the graph (``(:CaseEvent)``). Reading leaves
none there: an analyst's console query can list every official's relatives, and a case file
carries a named official's record out of the system. An oversight body asks who looked at
what, so every such act is appended here as one JSON line::

    {"at": "2026-11-29T13:30:02+00:00", "user": "Ana", "action": "console_query",
     "mode": "free", "query": "MATCH …", "params": {}, "outcome": "ok", "rows": 25, "seconds": 0.04}

Actions: ``sign_in``, ``sign_in_refused`` (a wrong password, with the name given),
``sign_out``, ``console_query`` (saved query name or free text, parameters, outcome ``ok``,
``refused`` — a write the database refused — or ``failed``, rows returned, the error) and
``case_file_export`` (the finding's id).

The file is ``$IRONCAGE_ACCESS_LOG``, else ``access.log`` in the state folder of the job
lock (``$IRONCAGE_STATE_DIR`` or ``.ironcage/`` in the repository). Lines are appended with
``O_APPEND`` in one write each, so app processes sharing the file do not interleave them;
rotation and shipping are the operator's (logrotate with ``copytruncate``, a log shipper).
Console queries are refused when the log cannot be written (fail closed: no unrecorded
reading); a sign-in or export whose line cannot be written is reported on stderr.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.lock import state_dir

ACCESS_LOG_ENV = "IRONCAGE_ACCESS_LOG"

log = logging.getLogger(__name__)


class AccessLogError(RuntimeError):
    """The access log could not be written."""


def path() -> Path:
    """``$IRONCAGE_ACCESS_LOG``, else ``<state folder>/access.log``."""
    configured = os.environ.get(ACCESS_LOG_ENV)
    return Path(configured) if configured else state_dir() / "access.log"


def record(user: str, action: str, **details: Any) -> None:
    """Append one line for ``action`` by ``user``; AccessLogError when it cannot be written."""
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "user": user, "action": action, **details}
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise AccessLogError(f"the access log {target} cannot be written: {error}") from error


def try_record(user: str, action: str, **details: Any) -> None:
    """:func:`record`, reporting a failure on stderr instead of raising (for acts already done)."""
    try:
        record(user, action, **details)
    except AccessLogError as error:
        log.error("%s (lost entry: %s by %s)", error, action, user)
