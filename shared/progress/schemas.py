from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class ChapterProgressOut(BaseModel):
    """One chapter of a student's progress (API.md "Profiles")."""

    chapter_id: int
    attempted: int
    correct: int
    average_score: float | None
    status: Literal["not_started", "in_progress", "completed"]
    completed_at: datetime | None
    # Bayesian Knowledge Tracing estimate that the chapter is learned (0..1).
    mastery: float | None = None


class NextQuestionOut(BaseModel):
    """The question to practise next: from the least-mastered chapter of the child's grade."""

    chapter_id: int
    chapter_name: str
    subject: str
    mastery: float
    question_id: int
    type: Literal["mcq", "short"]
    question_text: str
    options: list[str] | None
    difficulty: str
