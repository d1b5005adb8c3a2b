"""One job at a time per database: the lock that loads, detector runs, findings expiry and backups share.

A detector run reads the market in many transactions; a load running at the same time would
let it read half a load (bids of tenders not written yet, a firm's old identifiers beside its
new ones) and store findings about a market that never existed. Loads and detector runs
against the same database therefore exclude each other through one OS file lock
(``filelock``) on ``<state>/database-<hash of URI and database>.lock``, where ``<state>`` is
``$IRONCAGE_STATE_DIR`` or ``.ironcage/`` in the repository. A job that finds the lock taken
stops at once, saying who holds it since when and for what (the holder writes that beside
the lock); the OS drops the lock when its holder dies, so no stale lock is left to clean up.
Jobs against different databases (a second instance, the test server) do not wait for each
other. The lock is the host's: jobs started on two machines against one database do not see
each other's, so a deployment schedules all of a database's jobs on one host.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from filelock import FileLock, Timeout

from graph.settings import REPO_ROOT, Neo4jSettings, SettingsError, from_environment

STATE_ENV = "IRONCAGE_STATE_DIR"
LOCK_NAME = "database.lock"


class LockHeld(RuntimeError):
    """Another job (a load, a detector run, a findings expiry, a backup or restore) holds the database's lock."""


def state_dir() -> Path:
    """Folder for the lock: ``$IRONCAGE_STATE_DIR`` or ``<repo>/.ironcage``."""
    return Path(os.environ.get(STATE_ENV) or REPO_ROOT / ".ironcage")


def lock_name(db: Any = None, settings: Neo4jSettings | None = None) -> str:
    """The lock file of the target database (``db``, else ``settings``, else the environment's settings):
    ``database-<hash of URI and database>.lock``; without usable connection settings the plain
    ``database.lock`` (the connection then reports why)."""
    try:
        settings = db.settings if db is not None else settings or from_environment()
    except SettingsError:
        return LOCK_NAME
    key = f"{_server(settings.uri)}|{settings.database or 'neo4j'}".encode()
    return f"database-{hashlib.sha256(key).hexdigest()[:12]}.lock"


def _server(uri: str) -> str:
    """``host:port`` of a Neo4j URI, so spellings of one server share its lock: the scheme (bolt,
    neo4j, +s, +ssc), a trailing slash or path, the case of the host, ``localhost`` for the
    loopback address and the default port 7687 all name the same database."""
    parts = urlsplit(uri if "://" in uri else f"bolt://{uri}")
    host = (parts.hostname or "").lower()
    if host in ("localhost", "::1", "0:0:0:0:0:0:0:1"):
        host = "127.0.0.1"
    try:
        port = parts.port or 7687
    except ValueError:
        return uri
    return f"{host}:{port}"


@contextmanager
def run_lock(directory: Path | None = None, name: str = LOCK_NAME, job: str = "a detector run") -> Iterator[Path]:
    """Hold the lock ``name`` for the block, as ``job`` ("a detector run", "a load of …"); LockHeld at
    once when another process has it."""
    directory = directory or state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    holder = directory / (name + ".json")
    lock = FileLock(path, thread_local=False, mode=0o664)  # the operators' group may run jobs too (umask allowing)
    try:
        lock.acquire(timeout=0)
    except PermissionError as error:
        raise PermissionError(
            f"cannot open the job lock {path}: {error.strerror or error} (another user created it; give the "
            f"jobs' users a shared state folder, {STATE_ENV}, writable by their group); this job did nothing"
        ) from error
    except Timeout:
        try:
            info = json.loads(holder.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        raise LockHeld(
            f"another job holds the database's lock: {info.get('job', 'a detector run or load')} "
            f"since {info.get('since', 'an unknown time')}, pid {info.get('pid', 'unknown')} on "
            f"{info.get('host', 'this host')} ({path}); this one did nothing"
        ) from None
    try:
        holder.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "job": job,
                                      "since": datetime.now(UTC).isoformat(timespec="seconds")}),
                          encoding="utf-8")
        yield path
    finally:
        holder.unlink(missing_ok=True)
        lock.release()
