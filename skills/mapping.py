"""Free-text skill names to taxonomy ids (exact, label/alias, name-in-phrase, guarded fuzzy) and the review queue."""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from skills.errors import InputError, Problem
from skills.schemas import validate
from skills.settings import load_settings

#: Columns of a review-queue row, as the store keeps them (``mapping_queue``).
QUEUE_COLUMNS: Final = (
    "phrase",
    "table_name",
    "suggestion",
    "score",
    "source_file",
    "source_row",
    "row_json",
)

#: Words that say "this is a skill" without saying which one; dropped before comparing.
FILLER_WORDS: Final = frozenset(
    {
        # English
        "skill", "skills", "knowledge", "of", "in", "the", "a", "an", "ability", "to", "competence",
        "competences", "competencies", "understanding", "experience", "with", "basic", "advanced",
        "training", "course", "for",
        # Danish
        "kompetence", "kompetencer", "færdighed", "færdigheder", "kendskab", "til", "viden", "om",
        "i", "af", "med", "erfaring", "forståelse", "grundlæggende", "avanceret", "kursus", "uddannelse",
        "en", "et",
    }
)  # fmt: skip
#: Words that mean "and" in the two languages, and symbols for it.
_AND = re.compile(r"\s*(?:&|\+)\s*|\b(?:og|and|und)\b")
_NON_WORD = re.compile(r"[^0-9a-zæøå]+")
#: a standard's letters glued to its number: iso9001, iec62443, en50110
_CODE_NUMBER = re.compile(r"\b([a-z]{2,4})(\d{3,})\b")
_DANISH_FOLD: Final = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
#: Phrases this short (after normalising) are acronyms or fragments: exact matches only.
MIN_FUZZY_LENGTH: Final = 5
#: How many candidates the fast pre-filter passes to the guarded scorer.
PREFILTER: Final = 40
#: A candidate with a smaller chance (%) than this is not worth a reviewer's look.
MIN_SUGGESTION: Final = 1.0
#: Whole-phrase similarity to a name from which the phrase reads as that name mistyped.
WHOLE_NAME: Final = 80.0
#: How many of the best skills by name and by words the confidence model compares.
CANDIDATES: Final = 3
#: Weight of a word from a skill's description against a word from one of its names.
DESCRIPTION_WEIGHT: Final = 0.5
#: Information (idf, scaled to 0–1) a phrase word carries when no name or description uses it.
UNKNOWN_WORD_INFORMATION: Final = 0.2


@dataclass(frozen=True)
class EvidenceModel:
    """How sure a fuzzy match is, in two logistic steps fitted on the labelled sets.

    ``ranking`` weighs :func:`candidate_features` into a logit that orders a phrase's
    candidate skills; ``calibration`` turns (1, the best logit, its lead over the runner-up)
    into the chance that the best candidate is right. Refit with ``bench/mapping.py --fit``
    (see :func:`fit_evidence_model`).
    """

    ranking: tuple[float, ...]
    calibration: tuple[float, float, float]


#: Fitted by ``bench/mapping.py --fit tests/data/mapping_labelled.csv tests/data/mapping_dev.csv lsip-dev``
#: (the dev half of the real job-ad tags weighs 0.3 a phrase: it is mostly outside the taxonomy).
EVIDENCE_MODEL: Final = EvidenceModel(
    ranking=(-10.683, -0.095, 1.929, 2.284, 6.536, 4.315, 13.434, -0.024, -0.546, -7.401, 5.789),
    calibration=(2.14, 1.351, -0.396),
)


def _strip_accents(text: str) -> str:
    """Drop accents (é → e, ü → u) but keep Danish letters: å (a + ring) survives, æ and ø have no accent."""
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char):
            if char == "\u030a" and kept and kept[-1] == "a":  # å
                kept[-1] = "å"
            continue
        kept.append(char)
    return "".join(kept)


