"""The built-in offline generator: deterministic, clearly labelled, never pretending to be a model.

It builds an explanation from what the curriculum already knows (subject, chapter, topic) and
the student's analogy, so development, demos and a last-resort fallback work with no AI
provider at all. Everything it writes is marked ``offline/template-v1``.
"""

from __future__ import annotations

import hashlib

OFFLINE_MODEL = "offline/template-v1"

GRADE_NAMES = {0: "kindergarten"}


def grade_label(grade: int) -> str:
    """'kindergarten', '1st', '2nd', '3rd', '4th', ... as the seed's template reads them."""
    if grade in GRADE_NAMES:
        return GRADE_NAMES[grade]
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(grade % 10 if grade % 100 not in (11, 12, 13) else 0)
    return f"{grade}{suffix or 'th'}"


_OPENERS = (
    "Let's picture {topic} as {analogy}.",
    "Imagine {analogy}: that is a good way to see {topic}.",
    "Think about {analogy}. {topic_cap} works in a very similar way.",
)


def _pick(options: tuple[str, ...], seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return options[digest[0] % len(options)]


def explanation(*, subject: str, chapter: str, topic: str, analogy: str, grade: int) -> dict:
    """An explanation body: title, sections, key points, the analogy used."""
    seed = f"{subject}|{chapter}|{topic}|{analogy}|{grade}"
    reader = grade_label(grade)
    opener = _pick(_OPENERS, seed).format(
        topic=topic, analogy=analogy, topic_cap=topic[:1].upper() + topic[1:]
    )
    return {
        "title": f"{topic} ({subject}, {reader} grade)" if grade else f"{topic} ({subject})",
        "topic": topic,
        "grade": grade,
        "analogy": analogy,
        "sections": [
            {"heading": "The big idea", "body": f"{opener} " + (
                f"It is the heart of the chapter {chapter}." if topic == chapter
                else f"In {chapter}, {topic} is one of the ideas you will use again and again.")},
            {"heading": f"Using {analogy}", "body": f"Each part of {analogy} stands for a part "
             f"of {topic}. When you change one part, watch what happens to the whole."},
            {"heading": "Try it yourself", "body": f"Find one example of {topic} around you "
             f"today and describe it with {analogy}."},
        ],
        "key_points": [
            f"{topic} is part of {subject}" + ("." if topic == chapter else f", in {chapter}."),
            f"{analogy[:1].upper() + analogy[1:]} helps you picture how {topic} works.",
            "Explaining an idea in your own words is the best way to check you understand it.",
        ],
        "generator": OFFLINE_MODEL,
    }
