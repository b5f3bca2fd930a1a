"""Streamlit AppTest: the app renders the home page with the region's figures, or says what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from skills.cli import main
from tests.fixtures.signin import signed_in

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_home_shows_sample_region(database_url: str) -> None:
    assert main(["init", "--sample"]) == 0
    app = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    assert not app.exception
    metrics = _metrics(app)
    assert int(metrics["Companies"].replace(",", "")) >= 60
    assert int(metrics["Courses"].replace(",", "")) >= 150
    assert int(metrics["Gap units"].replace(",", "")) > 0
    assert not app.warning


def test_home_on_empty_database_says_what_is_missing(database_url: str) -> None:
    app = signed_in(AppTest.from_file(APP, default_timeout=60)).run()
    assert not app.exception
    assert any("no region" in warning.value for warning in app.warning)
    assert any("companies" in md.value for md in app.markdown)


@pytest.fixture(autouse=True)
def _fresh_store_cache() -> None:
    from skills import service

    service._store_for.cache_clear()
