"""Offline grading of short answers by word overlap with the reference answer.

Used when no model is reachable (API.md: a provisional score, re-graded when a model answers
again). It never follows instructions inside an answer; it only counts shared words, and
flags answers that look like they try to instruct a grader.
"""

from __future__ import annotations

import re

_STOPWORD_TEXT = (
    "a an and are as at be but by for from has have i in is it its of on or so that the their "
    "then there these this to was were what when which who why will with you your"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_INJECTION = re.compile(
    r"ignore (all|any|the|previous|above)|disregard|you are now|system prompt|"
    r"(give|award|grade) (me|this|it) (a )?(10|ten|full|100)|full marks|as an ai|"
    r"new instructions|override",
    re.IGNORECASE,
)


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOPWORDS}


def grade(*, question: str, student_answer: str, reference_answer: str) -> dict:
    """Score 0-10 from the share of the reference answer's key words the student used."""
    reference = _words(reference_answer) or _words(question)
    answer = _words(student_answer)
    flagged = bool(_INJECTION.search(student_answer))
    # With nothing to compare against, any attempt gets a middling provisional score.
    score = round(10 * len(reference & answer) / len(reference)) if reference else (5 if answer else 0)
    found = sorted(reference & answer)
    missing = sorted(reference - answer)
    if not answer:
        feedback = "There is no answer yet: write what you know, even a short sentence helps."
    elif score >= 8:
        feedback = "Great answer: you covered the key ideas" + (
            f" ({', '.join(found[:6])})." if found else ".")
    else:
        feedback = (
            (f"Good start: you mentioned {', '.join(found[:6])}. " if found else "")
            + f"Try to also explain {', '.join(missing[:6])}."
        )
    if flagged:
        feedback += " Please answer the question itself; instructions to the grader are ignored."
    return {"score": score, "feedback": feedback, "flagged": flagged}
