"""graph.findings_retention and ``python -m detectors expire``: what retention deletes, and what it never does."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from graph import lock
from graph.findings_retention import RetentionReport, cutoff_for, expire
from graph.findings_store import RunInfo, fail_run, start_run
from tests.graph.test_findings_store import MARKET, T0, TRIAGE, _cypher, official, pair, ring, run

REPO = Path(__file__).resolve().parents[2]
DETECTORS = ("closeness", "official_profile", "rings")
TRIAGED, STALE, LATER = pair("O2", "F5").key, pair("O1", "F4").key, pair("O1", "F6").key


@pytest.fixture()
def history(clean_db):  # type: ignore[no-untyped-def]
    """Three runs: the first finds a ring, two pairs and an official, the second the official and a third pair
    (O1–F6), the third only the official. The pair O2–F5 is triaged after the second run."""
    _cypher(clean_db, MARKET, firms=[f"F{i}" for i in range(1, 7)], tenders=["T1", "T2", "T3"])
    run(clean_db, 1, [ring("F1", "F2", "F3"), pair("O1", "F4"), pair("O2", "F5"), official("O1")], DETECTORS)
    run(clean_db, 2, [official("O1"), pair("O1", "F6")], DETECTORS)
    _cypher(clean_db, TRIAGE, id=TRIAGED, status="dismissed", assignee="ana", event="E1")
    run(clean_db, 40, [official("O1")], DETECTORS)
    return clean_db


def state(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    [row] = _cypher(db, """
        CALL () { MATCH (f:Ring|Alert) RETURN collect(f.id) AS findings }
        CALL () { MATCH (r:DetectorRun) RETURN collect(r.id) AS runs }
        CALL () { MATCH (n:Firm|Tender|Official) RETURN count(n) AS entities }
        CALL () { MATCH (e:CaseEvent)-[:ON]->(f) RETURN collect(f.id) AS events }
        CALL () { MATCH ()-[l:FOUND]->() RETURN count(l) AS found }
        RETURN findings, runs, entities, events, found""")
    return {**row, "findings": sorted(row["findings"]), "runs": sorted(row["runs"])}


def test_old_untriaged_inactive_findings_and_unreferenced_runs_go_the_rest_stays(history) -> None:  # type: ignore[no-untyped-def]
    before = state(history)
    ring_id = next(f for f in before["findings"] if f.startswith("ring-"))
    report = expire(history, T0 + timedelta(days=10))
    assert (report.rings, report.alerts, report.runs, report.kept) == (1, 2, 1, 1)
    after = state(history)
    # the ring and the pairs O1–F4 and O1–F6 (inactive, never triaged) went; the triaged pair and the active
    # official stayed; run-2 went (no finding that stays was first or last seen in it), run-1 stayed for the
    # triaged pair, run-40 is the latest
    assert after["findings"] == sorted(set(before["findings"]) - {ring_id, STALE, LATER})
    assert after["runs"] == ["run-1", "run-40"]
    assert after["entities"] == before["entities"]  # firms, tenders, officials lose only the findings' links
    assert after["events"] == [TRIAGED]
    # the links run-1 → ring, run-1 → O1–F4 and run-2's two went; run-1's links to the triaged pair and the
    # official stayed, and so did run-40's
    assert (before["found"], after["found"]) == (7, 3)
    # nothing else is due: a second expiry deletes nothing
    again = expire(history, T0 + timedelta(days=10))
    assert (again.rings, again.alerts, again.runs, again.kept) == (0, 0, 0, 1)


def test_a_dry_run_reports_the_same_and_deletes_nothing(history) -> None:  # type: ignore[no-untyped-def]
    before = state(history)
    report = expire(history, T0 + timedelta(days=10), dry_run=True)
    assert (report.rings, report.alerts, report.runs, report.kept, report.dry_run) == (1, 2, 1, 1, True)
    assert "would delete 3 inactive, never-triaged findings" in report.describe()
    assert state(history) == before


def test_findings_seen_after_the_cutoff_and_the_latest_runs_always_stay(history) -> None:  # type: ignore[no-untyped-def]
    # a cutoff an hour after run 1: the ring and the pair O1–F4 were last seen in it (O1–F6 in run 2), and it
    # is the only run before the cutoff, kept for the triaged pair; a cutoff before run 1 leaves everything
    early = expire(history, T0 + timedelta(days=1, hours=1), dry_run=True)
    assert (early.rings, early.alerts, early.runs) == (1, 1, 0)  # run-1 is cited by the triaged pair
    assert expire(history, T0 + timedelta(hours=1), dry_run=True) == RetentionReport(
        cutoff=T0 + timedelta(hours=1), rings=0, alerts=0, kept=0, runs=0, dry_run=True)
    # a failed run after everything: it is the latest run, run-40 the latest succeeded one; both stay
    failed = RunInfo(id="run-50", started_at=T0 + timedelta(days=50), detectors=DETECTORS)
    start_run(history, failed)
    fail_run(history, failed, "the server went away", T0 + timedelta(days=50, seconds=3))
    expire(history, T0 + timedelta(days=400))
    assert state(history)["runs"] == ["run-1", "run-40", "run-50"]


def test_old_load_log_entries_go_but_each_sources_latest_and_latest_successful_load_stay(clean_db) -> None:  # type: ignore[no-untyped-def]
    entries = [  # id, kind, source, days after T0, status
        ["a1", "csv", "city", 1, "succeeded"], ["a2", "csv", "city", 2, "failed"],
        ["a3", "csv", "city", 3, "succeeded"], ["a4", "csv", "city", 4, "failed"],  # a4 latest, a3 latest succeeded
        ["b1", "ocds", "portal", 1, "succeeded"], ["b2", "ocds", "portal", 2, "partial"],  # both stay
        ["c1", "csv", "other", 1, "running"], ["c2", "csv", "other", 2, "interrupted"],
        ["c3", "csv", "other", 30, "succeeded"],  # c1 runs, c3 is after the cutoff; c2 goes
        ["d1", "bids", "ohio", 2, "succeeded"],  # the same source through another loader is its own log
    ]
    _cypher(clean_db, "UNWIND $rows AS r CREATE (:LoadRun {id: r[0], kind: r[1], source: r[2], status: r[4], "
                      "started_at: $t0 + duration({days: r[3]})})", rows=entries, t0=T0)

    def ids() -> list[str]:
        return sorted(r["id"] for r in _cypher(clean_db, "MATCH (r:LoadRun) RETURN r.id AS id"))

    dry = expire(clean_db, T0 + timedelta(days=10), dry_run=True)
    assert dry.loads == 3 and len(ids()) == len(entries)
    assert "would delete 3 load-log entries" in dry.describe()
    assert expire(clean_db, T0 + timedelta(days=10)).loads == 3
    assert ids() == ["a3", "a4", "b1", "b2", "c1", "c3", "d1"]
    assert expire(clean_db, T0 + timedelta(days=10)).loads == 0  # nothing more is due


def test_a_finding_triaged_after_the_plan_is_not_deleted_nor_its_runs(history) -> None:  # type: ignore[no-untyped-def]
    [plan] = history.read("findings_retention_plan", cutoff=T0 + timedelta(days=10))
    assert (len(plan["findings"]), len(plan["runs"])) == (3, 1)  # the ring, O1–F4, O1–F6; run-2
    # an investigator comments on the pair O1–F6 (the app takes no lock) before the delete reaches it
    _cypher(history, TRIAGE, id=LATER, status="open", assignee=None, event="E2")
    findings = history.write_rows("findings_retention_delete_findings",
                                  [{"element_id": f["element_id"]} for f in plan["findings"]], at=T0).nodes_deleted
    runs = history.write_rows("findings_retention_delete_runs",
                              [{"element_id": r} for r in plan["runs"]]).nodes_deleted
    assert (findings, runs) == (2, 0)  # the ring and O1–F4; run-2 stays, O1–F6 was first and last seen in it
    after = state(history)
    assert LATER in after["findings"] and STALE not in after["findings"] and "run-2" in after["runs"]


def test_each_sign_of_triage_alone_keeps_a_finding_and_its_run_and_the_latest_runs_stay(clean_db) -> None:  # type: ignore[no-untyped-def]
    _cypher(clean_db, MARKET, firms=[f"F{i}" for i in range(1, 7)], tenders=["T1"])
    run(clean_db, 1, [pair("O1", "F1"), pair("O1", "F2"), pair("O1", "F3")], ("closeness",))
    run(clean_db, 2, [], ("closeness",))  # nothing found again: all three inactive, last seen in run 1
    run(clean_db, 3, [], ("closeness",))  # the latest succeeded run; no finding names it
    failed = RunInfo(id="run-4", started_at=T0 + timedelta(days=4), detectors=("closeness",))
    start_run(clean_db, failed)
    fail_run(clean_db, failed, "the server went away", T0 + timedelta(days=4, seconds=1))  # the latest run
    _cypher(clean_db, "CREATE (:DetectorRun {id: 'run-stuck', status: 'running', started_at: $at})",
            at=T0 + timedelta(days=3, hours=12))
    # no case event: a status set on its own, an assignee on its own
    _cypher(clean_db, "MATCH (a:Alert {id: $id}) SET a.status = 'dismissed'", id=pair("O1", "F1").key)
    _cypher(clean_db, "MATCH (a:Alert {id: $id}) SET a.assignee = 'bo'", id=pair("O1", "F2").key)
    report = expire(clean_db, T0 + timedelta(days=100))
    assert (report.alerts, report.kept, report.runs) == (1, 2, 1)
    after = state(clean_db)
    assert after["findings"] == sorted([pair("O1", "F1").key, pair("O1", "F2").key])
    # run-1 names the two kept pairs; run-2 names nothing and goes; run-3 is the latest succeeded run, run-4
    # the latest, run-stuck still running
    assert after["runs"] == ["run-1", "run-3", "run-4", "run-stuck"]


def test_a_triage_on_a_finding_retention_deleted_meanwhile_fails_and_says_so(history, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graph import app_queries
    from graph.db import GraphError

    seen = app_queries.finding(history, STALE)
    assert seen is not None
    expire(history, T0 + timedelta(days=10))
    # the app read the finding just before retention deleted it (the race itself cannot be timed in a test)
    monkeypatch.setattr(app_queries, "finding", lambda db, finding_id: seen)
    with pytest.raises(GraphError, match="no longer exists"):
        app_queries.record_triage(history, STALE, "ana", status="confirmed", comment="late")
    assert state(history)["events"] == [TRIAGED]  # nothing orphaned


def test_cutoff_is_whole_days_and_zoned() -> None:
    now = T0 + timedelta(days=3)
    assert cutoff_for(2, now) == T0 + timedelta(days=1)
    for days in (0, 36_501):
        with pytest.raises(ValueError, match="between 1 and 36,500 days"):
            cutoff_for(days, now)
    with pytest.raises(ValueError, match="time zone"):
        expire(None, now.replace(tzinfo=None))  # type: ignore[arg-type]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detectors", "expire", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=120)


def test_the_expire_command(history, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(lock.STATE_ENV, str(tmp_path))
    env = dict(os.environ)
    before = state(history)
    # every finding and run of the fixture is years old: only the latest run, the run the triaged pair cites
    # and the active official stay
    dry = _cli(env, "--older-than", "30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete 3 inactive, never-triaged findings last seen before the cutoff (1 rings, 2 alerts) " \
           "and 1 detector runs; kept 1" in dry.stdout
    assert state(history) == before
    with lock.run_lock(name=lock.lock_name(history), job="a detector run"):
        held = _cli(env, "--older-than", "30")
    assert held.returncode == 3 and "another job holds the database's lock: a detector run" in held.stderr
    assert state(history) == before
    done = _cli(env, "--older-than", "30")
    assert done.returncode == 0, done.stderr
    assert "deleted 3 inactive, never-triaged findings" in done.stdout
    assert state(history)["runs"] == ["run-1", "run-40"]
    for bad in ("0", "-3", "week", "800000"):
        refused = _cli(env, "--older-than", bad)
        assert refused.returncode == 2 and "--older-than" in refused.stderr, refused.stderr