def normalise(text: object) -> str:
    """Phrase in comparable form: lower case, accents off (æøå kept), ``&``/``og`` → ``and``, punctuation → space.

    >>> normalise("CNC-Fræsning & Drejning"), normalise("Robot  programming (basic)")
    ('cnc fræsning and drejning', 'robot programming basic')
    """
    if text is None:
        return ""
    return _normalise_text(str(text))


@functools.lru_cache(maxsize=200_000)
def _normalise_text(text: str) -> str:
    cleaned = _strip_accents(unicodedata.normalize("NFKC", text).casefold())
    cleaned = _AND.sub(" and ", cleaned)
    cleaned = _CODE_NUMBER.sub(r"\1 \2", cleaned)
    return " ".join(_NON_WORD.sub(" ", cleaned).split())


def fold_danish(text: str) -> str:
    """``æ ø å`` written as ``ae oe aa`` (what people type without a Danish keyboard)."""
    return text.translate(_DANISH_FOLD)


def core(normalised: str) -> str:
    """A normalised phrase without filler words (``knowledge of``, ``kompetencer i``)."""
    words = [word for word in normalised.split() if word not in FILLER_WORDS]
    return " ".join(words) if words else normalised


#: Function words ignored when phrases are compared word by word (English and Danish).
STOP_WORDS: Final = FILLER_WORDS | frozenset(
    {
        "and", "or", "on", "at", "from", "by", "how", "why", "what", "who", "our", "we", "you", "your",
        "can", "need", "needs", "someone", "want", "be", "is", "are", "new", "out", "up",
        "as", "that", "this", "all", "using", "use", "og", "eller", "på", "fra", "den", "det", "de",
        "der", "som", "kan", "skal", "vi", "vores", "vil", "er", "har", "ny", "nye", "efter",
        "ved", "hos", "brug", "man", "sig", "ud", "op",
    }
)  # fmt: skip
_SUFFIXES: Final = ("erne", "ene", "ering", "ing", "er", "es", "et", "en", "e", "s")
_VOWELS: Final = frozenset("aeiouyæøå")
#: A compound or typo link between two words needs this many letters (acronyms match exactly only).
MIN_SOFT_LENGTH: Final = 5


@functools.lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """A light English/Danish stem: one plural/definite/verbal suffix off, a doubled final consonant undone.

    >>> [stem(t) for t in ("robotter", "robots", "programming", "programmering", "PLC".lower())]
    ['robot', 'robot', 'program', 'program', 'plc']
    """
    if len(token) <= 4 or token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            token = token[: -len(suffix)]
            break
    if len(token) >= 5 and token[-1] == token[-2] and token[-1] not in _VOWELS:
        token = token[:-1]
    return token


def content_stems(normalised: str) -> list[str]:
    """Stems of the words that carry meaning (stop and filler words dropped)."""
    return [stem(word) for word in normalised.split() if word not in STOP_WORDS]


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
                word[:end] for end in range(MIN_SOFT_LENGTH, len(word) + 1) if word[:end] in self.words
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


def _keys(text: object) -> list[str]:
    base = normalise(text)
    if not base:
        return []
    keys = [base, fold_danish(base), core(base), fold_danish(core(base))]
    return list(dict.fromkeys(keys))


def _name_keys(text: object) -> list[str]:
    """Exact keys of a skill name: as :func:`_keys`, but a name whose filler-free core is a
    single word is not indexed by that word (``user training`` must not own ``user``, which
    is also all that is left of ``user experience``)."""
    keys = _keys(text)
    base = normalise(text)
    if len(core(base).split()) < 2 and core(base) != base:
        keys = [key for key in keys if key not in {core(base), fold_danish(core(base))}]
    return keys


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


