"""Real-browser journeys of issue 13, tried as a new user would: an HR manager, a policymaker, a school, and one in Danish.

One app server (started as `make run` starts it) and one browser serve every journey of this
module; each journey signs in in a fresh browser session. The journeys run in file order on one
database: the HR manager's survey (journey 1) is part of the data the later journeys see.
Screenshots of each key step go to ``screenshots/journeys/`` (git ignores it).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser_harness import (
    BROWSER_MARKS,
    add_user,
    chromium,
    download,
    new_context,
    screenshot,
    serve,
    settled,
    sign_in,
    table_csv,
)

pytestmark = BROWSER_MARKS

#: The HR manager's company in the sample region, and what its filled survey asks for.
COMPANY_ID, COMPANY_NAME, COMPANY_REGION, COMPANY_SECTOR = "C001", "Dahl El-teknik ApS", "DK042", "C27"
#: skill as the HR manager writes it (the dropdown's English label), headcount, current, required, year, priority
SURVEY = [
    ("ERP systems", 4, 0, 2, 2027, "high"),
    ("Machine safety and CE marking", 3, 1, 3, 2027, "high"),
    ("Electronics assembly and soldering", 2, 0, 2, 2028, "medium"),
]
#: The cheapest course the sample catalogue has for each gap that a course closes (both in the company's region).
CLOSING_COURSES = {
    "ERP systems": ("ERP systems – advanced", "Aarhus Tekniske Skole"),
    "Electronics assembly and soldering": ("Electronics assembly and soldering – advanced", "Aarhus Tekniske Skole"),
}
#: The school of journey 4: the provider of both closing courses.
SCHOOL = "Aarhus Tekniske Skole"


@dataclass(frozen=True)
class App:
    url: str
    folder: Path

    def user(self, name: str, *options: str) -> str:
        return add_user(self.folder, name, *options)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """One server for every journey of the module, on a fresh database with the sample region."""
    folder = tmp_path_factory.mktemp("journeys")
    with serve(folder) as url:
        yield App(url, folder)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new browser session (signed out) for one journey."""
    context = new_context(browser)
    try:
        yield context.new_page()
    finally:
        context.close()


def go_to(page: Any, title: str, heading: str) -> None:
    """Open a page from the sidebar navigation and wait until it has drawn."""
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
    settled(page)


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settled(page)


def tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settled(page)


def tables(page: Any) -> Any:
    return page.locator("[data-testid='stDataFrame']:visible")


def table_after(page: Any, heading: str) -> Any:
    """The first table below the heading ``heading``."""
    return page.get_by_role("heading", name=heading).locator("xpath=following::div[@data-testid='stDataFrame'][1]")


def metric(page: Any, label: str) -> str:
    """The value of the metric labelled ``label``."""
    found = page.locator("[data-testid='stMetric']:visible").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    return str(found.locator("[data-testid='stMetricValue']").inner_text().strip())


def figure(text: str) -> float:
    """A figure as an English page writes it (``10,600``)."""
    return float(text.replace(",", ""))


def compact(text: str) -> float:
    """A compact English amount (``218.9k``, ``1.2m``) as a number."""
    scale = {"k": 1e3, "m": 1e6}.get(text[-1:], 1.0)
    return float(text.rstrip("km")) * scale


