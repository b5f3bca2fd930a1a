"""Files that are not what they seem: pipes, devices, encrypted workbooks, survey mappings nested or sized to crash a parser."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from skills.cli import main
from skills.io import read_table
from skills.store import Store
from tests.fixtures.builders import tiny_taxonomy, xlsx_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.timeout(20)
def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.csv"
    os.mkfifo(fifo)
    result = read_table("demand", fifo, taxonomy=tiny_taxonomy())
    [problem] = result.report.errors
    assert "not a regular file" in problem.message and problem.file == "answers.csv"


def test_a_device_is_refused() -> None:
    result = read_table("demand", "/dev/zero", name="zero.csv", taxonomy=tiny_taxonomy())
    assert "not a regular file" in result.report.errors[0].message


def test_an_encrypted_workbook_part_is_refused_by_name() -> None:
    data = bytearray(xlsx_bytes({"demand": [["company_id", "skill"], ["C1", "plc_programming"]]}))
    # set the "encrypted" flag, as a password-protected zip does, in every local and central header
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_at] |= 0x1
            start = data.find(signature, start + 4)
    assert all(entry.flag_bits & 0x1 for entry in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist())
    result = read_table("demand", bytes(data), name="locked.xlsx", taxonomy=tiny_taxonomy())
    [problem] = result.report.errors
    assert "password-protected" in problem.message and problem.file == "locked.xlsx"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("questions: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("questions:\n" + "".join("  " * depth + "- \n" for depth in range(1, 700)), "nested too deeply"),
        ("name: x\n" + "# padding\n" * 120_000, "larger than 1 MB"),
        ("name: caf\xe9\n", "must be UTF-8"),
    ],
)
def test_a_hostile_mapping_file_is_bad_input(
    text: str, words: str, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes(text.encode("utf-8") if "caf" not in text else text.encode("latin-1"))
    code = main(["import", "survey", str(FIXTURES / "wide_survey_export.csv"), "--mapping", str(mapping), "--dry-run"])
    out = capsys.readouterr()
    assert code == 2, out
    assert words in out.out + out.err
    assert "Traceback" not in out.out + out.err and "internal error" not in out.out + out.err


def test_an_overlong_id_is_refused_before_the_database_sees_it(store: Store) -> None:
    """A 201-character company id made PostgreSQL fail with its SQL and other rows in the message."""
    from skills import service
    from tests.fixtures.hostile import quoted_csv

    header = ["company_id", "name", "region", "sector", "employees"]
    data = quoted_csv([header, ["C" * 201, "Lund ApS", "DK041", "C25", 10], ["C2", "N" * 5000, "DK041", "C25", 10]])
    before = store.snapshot()
    outcome = service.import_data("companies", data, name="long.csv", store=store)
    assert not outcome.stored
    found = {(p["row"], p["column"], p["message"]) for p in outcome.summary["problems"]}
    assert found == {(2, "company_id", "is 201 characters; at most 64"), (3, "name", "is 5000 characters; at most 200")}
    assert store.snapshot() == before
