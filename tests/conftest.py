"""Shared fixtures: a tiny hand-made region and isolated databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from skills.access import Principal, acting_as
from skills.dataset import Dataset
from skills.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Two companies, two courses, three skills: small enough to check by hand."""
    return {
        "skills": pd.DataFrame(
            {
                "skill_id": ["plc_programming", "cnc_milling", "five_s"],
                "label": ["PLC programming", "CNC milling", "5S"],
                "label_da": ["PLC-programmering", "CNC-fræsning", "5S"],
                "group": ["automation_robotics", "production_technology", "lean_quality"],
                "aliases": ["PLC", "CNC", ""],
                "esco_uri": ["", "", ""],
                "description": ["", "", ""],
            }
        ),
        "companies": pd.DataFrame(
            {
                "company_id": ["C1", "C2"],
                "name": ["Holst Metal ApS", "Skov Plast A/S"],
                "region": ["DK041", "DK042"],
                "sector": ["C25", "C22"],
                "employees": [40, 120],
            }
        ),
        "demand": pd.DataFrame(
            {
                "company_id": ["C1", "C1", "C2"],
                "skill": ["plc_programming", "cnc_milling", "plc_programming"],
                "role": ["", "7223", ""],
                "headcount": [3, 2, 5],
                "current_level": [1, 0, 1],
                "required_level": [3, 2, 2],
                "needed_by": [2027, 2028, 2027],
                "priority": ["high", "medium", "low"],
            }
        ),
        "courses": pd.DataFrame(
            {
                "course_id": ["K1", "K2"],
                "title": ["PLC – advanced", "CNC – basic"],
                "provider": ["Midtjysk Erhvervsskole", "Kattegat Tech"],
                "region": ["DK041", "DK042"],
                "mode": ["in-person", "online"],
                "hours": [37.0, 14.8],
                "cost_per_participant": [500.0, 200.0],
                "fixed_cost_per_run": [3000.0, 1000.0],
                "min_participants": [6, 4],
                "max_participants": [12, 10],
                "max_runs_per_year": [2, 1],
                "language": ["da", "da"],
            }
        ),
        "course_skills": pd.DataFrame(
            {"course_id": ["K1", "K2"], "skill": ["plc_programming", "cnc_milling"], "level": [3, 2], "entry_level": [1, 0]}
        ),
        "supply": pd.DataFrame(
            {
                "skill": ["cnc_milling"],
                "occupation": ["7223"],
                "region": ["DK041"],
                "hires_available_per_year": [2],
                "cost_per_hire": [9000.0],
                "lead_time_months": [6],
                "balance": ["shortage"],
            }
        ),
    }


@pytest.fixture
def tiny_dataset() -> Dataset:
    return Dataset.from_frames(tiny_frames())


def _database_urls() -> list[pytest.param]:  # type: ignore[valid-type]
    urls = [pytest.param("sqlite", id="sqlite")]
    urls.append(
        pytest.param(
            "postgres",
            id="postgres",
            marks=pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set"),
        )
    )
    return urls


@pytest.fixture(params=_database_urls())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on SQLite (a temporary file) and, when TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        yield Store(f"sqlite:///{tmp_path / 'test.sqlite'}")
        return
    from sqlalchemy import text

    from skills.store import metadata

    url = os.environ["TEST_DATABASE_URL"]
    pg_store = Store(url)
    with pg_store.engine.begin() as connection:
        metadata.drop_all(connection)
    pg_store = Store(url)
    yield pg_store
    with pg_store.engine.begin() as connection:
        connection.execute(text("select 1"))
        metadata.drop_all(connection)
    pg_store.engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point DATABASE_URL at a fresh SQLite file for code that reads settings (CLI, service, app)."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture(autouse=True)
def _operator() -> Iterator[None]:
    """Tests call the service as the operator at the database host (as the CLI does); pages sign in."""
    with acting_as(Principal.operator()):
        yield


@pytest.fixture(autouse=True)
def _main_module() -> Iterator[None]:
    """Put ``__main__`` back after a test: AppTest runs page scripts as ``__main__`` and leaves the last one there,
    and worker processes started later (spawn) would run that page again instead of pytest's main."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
