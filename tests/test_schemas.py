"""Data contracts: every rejection names table, row and column; no-gap rows are kept with a warning."""

from __future__ import annotations

import pandas as pd
import pytest

from skills.dataset import Dataset
from skills.errors import InputError
from skills.schemas import TABLES, check_references, describe, validate
from tests.conftest import tiny_frames


def _problems(table: str, frame: pd.DataFrame) -> list:
    with pytest.raises(InputError) as caught:
        validate(table, frame, file="survey.xlsx", sheet="Demand")
    return caught.value.problems


def test_valid_tables_pass_and_are_typed() -> None:
    for name, frame in tiny_frames().items():
        typed, warnings = validate(name, frame)
        assert list(typed.columns) == TABLES[name].columns
        assert warnings == []
    typed, _ = validate("demand", tiny_frames()["demand"].astype(str))
    assert str(typed["headcount"].dtype) == "Int64"
    assert typed["headcount"].tolist() == [3, 2, 5]


def test_missing_column_is_named() -> None:
    frame = tiny_frames()["demand"].drop(columns=["headcount"])
    problems = _problems("demand", frame)
    assert len(problems) == 1
    assert problems[0].table == "demand"
    assert problems[0].column == "headcount"
    assert problems[0].row is None
    assert "missing" in problems[0].message


def test_negative_headcount_names_row_and_column() -> None:
    frame = tiny_frames()["demand"]
    frame.loc[1, "headcount"] = -4
    [problem] = _problems("demand", frame)
    # header is row 1, so the second data row is spreadsheet row 3
    assert (problem.table, problem.row, problem.column, problem.value) == ("demand", 3, "headcount", "-4")
    assert problem.file == "survey.xlsx" and problem.sheet == "Demand"
    assert "between 0" in problem.message


@pytest.mark.parametrize("column", ["current_level", "required_level"])
@pytest.mark.parametrize("bad", [5, -1])
def test_level_outside_scale(column: str, bad: int) -> None:
    frame = tiny_frames()["demand"]
    frame.loc[2, column] = bad
    problems = [p for p in _problems("demand", frame) if p.severity == "error"]
    assert [(p.row, p.column) for p in problems] == [(4, column)]


def test_text_in_number_column() -> None:
    frame = tiny_frames()["courses"].astype(object)
    frame.loc[0, "hours"] = "many"
    [problem] = _problems("courses", frame)
    assert (problem.row, problem.column, problem.value) == (2, "hours", "many")
    assert problem.message == "must be a number"


def test_duplicate_id_is_rejected() -> None:
    frame = tiny_frames()["companies"]
    frame.loc[1, "company_id"] = "C1"
    [problem] = _problems("companies", frame)
    assert (problem.table, problem.row, problem.column, problem.value) == ("companies", 3, "company_id", "C1")
    assert "duplicate" in problem.message


def test_unknown_skill_is_rejected_with_row() -> None:
    frames = tiny_frames()
    frames["demand"].loc[2, "skill"] = "underwater_welding"
    with pytest.raises(InputError) as caught:
        Dataset.from_frames(frames)
    [problem] = caught.value.problems
    assert (problem.table, problem.row, problem.column, problem.value) == ("demand", 4, "skill", "underwater_welding")
    assert "unknown skill" in problem.message


def test_unknown_company_is_reported_by_check_references() -> None:
    frames = tiny_frames()
    frames["demand"].loc[0, "company_id"] = "C9"
    typed = {name: validate(name, frame)[0] for name, frame in frames.items()}
    [problem] = check_references(typed)
    assert (problem.table, problem.row, problem.column) == ("demand", 2, "company_id")


def test_required_at_or_below_current_is_kept_as_no_gap_with_warning() -> None:
    frame = tiny_frames()["demand"]
    frame.loc[0, "required_level"] = 1  # equal to current level 1
    typed, warnings = validate("demand", frame)
    assert len(typed) == 3  # kept
    [warning] = warnings
    assert warning.severity == "warning" and warning.row == 2 and "no gap" in warning.message
    frames = tiny_frames()
    frames["demand"] = frame
    assert Dataset.from_frames(frames).counts()["gap_units"] == 2 + 5  # the 3 people at no gap do not count


def test_min_above_max_participants() -> None:
    frame = tiny_frames()["courses"]
    frame.loc[1, "min_participants"] = 20
    [problem] = _problems("courses", frame)
    assert problem.row == 3 and "larger than max_participants" in problem.message


def test_all_problems_are_reported_at_once() -> None:
    frame = tiny_frames()["demand"].astype(object)
    frame.loc[0, "priority"] = "urgent"
    frame.loc[1, "needed_by"] = "soon"
    frame.loc[2, "company_id"] = None
    problems = _problems("demand", frame)
    assert {(p.row, p.column) for p in problems} == {(2, "priority"), (3, "needed_by"), (4, "company_id")}


def test_every_column_is_documented() -> None:
    for name in TABLES:
        contract = describe(name)
        assert (contract["description"].str.len() > 0).all(), name
        assert set(contract["type"]) <= {"text", "integer", "number"}
    demand = describe("demand").set_index("column")
    assert demand.loc["current_level", "range"] == "0 – 4"
    assert demand.loc["headcount", "unit"] == "persons"
    assert demand.loc["priority", "allowed"] == "high, medium, low"


def test_data_formats_doc_is_generated_from_the_schemas() -> None:
    from pathlib import Path

    from skills.docs import data_formats

    committed = (Path(__file__).resolve().parents[1] / "docs" / "data-formats.md").read_text(encoding="utf-8")
    assert committed == data_formats(), "run `make docs` after changing skills/schemas.py"
