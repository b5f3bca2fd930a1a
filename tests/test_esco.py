"""ESCO downloads: read by column name (any order, extra columns, 4 or 6 relation columns, any language)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skills.esco import assign_group, esco_skill_id, file_language, propose_esco_links, split_labels
from skills.io import read_table

ESCO = Path(__file__).resolve().parents[2] / "shared" / "reference" / "esco-1.2.0"
needs_esco = pytest.mark.skipif(not ESCO.is_dir(), reason="shared ESCO reference files not present")

URI_A = "http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
URI_B = "http://data.europa.eu/esco/skill/11111111-2222-4333-8444-555555555555"
OCC = "http://data.europa.eu/esco/occupation/99999999-8888-4777-8666-555555555555"


def test_skill_ids_come_from_the_uuid() -> None:
    assert esco_skill_id(URI_A) == "esco_0a1b2c3d4e5f"
    assert (
        esco_skill_id(
            URI_A.upper().replace(
                "HTTP://DATA.EUROPA.EU/ESCO/SKILL/", "http://data.europa.eu/esco/skill/"
            )
        )
        == "esco_0a1b2c3d4e5f"
    )
    with pytest.raises(ValueError):
        esco_skill_id("http://data.europa.eu/esco/skill/no-uuid")


def test_labels_split_on_lines_and_bars() -> None:
    assert split_labels("PLC coding\nladder logic\r\nPLC coding") == ["PLC coding", "ladder logic"]
    assert split_labels("a | b|c | d") == [
        "a",
        "b/c",
        "d",
    ]  # a bare | inside a label would split our aliases
    assert split_labels(None) == [] and split_labels("  ") == []


def test_groups_follow_the_documented_rule() -> None:
    assert assign_group("program a PLC", reuse_level="sector-specific") == "automation_robotics"
    assert assign_group("show initiative", reuse_level="transversal") == "transversal"
    assert assign_group("Haskell", broader="computer programming") == "digital_data"
    assert (
        assign_group("adjust welding torch", collection="greenSkillsCollection_en.csv")
        == "production_technology"
    )
    assert (
        assign_group("reduce food waste", collection="greenSkillsCollection_en.csv")
        == "green_sustainability"
    )
    assert (
        assign_group("obscure thing", collection="digitalSkillsCollection_en.csv") == "digital_data"
    )
    assert assign_group("sing") == "transversal"


def test_language_from_the_file_name() -> None:
    assert (
        file_language("skills_da.csv") == "da"
        and file_language("skills_en.csv") == "en"
        and file_language("x.csv") == "en"
    )


def test_main_skills_file_with_multiline_labels(tmp_path: Path) -> None:
    # columns in the main file's order, one alternative label per line inside one quoted cell
    text = (
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description\n"
        f'KnowledgeSkillCompetence,{URI_A},skill/competence,sector-specific,program a PLC,"PLC coding\nladder programming",,released,2024-01-01,,,"a,\nb",Write PLC code.\n'
        f"KnowledgeSkillCompetence,{URI_B},knowledge,transversal,work in teams,,,released,,,,,\n"
    )
    path = tmp_path / "skills_da.csv"
    path.write_text(text, encoding="utf-8")
    result = read_table("esco-skills", path)
    assert result.ok, result.report.problems
    skills = result.tables["skills"]
    shown = skills[["skill_id", "label", "label_da", "group", "aliases", "esco_uri"]].astype(object)
    assert shown.where(shown.notna(), None).values.tolist() == [
        [
            "esco_0a1b2c3d4e5f",
            "program a PLC",
            "program a PLC",
            "automation_robotics",
            "PLC coding|ladder programming",
            URI_A,
        ],
        ["esco_111111112222", "work in teams", "work in teams", "transversal", None, URI_B],
    ]


def test_concepts_not_released_are_left_out_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "skills_en.csv"
    path.write_text(
        f"conceptUri,preferredLabel,status\n{URI_A},a,released\n{URI_B},b,obsolete\n",
        encoding="utf-8",
    )
    result = read_table("esco-skills", path)
    assert result.ok and len(result.tables["skills"]) == 1
    assert "not released" in result.report.warnings[0].message


@pytest.mark.parametrize(
    "text",
    [
        f"occupationUri,relationType,skillType,skillUri\n{OCC},essential,skill/competence,{URI_A}\n",
        f"occupationUri,occupationLabel,relationType,skillType,skillUri,skillLabel\n{OCC},welder,Essential,knowledge,{URI_A},x\n",
    ],
)
def test_relation_files_with_four_or_six_columns(tmp_path: Path, text: str) -> None:
    path = tmp_path / "occupationSkillRelations_en.csv"
    path.write_text(text, encoding="utf-8")
    result = read_table("esco-relations", path)
    assert result.ok, result.report.problems
    relations = result.tables["esco_relations"]
    assert relations[["source_uri", "relation_type", "skill_uri", "skill_id"]].values.tolist() == [
        [OCC, "essential", URI_A, "esco_0a1b2c3d4e5f"]
    ]


def test_bad_esco_rows_and_files_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "occupationSkillRelations_en.csv"
    path.write_text(
        f"occupationUri,relationType,skillType,skillUri\n{OCC},sometimes,knowledge,http://example.com/x\n",
        encoding="utf-8",
    )
    result = read_table("esco-relations", path)
    assert not result.ok and result.tables == {}
    assert {(p.row, p.column) for p in result.report.errors} == {
        (2, "skillUri"),
        (2, "relationType"),
    }

    other = tmp_path / "people.csv"
    other.write_text("name,age\nAnna,40\n", encoding="utf-8")
    for kind in ("esco-skills", "esco-occupations", "esco-relations"):
        assert not read_table(kind, other).ok


def test_our_skills_get_esco_link_proposals() -> None:
    ours = pd.DataFrame(
        {"skill_id": ["plc_programming", "teamwork", "five_s"], "label": ["PLC programming", "Teamwork", "5S"],
         "aliases": [None, "working in teams", None], "esco_uri": [None, None, None]}
    )  # fmt: skip
    esco = pd.DataFrame(
        {"skill_id": ["esco_a", "esco_b", "esco_c"], "label": ["PLC programing", "work in teams", "lean manufacturing"],
         "aliases": [None, "teamwork|team work", "5S"], "esco_uri": [URI_A, URI_B, OCC]}
    )  # fmt: skip
    links = propose_esco_links(ours, esco)
    assert links[["skill_id", "esco_uri", "method"]].values.tolist() == [
        ["plc_programming", URI_A, "fuzzy"],
        ["teamwork", URI_B, "alt_label"],
        ["five_s", OCC, "alt_label"],
    ]


@needs_esco
def test_real_digital_skills_collection_as_a_taxonomy() -> None:
    result = read_table("esco-skills", ESCO / "digitalSkillsCollection_en.csv")
    assert result.ok, result.report.problems[:3]
    skills = result.tables["skills"]
    assert len(skills) == result.report.rows_read == 1284
    assert (
        skills["skill_id"].is_unique
        and skills["skill_id"].str.fullmatch(r"esco_[0-9a-f]{12}").all()
    )
    assert skills["group"].value_counts().idxmax() == "digital_data"
    assert not skills["aliases"].dropna().str.contains(" \\| ").any()


@needs_esco
def test_real_transversal_collection_is_transversal() -> None:
    result = read_table("esco-skills", ESCO / "transversalSkillsCollection_en.csv")
    assert result.ok and set(result.tables["skills"]["group"]) == {"transversal"}


@needs_esco
def test_real_occupations_and_relations() -> None:
    occupations = read_table("esco-occupations", ESCO / "occupations_en.csv")
    assert occupations.ok and len(occupations.tables["esco_occupations"]) == 3039
    frame = occupations.tables["esco_occupations"]
    assert frame["aliases"].dropna().str.contains("\n").sum() == 0  # multi-line cells split
    relations = read_table("esco-relations", ESCO / "skillSkillRelations_en.csv")
    assert relations.ok and len(relations.tables["esco_relations"]) == relations.report.rows_read


@needs_esco
def test_real_esco_proposals_for_our_taxonomy() -> None:
    from skills.taxonomy import load_taxonomy

    esco = read_table("esco-skills", ESCO / "digitalSkillsCollection_en.csv").tables["skills"]
    taxonomy = load_taxonomy()
    links = propose_esco_links(taxonomy, esco)
    assert set(links["esco_uri"]) <= set(esco["esco_uri"])
    assert set(links["skill_id"]).isdisjoint(taxonomy.index[taxonomy["esco_uri"].notna()])
    assert (links["score"] >= 90).all()


def test_skills_that_already_have_a_uri_or_shared_names_get_no_proposal() -> None:
    ours = pd.DataFrame(
        {
            "skill_id": ["a", "b"],
            "label": ["Welding", "Teamwork"],
            "aliases": [None, None],
            "esco_uri": [URI_A, None],
        }
    )
    esco = pd.DataFrame(
        {
            "skill_id": ["x", "y", "z"],
            "label": ["welding", "coordinate teams", "lead teams"],
            "aliases": [None, "teamwork", "teamwork"],
            "esco_uri": [URI_A, URI_B, OCC],
        }
    )
    assert propose_esco_links(
        ours, esco
    ).empty  # "a" is linked already; "Teamwork" names two concepts


def test_bad_and_duplicate_occupation_uris_are_named_by_row(tmp_path: Path) -> None:
    path = tmp_path / "occupations_en.csv"
    path.write_text(
        f"conceptUri,preferredLabel\n{OCC},welder\nhttp://example.com/x,fitter\n{OCC},welder again\n",
        encoding="utf-8",
    )
    result = read_table("esco-occupations", path)
    assert not result.ok and result.tables == {}
    assert [(p.row, p.column, p.message) for p in result.report.errors] == [
        (3, "conceptUri", "conceptUri is not an ESCO URI"),
        (4, "conceptUri", "duplicate conceptUri"),
    ]
