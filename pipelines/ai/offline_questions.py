"""Offline questions and distractors: deterministic, built only from the curriculum.

No model is involved, so these are simple recall questions about the chapter's own topics;
they keep development, demos and a total provider outage working, and are labelled
``offline/...`` wherever they are stored.
"""

from __future__ import annotations

import hashlib

# Unrelated topics to draw wrong options from; any that match the chapter's topics are skipped.
_OTHER_TOPICS = (
    "Volcanoes", "Poetry", "Ancient Egypt", "Magnets", "Photosynthesis", "Map reading",
    "Rhythm and beat", "The water cycle", "Telling time", "Simple machines", "Weather",
    "Punctuation", "Food chains", "Coins and money", "The solar system", "Shapes",
)


def _rank(seed: str, items) -> list:
    """``items`` in a stable pseudo-random order derived from ``seed``."""
    return sorted(items, key=lambda item: hashlib.sha256(f"{seed}|{item}".encode()).hexdigest())


def questions(
    *, subject: str, chapter: str, topics: list[str], count: int = 5, difficulty: str = "medium",
    grade: int | None = None,
) -> dict:
    """``count`` questions alternating multiple-choice and short-answer over the topics."""
    topics = [topic for topic in topics if topic] or [chapter]
    seed = f"{subject}|{chapter}|{'|'.join(topics)}|{difficulty}|{grade}"
    known = {topic.lower() for topic in topics} | {chapter.lower()}
    wrong_pool = [other for other in _OTHER_TOPICS if other.lower() not in known]
    items = []
    for index in range(count):
        topic = topics[index % len(topics)]
        if index % 2 == 0:
            wrong = _rank(f"{seed}|{index}", wrong_pool)[:3]
            items.append({
                "type": "mcq",
                "question_text": f"Which of these do you study in the {subject} chapter "
                                 f"'{chapter}'?",
                "options": _rank(f"{seed}|{index}|order", [topic, *wrong]),
                "correct_answer": topic,
                "explanation": f"{topic} is one of the topics of '{chapter}'; the other "
                               "options belong to other chapters.",
                "rubric": "",
                "difficulty": difficulty,
            })
        else:
            items.append({
                "type": "short",
                "question_text": f"In your own words, explain {topic} and give one example "
                                 "from everyday life.",
                "options": [],
                "correct_answer": f"{topic} is part of {chapter} in {subject}; a good answer "
                                  f"explains what {topic} means and gives a real example.",
                "explanation": "",
                "rubric": f"Full marks for saying what {topic} means in the student's own "
                          "words and giving one real example; half marks for only one of "
                          "the two.",
                "difficulty": difficulty,
            })
    return {"questions": items}


def distractors(*, question: str, correct_answer: str, count: int = 3) -> dict:
    """Wrong options near a numeric answer, else unrelated topics; never the answer itself."""
    seed = f"{question}|{correct_answer}"
    answer = correct_answer.strip()
    try:
        number = float(answer)
    except ValueError:
        number = None
    if number is not None:
        fmt = (lambda v: str(int(v))) if number.is_integer() else (lambda v: f"{v:g}")
        candidates = [number + 1, number - 1, number * 2, number + 10, number / 2, number + 2]
        pool = [fmt(value) for value in candidates if fmt(value) != fmt(number)]
    else:
        pool = [other for other in _OTHER_TOPICS if other.lower() != answer.lower()]
        pool = _rank(seed, pool)
    unique = list(dict.fromkeys(pool))
    return {"distractors": unique[: max(1, count)]}
