"""Write a solved plan to an Excel workbook: a summary sheet, one sheet per plan table, explanations and checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from optimisation.plan import PlanResult
from skills.cells import xlsx_text
from skills.regions import named_regions


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return xlsx_text(value)


def _write_frame(workbook: Workbook, title: str, table: pd.DataFrame) -> None:
    frame = named_regions(table)  # Vestjylland, the NUTS code beside it
    sheet = workbook.create_sheet(title=title)
    columns = [str(column) for column in frame.columns]
    sheet.append([xlsx_text(column) for column in columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_plain(value) for value in row])
    for position, column in enumerate(columns, start=1):
        width = (
            max([len(column), *(len(str(v)) for v in frame.iloc[:200, position - 1].tolist())])
            if len(frame)
            else len(column)
        )
        sheet.column_dimensions[get_column_letter(position)].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"


def summary_frame(result: PlanResult) -> pd.DataFrame:
    """The plan's headline figures as (figure, value) rows."""
    rows: list[tuple[str, Any]] = [
        ("scenario", result.scenario.name),
        ("status", result.status.value),
        ("solver message", result.result.message),
        ("objective", result.objective),
        ("best bound", result.bound),
        ("relative gap", result.gap),
        ("poor above gap", result.result.poor_gap),
        ("cost lower bound at this coverage", result.result.cost_bound),
        ("cost gap", result.result.cost_gap),
        ("closed gap units", result.closed_units),
        ("unmet gap units", result.unmet_units),
        ("total cost", result.total_cost),
        ("public cost", result.public_cost),
        ("company cost", result.company_cost),
        ("plan checker violations", len(result.violations)),
    ]
    if result.plan is not None:
        rows.append(("weighted coverage", result.plan.totals.get("coverage")))
    return pd.DataFrame(rows, columns=["figure", "value"])


def write_plan_xlsx(result: PlanResult, path: str | Path) -> Path:
    """Write ``result`` to ``path`` (.xlsx): Summary, the plan tables, Explanations, Violations.

    Every text cell that would start a formula is neutralised.
    """
    target = Path(path)
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    _write_frame(workbook, "Summary", summary_frame(result))
    if result.plan is not None:
        for name, frame in result.plan.tables().items():
            _write_frame(workbook, name.replace("_", " ").capitalize()[:31], frame)
    explanations = pd.DataFrame(
        [e.as_dict() for e in result.explanations],
        columns=["kind", "subject", "reason", "sentence", "value"],
    )
    _write_frame(workbook, "Explanations", explanations)
    violations = pd.DataFrame(
        [v.as_dict() for v in result.violations],
        columns=["rule", "where", "message", "value", "limit"],
    )
    _write_frame(workbook, "Violations", violations)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target
