"""Triage survives detector re-runs: the app's CaseEvents and status against graph.findings_store.

Findings are stored the way the job runner stores them (graph.findings_store.store_findings);
the investigator triages through the app; later runs refresh score and members but never
touch status, assignee or the case history, and a finding no longer produced stays a case.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from detectors.finding import Finding
from graph import app_queries
from graph.findings_store import RunInfo, start_run, store_findings
from tests.app.conftest import USER, all_text, app_session, clear_app_caches, no_exception, table
from tests.app.market import write_market

pytestmark = pytest.mark.neo4j


def _ring(firms: tuple[str, ...], score: float) -> Finding:
    return Finding(detector="rings", kind="ring", score=score, firms=firms, tenders=("T1", "T2", "T3"),
                   explanation=f"{len(firms)} firms took turns winning", evidence={"shared_tenders": 6})


PAIR = Finding(detector="closeness", kind="pair", score=70.0, official_id="O1", firm_id="F5",
               explanation="O1 passed every inspection of F5", evidence={"inspections": 6})


def _run(db, n: int, findings: list[Finding]) -> list[str]:
    at = datetime(2024, 7, n, 10, 0, tzinfo=UTC)
    run = RunInfo(id=f"run-{n}", started_at=at, detectors=("rings", "closeness"))
    start_run(db, run)
    summary = store_findings(db, run, findings, finished_at=at)
    clear_app_caches()
    return summary.ids


def test_status_assignee_and_history_survive_reruns(clean_db):
    db = clean_db
    write_market(db, with_findings=False)
    ring_id, pair_id = _run(db, 1, [_ring(("F1", "F2", "F3"), 80.0), PAIR])

    at = app_session("views/rings.py")
    no_exception(at)
    at.selectbox(key=f"triage_status_rings_{ring_id}").set_value("in_progress")
    at.text_input(key=f"triage_assignee_rings_{ring_id}").input("Ana")
    at.text_area(key=f"triage_comment_rings_{ring_id}").input("Ask the bureau for the bid files")
    [save] = [b for b in at.button if b.label == "Save triage"]
    save.click().run()
    no_exception(at)
    history = app_queries.case_events(db, ring_id)
    assert list(history["action"]) == ["status", "assign", "comment"] and set(history["user"]) == {USER}

    # run 2: the ring gains F4 (Jaccard 3/4) and a new score; the pair is found again
    ids = _run(db, 2, [_ring(("F1", "F2", "F3", "F4"), 90.0), PAIR])
    assert ids == [ring_id, pair_id]  # same cases
    ring = app_queries.finding(db, ring_id)
    assert (ring["status"], ring["assignee"], ring["score"]) == ("in_progress", "Ana", 90.0)
    assert app_queries.case_events(db, ring_id).equals(history)  # untouched
    at = app_session("views/rings.py")
    no_exception(at)
    ranked = table(at, "ring_id", "key_screens").set_index("ring_id")
    assert ranked.loc[ring_id, "status"] == "in progress" and ranked.loc[ring_id, "members"] == 4
    assert "Ask the bureau for the bid files" in table(at, "action", "comment")["comment"].tolist()

    # run 3: neither is found; both stay cases (inactive) with their history
    _run(db, 3, [])
    at = app_session("views/cases.py")
    no_exception(at)
    assert "No active cases of these kinds." in all_text(at)  # active only by default
    at.toggle(key="cases_inactive").set_value(True).run()
    cases = table(at, "finding_id", "about").set_index("finding_id")
    assert cases.loc[ring_id, "status"] == "in progress" and cases.loc[ring_id, "events"] == 3  # in words
    assert not cases.loc[ring_id, "active"]


def test_a_triage_save_clears_the_triage_reads_only(market_db, monkeypatch):
    """A save cleared the whole app's cache (every page's queries, for every user); now it clears the reads
    that show triage — the list shows the new status — and a tender's bids stay cached."""
    import functools
    import threading

    bid_reads: list[str] = []
    real = app_queries.tender_bids

    @functools.wraps(real)
    def tender_bids(db, tender_id: str):
        if threading.current_thread().name != "ironcage-warm-up":  # the pages' reads, not the warm-up's
            bid_reads.append(tender_id)
        return real(db, tender_id)

    monkeypatch.setattr(app_queries, "tender_bids", tender_bids)
    at = app_session("views/tenders.py")
    no_exception(at)
    assert bid_reads == ["T2"] and table(at, "tender_id", "key_screens").set_index("tender_id").at["T2", "status"] == "open"
    at.selectbox(key="triage_status_tenders_TR-1").set_value("in_progress")
    [save] = [b for b in at.button if b.label == "Save triage"]
    save.click().run()
    no_exception(at)
    assert table(at, "tender_id", "key_screens").set_index("tender_id").at["T2", "status"] == "in progress"
    assert bid_reads == ["T2"]  # read once: the save left the bids' cache alone
    assert {"tenders", "finding", "case_events", "cases", "rings", "pairs"} <= app_queries.TRIAGE_READS
    assert "tender_bids" not in app_queries.TRIAGE_READS
