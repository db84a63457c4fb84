from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ContentBlockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: str
    content_json: dict[str, Any]
    ai_model_used: str
    status: str
    created_at: datetime


class QuestionOut(BaseModel):
    """A question as a student sees it: no correct answer."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    content_block_id: int
    type: str
    question_text: str
    options: list[Any] | None
    difficulty: str


class QuestionStaffOut(QuestionOut):
    correct_answer: dict[str, Any]


class ChapterDetail(BaseModel):
    id: int
    grade: int
    subject: str
    chapter_name: str
    order_index: int
    topics: list[str]
    content_blocks: list[ContentBlockOut]
    questions: list[QuestionStaffOut | QuestionOut]
