"""English and Danish: every interface text in both catalogues, formats per language, and the pages switching language."""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from skills import i18n, service
from skills.cli import main
from skills.schemas import SKILL_GROUP_NAMES
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
    assert same <= {"vetplan", "Data", "Plan", "Region", "region", "Download", "Download (xlsx)", "Format", "YAML", "score", "type",
                    "{count} person"}
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


def _explanation_sentences() -> list[str]:
    """Sentences :mod:`optimisation.explain` writes: a solved hand-made region's, and the known answers' of its tests."""
    from optimisation.explain import shadow_prices, unmet_reasons
    from tests.test_optimisation_explain import two_courses_one_budget

    model, result, plan = two_courses_one_budget()
    solved = [*unmet_reasons(model, plan, result)["sentence"], *shadow_prices(model, plan)["sentence"]]  # type: ignore[arg-type]
    known = [
        "One more trainer hour at Midtjysk Erhvervsskole in 2027 is worth about 0.757 weighted gap units "
        "(EUR 757 of net value, runs free to grow beyond the plan).",
        "One more seat on Lean basics in 2027 would close 3.00 more weighted gap units (EUR 100 more spent in total).",
        "One more trainer hour at AMU Vest in 2028 would lower total cost by about EUR 1 200.",
        "One more EUR 1 000 of public budget in 2027 would lower total cost by EUR 2 500; if runs could be added, "
        "about EUR 3 000 less cost (LP estimate).",
        "One more PLC programming hire available in DK041 in 2028 would not lower total cost with the runs as planned.",
        "One more training place for Holstebro Præcision ApS in 2027 would close nothing more with the runs as planned.",
        "Holstebro Præcision ApS needs about 19 people at level 3 in PLC programming by 2028 (now level 1): about 7 people "
        "stay unmet because courses reaching level 3 need entry level 2 or more; staff are at level 1; "
        "a hire takes 14 months, too late for 2028.",
        "Company A needs 1 person at level 4 in five s by 2029 (now level 0): 1 person stays unmet because no course "
        "reaches level 4 (the highest taught is 3); hires bring level 3, below the required 4.",
        "Company A needs 8 people at level 1 in five s by 2027 (now level 0): 2 people stay unmet because every suitable "
        "course's runs are at their yearly maximum and full; Company A already sends as many staff as it can release; "
        "Company A has reached its cost cap; the providers of the suitable courses have no trainer hours left; "
        "the five s hires available in DK041 are all taken.",
        "Company A needs 6 people at level 1 in five s by 2027 (now level 0): 6 people stay unmet because the coverage "
        "target is met; closing more would only add cost; the labour market in DK041 offers no five s hires.",
        "Company A needs 2 people at level 2 in five s by 2027 (now level 0): 2 people stay unmet because courses reaching "
        "level 2 run only outside DK041 and not online; no course teaches five s; too few people in reach need the "
        "suitable courses to fill a cohort of at least 4.",
    ]
    return [*solved, *known]


#: Words of the English templates that a Danish sentence must not hold.
ENGLISH_WORDS = re.compile(r"\b(would|needs|stay|stays|because|weighted|people|course|hires?|level|about|more|unmet)\b")


def test_every_explanation_reads_in_both_languages_from_its_template() -> None:
    english, danish = i18n.translator("en"), i18n.translator("da")
    sentences = _explanation_sentences()
    assert len(sentences) >= 12
    for sentence in sentences:
        # English: the same sentence, money as the rest of the app writes it (EUR 1,000, not EUR 1 000)
        assert english.explanation(sentence) == re.sub(r"(EUR -?\d+) (\d{3})\b", r"\1,\2", sentence), sentence
        shown = danish.explanation(sentence, {"PLC programming": "PLC-programmering", "five s": "5S"})
        assert shown != sentence, f"no template reads: {sentence}"
        assert not ENGLISH_WORDS.findall(shown.replace("Company A", "")), shown
    budget = danish.explanation("One more EUR 1 000 of public budget in 2027 would close 2.50 more weighted gap units (EUR 2 000 more spent in total).")
    assert budget == "1.000 EUR mere i offentligt budget i 2027 ville lukke 2,50 vægtede gabenheder mere (2.000 EUR mere brugt i alt)."
    assert danish.explanation(sentences[-5], {"PLC programming": "PLC-programmering"}).startswith(
        "Holstebro Præcision ApS har brug for ca. 19 personer på niveau 3 i PLC-programmering senest 2028 (nu niveau 1): ca. 7 personer"
    )
    assert danish.explanation("a sentence no template knows") == "a sentence no template knows"
    # one person stays, several people stay: the verb agrees, and both read in Danish
    assert not [s for s in sentences if re.search(r"\b1 person stay\b|people stays\b", s)]
    singular = next(s for s in sentences if "1 person stays unmet" in s)
    assert ": 1 person forbliver udækket, fordi " in danish.explanation(singular, {"five s": "5S"})


