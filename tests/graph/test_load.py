"""Loading CSV bundles into the real Neo4j: exact counts, idempotence, updates, rejects, CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from loaders.csv_bundle import SKIPPED_VALUE, load_bundle
from loaders.rejects import read_rejects

pytestmark = pytest.mark.neo4j
REPO = Path(__file__).resolve().parents[2]

SMALL = {
    "departments.csv": "department_id,name\nD1,Housing bureau\nD2,Market supervision\n",
    "officials.csv": "official_id,name,department_id,role,phone,email,address\n"
                     "O1,Wang,D1,inspector,+86 138-0000-0001,Wang@Gov.cn,\n"
                     "O2,Li,D2,approver,,,\n",
    "firms.csv": "firm_id,name,reg_no,phone,email,address\n"
                 "F1,Alpha,R1,+86 138-0000-0000,,北京市朝阳区１号\n"
                 "F2,Beta,R2,13800000000,,北京市朝阳区1号。\n"
                 "F3,Gamma,R3,,,\n",
    "persons.csv": "person_id,name,phone\nP1,Zhang,13800000001\nP2,Zhao,\n",
    "person_roles.csv": "person_id,firm_id,role,share\nP1,F1,legal_rep,\nP1,F2,shareholder,0.6\nP2,F3,director,\n",
    "relations.csv": "official_id,person_id,relation\nO1,P1,spouse\n",
    "assignments.csv": "official_id,firm_id,since,until\nO1,F3,2024-01-01,\n",
    "tenders.csv": "tender_id,department_id,title,category,region,budget,currency,published_at,deadline_at,"
                   "procedure,award_criteria,winner_firm_id,award_amount\n"
                   "T1,D1,Road,works,north,100,CNY,2024-01-05,2024-02-01,open,综合评估法,F1,95\n"
                   "T2,D2,Bridge,works,south,60,CNY,2024-02-05,,open,,,\n",
    "bids.csv": "bid_id,tender_id,firm_id,amount,submitted_at,ip,document_hash,disqualified\n"
                "B1,T1,F1,95,2024-01-20T10:00:00,10.0.0.1,abc,false\n"
                "B2,T1,F2,99,2024-01-21T09:30:00,10.0.0.1,ABC,false\n"
                "B3,T2,F3,50,,,,\n",
    "evaluations.csv": "tender_id,official_id\nT1,O1\nT2,O2\n",
    "inspections.csv": "inspection_id,official_id,firm_id,date,kind,result,penalty\n"
                       "I1,O1,F1,2024-03-01,safety,pass,0\nI2,O1,F2,2024-03-02,safety,fail,500\n",
    "approvals.csv": "approval_id,official_id,firm_id,applied_at,decided_at,kind,decision,statutory_days\n"
                     "A1,O2,F3,2024-04-01,2024-04-10,permit,granted,20\n",
}
SMALL_NODES = {
    "Department": 2, "Official": 2, "Firm": 3, "Person": 2, "Tender": 2, "Bid": 3, "Inspection": 2,
    "Approval": 1, "Phone": 2, "Email": 1, "Address": 1, "IP": 1, "Document": 1,
}
SMALL_RELS = {
    "WORKS_IN": 2, "HAS_PHONE": 4, "HAS_EMAIL": 1, "HAS_ADDRESS": 2, "LEGAL_REP_OF": 1, "SHAREHOLDER_OF": 1,
    "DIRECTOR_OF": 1, "RELATED_TO": 1, "RESPONSIBLE_FOR": 1, "ISSUED": 2, "AWARDED_TO": 1, "SUBMITTED": 3, "FOR": 3,
    "SENT_FROM": 2, "USES_DOCUMENT": 2, "EVALUATED": 2, "CONDUCTED": 2, "OF": 2, "APPLIED": 1, "DECIDED": 1,
}


def write_bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(db: Any, text: str, **params: Any) -> list[dict[str, Any]]:
    with db.driver.session(database=db.settings.database) as session:
        return [record.data() for record in session.run(text, params)]


def counts(db: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type of the loaded data (the load log's LoadRun and the job
    lock's JobLock left out)."""
    nodes = run(db, "MATCH (n) WHERE NOT n:LoadRun AND NOT n:JobLock UNWIND labels(n) AS label "
                    "RETURN label, count(*) AS c")
    rels = run(db, "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS c")
    return {r["label"]: r["c"] for r in nodes}, {r["type"]: r["c"] for r in rels}


