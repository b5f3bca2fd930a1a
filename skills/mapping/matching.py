"""Phrases to skill ids: exact names first, then the scored candidates; a column of a table at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

import pandas as pd

from skills.mapping.candidates import Candidate, scored_candidates
from skills.mapping.index import _METHOD_RANK, Matcher, _keys
from skills.mapping.name_scores import CONTAINED_MAX
from skills.mapping.text import content_stems, phrase_rewrites

#: A candidate with a smaller chance (%) than this is not worth a reviewer's look.
MIN_SUGGESTION: Final = 1.0
#: Score of an exact match by each method.
_EXACT_SCORE: Final = {"learned": 100.0, "id": 100.0, "label": 100.0, "alias": 98.0}
#: Score of an exact name that belongs to several skills: below any sane threshold, so it is reviewed.
AMBIGUOUS_SCORE: Final = 70.0


@dataclass(frozen=True)
class Match:
    """Result of matching one phrase: best skill (or None), score 0–100 and how it was found.

    ``method`` is one of ``id``, ``learned``, ``label``, ``alias``, ``contained`` (a name
    inside a longer phrase), ``fuzzy``, ``words`` (the words of the skill's names and
    description), ``ambiguous`` (an exact name shared by several skills) or ``none``.
    ``accepted`` tells whether the score reaches the threshold used.
    """

    phrase: str
    skill_id: str | None
    score: float
    method: str
    matched: str = ""
    accepted: bool = False
    runner_up: str | None = None
    #: the inputs of the confidence model for the chosen skill (empty for exact matches)
    features: tuple[float, ...] = ()


def match(phrase: object, matcher: Matcher, threshold: float | None = None) -> Match:
    """Match one free-text phrase to the taxonomy.

    Stages, first hit wins:

    1. exact: skill id, learned alias, label (English or Danish), alias; compared after
       normalising case, accents (æøå kept, also typed as ae/oe/aa), punctuation, hyphens,
       ``&``/``og``, and dropping filler words (``knowledge of``, ``kompetencer i``).
       A name two skills share scores :data:`AMBIGUOUS_SCORE` (review);
    2. otherwise the best few skills by name (a whole name found inside the phrase word by
       word, see :func:`_contained_scores`, or a fuzzy rapidfuzz score against a name) and by
       word evidence (how much of the phrase their names and descriptions explain, see
       :class:`WordEvidence`) are compared by the :class:`EvidenceModel`; the winner's score
       is its calibrated chance (in per cent) of being right, at most :data:`CONTAINED_MAX`.
       ``method`` says where it came from: ``contained`` or ``fuzzy`` when it is also the
       best by name, ``words`` otherwise. Phrases shorter than :data:`MIN_FUZZY_LENGTH`
       letters (acronyms, fragments) only ever match exactly.

    ``accepted`` is ``score >= threshold`` (``matcher.threshold`` by default).

    Examples
    --------
    >>> skills = pd.DataFrame({"skill_id": ["plc_programming"], "label": ["PLC programming"],
    ...                        "label_da": ["PLC-programmering"], "aliases": ["PLC"]})
    >>> m = Matcher.from_taxonomy(skills, threshold=88)
    >>> match("plc-programmering", m).skill_id, match("PLC  Programing", m).method
    ('plc_programming', 'fuzzy')
    """
    return match_with_candidates(phrase, matcher, threshold)[0]


def match_with_candidates(
    phrase: object, matcher: Matcher, threshold: float | None = None
) -> tuple[Match, list[Candidate]]:
    """:func:`match`, plus the :func:`scored_candidates` behind a fuzzy match (empty for exact ones).

    A phrase no name matches exactly is also read as its :func:`phrase_rewrites` (``use X
    software`` as ``X``, ``maintain X`` as ``X maintenance``, ``AGVs`` as ``AGV``); the best
    reading wins, a rewritten exact name scoring at most :data:`CONTAINED_MAX`; a rewrite of one
    word counts only when it is a name.
    """
    limit = matcher.threshold if threshold is None else threshold
    text = "" if phrase is None else str(phrase).strip()
    found, candidates = _match_reading(text, text, matcher, limit)
    if found.method in _EXACT_SCORE:
        return found, candidates
    for rewrite in phrase_rewrites(text):
        other, other_candidates = _match_reading(text, rewrite, matcher, limit)
        if other.method in _EXACT_SCORE:
            score = min(other.score, CONTAINED_MAX)
            other = replace(other, score=score, accepted=score >= limit)
        elif len(content_stems(rewrite)) < 2:
            continue  # one word left ("learning" of "learning platforms"): only its exact name counts
        if other.score > found.score:
            found, candidates = other, other_candidates
    return found, candidates


def _match_reading(
    text: str, reading: str, matcher: Matcher, limit: float
) -> tuple[Match, list[Candidate]]:
    """The match of one reading of the phrase ``text`` (the phrase itself or a rewrite)."""
    keys = _keys(reading)
    exact = _exact_match(text, keys, matcher, limit)
    if exact is not None:
        return exact, []
    found = scored_candidates(keys[0], matcher)
    if not found:
        return Match(text, None, 0.0, "none"), []
    (score, skill_id, features, choice, method), *others = found
    runner_up = others[0][1] if others else None
    # never as sure as a name found whole
    score = round(min(score, CONTAINED_MAX), 1)
    return Match(text, skill_id, score, method, choice, score >= limit, runner_up, features), found


def _exact_match(text: str, keys: list[str], matcher: Matcher, limit: float) -> Match | None:
    """The match by id, learned alias, label or alias (or the phrase is empty); None otherwise."""
    if text in matcher.skill_ids:
        return Match(text, text, 100.0, "id", text, limit <= 100.0)
    if not keys:
        return Match(text, None, 0.0, "none")
    for key in keys:
        owners = matcher.exact.get(key)
        if not owners:
            continue
        if len(owners) == 1:
            ((skill_id, method),) = owners.items()
            score = _EXACT_SCORE[method]
            return Match(text, skill_id, score, method, key, score >= limit)
        ranked = sorted(owners.items(), key=lambda pair: (_METHOD_RANK[pair[1]], pair[0]))
        best_rank = _METHOD_RANK[ranked[0][1]]
        strongest = [pair for pair in ranked if _METHOD_RANK[pair[1]] == best_rank]
        if len(strongest) == 1 and best_rank <= _METHOD_RANK["label"]:
            skill_id, method = strongest[0]
            return Match(
                text,
                skill_id,
                _EXACT_SCORE[method],
                method,
                key,
                _EXACT_SCORE[method] >= limit,
                ranked[1][0],
            )
        return Match(
            text,
            ranked[0][0],
            AMBIGUOUS_SCORE,
            "ambiguous",
            key,
            limit <= AMBIGUOUS_SCORE,
            ranked[1][0],
        )
    return None


def likely_skills(phrase: object, matcher: Matcher, limit: int = 3) -> list[tuple[str, float]]:
    """The skills a reviewer should look at first for a phrase, best first, with their scores.

    An exact name gives just its skill; otherwise the confidence model's best ``limit``
    candidates (see :func:`scored_candidates`) whose chance reaches :data:`MIN_SUGGESTION`.
    Empty when nothing in the taxonomy resembles the phrase.
    """
    found, candidates = match_with_candidates(phrase, matcher)
    if found.skill_id is None:
        return []
    if not candidates:  # an exact name (or a shared one: both owners)
        owners = [found.skill_id] + (
            [found.runner_up] if found.runner_up and found.method == "ambiguous" else []
        )
        return [(skill_id, found.score) for skill_id in owners][:limit]
    return [
        (skill_id, round(min(score, CONTAINED_MAX), 1))
        for score, skill_id, _, _, _ in candidates[:limit]
        if score >= MIN_SUGGESTION
    ]


def match_many(
    phrases: Iterable[object], matcher: Matcher, threshold: float | None = None
) -> dict[str, Match]:
    """Match each distinct phrase once (keyed by the phrase text as given, stripped)."""
    results: dict[str, Match] = {}
    for phrase in phrases:
        text = "" if phrase is None else str(phrase).strip()
        if text not in results:
            results[text] = match(text, matcher, threshold)
    return results


def apply_mapping(
    frame: pd.DataFrame,
    column: str,
    matcher: Matcher,
    threshold: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a column of free-text skill names to skill ids.

    Returns
    -------
    mapped
        A copy of ``frame``: ``column`` holds the skill id where the match is accepted
        and the original phrase elsewhere; added columns ``phrase`` (original text),
        ``suggestion``, ``score``, ``method`` and ``mapped`` (bool).
    queue
        One row per distinct phrase below the threshold: ``phrase``, ``suggestion``,
        ``score``, ``method``, ``rows`` (how many rows carry it), ``status`` = ``pending``.
    """
    limit = matcher.threshold if threshold is None else threshold
    original = frame[column].astype("string").str.strip()
    distinct = [value for value in pd.unique(original.dropna())]
    results = match_many(distinct, matcher, limit)
    mapped = frame.copy()
    mapped["phrase"] = original
    mapped["suggestion"] = original.map({k: v.skill_id for k, v in results.items()}).astype(
        "string"
    )
    mapped["score"] = original.map({k: v.score for k, v in results.items()}).astype("Float64")
    mapped["method"] = original.map({k: v.method for k, v in results.items()}).astype("string")
    mapped["mapped"] = (
        original.map({k: v.accepted for k, v in results.items()}).fillna(False).astype(bool)
    )
    mapped[column] = mapped["suggestion"].where(mapped["mapped"], original)
    pending = mapped.loc[~mapped["mapped"] & original.notna() & (original != "")]
    counts = pending.groupby("phrase", sort=False).size()
    queue = pd.DataFrame(
        {
            "phrase": counts.index.astype("string"),
            "suggestion": [results[p].skill_id for p in counts.index],
            "score": [results[p].score for p in counts.index],
            "method": [results[p].method for p in counts.index],
            "rows": counts.to_numpy(),
            "status": "pending",
        }
    )
    return mapped, queue
