"""Prompt templates: ``str.format`` placeholders, checked against each task's variables.

Values are substituted once and never re-parsed, so braces or "{instructions}" inside a
student's answer stay plain text.
"""

from __future__ import annotations

import string

from shared.ai.schemas import TEMPLATE_VARIABLES

_FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    """Names used by ``template``; raises ValueError for a malformed one ("{", "{0}", "{a.b}")."""
    names = set()
    for _literal, field, spec, conversion in _FORMATTER.parse(template):
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"placeholder {{{field}}} must be a plain name like {{topic}}")
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} may not carry a format spec or conversion")
        names.add(field)
    return names


def check(task: str, template: str) -> set[str]:
    """The placeholders of a template for ``task``; ValueError names any unknown one."""
    names = placeholders(template)
    unknown = names - TEMPLATE_VARIABLES[task]
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in sorted(TEMPLATE_VARIABLES[task]))
        named = ", ".join("{" + name + "}" for name in sorted(unknown))
        raise ValueError(f"unknown placeholder(s) {named} for task {task!r}; allowed: {allowed}")
    return names


def ordinal_grade(grade: int | None) -> str:
    """4 -> "4th", 0 -> "kindergarten": the seed's prompt reads "to a 4th grader"."""
    if grade is None:
        return "school"
    if grade == 0:
        return "kindergarten"
    suffix = "th" if 10 <= grade % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(grade % 10, "th")
    return f"{grade}{suffix}"


def render(template: str, variables: dict) -> str:
    """Fill ``template``; a variable the caller did not give renders as an empty string."""
    values = {name: _text(variables.get(name)) for name in placeholders(template)}
    if "grade" in values:
        values["grade"] = ordinal_grade(variables.get("grade"))
    return template.format_map(values)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