def test_small_bundle_gives_exact_counts_and_shared_identifiers(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "small", SMALL)
    report = load_bundle(folder, clean_db, progress=None)
    assert report.rejected_rows == 0
    assert counts(clean_db) == (SMALL_NODES, SMALL_RELS)
    assert report.totals.nodes_created == sum(SMALL_NODES.values())
    assert report.totals.relationships_created == sum(SMALL_RELS.values())
    shared = run(clean_db, "MATCH (a:Firm {id: 'F1'})-[:HAS_PHONE]->(p:Phone)<-[:HAS_PHONE]-(b:Firm {id: 'F2'}) "
                           "RETURN p.value AS value")
    assert shared == [{"value": "13800000000"}]
    same_address = run(clean_db, "MATCH (:Firm {id: 'F1'})-[:HAS_ADDRESS]->(a)<-[:HAS_ADDRESS]-(:Firm {id: 'F2'}) "
                                 "RETURN a.value AS value")
    assert same_address == [{"value": "北京市朝阳区1号"}]
    # the official and a person share a phone: a hidden tie is a path
    assert run(clean_db, "MATCH (:Official {id: 'O1'})-[:HAS_PHONE]->(:Phone)<-[:HAS_PHONE]-(p:Person) "
                         "RETURN p.id AS id") == [{"id": "P1"}]
    award = run(clean_db, "MATCH (:Tender {id: 'T1'})-[a:AWARDED_TO]->(f) RETURN f.id AS firm, a.amount AS amount")
    assert award == [{"firm": "F1", "amount": 95.0}]
    assert run(clean_db, "MATCH (t:Tender) RETURN t.id AS id, t.award_criteria AS c ORDER BY id") == \
        [{"id": "T1", "c": "综合评估法"}, {"id": "T2", "c": None}]  # a blank cell declares none
    share = run(clean_db, "MATCH (:Person {id: 'P1'})-[s:SHAREHOLDER_OF]->(:Firm {id: 'F2'}) RETURN s.share AS s")
    assert share == [{"s": 0.6}]
    unsourced = run(clean_db, "MATCH (n) WHERE n.source IS NULL RETURN count(n) AS c")[0]["c"] + run(
        clean_db, "MATCH ()-[r]->() WHERE r.source IS NULL RETURN count(r) AS c")[0]["c"]
    assert unsourced == 0
    assert run(clean_db, "MATCH (n) RETURN collect(DISTINCT n.source) AS s") == [{"s": ["csv:small"]}]
    typed = run(clean_db, "MATCH (i:Inspection {id: 'I2'}) RETURN i.date.year AS y, i.penalty AS p")
    assert typed == [{"y": 2024, "p": 500.0}]


def test_reloading_the_same_bundle_changes_no_counts(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "small", SMALL)
    load_bundle(folder, clean_db)
    first = counts(clean_db)
    report = load_bundle(folder, clean_db)
    assert counts(clean_db) == first
    assert report.totals.nodes_created == 0 and report.totals.relationships_created == 0
    assert report.totals.relationships_deleted == 0


def test_updated_bundle_updates_properties_and_links(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "small", SMALL)
    load_bundle(folder, clean_db)
    updated = dict(SMALL)
    updated["firms.csv"] = SMALL["firms.csv"].replace("F1,Alpha,R1,+86 138-0000-0000", "F1,Alpha Ltd,R1,+86 139-0000-0000")
    updated["tenders.csv"] = SMALL["tenders.csv"].replace("open,综合评估法,F1,95", "open,综合评估法,F2,97")
    write_bundle(folder, updated)
    load_bundle(folder, clean_db)
    firm = run(clean_db, "MATCH (f:Firm {id: 'F1'})-[:HAS_PHONE]->(p) RETURN f.name AS name, p.value AS phone")
    assert firm == [{"name": "Alpha Ltd", "phone": "13900000000"}]
    award = run(clean_db, "MATCH (:Tender {id: 'T1'})-[a:AWARDED_TO]->(f) RETURN f.id AS firm, a.amount AS amount")
    assert award == [{"firm": "F2", "amount": 97.0}]
    nodes, rels = counts(clean_db)
    assert nodes == {**SMALL_NODES, "Phone": 3}  # the old number stays as a node, unlinked from F1
    assert rels == SMALL_RELS


