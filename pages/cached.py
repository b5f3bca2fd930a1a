"""The app's caches: one store per process, and every derived table kept by (database, data version)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from skills import i18n, service

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

    from skills.access import Principal
    from skills.store import Store

#: Where a browser session keeps its sign-in token (the session row in the database says who it is).
TOKEN = "vetplan_token"


def language() -> str:
    """The interface language this browser session chose (the sidebar switch), or the default."""
    return i18n.language_of(st.session_state.get(i18n.LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE))


def translator() -> i18n.Translator:
    """Interface text and formats in this session's language."""
    return i18n.translator(language())


def store() -> Store:
    """The configured database's store, opened once per server process and shared by every session."""
    return _store(service.database_url())


@st.cache_resource(show_spinner=False, max_entries=8)
def _store(url: str) -> Store:
    return service.get_store_for(url)


def principal() -> Principal | None:
    """Who this browser session signed in as, or None (never signed in, signed out, expired)."""
    return service.session_principal(st.session_state.get(TOKEN), store=store())


def signed_in() -> Principal:
    """The signed-in principal; otherwise the page says to sign in and stops."""
    found = principal()
    if found is None:
        _ = translator()
        st.warning(_("Sign in first: vetplan shows its data to signed-in users only."))
        st.stop()
    return found


def sign_out() -> None:
    """End this browser session's sign-in (and single sign-on's, when it was used)."""
    service.sign_out(st.session_state.pop(TOKEN, None), store=store())
    if single_sign_on_configured() and st.user.is_logged_in:
        st.logout()


def single_sign_on_configured() -> bool:
    """Whether the operator configured OpenID Connect (an ``[auth]`` section in Streamlit's secrets)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return False


def data_key() -> tuple[str, int]:
    """What every cached data view is keyed by: the database's id and its data version (one indexed read)."""
    current = store()
    return current.database_id, current.version("data")


def results_key() -> tuple[str, int]:
    """What cached plan results are keyed by: the database's id and its results version."""
    current = store()
    return current.database_id, current.version("results")


