"""English and Danish: every interface text in both catalogues, formats per language, and the pages switching language."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from skills import i18n, service
from skills.cli import main
from tests.fixtures.signin import signed_in

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = ROOT / "pages"


def _fields(text: str) -> set[str]:
    """The ``{name}`` placeholders of a text."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def _catalogue(language: str) -> dict[str, str]:
    """msgid -> msgstr of a catalogue as stored, empty and fuzzy entries included."""
    with i18n.catalogue_path(language).open("rb") as file:
        catalogue = read_po(file, locale=i18n.LOCALES[language], domain=i18n.DOMAIN)
    assert not [m.id for m in catalogue if m.id and m.fuzzy], f"{language}: fuzzy entries"
    return {str(message.id): str(message.string) for message in catalogue if message.id}


# ---- catalogues -----------------------------------------------------------------------------------


def test_the_extractor_reads_the_pages_sources() -> None:
    found, problems = i18n.extract_messages(i18n.source_files())
    assert problems == [], f"_() needs one string literal: {problems}"
    places = {place.split(":")[0] for places in found.values() for place in places}
    expected = {"app.py", *(f"pages/{path.name}" for path in PAGES.glob("*.py") if path.name != "__init__.py")}
    assert expected - {"pages/cached.py"} <= places
    assert "Skills gaps" in found and "Training and recruitment plan" in found


