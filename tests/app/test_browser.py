"""End to end in a real browser: `streamlit run app.py` against the test Neo4j, headless Chromium.

Logs in, opens the Rings page, selects the top ring, and checks that the ring's graph (the
streamlit-cytoscape iframe, with its nodes laid out) and the bid chart (plotly) rendered;
saves a screenshot under the test's tmp_path (path printed; copied to $IRONCAGE_TEST_OUTPUT
when set). Then marks the ring confirmed with a comment (checking the CaseEvents stored),
downloads its case file and case report (checking them and the access log's sign-in and export
lines),
walks the graph on Explore: clicking a node adds its neighbours; opens the flagged tender on
Tenders and a firm's record on Firms, and runs a console query and downloads its CSV. Needs Debian's /usr/bin/chromium (`make chromium`); skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import PASSWORD, REPO, access_entries
from views.common import WORD_JOINER

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.neo4j, pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def app_url(market_db, tmp_path: Path) -> Iterator[str]:
    """The app served by `streamlit run` on a free localhost port, logged against the test database."""
    port = _free_port()
    env = {**os.environ, "IRONCAGE_APP_PASSWORD": PASSWORD,
           "NEO4J_URI": market_db.settings.uri, "NEO4J_USERNAME": market_db.settings.username,
           "NEO4J_PASSWORD": market_db.settings.password, "NEO4J_DATABASE": market_db.settings.database}
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; log: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def _logged_in_page(app_url: str, tmp_path: Path, height: int, requested: list[str] | None = None,
                    address: str = "", heading: str = "Overview") -> Iterator[Any]:
    """A headless Chromium page logged in to the app at ``address`` (a page and its query, "firms?open=F3"),
    showing ``heading`` once signed in; a screenshot is saved when the test fails."""
    from playwright.sync_api import expect, sync_playwright

    # generous: the first page of a fresh server imports plotly and plans every query, and CI has 2 cores
    expect.set_options(timeout=90_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": height})
        if requested is not None:
            page.on("request", lambda request: requested.append(request.url))
        page.set_default_timeout(90_000)
        try:
            page.goto(f"{app_url}/{address}" if address else app_url)
            page.get_by_label("Your name (recorded with every triage action)").fill("Browser Tester")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
            yield page
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print(f"failure screenshot: {tmp_path / 'failure.png'}")
            raise
        finally:
            browser.close()


def _settled(page: Any, quiet_s: float = 1.5, timeout_s: float = 90.0) -> None:
    """Wait until the app has not been running a script for ``quiet_s``: a click on a download
    button while a rerun replaces the page (after a save, say) can land on the outgoing button."""
    deadline, calm_since = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        if page.locator('[data-testid="stStatusWidgetRunningIcon"]').count():
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet_s:
            return
        time.sleep(0.1)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make chromium)")
def test_rings_page_in_a_real_browser(app_url: str, market_db, tmp_path: Path, access_log: Path) -> None:
    from playwright.sync_api import expect

    with _logged_in_page(app_url, tmp_path, height=2200) as page:
        page.get_by_role("link", name="Rings").click()
        expect(page.get_by_role("heading", name="Bid-rigging rings")).to_be_visible()
        # select the top ring explicitly (it is also the default)
        page.get_by_label("Ring", exact=True).click()
        page.get_by_role("option").first.click()
        expect(page.get_by_role("heading", name="RING-1 · score 87")).to_be_visible()

        # the ring graph: the cytoscape component's iframe holds the drawn nodes
        graph_frame = page.frame_locator("iframe[title='streamlit_cytoscape.component.streamlit_cytoscape']").first
        expect(graph_frame.locator("#cy canvas").first).to_be_visible()
        frame = next(f for f in page.frames if "streamlit_cytoscape" in (f.url or ""))
        deadline = time.monotonic() + 20
        drawn = 0
        while time.monotonic() < deadline and drawn == 0:
            drawn = frame.evaluate("() => { const c = document.getElementById('cy');"
                                   " return c && c._cyreg && c._cyreg.cy ? c._cyreg.cy.nodes().length : 0; }")
            time.sleep(0.3)
        assert drawn == 13  # 3 members + 6 tenders + shared phone, address, owner and bid IP

        # the bid chart and the rotation chart (plotly)
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        assert page.locator(".js-plotly-plot").count() >= 2
        assert page.locator(".js-plotly-plot .scatterlayer .point").count() >= 20  # 20 bids

        time.sleep(1.5)  # let the graph layout animation settle before the screenshot
        # the members are drawn apart, none over another (cose, the component's default, piled them up) and
        # the tender edges carry no caption to hide their names, while a shared identifier's edge says what it is
        boxes = frame.evaluate("() => document.getElementById('cy')._cyreg.cy.nodes()"
                               ".filter(n => ['member', 'winner'].includes(n.data('label')))"
                               ".map(n => n.boundingBox({includeLabels: false}))")
        assert len(boxes) == 3
        assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                    if a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]]
        captions = frame.evaluate("() => Object.fromEntries(document.getElementById('cy')._cyreg.cy.edges()"
                                  ".map(e => [e.data('label'), e.style('label')]))")
        assert captions["BID_IN"] == captions["WON"] == ""
        assert captions["HAS_PHONE"] == "phone"
        shot = tmp_path / "rings_page.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        if os.environ.get("IRONCAGE_TEST_OUTPUT"):
            target = Path(os.environ["IRONCAGE_TEST_OUTPUT"])
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, target / shot.name)
        assert shot.stat().st_size > 20_000

        # triage in the browser: confirm the ring with a comment; the audit entry is stored
        page.get_by_label("Status").click()
        page.keyboard.type("confirmed")
        page.keyboard.press("Enter")
        page.get_by_label("Comment").fill("Cover bids 2–4 % above the winner in all six tenders")
        page.get_by_role("button", name="Save triage").click()
        expect(page.get_by_text("Saved 2 change(s) as Browser Tester")).to_be_visible()
        with market_db.driver.session(database=market_db.settings.database) as session:
            events = session.run(
                "MATCH (e:CaseEvent)-[:ON]->(:Ring {id: 'RING-1'}) "
                "RETURN e.user AS user, e.action AS action, e.status AS status, e.comment AS comment"
            ).data()
            ring_status = session.run("MATCH (r:Ring {id: 'RING-1'}) RETURN r.status AS s").single()["s"]
        assert ring_status == "confirmed"
        assert {(e["user"], e["action"]) for e in events} == {("Browser Tester", "status"),
                                                              ("Browser Tester", "comment")}
        assert any(e["comment"] == "Cover bids 2–4 % above the winner in all six tenders" for e in events)

        # the case file downloads with the triage in it, and the export is in the access log beside the sign-in
        _settled(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the case file (JSON)").click()
        case_file = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert (case_file["finding_id"], case_file["exported_by"], case_file["status"]) == ("RING-1", "Browser Tester",
                                                                                    "confirmed")
        assert {e["action"] for e in case_file["case_events"]} == {"status", "comment"}
        _settled(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the case report (HTML, to print)").click()
        report = Path(download.value.path()).read_text(encoding="utf-8")
        assert "Iron Cage case report: ring RING-1" in report and "Cover bids 2–4 % above the winner" in report
        assert [(e["user"], e["action"], e.get("finding_id")) for e in access_entries(access_log)] == [
            ("Browser Tester", "sign_in", None), ("Browser Tester", "record_view", "RING-1"),
            ("Browser Tester", "case_file_export", "RING-1"),
            ("Browser Tester", "case_report_export", "RING-1")]

        # a colleague dismisses the ring and takes it while this form still shows "confirmed": a comment
        # saved now must not send the form's stale status back, and the form then shows the case as it is
        from graph import app_queries

        app_queries.record_triage(market_db, "RING-1", "Li", status="dismissed", assignee="Li")
        _settled(page)
        page.get_by_label("Comment").fill("Also the 2023 tenders")
        page.get_by_role("button", name="Save triage").click()
        expect(page.get_by_text("Saved 1 change(s) as Browser Tester")).to_be_visible()
        ring = app_queries.finding(market_db, "RING-1")
        assert (ring["status"], ring["assignee"]) == ("dismissed", "Li")
        expect(page.get_by_label("Assignee")).to_have_value("Li")

        # explore: find a member, open its neighbourhood, click the member node to expand it
        page.get_by_role("link", name="Explore").click()
        page.get_by_label("Search by name, title, address, id, registration number, phone or e-mail").fill(
            "Alpha Build")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Show its neighbourhood").click()
        explore = page.frame_locator("iframe[title='streamlit_cytoscape.component.streamlit_cytoscape']").first
        expect(explore.locator("#cy canvas").first).to_be_visible()
        cy_frame = [f for f in page.frames if "streamlit_cytoscape" in (f.url or "")][-1]

        def node_count() -> int:
            return int(cy_frame.evaluate("() => { const c = document.getElementById('cy');"
                                         " return c && c._cyreg && c._cyreg.cy ? c._cyreg.cy.nodes().length : 0; }"))

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and node_count() == 0:
            time.sleep(0.3)
        before = node_count()
        assert before > 1
        time.sleep(1.5)  # layout settles
        # click on the phone node shared by F1 and F2: expanding it brings in F2
        point = cy_frame.evaluate(
            "() => { const cy = document.getElementById('cy')._cyreg.cy;"
            " const hit = cy.nodes().filter(n => JSON.stringify(n.data()).includes('13800000001'));"
            " const n = hit.length ? hit.first() : cy.nodes().filter(n => n.degree() === 1).first();"
            " const p = n.renderedPosition(); return {x: p.x, y: p.y}; }")
        box = page.locator("iframe[title='streamlit_cytoscape.component.streamlit_cytoscape']").first.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and node_count() <= before:
            time.sleep(0.5)
        assert node_count() > before, "clicking a node did not expand its neighbours"
        page.screenshot(path=str(tmp_path / "explore_expanded.png"), full_page=True)

        # the flagged tender, with its bids, and a firm's record
        page.get_by_role("link", name="Tenders").click()
        expect(page.get_by_role("heading", name="T2 · tender risk score 70")).to_be_visible()
        expect(page.get_by_text("the lowest valid bid is 90.9 % of it")).to_be_visible()
        page.get_by_role("link", name="Firms").click()
        expect(page.get_by_role("heading", name="Alpha Build (F1)")).to_be_visible()
        expect(page.get_by_text("Tenders bid in")).to_be_visible()
        page.screenshot(path=str(tmp_path / "firms.png"), full_page=True)
        # every record opened is in the access log: the explored nodes, the tender, the firm
        opened = [e for e in access_entries(access_log) if e["action"] == "record_view"]
        explored = [e for e in opened if e["page"] == "explore"]  # the start and the node clicked, by key
        assert len(explored) == 2 and (explored[0]["label"], explored[0]["id"]) == ("Firm", "F1")
        assert ("tenders", "T2") in {(e["page"], e.get("tender_id")) for e in opened}
        assert ("firms", "F1") in {(e["page"], e.get("firm_id")) for e in opened}

        # the analyst console: a query, its CSV (made when fetched, after the access log has the export)
        page.get_by_role("link", name="Cypher").click()
        page.get_by_text("Free Cypher").click()
        page.get_by_role("button", name="Run").click()
        expect(page.get_by_text("rows in")).to_be_visible()
        _settled(page)
        # the result table's own toolbar offers no CSV (client.disableDataExport): data leaves only
        # through the logged, formula-quoted button below
        page.locator('[data-testid="stDataFrame"]').first.hover()
        expect(page.locator('[data-testid="stElementToolbar"]').first).to_be_visible()
        expect(page.get_by_role("button", name="Fullscreen").first).to_be_visible()
        assert page.get_by_role("button", name="Download as CSV").count() == 0
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert lines[0] == "ring,members" and len(lines) > 1
        query, export = access_entries(access_log)[-2:]
        assert (query["action"], query["query"][:5], export["action"]) == ("console_query", "MATCH",
                                                                             "console_csv_export")
        assert query["rows"] == export["rows"] == len(lines) - 1


HOSTILE = ("- Delta [verify here](https://evil.example/x) ![pixel](http://127.0.0.1:9/p.png) **loud** $x^2$ "
           ":red[red] <b>bold</b> www.evil.example ~~gone~~\n# Heading")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make chromium)")
def test_a_bookmarked_record_opens_after_the_sign_in(app_url: str, market_db, tmp_path: Path) -> None:
    """/firms?open=F3 opened the Overview once signed in (the page was chosen only after the sign-in, and the
    address's page was lost at the login: an app review), and a pair's link to its firm goes to that firm."""
    from playwright.sync_api import expect

    with _logged_in_page(app_url, tmp_path, height=1400, address="firms?open=F3", heading="Gamma Build (F3)") as page:
        assert "/firms?open=F3" in page.url
        page.get_by_role("link", name="Closeness").click()
        expect(page.get_by_role("heading", name="Official–firm closeness")).to_be_visible()
        page.get_by_role("link", name="Firm Epsilon", exact=False).first.click()
        expect(page.get_by_role("heading", name="(F5)", exact=False)).to_be_visible()
        assert "open=F5" in page.url


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make chromium)")
def test_names_from_the_records_render_as_plain_text(app_url: str, market_db, tmp_path: Path) -> None:
    """A firm name or explanation holding Markdown shows as its characters: no link, no image
    fetched by the investigator's browser, no formatting, no LaTeX, no heading."""
    from playwright.sync_api import expect

    with market_db.driver.session(database=market_db.settings.database) as session:
        session.run("MATCH (r:Ring {id: 'RING-2'}) SET r.explanation = $text", text=HOSTILE).consume()
    requested: list[str] = []
    with _logged_in_page(app_url, tmp_path, height=1600, requested=requested) as page:
        page.get_by_role("link", name="Rings").click()
        page.get_by_label("Ring", exact=True).click()
        page.get_by_role("option", name="RING-2").first.click()
        quote = page.locator("blockquote").filter(has_text="verify here")
        expect(quote).to_be_visible()
        shown = " ".join(quote.inner_text().replace(WORD_JOINER, "").split())
        assert shown == " ".join(HOSTILE.split())
        for tag in ("a", "img", "strong", "del", "b", "h1", "ul", ".katex"):
            assert quote.locator(tag).count() == 0, f"{tag} rendered from record text"
        assert not [u for u in requested if "evil.example" in u or "127.0.0.1:9/" in u]
