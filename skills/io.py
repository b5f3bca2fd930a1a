"""Import: pure readers returning typed tables plus a report (writers are in skills.io_write)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from skills.errors import InputError, Problem, Report
from skills.io_csv import read_csv_grid
from skills.io_grid import HEADER_SCAN_ROWS, Grid, RawTable, find_header, locate_table
from skills.io_values import (
    LEVEL_COLUMNS,
    TEMPLATE_VERSION,
    WORD_COLUMNS,
    choose_decimal_mark,
    decimal_evidence,
    header_lookup,
    normalise_header,
    parse_numbers,
    text_cells,
    translate_levels,
    translate_words,
)
from skills.io_xlsx import read_xlsx_grid
from skills.kinds import KINDS
from skills.mapping import QUEUE_COLUMNS, Matcher, apply_mapping, queue_rows
from skills.safety import CheckedFile, read_upload
from skills.schemas import (
    ASSUMABLE,
    FLOAT,
    INT,
    assumed_names,
    assumed_text,
    check_range,
    check_references,
    escape_text,
    get_table,
    text_errors,
    validate,
)
from skills.settings import DATA_DIR, Settings, load_settings
from skills.survey import (
    DEMAND_ANSWER_COLUMNS,
    SURVEY_COLUMNS,
    SURVEY_REQUIRED,
    SurveyMapping,
    derive_company_ids,
    expand_wide,
    find_mapping_for,
    header_fingerprint,
    load_survey_mapping,
    split_companies,
)

#: Kinds that are one data table each.
TABLE_KINDS: Final = ("companies", "demand", "courses", "course_skills", "supply", "skills")
#: Tables whose ``skill`` column is free text mapped to the taxonomy.
SKILL_TABLES: Final = ("demand", "course_skills", "supply")
SURVEY_MAPPINGS_DIR: Final = DATA_DIR / "survey_mappings"
#: Columns of :attr:`ImportResult.assumed`: which company's value in which column was assumed.
ASSUMED_COLUMNS: Final = ("company_id", "column", "value", "source_row")


@dataclass
class ImportResult:
    """Outcome of reading one file: typed tables (empty when anything is wrong) and the report.

    ``pending`` holds rows whose skill phrase scored below the mapping threshold:
    one row per imported row, in the store's review-queue columns
    (phrase, table_name, suggestion, score, source_file, source_row, row_json).
    They are part of an accepted import, counted in ``rows_accepted``.
    """

    kind: str
    file: str
    tables: dict[str, pd.DataFrame]
    report: Report
    pending: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(QUEUE_COLUMNS)))
    sheet: str = ""
    header_row: int | None = None
    #: values the import assumed (a survey mapping's default for a blank cell): one row per
    #: company and column, with :data:`ASSUMED_COLUMNS`
    assumed: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(ASSUMED_COLUMNS))
    )

    @property
    def ok(self) -> bool:
        return self.report.ok


# ---- reading ----------------------------------------------------------------------------------


def _stamp(problems: list[Problem], **where: str) -> list[Problem]:
    """Fill file/sheet/table into problems that do not name them yet."""
    stamped: list[Problem] = []
    for problem in problems:
        stamped.append(
            dataclasses.replace(
                problem,
                file=problem.file or where.get("file", ""),
                sheet=problem.sheet or where.get("sheet", ""),
                table=problem.table or where.get("table", ""),
            )
        )
    return stamped


def _failed(
    kind: str, file: str, rows_read: int, problems: list[Problem], **extra: Any
) -> ImportResult:
    return ImportResult(
        kind=kind,
        file=file,
        tables={},
        report=Report(rows_read=rows_read, rows_accepted=0, problems=problems),
        **extra,
    )


def _grid(checked: CheckedFile, sheet: str | None, is_table: Callable[[Grid], bool]) -> Grid:
    if checked.format == "csv":
        return read_csv_grid(checked.data, checked.name)
    return read_xlsx_grid(checked, sheet, is_table)


def _header_test(lookup: Mapping[str, str], required: tuple[str, ...]) -> Callable[[Grid], bool]:
    return lambda grid: find_header(grid, lookup, required) is not None


def prepare_values(
    raw: RawTable,
    table: str,
    frame: pd.DataFrame | None = None,
    row_numbers: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn raw cells into values the schema can validate, reporting per-cell problems.

    Numbers typed as text in English or Danish style are converted (the decimal mark
    decided per file from the separator and the cells themselves); levels written as
    names become numbers; priority/mode/balance words in Danish become the canonical
    English values; text cells are trimmed (Excel numbers in text columns read as
    ``48911``, not ``48911.0``). Cells that cannot be read become blank, with a problem:
    numbers outside the declared range (shown as the user wrote them), text with a
    control character or longer than the declared length (see :mod:`skills.schemas`).
    """
    source = raw.frame if frame is None else frame
    rows = raw.row_numbers if row_numbers is None else row_numbers
    spec = get_table(table)
    prepared = pd.DataFrame(index=source.index)
    problems: list[Problem] = []
    numeric = [
        name
        for name, col in spec.schema.columns.items()
        if str(col.dtype) in (INT, FLOAT) and name in source.columns
    ]
    levels = [name for name in numeric if name in LEVEL_COLUMNS]
    level_values = {name: translate_levels(source[name]) for name in levels}
    plain_numeric = [name for name in numeric if name not in LEVEL_COLUMNS]
    mark = choose_decimal_mark(
        decimal_evidence(source[name] for name in plain_numeric), raw.decimal_default
    )
    for name in spec.columns:
        if name not in source.columns:
            continue
        col = spec.schema.columns[name]
        where = {"table": table, "file": raw.file, "sheet": raw.sheet, "column": name}
        if name in numeric:
            cells = level_values.get(name, source[name])
            parsed = parse_numbers(cells, mark)
            bad = parsed.errors.notna()
            outside, range_error = check_range(col, parsed.values)
            outside &= ~bad
            for index in source.index[bad.to_numpy()]:
                problems.append(
                    Problem(
                        str(parsed.errors[index]),
                        row=int(rows[index]),
                        value=str(source.at[index, name]),
                        **where,
                    )
                )
            for index in source.index[outside.to_numpy()]:
                # the user's own text: 99999999999999999999, not what it became as a number
                problems.append(
                    Problem(
                        range_error,
                        row=int(rows[index]),
                        value=escape_text(str(source.at[index, name])),
                        **where,
                    )
                )
            prepared[name] = parsed.values.where(~outside.to_numpy())
        else:
            cells = text_cells(source[name])
            # checked before skill phrases are mapped, so a control character is never mapped away
            messages = text_errors(col, cells)
            flagged = messages.notna().to_numpy()
            for index in source.index[flagged]:
                problems.append(
                    Problem(
                        str(messages[index]),
                        row=int(rows[index]),
                        value=escape_text(str(cells[index])),
                        **where,
                    )
                )
            cells = cells.where(~flagged, None)
            if name in WORD_COLUMNS:
                cells = translate_words(cells, WORD_COLUMNS[name])
            prepared[name] = cells
    return prepared, problems


