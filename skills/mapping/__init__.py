"""Free-text skill names to taxonomy ids (exact, label/alias, name-in-phrase, guarded fuzzy) and the review queue."""

from skills.mapping.candidates import FEATURES, Candidate, candidate_features, scored_candidates
from skills.mapping.confidence import EVIDENCE_MODEL, EvidenceModel, fit_evidence_model
from skills.mapping.evidence import WordEvidence, word_evidence
from skills.mapping.index import Matcher
from skills.mapping.matching import (
    AMBIGUOUS_SCORE,
    Match,
    apply_mapping,
    likely_skills,
    match,
    match_many,
    match_with_candidates,
)
from skills.mapping.name_scores import CONTAINED_MAX, MIN_FUZZY_LENGTH
from skills.mapping.review import (
    QUEUE_COLUMNS,
    accept_suggestion,
    alias_key,
    learned_alias,
    new_skill,
    queue_rows,
    resolve_pending,
    resolve_row,
)
from skills.mapping.text import (
    FILLER_WORDS,
    STOP_WORDS,
    content_stems,
    core,
    fold_danish,
    normalise,
    phrase_rewrites,
    stem,
)
from skills.mapping.vocabulary import MIN_SOFT_LENGTH

__all__ = [
    "AMBIGUOUS_SCORE",
    "CONTAINED_MAX",
    "EVIDENCE_MODEL",
    "FEATURES",
    "FILLER_WORDS",
    "MIN_FUZZY_LENGTH",
    "MIN_SOFT_LENGTH",
    "QUEUE_COLUMNS",
    "STOP_WORDS",
    "Candidate",
    "EvidenceModel",
    "Match",
    "Matcher",
    "WordEvidence",
    "accept_suggestion",
    "alias_key",
    "apply_mapping",
    "candidate_features",
    "content_stems",
    "core",
    "fit_evidence_model",
    "fold_danish",
    "learned_alias",
    "likely_skills",
    "match",
    "match_many",
    "match_with_candidates",
    "new_skill",
    "normalise",
    "phrase_rewrites",
    "queue_rows",
    "resolve_pending",
    "resolve_row",
    "scored_candidates",
    "stem",
    "word_evidence",
]
