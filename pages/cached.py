"""The app's caches: one store per process, and every derived table kept by (database, data version)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from skills import service

if TYPE_CHECKING:
    import pandas as pd

    from skills.store import Store


def store() -> Store:
    """The configured database's store, opened once per server process and shared by every session."""
    return _store(service.database_url())


@st.cache_resource(show_spinner=False, max_entries=8)
def _store(url: str) -> Store:
    return service.get_store_for(url)


def data_key() -> tuple[str, int]:
    """What every cached data view is keyed by: the database's id and its data version (one indexed read)."""
    current = store()
    return current.database_id, current.version("data")


def results_key() -> tuple[str, int]:
    """What cached plan results are keyed by: the database's id and its results version."""
    current = store()
    return current.database_id, current.version("results")


@st.cache_data(show_spinner=False, max_entries=16)
def info(key: tuple[str, int]) -> service.Info:
    """Headline counts of the region (``key`` from :func:`data_key`)."""
    del key  # the cache key only
    return service.info(store())


@st.cache_data(show_spinner=False, max_entries=16)
def unmapped(key: tuple[str, int]) -> dict[str, int]:
    """Survey rows waiting for skill review."""
    del key
    return service.unmapped(store())


@st.cache_data(show_spinner=False, max_entries=16)
def company_choices(key: tuple[str, int]) -> pd.DataFrame:
    """company_id and name of every company, for pickers."""
    del key
    return service.company_choices(store())


@st.cache_data(show_spinner=False, max_entries=16)
def skill_choices(key: tuple[str, int]) -> pd.DataFrame:
    """skill_id, label and group of every skill, for pickers."""
    del key
    return service.skill_choices(store())


@st.cache_data(show_spinner=False, max_entries=256)
def gaps(key: tuple[str, int], view: str, by: str | tuple[str, ...] = "skill", company: str | None = None) -> pd.DataFrame:
    """A gap table (see :func:`skills.service.gaps`), computed once per data version and arguments."""
    del key
    return service.gaps(view, by=by, company=company, store=store())


@st.cache_data(show_spinner=False, max_entries=256)
def gaps_shown(key: tuple[str, int], view: str, by: str | tuple[str, ...] = "skill", company: str | None = None) -> pd.DataFrame:
    """A gap table as the app shows it (suppressed cells ``:c``)."""
    return service.gaps_for_display(gaps(key, view, by, company), for_app=True)


@st.cache_data(show_spinner=False, max_entries=64)
def gaps_workbook(key: tuple[str, int], view: str, by: str | tuple[str, ...] = "skill") -> bytes:
    """A disclosure-controlled gap table as an xlsx download."""
    return service.write_frame(service.gaps_for_display(gaps(key, view, by)), "xlsx")


@st.cache_data(show_spinner=False, max_entries=256)
def coverage_options(key: tuple[str, int], company: str) -> pd.DataFrame:
    """For each of one company's gaps, the courses that close it."""
    del key
    return service.coverage_options(company, store())


@st.cache_data(show_spinner=False, max_entries=16)
def review_queue(key: tuple[str, int]) -> pd.DataFrame:
    """Phrases waiting for review."""
    del key
    return service.review_queue(store=store())


@st.cache_data(show_spinner=False, max_entries=256)
def review_suggestions(key: tuple[str, int], queue_id: int) -> pd.DataFrame:
    """The likeliest skills for a queued phrase."""
    del key
    return service.review_suggestions(queue_id, store=store())


@st.cache_data(show_spinner=False, max_entries=16)
def stored_scenarios(key: tuple[str, int]) -> list[str]:
    """Names of scenarios with a stored result (``key`` from :func:`results_key`)."""
    del key
    return service.stored_scenarios(store())


@st.cache_data(show_spinner=False, max_entries=64)
def compare_scenarios(key: tuple[str, int], names: tuple[str, ...]) -> pd.DataFrame:
    """Headline figures of stored scenarios side by side."""
    del key
    return service.compare_scenarios(list(names), store())


@st.cache_data(show_spinner=False, max_entries=64)
def scenario_table(key: tuple[str, int], table: str, names: tuple[str, ...]) -> pd.DataFrame:
    """One stored plan table of several scenarios, tidy."""
    del key
    return service.scenario_table(table, list(names), store())
