"""The load log: one ``(:LoadRun)`` node per run of a loader, so the app can say how fresh the data is.

An operator's first question about a finding is whether last night's data is behind it, and
an investigator's is what the record holds. Every ``python -m loaders csv|bids|ocds`` run that
gets the database's job lock records, in the graph it loads into:

* at the start — kind, source, input files, ``started_at`` and status ``running``; a load
  still ``running`` from before died with its process (the lock says no other load runs) and
  becomes ``interrupted``;
* at the end — status ``succeeded``, ``partial`` (some input could not be read, a damaged
  OCDS file, or ``--prune`` left a file unpruned), ``failed`` (with the error) or
  ``interrupted`` (Ctrl-C or SIGTERM), ``finished_at`` and the report's counts: rows read, loaded,
  rejected, entities pruned, and a note (the unreadable file, the file left unpruned).

Jobs on several machines do not overlap (the job lock is also held on the server,
:func:`graph.lock.server_lock`), so a load still marked running when the next one takes the lock
is one whose process died, wherever it ran.

A load that fails because the database itself is gone cannot record its end; the next load
marks it ``interrupted``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from graph.db import Database

STATUSES = ("running", "succeeded", "partial", "failed", "interrupted")


def start(db: Database, kind: str, source: str, input: str) -> tuple[str, int]:
    """Record a load starting now; its id, and how many earlier loads were marked interrupted."""
    run_id = f"load-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    record = db.write_one("loadlog_start", id=run_id, kind=kind, source=source, input=input,
                          started_at=datetime.now(UTC))
    return run_id, int(record["interrupted"])


def end(db: Database, run_id: str, status: str, props: Mapping[str, Any]) -> None:
    """Record how the load ended: ``status`` (see :data:`STATUSES`) and its counts and note."""
    if status not in STATUSES:
        raise ValueError(f"unknown load status {status!r}; use one of {STATUSES}")
    db.write("loadlog_end", id=run_id, status=status, finished_at=datetime.now(UTC), error=props.get("error"),
             props={k: v for k, v in props.items() if v is not None and k != "error"})
