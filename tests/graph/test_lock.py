"""The job lock on the server (``graph.lock.server_lock``): jobs started on two hosts against one
database do not overlap, and a dead holder leaves no stale lock. "Another host" is a process with
its own state folder, so its file lock (``run_lock``) is not this one's — as on another machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import lock

REPO = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from graph.db import connect
from graph import lock
with connect() as db, lock.server_lock(db, sys.argv[1]):
    print("held", flush=True)
    time.sleep(600)
"""

pytestmark = pytest.mark.neo4j


def _tenders(db) -> int:  # type: ignore[no-untyped-def]
    with db.driver.session(database=db.settings.database) as session:
        return session.run("MATCH (t:Tender) RETURN count(t) AS n").single()["n"]


@pytest.fixture()
def other_host(clean_db, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:  # type: ignore[no-untyped-def]
    """A load on "another host" holding the server's lock until killed."""
    env = {**os.environ, lock.STATE_ENV: str(tmp_path / "other-host"), "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, "a load of export/"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    line = holder.stdout.readline().strip()
    assert line == "held", holder.stderr.read() if holder.stderr else line
    yield holder
    holder.kill()
    holder.wait()


def test_a_job_is_refused_at_once_while_a_job_on_another_host_holds_the_lock(other_host, clean_db) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with pytest.raises(lock.LockHeld) as refused:
        with lock.server_lock(clean_db, "a detector run"):
            pytest.fail("ran beside the other host's job")
    assert time.monotonic() - started < 30  # the probe's wait, not the other job's length
    message = str(refused.value)
    assert message.startswith("another job holds the database's lock on the server: a load of export/ since ")
    assert f"pid {other_host.pid} on {socket.gethostname()} (connected from 127.0.0.1:" in message
    assert message.endswith("this one did nothing")


def test_the_lock_is_free_at_once_when_its_holder_dies(other_host, clean_db) -> None:  # type: ignore[no-untyped-def]
    other_host.kill()  # SIGKILL: no finally block runs; the server rolls back the dead client's transaction
    other_host.wait()
    with lock.server_lock(clean_db, "a detector run"):
        pass


def test_the_lock_is_released_when_the_block_ends_or_raises(clean_db) -> None:  # type: ignore[no-untyped-def]
    with lock.server_lock(clean_db, "a findings expiry"):
        pass
    with pytest.raises(RuntimeError):
        with lock.server_lock(clean_db, "a detector run"):
            raise RuntimeError("the job failed")
    with lock.server_lock(clean_db, "a load of bundle/"):
        with pytest.raises(lock.LockHeld, match=f"a load of bundle/ since .*, pid {os.getpid()} on "):
            with lock.server_lock(clean_db, "a detector run"):  # not re-entrant: a lock between jobs
                pass
    with lock.server_lock(clean_db, "a detector run"):
        pass


def test_cli_jobs_exit_3_and_write_nothing_while_another_host_holds_the_lock(
        other_host, clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, lock.STATE_ENV: str(tmp_path / "this-host"), "PYTHONPATH": str(REPO)}
    table = tmp_path / "auctions.csv"
    table.write_text("auction,bidder,price\nA1,X,100\nA1,Y,105\nA2,X,99\nA2,Z,98\n", encoding="utf-8")
    load = subprocess.run([sys.executable, "-m", "loaders", "bids", str(table), "--tender", "auction", "--firm",
                           "bidder", "--amount", "price", "--rejects", str(tmp_path / "rejects.csv")],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert load.returncode == 3, load.stderr
    assert "lock on the server: a load of export/ since" in load.stderr
    assert "Nothing was written" in load.stderr and _tenders(clean_db) == 0
    run = subprocess.run([sys.executable, "-m", "detectors", "run", "--detector", "rings"], cwd=REPO, env=env,
                         capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 3, run.stderr
    assert "lock on the server: a load of export/ since" in run.stderr
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        assert session.run("MATCH (r:DetectorRun) RETURN count(r) AS n").single()["n"] == 0
    other_host.kill()
    other_host.wait()
    loaded = subprocess.run(load.args, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert _tenders(clean_db) == 2


def test_a_load_into_a_database_without_the_lock_constraint_does_not_wait_for_itself(
        clean_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Creating JobLock's constraint waits for every transaction holding a JobLock node; a first load that
    applied the schema while holding the lock waited for its own transaction forever. The constraint
    is made before the lock is taken."""
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("DROP CONSTRAINT joblock_name_unique IF EXISTS").consume()
    table = tmp_path / "auctions.csv"
    table.write_text("auction,bidder,price\nA1,X,100\nA1,Y,105\n", encoding="utf-8")
    loaded = subprocess.run([sys.executable, "-m", "loaders", "bids", str(table), "--tender", "auction", "--firm",
                             "bidder", "--amount", "price", "--rejects", str(tmp_path / "rejects.csv")],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                            check=False, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert _tenders(clean_db) == 1
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        names = [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")]
    assert "joblock_name_unique" in names


def test_an_index_left_by_a_cut_short_constraint_creation_is_replaced_by_the_constraint(clean_db) -> None:  # type: ignore[no-untyped-def]
    """A job killed while its constraint creation waited leaves the constraint's index alone, under the
    constraint's name; every later job would fail on that name."""
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("DROP CONSTRAINT joblock_name_unique IF EXISTS").consume()
        session.run("CREATE INDEX joblock_name_unique FOR (n:JobLock) ON (n.name)").consume()
    with lock.server_lock(clean_db, "a detector run"):
        pass
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        constraints = [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")]
    assert "joblock_name_unique" in constraints


def test_a_lock_node_deleted_before_the_take_is_made_again_not_skipped(clean_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The take is a MATCH: had the node gone between making sure of it and taking it (a graph wiped by
    hand), it would match nothing and the job would run unlocked without a word."""
    real_write = clean_db.write
    calls = []

    def write(name, **params):  # type: ignore[no-untyped-def]
        counters = real_write(name, **params)
        calls.append(name)
        if name == "job_lock_ensure" and calls.count(name) == 1:  # the node goes right after it was made
            with clean_db.driver.session(database=clean_db.settings.database) as session:
                session.run("MATCH (l:JobLock) DELETE l").consume()
        return counters

    monkeypatch.setattr(clean_db, "write", write)
    with lock.server_lock(clean_db, "a detector run"):
        assert calls.count("job_lock_ensure") == 2  # made again, then taken
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        probe = subprocess.run([sys.executable, "-c", HOLDER, "a second job"], cwd=REPO, env=env,
                               capture_output=True, text=True, timeout=60, check=False)
        assert probe.returncode != 0 and "LockHeld" in probe.stderr and "a detector run" in probe.stderr


def test_a_wipe_of_the_graph_during_a_job_finishes(clean_db) -> None:  # type: ignore[no-untyped-def]
    """The wipes of tests and benchmarks leave the lock's node alone: deleting it would wait for the job
    holding it while the job's next write waited for the wipe, a cycle Neo4j does not detect."""
    from tests.conftest import _wipe

    with lock.server_lock(clean_db, "a load of export/"):
        with clean_db.driver.session(database=clean_db.settings.database) as session:
            session.run("CREATE (:Firm {id: 'ZZ-A'})").consume()
        _wipe(clean_db)
        with clean_db.driver.session(database=clean_db.settings.database) as session:
            assert session.run("MATCH (n) WHERE NOT n:JobLock RETURN count(n) AS n").single()["n"] == 0