def _validate(
    table: str,
    frame: pd.DataFrame,
    raw: RawTable,
    row_numbers: pd.Series,
    flagged: list[Problem],
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Validate, dropping schema problems on cells already reported while reading them."""
    seen = {(p.row, p.column) for p in flagged}
    try:
        typed, warnings = validate(
            table, frame, file=raw.file, sheet=raw.sheet, row_numbers=row_numbers
        )
    except InputError as error:
        return None, [p for p in error.problems if (p.row, p.column) not in seen]
    return typed, warnings


def _map_skills(
    table: str,
    prepared: pd.DataFrame,
    matcher: Matcher,
) -> tuple[pd.DataFrame, pd.Series]:
    """Map the skill column; return the frame (skill = id or phrase) and the mask of mapped rows."""
    mapped, _ = apply_mapping(prepared, "skill", matcher)
    mask = mapped["mapped"] | mapped["phrase"].isna()
    keep = [*prepared.columns, "suggestion", "score"]
    return mapped[keep], mask


def _pending_problems(
    frame: pd.DataFrame, mapped: pd.Series, raw: RawTable, row_numbers: pd.Series, table: str
) -> list[Problem]:
    problems: list[Problem] = []
    scores = frame["score"].astype("float64").fillna(0.0)
    for index in frame.index[~mapped.to_numpy()]:
        suggestion = frame.at[index, "suggestion"]
        hint = (
            f"best guess {suggestion} ({scores[index]:.0f})"
            if isinstance(suggestion, str)
            else "no close skill"
        )
        problems.append(
            Problem(
                f"skill not recognised: sent to review ({hint})",
                table=table,
                file=raw.file,
                sheet=raw.sheet,
                row=int(row_numbers[index]),
                column="skill",
                value=str(frame.at[index, "skill"]),
                severity="warning",
            )
        )
    return problems


def _finish_skill_table(
    table: str,
    typed: pd.DataFrame,
    extra: pd.DataFrame,
    mapped: pd.Series,
    raw: RawTable,
    row_numbers: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a validated skill table into accepted rows and review-queue rows."""
    keep = mapped.to_numpy()
    accepted = typed.loc[keep].reset_index(drop=True)
    pending_rows = typed.loc[~keep].assign(
        suggestion=extra["suggestion"].to_numpy()[~keep],
        score=extra["score"].to_numpy()[~keep],
    )
    pending = queue_rows(
        pending_rows, table=table, file=raw.file, row_numbers=row_numbers.reset_index(drop=True)
    )
    return accepted, pending


def _template_warning(raw: RawTable) -> list[Problem]:
    if raw.template_version is None or raw.template_version == TEMPLATE_VERSION:
        return []
    return [
        Problem(
            f"made from template version {raw.template_version}; the current version is {TEMPLATE_VERSION}: "
            "check the columns, or download a new template",
            file=raw.file,
            sheet=raw.sheet,
            value=raw.template_version,
            severity="warning",
        )
    ]


def _require_matcher(kind: str, matcher: Matcher | None) -> Matcher:
    if matcher is None:
        msg = f"importing {kind} needs the skills taxonomy (pass taxonomy=...)"
        raise InputError(msg)
    return matcher


def _read_plain_table(
    kind: str,
    checked: CheckedFile,
    sheet: str | None,
    matcher: Matcher | None,
) -> ImportResult:
    spec = get_table(kind)
    lookup = header_lookup(spec.columns)
    required = tuple(spec.required_columns)
    grid = _grid(checked, sheet, _header_test(lookup, required))
    raw = locate_table(grid, lookup, required, table=kind)
    extra: dict[str, pd.DataFrame] = {}
    result = _table_from_raw(kind, raw, matcher)
    if kind == "courses" and sheet is None and checked.format == "xlsx" and result.ok:
        # a course catalogue workbook (like our template) may carry course_skills on another sheet
        links = _linked_sheet(checked, "course_skills", matcher)
        if links is not None:
            if not links.ok:
                return _failed(
                    kind,
                    checked.name,
                    result.report.rows_read + links.report.rows_read,
                    links.report.problems,
                )
            extra = links.tables
            problems = check_references(
                {
                    "courses": result.tables["courses"],
                    "course_skills": links.tables["course_skills"],
                }
            )
            if problems:
                problems = [
                    dataclasses.replace(p, file=checked.name, sheet=links.sheet, row=None)
                    for p in problems
                ]
                return _failed(
                    kind, checked.name, result.report.rows_read + links.report.rows_read, problems
                )
            result.tables.update(extra)
            result.pending = (
                pd.concat([result.pending, links.pending], ignore_index=True)
                if len(links.pending)
                else result.pending
            )
            result.report = Report(
                rows_read=result.report.rows_read + links.report.rows_read,
                rows_accepted=result.report.rows_accepted + links.report.rows_accepted,
                problems=result.report.problems + links.report.problems,
            )
    return result


def _linked_sheet(checked: CheckedFile, kind: str, matcher: Matcher | None) -> ImportResult | None:
    from skills.io_xlsx import load_workbook, read_sheet, sheet_names

    spec = get_table(kind)
    lookup = header_lookup(spec.columns)
    required = tuple(spec.required_columns)
    workbook = load_workbook(checked)
    try:
        found = None
        for name in sheet_names(workbook):
            if (
                find_header(read_sheet(workbook, checked, name, max_rows=20), lookup, required)
                is not None
            ):
                found = name
                break
    finally:
        workbook.close()
    if found is None:
        return None
    grid = read_xlsx_grid(checked, found, _header_test(lookup, required))
    raw = locate_table(grid, lookup, required, table=kind)
    return _table_from_raw(kind, raw, matcher)


def _table_from_raw(kind: str, raw: RawTable, matcher: Matcher | None) -> ImportResult:
    rows_read = len(raw.frame)
    problems = _stamp(raw.problems, table=kind, file=raw.file, sheet=raw.sheet) + _template_warning(
        raw
    )
    if rows_read == 0:
        problems.append(
            Problem(
                "the table has a header but no data rows",
                table=kind,
                file=raw.file,
                sheet=raw.sheet,
                row=raw.header_row,
            )
        )
        return _failed(kind, raw.file, 0, problems, sheet=raw.sheet, header_row=raw.header_row)
    prepared, cell_problems = prepare_values(raw, kind)
    problems += cell_problems
    mapped = pd.Series(True, index=prepared.index)
    extra = pd.DataFrame(index=prepared.index)
    if kind in SKILL_TABLES:
        prepared, mapped = _map_skills(kind, prepared, _require_matcher(kind, matcher))
        extra = prepared[["suggestion", "score"]]
        prepared = prepared.drop(columns=["suggestion", "score"])
    typed, schema_problems = _validate(kind, prepared, raw, raw.row_numbers, cell_problems)
    problems += schema_problems
    errors = [p for p in problems if p.severity == "error"]
    if typed is None or errors:
        return _failed(
            kind, raw.file, rows_read, problems, sheet=raw.sheet, header_row=raw.header_row
        )
    pending = pd.DataFrame(columns=list(QUEUE_COLUMNS))
    if kind in SKILL_TABLES:
        problems += _pending_problems(prepared.assign(**extra), mapped, raw, raw.row_numbers, kind)
        typed, pending = _finish_skill_table(kind, typed, extra, mapped, raw, raw.row_numbers)
    report = Report(rows_read=rows_read, rows_accepted=rows_read, problems=problems)
    return ImportResult(
        kind, raw.file, {kind: typed}, report, pending, sheet=raw.sheet, header_row=raw.header_row
    )


def _read_survey(
    checked: CheckedFile,
    sheet: str | None,
    mapping: SurveyMapping | str | Path | None,
    matcher: Matcher | None,
    mapping_folder: Path,
) -> ImportResult:
    matcher = _require_matcher("survey", matcher)
    survey_lookup = header_lookup(SURVEY_COLUMNS)
    long_required = tuple(SURVEY_REQUIRED)
    chosen: SurveyMapping | None = (
        load_survey_mapping(mapping) if isinstance(mapping, str | Path) else mapping
    )
    mapping_problems: list[Problem] = []
    if chosen is None:
        grid = _grid(checked, sheet, _header_test(survey_lookup, long_required))
        if find_header(grid, survey_lookup, long_required) is not None:
            raw = locate_table(grid, survey_lookup, long_required, table="survey")
            return _survey_from_long(raw, raw.frame, raw.row_numbers, None, matcher, [])
        # a wide export: find a saved mapping by the fingerprint of one of the top rows
        top = grid.rows[:HEADER_SCAN_ROWS]
        headers = max(top, key=lambda cells: sum(cell is not None for cell in cells)) if top else []
        for cells in top:
            if sum(cell is not None for cell in cells) < 2:
                continue
            found = find_mapping_for(cells, mapping_folder)
            if found is not None:
                path, chosen = found
                mapping_problems.append(
                    Problem(
                        f"survey mapping {path.name} recognised by the header fingerprint",
                        file=checked.name,
                        severity="info",
                    )
                )
                break
        if chosen is None:
            fingerprint = header_fingerprint(headers)
            message = (
                "this looks like a wide survey export; no saved survey mapping fits its header "
                f"(fingerprint {fingerprint}): write one (see data/survey_mappings/) and pass it with --mapping"
            )
            raise InputError(
                f"{checked.name}: {message}",
                [Problem(message, file=checked.name, sheet=grid.sheet)],
            )
    wide_lookup = {normalise_header(column): column for column in chosen.columns()}
    required = tuple(chosen.required_columns())
    grid = _grid(checked, sheet or chosen.sheet, _header_test(wide_lookup, required))
    raw = locate_table(grid, wide_lookup, required, table="survey")
    if chosen.fingerprint and header_fingerprint(raw.headers.values()) != chosen.fingerprint:
        mapping_problems.append(
            Problem(
                f"the export's header differs from the one mapping {chosen.name!r} was written for (fingerprint "
                f"{header_fingerprint(raw.headers.values())}, mapping has {chosen.fingerprint}): check the mapped columns",
                file=raw.file,
                sheet=raw.sheet,
                severity="warning",
            )
        )
    wide = expand_wide(raw, chosen)
    return _survey_from_long(
        raw,
        wide.long,
        wide.row_numbers,
        wide.source_columns,
        matcher,
        mapping_problems + wide.problems,
        respondents=wide.respondents,
        free_text=wide.free_text,
        assumed=wide.assumed,
    )


def _survey_from_long(
    raw: RawTable,
    long: pd.DataFrame,
    row_numbers: pd.Series,
    source_columns: pd.Series | None,
    matcher: Matcher,
    problems: list[Problem],
    *,
    respondents: pd.DataFrame | None = None,
    free_text: pd.Series | None = None,
    assumed: pd.DataFrame | None = None,
) -> ImportResult:
    """Companies and demand from long survey rows (a long file, or an expanded wide export).

    With ``respondents`` (a wide export) companies come from every respondent, also
    those who state no need; otherwise from the long rows. ``free_text`` marks long rows
    whose skill is a phrase from a free-text answer: mapped like any other phrase (below
    the threshold they go to review), and dropped with an ``info`` problem when they name
    a skill the respondent's other answers already state. ``assumed`` flags, per respondent,
    company values that are the mapping's defaults (see :attr:`ImportResult.assumed`).
    """
    file, sheet = raw.file, raw.sheet
    rows_read = len(raw.frame)
    problems = (
        _stamp(raw.problems, table="survey", file=file, sheet=sheet)
        + _template_warning(raw)
        + _stamp(problems, file=file, sheet=sheet)
    )
    if len(raw.frame) == 0:
        problems.append(
            Problem(
                "the table has a header but no data rows",
                table="survey",
                file=file,
                sheet=sheet,
                row=raw.header_row,
            )
        )
        return _failed("survey", file, 0, problems, sheet=raw.sheet, header_row=raw.header_row)
    # companies: from every respondent (wide) or from the long rows themselves, at their real rows
    company_source = raw.frame if respondents is None else respondents
    companies_raw, company_rows, _, company_problems = split_companies(
        company_source, raw.row_numbers, file=file, sheet=sheet
    )
    companies_prepared, company_cell_problems = prepare_values(
        raw, "companies", companies_raw, company_rows
    )
    assumed_rows = _assumed_rows(company_source, raw.row_numbers, assumed)
    companies_prepared["assumed"] = companies_prepared["company_id"].map(
        _company_flags(assumed_rows)
    )
    companies_typed, company_schema = _validate(
        "companies", companies_prepared, raw, company_rows, company_cell_problems
    )
    problems += company_problems + company_cell_problems + company_schema

    # demand: validated with positions as "row numbers", then translated back to the sheet,
    # since one row of a wide export expands to several demand rows
    positions = pd.Series(range(len(long)), index=long.index)
    where_raw = RawTable(
        file, sheet, raw.header_row, long, positions, raw.headers, raw.decimal_default
    )
    demand_raw = long.assign(company_id=derive_company_ids(long))[
        ["company_id", *[c for c in (*DEMAND_ANSWER_COLUMNS, "assumed") if c in long.columns]]
    ]
    demand_prepared, demand_cell_problems = prepare_values(
        where_raw, "demand", demand_raw, positions
    )
    demand_prepared, mapped = _map_skills("demand", demand_prepared, matcher)
    if free_text is not None and free_text.any():
        # rows keep their positions (index), so problems still point at the right cells
        keep, repeated = _repeated_free_text(
            demand_prepared, mapped, free_text, row_numbers, source_columns, raw
        )
        problems += repeated
        demand_prepared, mapped = demand_prepared.loc[keep], mapped.loc[keep]
        positions = positions.loc[keep]
    extra = demand_prepared[["suggestion", "score"]]
    demand_prepared = demand_prepared.drop(columns=["suggestion", "score"])
    demand_typed, demand_schema = _validate(
        "demand", demand_prepared, where_raw, positions, demand_cell_problems
    )
    problems += [
        _to_sheet_row(p, row_numbers, source_columns) for p in demand_cell_problems + demand_schema
    ]
    errors = [p for p in problems if p.severity == "error"]
    if companies_typed is None or demand_typed is None or errors:
        return _failed(
            "survey", file, rows_read, problems, sheet=raw.sheet, header_row=raw.header_row
        )
    real_rows = row_numbers.reset_index(drop=True)
    problems += _pending_problems(demand_prepared.assign(**extra), mapped, raw, real_rows, "demand")
    demand_accepted, pending = _finish_skill_table(
        "demand",
        demand_typed,
        extra.reset_index(drop=True),
        mapped.reset_index(drop=True),
        raw,
        real_rows.loc[demand_prepared.index].reset_index(drop=True),
    )
    problems += _assumed_summary(assumed_rows, file, sheet)
    problems += _assumed_demand_summary(demand_accepted, pending, file, sheet)
    report = Report(rows_read=rows_read, rows_accepted=rows_read, problems=problems)
    tables = {"companies": companies_typed, "demand": demand_accepted}
    return ImportResult(
        "survey",
        file,
        tables,
        report,
        pending,
        sheet=raw.sheet,
        header_row=raw.header_row,
        assumed=assumed_rows,
    )


def _repeated_free_text(
    prepared: pd.DataFrame,
    mapped: pd.Series,
    free_text: pd.Series,
    row_numbers: pd.Series,
    source_columns: pd.Series | None,
    raw: RawTable,
) -> tuple[pd.Series, list[Problem]]:
    """Free-text rows that repeat a need the same respondent already states (same key after
    mapping) are left out, each with an ``info`` problem; returns the rows kept and the problems."""
    key = ["company_id", "skill", "role", "needed_by"]
    mapped_free = free_text.to_numpy() & mapped.to_numpy()
    # categorical answers first, so that a free-text phrase never displaces them
    order = pd.Series(free_text.to_numpy(), index=prepared.index).sort_values(kind="stable").index
    repeated = prepared.loc[order, key].astype(str).duplicated(keep="first").reindex(prepared.index)
    drop = repeated.to_numpy() & mapped_free
    skills = prepared["skill"].astype(str)
    problems = [
        Problem(
            f"free-text answer names {skills[index]}, which this respondent's answers "
            "already state: counted once",
            table="demand",
            file=raw.file,
            sheet=raw.sheet,
            row=int(row_numbers.iloc[position]),
            column=str(source_columns.iloc[position]) if source_columns is not None else "skill",
            value=skills[index],
            severity="info",
        )
        for position, index in enumerate(prepared.index)
        if drop[position]
    ]
    return pd.Series(~drop, index=prepared.index), problems


def _assumed_rows(
    respondents: pd.DataFrame, row_numbers: pd.Series, assumed: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per company and column whose value the import assumed (:data:`ASSUMED_COLUMNS`)."""
    if assumed is None or assumed.empty:
        return pd.DataFrame(columns=list(ASSUMED_COLUMNS))
    ids = derive_company_ids(respondents)
    records = []
    for column in assumed.columns:
        flagged = assumed.index[assumed[column].to_numpy(dtype=bool)]
        for index in flagged:
            records.append(
                {
                    "company_id": ids[index],
                    "column": column,
                    "value": str(respondents.at[index, column]),
                    "source_row": int(row_numbers[index]),
                }
            )
    frame = pd.DataFrame(records, columns=list(ASSUMED_COLUMNS))
    return frame.drop_duplicates(["company_id", "column"]).reset_index(drop=True)


def _company_flags(assumed: pd.DataFrame) -> dict[str, str | None]:
    """company_id -> its ``assumed`` cell (the columns whose value the import assumed)."""
    return {
        str(company_id): assumed_text(group["column"], "companies")
        for company_id, group in assumed.groupby("company_id", sort=False)
    }


def _assumed_demand_summary(
    demand: pd.DataFrame, pending: pd.DataFrame, file: str, sheet: str
) -> list[Problem]:
    """One info problem counting the demand rows (stored and sent to review) per column the import assumed."""
    flags = demand["assumed"] if "assumed" in demand.columns else pd.Series(dtype=object)
    if len(pending) and "row_json" in pending.columns:
        queued = [json.loads(str(text)).get("assumed") for text in pending["row_json"]]
        flags = pd.concat(
            [flags.astype(object), pd.Series(queued, dtype=object)], ignore_index=True
        )
    counts: dict[str, int] = {}
    for cell in flags:
        for name in assumed_names(cell):
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return []
    words = ", ".join(
        f"{name} on {counts[name]:,} row{'' if counts[name] == 1 else 's'}"
        for name in ASSUMABLE["demand"]
        if name in counts
    )
    return [
        Problem(
            f"assumed values in demand (the mapping's defaults, and the need a yes/no answer or free-text "
            f"phrase stands for): {words}; flagged in the rows' assumed column",
            table="demand",
            file=file,
            sheet=sheet,
            column="assumed",
            severity="info",
        )
    ]


def _assumed_summary(assumed: pd.DataFrame, file: str, sheet: str) -> list[Problem]:
    if assumed.empty:
        return []
    counts = assumed.groupby("column", sort=True)["company_id"].nunique()
    words = ", ".join(
        f"{column} on {count} compan{'y' if count == 1 else 'ies'}"
        for column, count in counts.items()
    )
    return [
        Problem(
            f"assumed values (the mapping's defaults for blank cells): {words}; "
            "flagged in the companies' assumed column",
            table="companies",
            file=file,
            sheet=sheet,
            column="assumed",
            severity="info",
        )
    ]


def _to_sheet_row(
    problem: Problem, row_numbers: pd.Series, source_columns: pd.Series | None
) -> Problem:
    """Translate a problem located on a long-row position back to the spreadsheet row and column."""
    if problem.row is None:
        return problem
    position = problem.row
    if position < 0 or position >= len(row_numbers):
        return problem
    column = problem.column
    if source_columns is not None and column in DEMAND_ANSWER_COLUMNS:
        column = f"{source_columns.iloc[position]} ({column})"
    return dataclasses.replace(problem, row=int(row_numbers.iloc[position]), column=column)


def read_table(
    kind: str,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    mapping: SurveyMapping | str | Path | None = None,
    taxonomy: pd.DataFrame | None = None,
    learned_aliases: pd.DataFrame | Mapping[str, str] | None = None,
    matcher: Matcher | None = None,
    settings: Settings | None = None,
    mapping_folder: str | Path | None = None,
) -> ImportResult:
    """Read one file of ``kind`` into typed tables plus a report; never touches the database.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    source
        Path of the file, or its bytes (then ``name`` gives the file name).
    sheet
        Excel sheet to read; by default the first whose top rows hold the table's header.
    mapping
        Survey mapping (model or YAML path) for wide survey exports; by default a mapping
        in ``mapping_folder`` whose header fingerprint matches is used.
    taxonomy
        The ``skills`` table, to map skill names in surveys, demand, course_skills, supply.
    learned_aliases
        Phrases reviewers mapped before (``alias``, ``skill_id``).
    matcher
        A prebuilt :class:`~skills.mapping.Matcher` (instead of ``taxonomy``).

    Returns
    -------
    ImportResult
        ``tables`` is empty and ``report.rows_accepted`` is 0 when there is any error:
        an import succeeds whole or not at all. Warnings keep their rows.

    Raises
    ------
    InputError
        Only for arguments that make no sense (unknown kind). Problems with the file
        itself come back in the report, each naming file, sheet, row and column.
    """
    if kind not in KINDS:
        msg = f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}"
        raise InputError(msg)
    settings = settings or load_settings()
    label = name or (Path(source).name if isinstance(source, str | Path) else "upload")
    try:
        checked = read_upload(source, name=label, settings=settings)
        if matcher is None and taxonomy is not None:
            matcher = Matcher.from_taxonomy(
                taxonomy, learned_aliases=learned_aliases, threshold=settings.mapping_threshold
            )
        if kind.startswith("esco-"):
            return _read_esco(kind, checked)
        if kind == "survey":
            folder = Path(mapping_folder) if mapping_folder is not None else SURVEY_MAPPINGS_DIR
            return _read_survey(checked, sheet, mapping, matcher, folder)
        return _read_plain_table(kind, checked, sheet, matcher)
    except InputError as error:
        problems = error.problems or [Problem(str(error), file=label)]
        problems = _stamp(problems, file=label)
        return _failed(kind, label, 0, problems)


def _read_esco(kind: str, checked: CheckedFile) -> ImportResult:
    from skills.esco import read_esco

    if checked.format != "csv":
        message = "ESCO downloads are CSV files; this is a workbook"
        return _failed(kind, checked.name, 0, [Problem(message, file=checked.name)])
    result = read_esco(checked.data, checked.name, kind)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors or not result.tables:
        return _failed(kind, checked.name, result.rows_read, result.problems)
    accepted = sum(len(frame) for frame in result.tables.values())
    return ImportResult(
        kind, checked.name, result.tables, Report(result.rows_read, accepted, result.problems)
    )


# ---- helpers for the CLI ------------------------------------------------------------------------


def import_summary(result: ImportResult) -> dict[str, Any]:
    """The report of an import as plain data for ``vetplan import --json``.

    Keys: ``rows_read``, ``rows_accepted``, ``problems`` (each with file, sheet, row,
    column, value, message, severity), plus ``kind``, ``file``, ``tables`` (rows per
    table) and ``pending`` (rows sent to review).
    """
    return {
        "kind": result.kind,
        "file": result.file,
        "rows_read": result.report.rows_read,
        "rows_accepted": result.report.rows_accepted,
        "tables": {name: len(frame) for name, frame in result.tables.items()},
        "pending": len(result.pending),
        "problems": [
            {
                key: p.as_dict()[key]
                for key in (
                    "file",
                    "sheet",
                    "row",
                    "column",
                    "value",
                    "message",
                    "severity",
                    "table",
                )
            }
            for p in result.report.problems
        ],
    }
