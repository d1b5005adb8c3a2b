"""End to end in a real browser: `streamlit run app.py` against the test Neo4j, headless Chromium.

Logs in, opens the Rings page, selects the top ring, and checks that the ring's graph (the
streamlit-cytoscape iframe, with its nodes laid out) and the bid chart (plotly) rendered;
saves a screenshot under the test's tmp_path (path printed; copied to $IRONCAGE_TEST_OUTPUT
when set). Needs Debian's /usr/bin/chromium (`make chromium`); skipped without it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import PASSWORD, REPO

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


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (make chromium)")
def test_rings_page_in_a_real_browser(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    # generous: the first page of a fresh server imports plotly and plans every query, and CI has 2 cores
    expect.set_options(timeout=90_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 2200})
        page.set_default_timeout(90_000)
        try:
            page.goto(app_url)
            page.get_by_label("Your name (recorded with every triage action)").fill("Browser Tester")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Overview")).to_be_visible()

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
            assert drawn == 12  # 3 members + 6 tenders + shared phone, address and owner

            # the bid chart and the rotation chart (plotly)
            expect(page.locator(".js-plotly-plot").first).to_be_visible()
            assert page.locator(".js-plotly-plot").count() >= 2
            assert page.locator(".js-plotly-plot .scatterlayer .point").count() >= 20  # 20 bids

            time.sleep(1.5)  # let the graph layout animation settle before the screenshot
            shot = tmp_path / "rings_page.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            if os.environ.get("IRONCAGE_TEST_OUTPUT"):
                target = Path(os.environ["IRONCAGE_TEST_OUTPUT"])
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, target / shot.name)
            assert shot.stat().st_size > 20_000
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print(f"failure screenshot: {tmp_path / 'failure.png'}")
            raise
        finally:
            browser.close()
