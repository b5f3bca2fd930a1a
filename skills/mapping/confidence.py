"""The fitted confidence model of fuzzy matches: two logistic steps, and fitting them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np


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
    ranking=(-10.675, -0.02, 1.855, 2.295, 6.466, 4.351, 13.443, -0.059, -0.523, -7.406, 5.664),
    calibration=(2.21, 1.374, -0.41),
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
    counts = [
        weight for candidates, weight in zip(phrases, weights, strict=True) for _ in candidates
    ]
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