@dataclass
class Matcher:
    """Everything needed to match phrases to one taxonomy; build it with :meth:`from_taxonomy`."""

    skill_ids: frozenset[str]
    #: normalised key -> {skill_id: method}
    exact: dict[str, dict[str, str]]
    #: fuzzy choices: normalised text and the skill it names
    choice_texts: list[str]
    choice_skills: list[str]
    threshold: float
    labels: dict[str, str] = field(default_factory=dict)
    #: every name as stems: (skill_id, stems, name text)
    name_stems: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    #: first stem of a name -> positions of such names in ``name_stems``
    names_by_first: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: stem -> skills whose names use it
    stem_skills: dict[str, frozenset[str]] = field(default_factory=dict)
    #: stem -> inverse document frequency over skills
    stem_weight: dict[str, float] = field(default_factory=dict)
    #: phrase word -> its links to the vocabulary (filled as phrases are matched)
    word_cache: dict[str, _WordLinks] = field(default_factory=dict, repr=False)
    #: word evidence: stem of a name or description -> {skill_id: weight}
    evidence_postings: dict[str, dict[str, float]] = field(default_factory=dict)
    #: stem -> inverse document frequency over the skills whose names or description use it
    evidence_idf: dict[str, float] = field(default_factory=dict)
    evidence_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    name_vocabulary: _Vocabulary = field(default_factory=lambda: _Vocabulary.of(()), repr=False)
    evidence_vocabulary: _Vocabulary = field(
        default_factory=lambda: _Vocabulary.of(()), repr=False
    )
    #: the confidence model that scores fuzzy candidates (see :func:`scored_candidates`)
    evidence_model: EvidenceModel = EVIDENCE_MODEL

    @classmethod
    def from_taxonomy(
        cls,
        skills: pd.DataFrame,
        *,
        learned_aliases: pd.DataFrame | Mapping[str, str] | None = None,
        threshold: float | None = None,
    ) -> Matcher:
        """Index a ``skills`` table (flat or indexed by ``skill_id``) and learned aliases.

        Parameters
        ----------
        skills
            The taxonomy: ``skill_id``, ``label``, optional ``label_da`` and ``aliases`` (``|``-separated).
        learned_aliases
            Phrases reviewers mapped before: a frame with ``alias`` and ``skill_id`` columns, or a dict.
        threshold
            Score from which a match is accepted; ``Settings.mapping_threshold`` by default.
        """
        frame = skills.reset_index() if "skill_id" not in skills.columns else skills
        if threshold is None:
            threshold = load_settings().mapping_threshold
        exact: dict[str, dict[str, str]] = {}
        choices: dict[tuple[str, str], None] = {}
        names: dict[tuple[str, tuple[str, ...]], str] = {}

        def add(text: object, skill_id: str, method: str) -> None:
            if not isinstance(text, str) or not text.strip():
                return
            for key in _name_keys(text):
                owners = exact.setdefault(key, {})
                # the strongest method wins when the same skill is named twice
                if skill_id not in owners or _METHOD_RANK[method] < _METHOD_RANK[owners[skill_id]]:
                    owners[skill_id] = method
            post(text, skill_id, 1.0)
            base = normalise(text)
            if base:
                choices[(base, skill_id)] = None
                choices[(core(base), skill_id)] = None
                stems = tuple(dict.fromkeys(content_stems(base)))
                if stems:
                    names[(skill_id, stems)] = text

        labels: dict[str, str] = {}
        postings: dict[str, dict[str, float]] = {}

        def post(text: object, skill_id: str, weight: float) -> None:
            if isinstance(text, str):
                base = normalise(text)
                for word in {*content_stems(base), *content_stems(fold_danish(base))}:
                    owners = postings.setdefault(word, {})
                    owners[skill_id] = max(owners.get(skill_id, 0.0), weight)

        for record in frame.to_dict("records"):
            skill_id = str(record["skill_id"])
            labels[skill_id] = str(record.get("label") or skill_id)
            post(record.get("description"), skill_id, DESCRIPTION_WEIGHT)
            post(record.get("description_da"), skill_id, DESCRIPTION_WEIGHT)
            add(skill_id, skill_id, "id")
            add(skill_id.replace("_", " "), skill_id, "id")
            add(record.get("label"), skill_id, "label")
            add(record.get("label_da"), skill_id, "label")
            aliases = record.get("aliases")
            if isinstance(aliases, str):
                for alias in aliases.split("|"):
                    add(alias.strip(), skill_id, "alias")
        if learned_aliases is not None:
            pairs = (
                learned_aliases.items()
                if isinstance(learned_aliases, Mapping)
                else zip(learned_aliases["alias"], learned_aliases["skill_id"], strict=True)
            )
            for alias, skill_id in pairs:
                if str(skill_id) in labels:
                    for key in _keys(alias):
                        exact[key] = {
                            str(skill_id): "learned"
                        }  # a reviewer's decision overrides names
        owners: dict[str, set[str]] = {}
        for skill_id, stems in names:
            for word in stems:
                owners.setdefault(word, set()).add(skill_id)
        count = max(len(labels), 1)
        name_stems = [(skill_id, stems, text) for (skill_id, stems), text in names.items()]
        by_first: dict[str, list[int]] = {}
        for position, (_, stems, _) in enumerate(name_stems):
            by_first.setdefault(stems[0], []).append(position)
        return cls(
            skill_ids=frozenset(labels),
            exact=exact,
            choice_texts=[text for text, _ in choices],
            choice_skills=[skill for _, skill in choices],
            threshold=float(threshold),
            labels=labels,
            name_stems=name_stems,
            names_by_first={word: tuple(found) for word, found in by_first.items()},
            stem_skills={word: frozenset(skills) for word, skills in owners.items()},
            stem_weight={
                word: math.log(1 + count / len(skills)) for word, skills in owners.items()
            },
            evidence_postings=postings,
            name_vocabulary=_Vocabulary.of(owners),
            evidence_vocabulary=_Vocabulary.of(postings),
            # scaled to 0–1 (a word only one skill uses), so that the confidence model does not
            # depend on the size of the taxonomy
            evidence_idf={
                word: math.log(1 + count / len(skills)) / math.log(1 + count)
                for word, skills in postings.items()
            },
        )


