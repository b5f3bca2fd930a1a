"""A company's survey answers edited in a form: the rows it shows, and the survey file they are checked as."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from skills.errors import Problem
from skills.survey import DEMAND_ANSWER_COLUMNS

if TYPE_CHECKING:
    from skills.settings import Settings

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


def _other_company_message(found: str, own: str, own_name: str) -> str:
    return (
        f"this row is company {found}, not your company {own} ({own_name}): a company's users import their own "
        "company's answers only; remove the row (or ask your region's analyst to import it) and import again. "
        "Nothing was stored"
    )


def other_company_problems(
    source: str | Path | bytes,
    companies: pd.DataFrame,
    *,
    company_id: str,
    company_name: str,
    file: str,
    sheet: str | None = None,
    settings: Settings | None = None,
) -> list[Problem]:
    """One error per row of a read survey that belongs to a company other than ``company_id``.

    ``companies`` is the companies table the survey was read into. Each row naming another
    company is named by the file's row and the column that makes it another company
    (``company_id``, or ``company_name`` when the id is derived from the name). A wide export
    whose rows cannot be located this way gets one problem per other company, without a row.
    """
    found = sorted(set(companies["company_id"].astype("string").dropna()) - {company_id})
    if not found:
        return []
    located = _rows_of_other_companies(source, company_id, company_name, file=file, sheet=sheet, settings=settings)
    if located:
        return located
    return [
        Problem(_other_company_message(other, company_id, company_name), table="survey", file=file, sheet=sheet or "",
                column="company_id", value=other)
        for other in found
    ]


def _rows_of_other_companies(
    source: str | Path | bytes, company_id: str, company_name: str, *, file: str, sheet: str | None, settings: Settings | None
) -> list[Problem]:
    """The rows of a long survey file whose company is not ``company_id`` (empty for a wide export)."""
    from skills.io_csv import read_csv_grid
    from skills.io_grid import find_header, locate_table
    from skills.io_values import header_lookup, text_cells
    from skills.io_xlsx import read_xlsx_grid
    from skills.safety import read_upload
    from skills.survey import SURVEY_COLUMNS, SURVEY_REQUIRED, derive_company_ids

    lookup = header_lookup(SURVEY_COLUMNS)
    required = tuple(SURVEY_REQUIRED)
    checked = read_upload(source, name=file, settings=settings)
    if checked.format == "csv":
        grid = read_csv_grid(checked.data, checked.name)
    else:
        grid = read_xlsx_grid(checked, sheet, lambda candidate: find_header(candidate, lookup, required) is not None)
    if find_header(grid, lookup, required) is None:
        return []
    raw = locate_table(grid, lookup, required, table="survey")
    ids = derive_company_ids(raw.frame)
    given = text_cells(raw.frame["company_id"]) if "company_id" in raw.frame else pd.Series(None, index=raw.frame.index, dtype=object)
    problems = []
    names = raw.frame.get("company_name", given)
    for found, own_id, name, row in zip(ids.tolist(), given.tolist(), names.tolist(), raw.row_numbers.tolist(), strict=True):
        if found is None or pd.isna(found) or str(found) == company_id:
            continue
        by_id = own_id is not None and not pd.isna(own_id)
        column = "company_id" if by_id else "company_name"
        problems.append(
            Problem(
                _other_company_message(str(found), company_id, company_name), table="survey", file=raw.file, sheet=raw.sheet,
                row=int(row), column=raw.headers.get(column, column), value=str(own_id if by_id else name),
            )
        )
    return problems
