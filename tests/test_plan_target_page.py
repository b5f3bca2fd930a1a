"""AppTest of the Plan page with an unreachable min-cost target: the reachable coverage and its cap, and no plan figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from skills import service
from skills.cli import main
from tests.fixtures.signin import signed_in

PLAN_PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "plan.py")


@pytest.fixture
def scenario_dir(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample region and one min-cost scenario asking for every gap unit with no public money."""
    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0
    base = yaml.safe_load((service.SCENARIO_DIR / "base.yaml").read_text(encoding="utf-8"))
    base.update(name="everything", budget_per_year=0, objective="min_cost", coverage_target=1.0, time_limit_s=20)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "everything.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    monkeypatch.setattr(service, "SCENARIO_DIR", folder)
    return folder


def test_an_unreachable_target_shows_what_is_reachable_and_no_plan_figures(scenario_dir: Path) -> None:
    app = signed_in(AppTest.from_file(PLAN_PAGE, default_timeout=180)).run()
    assert not app.exception
    app.button(key="plan_solve").click().run()
    assert not app.exception
    errors = " ".join(e.value for e in app.error)
    assert "cannot be met" in errors and "capped by the public training budget" in errors
    assert "at most" in errors and "%" in errors
    assert app.session_state["plan_result"].plan is None
    assert len(app.metric) == 0  # no "gap units closed 0", no "public cost EUR 0"
    assert not any("Its cost is within" in c.value for c in app.caption)