_METHOD_RANK: Final = {"learned": 0, "id": 1, "label": 2, "alias": 3}
_EXACT_SCORE: Final = {"learned": 100.0, "id": 100.0, "label": 100.0, "alias": 98.0}
#: Score of an exact name that belongs to several skills: below any sane threshold, so it is reviewed.
AMBIGUOUS_SCORE: Final = 70.0


def _fuzzy_scores(query: str, choice: str) -> tuple[float, float]:
    """Similarity of two normalised phrases, 0–100: (whole-phrase score, guarded subset score).

    The whole-phrase score compares all words (in any order). The subset score lets one
    phrase be a part of the other, but ``token_set_ratio`` alone scores ``data`` against
    ``data analysis`` at 100, so it is scaled by how much of the *longer* phrase the
    shorter one covers: a fragment cannot borrow a full label's score.
    """
    if not query or not choice:
        return 0.0, 0.0
    whole = max(fuzz.token_sort_ratio(query, choice), fuzz.ratio(query, choice))
    shorter, longer = sorted((len(query), len(choice)))
    subset = fuzz.token_set_ratio(query, choice) * (0.75 + 0.25 * shorter / longer)
    return float(whole), float(subset)


#: Highest score a name found inside a longer phrase can get (below an exact alias).
CONTAINED_MAX: Final = 96.0
#: Points off per meaningful word of the phrase that no skill name uses.
UNKNOWN_WORD_PENALTY: Final = 2.0
#: Points off a contained name that lies inside a longer contained name of another skill.
DOMINATED_PENALTY: Final = 20.0


