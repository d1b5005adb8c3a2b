"""Cold backups of a local instance: ``python -m graph server backup|restore``.

Most of the graph can be rebuilt: the data from the sources' extracts, the findings by the
next detector run. The investigators' work cannot: triage status, assignees and the
append-only ``(:CaseEvent)`` history exist only in the database, next to the load log and
the findings their cases refer to. A city running the project's own server therefore needs a
backup it can take from cron and a restore it can trust.

Neo4j Community dumps a database only while it is offline, so :func:`backup`

1. takes the job lock of loads and detector runs (:mod:`graph.lock`; exit code 3 while one
   holds it), so no load or run is cut off and none starts during the backup;
2. stops the server if it runs (SIGTERM: a clean checkpoint), dumps the ``neo4j`` database
   with ``neo4j-admin database dump`` into ``<folder>/ironcage-<instance>-<UTC time>.dump``
   (mode 0600: it holds personal data), and starts the server again — also when the dump
   failed. The app's queries fail while it is down (seconds at demo scale; 2 min 46 s for a
   22 GB store), so schedule it at night, after the detectors.

:func:`restore` replaces the instance's ``neo4j`` database with a dump (``neo4j-admin
database load``), the same way and under the same lock, after dumping the database it
replaces to ``…-before-restore.dump`` in the same folder, so a restore of the wrong file can
be undone. It works on a new instance too (moving to another machine: the instance gets its
own password; the dump holds only the data), but only when asked for one (``--new``): an
instance name mistyped in a restore would otherwise become a new, empty instance holding the
data while the real one kept running unchanged. The ``system`` database (the generated
password) is not part of a dump.

A Neo4j of your own (``NEO4J_URI``) is backed up with its own tools (``neo4j-admin database
dump`` or ``backup``, Aura's snapshots); these commands act on the project's local instances.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.lock import lock_name, run_lock
from graph.server import LocalServer, ServerError
from graph.signals import Interrupted, checkpoint, deferred_interrupts, signals_raise

DATABASE = "neo4j"


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote or a restore loaded (``dump``), the dump of the database a restore replaced
    (``kept``), how long the server was down and whether it runs again."""

    dump: Path
    seconds_down: float
    running: bool
    restored: bool = False
    kept: Path | None = None
    removed: tuple[Path, ...] = ()

    def describe(self, server: LocalServer) -> str:
        state = (f"the server was stopped for {self.seconds_down:.1f} s and is running again at {server.uri()}"
                 if self.running else f"the server is stopped (start it with `python -m graph server start "
                                      f"--instance {server.name}`)")
        if not self.restored:
            removed = f"; {len(self.removed)} older dumps deleted (--keep)" if self.removed else ""
            return f"Backed up Neo4j ({server.name}) to {self.dump} ({_mb(self.dump)}); {state}{removed}."
        kept = (f"the database it replaced is in {self.kept} ({_mb(self.kept)})" if self.kept is not None
                else "there was no database before")
        return f"Restored Neo4j ({server.name}) from {self.dump}; {kept}; {state}."


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _dump_path(server: LocalServer, folder: Path, suffix: str = "") -> Path:
    """Where a dump of the instance taken now goes in ``folder``."""
    return folder / f"ironcage-{server.name}-{_stamp()}{suffix}.dump"


def _dump(server: LocalServer, target: Path) -> Path:
    """Dump the (stopped) instance's database to ``target`` (:func:`_dump_path`), which appears whole or not at
    all; ``target``. Named by the caller, so that a signal between its appearing and this function's return
    (the work folder's removal) can still be told the dump was written: it said "nothing was dumped"."""
    folder = target.parent
    with tempfile.TemporaryDirectory(dir=folder, prefix=".dump-") as work:
        server.admin("database", "dump", DATABASE, f"--to-path={work}", "--overwrite-destination=true")
        os.chmod(Path(work) / f"{DATABASE}.dump", 0o600)
        os.replace(Path(work) / f"{DATABASE}.dump", target)  # appears whole or not at all
    return target


