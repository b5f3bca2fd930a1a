"""Skill matcher: normalising, exact and fuzzy matching with guards, the review queue's transitions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.errors import InputError
from skills.mapping import (
    QUEUE_COLUMNS,
    Matcher,
    accept_suggestion,
    apply_mapping,
    fold_danish,
    learned_alias,
    match,
    new_skill,
    normalise,
    queue_rows,
    resolve_pending,
    resolve_row,
    stem,
)
from skills.schemas import validate

LABELLED = Path(__file__).resolve().parent / "data" / "mapping_labelled.csv"

SKILLS = pd.DataFrame(
    {
        "skill_id": ["plc_programming", "plc_troubleshooting", "cnc_milling", "five_s", "data_analysis", "robot_programming", "robot_welding"],
        "label": ["PLC programming", "PLC fault finding", "CNC milling", "5S workplace organisation", "Production data analysis", "Industrial robot programming", "Robot welding"],
        "label_da": ["PLC-programmering", "Fejlfinding på PLC-styringer", "CNC-fræsning", "5S", "Analyse af produktionsdata", "Robotprogrammering", "Robotsvejsning"],
        "group": ["automation_robotics"] * 2 + ["production_technology", "lean_quality", "digital_data", "automation_robotics", "production_technology"],
        "aliases": ["PLC|Siemens TIA Portal", "PLC fejlfinding", "CNC|fræsning", "5S|fem S", "data analysis", "robot programming|ABB robot", "welding robot"],
        "esco_uri": [None] * 7,
        "description": [None] * 7,
    }
)  # fmt: skip


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_taxonomy(SKILLS, threshold=88)


def test_normalise_folds_case_accents_and_connectors_but_keeps_danish_letters() -> None:
    assert normalise("  Fræsning & Drejning ") == "fræsning and drejning"
    assert normalise("Svejsning og Montage") == "svejsning and montage"
    assert normalise("Café-Økonomi/Ålborg") == "cafe økonomi ålborg"  # é folded, ø and å kept
    assert fold_danish("fræsning på ålborg") == "fraesning paa aalborg"
    assert normalise("ISO9001") == "iso 9001"


def test_stem_undoes_common_endings() -> None:
    assert [stem(w) for w in ("robotter", "robots", "robotterne", "sensorer", "programming", "plc")] == [
        "robot", "robot", "robot", "sensor", "program", "plc",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("phrase", "skill_id", "method"),
    [
        ("plc_programming", "plc_programming", "id"),
        ("PLC programming", "plc_programming", "id"),  # the id with spaces
        ("CNC-Fræsning", "cnc_milling", "label"),
        ("plc-programmering", "plc_programming", "label"),
        ("PLC", "plc_programming", "alias"),
        ("CNC fraesning", "cnc_milling", "label"),  # æ typed as ae
        ("Knowledge of CNC milling", "cnc_milling", "id"),  # filler words dropped
        ("robot   programming!", "robot_programming", "id"),
        ("Siemens TIA-portal", "plc_programming", "alias"),
    ],
)
def test_exact_matches(matcher: Matcher, phrase: str, skill_id: str, method: str) -> None:
    found = match(phrase, matcher)
    assert (found.skill_id, found.method, found.accepted) == (skill_id, method, True)
    assert found.score >= 98


def test_typos_match_fuzzily(matcher: Matcher) -> None:
    found = match("PLC programing", matcher)
    assert (found.skill_id, found.method, found.accepted) == ("plc_programming", "fuzzy", True)
    assert 88 <= found.score < 100


def test_a_name_inside_a_longer_phrase(matcher: Matcher) -> None:
    found = match("need someone who can program our robots", matcher)
    assert (found.skill_id, found.method, found.accepted) == (
        "robot_programming",
        "contained",
        True,
    )


def test_short_fragments_and_acronyms_never_fuzzy_match(matcher: Matcher) -> None:
    # "PLD" is one letter from "PLC": acronyms only match exactly
    assert match("PLD", matcher).skill_id is None
    # "data" is inside "data analysis" but says too little to map automatically
    assert not match("data", matcher).accepted


def test_phrases_naming_two_skills_go_to_review(matcher: Matcher) -> None:
    # both robot programming and robot welding are named: no automatic choice
    found = match("welding robot programming", matcher)
    assert not found.accepted
    assert found.skill_id in {"robot_programming", "robot_welding"}


def test_an_exact_name_shared_by_two_skills_is_ambiguous() -> None:
    shared = pd.concat(
        [SKILLS, SKILLS.iloc[[0]].assign(skill_id="plc_basics", label="PLC basics", label_da=None)],
        ignore_index=True,
    )
    found = match("PLC", Matcher.from_taxonomy(shared, threshold=88))
    assert (found.method, found.accepted) == ("ambiguous", False)
    assert {found.skill_id, found.runner_up} == {"plc_programming", "plc_basics"}


def test_unrelated_phrases_do_not_map(matcher: Matcher) -> None:
    for phrase in ("canteen", "kantine", "company car", "", "   "):
        assert not match(phrase, matcher).accepted, phrase


def test_learned_aliases_win(matcher: Matcher) -> None:
    assert not match("S7 kodning", matcher).accepted
    learned = Matcher.from_taxonomy(
        SKILLS,
        learned_aliases=pd.DataFrame({"alias": ["s7 kodning"], "skill_id": ["plc_programming"]}),
        threshold=88,
    )
    found = match("S7 Kodning", learned)
    assert (found.skill_id, found.method, found.score) == ("plc_programming", "learned", 100.0)
    # a learned alias for a skill that no longer exists is ignored
    stale = Matcher.from_taxonomy(SKILLS, learned_aliases={"gammel": "removed_skill"}, threshold=88)
    ignored = match("gammel", stale)
    assert ignored.method != "learned" and not ignored.accepted


def test_threshold_decides_acceptance(matcher: Matcher) -> None:
    found = match("PLC programing", matcher)
    assert match("PLC programing", matcher, threshold=found.score).accepted
    assert not match("PLC programing", matcher, threshold=found.score + 0.1).accepted


def test_apply_mapping_maps_each_distinct_phrase_and_queues_the_rest(matcher: Matcher) -> None:
    frame = pd.DataFrame(
        {
            "company_id": ["C1", "C2", "C3", "C4"],
            "skill": ["PLC", "Laserskæring", "cnc_milling", "Laserskæring"],
        }
    )
    mapped, queue = apply_mapping(frame, "skill", matcher)
    assert mapped["skill"].tolist() == [
        "plc_programming",
        "Laserskæring",
        "cnc_milling",
        "Laserskæring",
    ]
    assert mapped["mapped"].tolist() == [True, False, True, False]
    assert mapped["phrase"].tolist() == ["PLC", "Laserskæring", "cnc_milling", "Laserskæring"]
    assert queue[["phrase", "rows", "status"]].values.tolist() == [["Laserskæring", 2, "pending"]]


# ---- review queue transitions ------------------------------------------------------------------


def pending_item() -> dict[str, object]:
    row = pd.DataFrame(
        {
            "company_id": ["C1"],
            "skill": ["PLC progr."],
            "role": [None],
            "headcount": [3],
            "current_level": [1],
            "required_level": [3],
            "needed_by": [2027],
            "priority": ["high"],
        }
    )
    typed, _ = validate("demand", row)
    typed = typed.assign(suggestion=["plc_programming"], score=[81.5])
    queue = queue_rows(typed, table="demand", file="survey.xlsx", row_numbers=pd.Series([7]))
    assert list(queue.columns) == list(QUEUE_COLUMNS)
    item: dict[str, object] = queue.iloc[0].to_dict()
    return item


def test_queue_rows_keep_the_whole_row() -> None:
    item = pending_item()
    assert (item["phrase"], item["table_name"], item["suggestion"], item["score"], item["source_file"], item["source_row"]) == (
        "PLC progr.", "demand", "plc_programming", 81.5, "survey.xlsx", 7,
    )  # fmt: skip
    assert json.loads(str(item["row_json"]))["headcount"] == 3


def test_accept_set_and_add_a_skill() -> None:
    item = pending_item()
    skill_id, rows = accept_suggestion(item, SKILLS["skill_id"])
    assert skill_id == "plc_programming"
    assert rows["demand"][["company_id", "skill", "headcount"]].values.tolist() == [
        ["C1", "plc_programming", 3]
    ]
    assert learned_alias(item["phrase"], skill_id) == {
        "alias": "plc progr.",
        "skill_id": "plc_programming",
    }

    rows = resolve_row(item, "plc_troubleshooting", SKILLS["skill_id"])
    assert rows["demand"]["skill"].tolist() == ["plc_troubleshooting"]
    with pytest.raises(InputError, match="unknown skill"):
        resolve_row(item, "no_such_skill", SKILLS["skill_id"])

    added = new_skill(
        "laser_cutting",
        "Laser cutting",
        "production_technology",
        label_da="Laserskæring",
        phrase="laserskæring af plader",
    )
    assert added.loc[0, "aliases"] == "laserskæring af plader"
    rows = resolve_row(item, "laser_cutting", [*SKILLS["skill_id"], "laser_cutting"])
    assert rows["demand"]["skill"].tolist() == ["laser_cutting"]
    with pytest.raises(InputError):
        new_skill("Laser Cutting!", "Laser cutting", "production_technology")


def test_accepting_without_a_suggestion_is_refused() -> None:
    item = pending_item() | {"suggestion": None}
    with pytest.raises(InputError, match="no suggestion"):
        accept_suggestion(item, SKILLS["skill_id"])


def test_a_learned_alias_resolves_other_pending_rows() -> None:
    first = pending_item()
    pending = pd.DataFrame([first, first | {"phrase": "Laserskæring"}])
    learned = Matcher.from_taxonomy(
        SKILLS,
        learned_aliases=pd.DataFrame([learned_alias("PLC progr.", "plc_programming")]),
        threshold=88,
    )
    resolved, still = resolve_pending(pending, learned)
    assert resolved[["phrase", "skill_id"]].values.tolist() == [["PLC progr.", "plc_programming"]]
    assert still["phrase"].tolist() == ["Laserskæring"]


@settings(max_examples=200, deadline=None)
@given(phrase=st.text(max_size=80))
def test_any_text_gets_a_bounded_score(phrase: str) -> None:
    found = match(phrase, Matcher.from_taxonomy(SKILLS, threshold=88))
    assert 0.0 <= found.score <= 100.0
    assert found.skill_id is None or found.skill_id in set(SKILLS["skill_id"])
    assert found.accepted == (found.score >= 88)


@pytest.mark.skipif(not LABELLED.exists(), reason="labelled mapping set not present")
def test_labelled_phrases_meet_the_precision_and_recall_target() -> None:
    from skills.taxonomy import load_taxonomy

    labelled = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    full = Matcher.from_taxonomy(load_taxonomy(), threshold=88)
    found = [match(phrase, full) for phrase in labelled["phrase"]]
    auto = pd.Series([m.accepted for m in found])
    predicted = pd.Series([m.skill_id or "" for m in found])
    correct = auto & (predicted == labelled["skill_id"])
    precision = correct.sum() / auto.sum()
    recall = correct.sum() / (labelled["skill_id"] != "").sum()
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)


def test_held_out_phrases_are_never_auto_mapped_wrongly_often() -> None:
    """On phrases the matcher was not tuned on, auto-mapped answers stay right (precision >= 0.95).

    Recall on this set is reported by ``bench/mapping.py --labelled tests/data/mapping_heldout.csv``,
    not asserted: unsure phrases go to the review queue, which is safe but costs a reviewer time.
    """
    from skills.taxonomy import load_taxonomy

    held_out = pd.read_csv(LABELLED.parent / "mapping_heldout.csv", dtype=str, keep_default_na=False)
    assert len(held_out) >= 150
    full = Matcher.from_taxonomy(load_taxonomy(), threshold=88)
    found = [match(phrase, full) for phrase in held_out["phrase"]]
    auto = pd.Series([m.accepted for m in found])
    predicted = pd.Series([m.skill_id or "" for m in found])
    correct = auto & (predicted == held_out["skill_id"])
    assert auto.sum() > 0
    assert correct.sum() / auto.sum() >= 0.95, (int(correct.sum()), int(auto.sum()))
