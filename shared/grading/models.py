from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow
from shared.types import JSONType, TZDateTime

SUBMISSION_STATUSES = ("pending", "graded", "failed")


class Submission(Base):
    """One answer of a student to a question, and its grade.

    ``chapter_id`` is copied from the question's content block so progress can be updated
    without a join; ``counted`` says whether the grade is already in ``student_progress`` (a
    re-grade of a provisional score replaces its contribution instead of adding another).
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_profile_chapter", "profile_id", "chapter_id"),
        Index("ix_submissions_status_provisional", "status", "provisional"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    chapter_id: Mapped[int] = mapped_column(ForeignKey("curriculum.id", ondelete="CASCADE"))
    # As the student sent it: an option index (int) or text.
    answer: Mapped[Any] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)
    graded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    graded_at: Mapped[datetime | None] = mapped_column(TZDateTime(), nullable=True)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it was flagged (detector rules, or "model"), for the teacher/admin who reviews it.
    flag_reasons: Mapped[list | None] = mapped_column(JSONType, nullable=True)
    counted: Mapped[bool] = mapped_column(Boolean, default=False)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
