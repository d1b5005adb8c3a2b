"""graph.readers: a tiny hand-made graph read back as every MarketData frame, exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from detectors.market import COLUMNS, MarketData
from graph.readers import (
    BID_IDENTIFIER_QUERIES,
    FRAME_QUERIES,
    OCDS_QUERIES,
    bid_identifiers,
    read_market,
    to_datetimes,
    warm_up,
)

# The test graph is written with one parameterised statement (values as parameters); the
# production code reads it through the named queries in cypher/read_*.cypher.
TINY_GRAPH = """
CREATE (d1:Department {id: 'D1', name: 'Roads'}), (d2:Department {id: 'D2', name: 'Schools'})
CREATE (o1:Official {id: 'O1', name: 'Olga', department_id: 'D1', role: 'inspector'})-[:WORKS_IN]->(d1)
CREATE (o2:Official {id: 'O2', name: 'Oskar', role: 'clerk'})-[:WORKS_IN]->(d2)
CREATE (f1:Firm {id: 'F1', name: 'Alpha', reg_no: 'R1', locality: 'North'}), (f2:Firm {id: 'F2', name: 'Beta'}),
       (f3:Firm {id: 'F3', name: 'Gamma', reg_no: 'R3'})
CREATE (p1:Person {id: 'P1', name: 'Paul'}), (p2:Person {id: 'P2', name: 'Pia'})
CREATE (ph:Phone {value: '5551'}), (em:Email {value: 'a@x.org'}), (ad:Address {value: '1 main st'}),
       (ph2:Phone {value: '5559'})
CREATE (f1)-[:HAS_PHONE]->(ph), (f2)-[:HAS_PHONE]->(ph), (f1)-[:HAS_EMAIL]->(em), (f1)-[:HAS_ADDRESS]->(ad),
       (o1)-[:HAS_PHONE]->(ph2), (p1)-[:HAS_PHONE]->(ph2), (p2)-[:HAS_ADDRESS]->(ad)
CREATE (p1)-[:LEGAL_REP_OF]->(f1), (p1)-[:SHAREHOLDER_OF {share: $share}]->(f2), (p2)-[:DIRECTOR_OF]->(f3)
CREATE (o1)-[:RELATED_TO {relation: 'spouse'}]->(p1)
CREATE (o1)-[:RESPONSIBLE_FOR {since: date('2023-01-01'), until: date('2024-06-30')}]->(f2),
       (o1)-[:RESPONSIBLE_FOR]->(f3)
CREATE (t1:Tender {id: 'T1', department_id: 'D1', title: 'Bridge', category: 'works', region: 'North',
                   budget: $budget, currency: 'EUR', published_at: date($published),
                   deadline_at: date($deadline), procedure: 'open', award_criteria: 'priceOnly'})
CREATE (t2:Tender {id: 'T2', title: 'Desks', category: 'goods'})
CREATE (d1)-[:ISSUED]->(t1), (d2)-[:ISSUED]->(t2)
CREATE (t1)-[:AWARDED_TO {amount: $award}]->(f1)
CREATE (f1)-[:SUBMITTED]->(b1:Bid {id: 'B1', amount: 95.0, submitted_at: datetime($at1), disqualified: false})
       -[:FOR]->(t1)
CREATE (f2)-[:SUBMITTED]->(b2:Bid {id: 'B2', amount: 99.0, submitted_at: datetime($at2)})-[:FOR]->(t1)
CREATE (f3)-[:SUBMITTED]->(b3:Bid {id: 'B3', amount: 50.0, submitted_at: localdatetime($at3),
                                   disqualified: true})-[:FOR]->(t2)
CREATE (f1)-[:SUBMITTED]->(b4:Bid {id: 'B4', amount: 52.0})-[:FOR]->(t2)
CREATE (ip:IP {value: '10.0.0.1'}), (ip2:IP {value: '10.0.0.2'}), (doc:Document {hash: 'H1'})
CREATE (b1)-[:SENT_FROM]->(ip), (b2)-[:SENT_FROM]->(ip), (b4)-[:SENT_FROM]->(ip2), (b4)-[:SENT_FROM]->(ip),
       (b1)-[:USES_DOCUMENT]->(doc), (b2)-[:USES_DOCUMENT]->(doc)
CREATE (o1)-[:CONDUCTED]->(:Inspection {id: 'I1', date: date('2024-02-01'), kind: 'fire', result: 'pass',
                                        penalty: 0.0})-[:OF]->(f2)
