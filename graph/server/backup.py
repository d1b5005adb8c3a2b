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
import shutil
import subprocess
import tempfile
import time
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

    def describe(self, server: LocalServer) -> str:
        state = (f"the server was stopped for {self.seconds_down:.1f} s and is running again at {server.uri()}"
                 if self.running else f"the server is stopped (start it with `python -m graph server start "
                                      f"--instance {server.name}`)")
        if not self.restored:
            return f"Backed up Neo4j ({server.name}) to {self.dump} ({_mb(self.dump)}); {state}."
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


def _offline(server: LocalServer) -> tuple[bool, float]:
    """Stop the server if it runs; (was it running, monotonic time it went down)."""
    running = server.pid() is not None
    if running:
        server.stop()
    return running, time.monotonic()


def backup(server: LocalServer, folder: Path) -> BackupReport:
    """Dump the instance's database into ``folder`` under the job lock (see the module docstring)."""
    if not _has_database(server):
        raise ServerError(f"instance {server.name!r} has no database to back up ({server.data_dir}); "
                          "start it once with `python -m graph server start`")
    with run_lock(name=lock_name(settings=server.settings()), job=f"a backup of Neo4j ({server.name})"):
        running, down = _offline(server)
        try:
            path = _dump(server, folder)
        finally:
            if running:
                server.start()
        return BackupReport(dump=path, seconds_down=time.monotonic() - down, running=running)


def restore(server: LocalServer, dump: Path, folder: Path) -> BackupReport:
    """Load ``dump`` over the instance's database under the job lock, after dumping that database into
    ``folder`` (see the module docstring). A new instance is prepared first and left stopped."""
    if not dump.is_file():
        raise ServerError(f"{dump} is not a file")
    if not server.password_file.exists():
        server.prepare()  # a new instance: configuration and its own password, no data yet
    with run_lock(name=lock_name(settings=server.settings()), job=f"a restore of Neo4j ({server.name})"):
        running, down = _offline(server)
        try:
            before = _dump(server, folder, suffix="-before-restore") if _has_database(server) else None
            with tempfile.TemporaryDirectory(dir=folder, prefix=".load-") as work:
                staged = Path(work) / f"{DATABASE}.dump"  # neo4j-admin reads <database>.dump from a folder
                try:
                    os.link(dump, staged)
                except OSError:
                    shutil.copyfile(dump, staged)
                _admin(server, "database", "load", DATABASE, f"--from-path={work}", "--overwrite-destination=true")
        finally:
            if running:
                server.start()
        return BackupReport(dump=dump, seconds_down=time.monotonic() - down, running=running, restored=True,
                            kept=before)
