"""detectors.runner / python -m detectors: lock, failure handling, JSON output, seeded determinism.

The detectors here are tiny fake modules written to a temporary folder and registered through
``IRONCAGE_EXTRA_DETECTORS`` (the runner's plug-in hook), so these tests do not depend on the
real detectors' results; the failing one is the injected fault.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from detectors import registry, runner
from detectors.finding import Finding
from detectors.market import MarketData
from graph import lock

REPO = Path(__file__).resolve().parents[2]

FAKE_OK = '''
"""Fake detector: a seeded random choice of firms as one ring, plus one pair per official."""
import random

from detectors.finding import Finding

NAME = "fake_ok"


def detect(data, params=None, seed=0):
    firms = sorted(data.firms["firm_id"])
    chosen = tuple(sorted(random.Random(seed).sample(firms, 3)))
    score = round(random.Random(seed + 1).uniform(50, 90), 2)
    findings = [Finding(detector=NAME, kind="ring", score=score, explanation="fake ring",
                        evidence={"seed": seed, "firms": list(chosen)}, firms=chosen, tenders=("T1",))]
    for official in sorted(data.officials["official_id"]):
        findings.append(Finding(detector=NAME, kind="pair", score=40.0, explanation="fake pair",
                                evidence={"n": 1}, official_id=official, firm_id=chosen[0]))
    return findings
'''
FAKE_FAIL = '''
NAME = "fake_fail"


def detect(data, params=None, seed=0):
    raise ValueError("fake detector fault")
'''
FAKE_SLOW = '''
import time

NAME = "fake_slow"


def detect(data, params=None, seed=0):
    time.sleep(60)
    return []
'''
EXTRA = "fake_ok=ic_fake_ok,fake_fail=ic_fake_fail,fake_slow=ic_fake_slow"

MARKET = """
UNWIND $firms AS id CREATE (:Firm {id: id})
WITH count(*) AS _
CREATE (:Official {id: 'O1'}), (:Official {id: 'O2'}), (:Tender {id: 'T1'})
"""


@pytest.fixture()
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fake detector modules on the path, registered; a private state folder; env for subprocesses."""
    modules = tmp_path / "modules"
    modules.mkdir()
    for name, text in (("ic_fake_ok", FAKE_OK), ("ic_fake_fail", FAKE_FAIL), ("ic_fake_slow", FAKE_SLOW)):
        (modules / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(modules))
    monkeypatch.setenv(registry.EXTRA_ENV, EXTRA)
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(modules)])}
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detectors", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=timeout)


def _cypher(db, text: str, **params: Any) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with db.driver.session(database=db.settings.database) as session:
        return session.run(text, params).data()


@pytest.fixture()
def market_db(clean_db):  # type: ignore[no-untyped-def]
    _cypher(clean_db, MARKET, firms=[f"F{i}" for i in range(1, 9)])
    return clean_db


# -- no database needed ---------------------------------------------------------------------

def test_a_second_run_is_refused_at_once_while_the_lock_is_held(fakes: dict[str, str]) -> None:
    with lock.run_lock(name=lock.lock_name(), job="a load of bundle/"):
        started = time.monotonic()
        result = cli(fakes, "run", "--detector", "fake_ok")
        took = time.monotonic() - started
    assert result.returncode == runner.EXIT_LOCKED
    assert "another job holds the database's lock: a load of bundle/ since" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert took < 30  # refused at once, not after waiting for the lock


def test_the_lock_is_free_again_after_the_holder_leaves(tmp_path: Path) -> None:
    with lock.run_lock(tmp_path):
        with pytest.raises(lock.LockHeld):
            with lock.run_lock(tmp_path):
                pass
    with lock.run_lock(tmp_path):
        pass


def test_runs_against_different_databases_have_different_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    first = lock.lock_name()
    monkeypatch.setenv("NEO4J_DATABASE", "other")
    assert lock.lock_name() != first
    monkeypatch.delenv("NEO4J_DATABASE")
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7690")
    assert lock.lock_name() != first
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:7687")
    assert lock.lock_name() == first and first.startswith("database-") and first.endswith(".lock")
    # spellings of one server are one lock: a job of another spelling must not run beside it
    for same in ("neo4j://localhost:7687", "bolt://LOCALHOST", "bolt://127.0.0.1:7687/", "neo4j+s://127.0.0.1"):
        monkeypatch.setenv("NEO4J_URI", same)
        assert lock.lock_name() == first, same