def test_the_extractor_refuses_a_text_it_cannot_catalogue(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text('_ = t\nst.title(_("Plain"))\nst.write(_(f"{x} rows"))\nst.write(_(name))\n', encoding="utf-8")
    found, problems = i18n.extract_messages([page])
    assert list(found) == ["Plain"]
    assert problems == ["page.py:3", "page.py:4"]


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_text_is_in_every_catalogue_and_nothing_stale(language: str) -> None:
    used = set(i18n.expected_messages())
    catalogue = _catalogue(language)
    assert sorted(used - set(catalogue)) == [], f"{language}: texts missing (run python -m skills.i18n)"
    assert sorted(set(catalogue) - used) == [], f"{language}: stale entries (run python -m skills.i18n)"
    untranslated = sorted(msgid for msgid, text in catalogue.items() if not text.strip())
    assert untranslated == [], f"{language}: texts without a translation"
    broken = sorted(msgid for msgid, text in catalogue.items() if _fields(msgid) != _fields(text))
    assert broken == [], f"{language}: placeholders differ from the msgid"


def test_the_english_catalogue_is_the_msgids() -> None:
    assert all(msgid == text for msgid, text in _catalogue("en").items())


def test_danish_is_really_danish() -> None:
    danish = _catalogue("da")
    same = {msgid for msgid, text in danish.items() if msgid == text}
    # names, formats and words that are the same in both languages
    assert same <= {"vetplan", "Data", "Plan", "Region", "region", "Download", "Download (xlsx)", "Format", "YAML", "score", "type"}
    assert danish["Skills gaps"] == "Kompetencegab"
    assert danish["Provider"] == "Udbyder"


# ---- formats ---------------------------------------------------------------------------------------


def test_numbers_money_percent_and_dates_per_language() -> None:
    english, danish = i18n.translator("en"), i18n.translator("da")
    assert (english.number(1506), danish.number(1506)) == ("1,506", "1.506")
    assert (english.number(1234.5, 1), danish.number(1234.5, 1)) == ("1,234.5", "1.234,5")
    assert (english.money(50_000, "EUR"), danish.money(50_000, "DKK")) == ("EUR 50,000", "50.000 DKK")
    assert (english.percent(0.456), danish.percent(0.00456, 2)) == ("46 %", "0,46 %")
    day = dt.date(2027, 3, 1)
    assert (english.date(day), danish.date(day, "long")) == ("1 Mar 2027", "1. marts 2027")
    assert english.budget({2027: 50_000, 2028: 10_000}, "EUR") == "2027: EUR 50,000; 2028: EUR 10,000"
    assert english.budget({2027: 50_000}, "EUR") == service.budget_text({2027: 50_000}, "EUR")
    assert (danish.budget(None, "EUR"), danish.budget(0, "EUR"), danish.budget(5e4, "EUR")) == (
        "ubegrænset", "ingen offentlige midler", "50.000 EUR om året",
    )


def test_unknown_language_falls_back_to_english() -> None:
    assert i18n.translator("xx").language == "en"
    assert i18n.translator(None)("Skills gaps") == "Skills gaps"
    assert i18n.translator("da")("a text no catalogue has") == "a text no catalogue has"


# ---- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def sample(database_url: str) -> None:
    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0


def _english_left(app: AppTest) -> list[str]:
    """Titles, headers, tab and metric labels still in English (texts whose Danish differs)."""
    english = {msgid for msgid, text in i18n.messages("da").items() if msgid != text}
    shown = [
        *(element.value for element in [*app.title, *app.header, *app.subheader]),
        *(tab.label for tab in app.tabs),
        *(metric.label for metric in app.metric),
    ]
    return [text for text in shown if text in english]


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_the_sidebar_switches_overview_and_gaps_to_danish_and_back(sample: None) -> None:
    app = signed_in(AppTest.from_file(APP, default_timeout=90)).run()
    assert not app.exception
    switch = app.sidebar.selectbox(key=i18n.LANGUAGE_SWITCH_KEY)
    assert (switch.label, switch.value, switch.options) == ("Language / Sprog", "en", ["English", "Dansk"])
    assert [button.label for button in app.sidebar.button] == ["Sign out"]
    gap_units = service.info().counts["gap_units"]
    assert _metrics(app)["Gap units"] == f"{gap_units:,}"

    switch.set_value("da").run()
    assert not app.exception
    metrics = _metrics(app)
    assert metrics["Kompetencegab (enheder)"] == f"{gap_units:,}".replace(",", ".")
    assert "Virksomheder" in metrics and "Ansatte" in metrics
    assert app.title[0].value == "vetplan"  # the product's name, the same in both languages
    assert app.session_state[i18n.LANGUAGE_KEY] == "da"
    assert _english_left(app) == []
    # (AppTest drops the sidebar's elements from its tree after the first run, so the switch and the
    # sign-out button are read on the first run only; the choice itself stays in the session state)

    app.switch_page("pages/gaps.py").run()  # the choice is remembered on the next page
    assert not app.exception
    assert app.session_state[i18n.LANGUAGE_KEY] == "da"
    assert app.title[0].value == "Kompetencegab"
    assert [tab.label for tab in app.tabs] == ["Min virksomhed", "Region", "Skoler: kursusudbud og efterspørgsel"]
    company = app.selectbox(key="gaps_company").value
    profile = service.company_profile(company)
    metrics = _metrics(app)
    assert metrics["Kompetencekrav, der allerede er opfyldt"] == i18n.translator("da").percent(profile.compliance)
    assert metrics["Kompetencegab (enheder)"] == f"{int(profile.gaps['gap_units'].sum()):,}".replace(",", ".")
    assert app.selectbox(key="gaps_by").label == "Fordelt på"
    assert _english_left(app) == []

    app.session_state[i18n.LANGUAGE_KEY] = "en"  # what the switch's callback sets
    app.run()
    assert not app.exception
    assert app.title[0].value == "Skills gaps"
    assert [tab.label for tab in app.tabs] == ["My company", "Region", "Schools: curriculum and course demand"]


def test_the_plan_page_in_danish(sample: None) -> None:
    app = AppTest.from_file(str(PAGES / "plan.py"), default_timeout=180)
    app.session_state[i18n.LANGUAGE_KEY] = "da"
    signed_in(app).run()
    assert not app.exception
    assert app.title[0].value == "Plan for efteruddannelse og rekruttering"
    assert any("tryk på Beregn" in info.value for info in app.info)
    assert app.button(key="plan_solve").label == "Beregn"
    app.text_input[0].set_value("dansk_test")
    app.button(key="plan_solve").click().run()
    assert not app.exception
    result: service.PlanResult = app.session_state["plan_result"]
    danish = i18n.translator("da")
    assert any(message.value.startswith("Scenarie dansk_test: ") for message in [*app.success, *app.info])
    metrics = _metrics(app)
    assert metrics["Lukkede kompetencegab (enheder)"] == danish.number(result.closed_units)
    assert metrics["Offentlige udgifter"] == danish.compact_money(result.public_cost, "EUR")  # short enough for its column
    assert re.fullmatch(r"\d{1,3}(,\d)?\xa0(t|mio\.) EUR", metrics["Offentlige udgifter"]), metrics["Offentlige udgifter"]
    assert any(caption.value.startswith("Offentligt budget: ") for caption in app.caption)
    assert [tab.label for tab in app.tabs] == ["Kursushold", "Deltagere", "Ansættelser", "Udækkede gab og hvorfor"]
    assert _english_left(app) == []
    specs = " ".join(chart.proto.spec for chart in app.get("vega_lite_chart"))  # the charts' titles in Danish too
    assert "efter hvem der betaler (EUR)" in specs and "Cost per year" not in specs  # (the spec escapes "å")


@pytest.mark.parametrize("page", ["data.py", "review.py", "scenarios.py", "sign_in.py", "home.py"])
def test_every_other_page_renders_in_danish(sample: None, page: str) -> None:
    app = AppTest.from_file(str(PAGES / page), default_timeout=90)
    app.session_state[i18n.LANGUAGE_KEY] = "da"
    signed_in(app).run()
    assert not app.exception
    assert _english_left(app) == []
    assert app.title[0].value == i18n.translator("da")(
        {"data.py": "Data", "review.py": "Skill mapping review", "scenarios.py": "Compare scenarios",
         "sign_in.py": "Sign in to vetplan", "home.py": "vetplan"}[page]
    )


def test_the_same_figure_reads_1_234_5_in_english_and_1_234_5_danish_style_on_the_company_page(database_url: str) -> None:
    """A course of 1 234.5 hours on My company: written with the language's separators, and no "None" cells in Danish either."""
    import io

    import pandas as pd

    from tests.fixtures.sample_db import copy_sample_to
    from tests.fixtures.signin import signed_in

    copy_sample_to(database_url)
    company = "C001"
    course_title = service.company_profile(company).gaps["course"].dropna().iloc[0]
    courses = service.load_dataset().flat("courses")
    changed = courses[courses["title"] == course_title].head(1).assign(hours=1234.5)
    buffer = io.StringIO()
    changed.drop(columns=[column for column in changed.columns if column == "assumed"]).to_csv(buffer, index=False)
    assert service.import_data("courses", buffer.getvalue().encode(), name="hours.csv").stored
    for language, expected in (("en", "1,234.5"), ("da", "1.234,5")):
        app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "pages" / "gaps.py"), default_timeout=90)
        app.session_state[i18n.LANGUAGE_KEY] = language
        app = signed_in(app, "company", company_id=company).run()
        assert not app.exception
        frames: list[pd.DataFrame] = [frame.value for frame in app.dataframe]
        cells = {str(value) for frame in frames[:2] for value in frame.to_numpy().ravel()}
        assert expected in cells, (language, sorted(cells)[:20])
        assert not {"None", "nan", "1234.5"} & cells
