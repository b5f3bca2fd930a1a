"""Word evidence: how much of a phrase each skill's names and description explain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from skills.mapping.index import Matcher
from skills.mapping.text import STOP_WORDS, stem
from skills.mapping.vocabulary import MIN_SOFT_LENGTH

#: Information (idf, scaled to 0–1) a phrase word carries when no name or description uses it.
UNKNOWN_WORD_INFORMATION: Final = 0.2


@dataclass(frozen=True)
class WordEvidence:
    """How much of a phrase each skill's names and description explain, word by word.

    Each meaningful word carries the idf of the rarest vocabulary word it stands for (words
    no name or description uses carry :data:`UNKNOWN_WORD_INFORMATION`); a skill earns, per
    word, its best weight × idf among those links (names weigh 1, descriptions
    :data:`DESCRIPTION_WEIGHT`).
    """

    #: skill_id -> information it explains
    earned: dict[str, float]
    #: skill_id -> information its names alone explain (descriptions left out)
    named: dict[str, float]
    #: information of the whole phrase
    total: float
    #: information of the words the vocabulary does not know
    unknown: float

    def share(self, skill_id: str) -> float:
        """Part of the phrase's information the skill explains, 0–1."""
        return self.earned.get(skill_id, 0.0) / self.total if self.total else 0.0

    def margin(self, skill_id: str) -> float:
        """The skill's share minus the best share of any other skill (−1 to 1)."""
        others = max(
            (value for other, value in self.earned.items() if other != skill_id), default=0.0
        )
        return self.share(skill_id) - (others / self.total if self.total else 0.0)

    def ranked(self) -> list[str]:
        """Skills by the information they explain, most first."""
        return [
            skill for skill, _ in sorted(self.earned.items(), key=lambda pair: (-pair[1], pair[0]))
        ]


def _evidence_links(word: str, matcher: Matcher) -> frozenset[str]:
    """Vocabulary stems a phrase word stands for: itself, a compound head or a one-letter typo
    (see :func:`_covers`), or a compound's first part (``vibrationsmåling`` → ``vibration``)."""
    cached = matcher.evidence_cache.get(word)
    if cached is not None:
        return cached
    vocabulary = matcher.evidence_vocabulary
    links = vocabulary.covers(word)
    links.update(
        word[:end]
        for end in range(MIN_SOFT_LENGTH, len(word) - 2)
        if word[:end] in vocabulary.words
    )
    found = frozenset(links)
    matcher.evidence_cache[word] = found
    return found


def _evidence_words(normalised: str, matcher: Matcher) -> list[str]:
    """:func:`content_stems`, with a compound written apart joined again when only the whole
    word is known (``frekvens omformer`` → ``frekvensomformer``, ``kvalitets kontrol``)."""
    tokens = normalised.split()
    words: list[str] = []
    position = 0
    while position < len(tokens):
        if tokens[position] in STOP_WORDS:
            position += 1
            continue
        if position + 1 < len(tokens) and tokens[position + 1] not in STOP_WORDS:
            first, second = tokens[position], tokens[position + 1]
            joined = stem(first + second)
            longest_part = max(len(first), len(second))
            if any(len(link) > longest_part for link in matcher.evidence_vocabulary.covers(joined)):
                words.append(joined)
                position += 2
                continue
        words.append(stem(tokens[position]))
        position += 1
    return words


def word_evidence(normalised: str, matcher: Matcher) -> WordEvidence:
    """The :class:`WordEvidence` of a normalised phrase.

    >>> import pandas as pd
    >>> from skills.mapping import Matcher, normalise
    >>> skills = pd.DataFrame({"skill_id": ["hydraulics", "pneumatics"],
    ...     "label": ["Hydraulics", "Pneumatics"],
    ...     "description": ["Services hydraulic pumps and cylinders", "Builds compressed-air circuits"]})
    >>> found = word_evidence(normalise("repair of hydraulic cylinders"), Matcher.from_taxonomy(skills))
    >>> found.ranked(), round(found.share("hydraulics"), 2)
    (['hydraulics'], 0.68)
    """
    idf = matcher.evidence_idf
    total = 0.0
    unknown = 0.0
    earned: dict[str, float] = {}
    named: dict[str, float] = {}
    for word in dict.fromkeys(_evidence_words(normalised, matcher)):
        links = _evidence_links(word, matcher)
        if not links:
            total += UNKNOWN_WORD_INFORMATION
            unknown += UNKNOWN_WORD_INFORMATION
            continue
        total += max(idf[link] for link in links)
        best: dict[str, float] = {}
        best_name: dict[str, float] = {}
        for link in links:
            for skill_id, weight in matcher.evidence_postings[link].items():
                best[skill_id] = max(best.get(skill_id, 0.0), weight * idf[link])
                if weight >= 1.0:
                    best_name[skill_id] = max(best_name.get(skill_id, 0.0), idf[link])
        for skill_id, value in best.items():
            earned[skill_id] = earned.get(skill_id, 0.0) + value
        for skill_id, value in best_name.items():
            named[skill_id] = named.get(skill_id, 0.0) + value
    return WordEvidence(earned, named, total, unknown)