def _load(server: LocalServer, dump: Path, folder: Path) -> None:
    """``neo4j-admin database load`` of ``dump`` over the (stopped) instance's database."""
    with tempfile.TemporaryDirectory(dir=folder, prefix=".load-") as staging:
        staged = Path(staging) / f"{DATABASE}.dump"  # neo4j-admin reads <database>.dump from a folder
        try:
            os.link(dump, staged)
        except OSError:
            shutil.copyfile(dump, staged)
        server.admin("database", "load", DATABASE, f"--from-path={staging}", "--overwrite-destination=true")


def _has_database(server: LocalServer) -> bool:
    return (server.data_dir / "databases" / DATABASE).is_dir()


def _writable_folder(folder: Path) -> None:
    """Create ``folder`` and check it takes files, before the server is stopped for nothing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise ServerError(f"cannot write dumps to {folder}: {error}") from error


class _LeaveStopped(ServerError):
    """Raised inside :func:`_offline`: the server must not be started again (its database is unusable)."""


@contextmanager
def _offline(server: LocalServer) -> Iterator[None]:
    """Stop the server if it runs, and start it again after the block with the heap and page cache it
    had (a cron job's environment does not carry the ones it was started with), also when the block
    failed, unless it raised :class:`_LeaveStopped`; a failed start is reported with the block's error.

    A SIGTERM (cron's timeout, kill) or Ctrl-C while the server stops or starts again waits until it
    has: the block does not run after one during the stop, and one during the restart is raised
    (:class:`~graph.signals.Interrupted`) once the server runs. Inside the block SIGTERM raises at
    once, so a dump or load is cut short and the server starts again. (The stop and restart were
    not covered: a SIGTERM there left the server stopped, with no message.)"""
    if server.pid() is None:  # nothing to start again; a signal still unwinds (the dump's work folder goes)
        with signals_raise():
            yield
        return
    heap, pagecache = server.memory()
    with deferred_interrupts(until=f"Neo4j ({server.name}) runs again"):
        server.stop()
        try:
            checkpoint()  # stopped while the server stopped: not the block, only the restart
            with signals_raise():
                yield
        except _LeaveStopped:
            raise
        except BaseException as failure:
            try:
                server.start(heap=heap, pagecache=pagecache)
            except ServerError as error:
                raise ServerError(f"{failure}\nand the server did not start again: {error}") from failure
            raise
        server.start(heap=heap, pagecache=pagecache)


def backup(server: LocalServer, folder: Path, keep: int | None = None) -> BackupReport:
    """Dump the instance's database into ``folder`` under the job lock (see the module docstring); with
    ``keep``, delete this instance's older dumps beyond the newest ``keep`` (never the before-restore ones)."""
    if keep is not None and keep < 1:
        raise ValueError(f"keep must be at least 1 (the dump just written), got {keep}")
    if not _has_database(server):
        raise ServerError(f"instance {server.name!r} has no database to back up ({server.data_dir}); "
                          "start it once with `python -m graph server start`")
    _writable_folder(folder)
    running = server.pid() is not None
    with run_lock(name=lock_name(settings=server.settings()), job=f"a backup of Neo4j ({server.name})"):
        down = time.monotonic()
        path = _dump_path(server, folder)
        try:
            with _offline(server):
                _dump(server, path)
        except Interrupted as stop:  # while the dump's work folder went, or the server started again
            stop.done = f"the dump {path} was written" if path.exists() else None
            raise
        except ServerError as error:
            if not path.exists():
                raise
            # the dump is whole but the restart failed (its port taken meanwhile, say): it said only the port
            # error, and the app and the next night's jobs met a stopped server (an operator's review)
            raise ServerError(f"the dump {path} was written, but Neo4j ({server.name}) did not start again and is "
                              f"STOPPED: {error}\nStart it with `python -m graph server start` (older dumps were "
                              "not rotated)") from error
        seconds = time.monotonic() - down
    removed = _rotate_dumps(server, folder, keep) if keep is not None else []
    return BackupReport(dump=path, seconds_down=seconds, running=running, removed=tuple(removed))


def _rotate_dumps(server: LocalServer, folder: Path, keep: int) -> list[Path]:
    """Delete the instance's regular dumps in ``folder`` beyond the newest ``keep`` (names sort by time)."""
    pattern = re.compile(rf"ironcage-{re.escape(server.name)}-\d{{8}}T\d{{6}}Z\.dump")
    dumps = sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))
    for path in dumps[:-keep]:
        path.unlink(missing_ok=True)
    return dumps[:-keep]