def test_every_explanation_template_is_in_both_catalogues() -> None:
    danish = _catalogue("da")
    templates = [template for template, _translated in i18n.translator("en")._explanation_templates()]
    assert len(templates) >= 25
    missing = [template for template in templates if not danish.get(template) or danish[template] == template]
    assert missing == []
    assert all(_fields(template) == _fields(danish[template]) for template in templates)


def test_whole_people_in_both_languages() -> None:
    english, danish = i18n.translator("en"), i18n.translator("da")
    assert [english.people(text) for text in ("about 19 people", "1 person", "2 people")] == ["about 19 people", "1 person", "2 people"]
    assert [danish.people(text) for text in ("about 19 people", "1 person", "1200 people")] == ["ca. 19 personer", "1 person", "1.200 personer"]


def test_changes_against_the_base_read_with_the_settings_names_and_formats() -> None:
    english, danish = i18n.translator("en"), i18n.translator("da")
    change = "budget_per_year: 250000 -> 80000 (budget_cut); subsidy_rate: 0.5 -> 0.35; company_cost_cap: none -> 20000"
    assert english.changes(change, "EUR") == (
        "public budget per year: EUR 250,000 → EUR 80,000 (budget_cut); subsidy rate: 50 % → 35 %; "
        "cost cap per company: unlimited → EUR 20,000"
    )
    assert danish.changes(change, "EUR") == (
        "offentligt budget pr. år: 250.000 EUR → 80.000 EUR (budget_cut); tilskudssats: 50 % → 35 %; "
        "udgiftsloft pr. virksomhed: ubegrænset → 20.000 EUR"
    )
    assert danish.changes("budget_per_year: {2027: 100000, 2028: 50000} -> 250000", "EUR") == (
        "offentligt budget pr. år: 2027: 100.000 EUR; 2028: 50.000 EUR → 250.000 EUR"
    )
    assert (english.changes("none", "EUR"), danish.changes("", "EUR")) == ("none", "ingen")
    assert danish.setting_value("objective", "min_cost", "EUR") == danish("spend least for a coverage target")


def test_tables_keep_figures_as_numbers_and_show_them_in_the_language() -> None:
    frame = pd.DataFrame({"course": ["B", "A"], "hours": [1234.5, 200.0], "runs": ["12", "3"], "year": [2027, 2028],
                          "participants": ["12", ":c"]})
    styled = i18n.translator("da").table(frame, {"hours": "timer"})
    assert pd.api.types.is_float_dtype(styled.data["timer"]) and pd.api.types.is_integer_dtype(styled.data["runs"])
    assert styled.data.sort_values("runs")["runs"].tolist() == [3, 12]  # sorted as numbers, not as text
    shown = styled.to_string(delimiter="|").splitlines()
    assert shown[1].split("|")[1:] == ["B", "1.234,5", "12", "2027", "12"]
    assert shown[2].split("|")[1:] == ["A", "200,0", "3", "2028", "–"]  # a withheld figure keeps its column text


def test_import_problems_show_readable_headers() -> None:
    problems = pd.DataFrame({"severity": ["error"], "file": ["a.csv"], "sheet": [None], "table": ["survey"], "row": [3],
                             "column": ["headcount"], "value": ["x"], "message": ["not a number"]})
    danish = i18n.translator("da").problems(problems)
    assert list(danish.data.columns) == ["alvor", "fil", danish_text("sheet"), "tabel", "række", danish_text("column"),
                                         danish_text("value"), "besked"]
    assert danish.data["alvor"].tolist() == ["fejl"]
    assert list(i18n.translator("en").problems(problems).data.columns) == list(problems.columns)


def danish_text(msgid: str) -> str:
    """``msgid`` in Danish, and never the same as the English (a header left in English fails here)."""
    text = i18n.translator("da")(msgid)
    assert text != msgid, msgid
    return text


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


def displayed(element: Any) -> pd.DataFrame:
    """What an AppTest dataframe shows: the Styler's display texts when the page sent one, else its values."""
    styler = element.proto.arrow_data.styler
    if styler.display_values:
        return dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
    return element.value


