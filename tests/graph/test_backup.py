"""``python -m graph server backup|restore`` on a real local instance of its own (the suite's server is not touched)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import graph.server.backup as backup_module
from graph import lock
from graph.db import connect
from graph.server import LocalServer, ServerError

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@pytest.fixture()
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A fresh local instance, started, holding one firm and one case event; stopped and removed after."""
    server = LocalServer(f"backup-{uuid.uuid4().hex[:8]}")
    if not server.lib.exists():
        pytest.skip("the Neo4j jars are not installed (python -m graph server start fetches them)")
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IRONCAGE_NEO4J_PAGECACHE", "256m")  # started by hand with its own memory settings
    try:
        server.start()
        monkeypatch.delenv("IRONCAGE_NEO4J_PAGECACHE")  # which a cron job's environment does not carry
        _cypher(server, "CREATE (:Firm {id: 'F-KEPT', name: 'Kept Ltd'})"
                        "<-[:ON]-(:CaseEvent {id: 'E1', user: 'ana', action: 'comment', comment: 'look again'})")
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)


def _cypher(server: LocalServer, text: str) -> list[dict[str, object]]:
    with connect(server.settings()) as db, db.driver.session(database="neo4j") as session:
        return session.run(text).data()


def _ids(server: LocalServer) -> list[str]:
    return sorted(str(row["id"]) for row in _cypher(server, "MATCH (n) RETURN n.id AS id"))


def _cli(server: LocalServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph", "server", *args, "--instance", server.name, "--no-warm-up"],
                          cwd=REPO, env=dict(os.environ), text=True, capture_output=True, timeout=600)


def test_backup_restore_and_move_to_a_new_instance(instance: LocalServer, tmp_path: Path) -> None:
    """One instance's life, in one test: every stop and start of a server costs seconds."""
    folder = tmp_path / "backups"
    # a backup waits for no one: while a load or a detector run holds the lock it does nothing (the lock a
    # load of this instance takes, computed the loaders' way)
    os.environ["IRONCAGE_NEO4J_INSTANCE"] = instance.name
    try:
        with connect() as db:
            loads_lock = lock.lock_name(db)
    finally:
        del os.environ["IRONCAGE_NEO4J_INSTANCE"]
    with lock.run_lock(name=loads_lock, job="a load of export/"):
        held = _cli(instance, "backup", "--to", str(folder))
    assert held.returncode == 3 and "another job holds the database's lock: a load of export/" in held.stderr
    assert instance.bolt_answers() and not list(folder.iterdir())  # never stopped, nothing written

    taken = _cli(instance, "backup", "--to", str(folder))
    assert taken.returncode == 0, taken.stderr
    [dump] = sorted(folder.glob(f"ironcage-{instance.name}-*.dump"))
    assert f"Backed up Neo4j ({instance.name}) to {dump}" in taken.stdout and "running again" in taken.stdout
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600 and dump.stat().st_size > 0
    assert not list(folder.glob(".dump-*"))  # no work folder left behind
    assert instance.bolt_answers() and _ids(instance) == ["E1", "F-KEPT"]  # running again, data intact
    assert "server.memory.pagecache.size=256m" in (instance.conf_dir / "neo4j.conf").read_text()  # as it was

    # a dump that fails (a full disk, say) still gets the server started again, and leaves no file behind
    def failing(self: LocalServer, *args: str) -> None:
        raise ServerError(f"neo4j-admin {args[1]} failed: No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalServer, "admin", failing)
        with pytest.raises(ServerError, match="No space left"):
            backup_module.backup(instance, folder)
    assert instance.bolt_answers() and sorted(p.name for p in folder.iterdir()) == [dump.name]

    # later: the data changes (a case event lost, something else written)
    _cypher(instance, "MATCH (e:CaseEvent) DETACH DELETE e CREATE (:Firm {id: 'F-LATER'})")
    assert _ids(instance) == ["F-KEPT", "F-LATER"]

    refused = _cli(instance, "restore", str(dump))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _ids(instance) == ["F-KEPT", "F-LATER"]  # nothing was touched

    # a damaged dump: its load fails after neo4j-admin removed the store, and the database is loaded back
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    with pytest.raises(ServerError, match="was loaded back from .*before-restore.dump"):
        backup_module.restore(instance, damaged, folder)
    assert instance.bolt_answers() and _ids(instance) == ["F-KEPT", "F-LATER"]
    for first in folder.glob("*-before-restore.dump"):
        first.unlink()
    # Ctrl-C in the middle of the load (it kills neo4j-admin too): loaded back as well, not started half-loaded
    real_load, calls = backup_module._load, []

    def interrupted(*args: object) -> None:
        calls.append(args[1])
        if len(calls) == 1:
            raise KeyboardInterrupt
        real_load(*args)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backup_module, "_load", interrupted)
        with pytest.raises(ServerError, match="was loaded back from .*before-restore.dump"):
            backup_module.restore(instance, dump, folder)
    assert calls[0] == dump and instance.bolt_answers() and _ids(instance) == ["F-KEPT", "F-LATER"]
    for first in folder.glob("*-before-restore.dump"):
        first.unlink()

    restored = _cli(instance, "restore", "--yes", str(dump), "--to", str(folder))  # options anywhere
    assert restored.returncode == 0, restored.stderr
    assert _ids(instance) == ["E1", "F-KEPT"]
    assert _cypher(instance, "MATCH (e:CaseEvent)-[:ON]->(f:Firm) RETURN e.comment AS c, f.name AS n") == [
        {"c": "look again", "n": "Kept Ltd"}]
    # what the restore replaced was dumped first, so a restore of the wrong file can be undone: moving it to
    # another machine, a new instance (stopped, with its own password) gets the data that was replaced
    [before] = sorted(folder.glob(f"ironcage-{instance.name}-*-before-restore.dump"))
    assert f"the database it replaced is in {before}" in restored.stdout
    fresh = LocalServer(f"restored-{uuid.uuid4().hex[:8]}")
    try:
        moved = _cli(fresh, "restore", str(before), "--to", str(folder), "--yes", "--new")
        assert moved.returncode == 0, moved.stderr
        assert "there was no database before" in moved.stdout and "the server is stopped" in moved.stdout
        assert fresh.pid() is None
        fresh.start()
        assert _ids(fresh) == ["F-KEPT", "F-LATER"]
        assert fresh.password() != instance.password()
    finally:
        fresh.stop()
        shutil.rmtree(fresh.home, ignore_errors=True)