CREATE (o1)-[:CONDUCTED]->(:Inspection {id: 'I2', date: date('2024-03-01'), kind: 'fire', result: 'fail',
                                        penalty: 1000.0})-[:OF]->(f3)
CREATE (f1)-[:APPLIED]->(:Approval {id: 'A1', kind: 'permit', applied_at: date('2024-01-02'),
                                   decision: 'pending', statutory_days: 20})<-[:DECIDED]-(o2)
CREATE (o1)-[:EVALUATED]->(t1), (o2)-[:EVALUATED]->(t1)
"""


def _write_tiny_graph(db) -> None:  # type: ignore[no-untyped-def]
    with db.driver.session(database=db.settings.database) as session:
        session.run(TINY_GRAPH, share=0.6, budget=100.0, published="2024-01-05", deadline="2024-01-20",
                    award=95.0, at1="2024-01-10T09:00:00Z", at2="2024-01-10T11:30:00+02:00",
                    at3="2024-01-11T08:00:00").consume()


def _expected() -> MarketData:
    nan = None
    return MarketData.build(
        tenders=pd.DataFrame(
            [["T1", "D1", "Bridge", "works", "North", 100.0, "EUR", "2024-01-05", "2024-01-20", "open", "priceOnly",
              "F1", 95.0, nan],
             ["T2", "D2", "Desks", "goods", nan, nan, nan, nan, nan, nan, nan, nan, nan, nan]],
            columns=COLUMNS["tenders"]),
        bids=pd.DataFrame(
            [["B1", "T1", "F1", 95.0, "2024-01-10T09:00:00", False, True, "10.0.0.1", "H1", "EUR"],
             ["B2", "T1", "F2", 99.0, "2024-01-10T09:30:00", False, False, "10.0.0.1", "H1", "EUR"],  # +02:00 → UTC
             ["B3", "T2", "F3", 50.0, "2024-01-11T08:00:00", True, False, nan, nan, nan],
             # sent from two IPs: the lowest; a bid's currency is its tender's, T2 names none
             ["B4", "T2", "F1", 52.0, nan, False, False, "10.0.0.1", nan, nan]],
            columns=COLUMNS["bids"]),
        firms=pd.DataFrame([["F1", "Alpha", "R1", "North"], ["F2", "Beta", nan, nan], ["F3", "Gamma", "R3", nan]],
                           columns=COLUMNS["firms"]),
        officials=pd.DataFrame([["O1", "Olga", "D1", "inspector"], ["O2", "Oskar", "D2", "clerk"]],
                               columns=COLUMNS["officials"]),
        departments=pd.DataFrame([["D1", "Roads"], ["D2", "Schools"]], columns=COLUMNS["departments"]),
        inspections=pd.DataFrame(
            [["I1", "O1", "F2", "2024-02-01", "fire", "pass", 0.0],
             ["I2", "O1", "F3", "2024-03-01", "fire", "fail", 1000.0]],
            columns=COLUMNS["inspections"]),
        approvals=pd.DataFrame([["A1", "O2", "F1", "permit", "2024-01-02", nan, "pending", 20.0]],
                               columns=COLUMNS["approvals"]),
        evaluations=pd.DataFrame([["T1", "O1"], ["T1", "O2"]], columns=COLUMNS["evaluations"]),
        firm_identifiers=pd.DataFrame(
            [["F1", "address", "1 main st", nan],
             ["F1", "document", "H1", nan],
             ["F1", "email", "a@x.org", nan],
             ["F1", "ip", "10.0.0.1", nan],  # from B1 and B4: one row (B4's 10.0.0.2 is F1's alone)
             ["F1", "person", "P1", "legal_rep"],
             ["F1", "phone", "5551", nan],
             ["F2", "document", "H1", nan],
             ["F2", "ip", "10.0.0.1", nan],
             ["F2", "person", "P1", "shareholder"],
             ["F2", "phone", "5551", nan],
             ["F3", "person", "P2", "director"]],
            columns=COLUMNS["firm_identifiers"]),
        person_identifiers=pd.DataFrame(
            [["official", "O1", "phone", "5559"],
             ["person", "P1", "phone", "5559"],
             ["person", "P2", "address", "1 main st"]],
            columns=COLUMNS["person_identifiers"]),
        person_roles=pd.DataFrame(
            [["P1", "F1", "legal_rep", nan, "Paul"], ["P1", "F2", "shareholder", 0.6, "Paul"],
             ["P2", "F3", "director", nan, "Pia"]],
            columns=COLUMNS["person_roles"]),
        relations=pd.DataFrame([["O1", "P1", "spouse", "Paul"]], columns=COLUMNS["relations"]),
        assignments=pd.DataFrame([["O1", "F2", "2023-01-01", "2024-06-30"], ["O1", "F3", nan, nan]],
                                 columns=COLUMNS["assignments"]),
    )


@pytest.mark.neo4j
@pytest.mark.parametrize("page_size", [50_000, 1], ids=["one-page", "page-per-node"])
def test_read_market_returns_every_frame_exactly(clean_db, page_size: int) -> None:
    _write_tiny_graph(clean_db)
    market = read_market(clean_db, page_size=page_size)
    expected = _expected()
    for frame in COLUMNS:
        got = getattr(market, frame)
        want = getattr(expected, frame)
        assert list(got.columns) == COLUMNS[frame], frame
        pd.testing.assert_frame_equal(got, want, check_dtype=True, obj=frame)


@pytest.mark.neo4j
def test_read_market_of_an_empty_graph_has_every_column(clean_db) -> None:
    market = read_market(clean_db)
    for frame in COLUMNS:
        got = getattr(market, frame)
        assert got.empty and list(got.columns) == COLUMNS[frame], frame
    assert str(market.bids["submitted_at"].dtype) == "datetime64[ns]"


@pytest.mark.neo4j
def test_warm_up_runs_the_first_page_of_every_read_query(clean_db) -> None:
    _write_tiny_graph(clean_db)
    ran: list[tuple[str, str, int]] = []

    class Recording:  # the real database, noting each query run and its page
        def read_frame(self, name: str, **params):  # type: ignore[no-untyped-def]
            page = clean_db.read_frame(name, **params)
            ran.append((name, params["after"], params["limit"]))
            assert not page.empty, name  # one row: the page's rows and next_after
            return page

    assert warm_up(Recording(), anchors=2) == len(ran)
    every = {n for queries in [*FRAME_QUERIES.values(), *OCDS_QUERIES.values()] for n in queries} \
        | {"read_awards", *BID_IDENTIFIER_QUERIES}
    assert sorted(name for name, _, _ in ran) == sorted(every)
    assert {(after, limit) for _, after, limit in ran} == {("", 2)}


@pytest.mark.neo4j
def test_shared_reads_read_the_bids_once_for_the_market_and_the_ocds_frame(clean_db) -> None:
    """Inside shared_reads the market and the OCDS frame, read at the same time as the runner
    reads them, share one read of read_bids; a consortium's bid (B5: F2 and F3) is one OCDS bid
    with two tenderers and one market row per firm."""
    from concurrent.futures import ThreadPoolExecutor

    from graph.readers import read_ocds, shared_reads

    _write_tiny_graph(clean_db)
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T1'}), (f2:Firm {id: 'F2'}), (f3:Firm {id: 'F3'}) "
                    "CREATE (f2)-[:SUBMITTED]->(b:Bid {id: 'B5', amount: 97.0})-[:FOR]->(t), "
                    "(f3)-[:SUBMITTED]->(b)").consume()
    ran: list[str] = []

    class Recording:  # the real database, noting each read (its first page)
        def read_frame(self, name: str, **params):  # type: ignore[no-untyped-def]
            if params["after"] == "":
                ran.append(name)
            return clean_db.read_frame(name, **params)

    alone_market, alone_ocds = read_market(clean_db), read_ocds(clean_db)
    db = Recording()
    with shared_reads(), ThreadPoolExecutor(max_workers=1) as pool:
        ocds = pool.submit(read_ocds, db)
        market = read_market(db)
        ocds_frames = ocds.result()
    assert ran.count("read_bids") == 1  # read once for both
    pd.testing.assert_frame_equal(market.bids, alone_market.bids)
    pd.testing.assert_frame_equal(ocds_frames.bids, alone_ocds.bids)
    assert market.bids.loc[market.bids["bid_id"] == "B5", "firm_id"].tolist() == ["F2", "F3"]
    [b5] = ocds_frames.bids.loc[ocds_frames.bids["bid_id"] == "B5", "tenderers"].tolist()
    assert sorted(b5) == ["F2", "F3"]
    read_market(db)  # outside the block every read goes to the server again
    assert ran.count("read_bids") == 2


@pytest.mark.neo4j
def test_invited_and_withdrawn_bids_stay_out_of_the_market_but_not_out_of_the_ocds_frame(clean_db) -> None:
    """An OCDS bid that is an invitation (status invited) or that its firm took back (withdrawn)
    is neither a co-bid nor a price: the market leaves it out, so the rings and the price screens
    never see it; the OCDS frame keeps it with its status, as Cardinal's flags read it."""
    from graph.readers import read_ocds

    _write_tiny_graph(clean_db)
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T1'}), (f3:Firm {id: 'F3'}), (f2:Firm {id: 'F2'}) "
                    "CREATE (f3)-[:SUBMITTED]->(:Bid {id: 'B6', amount: 60.0, status: 'withdrawn'})-[:FOR]->(t), "
                    "(f3)-[:SUBMITTED]->(:Bid {id: 'B7', status: 'invited'})-[:FOR]->(t), "
                    "(f2)-[:SUBMITTED]->(:Bid {id: 'B8', amount: 98.0, status: 'pending'})-[:FOR]->(t)").consume()
    market = read_market(clean_db)
    assert market.bids["bid_id"].tolist() == ["B1", "B2", "B3", "B4", "B8"]  # pending stands, as valid does
    ocds = read_ocds(clean_db).bids.set_index("bid_id")["status"]
    assert ocds[["B6", "B7", "B8"]].tolist() == ["withdrawn", "invited", "pending"]


