"""What a student sends to ``POST /questions/{id}/answers`` and what comes back (API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, field_validator

from shared.types import IdIn

MAX_ANSWER_CHARS = 5000


class AnswerIn(BaseModel):
    """An MCQ answer is the 0-based option index or the option's exact text; a short answer
    is text. ``profile_id`` names the child when a parent answers for them."""

    model_config = ConfigDict(extra="forbid")

    answer: StrictInt | StrictStr
    profile_id: IdIn | None = None

    @field_validator("answer")
    @classmethod
    def _sensible(cls, value: int | str) -> int | str:
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("the answer must not contain NUL characters")
            if not value.strip():
                raise ValueError("the answer is empty: write or choose an answer first")
            if len(value) > MAX_ANSWER_CHARS:
                raise ValueError(
                    f"the answer is {len(value):,} characters long; answers may be at most "
                    f"{MAX_ANSWER_CHARS:,} characters"
                )
        elif not -(2**31) <= value < 2**31:
            raise ValueError("an option index must be a small whole number (0 for the first)")
        return value


class AnswerResult(BaseModel):
    """200 for an MCQ (graded now); 202 for a short answer (``job_id`` grades it)."""

    submission_id: int
    status: Literal["pending", "graded", "failed"]
    correct: bool | None = None
    score: int | None = None
    feedback: str | None = None
    # MCQ: {"index", "text", "explanation"}; short answers: null.
    correct_answer: dict[str, Any] | None = None
    job_id: str | None = None


class SubmissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question_id: int
    profile_id: int
    answer: int | str
    status: Literal["pending", "graded", "failed"]
    score: int | None
    correct: bool | None = None
    feedback: str | None
    graded_by: str | None
    graded_at: datetime | None
    provisional: bool
    flagged: bool
    job_id: str | None = None
