"""Render time of sign-in, every app page and Gaps widget changes in a real browser on the 72-company sample region."""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from _common import (
    BIN,
    REPO,
    Row,
    Target,
    add_common_arguments,
    burner,
    print_table,
    sample_data_home,
)
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# The suite's browser: Debian chromium and its flags (``_common`` put the repository on sys.path).
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

PAGE_TARGET = Target(2.0)
WIDGET_TARGET = Target(1.0)

#: Per page file: the st.title the page shows and texts of which one is near its end (the last elements
#: run last, so the page is whole once one is there). A page's end depends on the data: either text will do.
PAGE_ENDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pages/home.py": ("vetplan", ("Database:",)),
    "pages/gaps.py": ("Skills gaps", ("Participants per course and year",)),
    "pages/courses.py": ("Course planning", ("Download the course planning (xlsx)",)),
    "pages/plan.py": ("Training and recruitment plan", ("Choose a scenario and press Solve", "Download the plan (xlsx)")),
    "pages/scenarios.py": ("Compare scenarios", ("Course runs by scenario",)),
    "pages/data.py": ("Data", ("Check and save",)),
    "pages/review.py": ("Skill mapping review", ("Nothing waits for review", "add a new skill")),
}
#: The sign-in page: measured as the step before every other page, not as a page of its own.
SIGN_IN_PAGE = "pages/sign_in.py"
#: The user the bench signs in as (an analyst sees every page).
BENCH_USER = "bench"

#: Counts the script runs that end, as the server tells the browser: a ForwardMsg whose field 6,
#: ``script_finished``, says FINISHED_SUCCESSFULLY (0), FINISHED_WITH_COMPILE_ERROR (1) or
#: FINISHED_FRAGMENT_RUN_SUCCESSFULLY (3), not FINISHED_EARLY_FOR_RERUN (2). The app root's
#: ``data-test-script-state`` alone is not enough: a run of a few milliseconds can go from "running" to
#: "notRunning" within one render, so the attribute never changes. The count moves a frame after the
#: message, when the app has handled it. Installed before every document, so a new one starts at 0.
RUN_COUNTER = """
window.__vetplanRuns = 0;
const finishedRun = (bytes) => {
  let i = 0;
  const varint = () => {
    let value = 0, shift = 0, byte = 0;
    do { byte = bytes[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && i < bytes.length);
    return value;
  };
  while (i < bytes.length) {
    const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
    if (wire === 0) { const value = varint(); if (field === 6) return value !== 2; }
    else if (wire === 2) { const length = varint(); i += length; }  // not i += varint(): i is read first
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else return false;
  }
  return false;
};
const count = () => requestAnimationFrame(() => setTimeout(() => { window.__vetplanRuns += 1; }));
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer) { if (finishedRun(new Uint8Array(event.data))) count(); }
      else if (event.data instanceof Blob) event.data.arrayBuffer().then((data) => { if (finishedRun(new Uint8Array(data))) count(); });
    });
  }
};
"""

#: True once the run counter is past ``runs``, no script runs, no status widget is shown, and the
#: page's title and one of its end texts are in the main area.
RUN_ENDED = """({runs, title, ends}) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (window.__vetplanRuns <= runs) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  if (![...main.querySelectorAll("h1")].some((h) => h.textContent.trim() === title)) return false;
  const text = main.textContent;
  return ends.length === 0 || ends.some((end) => text.includes(end));
}
"""

#: What :data:`RUN_ENDED` looks at, for the message when it never comes true.
PAGE_STATE = """() => ({
  runs: window.__vetplanRuns,
  state: document.querySelector('[data-testid="stApp"]')?.getAttribute("data-test-script-state"),
  statusWidget: Boolean(document.querySelector('[data-testid="stStatusWidget"]')),
  headings: [...document.querySelectorAll('[data-testid="stMain"] h1')].map((h) => h.textContent.trim()),
  end: document.querySelector('[data-testid="stMain"]')?.textContent.slice(-160),
})"""


@dataclass(frozen=True)
class AppPage:
    """One page of the app as app.py declares it.

    Attributes
    ----------
    file
        The page script, relative to the repository.
    title
        Its navigation title.
    path
        Its URL path ("" for the default page).
    heading
        The st.title it shows.
    ends
        Texts of which one is near the end of the page.
    """

    file: str
    title: str
    path: str
    heading: str
    ends: tuple[str, ...]