def test_unknown_detector_is_a_usage_error(fakes: dict[str, str]) -> None:
    from detectors.__main__ import main

    assert main(["run", "--detector", "no_such_detector"]) == runner.EXIT_USAGE


def test_unreachable_database_exits_4_and_says_how_to_start_it(fakes: dict[str, str]) -> None:
    env = {**fakes, "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}
    result = cli(env, "run", "--detector", "fake_ok")
    assert result.returncode == runner.EXIT_UNAVAILABLE, result.stderr
    assert "python -m graph server start" in result.stderr


def test_a_state_folder_that_cannot_be_made_is_a_usage_error_naming_it(fakes: dict[str, str], tmp_path: Path) -> None:
    """IRONCAGE_STATE_DIR under a file: a run exited 1 (a failed run) with a bare OSError, a load 2;
    both are 2 now, and the message says the folder holds the job lock."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    env = {**fakes, lock.STATE_ENV: str(blocker / "state"), "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}
    result = cli(env, "run", "--detector", "fake_ok")
    assert result.returncode == runner.EXIT_USAGE, result.stderr
    assert f"cannot make the jobs' state folder {blocker / 'state'} (it holds the job lock)" in result.stderr


def test_an_unwritable_json_target_stops_the_run_before_it_starts(fakes: dict[str, str], tmp_path: Path) -> None:
    """Found after the run stored its findings, it made cron see 'run failed' for a run that succeeded."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    env = {**fakes, "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}  # never reached
    result = cli(env, "run", "--detector", "fake_ok", "--json", str(blocker / "findings.json"))
    assert result.returncode == runner.EXIT_USAGE, result.stderr
    assert "--json" in result.stderr and "Nothing was run" in result.stderr
    assert runner.json_target_problem(tmp_path / "out" / "findings.json") is None  # a new folder is made


def test_list_names_every_registered_detector(fakes: dict[str, str]) -> None:
    result = cli(fakes, "list")
    assert result.returncode == 0
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    assert codes[:6] == ["rings", "linked_bidders", "tender_risk", "closeness", "official_profile", "red_flags"]
    assert codes[6:] == ["fake_ok", "fake_fail", "fake_slow"]


def test_upstream_findings_are_passed_only_to_detectors_that_accept_them() -> None:
    ring = Finding(detector="up", kind="ring", score=50, explanation="r", firms=("F1", "F2"))
    up = types.ModuleType("up")
    up.detect = lambda data, params=None, seed=0: [ring]  # type: ignore[attr-defined]
    seen: dict[str, Any] = {}

    def taker(data, params=None, seed=0, rings=None):  # type: ignore[no-untyped-def]
        seen["taker"] = rings
        return []

    def ignorer(data, params=None, seed=0):  # type: ignore[no-untyped-def]
        seen["ignorer"] = "called"
        return []

    take, ignore = types.ModuleType("take"), types.ModuleType("ignore")
    take.detect, ignore.detect = taker, ignorer  # type: ignore[attr-defined]
    specs = [registry.DetectorSpec("up", "up", ""), registry.DetectorSpec("take", "take", "", {"rings": "up"}),
             registry.DetectorSpec("ignore", "ignore", "", {"rings": "up"})]
    outcomes = runner.run_detectors(MarketData.build(), list(zip(specs, [up, take, ignore], strict=True)))
    assert seen == {"taker": [ring], "ignorer": "called"}
    assert [(o.code, len(o.findings)) for o in outcomes] == [("up", 1), ("take", 0), ("ignore", 0)]


