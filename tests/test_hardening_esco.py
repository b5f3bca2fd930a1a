"""Every ESCO download imports with the kind it is, whether or not its labels match our skills; other kinds are refused by name."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from skills import service
from skills.cli import main
from skills.esco import propose_esco_links
from skills.io import read_table
from skills.store import Store
from tests.conftest import SHARED_REFERENCE, tiny_frames

ESCO = SHARED_REFERENCE / "esco-1.2.0"
needs_esco = pytest.mark.skipif(not ESCO.is_dir(), reason="shared ESCO reference files (../shared/reference) not present")

#: Columns of an ESCO 1.2 skills collection (green, digital, DigComp ...), in the download's order.
COLLECTION_COLUMNS = [
    "conceptType", "conceptUri", "preferredLabel", "status", "skillType",
    "reuseLevel", "altLabels", "description", "broaderConceptUri", "broaderConceptPT",
]
URI_A = "http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
URI_B = "http://data.europa.eu/esco/skill/11111111-2222-4333-8444-555555555555"
URI_C = "http://data.europa.eu/esco/skill/22222222-3333-4444-8555-666666666666"
OCC = "http://data.europa.eu/esco/occupation/99999999-8888-4777-8666-555555555555"

#: The real ESCO 1.2.0 downloads of each kind (every file of ../shared/reference/esco-1.2.0 that is one).
REAL_FILES = {
    "esco-skills": [
        "greenSkillsCollection_en.csv",
        "transversalSkillsCollection_en.csv",
        "languageSkillsCollection_en.csv",
        "digCompSkillsCollection_en.csv",
        "digitalSkillsCollection_en.csv",
    ],
    "esco-occupations": ["occupations_en.csv", "ISCOGroups_en.csv"],
    "esco-relations": ["skillSkillRelations_en.csv"],
}


def _collection(rows: list[list[str]]) -> bytes:
    """A small skills collection written here: invented labels and descriptions, ESCO's column names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLLECTION_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _skill_row(uri: str, label: str, alt: str = "") -> list[str]:
    return ["KnowledgeSkillCompetence", uri, label, "released", "skill/competence", "cross-sector", alt, f"Invented text about {label}.", "", ""]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding the tiny region (PLC programming, CNC milling, 5S; no ESCO links)."""
    store = Store(f"sqlite:///{tmp_path / 'esco.sqlite'}")
    store.replace_tables(tiny_frames())
    return store


def test_a_collection_no_label_of_which_matches_our_skills_imports(store: Store) -> None:
    """Before: "Invalid value for dtype 'str'" (an internal error, exit 1) when no ESCO label matched."""
    data = _collection([_skill_row(URI_A, "tend synthetic looms"), _skill_row(URI_B, "sort invented parcels", "parcel sorting")])
    before = store.read_frame("skills")
    outcome = service.import_data("esco-skills", data, name="greenSkillsCollection_en.csv", store=store)
    assert outcome.ok and outcome.stored, outcome.summary["problems"]
    after = store.read_frame("skills")
    assert after["skill_id"].tolist() == before["skill_id"].tolist()  # nothing lost, nothing added
    assert after["esco_uri"].replace("", None).isna().all()  # and nothing linked
    assert sorted(store.read_reference("esco_skills")["esco_uri"]) == [URI_A, URI_B]


def test_only_exact_label_matches_are_linked(store: Store) -> None:
    data = _collection([_skill_row(URI_A, "PLC programming"), _skill_row(URI_B, "sort invented parcels"), _skill_row(URI_C, "apply 5S tidiness", "5S")])
    outcome = service.import_data("esco-skills", data, name="digitalSkillsCollection_en.csv", store=store)
    assert outcome.ok and outcome.stored, outcome.summary["problems"]
    skills = store.read_frame("skills").set_index("skill_id")
    assert skills.loc["plc_programming", "esco_uri"] == URI_A
    assert skills.loc["five_s", "esco_uri"] == URI_C  # our label "5S" is an ESCO alternative label
    assert pd.isna(skills.loc["cnc_milling", "esco_uri"]) or skills.loc["cnc_milling", "esco_uri"] == ""


def test_the_cli_imports_a_collection_without_a_match(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", store.url)
    path = tmp_path / "languageSkillsCollection_en.csv"
    path.write_bytes(_collection([_skill_row(URI_A, "speak an invented language")]))
    assert main(["import", "esco-skills", str(path)]) == 0
    assert main(["import", "esco-skills", str(path), "--esco-use", "taxonomy"]) == 0
    assert "esco_0a1b2c3d4e5f" in set(store.read_frame("skills")["skill_id"])


def test_link_proposals_are_typed_also_when_there_are_none() -> None:
    from skills.esco import LINK_COLUMNS

    ours = tiny_frames()["skills"]
    esco = pd.DataFrame({"skill_id": ["esco_x"], "label": ["nothing alike"], "aliases": [None], "esco_uri": [URI_A]})
    links = propose_esco_links(ours, esco)
    assert links.empty and {name: str(dtype) for name, dtype in links.dtypes.items()} == LINK_COLUMNS


def test_a_file_of_other_concepts_is_refused_by_name(tmp_path: Path) -> None:
    occupations = tmp_path / "occupations_en.csv"
    occupations.write_text(f"conceptType,conceptUri,preferredLabel\nOccupation,{OCC},invented fitter\n", encoding="utf-8")
    result = read_table("esco-skills", occupations)
    assert not result.ok
    [problem] = result.report.errors
    assert problem.column == "conceptType" and "import it as esco-occupations" in problem.message

    skills = tmp_path / "greenSkillsCollection_en.csv"
    skills.write_bytes(_collection([_skill_row(URI_A, "tend synthetic looms")]))
    result = read_table("esco-occupations", skills)
    assert not result.ok and "import it as esco-skills" in result.report.errors[0].message


@needs_esco
@pytest.mark.parametrize(("kind", "file_name"), [(kind, name) for kind, names in REAL_FILES.items() for name in names])
def test_every_real_esco_download_imports_with_its_kind(kind: str, file_name: str, database_url: str) -> None:
    assert main(["init"]) == 0
    assert main(["import", kind, str(ESCO / file_name)]) == 0
    stored = service.get_store().read_reference(kind.replace("-", "_"))
    assert len(stored) > 0


@needs_esco
@pytest.mark.parametrize("file_name", REAL_FILES["esco-skills"])
def test_every_real_skills_collection_extends_the_taxonomy(file_name: str, database_url: str) -> None:
    assert main(["init"]) == 0
    before = len(service.get_store().read_frame("skills"))
    assert main(["import", "esco-skills", str(ESCO / file_name), "--esco-use", "taxonomy"]) == 0
    assert len(service.get_store().read_frame("skills")) > before


@needs_esco
@pytest.mark.slow
def test_no_real_esco_file_is_an_internal_error_with_any_kind(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every file of the folder with every ESCO kind: imported (0) or refused with its problems (2), never 1."""
    assert main(["init"]) == 0
    codes = {}
    for path in sorted(ESCO.glob("*.csv")):
        for kind in ("esco-skills", "esco-occupations", "esco-relations"):
            codes[path.name, kind] = main(["import", kind, str(path), "--dry-run"])
    assert "internal error" not in capsys.readouterr().err
    assert set(codes.values()) <= {0, 2}, {key: code for key, code in codes.items() if code not in (0, 2)}
    assert {key for key, code in codes.items() if code == 0} == {(name, kind) for kind, names in REAL_FILES.items() for name in names}


def test_relations_with_extra_cells_or_a_uri_without_uuid_are_refused_by_row(tmp_path: Path) -> None:
    from skills.io import read_table

    occupation = "http://data.europa.eu/esco/occupation/00000000-0000-4000-8000-000000000001"
    skill = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000002"
    extra = tmp_path / "relations_extra.csv"
    extra.write_text(
        f"occupationUri,relationType,skillType,skillUri\n{occupation},essential,knowledge,{skill},surplus,more\n",
        encoding="utf-8",
    )
    result = read_table("esco-relations", extra)
    assert [(p.row, p.value) for p in result.report.errors] == [(2, "surplus")]
    long_uri = tmp_path / "relations_long.csv"
    long_uri.write_text(
        f"occupationUri,relationType,skillType,skillUri\n{occupation},essential,knowledge,{skill}{'x' * 200}\n",
        encoding="utf-8",
    )
    result = read_table("esco-relations", long_uri)
    assert [(p.row, p.column) for p in result.report.errors] == [(2, "skillUri")]
