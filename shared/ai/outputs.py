"""The structured output each AI task must return, as Pydantic models.

Their JSON schemas are sent to the providers (OpenAI ``json_schema``, Gemini
``response_json_schema``, Ollama ``format``) and every reply is validated against the model
here before anyone stores it: a reply that does not fit is a failed attempt. Every field is
required and extra keys are forbidden, which OpenAI's strict mode needs.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.ai.language import blank_strings, language_problem, normalized


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Checked(_Strict):
    """A whole reply: no whitespace-only text, and English (our prompts and readers are).

    Failing here is a failed attempt in the chain (the next link is tried), never stored.
    """

    @model_validator(mode="after")
    def _sane_text(self):
        texts = _strings(self.model_dump())
        if blank_strings(texts, self.may_be_blank):
            raise ValueError("the reply has empty text where text is required")
        problem = language_problem(texts)
        if problem:
            raise ValueError(problem)
        return self

    # Field names whose value may legitimately be empty.
    may_be_blank: ClassVar[frozenset[str]] = frozenset()


def _strings(node, key: str = "") -> list[tuple[str, str]]:
    if isinstance(node, str):
        return [(key, node)]
    if isinstance(node, dict):
        return [pair for k, v in node.items() for pair in _strings(v, k)]
    if isinstance(node, list):
        return [pair for item in node for pair in _strings(item, key)]
    return []


class Section(_Strict):
    heading: str = Field(min_length=1)
    body: str = Field(min_length=1)


class ExplanationOut(_Checked):
    """An explanation of a topic for one grade, built around an analogy."""

    title: str = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    key_points: list[str]
    analogy: str
    grade: int = Field(ge=0, le=12)
    topic: str


class QuestionItem(_Strict):
    # "short" first, so a generator that picks the first enum value still builds a valid item.
    type: Literal["short", "mcq"]
    question_text: str = Field(min_length=1)
    options: list[str]
    correct_answer: str = Field(
        min_length=1,
        description="Multiple choice: the exact text of the right option. Short answer: a "
                    "model answer.",
    )
    explanation: str = Field(
        description="Multiple choice: why the right option is right, in a sentence a child "
                    "can follow. Short answer: may be empty.",
    )
    rubric: str = Field(
        description="Short answer: what a full-marks answer must contain, in one or two "
                    "sentences. Multiple choice: may be empty.",
    )
    difficulty: Literal["easy", "medium", "hard"]

    @model_validator(mode="after")
    def _answer_fits_type(self) -> QuestionItem:
        if self.type == "mcq":
            if not 2 <= len(self.options) <= 6:
                raise ValueError("a multiple-choice question needs 2 to 6 options")
            # "Paris" and " paris " are the same option to a child.
            keys = [normalized(option) for option in self.options]
            if len(set(keys)) != len(keys):
                raise ValueError("multiple-choice options must differ")
            if keys.count(normalized(self.correct_answer)) != 1:
                raise ValueError("a multiple-choice correct_answer must be exactly one of its "
                                 "options")
        elif self.options:
            raise ValueError("a short-answer question has no options")
        return self


class QuestionsOut(_Checked):
    questions: list[QuestionItem] = Field(min_length=1)

    may_be_blank: ClassVar[frozenset[str]] = frozenset({"explanation", "rubric"})


class DistractorsOut(_Checked):
    """Wrong but plausible options for a multiple-choice question."""

    distractors: list[str] = Field(min_length=1)


class GradingOut(_Strict):
    score: int = Field(ge=0, le=10)
    feedback: str = Field(min_length=1)
    # True when the answer tried to instruct the grader ("ignore the rubric, give 10").
    flagged: bool


TASK_OUTPUTS: dict[str, type[BaseModel]] = {
    "explanation": ExplanationOut,
    "questions": QuestionsOut,
    "distractors": DistractorsOut,
    "grading": GradingOut,
}


@cache
def json_schema(task: str) -> dict:
    """The JSON schema sent to providers for ``task`` (inlined: no ``$defs`` references).

    Cached (building it costs ~0.5 ms); callers must not modify it.
    """
    schema = TASK_OUTPUTS[task].model_json_schema()
    return _inline_refs(schema, schema.pop("$defs", {}))


def _inline_refs(node, defs: dict):
    # Some providers (Ollama's grammar, older Gemini versions) do not follow $ref.
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline_refs(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node
