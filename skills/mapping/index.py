"""The matcher: one taxonomy indexed by exact name keys, name stems and word vocabularies."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from skills.mapping.confidence import EVIDENCE_MODEL, EvidenceModel
from skills.mapping.text import content_stems, core, fold_danish, normalise
from skills.mapping.vocabulary import _Vocabulary, _WordLinks
from skills.settings import load_settings

#: Weight of a word from a skill's description against a word from one of its names.
DESCRIPTION_WEIGHT: Final = 0.5
#: Exact-match methods, strongest first: the one that wins when a skill is named twice.
_METHOD_RANK: Final = {"learned": 0, "id": 1, "label": 2, "alias": 3}


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
    evidence_vocabulary: _Vocabulary = field(default_factory=lambda: _Vocabulary.of(()), repr=False)
    #: the confidence model that scores fuzzy candidates (see :func:`scored_candidates`)
    evidence_model: EvidenceModel = EVIDENCE_MODEL

    @classmethod
    def from_taxonomy(
        cls,
        skills: pd.DataFrame,
        *,
        learned_aliases: pd.DataFrame | Mapping[str, str] | None = None,
        threshold: float | None = None,
        exact_names: Mapping[str, str] | None = None,
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
        exact_names
            More names (name -> skill_id) matched only when a phrase is the name (an alias's
            score), never as fuzzy evidence, so the fitted confidence model sees the same
            candidates as without them: e.g. ESCO labels (:func:`skills.esco_labels.esco_names`).
            A name another skill owns becomes ambiguous, as any shared name.
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
        for text, skill_id in (exact_names or {}).items():
            if str(skill_id) in labels and isinstance(text, str) and text.strip():
                for key in _name_keys(text):
                    exact.setdefault(key, {}).setdefault(str(skill_id), "alias")
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