def test_a_corrected_bid_ip_or_document_replaces_the_old_link_and_a_blank_one_clears_it(clean_db, tmp_path: Path) -> None:
    """B1 was sent from 10.0.0.1 with document abc; the corrected export says 10.0.0.9 and def. B2's
    ip and hash are blanked. The old links go (they kept both, and linked bidders reported the old IP)."""
    folder = write_bundle(tmp_path / "small", SMALL)
    load_bundle(folder, clean_db)
    corrected = dict(SMALL)
    corrected["bids.csv"] = (SMALL["bids.csv"].replace("B1,T1,F1,95,2024-01-20T10:00:00,10.0.0.1,abc,",
                                                       "B1,T1,F1,95,2024-01-20T10:00:00,10.0.0.9,def,")
                             .replace("B2,T1,F2,99,2024-01-21T09:30:00,10.0.0.1,ABC,",
                                      "B2,T1,F2,99,2024-01-21T09:30:00,,,"))
    write_bundle(folder, corrected)
    load_bundle(folder, clean_db)
    links = run(clean_db, "MATCH (b:Bid) OPTIONAL MATCH (b)-[:SENT_FROM]->(i) OPTIONAL MATCH (b)-[:USES_DOCUMENT]->(d) "
                          "RETURN b.id AS bid, collect(DISTINCT i.value) AS ips, collect(DISTINCT d.hash) AS docs "
                          "ORDER BY bid")
    assert links == [{"bid": "B1", "ips": ["10.0.0.9"], "docs": ["def"]}, {"bid": "B2", "ips": [], "docs": []},
                     {"bid": "B3", "ips": [], "docs": []}]
    assert run(clean_db, "MATCH (b:Bid {id: 'B1'})-[r:FOR]->(t) RETURN t.id AS t, r.source AS s") == [
        {"t": "T1", "s": "csv:small"}]


def test_a_file_of_some_columns_updates_those_and_leaves_the_rest_as_stored(clean_db, tmp_path: Path) -> None:
    """A tenders.csv of tender_id and title, a firms.csv of firm_id, name and a blank reg_no: the
    titles and names change, the blank reg_no clears, and what the files have no column for stays —
    budget, dates, category, the department and winner links, phone and address links (the absent
    columns read as empty and wiped them). Values at the storable limits load (3,999 bytes)."""
    load_bundle(write_bundle(tmp_path / "small", SMALL), clean_db)
    tender = "MATCH (t:Tender {id: 'T1'}) RETURN properties(t) AS p"
    firm = "MATCH (f:Firm {id: 'F1'}) RETURN properties(f) AS p"
    before_tender, before_firm = run(clean_db, tender)[0]["p"], run(clean_db, firm)[0]["p"]
    _, before_rels = counts(clean_db)
    partial = write_bundle(tmp_path / "partial", {
        "tenders.csv": "tender_id,title\nT1,Road (corrected)\n",
        "firms.csv": f"firm_id,name,reg_no,address\nF1,Alpha Ltd,,{'乙' * 1333}\n",
    })
    report = load_bundle(partial, clean_db, source="csv:small")
    assert [(f.file, f.loaded, f.rejected) for f in report.files] == [("firms.csv", 1, 0), ("tenders.csv", 1, 0)]
    after_tender, after_firm = run(clean_db, tender)[0]["p"], run(clean_db, firm)[0]["p"]
    assert after_tender == {**before_tender, "title": "Road (corrected)"}
    assert before_firm["locality"] == "朝阳区"  # read from the address; the new one names none, so it stays
    assert after_firm == {key: value for key, value in {**before_firm, "name": "Alpha Ltd"}.items() if key != "reg_no"}
    _, rels = counts(clean_db)
    assert rels == {**before_rels, "HAS_ADDRESS": before_rels["HAS_ADDRESS"]}  # F1's address moved, phone kept
    assert run(clean_db, "MATCH (:Firm {id: 'F1'})-[:HAS_PHONE]->(p) RETURN p.value AS v") == [{"v": "13800000000"}]
    assert run(clean_db, "MATCH (:Firm {id: 'F1'})-[:HAS_ADDRESS]->(a) RETURN size(a.value) AS n") == [{"n": 1333}]
    assert run(clean_db, "MATCH (d)-[:ISSUED]->(:Tender {id: 'T1'})-[:AWARDED_TO]->(w) RETURN d.id AS d, w.id AS w") \
        == [{"d": "D1", "w": "F1"}]


