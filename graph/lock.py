"""One job at a time per database: the locks that loads, detector runs, findings expiry and backups share.

A detector run reads the market in many transactions; a load running at the same time would
let it read half a load (bids of tenders not written yet, a firm's old identifiers beside its
new ones) and store findings about a market that never existed. Loads and detector runs
against the same database therefore exclude each other through one OS file lock
(``filelock``) on ``<state>/database-<hash of URI and database>.lock``, where ``<state>`` is
``$IRONCAGE_STATE_DIR`` or ``.ironcage/`` in the repository. A job that finds the lock taken
stops at once, saying who holds it since when and for what (the holder writes that beside
the lock); the OS drops the lock when its holder dies, so no stale lock is left to clean up.
Jobs against different databases (a second instance, the test server) do not wait for each
other. The file lock is the host's, so loads, detector runs and findings expiry also take the
database's lock *on the server* (:func:`server_lock`, a transaction holding a lock node's
write lock), which jobs started on other machines see too; backups and restores, which stop
the local server, keep to the file lock.
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


class StateDirError(PermissionError):
    """The state folder that holds the job lock cannot be made or written (a usage error: exit 2)."""


@contextmanager
def run_lock(directory: Path | None = None, name: str = LOCK_NAME, job: str = "a detector run") -> Iterator[Path]:
    """Hold the lock ``name`` for the block, as ``job`` ("a detector run", "a load of …"); LockHeld at
    once when another process has it."""
    directory = directory or state_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StateDirError(
            f"cannot make the jobs' state folder {directory} (it holds the job lock): {error.strerror or error}; "
            f"set {STATE_ENV} to a folder the job can write; this job did nothing") from error
    path = directory / name
    holder = directory / (name + ".json")
    lock = FileLock(path, thread_local=False, mode=0o664)  # the operators' group may run jobs too (umask allowing)
    try:
        lock.acquire(timeout=0)
    except PermissionError as error:
        raise StateDirError(
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


#: how long a job waits for another host's job to let go of the server's lock before giving up
SERVER_LOCK_WAIT_S = 3.0
#: the transaction metadata key that marks a job's lock transaction (found again with SHOW TRANSACTIONS)
LOCK_METADATA_KEY = "iron_cage_job_lock"
SERVER_LOCK_NAME = "database"


class HeldLock:
    """The server lock a job holds (:func:`server_lock`); :meth:`lost` asks whether it still does."""

    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def lost(self) -> bool:
        """True when the lock's transaction has ended under the job — an administrator's ``TERMINATE
        TRANSACTIONS``, a server restart — so another job may have run meanwhile; asked before a job
        commits what it read (a detector run's findings)."""
        try:
            self._tx.run("RETURN 1").consume()
        except Exception:  # terminated, or the connection is gone: either way the lock is not held
            return True
        return False


@contextmanager
def server_lock(db: Any, job: str, wait_s: float = SERVER_LOCK_WAIT_S) -> Iterator[HeldLock]:
    """Hold the database's job lock *on the server* for the block, as ``job``; LockHeld when another has it.

    The file lock of :func:`run_lock` is the host's: a job scheduled on a second machine against
    the same database would not see it. This lock lives in Neo4j: the job opens a transaction
    that takes the write lock of the one ``(:JobLock {name: 'database'})`` node (created once,
    committed, unique by the model's constraint) and holds it, never committing, until the
    block ends; the server releases it when that transaction ends — rolled back at the end of
    the block, or when the job's connection drops because its process died (the server rolls
    back a dead client's transaction at once), so, as with the file lock, no stale lock is left
    to clean up. The transaction carries the job, host, pid and start in its metadata, which
    is how a job that finds the lock taken says who holds it (``SHOW TRANSACTIONS``; the
    client address comes from the server).

    A job first *probes*: a transaction with a ``wait_s`` timeout tries the same write and
    rolls back. A probe that times out means another job holds the lock (LockHeld, nothing
    done). Two jobs that probe within the same instant can both pass; the second then waits
    at its real attempt until the first has finished — it does not run beside it.
    """
    from graph.cypher import query

    name = SERVER_LOCK_NAME
    _ensure_constraint(db)
    db.write("job_lock_ensure", lock=name)
    meta = {LOCK_METADATA_KEY: name, "job": job, "host": socket.gethostname(), "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds")}
    with db.driver.session(database=db.settings.database) as session:
        if not _probe(session, name, wait_s):
            raise LockHeld(_server_holder(db, name))
        for _ in range(2):
            tx = session.begin_transaction(metadata=meta)
            if tx.run(query("job_lock_take"), lock=name).consume().counters.properties_set:
                break
            # the node went in between (a graph wiped by hand): made again — after this transaction ends, as
            # its look-up holds the key's index entry the making needs — then taken; never run unlocked
            tx.rollback()
            db.write("job_lock_ensure", lock=name)
        else:
            raise LockHeld("the database's lock node could not be taken; this job did nothing")
        try:
            yield HeldLock(tx)
        finally:
            try:
                tx.rollback()
            except Exception:  # the connection is gone: the server has rolled it back already
                pass


