"""Bayesian Knowledge Tracing, as OATutor applies it per skill (here: per chapter).

Four parameters: P(L0) the prior that the chapter is already known, P(T) the chance to learn
it at each practice opportunity, P(S) the chance to slip (answer wrong although known) and
P(G) the chance to guess (answer right although not known). After each graded answer:

    correct:   P(L|obs) = P(L)(1-S) / (P(L)(1-S) + (1-P(L))G)
    incorrect: P(L|obs) = P(L)S     / (P(L)S     + (1-P(L))(1-G))
    then       P(L')    = P(L|obs) + (1 - P(L|obs)) T

(OATutor, src/models/BKT/BKT-brain.js; Corbett & Anderson 1995.) A chapter counts as mastered
once P(L) reaches the threshold (0.95, OATutor's too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Params:
    prior: float = 0.1
    learn: float = 0.1
    slip: float = 0.1
    guess: float = 0.1

    def with_guess(self, guess: float) -> Params:
        return replace(self, guess=guess)


def update(mastery: float, correct: bool, params: Params) -> float:
    """P(learned) after one observed answer, starting from ``mastery``."""
    known, unknown = mastery, 1.0 - mastery
    if correct:
        evidence_known, evidence_unknown = known * (1 - params.slip), unknown * params.guess
    else:
        evidence_known, evidence_unknown = known * params.slip, unknown * (1 - params.guess)
    total = evidence_known + evidence_unknown
    posterior = evidence_known / total if total > 0 else mastery
    return posterior + (1.0 - posterior) * params.learn


def trace(observations: Iterable[tuple[bool, float]], params: Params) -> float:
    """P(learned) after ``(correct, guess)`` observations in order, from the prior."""
    mastery = params.prior
    for correct, guess in observations:
        mastery = update(mastery, correct, params.with_guess(guess))
    return mastery


def mcq_guess(option_count: int, default: float) -> float:
    """A blind pick among n options is right 1/n of the time (bounded to stay informative)."""
    if option_count < 2:
        return default
    return min(0.5, max(default, 1.0 / option_count))