def test_every_query_that_leaves_out_bids_by_status_names_the_markets_statuses() -> None:
    """The app's and the analysts' Cypher write NOT_TENDERED out as a list; it must stay the same list."""
    import re
    from pathlib import Path

    from detectors.market import NOT_TENDERED

    spelled = "[" + ", ".join(f"'{s}'" for s in sorted(NOT_TENDERED)) + "]"
    cypher = Path(__file__).resolve().parents[2] / "cypher"
    # the app's and analysts' queries that read bids leave these out, except those that show every bid as it is
    every_bid = {"app_group_bids", "app_label_counts",  # each bid listed with its status; node counts
                 "analyst_same_tender_bid_traces",  # one hand's IP or file, on whatever bid it came
                 "app_activity_range",  # the data's last day, from every bid as official_profile.as_of_date reads it
                 "app_search"}  # a bid found by its id, whatever its status (the node shows it)
    readers = [p for p in sorted(cypher.glob("*.cypher")) if p.stem.startswith(("app_", "analyst_"))
               and ":Bid" in p.read_text(encoding="utf-8") and p.stem not in every_bid]
    assert [p.stem for p in readers if "withdrawn" not in p.read_text(encoding="utf-8")] == []
    files = [p for p in sorted(cypher.glob("*.cypher")) if "withdrawn" in p.read_text(encoding="utf-8")]
    assert len(files) >= 9
    for path in files:
        lists = re.findall(r"\[[^\[\]]*'withdrawn'[^\[\]]*\]", path.read_text(encoding="utf-8"))
        assert lists and set(lists) == {spelled}, path.name