def lock_state(db: Any, wait_s: float = 1.0, name: str = SERVER_LOCK_NAME) -> str:
    """``"held"`` when a job holds the database's server lock now, ``"free"`` when none does, ``"unknown"``
    when this user may not take it. Probed as a job probes (:func:`server_lock`): a transaction with a
    ``wait_s`` timeout tries the lock node's write lock and rolls back, so nothing is written. Not
    read from ``SHOW TRANSACTIONS``, which shows a user without the privilege only its own
    transactions — every job would look gone to an app with a reader role."""
    from neo4j.exceptions import Neo4jError

    try:
        with db.driver.session(database=db.settings.database) as session:
            return "free" if _probe(session, name, wait_s) else "held"
    except Neo4jError:  # e.g. a reader role may not take a write lock
        return "unknown"


def _probe(session: Any, name: str, wait_s: float) -> bool:
    """Whether the server lock ``name`` is free: a transaction with a ``wait_s`` timeout takes the lock
    node's write lock and rolls back (nothing written); False when it times out waiting for a job that
    holds it. Other errors are raised."""
    from neo4j.exceptions import ClientError

    from graph.cypher import query

    try:
        with session.begin_transaction(timeout=wait_s, metadata={"iron_cage_probe": name}) as probe:
            probe.run(query("job_lock_take"), lock=name).consume()
            probe.rollback()
    except ClientError as error:
        if not (error.code or "").startswith("Neo.ClientError.Transaction."):
            raise
        return False
    return True


@contextmanager
def job_lock(db: Any, job: str) -> Iterator[HeldLock]:
    """Both of a job's locks, in their order: the host's file lock first (a backup holding it has stopped
    the local server, so nothing is asked of the server before it), the server checked, then the lock
    on the server (:func:`server_lock`). LockHeld from either; GraphUnavailable from the check."""
    with run_lock(name=lock_name(db), job=job):
        db.verify()
        with server_lock(db, job) as held:
            yield held


def _ensure_constraint(db: Any) -> None:
    """JobLock's uniqueness constraint, made before any lock is taken, never while one is held: creating it
    waits for every transaction holding a JobLock node, so a job whose load applied the schema inside
    its own lock would wait for itself forever. A creation cut short (its job killed while it waited
    for another host's job) leaves its index behind without the constraint, and every later creation
    would fail on the name: that index is dropped and the constraint made again."""
    from neo4j.exceptions import ClientError

    from graph.schema import constraint_name, schema_statements

    with db.driver.session(database=db.settings.database) as session:
        for statement in schema_statements(labels=("JobLock",)):
            try:
                session.run(statement).consume()
            except ClientError as error:
                if error.code != "Neo.ClientError.Schema.IndexWithNameAlreadyExists":
                    raise
                session.run(f"DROP INDEX {constraint_name('JobLock')} IF EXISTS").consume()  # a name of the model
                session.run(statement).consume()


def _server_holder(db: Any, name: str) -> str:
    """LockHeld's message for the server's lock: who holds it, from the holder's transaction metadata."""
    try:
        rows = db.read("job_lock_holder", lock=name)
    except Exception:  # e.g. a user not allowed to list other users' transactions
        rows = []
    if not rows:
        return ("another job holds the database's lock on the server (its transaction could not be listed); "
                "this one did nothing")
    meta, row = rows[0]["meta"] or {}, rows[0]
    return (f"another job holds the database's lock on the server: {meta.get('job', 'a job')} since "
            f"{meta.get('since', row.get('start'))}, pid {meta.get('pid', 'unknown')} on "
            f"{meta.get('host', 'an unknown host')} (connected from {row.get('client')}); this one did nothing")
