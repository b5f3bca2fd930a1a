"""Generate ``docs/data-formats.md`` from the table contracts (``python -m skills.docs``)."""

from __future__ import annotations

from skills.levels import LEVELS
from skills.schemas import TABLES, describe


def _markdown_table(rows: list[list[str]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    return "\n".join(lines)


def data_formats() -> str:
    """The data-formats document as Markdown."""
    parts = [
        "# Data formats",
        "",
        "Generated from `skills/schemas.py` by `make docs`; do not edit by hand.",
        "Money columns are in the currency set by `VETPLAN_CURRENCY` (EUR by default).",
        "Row numbers in error messages count the header as row 1.",
        "",
        "## Proficiency levels",
        "",
        _markdown_table(
            [["level", "English", "Danish", "descriptor"]]
            + [[str(level), en, da, text] for level, (en, da, text) in LEVELS.items()]
        ),
    ]
    for name, table in TABLES.items():
        contract = describe(name)
        parts += ["", f"## `{name}`", "", table.description, "", f"Key: {', '.join(table.key)}.", ""]
        columns = ["column", "type", "required", "unit", "range", "allowed", "description"]
        rows = [columns] + [[str(v) for v in record] for record in contract[columns].itertuples(index=False)]
        parts.append(_markdown_table(rows))
        rules = [rule for rule in table.rules]
        if rules:
            parts += [""] + [f"- Rule ({rule.severity}): {rule.message}." for rule in rules]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(data_formats(), end="")