def test_to_datetimes_converts_neo4j_temporals_to_naive_utc() -> None:
    from neo4j.time import Date, DateTime

    values = pd.Series([Date(2024, 1, 5), DateTime(2024, 1, 10, 11, 30, 0), None, "2024-02-01T00:00:00Z"])
    got = to_datetimes(values)
    assert str(got.dtype) == "datetime64[ns]"
    assert list(got[[0, 1, 3]]) == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-10 11:30"),
                                    pd.Timestamp("2024-02-01")]
    assert pd.isna(got[2])


def test_to_datetimes_reads_mixed_offsets_and_named_zones() -> None:
    # a local value after an offset one must not inherit the offset (a pandas pitfall)
    values = pd.Series(["2024-01-10T11:30:00+02:00", "2024-01-11T08:00:00", "2024-01-12",
                        "2024-01-10T11:30:00+01:00[Europe/Berlin]", "not a date"])
    got = to_datetimes(values)
    assert list(got[:4]) == [pd.Timestamp("2024-01-10 09:30"), pd.Timestamp("2024-01-11 08:00"),
                             pd.Timestamp("2024-01-12"), pd.Timestamp("2024-01-10 10:30")]
    assert pd.isna(got[4])


@pytest.mark.neo4j
@pytest.mark.parametrize("page_size", [50_000, 2], ids=["one-page", "two-per-page"])
def test_read_ocds_sees_ocds_awards_consortia_and_csv_awards(clean_db, shared_real, page_size: int) -> None:
    """The paged OCDS reader sees OCDS awards (suppliers, related bids, classifications),
    consortium bids and the CSV tiny graph's AWARDED_TO awards together, whatever the page size."""
    from detectors.red_flags.frames import build_processes
    from graph.readers import read_ocds
    from loaders.ocds import load_ocds

    paths = sorted((shared_real / "ocds_cardinal_fixtures").glob("*.jsonl"))
    if not paths:
        pytest.skip("no Cardinal fixtures in the shared folder")
    load_ocds(clean_db, paths, source="cardinal-fixture", party_ids="global", schema=False)
    _write_tiny_graph(clean_db)
    got = build_processes(read_ocds(clean_db, page_size=page_size))
    assert len(got) > 20 and any(p.awards for p in got) and any(len(b.tenderers) > 0 for p in got for b in p.bids)
    assert got == build_processes(read_ocds(clean_db, page_size=50_000))
    # the CSV tender T1 (F1 won at 95, F2 bid 99) is a process with its two bids and one award
    t1 = next(p for p in got if p.ocid == "T1")
    assert sorted(t for b in t1.bids for t in b.tenderers) == ["F1", "F2"]
    assert [(a.suppliers, a.amount) for a in t1.awards] == [(("F1",), 95.0)]