def test_restore_refuses_a_mistyped_instance_and_new_over_an_existing_one(tmp_path: Path) -> None:
    """A restore names an instance that must exist, unless --new asks for a new one (which must not)."""
    dump = tmp_path / "some.dump"
    dump.write_bytes(b"not read: the instance is checked first")
    mistyped = LocalServer(f"mistyped-{uuid.uuid4().hex[:8]}")
    refused = _cli(mistyped, "restore", str(dump), "--yes", "--to", str(tmp_path / "backups"))
    assert refused.returncode == 1
    assert f"there is no instance '{mistyped.name}' here" in refused.stderr and "add --new" in refused.stderr
    assert not mistyped.home.exists() and not (tmp_path / "backups").exists()  # nothing created

    existing = LocalServer(f"existing-{uuid.uuid4().hex[:8]}")
    existing.password_file.parent.mkdir(parents=True)
    existing.password_file.write_text("not-a-real-password\n")
    try:
        with pytest.raises(ServerError, match="already exists .*without --new the restore replaces its database"):
            backup_module.restore(existing, dump, tmp_path / "backups", new=True)
        assert existing.name in backup_module._instances(existing)
    finally:
        shutil.rmtree(existing.home, ignore_errors=True)
    assert _cli(existing, "backup", "--new").returncode == 2  # --new goes with restore only


def test_keep_deletes_only_this_instances_older_regular_dumps(tmp_path: Path) -> None:
    server = LocalServer("local")
    names = ["ironcage-local-20261101T020000Z.dump", "ironcage-local-20261102T020000Z.dump",
             "ironcage-local-20261103T020000Z.dump", "ironcage-local-20261102T020000Z-before-restore.dump",
             "ironcage-local-2-20261101T020000Z.dump", "notes.txt"]
    for name in names:
        (tmp_path / name).write_text("x")
    removed = backup_module._rotate_dumps(server, tmp_path, keep=2)
    assert [p.name for p in removed] == ["ironcage-local-20261101T020000Z.dump"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(names) - {removed[0].name})
    with pytest.raises(ValueError, match="at least 1"):
        backup_module.backup(server, tmp_path, keep=0)


def _sigterm_while_dumping(job: subprocess.Popen[str], folder: Path) -> tuple[str, str]:
    """SIGTERM to the backup ``job`` once neo4j-admin is dumping into ``folder``; its output, after
    checking that it exited 143."""
    deadline = time.monotonic() + 120
    while not list(folder.glob(".dump-*")) and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.05)
    assert list(folder.glob(".dump-*")), "the dump never started"
    job.send_signal(signal.SIGTERM)
    out, err = job.communicate(timeout=300)
    assert job.returncode == 143, out + err
    return out, err


