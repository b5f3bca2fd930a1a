"""The real-browser harness shared by tests/test_browser.py and tests/test_journeys.py.

The app is started the way `make run` starts it, the way Streamlit's own e2e tests start the
server: wait for ``/_stcore/health`` to answer ``ok``, then for the script to stop running.
Users are added with ``vetplan user add``; Playwright drives Debian's chromium (it cannot
download browsers here).
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
from contextlib import contextmanager
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
#: Marks for every browser test module.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
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


def database_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'browser.sqlite'}"


def vetplan(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The ``vetplan`` CLI against the database served from ``folder``."""
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "vetplan"), *arguments],
        env={**os.environ, "DATABASE_URL": database_url(folder)}, capture_output=True, text=True, check=True,
    )


def add_user(folder: Path, name: str, *options: str) -> str:
    """``vetplan user add`` against the served database; returns the password it prints once."""
    return str(json.loads(vetplan(folder, "user", "add", name, *options, "--json").stdout)["password"])


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`make run` on a free port with a fresh embedded database in ``folder``; yields the app's URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(folder)}
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(port, server)
        yield f"http://localhost:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@contextmanager
def chromium() -> Iterator[Any]:
    """Playwright's chromium driving Debian's binary, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def settled(page: Any) -> None:
    """Wait until the page's script stopped running (twice, a moment apart: a rerun may follow)."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(300)
    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_visible(timeout=60_000)


def sign_in(page: Any, url: str, name: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_text("Sign in to vetplan")).to_be_visible(timeout=60_000)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=60_000)
    settled(page)
