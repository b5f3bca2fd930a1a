"""The course planning page for schools: own provider only, every figure from companies disclosure-controlled, names not ids."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from skills import i18n, regions, service
from skills.access import Principal
from skills.errors import AccessError, NotFoundError
from tests.fixtures.sample_db import copy_sample_to
from tests.fixtures.signin import signed_in

COURSES_PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "courses.py")
PROVIDER = "Kattegat Tech"


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    copy_sample_to(database_url)


def store_plan() -> dict[str, pd.Series]:
    """A stored plan with two runs of the provider's courses and one of another provider's.

    The provider's first course has a cohort of three companies (published, perturbed);
    its second a cohort of one company (only a band may show).
    """
    courses = service.load_dataset().flat("courses")
    own = courses[courses["provider"] == PROVIDER].iloc[:2]
    other = courses[courses["provider"] != PROVIDER].iloc[0]
    pooled, single = own.iloc[0], own.iloc[1]
    participants = pd.DataFrame(
        {
            "year": [2027, 2027, 2027, 2028, 2027],
            "company_id": ["C001", "C002", "C003", "C004", "C001"],
            "course_id": [pooled["course_id"]] * 3 + [single["course_id"], other["course_id"]],
            "provider": [PROVIDER] * 4 + [other["provider"]],
            "participants": [4, 5, 6, 7, 8],
            "fee_per_participant": [100.0] * 5,
            "fees": [400.0, 500.0, 600.0, 700.0, 800.0],
        }
    )
    runs = pd.DataFrame(
        {
            "year": [2027, 2028, 2027],
            "course_id": [pooled["course_id"], single["course_id"], other["course_id"]],
            "provider": [PROVIDER, PROVIDER, other["provider"]],
            "region": [pooled["region"], single["region"], other["region"]],
            "mode": [pooled["mode"], single["mode"], other["mode"]],
            "runs": [2, 1, 1],
            "participants": [15, 7, 8],
            "seats": [2 * int(pooled["max_participants"]), int(single["max_participants"]), int(other["max_participants"])],
            "companies": [3, 1, 1],
            "fixed_cost": [1000.0, 1000.0, 1000.0],
        }
    )
    service.get_store().save_results("base", {"runs": runs, "participants": participants}, status="optimal")
    return {"pooled": pooled, "single": single, "other": other}


def test_a_provider_sees_its_own_provider_with_protected_figures() -> None:
    plan = store_plan()
    app = signed_in(AppTest.from_file(COURSES_PAGE, default_timeout=60), "provider", provider=PROVIDER).run()
    assert not app.exception and not app.error
    assert app.selectbox(key="courses_provider").options == [PROVIDER]
    expected, runs, curriculum, competitors = (frame.value for frame in app.dataframe)

    # expected participants: the provider's courses only, the protected gap view per course as it is
    own_titles = set(service.load_dataset().flat("courses").query("provider == @PROVIDER")["title"])
    assert set(expected["course"]) - {"Total"} <= own_titles
    protected = service.gaps_for_display(service.gaps("gaps", by="course", provider=PROVIDER), for_app=True)
    # a figure from too few companies shows its range, never the mark ":c" or "None"
    english = i18n.translator("en")
    figures = protected["participants"].astype(str)
    assert expected["participants"].tolist() == [
        band if figure == ":c" else english.cell(figure) for figure, band in zip(figures, protected["band"].astype(str), strict=True)
    ]
    assert expected["participants"].str.fullmatch(r"\d+–\d+").any()  # the sample's small cells are withheld
    assert not {":c", "None", "nan"} & set(expected.to_numpy().ravel().astype(str))
    assert "course_id" not in expected.columns and "range (too few companies)" not in expected.columns

    # the plan's runs: its own courses only, by title; a one-company cohort shows only a band
    assert set(runs["course"]) == {plan["pooled"]["title"], plan["single"]["title"]}
    single = runs[runs["course"] == plan["single"]["title"]].iloc[0]
    assert (single["participants per run"], single["companies"]) == ("–", "fewer than 3")
    assert single["participants"] in {"1–4", "5–9", "10–19"}
    pooled = runs[runs["course"] == plan["pooled"]["title"]].iloc[0]
    shown = int(pooled["participants"])
    assert abs(shown - 15) <= 3  # perturbed by at most half the largest company's part (6)
    assert int(pooled["participants per run"]) == round(shown / 2)  # whole people per run
    assert int(pooled["runs"]) == 2

    assert "skill" in curriculum.columns and "sectors asking" in curriculum.columns
    assert set(competitors["provider"]).isdisjoint({PROVIDER})
    assert set(competitors["your course"]) <= own_titles
    # regions by name (Vestjylland), never their NUTS codes
    named = set(regions.NUTS_NAMES.values())
    assert (set(runs["region"]) | set(competitors["region"])) - {"online"} <= named
    assert set(expected["region"]) - {"online", "Total"} <= named and set(expected["region"]) & named


def test_a_policymaker_chooses_any_provider_and_a_company_gets_no_course_planning() -> None:
    app = signed_in(AppTest.from_file(COURSES_PAGE, default_timeout=60), "policymaker").run()
    assert not app.exception
    assert app.selectbox(key="courses_provider").options == service.provider_choices()
    assert any("No plan is stored yet" in caption.value for caption in app.caption)
    # the page is not in a company's navigation; opened anyway, the service refuses and the page says why
    company = signed_in(AppTest.from_file(COURSES_PAGE, default_timeout=60), "company", company_id="C001").run()
    assert not company.exception and not company.dataframe
    assert "course planning is for schools" in company.error[0].value


def test_the_service_refuses_another_provider_and_the_company_role() -> None:
    store_plan()
    other = next(name for name in service.provider_choices() if name != PROVIDER)
    provider = Principal.parse(f"provider:{PROVIDER}")
    assert service.provider_choices(principal=provider) == [PROVIDER]
    assert service.course_planning(PROVIDER, principal=provider).provider == PROVIDER
    with pytest.raises(AccessError, match="your own courses"):
        service.course_planning(other, principal=provider)
    with pytest.raises(AccessError, match="your own courses"):
        service.course_planning_workbook(other, principal=provider)
    with pytest.raises(AccessError, match="not the company role"):
        service.course_planning(PROVIDER, principal=Principal.parse("company:C001"))
    with pytest.raises(NotFoundError):
        service.course_planning("No Such School")
    assert service.course_planning(other, principal=Principal.parse("policymaker")).provider == other


def test_the_workbook_holds_every_table_by_name() -> None:
    plan = store_plan()
    book = openpyxl.load_workbook(io.BytesIO(service.course_planning_workbook(PROVIDER)))
    assert book.sheetnames == ["About", "Expected participants", "Plan runs", "Curriculum gaps", "Competing courses"]
    runs = [row for row in book["Plan runs"].iter_rows(values_only=True)]
    assert runs[0][:2] == ("year", "course")
    assert {row[1] for row in runs[1:]} == {plan["pooled"]["title"], plan["single"]["title"]}
    assert ":c" in {row[6] for row in runs[1:]}
