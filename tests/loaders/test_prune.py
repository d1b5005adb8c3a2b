"""--prune: a full extract deletes what its source's earlier loads wrote and it no longer has — and
nothing else (absent files, other sources, rejected rows' keys, ids still referred to)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.csv_bundle import load_bundle
from loaders.prune import TARGETS, Extract, plan
from tests.graph.test_load import SMALL, cli, counts, run, write_bundle

NODE = TARGETS["bids"]
ROLES = TARGETS["person_roles"]


def stored(*ids: str) -> list[dict[str, str]]:
    return [{"element_id": f"e{i}", "id": i} for i in ids]


def test_plan_deletes_what_the_extract_neither_loaded_nor_protects() -> None:
    extract = Extract(keys={"B1"}, protected={"B3"})
    summary, stale = plan("bids.csv", stored("B1", "B2", "B3"), extract, NODE, max_share=1.0)
    assert [row["id"] for row in stale] == ["B2"]
    assert (summary.stored, summary.stale, summary.refused) == (3, 1, "")


def test_plan_reads_a_relationship_as_its_files_key() -> None:
    rows = [{"element_id": "r1", "type": "SHAREHOLDER_OF", "start_id": "P1", "end_id": "F2"},
            {"element_id": "r2", "type": "DIRECTOR_OF", "start_id": "P1", "end_id": "F2"}]
    _, stale = plan("person_roles.csv", rows, Extract(keys={("P1", "F2", "shareholder")}), ROLES, max_share=1.0)
    assert [row["element_id"] for row in stale] == ["r2"]
    seat = {"element_id": "r3", "type": "EVALUATED", "start_id": "O1", "end_id": "T1"}  # official → tender
    _, stale = plan("evaluations.csv", [seat], Extract(keys={("T1", "O1")}), TARGETS["evaluations"], max_share=1.0)
    assert stale == []


def test_plan_refuses_a_file_with_an_unkeyed_reject_or_too_large_a_share() -> None:
    summary, stale = plan("bids.csv", stored("B1", "B2"), Extract(keys={"B1"}, unkeyed_rejects=1), NODE, 1.0)
    assert stale == [] and "no readable key" in summary.refused
    # the near miss: with nothing stale, an unkeyed reject refuses nothing
    summary, _ = plan("bids.csv", stored("B1"), Extract(keys={"B1"}, unkeyed_rejects=1), NODE, 1.0)
    assert summary.refused == ""
    summary, stale = plan("bids.csv", stored(*"ABCDEFGHIJ"), Extract(keys=set("ABCDEFGH")), NODE, max_share=0.1)
    assert stale == [] and "2 of 10 stored (20 %)" in summary.refused
    summary, stale = plan("bids.csv", stored(*"ABCDEFGHIJ"), Extract(keys=set("ABCDEFGHI")), NODE, max_share=0.1)
    assert len(stale) == 1 and summary.refused == ""  # exactly the share allowed
    summary, stale = plan("departments.csv", stored("D1", "D2", "D3"), Extract(keys={"D1", "D2"}),
                          TARGETS["departments"], max_share=0.1)
    assert len(stale) == 1 and summary.refused == ""  # one may always go, whatever the share


def test_the_unused_identifier_step_covers_every_identifier_label() -> None:
    import re

    from graph.cypher import query
    from graph.model import IDENTIFIER_LABELS

    [labels] = re.findall(r"MATCH \(x:([\w|]+)\)", query("prune_unused_identifiers"))
    assert set(labels.split("|")) == set(IDENTIFIER_LABELS.values())


def test_a_nodes_own_links_are_the_relationships_its_load_query_writes() -> None:
    """Pruning deletes a node only with its own links; they must be what load_<file>.cypher MERGEs."""
    import re

    from graph.cypher import query

    for name, target in TARGETS.items():
        if target.label:
            merged = set(re.findall(r"MERGE \([^)]*\)(?:<-|-)\[\w*:(\w+)", query(f"load_{name}")))
            assert merged == set(target.links), name


@pytest.mark.neo4j
def test_a_full_extract_prunes_only_what_it_no_longer_has(clean_db, tmp_path: Path) -> None:
    load_bundle(write_bundle(tmp_path / "first" / "city", SMALL), clean_db)
    with clean_db.driver.session(database=clean_db.settings.database) as session:  # another source's bid
        session.run("MATCH (t:Tender {id: 'T1'}), (f:Firm {id: 'F1'}) "
                    "CREATE (f)-[:SUBMITTED {source: 'ocds'}]->(:Bid {id: 'X1', amount: 1.0, source: 'ocds'})"
                    "-[:FOR {source: 'ocds'}]->(t)").consume()
    extract = {name: text for name, text in SMALL.items() if name != "inspections.csv"}  # absent: left alone
    extract["bids.csv"] = SMALL["bids.csv"].replace("B2,T1,F2,99,2024-01-21T09:30:00,10.0.0.1,ABC,false\n", "")
    extract["evaluations.csv"] = "tender_id,official_id\nT1,O1\n"
    extract["person_roles.csv"] = "person_id,firm_id,role,share\nP1,F1,legal_rep,\nP2,F3,director,\n"
    extract["firms.csv"] = SMALL["firms.csv"].replace("F3,Gamma,R3,,,\n", "")  # B3 still names F3
    extract["approvals.csv"] = SMALL["approvals.csv"].replace("2024-04-01", "April")  # A1 rejected: kept
    report = load_bundle(write_bundle(tmp_path / "second" / "city", extract), clean_db, prune=1.0)

    assert run(clean_db, "MATCH (b:Bid) RETURN b.id AS id ORDER BY id") == [{"id": i} for i in ("B1", "B3", "X1")]
    assert run(clean_db, "MATCH (:Firm {id: 'F2'})-[:HAS_PHONE]->(p) RETURN p.value AS p") == [{"p": "13800000000"}]
    assert run(clean_db, "MATCH (o)-[:EVALUATED]->(t) RETURN o.id AS o, t.id AS t") == [{"o": "O1", "t": "T1"}]
    roles = run(clean_db, "MATCH (p:Person)-[r]->(f:Firm) RETURN p.id AS p, type(r) AS role, f.id AS f ORDER BY role")
    assert roles == [{"p": "P2", "role": "DIRECTOR_OF", "f": "F3"}, {"p": "P1", "role": "LEGAL_REP_OF", "f": "F1"}]
    assert run(clean_db, "MATCH (f:Firm {id: 'F3'})-[:APPLIED]->(a:Approval) RETURN a.id AS a") == [{"a": "A1"}]
    assert run(clean_db, "MATCH (i:Inspection) RETURN count(i) AS n") == [{"n": 2}]
    pruned = {p.file: (p.stored, p.deleted, p.refused) for p in report.pruned or []}
    assert pruned["bids.csv"] == (3, 1, "") and pruned["evaluations.csv"] == (2, 1, "")
    assert pruned["person_roles.csv"] == (3, 1, "") and pruned["firms.csv"] == (3, 0, "")
    assert pruned["approvals.csv"] == (1, 0, "") and "inspections.csv" not in pruned
    assert "not in the bundle, not pruned: inspections.csv" in report.table()
    # loading the same extract again prunes nothing
    again = load_bundle(write_bundle(tmp_path / "second" / "city", extract), clean_db, prune=1.0)
    assert all(p.deleted == 0 for p in again.pruned or [])


@pytest.mark.neo4j
def test_a_node_linked_to_another_source_another_file_or_a_finding_is_kept(clean_db, tmp_path: Path) -> None:
    """Dropped from the extract, but still linked to data the load does not replace — each by one link
    alone: an OCDS bid on F1, a finding about F2, official O1's declared relative (relations.csv absent).
    They stay, with every link; F3, left with its own contact links only, goes."""
    first = dict(SMALL, **{"firms.csv": SMALL["firms.csv"].replace("F3,Gamma,R3,,,", "F3,Gamma,R3,13700000003,,")})
    load_bundle(write_bundle(tmp_path / "first" / "city", first), clean_db)
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T1'}), (f:Firm {id: 'F1'}) "
                    "CREATE (f)-[:SUBMITTED {source: 'ocds'}]->(:Bid {id: 'X1', amount: 1.0, source: 'ocds'})"
                    "-[:FOR {source: 'ocds'}]->(t)").consume()
        session.run("MATCH (f:Firm {id: 'F2'}) CREATE (:Alert {id: 'A-F2', active: false})-[:CONCERNS]->(f)").consume()
    extract = {  # departments, persons and relations absent; every firm and every dependant gone
        "officials.csv": "official_id,name,department_id,role\nO2,Li,D2,approver\n",
        "firms.csv": "firm_id,name\n",
        "person_roles.csv": "person_id,firm_id,role,share\n",
        "tenders.csv": "tender_id,department_id,title\nT1,D1,Road\nT2,D2,Bridge\n",  # no winner any more
        "bids.csv": "bid_id,tender_id,firm_id,amount\n",
        "evaluations.csv": "tender_id,official_id\n",
        "inspections.csv": "inspection_id,official_id,firm_id,date\n",
        "approvals.csv": "approval_id,official_id,firm_id,applied_at\n",
        "assignments.csv": "official_id,firm_id,since,until\n",
    }
    report = load_bundle(write_bundle(tmp_path / "second" / "city", extract), clean_db, prune=1.0)
    firms = run(clean_db, "MATCH (f:Firm) RETURN f.id AS id ORDER BY id")
    assert firms == [{"id": "F1"}, {"id": "F2"}]  # F3 went with its own phone link, and the number nobody holds
    assert run(clean_db, "MATCH (p:Phone {value: '13700000003'}) RETURN count(p) AS n") == [{"n": 0}]
    assert run(clean_db, "MATCH (p:Phone {value: '13800000000'}) RETURN count(p) AS n") == [{"n": 1}]  # F1's, F2's
    assert report.unused_identifiers == 3  # F3's phone, the IP and the document of the pruned bids B1, B2
    # an unused value another source created is not this load's to delete
    run(clean_db, "CREATE (:Phone {value: '999', source: 'ocds'})")
    load_bundle(write_bundle(tmp_path / "second" / "city", extract), clean_db, prune=1.0)
    assert run(clean_db, "MATCH (p:Phone {value: '999'}) RETURN count(p) AS n") == [{"n": 1}]
    assert "nothing links to any more: 3 deleted (" in report.table()
    assert run(clean_db, "MATCH (:Firm {id: 'F1'})-[:SUBMITTED]->(b) RETURN b.id AS b") == [{"b": "X1"}]
    assert run(clean_db, "MATCH (:Alert {id: 'A-F2'})-[:CONCERNS]->(f) RETURN f.id AS f") == [{"f": "F2"}]
    links = run(clean_db, "MATCH (o:Official {id: 'O1'})-[r]-() RETURN type(r) AS r ORDER BY r")
    assert [x["r"] for x in links] == ["HAS_EMAIL", "HAS_PHONE", "RELATED_TO", "WORKS_IN"]  # kept whole
    pruned = {p.file: (p.stale, p.deleted) for p in report.pruned or []}
    assert pruned["firms.csv"] == (3, 1) and pruned["officials.csv"] == (1, 0) and pruned["bids.csv"] == (3, 3)
    assert pruned["inspections.csv"] == (2, 2) and pruned["evaluations.csv"] == (2, 2)
    assert pruned["assignments.csv"] == (1, 1)  # O1's assignment to F3 went with the emptied file
    assert "firms.csv: 3 of 3 stored no longer in the extract, 1 deleted, 2 kept: still linked" in report.table()


@pytest.mark.neo4j
def test_a_cut_short_extract_is_not_pruned_and_the_cli_exits_4(clean_db, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "city", SMALL)
    load_bundle(folder, clean_db)
    before = counts(clean_db)
    (folder / "bids.csv").write_text(SMALL["bids.csv"].split("\n", 2)[0] + "\n" + SMALL["bids.csv"].split("\n")[1]
                                     + "\n", encoding="utf-8")  # the header and B1: B2 and B3 cut off
    result = cli("csv", folder, "--prune")
    assert result.returncode == 2 and "--prune needs --source NAME" in result.stderr
    assert counts(clean_db) == before
    result = cli("csv", folder, "--prune", "--source", "csv:city")
    assert result.returncode == 4, result.stderr
    # the cron log's dated end line says the code the job exits with (it said 0, written before the refusal)
    assert result.stderr.rstrip().endswith(f"a load of {folder}: ended, exit code 4"), result.stderr
    assert "bids.csv: not pruned — 2 of 3 stored (67 %)" in result.stdout and "--max-prune 10 %" in result.stdout
    assert counts(clean_db) == before
    [logged] = run(clean_db, "MATCH (r:LoadRun) RETURN r.status AS status, r.note AS note")
    assert logged["status"] == "partial" and "bids.csv: not pruned" in logged["note"]  # the Overview warns
    result = cli("csv", folder, "--prune", "--source", "csv:city", "--max-prune", "100")
    assert result.returncode == 0, result.stderr
    assert "bids.csv: 2 of 3 stored no longer in the extract, 2 deleted (" in result.stdout
    assert run(clean_db, "MATCH (b:Bid) RETURN b.id AS id") == [{"id": "B1"}]