def _contained_scores(normalised: str, matcher: Matcher) -> dict[str, tuple[float, str]]:
    """Skills one of whose names occurs whole inside the phrase, word by word (stems, compounds).

    The score weighs the phrase's other words: words of the same skill's other names
    support it, words that belong to *other* skills' names count against it (by their
    rarity across the taxonomy), words no skill uses cost :data:`UNKNOWN_WORD_PENALTY`.
    ``cybersikkerhed for PLC'er`` contains ``PLC`` but its other words point elsewhere,
    so it does not become *PLC programming*.
    """
    words = list(dict.fromkeys(content_stems(normalised)))
    if not words or not matcher.name_stems:
        return {}
    weight = matcher.stem_weight
    links = {word: _word_links(word, matcher) for word in words}

    reachable = set(words).union(*(link.covers for link in links.values()))
    # only names whose first word the phrase reaches can lie inside it (kept in name order)
    positions = sorted(
        {position for word in reachable for position in matcher.names_by_first.get(word, ())}
    )
    results: dict[str, tuple[float, str]] = {}
    spans: dict[str, frozenset[str]] = {}
    for position in positions:
        skill_id, stems, text = matcher.name_stems[position]
        name_words = set(stems)
        covering: set[str] = set()
        modifiers_against = 0.0
        for name_word in name_words:
            found = False
            for word in words:
                link = links[word]
                if name_word == word:
                    found = True
                elif name_word in link.covers and (
                    not link.exact_skills or skill_id in link.exact_skills
                ):
                    # a compound whose head is the name word: its modifier must not point elsewhere
                    modifier_skills = link.modifier_skills.get(name_word, frozenset())
                    if modifier_skills and skill_id not in modifier_skills:
                        modifiers_against += link.modifier_weight[name_word]
                    found = True
                else:
                    continue
                covering.add(word)
            if not found:
                break
        else:
            name_weight = sum(weight[name_word] for name_word in name_words)
            support = 0.0
            against = modifiers_against
            unknown = 0
            for word in words:
                if word in covering:
                    continue
                link = links[word]
                if not link.related:
                    unknown += 1
                    continue
                strongest = max(weight[name_word] for name_word in link.related)
                # an exact word of other skills outweighs a loose (compound) link to this one
                loose_only = bool(link.exact_skills) and skill_id not in link.exact_skills
                if skill_id in link.related_skills and not loose_only:
                    support += strongest
                else:
                    against += strongest
            share = (name_weight + support) / (name_weight + support + against)
            score = CONTAINED_MAX * share - UNKNOWN_WORD_PENALTY * unknown
            if skill_id not in results or score > results[skill_id][0]:
                results[skill_id] = (score, text)
                spans[skill_id] = frozenset(covering)
    # a name inside a longer name of another skill found in the same words is not evidence:
    # "PLC" inside "PLC-fejlfinding" speaks for fault finding, not for PLC programming
    for skill_id, span in spans.items():
        if any(other != skill_id and span < wider for other, wider in spans.items()):
            score, text = results[skill_id]
            results[skill_id] = (score - DOMINATED_PENALTY, text)
    return results


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


def _skills_of(matcher: Matcher, words: Iterable[str]) -> frozenset[str]:
    return frozenset(skill_id for word in words for skill_id in matcher.stem_skills[word])


