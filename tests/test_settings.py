"""Settings from the environment: every field settable, a bad value named with its variable and exit code 2."""

from __future__ import annotations

import pytest

from skills.cli import main
from skills.errors import SettingsError
from skills.settings import Settings, load_settings


def test_every_setting_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETPLAN_PRIORITY_WEIGHTS", '{"high": 5, "medium": 2, "low": 0.5}')
    monkeypatch.setenv("VETPLAN_DOMINANCE_K", "0.9")
    monkeypatch.setenv("VETPLAN_CURRENCY", "DKK")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite")
    monkeypatch.setenv("VETPLAN_MAPPING_THRESHOLD", "")  # empty counts as unset
    settings = load_settings()
    assert settings.priority_weights == {"high": 5.0, "medium": 2.0, "low": 0.5}
    assert settings.dominance_k == 0.9
    assert settings.currency == "DKK"
    assert settings.sqlalchemy_url == "sqlite:////tmp/elsewhere.sqlite"
    assert settings.mapping_threshold == Settings.model_fields["mapping_threshold"].default


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("VETPLAN_DOMINANCE_K", "2", "VETPLAN_DOMINANCE_K: Input should be less than or equal to 1"),
        ("VETPLAN_PRIORITY_WEIGHTS", "high=3", "VETPLAN_PRIORITY_WEIGHTS: must be JSON"),
        ("VETPLAN_PRIORITY_WEIGHTS", '{"high": -1}', "VETPLAN_PRIORITY_WEIGHTS: high: Input should be greater than 0"),
        ("VETPLAN_MAX_UPLOAD_MB", "nan", "VETPLAN_MAX_UPLOAD_MB: Input should be a finite number"),
        ("VETPLAN_MIN_COMPANIES_PER_CELL", "three", "VETPLAN_MIN_COMPANIES_PER_CELL: Input should be a valid integer"),
        ("VETPLAN_CURRENCY", "euro", "VETPLAN_CURRENCY: String should match pattern"),
    ],
)
def test_a_bad_value_is_named_with_exit_code_2(
    variable: str, value: str, words: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert words in str(raised.value)
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err and "internal error" not in err


def test_priority_weights_from_the_environment_change_the_gap_figures(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from skills import service

    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0
    capsys.readouterr()
    # suppressed cells, not perturbed ones: perturbation noise depends on the figure, so totals do not scale exactly
    monkeypatch.setenv("VETPLAN_DISCLOSURE_METHOD", "suppression")

    def weighted_total() -> float:
        assert main(["gaps", "--by", "group", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        return sum(float(row["weighted_gap_units"]) for row in rows if not row["is_total"] and not row["suppressed"])

    before = weighted_total()
    monkeypatch.setenv("VETPLAN_PRIORITY_WEIGHTS", '{"high": 30, "medium": 20, "low": 10}')
    assert before > 0
    assert weighted_total() == pytest.approx(10 * before)


def test_the_interface_language_a_session_starts_in_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from skills import service

    assert service.default_language() == "en"
    monkeypatch.setenv("VETPLAN_LANGUAGE", "da")
    assert service.default_language() == "da"
    monkeypatch.setenv("VETPLAN_LANGUAGE", "de")
    with pytest.raises(SettingsError, match="VETPLAN_LANGUAGE"):
        service.default_language()
