"""A phrase's candidate skills by name and by words, ranked and scored by the confidence model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from skills.mapping.confidence import _lead_features, _logit, _sigmoid
from skills.mapping.evidence import WordEvidence, word_evidence
from skills.mapping.index import Matcher
from skills.mapping.name_scores import MIN_FUZZY_LENGTH, _name_scores
from skills.mapping.text import content_stems, core

#: Whole-phrase similarity to a name from which the phrase reads as that name mistyped.
WHOLE_NAME: Final = 80.0
#: How many of the best skills by name and by words the confidence model compares.
CANDIDATES: Final = 3
#: Names of the :func:`candidate_features`, in order (the first is the intercept).
FEATURES: Final = (
    "intercept",
    "name_score",
    "name_margin",
    "contained",
    "share",
    "share_margin",
    "earned",
    "known",
    "one_word",
    "name_share",
    "whole_name",
)
#: A scored candidate: (score 0–100, skill_id, features, name or label, method).
Candidate = tuple[float, str, tuple[float, ...], str, str]


def candidate_features(
    skill_id: str,
    names: Mapping[str, tuple[float, str, str]],
    wholes: Mapping[str, float],
    evidence: WordEvidence,
    phrase_words: Sequence[str],
) -> tuple[float, ...]:
    """What the :class:`EvidenceModel` knows about one candidate skill for a phrase (see :data:`FEATURES`).

    ``names`` are the name scorer's best (score, name, method) per skill, ``wholes`` the best
    whole-phrase similarity to one of the skill's names, ``phrase_words`` the phrase's
    :func:`content_stems`. Scores are scaled to about 0–1.
    """
    score, _, method = names.get(skill_id, (0.0, "", ""))
    best_other = max((other[0] for key, other in names.items() if key != skill_id), default=0.0)
    earned = evidence.earned.get(skill_id, 0.0)
    return (
        1.0,
        score / 100.0,
        (score - best_other) / 100.0,
        1.0 if method == "contained" else 0.0,
        evidence.share(skill_id),
        evidence.margin(skill_id),
        earned / (earned + 0.5),
        1.0 - evidence.unknown / evidence.total if evidence.total else 0.0,
        1.0 if len(phrase_words) <= 1 else 0.0,
        evidence.named.get(skill_id, 0.0) / evidence.total if evidence.total else 0.0,
        max(0.0, wholes.get(skill_id, 0.0) - WHOLE_NAME) / (100.0 - WHOLE_NAME),
    )


def scored_candidates(normalised: str, matcher: Matcher) -> list[Candidate]:
    """The candidate skills of a phrase no name matches exactly, best first.

    Each is (score, skill_id, features, name or label, method): the :data:`CANDIDATES` best
    skills by name score and by word evidence, ranked by the matcher's :class:`EvidenceModel`;
    the score (0–100) is the calibrated chance that the candidate is right. Empty for
    fragments and acronyms (fewer than :data:`MIN_FUZZY_LENGTH` letters) and for phrases
    nothing in the taxonomy resembles.
    """
    if len(core(normalised).replace(" ", "")) < MIN_FUZZY_LENGTH:
        return []
    names, wholes = _name_scores(normalised, matcher)
    evidence = word_evidence(normalised, matcher)
    words = content_stems(normalised)
    by_name = sorted(names, key=lambda skill: (-names[skill][0], skill))
    model = matcher.evidence_model
    found = []
    for skill in dict.fromkeys(by_name[:CANDIDATES] + evidence.ranked()[:CANDIDATES]):
        features = candidate_features(skill, names, wholes, evidence, words)
        if by_name and skill == by_name[0]:
            _, choice, method = names[skill]
        else:
            choice, method = matcher.labels.get(skill, skill), "words"
        found.append((_logit(model.ranking, features), skill, features, choice, method))
    found.sort(key=lambda item: (-item[0], item[1]))
    logits = [item[0] for item in found]
    scored = []
    for position, (logit, skill, features, choice, method) in enumerate(found):
        # the best candidate's lead counts; the others are behind it
        lead = _lead_features(logits) if position == 0 else (1.0, logit, 0.0)
        chance = _sigmoid(_logit(model.calibration, lead))
        scored.append((100.0 * chance, skill, features, choice, method))
    return scored