def _literal(node: ast.expr) -> object:
    """A keyword's value in app.py: a literal, or the English text of a translated one (``_("Gaps")``)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
        return ast.literal_eval(node.args[0])
    return ast.literal_eval(node)


def app_pages() -> list[AppPage]:
    """The pages of app.py's ``st.Page`` calls, in navigation order.

    Returns
    -------
    list[AppPage]
        Every page; the URL path is Streamlit's default, the file's stem, or "" for ``default=True``.

    Raises
    ------
    SystemExit
        When a page has no entry in :data:`PAGE_ENDS` (the bench must learn its end first).
    """
    tree = ast.parse((REPO / "app.py").read_text(encoding="utf-8"))
    pages: list[AppPage] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"):
            continue
        keywords = {keyword.arg: _literal(keyword.value) for keyword in node.keywords if keyword.arg}
        file = str(ast.literal_eval(node.args[0]))
        if file == SIGN_IN_PAGE:
            continue
        if file not in PAGE_ENDS:
            raise SystemExit(f"app.py has a page {file} that bench/pages.py does not know: add it to PAGE_ENDS")
        heading, ends = PAGE_ENDS[file]
        path = "" if keywords.get("default") else str(keywords.get("url_path", Path(file).stem))
        pages.append(AppPage(file, str(keywords.get("title", Path(file).stem)), path, heading, ends))
    return pages


def free_port() -> int:
    """A TCP port free on localhost.

    Returns
    -------
    int
        The port number.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(environment: dict[str, str], timeout: float = 120) -> Iterator[str]:
    """Serve app.py headless on a free port until the block ends.

    Parameters
    ----------
    environment
        The server's environment (it names the data home).
    timeout
        Seconds to wait for ``/_stcore/health`` to answer ``ok``.

    Yields
    ------
    str
        The app's base URL.

    Raises
    ------
    SystemExit
        When the server exits or does not answer in time (with the end of its log).
    """
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [
                str(BIN / "streamlit"), "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(port),
                "--browser.gatherUsageStats", "false",
            ],
            cwd=REPO,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(port, server, log, timeout)
            yield f"http://localhost:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_healthy(port: int, server: subprocess.Popen[bytes], log: IO[bytes], timeout: float) -> None:
    """Return once ``/_stcore/health`` answers ``ok``.

    Parameters
    ----------
    port
        The server's port.
    server
        The server process.
    log
        Its output, shown when it fails.
    timeout
        Seconds to wait at most.

    Raises
    ------
    SystemExit
        When the server exits or does not answer in time, with the end of its log.
    """
    deadline = time.monotonic() + timeout
    while True:
        reason = None
        if server.poll() is not None:
            reason = f"streamlit exited with {server.returncode}"
        elif time.monotonic() > deadline:
            reason = f"streamlit did not answer /_stcore/health within {timeout:.0f} s"
        if reason:
            log.seek(0)
            raise SystemExit(f"{reason}:\n{log.read().decode(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as answer:
            if answer.read().decode().strip() == "ok":
                return
        time.sleep(0.3)


def timed(
    page: Page,
    action: Callable[[], object],
    heading: str,
    ends: tuple[str, ...],
    timeout_s: float,
    new_document: bool = False,
) -> float:
    """Seconds from ``action`` until the script run it starts has ended and the page is whole.

    Parameters
    ----------
    page
        The browser tab.
    action
        What starts the run: a navigation or a click.
    heading
        The st.title that must be shown at the end.
    ends
        Texts of which one must be in the main area at the end (none: any).
    timeout_s
        Seconds to wait at most.
    new_document
        ``action`` loads a new document, whose run counter starts again at 0.

    Returns
    -------
    float
        Wall seconds, measured in this process.

    Raises
    ------
    SystemExit
        When the run does not end in time, with what the page shows.
    """
    runs = 0 if new_document else page.evaluate("window.__vetplanRuns ?? 0")
    start = time.perf_counter()
    action()
    try:
        page.wait_for_function(
            RUN_ENDED, arg={"runs": runs, "title": heading, "ends": list(ends)}, polling="raf", timeout=timeout_s * 1000
        )
    except PlaywrightTimeoutError:
        raise SystemExit(
            f"{page.url}: no end of a run (counter past {runs}) within {timeout_s:g} s (looking for {heading!r}, {ends}); "
            f"the page has {page.evaluate(PAGE_STATE)}"
        ) from None
    return time.perf_counter() - start


def bench_user(environment: dict[str, str]) -> str:
    """Add the bench's analyst user to the sample database; returns its generated password."""
    done = subprocess.run(
        [str(BIN / "vetplan"), "user", "add", BENCH_USER, "--role", "analyst", "--json"],
        env=environment, check=True, capture_output=True, text=True,
    )
    return str(json.loads(done.stdout)["password"])


def stored_runs(environment: dict[str, str]) -> None:
    """Solve the base and the tight-budget scenario, so that the Scenarios page compares two stored runs."""
    for name in ("base", "tight_budget"):
        subprocess.run(
            [str(BIN / "vetplan"), "solve", "--name", name, "--set", "time_limit_s=30", "--set", "mip_gap=0.02"],
            env=environment, check=True, stdout=subprocess.DEVNULL,
        )


def signer(page: Page, base: str, password: str, timeout_s: float) -> Callable[[], None]:
    """Open the app in a new session and fill the sign-in form; the returned call submits it (the part timed)."""
    page.goto(f"{base}/", wait_until="domcontentloaded")
    page.get_by_label("User name").wait_for(timeout=timeout_s * 1000)
    page.get_by_label("User name").fill(BENCH_USER)
    page.get_by_label("Password", exact=True).fill(password)
    return page.get_by_role("button", name="Sign in").click


def measure_pages(page: Page, base: str, pages: list[AppPage], repeat: int, timeout_s: float, password: str) -> list[Row]:
    """Time signing in (a new session each time, until the Overview is whole) and every page reached by a sidebar click.

    Each mode goes round ``repeat + 1`` times; the first round is the warm-up. A page opened by
    its URL starts a new session, which shows the sign-in page: "sign in" is what a user then meets.

    Parameters
    ----------
    page
        The browser tab.
    base
        The app's base URL.
    pages
        The app's pages.
    repeat
        Counted rounds.
    timeout_s
        Seconds to wait for one render at most.

    Returns
    -------
    list[Row]
        Per page, a row for "open URL" and one for "sidebar click".
    """
    signed: list[float] = []
    clicked: dict[str, list[float]] = {item.file: [] for item in pages}
    home = next(item for item in pages if not item.path)
    for round_ in range(repeat + 1):
        submit = signer(page, base, password, timeout_s)
        seconds = timed(page, submit, home.heading, home.ends, timeout_s)
        if round_:
            signed.append(seconds)
    # Sidebar clicks in the last signed-in session, which started on the default page.
    order = [*pages[1:], pages[0]]  # every click leaves another page
    for round_ in range(repeat + 1):
        for item in order:
            link = page.locator(f'[data-testid="stSidebarNavLink"][href="{base}/{item.path}"]')
            seconds = timed(page, link.click, item.heading, item.ends, timeout_s)
            if round_:
                clicked[item.file].append(seconds)
    rows: list[Row] = [Row("Sign in, until the Overview is whole", signed, PAGE_TARGET)]
    for item in pages:
        rows.append(Row(f"{item.title} (/{item.path}) sidebar click", clicked[item.file], PAGE_TARGET))
    return rows


def choose(page: Page, label: str, option: str | None) -> tuple[Callable[[], None], Callable[[], None]]:
    """Open the selectbox ``label``; return the click that picks ``option`` and a check that it did.

    Parameters
    ----------
    page
        The browser tab.
    label
        The selectbox's label.
    option
        The option's text, or ``None`` for the first option that is not the current choice.

    Returns
    -------
    tuple[Callable[[], None], Callable[[], None]]
        The click to time (opening the list runs nothing on the server and is not timed), and a
        check, to call after the rerun, that raises ``SystemExit`` unless the box shows the option.
    """
    box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True))
    box.click()
    target = (
        page.get_by_role("option", name=option, exact=True) if option else page.locator('[role="option"][aria-selected="false"]')
    ).first
    target.wait_for()
    wanted = target.inner_text().strip()

    def check() -> None:
        shown = box.get_by_role("combobox").input_value()
        if shown != wanted:
            raise SystemExit(f"the {label!r} box shows {shown!r} after choosing {wanted!r}")

    return target.click, check