@pytest.mark.neo4j
def test_analyst_query_lists_competing_bids_from_one_ip_or_file(clean_db) -> None:
    """B1 (F1) and B2 (F2) in T1 came from one IP and one file; F1's B4 in T2 shares the IP
    with nobody there, so T2 is not listed."""
    _write_tiny_graph(clean_db)
    rows = clean_db.read_frame("analyst_same_tender_bid_traces", limit=10)
    assert rows.to_dict("records") == [
        {"tender_id": "T1", "kind": "document", "value": "H1", "firms": ["F1", "F2"], "bids_carrying_it": 2},
        {"tender_id": "T1", "kind": "ip", "value": "10.0.0.1", "firms": ["F1", "F2"], "bids_carrying_it": 3},
    ]


@pytest.mark.neo4j
def test_analyst_query_lists_tenders_whose_lowest_bid_sits_near_the_budget(clean_db) -> None:
    """T1's lowest valid bid (95, F1's; F2 bid 99) is 95 % of its budget of 100; T2 has no budget."""
    _write_tiny_graph(clean_db)
    rows = clean_db.read_frame("analyst_bids_near_budget", category=None, min_share=0.9, limit=10)
    assert rows.to_dict("records") == [
        {"tender_id": "T1", "category": "works", "region": "North", "budget": 100.0, "lowest": 95.0,
         "valid_bids": 2, "lowest_pct_of_budget": 95.0, "winners": ["F1"]}]
    assert clean_db.read_frame("analyst_bids_near_budget", category=None, min_share=0.96, limit=10).empty
    assert clean_db.read_frame("analyst_bids_near_budget", category="goods", min_share=0.0, limit=10).empty


def test_bid_identifiers_keep_shared_values_and_every_firm_of_a_consortium_bid() -> None:
    """B1 is a consortium's bid (F1 and F2) sent from X, which F3's B2 also used; F3's B3
    came from Y, which no other firm used, so Y links nobody and is left out."""
    bids = pd.DataFrame({"bid_id": ["B1", "B1", "B2", "B3"], "firm_id": ["F1", "F2", "F3", "F3"]})
    carried = {"read_bid_ips": pd.DataFrame({"bid_id": ["B1", "B2", "B3"], "ip": ["X", "X", "Y"]}),
               "read_bid_documents": pd.DataFrame(columns=["bid_id", "document_hash"])}
    got = bid_identifiers(bids, carried).sort_values("firm_id")
    assert got[["firm_id", "kind", "value"]].values.tolist() == [["F1", "ip", "X"], ["F2", "ip", "X"], ["F3", "ip", "X"]]


def test_the_market_reads_lots_and_awards_as_the_red_flags_do() -> None:
    """One read of each serves both inside shared_reads, so both must ask for the same columns."""
    from detectors.red_flags.frames import COLUMNS as OCDS_COLUMNS
    from graph.readers import LOT_QUERIES

    assert LOT_QUERIES == {"read_ocds_lots": OCDS_COLUMNS["lots"], "read_ocds_awards": OCDS_COLUMNS["awards"]}
