"""Cheap sanity checks on model text: not blank, and written in English.

StudyForge's prompts, readers and reviewers work in English, so a reply in another language
(or script) is a failed attempt, like a reply off the schema. These are heuristics for whole
replies, tuned to let short and technical English through: the script test needs a dozen
letters, the function-word test two dozen words.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Common English function words ("a" and "I" are left out: other languages share them).
_ENGLISH = frozenset({
    "the", "and", "of", "to", "is", "in", "it", "you", "that", "are", "for", "with", "on", "as",
    "this", "be", "can", "your", "what", "has", "have", "we", "they", "an", "or", "from", "by",
    "at", "was", "were", "its", "not", "but", "if", "when", "how", "which", "there", "their",
    "our",
})
MIN_LETTERS = 12
MIN_WORDS = 24
MIN_LATIN_SHARE = 0.8
MIN_ENGLISH_SHARE = 0.06


def normalized(text: str) -> str:
    """Case- and whitespace-insensitive form, for comparing answer options."""
    return " ".join(text.split()).casefold()


def blank_strings(pairs: list[tuple[str, str]], may_be_blank: frozenset[str]) -> bool:
    return any(not value.strip() for key, value in pairs if key not in may_be_blank)


def _latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


def language_problem(pairs: list[tuple[str, str]]) -> str | None:
    """Why this text does not look like English, or None."""
    text = " ".join(value for _key, value in pairs)
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= MIN_LETTERS:
        share = sum(1 for c in letters if c.isascii() or _latin(c)) / len(letters)
        if share < MIN_LATIN_SHARE:
            return "the reply is not in English (mostly non-Latin script)"
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) >= MIN_WORDS:
        share = sum(1 for w in words if w in _ENGLISH) / len(words)
        if share < MIN_ENGLISH_SHARE:
            return "the reply does not read as English"
    return None
