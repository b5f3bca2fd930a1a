"""ESCO labels for the matcher: read from ESCO downloads when present, exact names only, never ambiguous."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skills.errors import InputError
from skills.esco_labels import esco_names, load_esco_labels, with_esco_aliases
from skills.mapping import Matcher, match
from tests.fixtures.builders import tiny_taxonomy

ESCO = Path(__file__).resolve().parents[2] / "shared" / "reference" / "esco-1.2.0"
PLC_URI = "http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CNC_URI = "http://data.europa.eu/esco/skill/11111111-2222-4333-8444-555555555555"
NARROW_URI = "http://data.europa.eu/esco/skill/22222222-3333-4444-8555-666666666666"
HEADER = "conceptType,conceptUri,preferredLabel,status,altLabels,broaderConceptUri\n"


def _linked() -> pd.DataFrame:
    skills = tiny_taxonomy()
    uris = {"plc_programming": PLC_URI, "cnc_milling": CNC_URI}
    return skills.assign(esco_uri=skills["skill_id"].map(uris))


def _collection(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    rows = [
        f'KnowledgeSkillCompetence,{PLC_URI},program PLCs,released,"write ladder logic | CNC milling",\n',
        f'KnowledgeSkillCompetence,{CNC_URI},operate CNC milling machines,released,"write ladder logic",\n',
        f"KnowledgeSkillCompetence,{NARROW_URI},program safety PLCs,released,,{PLC_URI}\n",
    ]
    path = folder / "digitalSkillsCollection_en.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return folder


def test_no_esco_files_no_labels(tmp_path: Path) -> None:
    assert load_esco_labels(tmp_path / "absent") is None
    assert load_esco_labels(tmp_path) is None
    assert esco_names(_linked(), None) == {}
    assert with_esco_aliases(_linked(), None) is not None


def test_labels_of_the_linked_concepts_become_exact_names(tmp_path: Path) -> None:
    labels = load_esco_labels(_collection(tmp_path / "esco"))
    assert labels is not None and labels.files == ("digitalSkillsCollection_en.csv",)
    names = esco_names(_linked(), labels)
    # 'CNC milling' is already our cnc_milling's label; 'write ladder logic' is claimed by two concepts
    assert names == {"program PLCs": "plc_programming", "operate CNC milling machines": "cnc_milling"}
    assert esco_names(_linked(), labels, narrower=True)["program safety PLCs"] == "plc_programming"
    plain = Matcher.from_taxonomy(tiny_taxonomy(), threshold=88)
    matcher = Matcher.from_taxonomy(tiny_taxonomy(), threshold=88, exact_names=names)
    found = match("Program PLCs", matcher)
    assert (found.skill_id, found.score, found.method) == ("plc_programming", 98, "alias")
    # exact names only: the fuzzy names and word evidence the confidence model reads are unchanged
    assert (matcher.choice_texts, matcher.evidence_postings) == (plain.choice_texts, plain.evidence_postings)


def test_a_file_that_is_not_an_esco_skills_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "esco"
    folder.mkdir()
    (folder / "greenSkillsCollection_en.csv").write_text("uri,label\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_esco_labels(folder)
    assert {p.file for p in raised.value.problems} == {"greenSkillsCollection_en.csv"}


@pytest.mark.skipif(not ESCO.is_dir(), reason="shared ESCO reference files not present")
def test_the_esco_collections_give_unambiguous_names_to_linked_skills() -> None:
    from skills.taxonomy import load_taxonomy

    labels = load_esco_labels(ESCO)
    assert labels is not None and len(labels.concepts) > 2000
    taxonomy = load_taxonomy()
    names = esco_names(taxonomy, labels)
    assert len(names) > 100 and set(names.values()) <= set(taxonomy.index)
    matcher = Matcher.from_taxonomy(taxonomy, threshold=88, exact_names=names)
    wrong = {name: match(name, matcher) for name, skill in names.items() if match(name, matcher).skill_id != skill}
    assert wrong == {}  # every ESCO name maps to the skill linked to its concept, none is ambiguous
