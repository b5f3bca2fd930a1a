"""A company's survey answers edited in a form: the rows it shows, and the survey file they are checked as."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from typing import Any, Final

import pandas as pd

from skills.errors import Problem
from skills.survey import DEMAND_ANSWER_COLUMNS

#: Columns of the form, in the order it shows them (a long survey's answer columns).
ANSWER_COLUMNS: Final = DEMAND_ANSWER_COLUMNS
#: Company columns every row of the checked survey file repeats, from the stored company.
_COMPANY_COLUMNS: Final = ("company_id", "company_name", "region", "sector", "employees")
#: The name the form's answers are checked under (problems say "file survey form").
FORM_NAME: Final = "survey form"
#: Rows of the survey file before the form's first row: the header.
_HEADER_ROWS: Final = 1


def answers_of(demand: pd.DataFrame, company_id: str) -> pd.DataFrame:
    """One company's stored answers as the form shows them: one row per need, :data:`ANSWER_COLUMNS`.

    Examples
    --------
    >>> demand = pd.DataFrame({"company_id": ["C1", "C2"], "skill": ["a", "b"], "role": [None, ""], "headcount": [2, 3],
    ...     "current_level": [0, 1], "required_level": [2, 2], "needed_by": [2027, 2028], "priority": ["high", "low"]})
    >>> answers_of(demand, "C2")[["skill", "headcount"]].to_dict("records")
    [{'skill': 'b', 'headcount': 3}]
    """
    own = demand[demand["company_id"].astype("string") == company_id]
    answers = own[list(ANSWER_COLUMNS)].reset_index(drop=True)
    return answers.astype({"skill": "string", "role": "string", "priority": "string"})


def _text(value: Any) -> str:
    """A cell as the survey file holds it: missing is empty, whole numbers without a decimal point."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def survey_file(company: pd.Series, answers: pd.DataFrame) -> bytes:
    """The form's answers as a long survey CSV of one company (its stored name, region, sector, employees on every row).

    Only :data:`ANSWER_COLUMNS` of ``answers`` are read, so an edit can neither name another
    company nor change the company's own figures. Form row ``n`` (1-based) is the file's row ``n + 1``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([*_COMPANY_COLUMNS, *ANSWER_COLUMNS])
    company_cells = [
        _text(company.get("company_id")),
        _text(company.get("name")),
        _text(company.get("region")),
        _text(company.get("sector")),
        _text(company.get("employees")),
    ]
    for row in answers.reindex(columns=list(ANSWER_COLUMNS)).itertuples(index=False, name=None):
        writer.writerow([*company_cells, *(_text(value) for value in row)])
    return buffer.getvalue().encode("utf-8")


def form_problems(problems: list[Problem], form_rows: list[int]) -> list[Problem]:
    """Problems of the checked survey file located on the form.

    ``form_rows[i]`` is the form row (1-based, as the form numbers them) written as the file's
    ``i``-th data row; a problem of the header or the whole table has no row.
    """
    located = []
    for problem in problems:
        position = None if problem.row is None else problem.row - _HEADER_ROWS - 1
        row = None if position is None or position < 0 else form_rows[position] if position < len(form_rows) else problem.row
        located.append(dataclasses.replace(problem, row=row, file=FORM_NAME))
    return located


def blank_rows(answers: pd.DataFrame) -> pd.Series:
    """Rows of the form where nothing was filled in (a row the editor added and left empty): not answers."""
    cells = answers.reindex(columns=list(ANSWER_COLUMNS))
    blank: pd.Series = cells.apply(lambda column: column.map(_text).str.strip() == "").all(axis=1)
    return blank