def _word_links(word: str, matcher: Matcher) -> _WordLinks:
    """Links of a phrase word to the vocabulary (cached on the matcher: the scan is the slow part)."""
    cached = matcher.word_cache.get(word)
    if cached is not None:
        return cached
    vocabulary = matcher.stem_skills
    covers = matcher.name_vocabulary.covers(word)
    related = matcher.name_vocabulary.related(word)
    modifier_skills: dict[str, frozenset[str]] = {}
    modifier_weight: dict[str, float] = {}
    for name_word in covers:
        if name_word == word or not word.endswith(name_word):
            continue
        modifier = word[: len(word) - len(name_word)].rstrip("se")
        if len(modifier) < 3:
            continue
        pointed = matcher.name_vocabulary.starting_with(modifier)
        if pointed:
            modifier_skills[name_word] = _skills_of(matcher, pointed)
            modifier_weight[name_word] = max(matcher.stem_weight[other] for other in pointed)
    links = _WordLinks(
        covers=frozenset(covers),
        related=frozenset(related),
        exact_skills=_skills_of(matcher, {word} & vocabulary.keys()),
        related_skills=_skills_of(matcher, related),
        modifier_skills=modifier_skills,
        modifier_weight=modifier_weight,
    )
    matcher.word_cache[word] = links
    return links


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
        others = max((value for other, value in self.earned.items() if other != skill_id), default=0.0)
        return self.share(skill_id) - (others / self.total if self.total else 0.0)

    def ranked(self) -> list[str]:
        """Skills by the information they explain, most first."""
        return [skill for skill, _ in sorted(self.earned.items(), key=lambda pair: (-pair[1], pair[0]))]


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

    >>> skills = pd.DataFrame({"skill_id": ["hydraulics", "pneumatics"],
    ...     "label": ["Hydraulics", "Pneumatics"],
    ...     "description": ["Services hydraulic pumps and cylinders", "Builds compressed-air circuits"]})
    >>> found = word_evidence(normalise("repair of hydraulic cylinders"), Matcher.from_taxonomy(skills))
    >>> found.ranked(), round(found.share("hydraulics"), 2)
    (['hydraulics'], 0.5)
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


#: A lone candidate's lead over a runner-up it does not have (logit units).
MAX_LEAD: Final = 10.0


def _logit(weights: Sequence[float], features: Sequence[float]) -> float:
    return sum(weight * value for weight, value in zip(weights, features, strict=True))


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 50.0), -50.0)))


