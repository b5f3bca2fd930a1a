"""Readiness before a plan: vetplan info says what caps any plan, and a capped plan's headline says so first."""

from __future__ import annotations

import json

import pytest

from skills import service
from skills.cli import main
from skills.dataset import Dataset
from tests.conftest import tiny_frames


@pytest.fixture
def far_region(database_url: str) -> None:
    """Both companies in a region (UKE4) that no course serves and no labour market supplies."""
    service._store_for.cache_clear()
    frames = tiny_frames()
    frames["companies"] = frames["companies"].assign(region=["UKE4", "UKE4"])
    frames["courses"] = frames["courses"].assign(mode=["in-person", "in-person"])  # nothing online either
    service.get_store().save_dataset(Dataset.from_frames(frames))


def test_info_and_the_plan_headline_say_no_course_serves_the_region(far_region: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    text = capsys.readouterr().out
    assert "At most 0 % of the gap units can be closed" in text and "UKE4" in text
    assert main(["info", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["readiness"]
    assert figures["course"]["units"] == 0 and figures["gap_units"] == 10 and figures["servable"]["capped"]
    assert main(["solve", "--set", "time_limit_s=10"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("At most 0 % of the gap units can be closed") and "UKE4" in first
