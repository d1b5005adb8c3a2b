"""A tiny, hand-checkable market with stored findings, for the app's tests.

Who is who (the tests check these by eye):

* Ring RING-1 = F1 Alpha Build, F2 Beta Build, F3 Gamma Build. They bid together in the six
  roads tenders T1–T6 of D2, taking turns to win (F1, F2, F3, F1, F2, F3); the losers sit 2 %
  and 4 % above the winner; outsider F4 bids 15 % above in T1 and T2. F1 and F2 share the
  phone 13800000001, F2 and F3 the address "1 Ring Road", and person P1 owns shares of F1 and F3.
* RING-2 = F4, F6: a weak near-miss (score 35) with no tenders attached.
* Pair PAIR-1 = official O1 (D1) and firm F5: O1 passed all 6 inspections of F5 and decided its
  3 approvals in 2 days, while peer O2 failed F5 once; O1 is related to P2, a shareholder of F5.
  O1 decided 2 of F6's approvals after 25 days against 20 statutory days (overdue).
* LB-1: linked bidders F1, F2 (shared phone), who met in T1–T6. OFF-1: official-profile finding on O1.
* TR-1: tender risk on T2 (score 70): F1's and F2's bids in T2 were sent from the same IP
  10.0.0.7; F3's bid in T2 used a document no other bid used. RF-1: two Cardinal red flags on T3;
  RF-2: two on department D2 as a buyer.
* One detector run RUN-1 found all of them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RING_MEMBERS = ("F1", "F2", "F3")
WINNERS = ("F1", "F2", "F3", "F1", "F2", "F3")


def _node(label: str, **props: Any) -> dict[str, Any]:
    return {"label": label, "props": {**props, "source": "test"}}


def _rel(a_label: str, a_key: str, rel: str, b_label: str, b_key: str, **props: Any) -> dict[str, Any]:
    return {"a_label": a_label, "a_key": a_key, "type": rel, "b_label": b_label, "b_key": b_key,
            "props": {**props, "source": "test"}}


def market(with_findings: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(node rows, relationship rows) of the fixture market and (unless told not to) its findings."""
    nodes = [
        _node("Department", id="D1", name="Housing Bureau"),
        _node("Department", id="D2", name="Roads Bureau"),
        _node("Official", id="O1", name="Olga Inspector", department_id="D1", role="inspector"),
        _node("Official", id="O2", name="Oscar Peer", department_id="D1", role="inspector"),
        _node("Official", id="O3", name="Omar Roads", department_id="D2", role="evaluator"),
        _node("Firm", id="F1", name="Alpha Build", reg_no="R001"),
        _node("Firm", id="F2", name="Beta Build", reg_no="R002"),
        _node("Firm", id="F3", name="Gamma Build", reg_no="R003"),
        _node("Firm", id="F4", name="Delta Outsider", reg_no="R004"),
        _node("Firm", id="F5", name="Epsilon Favoured", reg_no="R005"),
        _node("Firm", id="F6", name="Zeta Other", reg_no="R006"),
        _node("Person", id="P1", name="Pat Owner"),
        _node("Person", id="P2", name="Paula Sister"),
        _node("Phone", value="13800000001"),
        _node("Address", value="1 Ring Road"),
    ]
    rels = [
        _rel("Official", "O1", "WORKS_IN", "Department", "D1"),
        _rel("Official", "O2", "WORKS_IN", "Department", "D1"),
        _rel("Official", "O3", "WORKS_IN", "Department", "D2"),
        _rel("Firm", "F1", "HAS_PHONE", "Phone", "13800000001"),
        _rel("Firm", "F2", "HAS_PHONE", "Phone", "13800000001"),
        _rel("Firm", "F2", "HAS_ADDRESS", "Address", "1 Ring Road"),
        _rel("Firm", "F3", "HAS_ADDRESS", "Address", "1 Ring Road"),
        _rel("Person", "P1", "SHAREHOLDER_OF", "Firm", "F1", share=0.5),
        _rel("Person", "P1", "SHAREHOLDER_OF", "Firm", "F3", share=0.3),
        _rel("Person", "P2", "SHAREHOLDER_OF", "Firm", "F5", share=0.6),
        _rel("Official", "O1", "RELATED_TO", "Person", "P2", relation="sibling"),
        _rel("Official", "O1", "RESPONSIBLE_FOR", "Firm", "F6", since=date(2024, 2, 1)),
    ]
    for i, winner in enumerate(WINNERS, start=1):
        tender, base = f"T{i}", 100_000.0 + 1000.0 * i
        nodes.append(_node("Tender", id=tender, title=f"Road resurfacing lot {i}", department_id="D2",
                           category="roads", region="North", budget=base * 1.1, currency="CNY",
                           published_at=date(2024, i, 10), procedure="open",
                           **({"award_criteria": "priceOnly", "award_criteria_details": "lowest price"} if i == 2
                              else {})))
        rels += [_rel("Department", "D2", "ISSUED", "Tender", tender),
                 _rel("Tender", tender, "AWARDED_TO", "Firm", winner, amount=base),
                 _rel("Official", "O3", "EVALUATED", "Tender", tender)]
        losers = [f for f in RING_MEMBERS if f != winner]
        offers = {winner: base, losers[0]: base * 1.02, losers[1]: base * 1.04}
        if i <= 2:
            offers["F4"] = base * 1.15
        for firm, amount in offers.items():
            bid = f"B{i}-{firm}"
            nodes.append(_node("Bid", id=bid, amount=round(amount, 2), disqualified=False))
            rels += [_rel("Firm", firm, "SUBMITTED", "Bid", bid), _rel("Bid", bid, "FOR", "Tender", tender)]
    nodes += [_node("IP", value="10.0.0.7"), _node("Document", hash="d0c3")]
    rels += [_rel("Bid", "B2-F1", "SENT_FROM", "IP", "10.0.0.7"), _rel("Bid", "B2-F2", "SENT_FROM", "IP", "10.0.0.7"),
             _rel("Bid", "B2-F3", "USES_DOCUMENT", "Document", "d0c3")]

    inspections = ([("O1", "F5", "pass")] * 6 + [("O1", "F6", "pass")] * 2 + [("O1", "F6", "fail")] * 2
                   + [("O2", "F5", "pass"), ("O2", "F5", "fail")] + [("O2", "F6", "pass")] * 2
                   + [("O2", "F6", "fail")] * 2)
    for n, (official, firm, result) in enumerate(inspections, start=1):
        inspection = f"I{n}"
        nodes.append(_node("Inspection", id=inspection, date=date(2024, 1 + n % 6, 1 + n), kind="safety",
                           result=result, penalty=0.0 if result == "pass" else 5000.0))
        rels += [_rel("Official", official, "CONDUCTED", "Inspection", inspection),
                 _rel("Inspection", inspection, "OF", "Firm", firm)]

    approvals = [("O1", "F5", 2)] * 3 + [("O1", "F6", 25)] * 2 + [("O1", "F6", 8)] + [("O2", "F6", 10)] * 3
    for n, (official, firm, days) in enumerate(approvals, start=1):
        approval = f"A{n}"
        applied = date(2024, 1 + n % 6, 2)
        nodes.append(_node("Approval", id=approval, kind="permit", applied_at=applied,
                           decided_at=date.fromordinal(applied.toordinal() + days), decision="granted",
                           statutory_days=20))
        rels += [_rel("Firm", firm, "APPLIED", "Approval", approval),
                 _rel("Official", official, "DECIDED", "Approval", approval)]

    if not with_findings:
        return nodes, rels
    started = datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    nodes.append(_node("DetectorRun", id="RUN-1", started_at=started,
                       finished_at=datetime(2024, 7, 1, 10, 0, 12, tzinfo=UTC), seconds=12.5,
                       status="succeeded", params=json.dumps({"rings": {"min_tenders": 3}}),
                       detectors=["rings", "closeness", "linked_bidders", "official_profile", "tender_risk",
                                  "red_flags"],
                       finding_count=8, code_version="test", detector_seconds=json.dumps({"rings": 4.0})))
    ring_evidence = {
        "tenders_together": 6,
        "screens": {
            "cv": {"value": 0.019, "threshold": 0.03, "flagged": True},
            "rd": {"value": 4.2, "threshold": 1.5, "flagged": True},
            "distinct_winners": {"value": 3, "threshold": 2, "flagged": True},
        },
        "shared": {"phone": ["13800000001"], "address": ["1 Ring Road"], "owner": ["P1"]},
    }
    findings = [
        ("Ring", "RING-1", "ring", "rings", 87.0, ring_evidence,
         "3 firms bid together in 6 tenders, took turns winning all 6, and the losing bids sat 2–4 % above "
         "the winner in every one", list(RING_MEMBERS)),
        ("Ring", "RING-2", "ring", "rings", 35.0, {"tenders_together": 2, "screens": {
            "cv": {"value": 0.12, "threshold": 0.03, "flagged": False}}},
         "2 firms met in 2 tenders with ordinary price spreads", ["F4", "F6"]),
        ("Alert", "PAIR-1", "pair", "closeness", 78.0,
         {"inspections": {"value": 6, "expected": 2.5, "threshold": 4.0, "flagged": True},
          "pass_rate": {"value": 1.0, "peer_rate": 0.5, "flagged": True}},
         "O1 inspected F5 6 times (2.5 expected) and passed every one, against 50 % for peers", ["O1", "F5"]),
        ("Alert", "LB-1", "linked_bidders", "linked_bidders", 60.0,
         {"shared": {"phone": "13800000001"}, "wins_by_member": {"F1": 2, "F2": 2}},
         "F1 and F2 share a phone and bid against each other in 6 tenders", ["F1", "F2"]),
        ("Alert", "OFF-1", "official", "official_profile", 55.0, {"overdue": {"value": 2, "threshold": 1}},
         "O1 decided 2 approvals after their statutory 20 days", ["O1"]),
        ("Alert", "TR-1", "tender", "tender_risk", 70.0,
         {"category": "roads", "n_bids": 4, "screens": {"cv": 0.06, "budget_ratio": 0.909},
          "components": {"screens": {"value": 0.55, "contribution": 55.0},
                         "ring": {"value": 0.87, "weight": 0.5, "contribution": 15.0}}},
         "The 4 valid bids of T2 sit, on average over CV, spread and relative distance, at the 95th "
         "percentile of roads tenders; ring members F1, F2 and F3 bid", ["T2"]),
        ("Alert", "RF-1", "tender", "red_flags", 64.0,
         {"flags": [{"code": "R024", "title": "Price close to winning bid", "value": 0.02},
                    {"code": "R003", "title": "Short submission period", "value": 5}]},
         "Tender T3 raised 2 Cardinal red flags — R003 Short submission period; R024 Price close to winning bid.",
         ["T3"]),
        ("Alert", "RF-2", "buyer", "red_flags", 64.0,
         {"flags": [{"code": "R018", "title": "Single bid received", "value": 1},
                    {"code": "R036", "title": "Lowest bid disqualified", "value": 1}]},
         "Buyer D2 raised 2 Cardinal red flags — R018 Single bid received; R036 Lowest bid disqualified.", ["D2"]),
    ]
    for label, fid, kind, detector, score, evidence, explanation, subjects in findings:
        props: dict[str, Any] = dict(id=fid, key=f"key-{fid}", detector=detector, kind=kind, score=score,
                                     evidence=json.dumps(evidence), explanation=explanation, status="open",
                                     active=True, first_seen_run="RUN-1", last_seen_run="RUN-1",
                                     first_seen_at=started, last_seen_at=started)
        if label == "Ring":
            props.update(member_ids=subjects, tender_ids=[f"T{i}" for i in range(1, 7)] if fid == "RING-1" else [])
        else:
            props["subject_ids"] = subjects
            if fid == "LB-1":  # where the linked bidders met: every tender of F1 and F2
                props["tender_ids"] = [f"T{i}" for i in range(1, 7)]
        nodes.append(_node(label, **props))
        rels.append(_rel("DetectorRun", "RUN-1", "FOUND", label, fid))
        for subject in subjects:
            subject_label = {"O": "Official", "T": "Tender", "D": "Department"}.get(subject[0], "Firm")
            if label == "Ring":
                rels.append(_rel("Firm", subject, "MEMBER_OF", "Ring", fid))
            else:
                rels.append(_rel("Alert", fid, "CONCERNS", subject_label, subject))
    rels += [_rel(label, fid, "CONCERNS", "Tender", f"T{i}") for label, fid in (("Ring", "RING-1"), ("Alert", "LB-1"))
             for i in range(1, 7)]
    return nodes, rels


def write_market(db: Any, with_findings: bool = True) -> None:
    """Write the fixture market into ``db`` (assumed empty)."""
    nodes, rels = market(with_findings)
    with db.driver.session(database=db.settings.database) as session:
        session.run((HERE / "fixture_nodes.cypher").read_text(), rows=nodes).consume()
        session.run((HERE / "fixture_rels.cypher").read_text(), rows=rels).consume()
