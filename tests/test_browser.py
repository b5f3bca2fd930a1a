"""Real-browser tests: `make run` serves the app; signed in, the home page shows the sample region; a company user sees only its company.

Started the way Streamlit's own e2e tests start the server: wait for
``/_stcore/health`` to answer ``ok``, then for the script to stop running.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_harness import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    add_user,
    database_url,
    serve,
    settled,
    sign_in,
)

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def served_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the served app's embedded database (and its server.log)."""
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="module")
def served_app(served_folder: Path) -> Iterator[str]:
    """`make run` on a free port with a fresh embedded database, started once for this module's tests (each
    signs in its own user in a browser of its own); yields the app's URL."""
    with serve(served_folder) as url:
        yield url


def test_make_run_serves_home_page_with_sample_region(served_app: str, served_folder: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(served_app, wait_until="domcontentloaded")
            # nothing of the region shows before sign-in
            expect(page.get_by_text("Sign in to vetplan")).to_be_visible(timeout=60_000)
            assert page.locator("[data-testid='stMetric']").count() == 0
            sign_in(page, served_app, "boss", add_user(served_folder, "boss", "--role", "analyst"))
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


def test_a_company_user_reaches_only_its_company_and_sign_out_ends_the_session(served_app: str, served_folder: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from skills.store import Store

    companies = Store(database_url(served_folder)).read_frame("companies").sort_values("company_id")
    (own_id, own_name), (other_id, other_name) = companies[["company_id", "name"]].head(2).itertuples(index=False)
    password = add_user(served_folder, "hr-a", "--role", "company", "--company", own_id)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            sign_in(page, served_app, "hr-a", password)
            nav = page.locator("[data-testid='stSidebarNav']")
            assert {"Data", "Plan", "Mapping review"}.isdisjoint(set(nav.inner_text().split("\n")))
            nav.get_by_text("Gaps").click()
            expect(page.get_by_role("heading", name="Skills gaps")).to_be_visible(timeout=60_000)
            settled(page)
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
                settled(page)
                assert other_name not in page.locator("body").aria_snapshot() and other_name not in page.content(), url
            # signed in again, the sign-out button ends the session
            sign_in(page, served_app, "hr-a", password)
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_text("Sign in to vetplan")).to_be_visible(timeout=60_000)
            settled(page)
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert own_name not in page.locator("body").aria_snapshot()
        finally:
            browser.close()