def test_a_firm_s_locality_is_its_column_else_its_address_s_and_stays_when_the_file_has_neither(
        clean_db, tmp_path: Path) -> None:
    locality = "MATCH (f:Firm) RETURN f.id AS id, f.locality AS locality ORDER BY id"
    load_bundle(write_bundle(tmp_path / "small", SMALL), clean_db)
    assert run(clean_db, locality) == [{"id": "F1", "locality": "朝阳区"}, {"id": "F2", "locality": "朝阳区"},
                                       {"id": "F3", "locality": None}]
    load_bundle(write_bundle(tmp_path / "names", {"firms.csv": "firm_id,name\nF1,Alpha Ltd\n"}), clean_db)
    assert run(clean_db, locality)[0] == {"id": "F1", "locality": "朝阳区"}
    load_bundle(write_bundle(tmp_path / "given", {
        "firms.csv": "firm_id,address,locality\nF1,北京市朝阳区1号,高新区\nF2,北京市海淀区2号,\nF3,,东城区\n"}),
        clean_db)
    assert run(clean_db, locality) == [{"id": "F1", "locality": "高新区"}, {"id": "F2", "locality": "海淀区"},
                                       {"id": "F3", "locality": "东城区"}]
    # a later file of addresses alone: a Chinese one gives its district, a Latin or blank one keeps the stored
    load_bundle(write_bundle(tmp_path / "moved", {
        "firms.csv": "firm_id,address\nF1,1 High St\nF2,北京市西城区3号\nF3,\n"}), clean_db)
    assert run(clean_db, locality) == [{"id": "F1", "locality": "高新区"}, {"id": "F2", "locality": "西城区"},
                                       {"id": "F3", "locality": "东城区"}]


def test_bad_rows_are_rejected_and_leave_the_graph_as_it_was(clean_db, tmp_path: Path) -> None:
    load_bundle(write_bundle(tmp_path / "small", SMALL), clean_db)
    before = run(clean_db, "MATCH (f:Firm {id: 'F1'}) RETURN properties(f) AS p")
    bad = write_bundle(tmp_path / "second", {
        "firms.csv": f"firm_id,name,reg_no,phone\nF1,Renamed,{'R' * 4001},not-a-phone\nF4,Delta,,\n",
        "tenders.csv": "tender_id,budget\nT3,-1\nT4,10\n",
        "bids.csv": "bid_id,tender_id,firm_id,amount\nB4,T4,F4,9\nB5,T4,F1,-2\nB6,T3,F4,5\nB7,T1,F9,5\n"
                    "B8,T1,F4,8\n",
    })
    rejects_file = tmp_path / "out" / "rejects.csv"
    report = load_bundle(bad, clean_db, rejects_path=rejects_file)
    assert run(clean_db, "MATCH (f:Firm {id: 'F1'}) RETURN properties(f) AS p") == before
    assert [(f.file, f.read, f.loaded, f.rejected) for f in report.files] == [
        ("firms.csv", 2, 1, 1), ("tenders.csv", 2, 1, 1), ("bids.csv", 5, 2, 3)]
    assert [(r.file, r.line, r.field, r.value) for r in read_rejects(rejects_file)] == [
        ("firms.csv", 2, "reg_no", "R" * 1000 + "…"),
        ("firms.csv", 2, "phone", "not-a-phone"),  # in a rejected row: a problem like the others
        ("tenders.csv", 2, "budget", "'-1"),  # quoted, as text a spreadsheet must not run (loaders/rejects.py)
        ("bids.csv", 3, "amount", "'-2"),
        ("bids.csv", 4, "tender_id", "T3"),
        ("bids.csv", 5, "firm_id", "F9"),
    ]
    # B8 names T1 and B4 names F4/T4: T1 exists only in the graph, F4/T4 only in this bundle
    loaded = run(clean_db, "MATCH (f:Firm)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender) WHERE b.source = 'csv:second' "
                           "RETURN b.id AS bid, f.id AS firm, t.id AS tender ORDER BY bid")
    assert loaded == [{"bid": "B4", "firm": "F4", "tender": "T4"}, {"bid": "B8", "firm": "F4", "tender": "T1"}]
    assert not (bad / "rejects.csv").exists()