def _module(name: str, detect: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.detect = detect  # type: ignore[attr-defined]
    return module


def _spec(code: str, cost: float = 1.0, upstream: dict[str, str] | None = None) -> registry.DetectorSpec:
    return registry.DetectorSpec(code, code, "", upstream or {}, cost=cost)


def test_plan_lanes_keeps_upstream_chains_together_and_balances_the_cost() -> None:
    idle = _module("idle", lambda data, params=None, seed=0: [])
    specs = [_spec("rings", 8), _spec("linked", 2), _spec("risk", 1, {"rings": "rings"}), _spec("close", 8),
             _spec("profile", 1, {"pairs": "close"}), _spec("flags", 4), _spec("after_risk", 1, {"x": "risk"})]
    loaded = [(spec, idle) for spec in specs]

    def codes(jobs: int) -> list[list[str]]:
        return [[spec.code for spec, _ in lane] for lane in runner.plan_lanes(loaded, jobs)]

    assert codes(1) == [[s.code for s in specs]]  # one lane: registry order
    # chains rings → risk → after_risk (10) and close → profile (9) stay whole; flags and linked fill up
    assert codes(2) == [["rings", "linked", "risk", "after_risk"], ["close", "profile", "flags"]]
    assert codes(3) == [["rings", "risk", "after_risk"], ["close", "profile"], ["linked", "flags"]]
    assert len(codes(16)) == 4  # no empty lanes
    assert runner.default_jobs() >= 1


def test_lanes_run_in_other_processes_and_give_what_one_process_gives(caplog: pytest.LogCaptureFixture) -> None:
    def where(data, params=None, seed=0):  # type: ignore[no-untyped-def]
        return [Finding(detector="where", kind="official", score=1, explanation="pid",
                        evidence={"pid": os.getpid()}, official_id="O1")]

    def rings(data, params=None, seed=0):  # type: ignore[no-untyped-def]
        return [Finding(detector="rings", kind="ring", score=10 + seed, explanation="r", firms=("F1", "F2"))]

    def taker(data, params=None, seed=0, rings=None):  # type: ignore[no-untyped-def]
        return [Finding(detector="taker", kind="tender", score=len(rings or []), explanation="t",
                        evidence={"pid": os.getpid()}, tender_id="T1")]

    caplog.set_level("INFO", logger="detectors.runner")
    loaded = [(_spec("rings", 5), _module("rings", rings)), (_spec("taker", 1, {"rings": "rings"}), _module("taker", taker)),
              (_spec("where", 1), _module("where", where))]
    alone = runner.run_in_lanes(MarketData.build(), loaded, seed=3, jobs=1)
    split = runner.run_in_lanes(MarketData.build(), loaded, seed=3, jobs=2)
    assert [o.code for o in split] == ["rings", "taker", "where"]  # registry order whatever finished first
    assert [o.findings for o in split[:2]] == [o.findings for o in alone[:2]]
    assert split[1].findings[0].score == 1  # the upstream rings reached taker in its lane
    assert alone[2].findings[0].evidence["pid"] == os.getpid()
    assert split[2].findings[0].evidence["pid"] != os.getpid()  # where ran in a forked process
    assert split[1].findings[0].evidence["pid"] == os.getpid()
    assert "detectors in 2 processes: rings, taker | where" in caplog.text


@pytest.mark.parametrize("seed", [0, 2, 4])
def test_the_real_detectors_find_the_same_in_any_number_of_processes(seed: int) -> None:
    """No detector may depend on another having run before it in the same process (the
    market-level tables they share are memoised per process): each one cold in its own
    process finds exactly what they find one after another."""
    from tests.detectors.test_robustness import messy_market

    data = messy_market(seed)
    detectors = runner.load_detectors(registry.select(
        ["rings", "linked_bidders", "tender_risk", "closeness", "official_profile", "red_flags"]))
    assert len(runner.plan_lanes(detectors, 8)) == 4  # rings → tender_risk, closeness → profile, 2 alone
    apart = runner.run_in_lanes(data, detectors, seed=seed, jobs=8)  # first: no table memoised yet
    together = runner.run_in_lanes(data, detectors, seed=seed, jobs=1)
    assert [o.code for o in apart] == [o.code for o in together]
    assert [[f.to_dict() for f in o.findings] for o in apart] == [[f.to_dict() for f in o.findings] for o in together]
    assert sum(len(o.findings) for o in together) > 0


def test_a_lane_that_raises_or_dies_fails_the_run() -> None:
    def heavy(data, params=None, seed=0):  # type: ignore[no-untyped-def]
        return []

    def raises(data, params=None, seed=0):  # type: ignore[no-untyped-def]
        raise ValueError("fault in a worker")

    def dies(data, params=None, seed=0):  # type: ignore[no-untyped-def]
        os._exit(9)  # what the kernel's OOM killer or a crashing extension does to a process

    first = (_spec("heavy", 5), _module("heavy", heavy))  # the costlier lane runs here, the other is forked
    with pytest.raises(runner.RunFailed, match="detector raises raised ValueError: fault in a worker"):
        runner.run_in_lanes(MarketData.build(), [first, (_spec("raises"), _module("raises", raises))], jobs=2)
    with pytest.raises(runner.RunFailed, match=r"the worker process running dies died \(exit code 9\)"):
        runner.run_in_lanes(MarketData.build(), [first, (_spec("dies"), _module("dies", dies))], jobs=2)


def test_a_missing_detector_module_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    spec = registry.DetectorSpec("later", "detectors.not_written_yet", "")
    assert runner.load_detectors([spec]) == []
    assert "not there yet" in caplog.text


def test_json_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "findings.json"
    runner.write_json_atomically(target, {"run_id": "r1", "findings": []})
    runner.write_json_atomically(target, {"run_id": "r2", "findings": [{"score": 1}]})
    assert json.loads(target.read_text()) == {"run_id": "r2", "findings": [{"score": 1}]}
    assert [p.name for p in target.parent.iterdir()] == ["findings.json"]  # no temporary file left


# -- against Neo4j ---------------------------------------------------------------------------

@pytest.mark.neo4j
def test_json_output_shape_and_what_the_run_stored(market_db, fakes: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    result = runner.run(["fake_ok"], seed=3, json_path=out, db=market_db)
    payload = json.loads(out.read_text())
    assert set(payload) == {"run_id", "findings"} and payload["run_id"] == result.run_id
    assert [f["kind"] for f in payload["findings"]] == ["ring", "pair", "pair"]  # highest score first
    ring = payload["findings"][0]
    assert set(ring) == {"detector", "kind", "score", "explanation", "evidence", "firms", "tenders", "id"}
    assert ring["evidence"]["seed"] == 3 and len(ring["firms"]) == 3
    assert {f["official_id"] for f in payload["findings"][1:]} == {"O1", "O2"}
    [stored] = _cypher(market_db, """MATCH (r:DetectorRun {id: $id})
                                     RETURN r.status AS status, r.finding_count AS n, r.detectors AS detectors,
                                            size([(r)-[:FOUND]->(x) | x]) AS found""", id=result.run_id)
    assert stored == {"status": "succeeded", "n": 3, "detectors": ["fake_ok"], "found": 3}
    # each finding names the node it was stored as, and the ring keeps its id in the next run's file
    found = _cypher(market_db, "MATCH (:DetectorRun {id: $id})-[:FOUND]->(x) RETURN x.id AS id", id=result.run_id)
    assert {f["id"] for f in payload["findings"]} == {row["id"] for row in found}
    runner.run(["fake_ok"], seed=3, json_path=out, db=market_db)
    assert json.loads(out.read_text())["findings"][0]["id"] == ring["id"]


@pytest.mark.neo4j
def test_a_run_whose_lock_was_ended_under_it_stores_nothing(market_db, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """An administrator's TERMINATE TRANSACTIONS (the console refuses it now; cypher-shell does not)
    ended a run's lock transaction, and a load on another host then ran while the run read; the run
    went on and stored findings from a half-loaded market. A detector here ends the lock for real."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "ic_fake_terminator.py").write_text(textwrap.dedent('''
        from graph.db import connect

        NAME = "fake_terminator"


        def detect(data, params=None, seed=0):
            with connect() as db, db.driver.session(database=db.settings.database) as session:
                session.run("SHOW TRANSACTIONS YIELD transactionId, metaData "
                            "WHERE metaData.iron_cage_job_lock IS NOT NULL "
                            "TERMINATE TRANSACTIONS transactionId YIELD message RETURN message").consume()
            return []
    '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(modules))
    monkeypatch.setenv(registry.EXTRA_ENV, "fake_terminator=ic_fake_terminator,fake_ok=ic_fake_ok")
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path / "state"))
    (modules / "ic_fake_ok.py").write_text(textwrap.dedent(FAKE_OK), encoding="utf-8")
    with pytest.raises(runner.RunFailed, match="job lock was ended under this run"):
        runner.run(["fake_ok", "fake_terminator"], db=market_db, jobs=1)
    [stored] = _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.status AS status, "
                                  "size([(r)-[:FOUND]->(x) | x]) AS found")
    assert stored == {"status": "failed", "found": 0}
    assert _cypher(market_db, "MATCH (r:Ring) RETURN count(r) AS n") == [{"n": 0}]
    runner.run(["fake_ok"], db=market_db, jobs=1)  # the next run, holding its lock to the end, stores
    assert _cypher(market_db, "MATCH (r:Ring) RETURN count(r) AS n") == [{"n": 1}]


@pytest.mark.neo4j
def test_a_seeded_run_is_deterministic(market_db, fakes: dict[str, str], tmp_path: Path) -> None:
    def findings(seed: int, name: str) -> list[dict[str, Any]]:
        out = tmp_path / name
        runner.run(["fake_ok"], seed=seed, json_path=out, db=market_db)
        return json.loads(out.read_text())["findings"]

    first, again, other = findings(7, "a.json"), findings(7, "b.json"), findings(8, "c.json")
    assert first == again
    assert first != other  # the seed reaches the detector


@pytest.mark.neo4j
def test_a_detector_that_raises_fails_the_run_and_writes_no_findings(market_db, fakes: dict[str, str],
                                                                     tmp_path: Path) -> None:
    ok = cli({**fakes, "TZ": "Asia/Shanghai"}, "run", "--detector", "fake_ok", "--seed", "1")
    assert ok.returncode == 0, ok.stderr
    # each line dated in UTC, as a load's lines are, whatever the job's zone (cron's is often not the shell's)
    [done] = [line for line in ok.stderr.splitlines() if "detector fake_ok: 3 findings in" in line]
    stamp = datetime.strptime(done.split()[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 120
    before = _cypher(market_db, "MATCH (n) WHERE n:Ring OR n:Alert RETURN n.id AS id, properties(n) AS p ORDER BY id")
    out = tmp_path / "findings.json"

    failed = cli(fakes, "run", "--detector", "fake_ok", "--detector", "fake_fail", "--seed", "2", "--json", str(out))
    assert failed.returncode == runner.EXIT_FAILED
    assert "detector fake_ok: 3 findings in" in failed.stderr  # the log line per detector
    assert "detector fake_fail raised ValueError: fake detector fault" in failed.stderr
    assert "marked failed, no findings written" in failed.stderr
    assert not out.exists()
    runs = _cypher(market_db, """MATCH (r:DetectorRun) RETURN r.status AS status, r.error AS error,
                                 size([(r)-[:FOUND]->(x) | x]) AS found ORDER BY r.started_at""")
    assert [r["status"] for r in runs] == ["succeeded", "failed"]
    assert "fake detector fault" in runs[1]["error"] and runs[1]["found"] == 0
    # the first run's findings are exactly as they were: none refreshed, none deactivated
    after = _cypher(market_db, "MATCH (n) WHERE n:Ring OR n:Alert RETURN n.id AS id, properties(n) AS p ORDER BY id")
    assert after == before


@pytest.mark.neo4j
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_marks_the_run_failed(market_db, fakes: dict[str, str], stop: signal.Signals) -> None:
    """SIGTERM (cron's timeout, kill) or Ctrl-C: the run is marked failed and the job exits 143 or 130, as a load or
    a backup stopped so does (it exited 1, "run failed", an operator's review)."""
    process = subprocess.Popen([sys.executable, "-m", "detectors", "run", "--detector", "fake_slow"], cwd=REPO,
                               env=fakes, text=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _cypher(market_db, "MATCH (r:DetectorRun {status: 'running'}) RETURN r.id AS id"):
            break
        time.sleep(0.2)
    time.sleep(1.0)
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + stop, stderr
    [state] = _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.status AS status, r.error AS error")
    assert state["status"] == "failed" and ("signal" in state["error"] or "KeyboardInterrupt" in state["error"])


@pytest.mark.neo4j
def test_sigterm_while_a_worker_process_runs_kills_it_and_marks_the_run_failed(market_db, fakes: dict[str, str]
                                                                              ) -> None:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "detectors", "run", "--detector", "fake_ok", "--detector",
                                "fake_slow", "--jobs", "2"], cwd=REPO, env=fakes, text=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _cypher(market_db, "MATCH (r:DetectorRun {status: 'running'}) RETURN r.id AS id"):
            break
        time.sleep(0.2)
    time.sleep(2.0)  # fake_ok is done; the worker sleeps in fake_slow
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr  # 143, as a load or a backup SIGTERM stops
    assert time.monotonic() - started < 45  # the worker was killed, not waited for (it sleeps 60 s)
    [state] = _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.status AS status, r.error AS error")
    assert state["status"] == "failed" and "signal" in state["error"]


def _children(pid: int) -> set[int]:
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie waiting for its new parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.neo4j
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_worker_dies_with_its_killed_parent_and_the_next_run_marks_the_killed_one_failed(market_db, fakes: dict[str, str]
                                                                                 ) -> None:
    # SIGKILL cannot be handled: the parent cannot kill its worker itself, the kernel has to
    process = subprocess.Popen([sys.executable, "-m", "detectors", "run", "--detector", "fake_ok", "--detector",
                                "fake_slow", "--jobs", "2"], cwd=REPO, env=fakes, text=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and not workers:
        if _cypher(market_db, "MATCH (r:DetectorRun {status: 'running'}) RETURN r.id AS id"):
            workers = _children(process.pid)
        time.sleep(0.2)
    assert workers, "the run never forked its worker"
    time.sleep(1.0)  # the worker sleeps in fake_slow (60 s)
    process.kill()
    killed = time.monotonic()
    try:  # the job's stderr reaches its end once no process holds it: an orphaned worker would
        process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("the killed run's stderr stayed open: its worker outlived it")
    while time.monotonic() - killed < 10 and any(map(_running, workers)):
        time.sleep(0.1)
    assert not any(map(_running, workers)), "the orphaned worker is still running"
    # the next run marks the killed run failed
    result = cli(fakes, "run", "--detector", "fake_ok")
    assert result.returncode == 0, result.stderr
    assert "marked 1 run(s) left running by a dead process as failed" in result.stderr
    states = _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.status AS status ORDER BY r.started_at")
    assert [s["status"] for s in states] == ["failed", "succeeded"]


def test_jobs_must_be_a_positive_number(fakes: dict[str, str]) -> None:
    result = cli(fakes, "run", "--jobs", "0")
    assert result.returncode == 2 and "expected at least 1" in result.stderr


def test_ordered_findings_sort_by_score_then_key() -> None:
    a = Finding(detector="d", kind="tender", score=10, explanation="a", tender_id="T2")
    b = Finding(detector="d", kind="tender", score=10, explanation="b", tender_id="T1")
    c = Finding(detector="d", kind="tender", score=90, explanation="c", tender_id="T3")
    ordered = runner._ordered([a, b, c])
    assert ordered[0] is c and [f.key for f in ordered[1:]] == sorted([a.key, b.key])


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_run_whose_database_goes_away_exits_4_and_says_it_is_not_marked(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The server stopped during a run: the log said "marked failed" (it could not be) and the exit
    code was 1, where an unreachable Neo4j is 4. Its own instance, as the test stops it."""
    import shutil

    from graph.server import LocalServer

    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "ic_fake_nap.py").write_text(textwrap.dedent('''
        import time

        NAME = "fake_nap"


        def detect(data, params=None, seed=0):
            time.sleep(8)
            return []
    '''), encoding="utf-8")
    server = LocalServer(f"runfail-{os.getpid()}")
    monkeypatch.setenv("IRONCAGE_NEO4J_HEAP", "256m")
    monkeypatch.setenv("IRONCAGE_NEO4J_PAGECACHE", "64m")
    env = dict(os.environ)
    try:
        server.start()
        env.update({"NEO4J_URI": server.uri(), "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": server.password(),
                    "NEO4J_DATABASE": "neo4j", registry.EXTRA_ENV: "fake_nap=ic_fake_nap",
                    lock.STATE_ENV: str(tmp_path / "state"), "IRONCAGE_NEO4J_RETRY_S": "2",
                    "PYTHONPATH": os.pathsep.join([str(REPO), str(modules)])})
        job = subprocess.Popen([sys.executable, "-m", "detectors", "run", "--detector", "fake_nap", "--jobs", "1"],
                               cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert job.stderr is not None
        for line in job.stderr:
            if "started: detectors fake_nap" in line:
                break
        server.stop()
        out, err = job.communicate(timeout=300)
        assert job.returncode == runner.EXIT_UNAVAILABLE, out + err
        assert "not marked failed (the next run will)" in err and "run failed, marked failed" not in err, err
    finally:
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)
