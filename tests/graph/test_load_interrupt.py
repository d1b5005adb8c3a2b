"""A load interrupted by the server stopping finishes correctly when re-run.

Uses its own local Neo4j instance (``csvload_interrupt``) because the test stops and
starts the server; the suite's shared instance is never touched. Skipped when the tests
run against a user-supplied ``NEO4J_URI`` (there is no local server to stop).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
INSTANCE = "csvload_interrupt"
FIRMS, TENDERS, BIDS_PER_TENDER = 200, 300, 10


def write_market(folder: Path) -> tuple[dict[str, int], dict[str, int]]:
    """A bundle big enough to take seconds in small batches; its exact expected counts."""
    folder.mkdir()
    firms = ["firm_id,name,phone"] + [f"F{i},Firm {i},+86 138-{i % 50:04d}-0000" for i in range(FIRMS)]
    tenders = ["tender_id,title,winner_firm_id,award_amount"] + [
        f"T{t},Tender {t},F{t % FIRMS},{100 + t}" for t in range(TENDERS)]
    bids = ["bid_id,tender_id,firm_id,amount,ip"] + [
        f"B{t}-{k},T{t},F{(t * 7 + k) % FIRMS},{100 + t + k},10.0.0.{(t + k) % 100}"
        for t in range(TENDERS) for k in range(BIDS_PER_TENDER)]
    for name, lines in (("firms.csv", firms), ("tenders.csv", tenders), ("bids.csv", bids)):
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_bids = TENDERS * BIDS_PER_TENDER
    nodes = {"Firm": FIRMS, "Phone": 50, "Tender": TENDERS, "Bid": n_bids, "IP": 100}
    rels = {"HAS_PHONE": FIRMS, "AWARDED_TO": TENDERS, "SUBMITTED": n_bids, "FOR": n_bids, "SENT_FROM": n_bids}
    return nodes, rels


@pytest.fixture()
def own_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    if os.environ.get("NEO4J_URI") and not os.environ.get("IRONCAGE_TEST_INSTANCE") and \
            "127.0.0.1" not in os.environ["NEO4J_URI"]:
        pytest.skip("tests run against a user-supplied Neo4j: no local server to stop")
    from graph.server import LocalServer

    monkeypatch.setenv("IRONCAGE_NEO4J_HEAP", "512m")
    monkeypatch.setenv("IRONCAGE_NEO4J_PAGECACHE", "128m")
    server = LocalServer(INSTANCE)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def counts(server) -> tuple[dict[str, int], dict[str, int]]:  # type: ignore[no-untyped-def]
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri(), auth=("neo4j", server.password())) as driver:
        nodes = driver.execute_query("MATCH (n) WHERE NOT n:LoadRun AND NOT n:JobLock UNWIND labels(n) AS l "
                                     "RETURN l, count(*) AS c").records
        rels = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c").records
    return {r["l"]: r["c"] for r in nodes}, {r["t"]: r["c"] for r in rels}


def wipe(server) -> None:  # type: ignore[no-untyped-def]
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri(), auth=("neo4j", server.password())) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")


def test_load_stopped_by_the_server_completes_on_rerun(own_server, tmp_path: Path) -> None:
    server = own_server
    expected = write_market(tmp_path / "market")
    wipe(server)
    env = {**os.environ, "NEO4J_URI": server.uri(), "NEO4J_USERNAME": "neo4j",
           "NEO4J_PASSWORD": server.password(), "NEO4J_DATABASE": "neo4j",
           "IRONCAGE_NEO4J_RETRY_S": "2"}
    command = [sys.executable, "-m", "loaders", "csv", str(tmp_path / "market"), "--batch-size", "25"]

    first = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:  # wait until bids are being written, then pull the plug
        if line.startswith("loading bids.csv"):
            break
    time.sleep(0.5)
    server.stop()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 1, out + err
    assert "became unreachable during 'load_bids'" in err and "re-running the same command" in err

    server.start()
    partial = counts(server)
    assert partial[0].get("Bid", 0) < expected[0]["Bid"]  # the first run really stopped half-way
    second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert second.returncode == 0, second.stderr
    assert counts(server) == expected
    # the load log: the first load could not record its end (the server was gone); the second says so
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri(), auth=("neo4j", server.password())) as driver:
        log = driver.execute_query("MATCH (r:LoadRun) RETURN r.status AS s, r.rows_loaded AS n "
                                   "ORDER BY r.started_at").records
    assert [(r["s"], r["n"]) for r in log] == [("interrupted", None), ("succeeded", 3000 + 300 + 200)]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl_c"])
def test_a_load_stopped_by_a_signal_stops_between_batches_and_records_it(own_server, tmp_path: Path,
                                                                          signum: int) -> None:
    """SIGTERM ended the process where it stood (exit 143, no message, the load log "running" until
    the next load), and Ctrl-C raised inside the driver could leave its connection half-written
    (the next request failed with "Expected MAP but got STRUCT", the load marked failed). Now the
    batch in flight commits, the load log says interrupted, the exit code is the signal's, and a
    re-run completes the load."""
    server = own_server
    expected = write_market(tmp_path / "market")
    wipe(server)
    env = {**os.environ, "NEO4J_URI": server.uri(), "NEO4J_USERNAME": "neo4j",
           "NEO4J_PASSWORD": server.password(), "NEO4J_DATABASE": "neo4j"}
    command = [sys.executable, "-m", "loaders", "csv", str(tmp_path / "market"), "--batch-size", "25"]
    first = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:
        if line.startswith("loading bids.csv"):
            break
    time.sleep(0.5)
    first.send_signal(signum)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 128 + signum, out + err
    assert "stopping after the batch being written" in err and "re-running the same command" in err, err
    assert "Traceback" not in err
    nodes, _ = counts(server)
    assert 0 < nodes.get("Bid", 0) < expected[0]["Bid"] and nodes["Bid"] % 25 == 0  # whole batches only

    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri(), auth=("neo4j", server.password())) as driver:
        log = driver.execute_query("MATCH (r:LoadRun) RETURN r.status AS s").records
    assert [r["s"] for r in log] == ["interrupted"]  # recorded by the load itself, not by the next one
    second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert second.returncode == 0, second.stderr
    assert counts(server) == expected
