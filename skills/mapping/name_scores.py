"""How well a skill's names fit a phrase: a whole name inside it, or a guarded fuzzy score."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from rapidfuzz import fuzz, process

from skills.mapping.index import Matcher
from skills.mapping.text import content_stems, core
from skills.mapping.vocabulary import _WordLinks

#: Phrases this short (after normalising) are acronyms or fragments: exact matches only.
MIN_FUZZY_LENGTH: Final = 5
#: How many candidates the fast pre-filter passes to the guarded scorer.
PREFILTER: Final = 40
#: Highest score a name found inside a longer phrase can get (below an exact alias).
CONTAINED_MAX: Final = 96.0
#: Points off per meaningful word of the phrase that no skill name uses.
UNKNOWN_WORD_PENALTY: Final = 2.0
#: Points off a contained name that lies inside a longer contained name of another skill.
DOMINATED_PENALTY: Final = 20.0


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
