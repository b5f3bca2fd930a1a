"""Real-browser tests: `make run` serves the app; signed in, the home page shows the sample region; a company user sees only its company.

Started the way Streamlit's own e2e tests start the server: wait for
``/_stcore/health`` to answer ``ok``, then for the script to stop running.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'browser.sqlite'}"


def _add_user(tmp_path: Path, name: str, *options: str) -> str:
    """``vetplan user add`` against the served database; returns the password it prints once."""
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "vetplan"), "user", "add", name, *options, "--json"],
        env={**os.environ, "DATABASE_URL": _database_url(tmp_path)}, capture_output=True, text=True, check=True,
    )
    return str(json.loads(done.stdout)["password"])


def _sign_in(page: Any, url: str, name: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_text("Sign in to vetplan")).to_be_visible(timeout=60_000)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=60_000)
    _settled(page)


def _settled(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(300)
    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_visible(timeout=60_000)


@pytest.fixture
def served_app(tmp_path: Path) -> Iterator[str]:
    """`make run` on a free port with a fresh embedded database; yields the app's URL."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path)}
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
            # nothing of the region shows before sign-in
            expect(page.get_by_text("Sign in to vetplan")).to_be_visible(timeout=60_000)
            assert page.locator("[data-testid='stMetric']").count() == 0
            _sign_in(page, served_app, "boss", _add_user(tmp_path, "boss", "--role", "analyst"))
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


def test_a_company_user_reaches_only_its_company_and_sign_out_ends_the_session(served_app: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from skills.store import Store

    companies = Store(_database_url(tmp_path)).read_frame("companies").sort_values("company_id")
    (own_id, own_name), (other_id, other_name) = companies[["company_id", "name"]].head(2).itertuples(index=False)
    password = _add_user(tmp_path, "hr-a", "--role", "company", "--company", own_id)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            _sign_in(page, served_app, "hr-a", password)
            nav = page.locator("[data-testid='stSidebarNav']")
            assert {"Data", "Plan", "Mapping review"}.isdisjoint(set(nav.inner_text().split("\n")))
            nav.get_by_text("Gaps").click()
            expect(page.get_by_role("heading", name="Skills gaps")).to_be_visible(timeout=60_000)
            _settled(page)
            expect(page.get_by_role("combobox", name="Company")).to_be_visible(timeout=30_000)
            shown = page.locator("body").aria_snapshot()
            assert f'combobox "Company": {own_name}' in shown
            assert other_name not in shown and other_name not in page.content()
            page.get_by_role("combobox", name="Company").click()
            options = page.locator("[role='option']")
            expect(options.first).to_be_visible()
            assert [options.nth(i).inner_text().strip() for i in range(options.count())] == [own_name]
            page.keyboard.press("Escape")
            # another company by URL or query parameter: a new browser session starts signed out, and shows nothing of theirs
            for url in (f"{served_app}/gaps?company={other_id}", f"{served_app}/data", f"{served_app}/?company={other_id}"):
                page.goto(url, wait_until="domcontentloaded")
                _settled(page)
                assert other_name not in page.locator("body").aria_snapshot() and other_name not in page.content(), url
            # signed in again, the sign-out button ends the session
            _sign_in(page, served_app, "hr-a", password)
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_text("Sign in to vetplan")).to_be_visible(timeout=60_000)
            _settled(page)
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert own_name not in page.locator("body").aria_snapshot()
        finally:
            browser.close()
