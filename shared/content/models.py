from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.types import JSONType, TZDateTime

# Review states: students only ever see "approved".
CONTENT_STATUSES = ("draft", "approved", "held", "rejected")


class ContentBlock(Base):
    """A piece of generated content for a chapter (an explanation, or a set of questions)."""

    __tablename__ = "content_blocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(
        ForeignKey("curriculum.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    content_json: Mapped[dict] = mapped_column(JSONType)
    ai_model_used: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="approved")
    job_id: Mapped[str | None] = mapped_column(String(36), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class Question(Base):
    """A question generated for a chapter; ``correct_answer`` is never shown to students."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_block_id: Mapped[int] = mapped_column(
        ForeignKey("content_blocks.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(16), default="mcq")
    question_text: Mapped[str] = mapped_column(String(2000))
    options: Mapped[list | None] = mapped_column(JSONType, nullable=True)
    correct_answer: Mapped[dict] = mapped_column(JSONType)
    difficulty: Mapped[str] = mapped_column(String(16), default="medium")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
