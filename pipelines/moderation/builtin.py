"""The built-in check: words and patterns no children's lesson needs, always on, offline.

Deliberately narrow: it must never hold ordinary lessons ("the naked eye", "sexual
reproduction", "the weed in the garden"), so it lists phrases, not topics; the model-based
checks catch what a list cannot. A false alarm costs a reviewer's click, nothing more.
"""

from __future__ import annotations

import re

_CATEGORIES: dict[str, list[str]] = {
    "profanity": [
        r"f+u+c+k\w*", r"shit\w*", r"bitch\w*", r"bastards?", r"assholes?", r"cunts?",
        r"dickheads?", r"motherf\w+", r"sluts?", r"whores?", r"wank\w*",
    ],
    "sexual content": [
        r"porn\w*", r"nudes", r"erotic\w*", r"orgasm\w*", r"hentai", r"sexy", r"xxx",
    ],
    "self-harm": [
        r"kill (?:yourself|myself|themselves|himself|herself)", r"suicid\w*",
        r"self[- ]harm\w*", r"cut (?:yourself|myself)", r"hang (?:yourself|myself)",
    ],
    "violence": [
        r"(?:make|build|making|building) (?:a |an )?(?:bomb|explosive|gun)s?",
        r"shoot (?:him|her|them|people|everyone)", r"stab (?:him|her|them|people|someone)",
    ],
    "drugs": [r"cocaine", r"heroin", r"meth(?:amphetamine)?", r"marijuana", r"get high"],
    "personal data or contact": [
        r"(?:your|ur) (?:home |full |real )?(?:address|phone number|password)",
        r"send (?:me )?(?:a |your )?(?:photo|picture|pic|selfie)s?",
        r"meet (?:me|up) (?:in person|alone|secretly)",
        r"(?:don'?t|do not) tell (?:your |anyone|anybody)(?:parents?|mom|mum|dad|teacher)?",
        r"our (?:little )?secret",
    ],
}
_PATTERNS = [
    (category, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE))
    for category, words in _CATEGORIES.items()
]
# Links lead a child out of the app to pages nobody reviewed.
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def check(items: list[tuple[str, str]]) -> list[str]:
    """Reasons to hold, one per item and category found (empty: nothing found)."""
    reasons = []
    for label, text in items:
        found = [category for category, pattern in _PATTERNS if pattern.search(text)]
        if _LINK.search(text):
            found.append("external link")
        for category in dict.fromkeys(found):
            reasons.append(f"{label}: built-in check found {category}")
    return reasons
