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


def wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 120, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            if log is not None:
                output = log.read_text(errors="replace")
            else:
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
    """`make run` on a free port with a fresh embedded database in ``folder``; yields the app's URL.

    The server's output (with the details of any error page's reference) goes to ``folder/server.log``.
    """
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(folder)}
    log = folder / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(port, server, log=log)
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


SCREENSHOTS = REPO / "screenshots" / "journeys"


def screenshot(page: Any, name: str) -> Path:
    """The whole page as ``screenshots/journeys/NAME.png`` (git ignores the folder).

    Streamlit scrolls its main area inside the window, so a full-page shot of a window-high
    page would stop at the fold: the window is made as tall as the content first.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll(\"[data-testid='stMain'], [data-testid='stSidebarContent']\"))"
        ".map(element => element.scrollHeight), 0)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height) + 40, size["height"]), 12_000)})
    page.wait_for_timeout(400)  # charts and tables lay out again at the new height
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def table_csv(page: Any, table: Any) -> Any:
    """What an ``st.dataframe`` shows, through its own "Download as CSV" button, as a pandas frame.

    The grid draws on a canvas, so its cells are not in the page's text; the download is what the
    user gets. Streamlit saves through the File System Access API when the browser has it, which
    a headless browser cannot answer: contexts made by :func:`new_context` remove it, so the file
    comes as an ordinary download.
    """
    import pandas as pd

    table.scroll_into_view_if_needed()
    table.hover()
    with page.expect_download(timeout=30_000) as download:
        # the toolbar floats over the grid's top edge, where the grid's scroller takes the pointer
        table.get_by_role("button", name="Download as CSV").dispatch_event("click")
    return pd.read_csv(download.value.path(), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def new_context(browser: Any) -> Any:
    """A fresh browser session (signed out) that accepts downloads, with the save-file picker removed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.add_init_script("delete window.showSaveFilePicker; window.showSaveFilePicker = undefined;")
    return context


def download(page: Any, button: Any) -> bytes:
    """Click a download button and return the file's bytes."""
    with page.expect_download(timeout=60_000) as started:
        button.click()
    return Path(started.value.path()).read_bytes()
