"""Real-browser test: `make run` serves the app and its home page shows the sample region.

Started the way Streamlit's own e2e tests start the server: wait for
``/_stcore/health`` to answer ``ok``, then for the script to stop running.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode(errors="replace") if server.stdout else ""
            pytest.fail(f"`make run` exited with {server.returncode}:\n{output[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the app did not answer /_stcore/health within {timeout:.0f} s")


@pytest.fixture
def served_app(tmp_path: Path) -> Iterator[str]:
    """`make run` on a free port with a fresh embedded database; yields the app's URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'browser.sqlite'}"}
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_healthy(port, server)
        yield f"http://localhost:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def test_make_run_serves_home_page_with_sample_region(served_app: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(served_app, wait_until="domcontentloaded")
            app = page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
            expect(app).to_be_visible(timeout=60_000)
            expect(page.get_by_text("vetplan", exact=True).first).to_be_visible()
            metrics = page.locator("[data-testid='stMetric']")
            expect(metrics.first).to_be_visible(timeout=30_000)
            values = {
                metrics.nth(i).locator("[data-testid='stMetricLabel']").inner_text().strip(): metrics.nth(i)
                .locator("[data-testid='stMetricValue']")
                .inner_text()
                .strip()
                for i in range(metrics.count())
            }
            assert int(values["Companies"].replace(",", "")) >= 60
            assert int(values["Courses"].replace(",", "")) >= 150
            assert int(values["Providers"].replace(",", "")) >= 8
            assert page.get_by_text("no region yet").count() == 0
            page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
        finally:
            browser.close()