def _logistic(
    features: Sequence[Sequence[float]],
    right: Sequence[bool],
    sample_weight: Sequence[float],
    ridge: float,
) -> tuple[float, ...]:
    """Weights of a logistic regression (Newton steps; ridge on all but the first, the intercept)."""
    x = np.asarray(features, dtype=float)
    y = np.asarray(right, dtype=float)
    counts = np.asarray(sample_weight, dtype=float)
    weights = np.zeros(x.shape[1])
    penalty = ridge * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(100):
        chance = 1.0 / (1.0 + np.exp(-np.clip(x @ weights, -50, 50)))
        gradient = x.T @ (counts * (chance - y)) + penalty @ weights
        hessian = (x * (counts * chance * (1 - chance))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    return tuple(round(float(weight), 3) for weight in weights)


def _lead_features(logits: Sequence[float]) -> tuple[float, float, float]:
    """Calibration inputs of the best of a phrase's candidate logits."""
    ordered = sorted(logits, reverse=True)
    lead = ordered[0] - ordered[1] if len(ordered) > 1 else MAX_LEAD
    return (1.0, ordered[0], min(lead, MAX_LEAD))


def fit_evidence_model(
    phrases: Sequence[Sequence[tuple[tuple[float, ...], bool]]],
    *,
    sample_weight: Sequence[float] | None = None,
    ridge: float = 0.1,
) -> EvidenceModel:
    """Fit an :class:`EvidenceModel` on labelled phrases.

    ``phrases`` holds, per phrase, its candidates as (:func:`candidate_features`, whether it
    is the labelled skill); ``sample_weight`` how much each phrase counts (1 by default).
    The ranking model learns from every candidate, the calibration from each phrase's best.
    """
    weights = [1.0] * len(phrases) if sample_weight is None else list(sample_weight)
    rows = [features for candidates in phrases for features, _ in candidates]
    rights = [right for candidates in phrases for _, right in candidates]
    counts = [weight for candidates, weight in zip(phrases, weights, strict=True) for _ in candidates]
    ranking = _logistic(rows, rights, counts, ridge)
    leads, best_right, best_counts = [], [], []
    for candidates, weight in zip(phrases, weights, strict=True):
        if not candidates:
            continue
        logits = [_logit(ranking, features) for features, _ in candidates]
        best = max(range(len(candidates)), key=logits.__getitem__)
        leads.append(_lead_features(logits))
        best_right.append(candidates[best][1])
        best_counts.append(weight)
    calibration = _logistic(leads, best_right, best_counts, ridge)
    return EvidenceModel(ranking, (calibration[0], calibration[1], calibration[2]))


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


Candidate = tuple[float, str, tuple[float, ...], str, str]


def match_with_candidates(
    phrase: object, matcher: Matcher, threshold: float | None = None
) -> tuple[Match, list[Candidate]]:
    """:func:`match`, plus the :func:`scored_candidates` behind a fuzzy match (empty for exact ones)."""
    limit = matcher.threshold if threshold is None else threshold
    text = "" if phrase is None else str(phrase).strip()
    keys = _keys(text)
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


def _name_scores(
    normalised: str, matcher: Matcher
) -> tuple[dict[str, tuple[float, str, str]], dict[str, float]]:
    """Best (score, name, method) per skill from names inside the phrase and fuzzy name
    matches, and per skill the best whole-phrase similarity to one of its names (0–100)."""
    query = core(normalised)
    contained = _contained_scores(normalised, matcher)
    best_by_skill: dict[str, tuple[float, str, str]] = {
        skill_id: (score, name, "contained") for skill_id, (score, name) in contained.items()
    }
    wholes: dict[str, float] = {}
    if len(query.replace(" ", "")) >= MIN_FUZZY_LENGTH and matcher.choice_texts:
        # a fast C scorer picks candidates; the guarded scorer ranks them
        candidates = process.extract(
            query,
            matcher.choice_texts,
            scorer=fuzz.token_set_ratio,
            limit=PREFILTER,
            score_cutoff=40,
        )
        for choice, _, position in candidates:
            skill_id = matcher.choice_skills[position]
            whole, subset = _fuzzy_scores(query, choice)
            wholes[skill_id] = max(wholes.get(skill_id, 0.0), whole)
            # where a name of the skill lies inside the phrase, the containment score has
            # already weighed the other words; the subset score would ignore them
            score = whole if skill_id in contained else max(whole, subset)
            if skill_id not in best_by_skill or score > best_by_skill[skill_id][0]:
                best_by_skill[skill_id] = (float(score), choice, "fuzzy")
    return best_by_skill, wholes


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
        owners = [found.skill_id] + ([found.runner_up] if found.runner_up and found.method == "ambiguous" else [])
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


# ---- the review queue: pure transitions -----------------------------------------------------------


def alias_key(phrase: object) -> str:
    """The key a learned alias is stored under (the store's convention: trimmed, case-folded)."""
    return "" if phrase is None else str(phrase).strip().casefold()


def queue_rows(
    pending: pd.DataFrame,
    *,
    table: str,
    column: str = "skill",
    file: str = "",
    row_numbers: pd.Series | None = None,
) -> pd.DataFrame:
    """Review-queue rows (the store's columns) for typed rows whose skill is still a phrase.

    ``pending`` holds the typed rows of ``table`` (skill column = the phrase) plus
    ``suggestion`` and ``score``; each queue row keeps the whole row as JSON.
    """
    from skills.schemas import get_table

    columns = get_table(table).columns
    records = (
        pending[columns].astype(object).where(pending[columns].notna(), None).to_dict("records")
    )
    rows = (
        row_numbers.reindex(pending.index)
        if row_numbers is not None
        else pd.Series(pd.NA, index=pending.index)
    )
    return pd.DataFrame(
        {
            "phrase": pending[column].astype("string").to_numpy(),
            "table_name": table,
            "suggestion": pending["suggestion"]
            .astype(object)
            .where(pending["suggestion"].notna(), None)
            .to_numpy(),
            "score": pending["score"].astype("float64").to_numpy(),
            "source_file": file,
            "source_row": rows.astype("Int64").to_numpy(),
            "row_json": [
                json.dumps(_plain_record(record), ensure_ascii=False, sort_keys=True)
                for record in records
            ],
        },
        columns=list(QUEUE_COLUMNS),
    )


def _plain_record(record: Mapping[Hashable, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (isinstance(value, float) and pd.isna(value)):
            plain[str(key)] = None
        elif hasattr(value, "item"):
            plain[str(key)] = value.item()
        else:
            plain[str(key)] = value
    return plain


def resolve_row(
    item: Mapping[str, Any], skill_id: str, known_skills: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """The typed row a review decision stores: the queued row with its skill set to ``skill_id``.

    Used for ``mapping accept`` (``skill_id`` = the suggestion) and ``mapping set``.
    Raises :class:`InputError` when ``skill_id`` is not in the taxonomy or the row no
    longer validates. Returns ``{table_name: one-row frame}`` for the store.
    """
    known = set(known_skills)
    table = str(item["table_name"])
    if not skill_id or skill_id not in known:
        msg = f"unknown skill {skill_id!r}: choose a skill_id of the taxonomy (or add the skill first)"
        raise InputError(msg, [Problem(msg, table=table, column="skill", value=str(skill_id))])
    row = json.loads(str(item["row_json"]))
    row["skill"] = skill_id
    typed, _ = validate(table, pd.DataFrame([row]), file=str(item.get("source_file") or ""))
    return {table: typed}


def accept_suggestion(
    item: Mapping[str, Any], known_skills: Iterable[str]
) -> tuple[str, dict[str, pd.DataFrame]]:
    """``mapping accept``: the suggested skill and the row to store; error if there is no suggestion."""
    suggestion = item.get("suggestion")
    if (
        suggestion is None
        or (isinstance(suggestion, float) and pd.isna(suggestion))
        or str(suggestion) == ""
    ):
        msg = f"no suggestion for {item.get('phrase')!r}: use 'mapping set' with a skill_id"
        raise InputError(msg)
    return str(suggestion), resolve_row(item, str(suggestion), known_skills)


def new_skill(
    skill_id: str, label: str, group: str, *, label_da: str | None = None, phrase: str | None = None
) -> pd.DataFrame:
    """A validated one-row ``skills`` frame for a skill a reviewer adds while resolving a phrase.

    The phrase (when given and different from the label) becomes the skill's first alias.
    """
    aliases = phrase if phrase and normalise(phrase) != normalise(label) else None
    frame = pd.DataFrame(
        [
            {
                "skill_id": skill_id,
                "label": label,
                "label_da": label_da,
                "group": group,
                "aliases": aliases,
                "esco_uri": None,
                "description": None,
            }
        ]
    )
    typed, _ = validate("skills", frame)
    return typed


def learned_alias(phrase: object, skill_id: str) -> dict[str, str]:
    """The learned-alias record a review decision creates (``alias``, ``skill_id``)."""
    return {"alias": alias_key(phrase), "skill_id": skill_id}


def resolve_pending(pending: pd.DataFrame, matcher: Matcher) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split queued rows into those a (re-built) matcher now maps and those still pending.

    After a reviewer accepts ``"PLC progr."`` every other queued row with the same
    phrase maps too. Returns (resolved queue rows with ``skill_id``, still pending).
    """
    results = match_many(pending["phrase"], matcher)
    skill_ids = (
        pending["phrase"]
        .astype("string")
        .str.strip()
        .map({k: v.skill_id if v.accepted else None for k, v in results.items()})
    )
    resolved = pending.assign(skill_id=skill_ids).loc[skill_ids.notna()]
    return resolved, pending.loc[skill_ids.isna()]
