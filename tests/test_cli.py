"""The vetplan CLI: init, info, exit codes, JSON output, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from skills.cli import main


def test_init_sample_then_info_json(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--sample"]) == 0
    capsys.readouterr()
    assert main(["info", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["companies"] >= 60
    assert report["courses"] >= 150
    assert report["providers"] >= 8
    assert report["skills"] >= 150
    assert report["demand_rows"] > report["companies"]
    assert report["missing"] == []


def test_init_twice_does_not_overwrite(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--sample", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["loaded"] == "sample region"
    assert main(["init", "--sample", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["loaded"] == "nothing"


def test_info_on_empty_database_says_what_is_missing(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0  # taxonomy only
    capsys.readouterr()
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "missing:" in out and "companies" in out and "courses" in out
    assert "  - skills:" not in out.split("missing:")[1]  # the taxonomy is loaded


def test_bad_database_url_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////proc/forbidden/x.sqlite")
    completed = subprocess.run(
        [sys.executable, "-m", "skills.cli", "info"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "cannot open the database" in completed.stderr


def test_every_command_has_help() -> None:
    from skills.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name in subparsers.choices:  # type: ignore[union-attr]
        completed = subprocess.run(
            [sys.executable, "-m", "skills.cli", name, "--help"], capture_output=True, text=True, check=False
        )
        assert completed.returncode == 0, name
        assert "--json" in completed.stdout, name


def test_unknown_command_exits_2() -> None:
    completed = subprocess.run([sys.executable, "-m", "skills.cli", "frobnicate"], capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
