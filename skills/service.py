"""The one module pages and the CLI call: every user action as a function over the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from skills.dataset import Dataset
from skills.settings import Settings, load_settings
from skills.store import Store

#: What each table is for, to tell a user what is missing.
TABLE_PURPOSE = {
    "skills": "the skills taxonomy (vetplan init loads the built-in one)",
    "companies": "companies answering the survey (import a survey)",
    "demand": "survey answers: skill needs per company (import a survey)",
    "courses": "the course catalogue (import courses)",
    "course_skills": "which skills each course teaches (import course_skills)",
    "supply": "recruitment supply per skill (import supply)",
}


@lru_cache(maxsize=8)
def _store_for(url: str) -> Store:
    return Store(url)


def get_store(settings: Settings | None = None) -> Store:
    """The store for the configured database URL (one engine per URL per process)."""
    return _store_for((settings or load_settings()).sqlalchemy_url)


@dataclass
class Info:
    """Headline figures of the loaded region and what is missing."""

    counts: dict[str, int]
    missing: list[str] = field(default_factory=list)
    database: str = ""
    currency: str = "EUR"
    pending_review: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "missing": self.missing,
            "database": self.database,
            "currency": self.currency,
            "pending_review": self.pending_review,
        }


def load_dataset(store: Store | None = None) -> Dataset:
    """The region as stored."""
    return (store or get_store()).load_dataset()


def info(store: Store | None = None) -> Info:
    """Counts of companies, employees, courses, providers, skills, demand rows, gap units; what is missing."""
    store = store or get_store()
    dataset = store.load_dataset()
    counts = dataset.counts()
    missing = [
        f"{name}: {purpose}" for name, purpose in TABLE_PURPOSE.items() if len(getattr(dataset, name)) == 0
    ]
    settings = load_settings()
    return Info(
        counts=counts,
        missing=missing,
        database=_redacted(store.url),
        currency=settings.currency,
        pending_review=len(store.read_queue("pending")),
    )


def init_database(*, sample: bool = False, store: Store | None = None) -> dict[str, Any]:
    """Create the database if missing; load the built-in taxonomy, and the sample region with ``sample``.

    Loads only into an empty database, so it never overwrites a user's data.
    """
    from skills.sample import read_csv_folder
    from skills.taxonomy import load_taxonomy

    store = store or get_store()
    loaded = "nothing"
    if store.is_empty():
        if sample:
            store.save_dataset(read_csv_folder(), source="sample region")
            loaded = "sample region"
        else:
            store.replace_tables({"skills": load_taxonomy().reset_index()}, source="built-in taxonomy")
            loaded = "taxonomy"
    return {"database": _redacted(store.url), "schema_version": store.schema_version(), "loaded": loaded}


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def headline(dataset: Dataset) -> pd.DataFrame:
    """The home page's headline figures as a two-column table."""
    counts = dataset.counts()
    labels = {
        "companies": "Companies",
        "employees": "Employees",
        "courses": "Courses",
        "providers": "Providers",
        "skills": "Skills",
        "gap_units": "Gap units (people × skill)",
    }
    return pd.DataFrame({"figure": list(labels.values()), "value": [counts[key] for key in labels]})