def test_a_bad_phone_e_mail_or_address_skips_only_itself_and_keeps_what_was_stored(clean_db, tmp_path: Path) -> None:
    """A mistyped optional identifier used to reject its whole row: the firm, and with it every bid it
    made. Now the row loads without that value, a link stored before stays (F1's phone, F2's address and the
    locality read from it), the reject line says so, and the report and the load log count it."""
    load_bundle(write_bundle(tmp_path / "small", SMALL), clean_db)
    _, before_rels = counts(clean_db)
    second = write_bundle(tmp_path / "second", {
        "firms.csv": f"firm_id,name,phone,email,address\nF1,Alpha Ltd,138-0,,北京市朝阳区１号\n"
                     f"F2,Beta,13800000000,,{'甲' * 1400}\nF4,Delta,,not-an-e-mail,\n",
        "bids.csv": "bid_id,tender_id,firm_id,amount,ip\nB4,T2,F4,55,10.0.0.300\n",
    })
    rejects_file = tmp_path / "out" / "rejects.csv"
    report = load_bundle(second, clean_db, rejects_path=rejects_file, source="csv:small")
    assert [(f.file, f.loaded, f.rejected, f.skipped_values) for f in report.files] == [
        ("firms.csv", 3, 0, 3), ("bids.csv", 1, 0, 1)]
    assert [(r.line, r.field, r.reason.endswith(SKIPPED_VALUE)) for r in read_rejects(rejects_file)] == [
        (2, "phone", True), (3, "address", True), (4, "email", True), (2, "ip", True)]
    assert "rejected: none" in report.table()
    assert ("skipped: 4 bad values (phones, e-mails, addresses, localities, IPs or document hashes) not loaded; "
            f"their rows loaded without them — details in {rejects_file}") in report.table()
    assert report.outcome()[1]["note"] == ("4 bad values (phones, e-mails, addresses, localities, IPs or document "
                                           "hashes) not loaded; their rows loaded without them")
    firms = run(clean_db, "MATCH (f:Firm) WHERE f.id IN ['F1', 'F2', 'F4'] "
                          "RETURN f.id AS id, f.name AS name, f.locality AS locality, "
                          "[(f)-[:HAS_PHONE]->(p) | p.value] AS phones, [(f)-[:HAS_ADDRESS]->(a) | a.value] AS addresses "
                          "ORDER BY id")
    assert firms == [
        {"id": "F1", "name": "Alpha Ltd", "locality": "朝阳区", "phones": ["13800000000"], "addresses": ["北京市朝阳区1号"]},
        {"id": "F2", "name": "Beta", "locality": "朝阳区", "phones": ["13800000000"], "addresses": ["北京市朝阳区1号"]},
        {"id": "F4", "name": "Delta", "locality": None, "phones": [], "addresses": []}]
    assert run(clean_db, "MATCH (:Firm {id: 'F4'})-[:SUBMITTED]->(b:Bid)-[:FOR]->(t) "
                         "RETURN b.id AS bid, b.amount AS amount, t.id AS tender, [(b)-[:SENT_FROM]->(i) | i] AS ips") \
        == [{"bid": "B4", "amount": 55.0, "tender": "T2", "ips": []}]
    _, rels = counts(clean_db)
    assert rels == {**before_rels, "SUBMITTED": before_rels["SUBMITTED"] + 1, "FOR": before_rels["FOR"] + 1}
    # a cell of two numbers: each is linked (they ran together into one number nobody has), and a later file of
    # one number unlinks the other
    load_bundle(write_bundle(tmp_path / "two", {"persons.csv": "person_id,phone\nP2,13800000000/13900000009\n"}),
                clean_db, rejects_path=tmp_path / "out" / "two.csv", source="csv:small")
    phones = "MATCH (:Person {id: 'P2'})-[:HAS_PHONE]->(p) RETURN p.value AS v ORDER BY v"
    assert run(clean_db, phones) == [{"v": "13800000000"}, {"v": "13900000009"}]
    assert run(clean_db, "MATCH (p:Phone {value: '13800000000'})<-[:HAS_PHONE]-(x) RETURN count(x) AS n") == [{"n": 3}]
    load_bundle(write_bundle(tmp_path / "one", {"persons.csv": "person_id,phone\nP2,13900000009\n"}),
                clean_db, rejects_path=tmp_path / "out" / "one.csv", source="csv:small")
    assert run(clean_db, phones) == [{"v": "13900000009"}]
    # a locality with an invisible character: skipped, and the stored one stays (it rejected the firm)
    report = load_bundle(write_bundle(tmp_path / "third", {"firms.csv": "firm_id,locality\nF2,海淀区\u200b\n"}),
                         clean_db, rejects_path=tmp_path / "out" / "third.csv", source="csv:small")
    assert [(f.loaded, f.skipped_values) for f in report.files] == [(1, 1)]
    assert run(clean_db, "MATCH (f:Firm {id: 'F2'}) RETURN f.locality AS l") == [{"l": "朝阳区"}]


