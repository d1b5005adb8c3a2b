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
own password; the dump holds only the data). The ``system`` database (the generated
password) is not part of a dump.

A Neo4j of your own (``NEO4J_URI``) is backed up with its own tools (``neo4j-admin database
dump`` or ``backup``, Aura's snapshots); these commands act on the project's local instances.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.lock import lock_name, run_lock
from graph.server import LocalServer, ServerError

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


def _admin(server: LocalServer, *args: str) -> None:
    """``neo4j-admin`` on the instance (its jars, home and configuration); ServerError with its output."""
    env = dict(os.environ, NEO4J_HOME=str(server.home), NEO4J_CONF=str(server.conf_dir))
    result = subprocess.run([server._java(), "-cp", f"{server.lib}/*", "org.neo4j.server.startup.Neo4jAdminCommand",
                             *args], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise ServerError(f"neo4j-admin {' '.join(args[:2])} failed (exit {result.returncode}):\n"
                          f"{(result.stdout + result.stderr)[-3000:]}")


def _dump(server: LocalServer, folder: Path, suffix: str = "") -> Path:
    """Dump the (stopped) instance's database to ``folder``; the dump's path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"ironcage-{server.name}-{_stamp()}{suffix}.dump"
    with tempfile.TemporaryDirectory(dir=folder, prefix=".dump-") as work:
        _admin(server, "database", "dump", DATABASE, f"--to-path={work}", "--overwrite-destination=true")
        os.chmod(Path(work) / f"{DATABASE}.dump", 0o600)
        os.replace(Path(work) / f"{DATABASE}.dump", target)  # appears whole or not at all
    return target


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


def _memory(server: LocalServer) -> dict[str, str]:
    """The heap and page cache the server runs with (its neo4j.conf), as the variables start() reads."""
    conf = server.conf_dir / "neo4j.conf"
    lines = conf.read_text(encoding="utf-8").splitlines() if conf.exists() else []
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    wanted = {"IRONCAGE_NEO4J_HEAP": "server.memory.heap.max_size",
              "IRONCAGE_NEO4J_PAGECACHE": "server.memory.pagecache.size"}
    return {variable: values[key] for variable, key in wanted.items() if key in values}


@dataclass
class _Downtime:
    """Whether the server ran before, since when it is down, whether to start it again, for how long it was down."""

    running: bool
    since: float
    restart: bool = True
    seconds: float = 0.0


@contextmanager
def _offline(server: LocalServer) -> Iterator[_Downtime]:
    """Stop the server if it runs, and start it again after the block, with the heap and page cache it
    had (a cron job's environment does not carry the ones it was started with), also when the block
    failed; a failed start is reported with the block's error, not instead of it."""
    down = _Downtime(running=server.pid() is not None, since=time.monotonic())
    memory = _memory(server)
    if down.running:
        server.stop()
    failure: BaseException | None = None
    try:
        yield down
    except BaseException as error:
        failure = error
        raise
    finally:
        if down.running and down.restart:
            saved = {name: os.environ.get(name) for name in memory}
            os.environ.update({name: value for name, value in memory.items() if not saved[name]})
            try:
                server.start()
            except ServerError as error:
                if failure is None:
                    raise
                raise ServerError(f"{failure}\nand the server did not start again: {error}") from failure
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
        down.seconds = time.monotonic() - down.since


def _io(what: str, work: Callable[[], Path]) -> Path:
    """``work()``, its OSError (a full disk, a folder without permission) as a ServerError naming ``what``."""
    try:
        return work()
    except OSError as error:
        raise ServerError(f"{what} failed: {error}") from error


def backup(server: LocalServer, folder: Path, keep: int | None = None) -> BackupReport:
    """Dump the instance's database into ``folder`` under the job lock (see the module docstring); with
    ``keep``, delete this instance's older dumps beyond the newest ``keep`` (never the before-restore ones)."""
    if not _has_database(server):
        raise ServerError(f"instance {server.name!r} has no database to back up ({server.data_dir}); "
                          "start it once with `python -m graph server start`")
    _writable_folder(folder)
    with run_lock(name=lock_name(settings=server.settings()), job=f"a backup of Neo4j ({server.name})"):
        with _offline(server) as down:
            path = _io("the dump", lambda: _dump(server, folder))
    removed = _prune_dumps(server, folder, keep) if keep is not None else []
    return BackupReport(dump=path, seconds_down=down.seconds, running=down.running, removed=tuple(removed))


def _prune_dumps(server: LocalServer, folder: Path, keep: int) -> list[Path]:
    """Delete the instance's regular dumps in ``folder`` beyond the newest ``keep`` (names sort by time)."""
    pattern = re.compile(rf"ironcage-{re.escape(server.name)}-\d{{8}}T\d{{6}}Z\.dump")
    dumps = sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))
    old = dumps[:-keep] if keep > 0 else dumps
    for path in old:
        path.unlink(missing_ok=True)
    return old


def restore(server: LocalServer, dump: Path, folder: Path) -> BackupReport:
    """Load ``dump`` over the instance's database under the job lock, after dumping that database into
    ``folder`` (see the module docstring). A new instance is prepared first and left stopped.

    When the load fails (a damaged or cut-short dump: neo4j-admin has deleted the old store by then),
    the dump taken just before is loaded back and the server restarted; if that fails too, the server
    is left stopped (it would come up without its data and the night's jobs would run on nothing) and
    the error says which command restores the database."""
    if not dump.is_file():
        raise ServerError(f"{dump} is not a file")
    _writable_folder(folder)
    if not server.password_file.exists():
        server.prepare()  # a new instance: configuration and its own password, no data yet
    with run_lock(name=lock_name(settings=server.settings()), job=f"a restore of Neo4j ({server.name})"):
        with _offline(server) as down:
            before = (_io("the dump of the database to be replaced",
                          lambda: _dump(server, folder, suffix="-before-restore")) if _has_database(server) else None)
            try:
                _load(server, dump, folder)
            except ServerError as error:
                if before is None:
                    raise
                try:
                    _load(server, before, folder)
                except ServerError as again:
                    down.restart = False
                    raise ServerError(
                        f"loading {dump} failed: {error}\nand loading back the database it was to replace failed "
                        f"too: {again}\nThe server is left stopped. Restore it with `python -m graph server "
                        f"restore {before} --instance {server.name} --yes`.") from error
                raise ServerError(f"loading {dump} failed, so the database it was to replace was loaded back "
                                  f"from {before}: {error}") from error
    return BackupReport(dump=dump, seconds_down=down.seconds, running=down.running, restored=True, kept=before)


def _load(server: LocalServer, dump: Path, folder: Path) -> None:
    """``neo4j-admin database load`` of ``dump`` over the (stopped) instance's database."""
    def work() -> Path:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".load-") as staging:
            staged = Path(staging) / f"{DATABASE}.dump"  # neo4j-admin reads <database>.dump from a folder
            try:
                os.link(dump, staged)
            except OSError:
                shutil.copyfile(dump, staged)
            _admin(server, "database", "load", DATABASE, f"--from-path={staging}", "--overwrite-destination=true")
        return dump

    _io(f"loading {dump}", work)
