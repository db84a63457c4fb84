from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.types import JSONType, TZDateTime

# Review states: students only ever see "approved". "held" is content that moderation flagged;
# "draft" is unflagged content waiting for a reviewer (when auto-approval is off).
CONTENT_STATUSES = ("draft", "approved", "held", "rejected")
AWAITING_REVIEW = ("held", "draft")


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
    status: Mapped[str] = mapped_column(String(16), default="approved", index=True)
    job_id: Mapped[str | None] = mapped_column(String(36), unique=True, nullable=True)
    # What the moderation step said: {"flagged", "reasons": [...], "checks": [...]}.
    moderation: Mapped[dict | None] = mapped_column(JSONType, nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
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
    # Which model wrote the question (and its answer), and which wrote the wrong MCQ options:
    # they come from two routes. None for rows made before this was recorded.
    ai_model_used: Mapped[str | None] = mapped_column(String(200), nullable=True)
    distractors_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