def measure_gaps_widgets(page: Page, base: str, gaps: AppPage, repeat: int, timeout_s: float) -> list[Row]:
    """Time a change of the Gaps page's company chooser and of its "By" selection.

    Each widget is changed once to warm up, then ``repeat`` times: the company goes to the first
    company not shown (the first two take turns), "By" alternates between group and skill.

    Parameters
    ----------
    page
        The browser tab.
    base
        The app's base URL.
    gaps
        The Gaps page.
    repeat
        Counted changes per widget.
    timeout_s
        Seconds to wait for one rerun at most.

    Returns
    -------
    list[Row]
        One row per widget.
    """
    link = page.locator(f'[data-testid="stSidebarNavLink"][href="{base}/{gaps.path}"]')
    timed(page, link.click, gaps.heading, gaps.ends, timeout_s)
    company: list[float] = []
    for change in range(repeat + 1):
        click, check = choose(page, "Company", None)
        seconds = timed(page, click, gaps.heading, gaps.ends, timeout_s)
        check()
        if change:
            company.append(seconds)
    page.get_by_role("tab", name="Region", exact=True).click()  # client side only: no rerun
    by: list[float] = []
    for change in range(repeat + 1):
        click, check = choose(page, "By", "skill" if change % 2 else "skill group")
        seconds = timed(page, click, gaps.heading, gaps.ends, timeout_s)
        check()
        if change:
            by.append(seconds)
    return [
        Row(f"{gaps.title}: change Company (fragment)", company, WIDGET_TARGET),
        Row(f"{gaps.title}: change By, group <-> skill (fragment)", by, WIDGET_TARGET),
    ]


