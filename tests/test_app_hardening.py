"""AppTest of hostile use of the app: uploads named as paths write nothing, and no page shows a traceback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from skills import service
from skills.cli import main
from tests.fixtures.signin import signed_in

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MAPPING = ROOT / "data" / "survey_mappings" / "example_wide_survey.yaml"


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _import_with_mapping_named(mapping_name: str, *, dry_run: bool) -> AppTest:
    app = signed_in(AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)).run()
    app.selectbox(key="import_kind").set_value("survey").run()
    export = (FIXTURES / "wide_survey_export.csv").read_bytes()
    app.get("file_uploader")[0].set_value(("export.csv", export, "text/csv"))
    app.get("file_uploader")[1].set_value((mapping_name, MAPPING.read_bytes(), "application/x-yaml"))
    app.run()
    app.button[0 if dry_run else 1].click().run()
    return app


@pytest.mark.parametrize("how", ["dot-dot", "absolute", "windows"])
def test_mapping_upload_named_as_a_path_writes_no_file(how: str, tmp_path: Path) -> None:
    target = tmp_path / "outside" / "base.yaml"
    target.parent.mkdir()
    names = {
        "dot-dot": "../" * 12 + str(target).lstrip("/"),
        "absolute": str(target),
        "windows": "..\\..\\" + str(target).replace("/", "\\"),
    }
    project_before = _tree_digest(ROOT / "data")
    app = _import_with_mapping_named(names[how], dry_run=False)
    assert not app.exception
    # the mapping was used from memory: the wide export imported through it
    assert any("imported" in message.value for message in app.success), [e.value for e in app.error]
    assert not target.exists()
    assert list(target.parent.iterdir()) == []
    assert _tree_digest(ROOT / "data") == project_before


def test_invalid_mapping_upload_is_reported_by_its_base_name(tmp_path: Path) -> None:
    app = signed_in(AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)).run()
    app.selectbox(key="import_kind").set_value("survey").run()
    app.get("file_uploader")[0].set_value(("export.csv", (FIXTURES / "wide_survey_export.csv").read_bytes(), "text/csv"))
    app.get("file_uploader")[1].set_value(("../../evil.yaml", b"questions: [[[", "application/x-yaml"))
    app.run()
    app.button[0].click().run()
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert error.startswith("evil.yaml: not valid YAML")
    assert "../" not in error


def test_client_file_name_keeps_only_a_printable_base_name() -> None:
    assert service.client_file_name("../../data/scenarios/base.yaml") == "base.yaml"
    assert service.client_file_name("C:\\fakepath\\survey.xlsx") == "survey.xlsx"
    assert service.client_file_name("/etc/..") == "upload"
    assert service.client_file_name("a\r=1+1\x07.csv") == "a=1+1.csv"
    assert len(service.client_file_name("x" * 500 + ".csv")) == 120


def test_a_failing_page_shows_an_error_page_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        msg = "secret detail at /srv/vetplan/skills/service.py line 42"
        raise RuntimeError(msg)

    monkeypatch.setattr(service, "info", broken)
    app = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert "Something went wrong" in error
    assert "secret" not in error and "/srv" not in error and "Traceback" not in error
    reference = error.split("**")[1]
    assert any(reference in record.getMessage() and record.exc_info for record in caplog.records)


def test_a_vetplan_error_shows_its_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from skills.errors import StoreError

    def unreachable(*_args: object, **_kwargs: object) -> object:
        msg = "the database cannot be reached: check DATABASE_URL"
        raise StoreError(msg)

    monkeypatch.setattr(service, "info", unreachable)
    app = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)).run()
    assert not app.exception
    assert [e.value for e in app.error] == ["the database cannot be reached: check DATABASE_URL"]


def test_streamlit_never_sends_error_details() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_an_upload_named_as_a_path_is_reported_by_its_base_name() -> None:
    outcome = service.import_data("survey", b"company_name;region\n", name="../../../etc/cron.d/x\r.csv", dry_run=True)
    assert outcome.summary["file"] == "x.csv"
    assert all(problem["file"] in ("x.csv", "") for problem in outcome.summary["problems"])


def test_a_missing_review_item_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mapping", "show", "999"]) == 2
    assert "there is no review item 999" in capsys.readouterr().err