def test_hostile_strings_round_trip_verbatim(clean_db, tmp_path: Path) -> None:
    hostile = ["'}) DETACH DELETE n //", "\" RETURN 1; MATCH (n) DETACH DELETE n", "back\\slash \\' \\\"",
               "emoji 🦊🔥", "中文名称有限公司", "$rows {x}", "line\nbreak"]
    lines = "".join('H{},"{}"\n'.format(i, text.replace('"', '""')) for i, text in enumerate(hostile))
    load_bundle(write_bundle(tmp_path / "hostile", {"firms.csv": "firm_id,name\n" + lines}), clean_db)
    names = run(clean_db, "MATCH (f:Firm) RETURN f.id AS id, f.name AS name ORDER BY id")
    assert names == [{"id": f"H{i}", "name": text} for i, text in enumerate(hostile)]



def test_long_names_are_stored_and_found_by_search(clean_db, tmp_path: Path) -> None:
    """A name is full-text indexed only, so names up to the text limit load: a consortium listing its
    members (9,897 bytes) and 31,000 bytes without a space (over the analyser's longest token); the
    firm's tender and bid load with it, and search finds it by a word of its name."""
    from graph import app_queries

    consortium = "、".join(["某某建设工程有限公司"] * 300)
    unbroken = "x" * 31000
    bundle = {"firms.csv": f"firm_id,name\nF1,{consortium}\nF2,{unbroken}\nF3,Gamma\n",
              "tenders.csv": "tender_id,title,winner_firm_id\nT1,Road,F1\n",
              "bids.csv": "bid_id,tender_id,firm_id,amount\nB1,T1,F1,95\nB2,T1,F2,99\n"}
    report = load_bundle(write_bundle(tmp_path / "long", bundle), clean_db)
    assert report.rejects == 0
    names = run(clean_db, "MATCH (f:Firm) RETURN f.id AS id, size(f.name) AS length ORDER BY id")
    assert names == [{"id": "F1", "length": len(consortium)}, {"id": "F2", "length": 31000},
                     {"id": "F3", "length": 5}]
    assert run(clean_db, "MATCH (:Bid)-[:FOR]->(t:Tender)-[:AWARDED_TO]->(f:Firm) RETURN count(*) AS n")[0]["n"] == 2
    found = app_queries.search(clean_db, "建设工程", limit=10)
    assert "F1" in {props.get("id") for props in found["props"]}


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120, check=False)


def test_cli_loads_and_prints_the_summary(clean_db, tmp_path: Path) -> None:
    files = dict(SMALL, **{"bids.csv": SMALL["bids.csv"] + "B9,T1,F1,-1,,,,\n"})
    folder = write_bundle(tmp_path / "cli", files)
    result = cli("csv", folder, "--batch-size", "2")
    assert result.returncode == 0, result.stderr
    assert "bids.csv" in result.stdout and "rejected: 1 rows" in result.stdout
    assert str(folder / "rejects.csv") in result.stdout
    assert "loading bids.csv" in result.stderr
    assert counts(clean_db) == (SMALL_NODES, SMALL_RELS)


def test_cli_does_not_write_the_rejects_file_through_a_symbolic_link(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "cli", SMALL)
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's own file\n", encoding="utf-8")
    (folder / "rejects.csv").symlink_to(victim)  # left in the data's folder by another user
    result = cli("csv", folder)
    assert result.returncode == 2
    assert f"the rejects file {folder / 'rejects.csv'} is a symbolic link" in result.stderr
    assert victim.read_text(encoding="utf-8") == "someone's own file\n"


