"""graph.findings_store: identity across runs, triage state kept, inactive findings, all-or-nothing writes."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import graph.findings_store as store
from detectors.finding import Finding
from graph.db import GraphError
from graph.findings_store import RunInfo, fail_run, match_rings, start_run, store_findings

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# Test fixtures are written with parameterised Cypher here; the store uses cypher/findings_*.cypher.
MARKET = """
UNWIND $firms AS id CREATE (:Firm {id: id})
WITH count(*) AS _
UNWIND $tenders AS id CREATE (:Tender {id: id})
WITH count(*) AS _
CREATE (:Official {id: 'O1'}), (:Official {id: 'O2'}), (:Department {id: 'D1'})
"""
TRIAGE = """
MATCH (n {id: $id}) WHERE n:Ring OR n:Alert
SET n.status = $status, n.assignee = $assignee
CREATE (:CaseEvent {id: $event, at: datetime(), user: 'ana', action: 'status', status: $status})-[:ON]->(n)
"""


def _cypher(db, text: str, **params: Any) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with db.driver.session(database=db.settings.database) as session:
        return session.run(text, params).data()


@pytest.fixture()
def market_db(clean_db):  # type: ignore[no-untyped-def]
    _cypher(clean_db, MARKET, firms=[f"F{i}" for i in range(1, 7)], tenders=["T1", "T2", "T3"])
    return clean_db


def ring(*firms: str, score: float = 80.0, tenders: tuple[str, ...] = ("T1", "T2")) -> Finding:
    return Finding(detector="rings", kind="ring", score=score, explanation=f"{len(firms)} firms took turns",
                   evidence={"firms": list(firms), "cv": 0.01}, firms=firms, tenders=tenders)


def pair(official: str, firm: str, score: float = 60.0) -> Finding:
    return Finding(detector="closeness", kind="pair", score=score, explanation=f"{official} inspects {firm} often",
                   evidence={"inspections": 9}, official_id=official, firm_id=firm)


def official(official_id: str, score: float = 50.0) -> Finding:
    return Finding(detector="official_profile", kind="official", score=score, explanation="slow approvals",
                   evidence={"overdue": 4}, official_id=official_id)


def run(db, number: int, findings: list[Finding], detectors: tuple[str, ...] | None = None) -> Any:  # type: ignore[no-untyped-def]
    detectors = detectors or tuple(sorted({f.detector for f in findings}))
    info = RunInfo(id=f"run-{number}", started_at=T0 + timedelta(days=number), detectors=detectors)
    start_run(db, info)
    return store_findings(db, info, findings, finished_at=info.started_at + timedelta(seconds=5))


def ring_state(db) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return _cypher(db, """
        MATCH (g:Ring)
        RETURN g.id AS id, g.status AS status, g.assignee AS assignee, g.active AS active,
               g.first_seen_run AS first, g.last_seen_run AS last, g.score AS score,
               g.member_ids AS member_ids, g.evidence AS evidence,
               [(f:Firm)-[:MEMBER_OF]->(g) | f.id] AS members, [(g)-[:CONCERNS]->(t:Tender) | t.id] AS tenders,
               [(r:DetectorRun)-[:FOUND]->(g) | r.id] AS runs
        ORDER BY id""")


def snapshot(db) -> tuple[list[Any], list[Any]]:  # type: ignore[no-untyped-def]
    """Every node and relationship with all properties, in a comparable order."""
    nodes = _cypher(db, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = _cypher(db, """MATCH (a)-[r]->(b)
                          RETURN elementId(a) AS a, type(r) AS type, elementId(b) AS b, properties(r) AS props""")
    as_text = [json.dumps(n, sort_keys=True, default=str) for n in nodes]
    rel_text = [json.dumps(r, sort_keys=True, default=str) for r in rels]
    return sorted(as_text), sorted(rel_text)


# -- ring matching (pure) -----------------------------------------------------------------

def test_match_rings_takes_the_best_match_first_and_one_to_one() -> None:
    previous = [("R-old", frozenset({"F1", "F2", "F3"}))]
    new = [(frozenset({"F1", "F2", "F3", "F4"}), 90.0),  # Jaccard 0.75
           (frozenset({"F1", "F2", "F3"}), 10.0)]        # Jaccard 1.0: wins despite the lower score
    assert match_rings(new, previous) == {1: "R-old"}


def test_match_rings_threshold_is_inclusive_at_one_half() -> None:
    previous = [("R1", frozenset({"F1", "F2", "F3", "F4"}))]
    assert match_rings([(frozenset({"F1", "F2"}), 50.0)], previous) == {0: "R1"}  # 2/4 = 0.5
    near_miss = [("R1", frozenset({"F1", "F2", "F3", "F4", "F5"}))]
    assert match_rings([(frozenset({"F1", "F2"}), 50.0)], near_miss) == {}  # 2/5 = 0.4


def test_match_rings_breaks_jaccard_ties_by_score() -> None:
    previous = [("R1", frozenset({"F1", "F2"}))]
    new = [(frozenset({"F1", "F2", "F3"}), 40.0), (frozenset({"F1", "F2", "F4"}), 70.0)]  # both 2/3
    assert match_rings(new, previous) == {1: "R1"}


# -- against Neo4j ------------------------------------------------------------------------

@pytest.mark.neo4j
def test_ring_keeps_identity_status_and_cases_when_it_gains_then_loses_a_member(market_db) -> None:
    first = run(market_db, 1, [ring("F1", "F2", "F3")])
    ring_id = first.ids[0]
    _cypher(market_db, TRIAGE, id=ring_id, status="confirmed", assignee="ana", event="E1")

    second = run(market_db, 2, [ring("F1", "F2", "F3", "F4", score=85.0, tenders=("T1", "T2", "T3"))])
    assert second.ids == [ring_id] and second.rings_matched == 1 and second.rings_new == 0
    [state] = ring_state(market_db)
    assert state["status"] == "confirmed" and state["assignee"] == "ana"
    assert (state["first"], state["last"], state["active"], state["score"]) == ("run-1", "run-2", True, 85.0)
    assert sorted(state["members"]) == ["F1", "F2", "F3", "F4"] == state["member_ids"]
    assert sorted(state["tenders"]) == ["T1", "T2", "T3"]
    assert sorted(state["runs"]) == ["run-1", "run-2"]

    third = run(market_db, 3, [ring("F2", "F3", "F4")])  # Jaccard 3/4 with the previous members
    assert third.ids == [ring_id]
    [state] = ring_state(market_db)
    assert sorted(state["members"]) == ["F2", "F3", "F4"]  # F1 is no longer MEMBER_OF
    assert state["status"] == "confirmed"
    assert _cypher(market_db, "MATCH (e:CaseEvent)-[:ON]->(g:Ring) RETURN e.id AS id") == [{"id": "E1"}]
    assert json.loads(state["evidence"]) == {"cv": 0.01, "firms": ["F2", "F3", "F4"]}


@pytest.mark.neo4j
def test_a_ring_that_changes_too_much_is_a_new_ring_and_the_old_one_goes_inactive(market_db) -> None:
    old_id = run(market_db, 1, [ring("F1", "F2", "F3")]).ids[0]
    new_id = run(market_db, 2, [ring("F3", "F4", "F5")]).ids[0]  # Jaccard 1/5
    assert new_id != old_id
    states = {s["id"]: s for s in ring_state(market_db)}
    assert states[old_id]["active"] is False and states[old_id]["last"] == "run-1"
    assert states[new_id]["active"] is True and states[new_id]["status"] == "open"
    assert sorted(states[old_id]["members"]) == ["F1", "F2", "F3"]  # kept for the cases that cite it


@pytest.mark.neo4j
def test_a_ring_unseen_for_a_run_comes_back_with_its_id_status_and_cases(market_db) -> None:
    ring_id = run(market_db, 1, [ring("F1", "F2", "F3")]).ids[0]
    _cypher(market_db, TRIAGE, id=ring_id, status="confirmed", assignee="ana", event="E1")
    run(market_db, 2, [ring("F5", "F6", "F7")])  # the ring is not found: inactive
    assert {s["id"]: s["active"] for s in ring_state(market_db)}[ring_id] is False
    back = run(market_db, 3, [ring("F1", "F2", "F3", "F4"), ring("F5", "F6", "F7")])
    assert back.ids[0] == ring_id and back.rings_matched == 2 and back.rings_new == 0
    state = {s["id"]: s for s in ring_state(market_db)}[ring_id]
    assert state["active"] is True and state["status"] == "confirmed" and state["first"] == "run-1"
    assert _cypher(market_db, "MATCH (e:CaseEvent)-[:ON]->(g:Ring {id: $id}) RETURN e.id AS id", id=ring_id) == [
        {"id": "E1"}]


def test_an_active_ring_is_matched_before_an_inactive_one() -> None:
    new = [(frozenset({"F1", "F2", "F3"}), 50.0)]
    inactive = [("old", frozenset({"F1", "F2", "F3"}))]
    active = [("current", frozenset({"F1", "F2", "F3", "F4"}))]  # a worse Jaccard, but still active
    assert store.match_rings_in_order(new, [active, inactive]) == {0: "current"}
    assert store.match_rings_in_order(new, [[], inactive]) == {0: "old"}


@pytest.mark.neo4j
def test_alert_triage_survives_a_rerun_and_a_finding_not_found_again_goes_inactive(market_db) -> None:
    first = run(market_db, 1, [pair("O1", "F1"), official("O2")], detectors=("closeness", "official_profile"))
    pair_id, official_id = first.ids
    assert pair_id == pair("O1", "F1").key
    _cypher(market_db, TRIAGE, id=pair_id, status="in_progress", assignee="bo", event="E1")

    run(market_db, 2, [pair("O1", "F1", score=75.0)], detectors=("closeness", "official_profile"))
    alerts = {r["id"]: r for r in _cypher(market_db, """
        MATCH (a:Alert)
        RETURN a.id AS id, a.status AS status, a.assignee AS assignee, a.active AS active, a.score AS score,
               a.first_seen_run AS first, a.last_seen_run AS last,
               [(a)-[:CONCERNS]->(s) | s.id] AS subjects, [(r:DetectorRun)-[:FOUND]->(a) | r.id] AS runs""")}
    assert alerts[pair_id]["status"] == "in_progress" and alerts[pair_id]["assignee"] == "bo"
    assert (alerts[pair_id]["active"], alerts[pair_id]["score"]) == (True, 75.0)
    assert (alerts[pair_id]["first"], alerts[pair_id]["last"]) == ("run-1", "run-2")
    assert sorted(alerts[pair_id]["subjects"]) == ["F1", "O1"]
    assert alerts[official_id]["active"] is False and alerts[official_id]["runs"] == ["run-1"]
    assert alerts[official_id]["subjects"] == ["O2"]


@pytest.mark.neo4j
def test_findings_of_detectors_that_did_not_run_stay_active(market_db) -> None:
    ring_id = run(market_db, 1, [ring("F1", "F2", "F3")]).ids[0]
    run(market_db, 2, [pair("O1", "F1")], detectors=("closeness",))
    [state] = ring_state(market_db)
    assert state["id"] == ring_id and state["active"] is True


@pytest.mark.neo4j
def test_run_node_records_status_count_and_timings(market_db) -> None:
    info = RunInfo(id="run-1", started_at=T0, detectors=("rings", "closeness"), params={"seed": 3},
                   code_version="abc123", seed=3)
    start_run(market_db, info)
    [running] = _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.status AS status, r.params AS params")
    assert running == {"status": "running", "params": '{"seed": 3}'}
    store_findings(market_db, info, [ring("F1", "F2", "F3"), pair("O1", "F2")],
                   finished_at=T0 + timedelta(seconds=7), detector_seconds={"rings": 1.5})
    [done] = _cypher(market_db, """MATCH (r:DetectorRun) RETURN r.status AS status, r.finding_count AS n,
                                   r.seconds AS seconds, r.detector_seconds AS per, r.detectors AS detectors,
                                   size([(r)-[:FOUND]->(x) | x]) AS found""")
    assert done == {"status": "succeeded", "n": 2, "seconds": 7.0, "per": '{"rings": 1.5}',
                    "detectors": ["rings", "closeness"], "found": 2}


@pytest.mark.neo4j
def test_a_run_left_running_by_a_dead_process_is_marked_failed_by_the_next_start(market_db) -> None:
    start_run(market_db, RunInfo(id="run-1", started_at=T0, detectors=("rings",)))
    start_run(market_db, RunInfo(id="run-2", started_at=T0 + timedelta(hours=1), detectors=("rings",)))
    states = {r["id"]: r for r in _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.id AS id, r.status AS status, r.error AS error")}
    assert states["run-1"]["status"] == "failed" and "abandoned" in states["run-1"]["error"]
    assert states["run-2"]["status"] == "running"


@pytest.mark.neo4j
def test_fail_run_marks_the_run_failed_without_findings(market_db) -> None:
    info = RunInfo(id="run-1", started_at=T0, detectors=("rings",))
    start_run(market_db, info)
    fail_run(market_db, info, "rings: boom", finished_at=T0 + timedelta(seconds=2))
    [state] = _cypher(market_db, """MATCH (r:DetectorRun) RETURN r.status AS status, r.error AS error,
                                    size([(r)-[:FOUND]->(x) | x]) AS found""")
    assert state == {"status": "failed", "error": "rings: boom", "found": 0}


@pytest.mark.neo4j
def test_a_failure_reported_after_the_commit_leaves_the_run_succeeded(market_db) -> None:
    """A SIGTERM landing between the findings' commit and the runner's next step is reported as a
    failure; the run whose findings are stored and shown stays succeeded with its count."""
    run(market_db, 1, [ring("F1", "F2", "F3")])
    fail_run(market_db, RunInfo(id="run-1", started_at=T0 + timedelta(days=1), detectors=("rings",)),
             "terminated", finished_at=T0 + timedelta(days=1, seconds=9))
    [state] = _cypher(market_db, "MATCH (r:DetectorRun) RETURN r.status AS status, r.finding_count AS n")
    assert state == {"status": "succeeded", "n": 1}


class Unserialisable:
    pass


@pytest.mark.neo4j
def test_evidence_that_cannot_be_serialised_mid_write_leaves_the_database_as_before(market_db) -> None:
    run(market_db, 1, [ring("F1", "F2", "F3"), pair("O1", "F1")])
    info = RunInfo(id="run-2", started_at=T0 + timedelta(days=2), detectors=("rings", "closeness"))
    start_run(market_db, info)
    before = snapshot(market_db)
    bad = Finding(detector="closeness", kind="pair", score=70.0, explanation="O2 approves F2 fast",
                  evidence={"thing": Unserialisable()}, official_id="O2", firm_id="F2")
    # the rings are written first, in the same transaction, then the bad alert fails
    with pytest.raises(TypeError):
        store_findings(market_db, info, [ring("F1", "F2", "F3", "F4", score=99.0), bad])
    assert snapshot(market_db) == before


@pytest.mark.neo4j
def test_a_query_failing_at_the_end_of_the_write_leaves_the_database_as_before(market_db, monkeypatch) -> None:
    run(market_db, 1, [ring("F1", "F2", "F3"), pair("O1", "F1")])
    info = RunInfo(id="run-2", started_at=T0 + timedelta(days=2), detectors=("rings", "closeness"))
    start_run(market_db, info)
    before = snapshot(market_db)
    real_query = store.query

    def failing_last_step(name: str) -> str:  # injected fault: the server fails the last statement
        return "RETURN 1 / 0 AS deactivated" if name == "findings_deactivate" else real_query(name)

    monkeypatch.setattr(store, "query", failing_last_step)
    with pytest.raises(GraphError, match="store_findings failed"):
        store_findings(market_db, info, [ring("F1", "F2", "F3", "F5"), pair("O1", "F1", 90.0), pair("O2", "F3")])
    assert snapshot(market_db) == before


@pytest.mark.neo4j
def test_every_alert_kind_concerns_its_subject_nodes(market_db) -> None:
    findings = [
        Finding(detector="linked_bidders", kind="linked_bidders", score=70, explanation="share a phone",
                firms=("F2", "F1"), tenders=("T1",)),
        Finding(detector="tender_risk", kind="tender", score=90, explanation="bids 1 % apart", tender_id="T3"),
        Finding(detector="red_flags", kind="buyer", score=40, explanation="R024", department_id="D1"),
        Finding(detector="red_flags", kind="firm", score=40, explanation="R038", firm_id="F6"),
        official("O1"),
    ]
    stored = run(market_db, 1, findings)
    concerns = {r["id"]: r for r in _cypher(market_db, """
        MATCH (a:Alert)-[:CONCERNS]->(s)
        RETURN a.id AS id, a.kind AS kind, collect(labels(s)[0] + ':' + s.id) AS subjects, a.subject_ids AS ids""")}
    assert sorted(concerns) == sorted(stored.ids) == sorted(f.key for f in findings)
    got = {r["kind"]: sorted(r["subjects"]) for r in concerns.values()}
    # linked bidders also concern the tenders where they met (as rings do), not as subjects
    assert got == {"linked_bidders": ["Firm:F1", "Firm:F2", "Tender:T1"], "tender": ["Tender:T3"],
                   "buyer": ["Department:D1"], "firm": ["Firm:F6"], "official": ["Official:O1"]}
    assert concerns[findings[0].key]["ids"] == ["F1", "F2"]

    # found again with other tenders: the links follow; the tender alert keeps its subject T3
    findings[0] = Finding(detector="linked_bidders", kind="linked_bidders", score=72, explanation="share a phone",
                          firms=("F2", "F1"), tenders=("T2", "T3"))
    run(market_db, 2, findings)
    tenders = {r["kind"]: sorted(r["tenders"]) for r in _cypher(market_db, """
        MATCH (a:Alert) RETURN a.kind AS kind, [(a)-[:CONCERNS]->(t:Tender) | t.id] AS tenders""")}
    assert tenders["linked_bidders"] == ["T2", "T3"] and tenders["tender"] == ["T3"]


def test_the_evidence_tier_is_stored_on_the_node_and_follows_the_next_run(market_db) -> None:
    def tiered(finding: Finding, tier: str) -> Finding:
        return dataclasses.replace(finding, evidence={**finding.evidence, "tier": tier})

    run(market_db, 1, [tiered(ring("F1", "F2"), "weak"), tiered(pair("O1", "F3"), "strong"), official("O1"),
                       tiered(pair("O2", "F4"), "middling")])  # only strong and weak are tiers
    tiers = {r["kind"]: r["tier"] for r in _cypher(market_db, """
        MATCH (n) WHERE n:Ring OR n:Alert RETURN n.kind + coalesce('-' + n.subject_ids[0], '') AS kind, n.tier AS tier""")}
    assert tiers == {"ring": "weak", "pair-O1": "strong", "official-O1": None, "pair-O2": None}
    # found again above the floor: the ring keeps its id and its tier follows
    run(market_db, 2, [tiered(ring("F1", "F2"), "strong")])
    assert [(r["tier"], r["first"]) for r in _cypher(market_db, "MATCH (g:Ring) RETURN g.tier AS tier, "
                                                                 "g.first_seen_run AS first")] == [("strong", "run-1")]