def fill_survey(template: bytes) -> bytes:
    """The survey template filled for the HR manager's company, the way a person fills it in Excel."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["survey"]
    header = [cell.value for cell in sheet[1]]
    for row, (skill, headcount, current, required, year, priority) in enumerate(SURVEY, start=2):
        values = {
            "company_id": COMPANY_ID, "company_name": COMPANY_NAME, "region": COMPANY_REGION, "sector": COMPANY_SECTOR,
            "employees": 96, "skill": skill, "headcount": headcount, "current_level": current,
            "required_level": required, "needed_by": year, "priority": priority,
        }
        for column, name in enumerate(header, start=1):
            if name in values:
                sheet.cell(row, column, values[name])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_1_hr_manager_fills_the_survey_template_and_sees_gaps_courses_and_recruitment(app: App, page: Any, browser: Any) -> None:
    """The survey template, filled in Excel, imported on the Data page; the HR manager then reads their company.

    Here the region's analyst downloads the template and imports the HR manager's filled file on the
    Data page; in journey 1b the HR manager uploads it on My company themselves.
    """
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    # the region's data office: the template from the Data page, filled, checked and imported there
    sign_in(page, app.url, "data-office", app.user("data-office", "--role", "analyst"))
    go_to(page, "Data", "Data")
    template = download(page, page.get_by_role("button", name="Survey template"))
    instructions = load_workbook(io.BytesIO(template))
    assert {"Instructions", "survey"} <= set(instructions.sheetnames)
    assert "ERP systems" in [cell.value for cell in instructions["lists"]["A"]]  # the skills dropdown's list
    filled = app.folder / "dahl-survey.xlsx"
    filled.write_bytes(fill_survey(template))
    page.locator("[data-testid='stFileUploader']").first.locator("input[type='file']").set_input_files(str(filled))
    settled(page)
    page.get_by_role("button", name="Import", exact=True).click()
    settled(page)
    # the company answered before: the page asks first, saying how many stored answers the file replaces
    expect(page.get_by_text(re.compile(r"Importing dahl-survey\.xlsx replaces \d+ stored row"))).to_be_visible(timeout=60_000)
    screenshot(page, "1-hr-01-data-page-asks-before-replacing")
    page.get_by_role("button", name="Replace and import").click()
    settled(page)
    expect(page.get_by_text("dahl-survey.xlsx imported.")).to_be_visible(timeout=60_000)
    assert metric(page, "Rows read") == "3" and metric(page, "Rows accepted") == "3"
    assert metric(page, "Waiting for review") == "0"
    screenshot(page, "1-hr-02-survey-imported-on-data-page")

    # the HR manager, in a browser session of their own
    context = new_context(browser)
    try:
        own = context.new_page()
        sign_in(own, app.url, "dahl-hr", app.user("dahl-hr", "--role", "company", "--company", COMPANY_ID))
        go_to(own, "Gaps", "Skills gaps")
        expect(own.get_by_role("combobox", name="Company")).to_be_visible(timeout=30_000)
        assert f'combobox "Company": {COMPANY_NAME}' in own.locator("body").aria_snapshot()
        screenshot(own, "1-hr-03-my-company")
        # the survey replaced the company's earlier answers: 4 + 3 + 2 people short, none meets the level yet
        assert metric(own, "Gap units") == "9"
        assert metric(own, "Skill requirements already met") == "0 %"
        assert metric(own, "Gaps no course closes") == "1"
        shown = tables(own)
        matrix, gaps, recruitment = table_csv(own, shown.nth(0)), table_csv(own, shown.nth(1)), table_csv(own, shown.nth(2))
        assert sorted(matrix.columns[1:]) == sorted(skill for skill, *_ in SURVEY)
        assert matrix.loc[0, "ERP systems"] == "0 → 2 (4)"
        assert set(gaps["skill"]) == {skill for skill, *_ in SURVEY}
        by_skill = gaps.set_index("skill")
        for skill, (course, provider) in CLOSING_COURSES.items():
            assert (by_skill.loc[skill, "course"], by_skill.loc[skill, "provider"]) == (course, provider)
            assert float(by_skill.loc[skill, "hours"]) > 0 and figure(by_skill.loc[skill, "cost per participant (EUR)"]) > 0
        assert by_skill.loc["Machine safety and CE marking", "course"] == ""  # blank, never "None"
        assert by_skill.loc["Machine safety and CE marking", "why no course closes it"] == "no course in the catalogue teaches this skill"
        assert not [column for column in gaps.columns if "_" in column], list(gaps.columns)  # headers in words
        columns = list(gaps.columns)  # the reason stands where the missing course would, not off-screen
        assert "role" not in columns  # no answer names a role: the matrix above says so once
        assert columns.index("why no course closes it") == columns.index("course") + 1, columns
        # recruitment: the hires the labour market offers in the region for each gap skill
        hires = recruitment.set_index("skill")
        assert set(hires.index) == {skill for skill, *_ in SURVEY}
        assert hires.loc["ERP systems", "hires available per year"] == "8"
        assert figure(hires.loc["ERP systems", "cost per hire (EUR)"]) == 10600  # a number behind "10,600"
        assert hires.loc["Machine safety and CE marking", "labour market"] == "shortage"
        assert not {"None", "nan"} & set(recruitment.to_numpy().ravel())
        assert "occupation" not in recruitment.columns  # the sample's labour-market rows name none: no empty column
        # every course that closes a gap, and the company's own workbook
        own.get_by_text("Every course that closes one of your gaps").click()
        settled(own)
        options = table_csv(own, tables(own).nth(3))
        assert {"ERP systems – advanced", "Electronics assembly and soldering – advanced"} <= set(options["course"])
        assert "ERP systems" in set(options["skill"]) and not any(RAW_ID.search(text) for text in options.to_numpy().ravel())
        screenshot(own, "1-hr-04-courses-that-close-the-gaps")
        workbook = load_workbook(io.BytesIO(download(own, own.get_by_role("button", name="Download your company's view (xlsx)"))))
        texts = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None}
        assert {"ERP systems – advanced", "Machine safety and CE marking", "shortage"} <= texts
    finally:
        context.close()


def test_1b_hr_manager_uploads_the_filled_template_themselves(app: App, page: Any) -> None:
    """The HR manager downloads the template on My company, fills it and uploads it; a row of another company is refused."""
    from playwright.sync_api import expect

    sign_in(page, app.url, "dahl-hr2", app.user("dahl-hr2", "--role", "company", "--company", COMPANY_ID))
    go_to(page, "Gaps", "Skills gaps")
    expect(page.get_by_role("heading", name="Upload your filled survey template")).to_be_visible(timeout=30_000)
    filled = fill_survey(download(page, page.get_by_role("button", name="Survey template (xlsx)")))
    uploader = page.locator("[data-testid='stFileUploader']").first.locator("input[type='file']")

    # a file with one row of another company: nothing stored, the row and column named
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(filled))
    sheet = workbook["survey"]
    sheet.cell(3, [cell.value for cell in sheet[1]].index("company_id") + 1, "C002")
    mixed_path = app.folder / "mixed-survey.xlsx"
    workbook.save(mixed_path)
    uploader.set_input_files(str(mixed_path))
    settled(page)
    page.get_by_role("button", name="Check and import").click()
    settled(page)
    expect(page.get_by_text("mixed-survey.xlsx was not imported; nothing was stored.")).to_be_visible(timeout=60_000)
    problems = table_csv(page, page.get_by_text("mixed-survey.xlsx was not imported").locator(
        "xpath=following::div[@data-testid='stDataFrame'][1]"))
    assert problems[["row", "column", "value"]].values.tolist() == [["3", "company_id", "C002"]]
    screenshot(page, "1b-hr-01-another-company-refused")

    # the company's own rows: the page asks before replacing the answers stored, then imports
    own_path = app.folder / "own-survey.xlsx"
    own_path.write_bytes(filled)
    uploader.set_input_files(str(own_path))
    settled(page)
    page.get_by_role("button", name="Check and import").click()
    settled(page)
    expect(page.get_by_text(re.compile(r"own-survey\.xlsx passed the check\. Importing it replaces the 3 answer"))).to_be_visible(
        timeout=60_000
    )
    page.get_by_role("button", name="Replace and import").click()
    settled(page)
    expect(page.get_by_text("own-survey.xlsx imported: 3 row(s)")).to_be_visible(timeout=60_000)
    assert metric(page, "Gap units") == "9"
    screenshot(page, "1b-hr-02-own-survey-imported")


def solve_on_plan_page(page: Any, start_from: str, name: str, time_limit_s: int = 10) -> None:
    """Start from a scenario of base.yaml, name the run, give the solver a short time and solve; wait for the status."""
    from playwright.sync_api import expect

    choose(page, "Start from", start_from)
    page.get_by_label("Scenario name").fill(name)
    page.get_by_label("Scenario name").press("Enter")
    settled(page)
    page.get_by_label("Time limit (s)").fill(str(time_limit_s))
    page.get_by_label("Time limit (s)").press("Enter")
    settled(page)
    page.get_by_role("button", name="Solve", exact=True).click()
    status = page.get_by_text(re.compile(rf"^Scenario {re.escape(name)}: (optimal plan|good plan)"))
    expect(status).to_be_visible(timeout=90_000)
    settled(page)


#: What an id looks like where a name belongs: a company id (C054), a course id (K00054), a snake_case skill id.
RAW_ID = re.compile(r"\b(C\d{3}|K\d{5}|[a-z]+_[a-z_]+)\b")


def check_plan_shown_whole(page: Any) -> list[str]:
    """The Plan page below the figures: no error, the three charts, what limits the plan in words, the schedule tabs."""
    from playwright.sync_api import expect

    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, f"the Plan page shows an error: {errors.first.inner_text()}"
    assert page.locator("[data-testid='stVegaLiteChart']:visible").count() >= 3
    for name in ("Course runs", "Participants", "Hires", "Unmet gaps and why"):
        expect(page.get_by_role("tab", name=name)).to_be_visible()
    sentences: list[str] = []
    heading = page.get_by_role("heading", name="What limits the plan")
    if heading.count():
        sentences = [item.strip() for item in page.locator("[data-testid='stMarkdownContainer'] li").all_inner_texts()]
        for sentence in sentences:
            assert not RAW_ID.search(sentence), f"an id where a name belongs: {sentence}"
            assert not re.search(r"\d+\.\d+ (people|participants|hires)", sentence), f"fractional people: {sentence}"
    return sentences


#: The policymaker's second run: a name as people write it, starting with a character a spreadsheet reads as a formula.
CUT_RUN = "-68 % budget"


def test_2_policymaker_runs_two_scenarios_and_downloads_the_comparison(app: App, page: Any) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    sign_in(page, app.url, "region-policy", app.user("region-policy", "--role", "policymaker"))
    go_to(page, "Plan", "Training and recruitment plan")
    solve_on_plan_page(page, "base", "base")
    expect(page.get_by_text("Public budget: EUR 250,000 a year.")).to_be_visible()
    base_cost = metric(page, "Public cost")
    assert re.fullmatch(r"EUR \d{1,3}(\.\d)?[km]?", base_cost) and base_cost != "EUR 0", base_cost  # short: never clipped
    assert int(metric(page, "Gap units closed").replace(",", "")) > 0
    screenshot(page, "2-policy-01-base-plan")
    check_plan_shown_whole(page)
    solve_on_plan_page(page, "tight_budget", CUT_RUN)
    expect(page.get_by_text("Public budget: EUR 80,000 a year.")).to_be_visible()
    cut_cost = compact(metric(page, "Public cost").removeprefix("EUR "))
    assert 0 < cut_cost <= 3 * 80_000  # three years of at most EUR 80 000
    screenshot(page, "2-policy-02-tight-budget-plan")
    check_plan_shown_whole(page)

    go_to(page, "Scenarios", "Compare scenarios")
    chosen = page.get_by_label("Scenarios (each at its latest run)")
    expect(chosen).to_be_visible()
    choose(page, "Baseline", "base")
    screenshot(page, "2-policy-03-comparison")
    kpis = table_csv(page, tables(page).nth(0))
    assert {"base", CUT_RUN} <= set(kpis.columns)
    public = kpis[kpis.iloc[:, 0].str.startswith("Public cost")]
    assert len(public) == 1 and figure(public[CUT_RUN].iloc[0]) < figure(public["base"].iloc[0])
    counts = kpis[kpis.iloc[:, 0].isin(["Course runs opened", "Participants", "Hires", "Companies with staff on a course or a hire"])]
    assert len(counts) == 4 and all(re.fullmatch(r"[\d,]+", value) for value in counts[[CUT_RUN, "base"]].to_numpy().ravel())
    runs_by_scenario = table_csv(page, table_after(page, "Course runs by scenario"))
    assert "course" in runs_by_scenario.columns and "course_id" not in runs_by_scenario.columns
    assert not any(RAW_ID.search(text) for text in runs_by_scenario["course"])
    assert not {"None", "nan"} & set(runs_by_scenario.to_numpy().ravel())

    workbook = load_workbook(io.BytesIO(download(page, page.get_by_role("button", name="Download the comparison (xlsx)"))))
    assert {"Runs", "KPIs", "Against baseline", "Settings that differ"} <= set(workbook.sheetnames)
    for sheet in workbook:
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert len(rows) >= 2 and any(value is not None for value in rows[1]), f"sheet {sheet.title} is empty"
        formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert not formulas, f"formula cells on {sheet.title}: {formulas[:5]}"
    runs = {str(row[0]).lstrip("'"): row for row in workbook["Runs"].iter_rows(min_row=2, values_only=True)}
    assert set(runs) == {"base", CUT_RUN}  # the run named "-68 % budget" is text, not a formula
    kpi_sheet = workbook["KPIs"]
    header = [cell.value for cell in kpi_sheet[1]]
    figures = [value for row in kpi_sheet.iter_rows(min_row=2, values_only=True) for value in row[1:] if isinstance(value, int | float)]
    assert len(header) > 3 and any(figures)
    differ = {str(row[0]) for row in workbook["Settings that differ"].iter_rows(min_row=2, values_only=True)}
    assert {"budget_per_year", "company_cost_cap", "default_trainer_hours"} <= differ, differ


def sample_frame(name: str) -> Any:
    import pandas as pd

    return pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "sample" / f"{name}.csv", dtype=str, keep_default_na=False)


def test_3_a_policymaker_works_in_danish(app: App, page: Any) -> None:
    """The sidebar switch turns the app Danish: navigation, headings, skill names, and numbers with Danish separators."""
    import json

    from playwright.sync_api import expect

    from tests.browser_harness import vetplan

    sign_in(page, app.url, "region-policy-da", app.user("region-policy-da", "--role", "policymaker"))
    choose(page, "Language / Sprog", "Dansk")
    expect(page.get_by_text("Logget ind som region-policy-da")).to_be_visible()
    nav = page.locator("[data-testid='stSidebarNav']").inner_text().split("\n")
    assert {"Overblik", "Kompetencegab", "Kursusplanlægning", "Scenarier"} <= set(nav), nav
    counts = json.loads(vetplan(app.folder, "info", "--json").stdout)
    employees = f"{counts['employees']:,}".replace(",", ".")  # 3.541, not 3,541
    assert counts["employees"] >= 1000 and metric(page, "Ansatte") == employees
    assert metric(page, "Virksomheder") == str(counts["companies"])
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", metric(page, "Kompetencegab (enheder)"))
    screenshot(page, "3-danish-01-overblik")

    go_to(page, "Kursusplanlægning", "Kursusplanlægning")
    choose(page, "Udbyder", "Kattegat Tech")
    expect(page.get_by_role("heading", name="Forventede deltagere pr. kursus og år")).to_be_visible()
    expect(page.get_by_role("heading", name="Andre udbyderes kurser, der konkurrerer om samme efterspørgsel")).to_be_visible()
    screenshot(page, "3-danish-02-kursusplanlaegning")
    skills = sample_frame("skills")
    danish = set(skills["label_da"]) - set(skills["label"])  # names that differ between the languages
    competitors = table_csv(page, table_after(page, "Andre udbyderes kurser, der konkurrerer om samme efterspørgsel"))
    shown = set(competitors["kompetence"])  # the column named in Danish too
    assert shown & danish, f"no Danish skill name among {sorted(shown)[:5]}"
    assert not shown & (set(skills["label"]) - set(skills["label_da"])), "English skill names on the Danish page"

    # the region's gaps and the comparison in Danish: headers in words, figures with Danish separators
    go_to(page, "Kompetencegab", "Kompetencegab")
    screenshot(page, "3-danish-03-kompetencegab")
    region = table_csv(page, tables(page).nth(0))
    assert not [column for column in region.columns if "_" in column], list(region.columns)
    stored = {run["scenario"] for run in json.loads(vetplan(app.folder, "scenario", "list", "--json").stdout)}
    missing = [name for name in ("base", "tight_budget") if name not in stored][: max(0, 2 - len(stored))]
    for name in missing:  # run alone, without the policymaker's journey: two scenarios of its own to compare
        vetplan(app.folder, "solve", "--name", name, "--set", "time_limit_s=5")
    go_to(page, "Scenarier", "Sammenlign scenarier")
    screenshot(page, "3-danish-04-scenarier")
    kpis = table_csv(page, tables(page).nth(0))
    runs = kpis[kpis.iloc[:, 0] == "Oprettede kursushold"]
    assert len(runs) == 1 and all(re.fullmatch(r"\d+", value) for value in runs.iloc[0, 1:3]), runs


def test_4_a_school_finds_its_curriculum_gaps_and_expected_participants(app: App, page: Any) -> None:
    """Aarhus Tekniske Skole on the Course planning page: its own courses only, the demand they can expect
    (ERP systems – advanced, the course for the HR manager's ERP gap, among it), the latest plan's runs, and the skills no course reaches."""
    import json

    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from tests.browser_harness import vetplan

    runs = json.loads(vetplan(app.folder, "scenario", "list", "--json").stdout)
    if not runs:  # run alone, without the policymaker's journey: a plan for the page's runs table
        vetplan(app.folder, "solve", "--name", "tight_budget", "--set", "time_limit_s=10")
        runs = json.loads(vetplan(app.folder, "scenario", "list", "--json").stdout)
    latest = max(runs, key=lambda run: int(run["run_id"]))
    catalogue = sample_frame("courses")
    own_titles = set(catalogue.loc[catalogue["provider"] == SCHOOL, "title"])
    others_only = set(catalogue.loc[catalogue["provider"] != SCHOOL, "title"]) - own_titles

    sign_in(page, app.url, "ats-planner", app.user("ats-planner", "--role", "provider", "--provider", SCHOOL))
    nav = page.locator("[data-testid='stSidebarNav']").inner_text().split("\n")
    assert "Course planning" in nav and {"Data", "Plan", "Mapping review"}.isdisjoint(nav), nav
    go_to(page, "Course planning", "Course planning")
    provider = page.get_by_role("combobox", name="Provider")
    expect(provider).to_be_disabled()
    assert f'combobox "Provider" [disabled]: {SCHOOL}' in page.locator("body").aria_snapshot()
    screenshot(page, "4-school-01-course-planning")
    expected = table_csv(page, table_after(page, "Expected participants per course and year"))
    planned = table_csv(page, table_after(page, "Runs the latest plan opens"))
    curriculum = table_csv(page, table_after(page, "Curriculum gaps: skills in demand that no course reaches"))

    # expected participants: the school's own courses only, the HR manager's ERP gap among them
    courses = set(expected["course"]) - {"Total", ""}
    assert courses and courses <= own_titles, sorted(courses - own_titles)
    erp = expected[(expected["course"] == CLOSING_COURSES["ERP systems"][0]) & (expected["year"] == "2027")]
    assert len(erp) == 1
    for _, row in expected.iterrows():  # a figure, or its range where too few companies stand behind it
        assert re.fullmatch(r"\d+|\d+–\d+", row["participants"]), dict(row)
    assert not {":c", "None", "nan"} & set(expected.to_numpy().ravel())

    # the runs of the latest stored plan: the school's courses only
    expect(page.get_by_text(re.compile(rf"From the stored plan {re.escape(latest['scenario'])} \(run {latest['run_id']}\)"))).to_be_visible()
    assert set(planned["course"]) <= own_titles and len(planned) > 0
    assert all(int(seats) >= 1 for seats in planned["seats"])

    # curriculum gaps: the HR manager's machine-safety need, which no course in the catalogue teaches
    assert "Machine safety and CE marking" in set(curriculum["skill"])
    named = [text for text in curriculum["sectors asking"] if text not in {"", "–"}]
    assert named and all(re.match(r"C\d{2} \w", sector.strip()) for text in named for sector in text.split(", C")[:1])

    workbook = load_workbook(io.BytesIO(download(page, page.get_by_role("button", name="Download the course planning (xlsx)"))))
    assert workbook.sheetnames == ["About", "Expected participants", "Plan runs", "Curriculum gaps", "Competing courses"]

    def texts(sheet: str) -> set[str]:
        return {str(value) for row in workbook[sheet].iter_rows(min_row=2, values_only=True) for value in row if value is not None}

    assert CLOSING_COURSES["ERP systems"][0] in texts("Expected participants")
    assert not texts("Expected participants") & others_only and not texts("Plan runs") & others_only
    assert "Machine safety and CE marking" in texts("Curriculum gaps")
    assert not [cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