def _instances(server: LocalServer) -> list[str]:
    """Names of the local instances beside ``server`` (folders with a generated password)."""
    if not server.root.is_dir():
        return []
    return sorted(p.name for p in server.root.iterdir() if (p / "password").is_file())


def restore(server: LocalServer, dump: Path, folder: Path, new: bool = False) -> BackupReport:
    """Load ``dump`` over the instance's database under the job lock, after dumping that database into
    ``folder`` (see the module docstring). With ``new``, the instance must not exist yet: it is
    prepared first and left stopped; without it, it must exist (a mistyped name is refused).

    When neo4j-admin fails to load the dump (a damaged or cut-short file: it has deleted the old store
    by then), the dump taken just before is loaded back and the server restarted; if that fails too,
    the server is left stopped (it would come up without its data and the night's jobs would run on
    nothing) and the error says which command restores the database."""
    if not dump.is_file():
        raise ServerError(f"{dump} is not a file")
    exists = server.password_file.exists()
    if new and exists:
        raise ServerError(f"instance {server.name!r} already exists ({server.home}); without --new the restore "
                          "replaces its database (after dumping it)")
    if not new and not exists:
        others = ", ".join(_instances(server)) or "none"
        raise ServerError(f"there is no instance {server.name!r} here (instances: {others}); to restore into a "
                          "new instance (another machine), add --new")
    _writable_folder(folder)
    if new:
        server.prepare()  # a new instance: configuration and its own password, no data yet
    running = server.pid() is not None
    with run_lock(name=lock_name(settings=server.settings()), job=f"a restore of Neo4j ({server.name})"):
        down = time.monotonic()
        loaded = False
        try:
            with _offline(server):
                before = (_dump(server, _dump_path(server, folder, "-before-restore")) if _has_database(server)
                          else None)
                try:
                    _load(server, dump, folder)
                except BaseException as error:  # a failed load, or Ctrl-C in the middle of one
                    if before is None:
                        if isinstance(error, ServerError):
                            raise
                        raise _LeaveStopped(f"the load of {dump} was interrupted ({type(error).__name__}); the "
                                            "database may be incomplete, so the server is left stopped. Restore "
                                            "again.") from error
                    try:
                        _load(server, before, folder)
                    except BaseException as again:
                        raise _LeaveStopped(
                            f"loading {dump} failed: {error}\nand loading back the database it was to replace failed "
                            f"too: {again}\nThe server is left stopped. Restore it with `python -m graph server "
                            f"restore {before} --instance {server.name} --yes`.") from error
                    if isinstance(error, Interrupted):  # stopped by a signal: its code, and what was done
                        error.done = f"the database it was to replace was loaded back from {before}"
                        raise
                    raise ServerError(f"loading {dump} failed, so the database it was to replace was loaded back "
                                      f"from {before}: {error or type(error).__name__}") from error
                loaded = True
        except Interrupted as stop:  # while the server started again: the restore is whole
            stop.done = f"{dump} was restored" if loaded else stop.done
            raise
        seconds = time.monotonic() - down
    return BackupReport(dump=dump, seconds_down=seconds, running=running, restored=True, kept=before)
