"""How a phrase word links to the taxonomy's words: same stem, compound head or part, typo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

#: A compound or typo link between two words needs this many letters (acronyms match exactly only).
MIN_SOFT_LENGTH: Final = 5


def _covers(word: str, name_word: str) -> bool:
    """Whether a phrase word stands for a name word: same stem, a compound whose head it is
    (``industrirobot`` covers ``robot``), or a typo in a long word (one letter wrong, missing,
    extra or two letters swapped, or 90 % alike)."""
    if word == name_word:
        return True
    if len(name_word) >= MIN_SOFT_LENGTH and word.endswith(name_word):
        return True
    return min(len(word), len(name_word)) >= 6 and (
        fuzz.ratio(word, name_word) >= 90 or OSA.distance(word, name_word) <= 1
    )


def _related(word: str, name_word: str) -> bool:
    """Looser than :func:`_covers`: also a shared compound part (``sprog`` ~ ``sprogmodel``)."""
    if _covers(word, name_word):
        return True
    if min(len(word), len(name_word)) < MIN_SOFT_LENGTH:
        return False
    return word.startswith(name_word) or name_word.startswith(word) or name_word.endswith(word)


@dataclass(frozen=True)
class _Vocabulary:
    """Name or description words, indexed so a phrase word finds its links without a scan.

    ``covers``/``related`` give the same answers as :func:`_covers`/:func:`_related` tried
    against every word, in time that grows with the phrase word's length, not the vocabulary.
    """

    words: frozenset[str]
    #: prefix (4 letters or more) -> the words starting with it
    by_prefix: dict[str, frozenset[str]]
    #: suffix (MIN_SOFT_LENGTH letters or more) -> the words ending with it
    by_suffix: dict[str, frozenset[str]]
    #: words long enough for a one-letter typo link
    long_words: tuple[str, ...]

    @classmethod
    def of(cls, words: Iterable[str]) -> _Vocabulary:
        unique = frozenset(words)
        prefixes: dict[str, set[str]] = {}
        suffixes: dict[str, set[str]] = {}
        for word in unique:
            for end in range(4, len(word) + 1):
                prefixes.setdefault(word[:end], set()).add(word)
            for start in range(len(word) - MIN_SOFT_LENGTH + 1):
                suffixes.setdefault(word[start:], set()).add(word)
        return cls(
            words=unique,
            by_prefix={key: frozenset(value) for key, value in prefixes.items()},
            by_suffix={key: frozenset(value) for key, value in suffixes.items()},
            long_words=tuple(sorted(word for word in unique if len(word) >= 6)),
        )

    def heads(self, word: str) -> set[str]:
        """Words of the vocabulary (MIN_SOFT_LENGTH letters or more) that ``word`` ends with."""
        return {
            word[start:]
            for start in range(len(word) - MIN_SOFT_LENGTH + 1)
            if word[start:] in self.words
        }

    def covers(self, word: str) -> set[str]:
        """Words ``w`` with ``_covers(word, w)`` (only ``word`` itself for short words)."""
        found = {word} if word in self.words else set()
        if len(word) >= MIN_SOFT_LENGTH:
            found |= self.heads(word)
            if len(word) >= 6:
                found.update(
                    choice
                    for choice, _, _ in process.extract(
                        word, self.long_words, scorer=fuzz.ratio, score_cutoff=90, limit=None
                    )
                )
                found.update(
                    choice
                    for choice, _, _ in process.extract(
                        word, self.long_words, scorer=OSA.distance, score_cutoff=1, limit=None
                    )
                )
        return found

    def related(self, word: str) -> set[str]:
        """Words ``w`` with ``_related(word, w)``: covers, plus shared compound parts."""
        found = self.covers(word)
        if len(word) >= MIN_SOFT_LENGTH:
            found |= {
                word[:end]
                for end in range(MIN_SOFT_LENGTH, len(word) + 1)
                if word[:end] in self.words
            }
            found |= self.by_prefix.get(word, frozenset())
            found |= self.by_suffix.get(word, frozenset())
        return found

    def starting_with(self, modifier: str) -> set[str]:
        """Words equal to ``modifier`` or (4 letters or more) starting with it."""
        found = {modifier} if modifier in self.words else set()
        if len(modifier) >= 4:
            found |= self.by_prefix.get(modifier, frozenset())
        return found


@dataclass(frozen=True)
class _WordLinks:
    """How one phrase word relates to the taxonomy's vocabulary of name words."""

    covers: frozenset[str]
    related: frozenset[str]
    exact_skills: frozenset[str]
    related_skills: frozenset[str]
    #: name word covered as a compound head -> skills the compound's modifier points to, and its weight
    modifier_skills: dict[str, frozenset[str]]
    modifier_weight: dict[str, float]