def _backup_job(server: LocalServer, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "graph", "server", "backup", "--instance", server.name,
                             "--no-warm-up", "--to", str(folder), "--keep", "1"],
                            cwd=REPO, env=dict(os.environ), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_sigterm_while_the_server_stops_or_starts_again_leaves_it_running(instance: LocalServer,
                                                                         tmp_path: Path) -> None:
    """Only the dump was covered: a SIGTERM while the backup stopped the server, or started it again,
    ended the job with no message and the server stopped (a docs review found it). Now the stop or
    the restart completes first: one during the stop dumps nothing, one during the restart says the
    dump was written, and the server runs with its data either way (exit 143)."""
    folder = tmp_path / "dumps"
    old = instance.pid()
    job = _backup_job(instance, folder)
    deadline = time.monotonic() + 120
    while instance.bolt_answers(timeout=1.0) and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.02)
    stopping = old is not None and backup_module.os.path.exists(f"/proc/{old}")
    job.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    job.send_signal(signal.SIGINT)  # a second signal waits too (it cut the stop short and left the server down)
    out, err = job.communicate(timeout=300)
    assert stopping, "the server had stopped before the signal: the test did not reach the stop"
    assert job.returncode == 143, out + err
    assert f"SIGTERM: stopping once Neo4j ({instance.name}) runs again" in err, err
    assert "the backup was interrupted by SIGTERM; nothing was dumped, and the server" in err, err
    assert instance.pid() is not None and instance.bolt_answers()
    assert _ids(instance) == ["E1", "F-KEPT"]
    assert not list(folder.glob("*.dump"))

    job = _backup_job(instance, folder)
    while not list(folder.glob("ironcage-*.dump")) and time.monotonic() < deadline + 120 and job.poll() is None:
        time.sleep(0.02)
    (dump,) = folder.glob("ironcage-*.dump")
    job.send_signal(signal.SIGTERM)
    out, err = job.communicate(timeout=300)
    assert job.returncode == 143, out + err
    assert f"the backup was interrupted by SIGTERM; the dump {dump} was written, and the server" in err, err
    assert instance.pid() is not None and instance.bolt_answers()
    assert _ids(instance) == ["E1", "F-KEPT"] and dump.stat().st_size > 0


def test_a_backup_stopped_by_sigterm_starts_the_server_again(instance: LocalServer, tmp_path: Path) -> None:
    """SIGTERM while neo4j-admin dumps (cron's timeout, a kill) ended the backup where it stood: the
    server stayed stopped, so the night's detector run failed, and the dump's work folder stayed.
    Now the backup unwinds: the server is started again, the work folder goes, exit 143."""
    folder = tmp_path / "dumps"
    out, err = _sigterm_while_dumping(_backup_job(instance, folder), folder)
    assert "the backup was interrupted by SIGTERM; nothing was dumped" in err, err
    assert instance.pid() is not None and instance.bolt_answers()
    assert _ids(instance) == ["E1", "F-KEPT"]
    assert list(folder.iterdir()) == []  # neither a dump nor its work folder


def test_a_backup_of_a_stopped_server_stopped_by_sigterm_leaves_nothing_behind(instance: LocalServer,
                                                                            tmp_path: Path) -> None:
    """With the server stopped there is nothing to start again, and a SIGTERM ended the job where it
    stood: silently, leaving the dump's work folder (a review); Ctrl-C gave a traceback. Now it unwinds."""
    instance.stop()
    folder = tmp_path / "dumps"
    out, err = _sigterm_while_dumping(_backup_job(instance, folder), folder)
    assert "the backup was interrupted by SIGTERM; nothing was dumped" in err and "Traceback" not in err, err
    assert list(folder.iterdir()) == [] and instance.pid() is None


def test_a_backup_whose_server_cannot_start_again_says_the_dump_is_written_and_the_server_stopped(
        instance: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program took the server's port while it was stopped for the dump: the backup said only the port
    error, though the dump was whole, and left the server stopped without a word (an operator's review)."""
    real_dump = backup_module._dump
    squatter = socket.socket()

    def dump_then_take_the_port(server: LocalServer, target: Path) -> Path:
        path = real_dump(server, target)
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", server.bolt_port()))
        squatter.listen()
        return path

    monkeypatch.setattr(backup_module, "_dump", dump_then_take_the_port)
    folder = tmp_path / "dumps"
    try:
        with pytest.raises(ServerError, match=r"(?s)the dump .*\.dump was written, but Neo4j \(backup-\w+\) did not "
                                              r"start again and is STOPPED: .*python -m graph server start"):
            backup_module.backup(instance, folder, keep=1)
        assert instance.pid() is None and [p.suffix for p in folder.iterdir()] == [".dump"]
    finally:
        squatter.close()