def test_every_cli_load_is_recorded_in_the_load_log(clean_db, tmp_path: Path) -> None:
    """A LoadRun per load: what, from where, the counts; a load whose process died ('running') becomes
    'interrupted' when the next one starts; one that fails inside records the error."""
    run(clean_db, "CREATE (:LoadRun {id: 'died', status: 'running', started_at: datetime('2024-01-01T00:00:00Z')})")
    files = dict(SMALL, **{"bids.csv": SMALL["bids.csv"] + "B9,T1,F1,-1,,,,\n"})
    folder = write_bundle(tmp_path / "nightly", files)
    assert cli("csv", folder).returncode == 0
    logged = run(clean_db, "MATCH (r:LoadRun) RETURN r.id AS id, r.status AS status, r.kind AS kind, "
                           "r.source AS source, r.input AS input, r.rows_read AS read, r.rows_loaded AS loaded, "
                           "r.rejected AS rejected, r.finished_at IS NOT NULL AS finished, r.error AS error "
                           "ORDER BY r.started_at")
    assert [(r["id"], r["status"]) for r in logged][0] == ("died", "interrupted")
    latest = logged[1]
    assert (latest["status"], latest["kind"], latest["source"], latest["input"]) == (
        "succeeded", "csv", "csv:nightly", str(folder))
    assert (latest["read"], latest["loaded"], latest["rejected"], latest["finished"]) == (25, 24, 1, True)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    result = cli("csv", folder, "--rejects", blocked / "rejects.csv")  # cannot be written: fails inside the load
    assert result.returncode == 2
    [failed] = run(clean_db, "MATCH (r:LoadRun {status: 'failed'}) RETURN r.error AS error, r.source AS source")
    assert "not-a-folder" in failed["error"] and failed["source"] == "csv:nightly"  # the OS error, named


def test_cli_missing_column_exits_2_and_writes_nothing(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "bad", dict(SMALL, **{"inspections.csv": "inspection_id,official_id,date\n"}))
    result = cli("csv", folder)
    assert result.returncode == 2
    assert "inspections.csv: required column(s) firm_id missing" in result.stderr
    assert counts(clean_db) == ({}, {})
    # on record as a failed load, so the Overview does not show the night before's as the latest
    [logged] = run(clean_db, "MATCH (r:LoadRun) RETURN r.status AS status, r.source AS source, r.error AS error")
    assert (logged["status"], logged["source"]) == ("failed", "csv:bad")
    assert logged["error"].startswith("refused before loading: ") and "firm_id missing" in logged["error"]


def test_cli_non_utf8_exits_2_and_writes_nothing(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "latin", SMALL)
    (folder / "persons.csv").write_bytes("person_id,name\nP1,Müller\n".encode("latin-1"))
    result = cli("csv", folder)
    assert result.returncode == 2
    assert "persons.csv is not UTF-8" in result.stderr
    assert counts(clean_db) == ({}, {})


def test_cli_unreachable_database_exits_1_with_advice(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = write_bundle(tmp_path / "small", SMALL)
    result = cli("csv", folder, env={"NEO4J_URI": f"bolt://127.0.0.1:{port}"})
    assert result.returncode == 1
    assert "unreachable" in result.stderr and "python -m graph server start" in result.stderr


def test_load_plans_made_on_an_empty_database_never_scan(clean_db) -> None:
    """Plans are made when the database is empty and reused as it fills: a plan that starts
    from a label scan (cheap at 0 nodes) turns quadratic later, so none may contain one."""
    from graph.cypher import all_queries

    run(clean_db, "CALL db.clearQueryCaches()")
    names = [q.name for q in all_queries() if q.name.startswith("load_")]
    assert len(names) >= 15
    for name in names:
        with clean_db.driver.session(database=clean_db.settings.database) as session:
            plan = session.run("EXPLAIN " + named_text(name), rows=[], source="x",
                               **{f"{k}_ids": [] for k in ("department", "official", "firm", "person", "tender")}
                               ).consume().plan
        operators = []
        stack = [plan]
        while stack:
            node = stack.pop()
            operators.append(node["operatorType"].split("@")[0])
            stack.extend(node.get("children", []))
        assert not [op for op in operators if "Scan" in op], (name, operators)


def named_text(name: str) -> str:
    from graph.cypher import query

    return query(name)