@st.cache_data(show_spinner=False, max_entries=16)
def info(key: tuple[str, int], who: Principal) -> service.Info:
    """Headline counts of the region (``key`` from :func:`data_key`)."""
    del key  # the cache key only
    return service.info(store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def unmapped(key: tuple[str, int], who: Principal) -> dict[str, int]:
    """Survey rows waiting for skill review."""
    del key
    return service.unmapped(store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def company_choices(key: tuple[str, int], who: Principal) -> pd.DataFrame:
    """company_id and name of every company, for pickers."""
    del key
    return service.company_choices(store(), principal=who)


def own_company_name(who: Principal) -> str | None:
    """The signed-in company user's company name (``None`` for other roles or an unknown company)."""
    if not who.company_id:
        return None
    companies = company_choices(data_key(), who)
    own = companies.loc[companies["company_id"] == who.company_id, "name"]
    return str(own.iloc[0]) if len(own) else None


@st.cache_data(show_spinner=False, max_entries=16)
def skill_choices(key: tuple[str, int]) -> pd.DataFrame:
    """skill_id, label and group of every skill, for pickers."""
    del key
    return service.skill_choices(store())


@st.cache_data(show_spinner=False, max_entries=256)
def gaps(
    key: tuple[str, int], who: Principal, view: str, by: str | tuple[str, ...] = "skill", company: str | None = None,
    provider: str | None = None,
) -> pd.DataFrame:
    """A gap table (see :func:`skills.service.gaps`), computed once per data version and arguments."""
    del key
    return service.gaps(view, by=by, company=company, provider=provider, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=256)
def gaps_shown(
    key: tuple[str, int], who: Principal, view: str, by: str | tuple[str, ...] = "skill", company: str | None = None,
    provider: str | None = None,
) -> pd.DataFrame:
    """A gap table as the app shows it (suppressed cells ``:c``)."""
    return service.gaps_for_display(gaps(key, who, view, by, company, provider), for_app=True)


@st.cache_data(show_spinner=False, max_entries=64)
def gaps_workbook(key: tuple[str, int], who: Principal, view: str, by: str | tuple[str, ...] = "skill") -> bytes:
    """A disclosure-controlled gap table as an xlsx download."""
    return service.write_frame(service.gaps_for_display(gaps(key, who, view, by)), "xlsx")


@st.cache_data(show_spinner=False, max_entries=256)
def coverage_options(key: tuple[str, int], who: Principal, company: str) -> pd.DataFrame:
    """For each of one company's gaps, the courses that close it."""
    del key
    return service.coverage_options(company, store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def review_queue(key: tuple[str, int], who: Principal) -> pd.DataFrame:
    """Phrases waiting for review."""
    del key
    return service.review_queue(store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=256)
def review_suggestions(key: tuple[str, int], who: Principal, queue_id: int) -> pd.DataFrame:
    """The likeliest skills for a queued phrase."""
    del key
    return service.review_suggestions(queue_id, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def stored_scenarios(key: tuple[str, int], who: Principal) -> list[str]:
    """Names of scenarios with a stored result (``key`` from :func:`results_key`)."""
    del key
    return service.stored_scenarios(store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=64)
def compare_scenarios(key: tuple[str, int], who: Principal, names: tuple[str, ...]) -> pd.DataFrame:
    """Headline figures of stored scenarios side by side."""
    del key
    return service.compare_scenarios(list(names), store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=64)
def scenario_table(key: tuple[str, int], who: Principal, table: str, names: tuple[str, ...]) -> pd.DataFrame:
    """One stored plan table of several scenarios, tidy."""
    del key
    return service.scenario_table(table, list(names), store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def scenario_runs(key: tuple[str, int], data: tuple[str, int], who: Principal) -> pd.DataFrame:
    """Every stored run, newest first, flagged when made on other data (``data`` from :func:`data_key`)."""
    del key, data
    return service.scenario_runs(store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=64)
def compare_runs(key: tuple[str, int], data: tuple[str, int], who: Principal, names: tuple[str, ...], baseline: str) -> service.Comparison:
    """Stored runs against a baseline (see :func:`skills.service.compare_runs`)."""
    del key, data
    return service.compare_runs(list(names), baseline=baseline, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=256)
def company_profile(key: tuple[str, int], who: Principal, company: str) -> service.CompanyProfile:
    """One company's own picture (see :func:`skills.service.company_profile`)."""
    del key
    return service.company_profile(company, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def provider_choices(key: tuple[str, int], who: Principal) -> list[str]:
    """Course providers the principal may choose."""
    del key
    return service.provider_choices(store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=256)
def survey_answers(key: tuple[str, int], who: Principal, company: str) -> pd.DataFrame:
    """One company's stored survey answers, as its form shows them."""
    del key
    return service.survey_answers(company, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=64)
def course_planning(
    key: tuple[str, int], results: tuple[str, int], who: Principal, provider: str, language: str
) -> service.CoursePlanning:
    """One provider's course planning (``results`` from :func:`results_key`: the plan's runs are part of it)."""
    del key, results
    return service.course_planning(provider, language=language, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=64)
def suggestions_at_least(key: tuple[str, int], who: Principal, min_chance: float) -> pd.DataFrame:
    """Pending phrases whose suggestion has at least ``min_chance`` (%)."""
    del key
    return service.suggestions_at_least(min_chance, store=store(), principal=who)


@st.cache_data(show_spinner=False, max_entries=16)
def course_titles(key: tuple[str, int]) -> dict[str, str]:
    """course_id -> title of every course in the catalogue."""
    del key
    return service.course_titles(store())


def labels(currency: str) -> dict[str, str]:
    """What the columns of plan, comparison and gap tables are called on a page, in this session's language."""
    _ = translator()
    return {
        "year": _("year"), "course": _("course"), "title": _("course"), "provider": _("provider"), "region": _("region"),
        "mode": _("mode"), "runs": _("runs"), "participants": _("participants"), "seats": _("seats"),
        "companies": _("companies"), "fixed_cost": _("fixed cost ({currency})").format(currency=currency),
        "band": _("range (too few companies)"), "scenario": _("scenario"), "sector": _("sector"), "size_band": _("company size"),
        "skill": _("skill"), "group": _("skill group"), "hires": _("hires"), "cost": _("cost ({currency})").format(currency=currency),
        "unmet_units": _("unmet gap units"), "reason": _("why unmet"), "subject": _("gap"), "sentence": _("explanation"),
        "value": _("value"), "label": _("run"), "run_id": _("run no."), "created_at": _("solved at"), "status": _("status"),
        "gap": _("within (of the best bound)"), "data_version": _("data version"), "on_current_data": _("on the current data"),
        "changes": _("changes against the base"), "setting": _("setting"), "budget": _("public budget per year ({currency})").format(
            currency=currency), "weighted_closed_units": _("gap units closed, weighted"), "closed_units": _("gap units closed"),
        "public_cost": _("public cost ({currency})").format(currency=currency), "reused_from": _("reused from"),
        "gap_units": _("gap units"), "units": _("gap units"), "people": _("people"), "company_cost": _("cost to the company ({currency})").format(
            currency=currency), "public_share": _("public share ({currency})").format(currency=currency),
        "hours": _("hours"), "occupation": _("occupation"), "cost_per_hire": _("cost per hire ({currency})").format(currency=currency),
        "start_month": _("start month"), "size": _("company size"), "role": _("role"), "needed_by": _("year"),
        "weighted_gap_units": _("gap units, weighted by priority"), "level_gap_units": _("levels short (people × levels)"),
        "mean_level_gap": _("levels short per person"), "course_region": _("course region"),
        "unit_cost": _("cost per person in a full run ({currency})").format(currency=currency), "max_participants": _("seats per run"),
        "max_runs_per_year": _("runs a year at most"), "runs_needed": _("runs needed"),
        "training_cost": _("training cost ({currency})").format(currency=currency), "required_level": _("required level"),
        "why_uncovered": _("why no course covers it"), "sectors": _("sectors asking"), "company_share": _("company share ({currency})").format(currency=currency),
    }


def shown(frame: pd.DataFrame, currency: str, *, figure: str = "participants", digits: dict[str, int] | None = None) -> Styler:
    """A plan or comparison table as a page shows it: courses by title, a withheld ``figure`` as its range, codes in
    words, numbers in the session's language, missing cells blank, columns named."""
    _ = translator()
    table = frame.copy()
    if "course_id" in table:
        titles = course_titles(data_key())
        table.insert(list(table.columns).index("course_id"), "course", table["course_id"].astype("string").map(lambda cid: titles.get(str(cid), cid)))
        table = table.drop(columns="course_id")
    if "band" in table and figure in table:
        # a figure withheld (too few companies) shows its range in its own column
        value = table[figure].astype("object")
        band = table["band"].astype("object")
        table[figure] = value.where((value.notna() & (value.astype("string") != ":c")).fillna(False).astype(bool), band)
        table = table.drop(columns="band")
    for column in ("mode", "reason", "status", "unmet_reason", "priority", "why_uncovered"):
        if column in table:
            table[column] = _.in_words(table[column])  # also each of several joined reasons
    if "sector" in table:
        names = service.sector_names(language())
        table["sector"] = table["sector"].map(lambda code: names.get(str(code), code))
    for column in ("region", "course_region"):  # regions by name (Vestjylland), never their NUTS codes
        if column in table:
            table[column] = i18n.region_names(table[column].astype("object"))
    if "changes" in table:
        table["changes"] = table["changes"].map(lambda text: _.changes(str(text), currency))
    if "created_at" in table:
        table["created_at"] = table["created_at"].map(lambda when: _.moment(str(when)) if when is not None and str(when) else "")
    return _.table(table, labels(currency), digits=digits)


def gap_table(frame: pd.DataFrame, currency: str) -> Styler:
    """A protected gap table (``gaps_shown``) as a page shows it: skills and courses by name, the flags left out,
    a withheld figure as its range, columns named in the session's language."""
    table = frame.drop(columns=[column for column in ("suppressed", "is_total") if column in frame])
    if "label" in table and "skill" in table:
        skills = skill_choices(data_key())
        names = dict(zip(skills["skill_id"], skills["label_da" if language() == "da" else "label"], strict=True))
        table = table.assign(label=[names.get(str(sid)) or label for sid, label in zip(table["skill"], table["label"], strict=True)])
        table = table.drop(columns="skill").rename(columns={"label": "skill"})
    if "title" in table and "course_id" in table:
        table = table.drop(columns="course_id")
    return shown(table, currency, figure="participants" if "participants" in table else "gap_units")


#: How Danish writes the numbers on a chart's axes and labels (Vega's number locale: 1.000.000, 2,5).
DANISH_CHART_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0kr."]}


def draw(target: Any, figure: Any) -> None:
    """Draw an Altair chart in ``target`` (``st`` or a column) in the session's language.

    Charts are built in English from codes and English names; the page draws the chart's Vega-Lite
    spec instead (which costs no more than drawing the chart), with sectors by name, and in another
    language the titles through the catalogue, the words its rows and legends hold (payers, statuses,
    skill groups, reasons, skill labels) through :meth:`skills.i18n.Translator.chart_values`, and the
    axes' numbers in the language's separators.
    """
    _ = translator()
    english = _.language == i18n.DEFAULT_LANGUAGE
    values: dict[str, str] = {}
    if not english:
        skills = skill_choices(data_key())
        values = {**dict(zip(skills["label"], skills["label_da"], strict=True)), **_.chart_values()}
    sectors = service.sector_names(language())

    def word(field: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if field == "sector":
            return sectors.get(value, value)
        if field in ("region", "course_region"):
            return i18n.region_name(value)
        return values.get(value, value)

    def translated(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            if key == "title":  # a title with a subtitle: {"text": ..., "subtitle": ...}
                return {name: _.chart_text(value) if name in ("text", "subtitle") and isinstance(value, str) else translated(value, name)
                        for name, value in node.items()}
            if key == "datasets":  # the chart's rows: their words in the language, sectors by name
                return {name: [{field: word(field, cell) for field, cell in row.items()} for row in rows] for name, rows in node.items()}
            return {name: translated(value, name) for name, value in node.items()}
        if isinstance(node, list):
            if key == "domain":  # a colour scale's categories name the same words as the rows
                return [word("", value) for value in node]
            return [translated(value) for value in node]
        if key == "title" and isinstance(node, str) and not english:
            return _.chart_text(node)
        return node

    spec = translated(figure.to_dict())
    # Skill labels and names on a bar chart's axis are read whole (Vega-Lite cuts them at 180 px).
    spec.setdefault("config", {}).setdefault("axisY", {}).setdefault("labelLimit", 320)
    if not english:
        spec.setdefault("config", {})["locale"] = {"number": DANISH_CHART_NUMBERS}
    target.vega_lite_chart(spec=spec, width="stretch")
