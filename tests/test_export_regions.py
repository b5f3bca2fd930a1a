"""Every workbook and spreadsheet a person downloads names regions (Vestjylland), its NUTS code only beside the name."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimisation.export import write_plan_xlsx
from skills import service
from skills.access import Principal, acting_as
from skills.regions import NUTS_NAMES, REGION_COLUMNS, named_regions, region_name
from tests.fixtures.sample_db import copy_sample_to
from tests.test_export_safety import risky_in_file

#: A NUTS code as a cell would show it when a region is not named.
CODE = re.compile(r"^DK\d{2,3}$")
NAMES = set(NUTS_NAMES.values())
QUICK = {"time_limit_s": 5}


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, bytes]]]:
    """Each download of the sample region (two quick runs solved first), as (format, bytes), by name."""
    folder = tmp_path_factory.mktemp("exports")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    with pytest.MonkeyPatch.context() as patch, acting_as(Principal.operator()):
        patch.setenv("DATABASE_URL", url)
        copy_sample_to(url)
        base = service.solve(service.load_scenario(None, {"name": "base", **QUICK}))
        service.solve(service.load_scenario(None, {"name": "lean", **QUICK, "budget_per_year": 100000}))
        company = str(service.company_choices()["company_id"].iloc[0])
        provider = service.provider_choices()[0]
        write_plan_xlsx(base, folder / "plan-engine.xlsx")
        service.priorities_file(service.priorities_report("base"), folder / "priorities.xlsx")
        xlsx = {
            "company": service.company_workbook(company),
            "course planning": service.course_planning_workbook(provider),
            "plan": service.plan_workbook(base),
            "plan (engine export)": (folder / "plan-engine.xlsx").read_bytes(),
            "comparison": service.comparison_workbook(service.compare_runs(["base", "lean"])),
            "priorities": (folder / "priorities.xlsx").read_bytes(),
            **{
                f"gaps by {by}": service.write_frame(service.gaps_for_display(service.gaps("gaps", by=by)), "xlsx")
                for by in ("region", "course")
            },
        }
        csv = {"gaps by region (csv)": service.write_frame(service.gaps_for_display(service.gaps("gaps", by="region")), "csv")}
        yield {**{name: ("xlsx", data) for name, data in xlsx.items()}, **{name: ("csv", data) for name, data in csv.items()}}
    service._store_for.cache_clear()


def _sheets(fmt: str, data: bytes) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet of an xlsx file (one sheet for a CSV file) as rows of values, header first."""
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        return {"csv": [tuple(frame.columns), *frame.itertuples(index=False, name=None)]}
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def _region_cells(fmt: str, data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """The cells people read as a region (region columns; a profile's ``region`` item), and (name, code) pairs
    of a region column and its ``_code`` column."""
    cells: list[str] = []
    pairs: list[tuple[str, str]] = []
    for rows in _sheets(fmt, data).values():
        if not rows:
            continue
        header = [str(value) for value in rows[0]]
        for row in rows[1:]:
            if header[:2] == ["item", "value"] and row[0] == "region":
                cells.append(str(row[1]))
            for column in REGION_COLUMNS:
                if column in header and row[header.index(column)] is not None:
                    cells.append(str(row[header.index(column)]))
                    if f"{column}_code" in header:
                        pairs.append((str(row[header.index(column)]), str(row[header.index(f"{column}_code")])))
    return cells, pairs


@pytest.mark.parametrize(
    "name",
    ["company", "course planning", "plan", "plan (engine export)", "comparison", "priorities",
     "gaps by region", "gaps by course", "gaps by region (csv)"],
)
def test_a_download_names_regions_and_keeps_codes_beside_them(exports: dict[str, tuple[str, bytes]], name: str) -> None:
    fmt, data = exports[name]
    cells, pairs = _region_cells(fmt, data)
    if name in {"comparison", "priorities"}:
        assert not [cell for cell in cells if CODE.match(cell)]  # these hold no region column today; none may hold a code
        return
    assert cells, f"{name}: no region shown"
    assert not [cell for cell in cells if CODE.match(cell)], f"{name}: NUTS codes where a region's name belongs"
    assert NAMES & set(cells), f"{name}: no region named"
    # where a code is kept for analysts, it is the named region's code
    assert all(shown == region_name(code) for shown, code in pairs)
    assert not risky_in_file(data, fmt)


def test_the_plan_workbook_keeps_each_code_beside_its_name(exports: dict[str, tuple[str, bytes]]) -> None:
    _, pairs = _region_cells(*exports["plan"])
    assert pairs and any(CODE.match(code) for _, code in pairs)
    assert {shown for shown, code in pairs if code == "online"} <= {"online"}


def test_naming_regions_is_idempotent_and_leaves_other_columns() -> None:
    frame = pd.DataFrame({"region": ["DK041", ":c", None, "online"], "course_region": ["DK042"] * 4, "runs": [1, 2, 3, 4]})
    once = named_regions(frame)
    assert list(once.columns) == ["region", "region_code", "course_region", "course_region_code", "runs"]
    assert once["region"].tolist()[:2] == ["Vestjylland", ":c"] and pd.isna(once["region"].iloc[2])
    assert once["region_code"].tolist()[0] == "DK041" and once["runs"].tolist() == [1, 2, 3, 4]
    assert named_regions(once).equals(once)
    assert frame["region"].iloc[0] == "DK041"  # the caller's table is not changed
    named = pd.DataFrame({"region": pd.array(["Vestjylland", pd.NA], dtype="string")})
    assert list(named_regions(named).columns) == ["region"]


def test_a_hostile_text_beside_a_region_stays_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"region": ["DK041"], "note": ["=HYPERLINK(\"http://x\")"]})
    data = service.write_frame(frame, "xlsx", str(tmp_path / "x.xlsx"))
    assert not risky_in_file(data, "xlsx")
    assert not risky_in_file(service.write_frame(frame, "csv"), "csv")