def _chart_words(app: AppTest) -> set[str]:
    """Every text in the data of the page's charts (Streamlit sends a chart's rows apart from its spec)."""
    found: set[str] = set()
    for chart in app.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data)
            found.update(str(value) for column in frame.columns if not pd.api.types.is_numeric_dtype(frame[column])
                         for value in frame[column].dropna())
    return found


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
    # the charts name skills in Danish and sectors by name, as the tables do
    skills = service.skill_choices()
    translated = skills[skills["label"] != skills["label_da"]]
    words = _chart_words(app)
    assert set(translated["label_da"]) & words and not set(translated["label"]) & words
    names = service.sector_names("da")
    assert {names["C25"]} <= words and "C25" not in words

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
    # the charts' data and legends too: payers, closed and unmet, skill groups
    words = _chart_words(app)
    assert {danish("public"), danish("company"), danish("closed"), danish("unmet")} <= words, sorted(words)[:30]
    assert not {"public", "company", "closed", "unmet", *SKILL_GROUP_NAMES.values()} & words
    assert json.dumps(danish("unmet"))[1:-1] in specs  # the colour scale's categories are the rows' words
    limits = [element.value for element in app.markdown if element.value.startswith("- ")]
    assert limits, "no sentences under 'What limits the plan'"
    assert not [text for text in limits if ENGLISH_WORDS.search(text)], limits
    assert not re.search(r"EUR \d+ \d{3}", " ".join(limits))  # money as Danish writes it: 1.000 EUR


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
        frames: list[pd.DataFrame] = [displayed(frame) for frame in app.dataframe]
        cells = {str(value) for frame in frames[:2] for value in frame.to_numpy().ravel()}
        assert expected in cells, (language, sorted(cells)[:20])
        assert not {"None", "nan", "1234.5"} & cells
        # behind the text the figure is a number, so the column sorts by value (1 234.5 after 200, not before)
        values = [frame.value[column] for frame in app.dataframe[:2] for column in frame.value.columns]
        hours = [column for column in values if (column.astype("string") == "1234.5").fillna(False).any()]
        assert hours and all(pd.api.types.is_float_dtype(column) for column in hours), [column.dtype for column in hours]


def test_an_import_s_problems_and_a_stale_run_s_note_read_in_danish(sample: None) -> None:
    survey = (
        b"company_name,region,sector,employees,skill,headcount,current_level,required_level,needed_by,priority\n"
        b"Fjord Plast ApS,DK041,C22,25,plc_programming,-2,0,9,2028,low\n"
        b"Fjord Plast ApS,DK041,C22,25,plc_programming,1,0,2,,low\n"
    )
    outcome = service.import_data("survey", survey, name="bad.csv", dry_run=True)
    problems = service.problems_frame(outcome)
    assert len(problems) >= 2
    english, danish = i18n.translator("en"), i18n.translator("da")
    read = danish.problems(problems).data["besked"].tolist()
    # every message the import wrote is in Danish (none left as the English text), with its figures kept
    assert all(shown != message for shown, message in zip(read, problems["message"], strict=True)), read
    assert any(re.fullmatch(r"skal være et helt tal(, mindst| mellem) \d.*", text) for text in read), read
    assert english.problems(problems).data["message"].tolist() == problems["message"].tolist()

    note = service.stale_sentence({"run_id": 3, "scenario": "base", "data_version": 2}, 5)
    assert danish.stale_note(note) == (
        "Kørsel 3 af base blev lavet på dataversion 2; data er nu i version 5: vetplan scenario run base planlægger den "
        "igen på de aktuelle data."
    )
    assert english.stale_note(note) == note
    assert "en ukendt dataversion" in danish.stale_note(service.stale_sentence({"run_id": 1, "scenario": "x", "data_version": None}, 5))


def test_a_company_user_is_described_by_the_company_s_name() -> None:
    from skills.access import Principal, Role

    english, danish = i18n.translator("en"), i18n.translator("da")
    anna = Principal(user="anna", role=Role.COMPANY, company_id="C001")
    assert english.describe(anna, "Dahl El-teknik ApS").endswith("(company Dahl El-teknik ApS)")
    assert danish.describe(anna, "Dahl El-teknik ApS").endswith("(virksomhed Dahl El-teknik ApS)")
    assert english.describe(anna, "Dahl El-teknik ApS") == "anna (company Dahl El-teknik ApS)"


def test_joined_reasons_read_in_danish_part_by_part() -> None:
    danish = i18n.translator("da")
    words = danish.words()
    joined = pd.Series(["entry level above current level; online", "online", "a value no list has", None])
    shown = danish.in_words(joined).tolist()
    assert shown[0] == f"{words['entry level above current level']}; {words['online']}"
    assert shown[1:3] == [words["online"], "a value no list has"]
    assert pd.isna(shown[3])


def test_course_planning_in_danish_has_no_english_word_left_in_its_tables(sample: None) -> None:
    app = AppTest.from_file(str(PAGES / "courses.py"), default_timeout=90)
    app.session_state[i18n.LANGUAGE_KEY] = "da"
    signed_in(app, "policymaker").run()
    assert not app.exception
    assert _english_left(app) == []
    english = {word for word, text in i18n.translator("da").words().items() if word != text}
    cells = {str(value) for table in app.dataframe for value in displayed(table).to_numpy().ravel()}
    assert cells, "the page shows no table"
    left = {part for cell in cells for part in cell.split("; ")} & english
    assert not left, f"English words on the Danish course planning: {sorted(left)}"
