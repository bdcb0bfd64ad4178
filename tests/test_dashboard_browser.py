"""The dashboard in a real browser: `orchard serve` with the demo chain, headless Chromium (the
system's, through playwright; no browser download), staff sign-in, and every chart drawn with data.
Writes docs/dashboard.png (linked from the README)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port
from tests.test_serving import ORCHARD

CHROMIUM = next((p for p in (os.environ.get("ORCHARD_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                             "/usr/bin/chromium") if p and Path(p).exists()), None)
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium); .ci/run installs it"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the system Chromium of Debian"),
]
CHARTS = ["chart-sales", "chart-points", "chart-liability", "chart-cost", "chart-members", "chart-rush", "chart-aov",
          "chart-items", "chart-cohorts"]


def test_the_dashboard_draws_every_chart_with_data(tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extras")
    port = free_port()
    env = {**os.environ, "ORCHARD_DATABASE_URL": f"sqlite://{tmp_path}/dash.db", "ORCHARD_SECRET_KEY": "dashboard-test-secret-key"}
    env.pop("ORCHARD_REDIS_URL", None)
    server = subprocess.Popen([ORCHARD, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(180, server.kill)
    watchdog.start()
    try:
        seen = []
        while not any("Application startup complete" in line for line in seen):
            line = server.stdout.readline()
            assert line, "".join(seen)[-3000:]
            seen.append(line)
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(f"http://127.0.0.1:{port}/dashboard")
            page.fill("#email", "admin@demo.orchard")
            page.fill("#password", "demo-admin")
            page.click("#signin button[type=submit]")
            page.wait_for_selector("body[data-state=ready]", timeout=30_000)
            for chart in CHARTS:
                points = page.get_attribute(f"#{chart}", "data-points")
                assert points is not None and int(points) > 0, chart
            for chart in CHARTS[:6]:  # the time series are uPlot canvases
                assert page.locator(f"#{chart} canvas").count() >= 1, chart
            assert page.locator("#chart-cohorts tbody tr").count() >= 3
            assert page.locator("#tiles .tile").count() >= 10
            assert not [url for url in failed if not url.startswith(f"http://127.0.0.1:{port}")]  # nothing from outside
            page.click("#lang")
            assert page.inner_text("h1") == "会员计划看板"
            page.click("#lang")
            page.screenshot(path=str(REPO_ROOT / "docs" / "dashboard.png"), full_page=True)
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(f"http://127.0.0.1:{port}/dashboard")
            phone.fill("#email", "manager.sh-jingan@demo.orchard")
            phone.fill("#password", "demo-staff")
            phone.click("#signin button[type=submit]")
            phone.wait_for_selector("body[data-state=ready]", timeout=30_000)
            assert int(phone.get_attribute("#chart-points", "data-points")) > 0
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 400, width  # no sideways scrolling on a phone
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        watchdog.cancel()