def measure_choice(page: Page, base: str, item: AppPage, label: str, repeat: int, timeout_s: float) -> Row:
    """Time changing the selectbox ``label`` of the page ``item`` to the next option it does not show.

    One change warms up, then ``repeat`` changes are counted (the first two options take turns).

    Parameters
    ----------
    page
        The browser tab.
    base
        The app's base URL.
    item
        The page the selectbox is on.
    label
        The selectbox's label.
    repeat
        Counted changes.
    timeout_s
        Seconds to wait for one rerun at most.

    Returns
    -------
    Row
        The widget's row of the table.
    """
    link = page.locator(f'[data-testid="stSidebarNavLink"][href="{base}/{item.path}"]')
    timed(page, link.click, item.heading, item.ends, timeout_s)
    seconds: list[float] = []
    for change in range(repeat + 1):
        click, check = choose(page, label, None)
        took = timed(page, click, item.heading, item.ends, timeout_s)
        check()
        if change:
            seconds.append(took)
    return Row(f"{item.title}: change {label}", seconds, WIDGET_TARGET)




def main() -> None:
    """Start the server on a fresh sample data home, measure in chromium and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one render at most")
    options = parser.parse_args()
    pages = app_pages()
    gaps = next(item for item in pages if item.file == "pages/gaps.py")
    with sample_data_home() as environment, streamlit_server(environment) as base, sync_playwright() as playwright:
        password = bench_user(environment)
        stored_runs(environment)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script(RUN_COUNTER)
            with burner(options.busy):
                rows = measure_pages(page, base, pages, options.repeat, options.timeout, password)
                rows += measure_gaps_widgets(page, base, gaps, options.repeat, options.timeout)
                for file, label in (("pages/courses.py", "Provider"), ("pages/scenarios.py", "Baseline")):
                    item = next(found for found in pages if found.file == file)
                    rows.append(measure_choice(page, base, item, label, options.repeat, options.timeout))
        finally:
            browser.close()
    print_table(
        "vetplan pages in chromium, seconds until the script run ends, 72-company sample region",
        rows,
        options.repeat,
        options.busy,
    )


if __name__ == "__main__":
    main()
